export { default as SettingsView } from './SettingsView.vue';
export { useSettingDraft } from './use-setting-draft.ts';
export { useSettingField, type SettingField, type SettingFieldOptions } from './use-setting-field.ts';
export {
  mergeSettings,
  settingsPatchProblem,
  messageOfSettingsIssue,
  numberOfText,
} from './settings-validation.ts';
export {
  captureAccelerator,
  displayAccelerator,
  keyNameOf,
  type AcceleratorCapture,
  type KeyPress,
} from './accelerator.ts';
export { codecDisplay, moveItem } from './codec-order.ts';
