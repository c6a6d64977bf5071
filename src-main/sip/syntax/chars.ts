/**
 * Character classes of the RFC 3261 §25.1 grammar as bit flags in one lookup table, plus the small
 * text helpers every parser in this folder shares. Only ASCII has a class; every code point ≥ 0x80
 * is outside all of them (UTF8-NONASCII is allowed only where a rule says so, e.g. quoted-string).
 */

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = 1;
/** word = token chars plus ( ) < > : \ DQUOTE / [ ] ? { } (Call-ID) */
export const WORD = 2;
/** unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( ) */
export const UNRESERVED = 4;
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = & = + $ , ; ? / */
export const USER = 8;
/** password = *( unreserved / escaped / & = + $ , ) */
export const PASSWORD = 16;
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
export const PARAM = 32;
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ); hnv-unreserved = [ ] / ? : + $ */
export const HEADER = 64;
/** uric = reserved / unreserved / escaped (absoluteURI, RFC 2396); reserved = ; / ? : @ & = + $ , */
export const URIC = 128;
/** characters of a hostname label or an IPv4 address: alphanum - . (and _ , see host.ts) */
export const HOST = 256;
/** ALPHA / DIGIT */
export const ALNUM = 512;

const table = new Uint16Array(128);

function mark(chars: string, flags: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= flags;
}

const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digit = '0123456789';
mark(alpha + digit, TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAM | HEADER | URIC | HOST | ALNUM);
mark("-.!*_'~", TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAM | HEADER | URIC);
mark('%+`', TOKEN | WORD);
mark('()', WORD | UNRESERVED | USER | PASSWORD | PARAM | HEADER | URIC);
mark('<>:\\"/[]?{}', WORD);
mark('&=+$,;?/', USER);
mark('&=+$,', PASSWORD);
mark('[]/:&+$', PARAM);
mark('[]/?:+$', HEADER);
mark(';/?:@&=+$,', URIC);
mark('-._', HOST);

/** True when code unit `c` is ASCII and in every class of `flags`. */
export function is(c: number, flags: number): boolean {
  return c < 128 && (table[c]! & flags) === flags;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** SP or HTAB (after unfolding, the only white space a header value contains). */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/** True when `s` is a non-empty token (RFC 3261 §25.1). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!is(s.charCodeAt(i), TOKEN)) return false;
  return true;
}

/**
 * True when `s` is made of characters of `flags` and well-formed `%HH` escapes (the `escaped` rule),
 * and is at least `min` characters long.
 */
export function isEscapedRun(s: string, flags: number, min: number): boolean {
  if (s.length < min) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (!isHexDigit(s.charCodeAt(i + 1)) || !isHexDigit(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!is(c, flags)) return false;
  }
  return true;
}

/** Removes SP/HTAB at both ends (String.prototype.trim would also eat U+FEFF and NBSP). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Decimal digits only, no sign, no white space; returns NaN otherwise (leading zeros allowed). */
export function parseDigits(s: string): number {
  if (s.length === 0) return NaN;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** Largest delta-seconds (RFC 3261 §20.19: "between 0 and (2**32)-1"). */
export const MAX_DELTA_SECONDS = 4294967295;

/** delta-seconds = 1*DIGIT, at most 2**32-1; NaN when invalid or too large. */
export function parseDeltaSeconds(s: string): number {
  const n = s.length <= 10 ? parseDigits(s) : NaN;
  return n <= MAX_DELTA_SECONDS ? n : NaN;
}

/** Wraps `s` in double quotes, escaping `"` and `\` as quoted-pairs (RFC 3261 §25.1 quoted-string). */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/**
 * The content of a quoted-string with its quoted-pairs resolved; a value that is not quoted is
 * returned unchanged. `"a\"b"` → `a"b`.
 */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34) return s;
  const inner = s.slice(1, -1);
  if (!inner.includes('\\')) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}
