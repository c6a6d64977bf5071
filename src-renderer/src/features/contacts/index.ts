export { default as ContactsView } from './ContactsView.vue';
export {
  addressRow,
  checkContactForm,
  contactFormOf,
  emptyContactForm,
  guessAddressKind,
  hasFieldErrors,
  type ContactForm,
  type ContactFormAddress,
  type ContactFormCheck,
  type ContactFormErrors,
} from './contact-form.ts';
export { readVCardFile, vCardErrorLine, type VCardFileRead } from './vcard-file.ts';
