export { default as AccountsView } from './AccountsView.vue';
export { default as AccountsForm } from './AccountsForm.vue';
export { default as AccountsStatePill } from './AccountsStatePill.vue';
export {
  EMPTY_ACCOUNT_FORM,
  ADVANCED_FIELDS,
  DEFAULT_EXPIRES_SEC,
  accountFormOf,
  aorParts,
  checkAccountForm,
  proxyUriOf,
  srtpKeysExposedIn,
  type AccountForm,
  type AccountField,
  type AccountFormErrors,
  type AccountFormMode,
  type AccountFormCheck,
  type AccountFormContext,
  type TransportChoice,
  type SrtpChoice,
} from './account-form.ts';
export {
  failureMessageOf,
  hostOfUri,
  nextStepOf,
  pillKeyOf,
  pillStateOf,
  pillToneOf,
  registrarHostOf,
  type PillState,
  type PillTone,
} from './registration-words.ts';
