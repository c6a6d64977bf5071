export { default as PhoneView } from './PhoneView.vue';
export {
  DIAL_KEYS,
  DIAL_STRING_MAX,
  appendDialKey,
  deleteLastCharacter,
  isDialCharacter,
  type DialKey,
} from './dial-string.ts';
