export {
  isSipLike,
  stripNumberFormatting,
  cleanDialInput,
  countryCodeOf,
  groupSizesOf,
  evenGroupSizes,
  formatDialString,
  caretAfter,
} from './phone-number.ts';
export { dialStringOfUri, displayAddressOfUri, isAnonymousUri, addressKindOf } from './remote-party.ts';
