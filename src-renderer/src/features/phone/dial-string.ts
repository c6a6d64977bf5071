/** What the dial pad and the number field do to the text being dialled. */

export interface DialKey {
  readonly key: string;
  /** The letters printed under the digit (ITU E.161 keypad), empty when none. */
  readonly letters: string;
}

export const DIAL_KEYS: readonly DialKey[] = [
  { key: '1', letters: '' },
  { key: '2', letters: 'ABC' },
  { key: '3', letters: 'DEF' },
  { key: '4', letters: 'GHI' },
  { key: '5', letters: 'JKL' },
  { key: '6', letters: 'MNO' },
  { key: '7', letters: 'PQRS' },
  { key: '8', letters: 'TUV' },
  { key: '9', letters: 'WXYZ' },
  { key: '*', letters: '' },
  { key: '0', letters: '+' },
  { key: '#', letters: '' },
];

/** The longest text the field takes (a SIP URI in the contract is at most 512 characters). */
export const DIAL_STRING_MAX = 512;

export function appendDialKey(text: string, key: string): string {
  return (text + key).slice(0, DIAL_STRING_MAX);
}

/** Removes the last character (a whole code point, so an emoji or CJK character goes at once). */
export function deleteLastCharacter(text: string): string {
  return Array.from(text).slice(0, -1).join('');
}

/** Keys typed anywhere on the Phone screen that go into the number: digits, `*`, `#` and `+`. */
export function isDialCharacter(key: string): boolean {
  return /^[0-9*#+]$/.test(key);
}
