export { default as SettingsView } from './SettingsView.vue';
export { useSettingDraft } from './use-setting-draft.ts';
