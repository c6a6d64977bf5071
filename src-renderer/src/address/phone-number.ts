/**
 * Phone numbers as the user types, pastes and reads them. What is dialled is kept without formatting
 * (digits, a leading `+`, `*` and `#`); international numbers (`+CC…`, E.164) are shown grouped the way
 * people write them. Anything with letters, `@` or `:` is a SIP address and is kept exactly as typed.
 */

/** True when `text` is a SIP address (or any text that is not a number): it is left as typed. */
export function isSipLike(text: string): boolean {
  return /[\p{L}@:]/u.test(text.replace(/^tel:/i, ''));
}

/**
 * A number without its formatting: digits, `*`, `#`, and `+` only as the first character. Spaces,
 * dashes, dots, brackets and a `tel:` scheme go.
 */
export function stripNumberFormatting(text: string): string {
  const body = text.trim().replace(/^tel:/i, '').replace(/;.*$/, '');
  const kept = body.replace(/[^0-9*#+]/g, '');
  return kept.startsWith('+') ? `+${kept.slice(1).replace(/\+/g, '')}` : kept.replace(/\+/g, '');
}

/**
 * What a pasted or typed text becomes in the dial pad: a SIP address is trimmed and otherwise kept
 * (surrounding `<…>` removed), a number loses its formatting.
 */
export function cleanDialInput(text: string): string {
  const trimmed = text.trim();
  if (isSipLike(trimmed)) return trimmed.replace(/^<(.*)>$/, '$1').trim();
  return stripNumberFormatting(trimmed);
}

/** ITU-T E.164 country calling codes of one and two digits; every other code has three. */
const SHORT_COUNTRY_CODES = new Set([
  '1',
  '7',
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

/** The country calling code at the start of `digits` (which follow the `+`), by the E.164 assignment. */
export function countryCodeOf(digits: string): string {
  for (const length of [1, 2]) {
    const candidate = digits.slice(0, length);
    if (candidate.length === length && SHORT_COUNTRY_CODES.has(candidate)) return candidate;
  }
  return digits.slice(0, 3);
}

/**
 * Group sizes of a national significant number. A few countries have a well-known pattern (North
 * America 3-3-4, France 1-2-2-2-2, UK and Chinese mobiles…); otherwise groups of three with the tail
 * made of fours, which reads well for any length.
 */
export function groupSizesOf(countryCode: string, national: string): number[] {
  switch (countryCode) {
    case '1':
      return [3, 3, 4];
    case '7':
      return [3, 3, 2, 2];
    case '33':
      return [1, 2, 2, 2, 2];
    case '44':
      if (national.startsWith('7')) return [4, 6];
      if (national.startsWith('20')) return [2, 4, 4];
      break;
    case '49':
      if (/^1[5-7]/.test(national)) return [3, national.length - 3];
      break;
    case '86':
      if (/^1[3-9]/.test(national)) return [3, 4, 4];
      if (/^(10|2\d)/.test(national)) return [2, 4, 4];
      return [3, 4, 4];
  }
  return evenGroupSizes(national.length);
}

/** Threes, with the tail in fours: 5 → 2 3, 7 → 3 4, 8 → 4 4, 10 → 3 3 4, 11 → 3 4 4. */
export function evenGroupSizes(length: number): number[] {
  if (length <= 4) return [length];
  if (length === 5) return [2, 3];
  const rest = length % 3;
  const tail = rest === 0 ? [] : rest === 1 ? [4] : [4, 4];
  const threes = (length - tail.reduce((a, b) => a + b, 0)) / 3;
  return [...Array<number>(threes).fill(3), ...tail];
}

/** Cuts `digits` into groups of `sizes`; digits beyond the pattern stay in its last group. */
function groupDigits(digits: string, sizes: readonly number[]): string[] {
  const groups: string[] = [];
  let at = 0;
  for (let i = 0; i < sizes.length && at < digits.length; i++) {
    const last = i === sizes.length - 1;
    const size = sizes[i] ?? 0;
    groups.push(last ? digits.slice(at) : digits.slice(at, at + size));
    at += size;
  }
  return groups.filter((g) => g.length > 0);
}

/**
 * How a dial string is shown: `+CC` numbers grouped (`+1 415 555 2671`, `+86 138 0013 8000`),
 * everything else (national numbers, extensions, `*`/`#` codes, SIP addresses) as it is.
 */
export function formatDialString(text: string): string {
  const match = /^\+(\d+)$/.exec(text);
  if (!match?.[1]) return text;
  const digits = match[1];
  const cc = countryCodeOf(digits);
  const national = digits.slice(cc.length);
  if (!national) return `+${cc}`;
  return [`+${cc}`, ...groupDigits(national, groupSizesOf(cc, national))].join(' ');
}

/** The caret position in `formatted` that has `significant` non-space characters before it. */
export function caretAfter(formatted: string, significant: number): number {
  if (significant <= 0) return 0;
  let count = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (formatted[i] !== ' ') count++;
    if (count === significant) return i + 1;
  }
  return formatted.length;
}
