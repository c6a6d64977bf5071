export { default as UiIcon } from './UiIcon.vue';
export { default as UiView } from './UiView.vue';
export { default as UiSection } from './UiSection.vue';
export { default as UiEmptyState } from './UiEmptyState.vue';
export { default as UiNotice } from './UiNotice.vue';
export { ICONS, type IconName } from './icons.ts';
export { focusViewHeading } from './focus.ts';
