/**
 * Header names: case-insensitive (RFC 3261 §7.3.1 "field names are always case-insensitive"), with
 * compact forms (RFC 3261 §7.3.3 and the extensions that registered one), and the set of headers
 * whose value is a comma-separated list.
 */
import { trimWsp } from './chars.ts';

/** Compact form → full name. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact', // RFC 3841
  b: 'Referred-By', // RFC 3892
  c: 'Content-Type',
  d: 'Request-Disposition', // RFC 3841
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact', // RFC 3841
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info', // RFC 4474
  o: 'Event', // RFC 6665
  r: 'Refer-To', // RFC 3515
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events', // RFC 6665
  v: 'Via',
  x: 'Session-Expires', // RFC 4028
  y: 'Identity', // RFC 4474
};

const CANONICAL = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

/** Lower-case full name → canonical spelling. */
const CANONICAL_BY_KEY = new Map(CANONICAL.map((n) => [n.toLowerCase(), n]));

/**
 * Headers defined as `#element` lists, so that "Via: a, b" equals two Via lines (RFC 3261 §7.3.1).
 * Not in this set, and never split on commas: WWW-Authenticate, Authorization, Proxy-Authenticate,
 * Proxy-Authorization ("the exceptions to this rule", §7.3.1), and every single-valued header (Date,
 * From, To, Call-ID, CSeq, Content-Type, User-Agent, Server, Subject…). Unknown headers are not
 * split either: only their definition could say where a comma is a separator.
 */
const LIST_HEADERS = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'route',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

const keyCache = new Map<string, string>();

/** The lookup key of a header name: its full name in lower case ("v", "VIA", "Via" → "via"). */
export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const compact = lower.length === 1 ? COMPACT_FORMS[lower] : undefined;
  const key = compact !== undefined ? compact.toLowerCase() : lower;
  if (keyCache.size < 2048) keyCache.set(name, key);
  return key;
}

/** Canonical full spelling of a header name ("v" → "Via", "call-id" → "Call-ID"; unknown: as given). */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name);
  return CANONICAL_BY_KEY.get(key) ?? name;
}

/** True when the header (any spelling) is a comma-separated list. */
export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}

/**
 * Splits a list value at top-level commas: commas inside quoted strings (with quoted-pairs) and
 * inside <…> are part of the element. Elements are trimmed of SP/HTAB; empty elements are kept as
 * '' so callers can reject them ("Via: a,,b" is malformed).
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [value];
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 92) i++;
      else if (c === 34) inQuotes = false;
    } else if (c === 34) inQuotes = true;
    else if (c === 60) angle++;
    else if (c === 62) {
      if (angle > 0) angle--;
    } else if (c === 44 && angle === 0) {
      out.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}

export interface KnownHeaderName {
  /** Spelling as matched (exact case). */
  readonly name: string;
  readonly key: string;
}

/** Canonical spellings and lower-case compact forms, by length and lower-cased first character. */
const BY_SHAPE: Array<KnownHeaderName[] | undefined> = [];
const shape = (length: number, first: number): number => (length << 7) | (first | 0x20);
for (const name of [...CANONICAL, ...Object.keys(COMPACT_FORMS)]) {
  (BY_SHAPE[shape(name.length, name.charCodeAt(0))] ??= []).push({ name, key: headerKey(name) });
}

/**
 * The interned name and key when text[start, end) is spelled exactly like a canonical header name
 * or a lower-case compact form (the usual case); undefined otherwise. Saves the parser a substring
 * and a map lookup per header line.
 */
export function knownHeaderName(text: string, start: number, end: number): KnownHeaderName | undefined {
  const c = text.charCodeAt(start);
  if (!(c < 128) || end - start > 40) return undefined;
  const candidates = BY_SHAPE[shape(end - start, c)];
  if (candidates === undefined) return undefined;
  for (let i = 0; i < candidates.length; i++) {
    const k = candidates[i]!;
    if (text.startsWith(k.name, start)) return k;
  }
  return undefined;
}
