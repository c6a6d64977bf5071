/**
 * Search keys derived from party addresses, so that the call log and the address book can be matched
 * and searched through ordinary indexes:
 *
 *   number key — the digits of a phone number, a leading "+" kept: "+49 (0)30 1234-56" → "+4930123456",
 *                "sip:1000@pbx.local" → "1000", "tel:+1-201-555-0123" → "+12015550123".
 *                A SIP user part that is not number-like ("alice") has no number key.
 *   URI key    — "user@host" of a SIP URI, lower-cased, without scheme, port and parameters:
 *                "sips:Alice@Example.COM:5061;transport=tls" → "alice@example.com".
 *
 * Matching by number key is exact digit equality; no country or trunk-prefix rules are applied
 * (that would need the user's dialling plan, which the phone does not know).
 */
import type { ContactAddressKind } from '../../src-shared/model/contact.ts';

export interface PartyAddress {
  readonly scheme: 'sip' | 'sips' | 'tel' | 'none';
  /** User part (SIP, percent-decoded, parameters removed) or the number (tel / bare text). */
  readonly user: string;
  /** Host of a SIP URI, lower-cased, without port; empty otherwise. */
  readonly host: string;
}

/** Characters that may separate digits in a written number (RFC 3966 visual separators and friends). */
const NUMBER_LIKE = /^\+?[\d\s().\-/]*\d[\d\s().\-/]*$/;

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Takes a SIP/SIPS/TEL URI, a name-addr (`"Bob" <sip:bob@x>`), a bare `user@host` or a written number.
 */
export function parsePartyAddress(text: string): PartyAddress {
  let s = text.trim();
  const angle = /<([^>]*)>/.exec(s);
  if (angle?.[1] !== undefined) s = angle[1].trim();
  const scheme = /^(sips?|tel):/i.exec(s);
  if (scheme?.[1] !== undefined) {
    const name = scheme[1].toLowerCase();
    const rest = s.slice(scheme[0].length);
    if (name === 'tel')
      return { scheme: 'tel', user: percentDecode(rest.split(/[;?]/, 1)[0] ?? ''), host: '' };
    return { scheme: name === 'sips' ? 'sips' : 'sip', ...splitUserHost(rest) };
  }
  if (s.includes('@')) return { scheme: 'sip', ...splitUserHost(s) };
  return { scheme: 'none', user: s, host: '' };
}

/** `user[:password]@host[:port][;params][?headers]` → user and host. */
function splitUserHost(rest: string): { user: string; host: string } {
  const at = rest.lastIndexOf('@');
  const userinfo = at >= 0 ? rest.slice(0, at) : '';
  const hostport = at >= 0 ? rest.slice(at + 1) : rest;
  // RFC 3261 §19.1.1: user ":" password; a telephone-subscriber user part may carry ";params".
  const user = percentDecode(userinfo.split(':', 1)[0] ?? '').split(';', 1)[0] ?? '';
  const hostAndParams = hostport.split(/[;?]/, 1)[0] ?? '';
  const host = hostAndParams.startsWith('[')
    ? hostAndParams.slice(0, hostAndParams.indexOf(']') + 1)
    : (hostAndParams.split(':', 1)[0] ?? '');
  return { user, host: host.toLowerCase() };
}

/** Digits only, a leading "+" kept; "(0)" after a country code is dropped. Null when there are no digits. */
export function numberKeyOfNumber(written: string): string | null {
  let s = written.trim();
  const international = s.startsWith('+');
  if (international) s = s.replace(/\(0\)/g, '');
  const digits = s.replace(/\D/g, '');
  if (digits === '') return null;
  return international ? `+${digits}` : digits;
}

/** The number key of a remote party: a number-like SIP user part, a tel: number or a written number. */
export function numberKey(address: string): string | null {
  const party = parsePartyAddress(address);
  switch (party.scheme) {
    case 'sip':
    case 'sips':
      return NUMBER_LIKE.test(party.user) ? numberKeyOfNumber(party.user) : null;
    case 'tel':
    case 'none':
      return numberKeyOfNumber(party.user);
  }
}

/** `user@host` of a SIP address, lower-cased; null for numbers and for SIP URIs without a user. */
export function uriKey(address: string): string | null {
  const party = parsePartyAddress(address);
  if (party.scheme !== 'sip' && party.scheme !== 'sips') return null;
  if (party.user === '' || party.host === '') return null;
  return `${party.user.toLowerCase()}@${party.host}`;
}

/** The part of an address a person would type to find it: the user part, or the host if there is none. */
export function remoteUser(address: string): string {
  const party = parsePartyAddress(address);
  return party.user !== '' ? party.user : party.host;
}

/** Both keys of an address-book entry. `tel` entries are numbers by definition. */
export function addressKeys(
  kind: ContactAddressKind,
  value: string,
): { numberKey: string | null; uriKey: string | null } {
  if (kind === 'tel') return { numberKey: numberKeyOfNumber(value), uriKey: null };
  return { numberKey: numberKey(value), uriKey: uriKey(value) };
}

/** Store a SIP address with its scheme: `alice@example.com` → `sip:alice@example.com`. */
export function canonicalSipAddress(value: string): string {
  const s = value.trim();
  return /^sips?:/i.test(s) ? s : `sip:${s}`;
}

// ───────────────────────────── search text ─────────────────────────────

/** Whether a search text should be treated as the start of a number. */
export function isNumberQuery(text: string): boolean {
  return NUMBER_LIKE.test(text.trim());
}

/**
 * Index ranges [from, to) on the number key that hold every key starting with the typed number. A typed
 * number without "+" also matches international keys that start with those digits ("4930" finds
 * "+4930…"). Keys contain only "+" and digits, so "~" (after both in every collation) closes a range.
 */
export function numberPrefixRanges(text: string): Array<readonly [string, string]> {
  const key = numberKeyOfNumber(text);
  if (key === null) return [];
  const ranges: Array<readonly [string, string]> = [[key, `${key}~`]];
  if (!key.startsWith('+')) ranges.push([`+${key}`, `+${key}~`]);
  return ranges;
}

const FOLD_SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
};

/** Lower case, compatibility-decomposed, without combining marks: "Ångström Ø" → "angstrom o". */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđłıþ]/g, (c) => FOLD_SPECIAL[c] ?? c);
}

/** The words of a search text, folded; punctuation separates words. */
export function searchWords(text: string): string[] {
  return foldForSearch(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** A `LIKE … ESCAPE '\'` pattern that matches any text containing `word`. */
export function likeContaining(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A `LIKE … ESCAPE '\'` pattern that matches any text starting with `word`. */
export function likeStartingWith(word: string): string {
  return `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * An FTS5 query matching rows that contain, for every typed word, a token starting with it:
 * `ann mül` → `"ann"* "mul"*`. Each word is a quoted string, so FTS5 syntax in the input is inert.
 * Null when the text has no words.
 */
export function ftsPrefixQuery(text: string): string | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
}
