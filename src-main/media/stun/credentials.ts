/**
 * MESSAGE-INTEGRITY keys (RFC 5389 §15.4):
 *
 *   short-term   key = SASLprep(password)                              (ICE checks, RFC 8445 §7.2.2)
 *   long-term    key = MD5(username ":" realm ":" SASLprep(password))  (TURN, RFC 5766 §4)
 *
 * and SASLprep itself (RFC 4013, the "stored strings" profile of stringprep, RFC 3454): map, normalise
 * with NFKC, refuse prohibited characters, check bidi. JavaScript has no Bidi_Class property in its
 * regular expressions, so "RandALCat" is approximated by the right-to-left scripts (Hebrew, Arabic,
 * Syriac, Thaana, N'Ko…); every password a user can type on a Latin, CJK or Cyrillic keyboard gets the
 * exact RFC treatment.
 */
import { createHash } from 'node:crypto';

export type SaslPrepResult = { ok: true; value: string } | { ok: false; reason: string };

type Range = readonly [number, number];

/** RFC 3454 table B.1: "commonly mapped to nothing". */
const MAPPED_TO_NOTHING: readonly Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
/** RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE by RFC 4013 §2.1. */
const NON_ASCII_SPACE: readonly Range[] = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** RFC 4013 §2.3: C.1.2 (mapped already), C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9. */
const PROHIBITED: readonly Range[] = [
  // C.2.1 ASCII control characters
  [0x0000, 0x001f],
  [0x007f, 0x007f],
  // C.2.2 non-ASCII control characters
  [0x0080, 0x009f],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200d],
  [0x2028, 0x2029],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  // C.3 private use
  [0xe000, 0xf8ff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
  // C.4 non-character code points (the per-plane xFFFE/xFFFF are checked in isNonCharacter)
  [0xfdd0, 0xfdef],
  // C.5 surrogate codes (only lone surrogates survive in a JS string)
  [0xd800, 0xdfff],
  // C.6 inappropriate for plain text
  [0xfff9, 0xfffd],
  // C.7 inappropriate for canonical representation
  [0x2ff0, 0x2ffb],
  // C.8 change display properties or deprecated
  [0x0340, 0x0341],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  [0x206a, 0x206f],
  // C.9 tagging characters
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];

function inRanges(code: number, ranges: readonly Range[]): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high);
}

function isNonCharacter(code: number): boolean {
  return (code & 0xfffe) === 0xfffe;
}

function mapCharacters(input: string): string {
  let out = '';
  for (const char of input) {
    const code = char.codePointAt(0) ?? 0;
    if (inRanges(code, MAPPED_TO_NOTHING)) continue;
    out += inRanges(code, NON_ASCII_SPACE) ? ' ' : char;
  }
  return out;
}

const RAND_AL =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
const RAND_AL_LETTER =
  /^[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]$/u;
const L_CAT = /\p{L}/u;

/** RFC 4013 SASLprep for stored strings (unassigned code points are let through, as for queries). */
export function saslPrep(input: string): SaslPrepResult {
  const normalized = mapCharacters(input).normalize('NFKC');
  for (const char of normalized) {
    const code = char.codePointAt(0) ?? 0;
    if (inRanges(code, PROHIBITED) || isNonCharacter(code)) {
      return {
        ok: false,
        reason: `prohibited character U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
      };
    }
  }
  // RFC 3454 §6: a string with any RandALCat character must not contain LCat ones, and must start and end
  // with a RandALCat character.
  const chars = [...normalized];
  if (chars.some((c) => RAND_AL.test(c))) {
    const hasL = chars.some((c) => L_CAT.test(c) && !RAND_AL.test(c));
    const first = chars[0] ?? '';
    const last = chars[chars.length - 1] ?? '';
    if (hasL || !RAND_AL_LETTER.test(first) || !RAND_AL_LETTER.test(last)) {
      return { ok: false, reason: 'mixes right-to-left and left-to-right text' };
    }
  }
  return { ok: true, value: normalized };
}

function prepared(password: string): string {
  const result = saslPrep(password);
  if (!result.ok) throw new CredentialError(`password cannot be used: ${result.reason}`);
  return result.value;
}

/** A password SASLprep refuses. Thrown: a configuration error the caller reports before any request. */
export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

/** RFC 5389 §15.4 short-term key: the SASLprep'd password's UTF-8 bytes. */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(prepared(password), 'utf8');
}

/** RFC 5389 §15.4 long-term key: MD5(username ":" realm ":" SASLprep(password)). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5')
    .update(`${username}:${realm}:${prepared(password)}`, 'utf8')
    .digest();
}
