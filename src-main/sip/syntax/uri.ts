/**
 * URIs: SIP/SIPS (RFC 3261 §19.1), TEL (RFC 3966), and any other absolute URI kept opaque.
 *
 * Components are stored unescaped (RFC 3261 §19.1.2: "%61lice" is the user "alice"); formatting
 * escapes only what the component's grammar requires. A URI that came from the parser and was not
 * rebuilt formats back to its exact original text, so a Contact we echo as a Request-URI is sent as
 * the peer wrote it.
 */
import { Buffer } from 'node:buffer';
import {
  HEADER,
  HOST,
  PARAM,
  PASSWORD,
  URIC,
  USER,
  is,
  isAlpha,
  isDigit,
  isEscapedRun,
  isHexDigit,
} from './chars.ts';
import { hostKey, hostKind, isHostname } from './host.ts';

export type UriParams = ReadonlyMap<string, string | null>;

/**
 * sip:user:password@host:port;uri-parameters?headers. Parameter names are lower case; a parameter
 * without value (";lr") maps to null. `host` is as written, an IPv6 reference with its brackets.
 */
export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port?: number;
  readonly params: UriParams;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
}

/** tel:+1-201-555-0123;ext=1234 (RFC 3966). `number` as written, visual separators included. */
export interface TelUri {
  readonly kind: 'tel';
  readonly number: string;
  /** True for a global number ("+…"); a local number carries a phone-context parameter. */
  readonly global: boolean;
  readonly params: UriParams;
}

/** Any other absoluteURI (RFC 3261 §25.1), e.g. "http://example.com/x" or "urn:uuid:…": kept opaque. */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  /** Lower case. */
  readonly scheme: string;
  /** Everything after the first colon, as written. */
  readonly value: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

export type UriResult =
  { readonly ok: true; readonly uri: Uri } | { readonly ok: false; readonly reason: string };

const EMPTY_PARAMS: UriParams = new Map();
const NO_HEADERS: SipUri['headers'] = [];

/**
 * The parser's URI objects: plain readonly fields plus the original text in a private field. A
 * spread copy (`{ ...uri, port: 5070 }`) is a plain object without it, so it is formatted afresh.
 */
class ParsedSipUri implements SipUri {
  readonly kind = 'sip' as const;
  readonly scheme: 'sip' | 'sips';
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: UriParams;
  readonly headers: SipUri['headers'];
  readonly #source: string;

  constructor(
    source: string,
    scheme: 'sip' | 'sips',
    user: string | undefined,
    password: string | undefined,
    host: string,
    port: number | undefined,
    params: UriParams,
    headers: SipUri['headers'],
  ) {
    this.scheme = scheme;
    this.user = user;
    this.password = password;
    this.host = host;
    this.port = port;
    this.params = params;
    this.headers = headers;
    this.#source = source;
  }

  static sourceOf(uri: Uri): string | undefined {
    return #source in uri ? uri.#source : undefined;
  }
}

class ParsedTelUri implements TelUri {
  readonly kind = 'tel' as const;
  readonly number: string;
  readonly global: boolean;
  readonly params: UriParams;
  readonly #source: string;

  constructor(source: string, number: string, global: boolean, params: UriParams) {
    this.number = number;
    this.global = global;
    this.params = params;
    this.#source = source;
  }

  static sourceOf(uri: Uri): string | undefined {
    return #source in uri ? uri.#source : undefined;
  }
}

class ParsedAbsoluteUri implements AbsoluteUri {
  readonly kind = 'absolute' as const;
  readonly scheme: string;
  readonly value: string;
  readonly #source: string;

  constructor(source: string, scheme: string, value: string) {
    this.scheme = scheme;
    this.value = value;
    this.#source = source;
  }

  static sourceOf(uri: Uri): string | undefined {
    return #source in uri ? uri.#source : undefined;
  }
}

function fail(reason: string): UriResult {
  return { ok: false, reason };
}

function success(uri: Uri): UriResult {
  return { ok: true, uri };
}

/** Parses any URI: SIP/SIPS and TEL into their structures, other schemes as AbsoluteUri. */
export function parseUri(text: string): UriResult {
  // Fast path for the schemes we meet all the time.
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 === 115 && (text.charCodeAt(1) | 0x20) === 105 && (text.charCodeAt(2) | 0x20) === 112) {
    const c3 = text.charCodeAt(3);
    if (c3 === 58) return parseSipUri(text, 4, 'sip');
    if ((c3 | 0x20) === 115 && text.charCodeAt(4) === 58) return parseSipUri(text, 5, 'sips');
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return fail('URI has no scheme');
  if (!isScheme(text, colon)) return fail('invalid URI scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  const value = text.slice(colon + 1);
  if (!isEscapedRun(value, URIC, 1)) return fail(`invalid ${scheme} URI`);
  return success(new ParsedAbsoluteUri(text, scheme, value));
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
function isScheme(text: string, end: number): boolean {
  if (!isAlpha(text.charCodeAt(0))) return false;
  for (let i = 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isAlpha(c) || isDigit(c) || c === 43 || c === 45 || c === 46)) return false;
  }
  return true;
}

/**
 * Index after a run of `flags` characters and %HH escapes starting at `i` and ending before `end`
 * or the first character outside the class; -1 on a bad escape. Sets `sawEscape` when a % was seen.
 */
let sawEscape = false;
function escapedRunEnd(text: string, i: number, end: number, flags: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 37) {
      if (!isHexDigit(text.charCodeAt(i + 1)) || !isHexDigit(text.charCodeAt(i + 2))) return -1;
      sawEscape = true;
      i += 3;
    } else if (is(c, flags)) i++;
    else return i;
  }
  return i;
}

function parseSipUri(text: string, start: number, scheme: 'sip' | 'sips'): UriResult {
  const len = text.length;
  let user: string | undefined;
  let password: string | undefined;
  let i = start;
  // user and password cannot contain a raw "@" (it is not in user-unreserved), so the first "@"
  // ends the userinfo even when the user part contains ";" or "?" (RFC 4475 §3.1.1.9, "semiuri").
  const at = text.indexOf('@', start);
  if (at >= 0) {
    if (text.indexOf('@', at + 1) >= 0) return fail('more than one "@" in SIP URI');
    sawEscape = false;
    const userEnd = escapedRunEnd(text, start, at, USER);
    if (userEnd <= start || (userEnd !== at && text.charCodeAt(userEnd) !== 58))
      return fail('invalid user part in SIP URI');
    user = sawEscape ? unescapeUriComponent(text.slice(start, userEnd)) : text.slice(start, userEnd);
    if (userEnd < at) {
      sawEscape = false;
      const passwordEnd = escapedRunEnd(text, userEnd + 1, at, PASSWORD);
      if (passwordEnd !== at) return fail('invalid password in SIP URI');
      const raw = text.slice(userEnd + 1, at);
      password = sawEscape ? unescapeUriComponent(raw) : raw;
    }
    i = at + 1;
  }

  let hostEnd = i;
  if (text.charCodeAt(i) === 91) {
    hostEnd = text.indexOf(']', i) + 1;
    if (hostEnd === 0) return fail('unterminated IPv6 reference in SIP URI');
  } else {
    while (hostEnd < len && is(text.charCodeAt(hostEnd), HOST)) hostEnd++;
  }
  const host = text.slice(i, hostEnd);
  if (host.length === 0 || hostKind(host) === undefined) return fail('invalid host in SIP URI');
  i = hostEnd;

  let port: number | undefined;
  if (text.charCodeAt(i) === 58) {
    let j = i + 1;
    let value = 0;
    while (j < len && isDigit(text.charCodeAt(j))) value = value * 10 + (text.charCodeAt(j++) - 48);
    if (j === i + 1 || j - i - 1 > 5 || value > 65535) return fail('invalid port in SIP URI');
    port = value;
    i = j;
  }

  let params: Map<string, string | null> | undefined;
  while (i < len && text.charCodeAt(i) === 59) {
    sawEscape = false;
    const nameEnd = escapedRunEnd(text, i + 1, len, PARAM);
    if (nameEnd <= i + 1) return fail('invalid parameter in SIP URI');
    let name = text.slice(i + 1, nameEnd);
    if (sawEscape) name = unescapeUriComponent(name);
    let value: string | null = null;
    i = nameEnd;
    if (text.charCodeAt(i) === 61) {
      sawEscape = false;
      const valueEnd = escapedRunEnd(text, i + 1, len, PARAM);
      if (valueEnd <= i + 1) return fail('invalid parameter value in SIP URI');
      value = text.slice(i + 1, valueEnd);
      if (sawEscape) value = unescapeUriComponent(value);
      i = valueEnd;
    }
    if (i < len && !isParamEnd(text.charCodeAt(i))) return fail('invalid parameter in SIP URI');
    name = name.toLowerCase();
    params ??= new Map();
    if (!params.has(name)) params.set(name, value);
  }

  let headers: Array<readonly [string, string]> | undefined;
  if (i < len && text.charCodeAt(i) === 63) {
    headers = [];
    for (const pair of text.slice(i + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return fail('invalid header in SIP URI');
      const rawName = pair.slice(0, eq);
      const rawValue = pair.slice(eq + 1);
      if (!isEscapedRun(rawName, HEADER, 1) || !isEscapedRun(rawValue, HEADER, 0)) {
        return fail('invalid header in SIP URI');
      }
      headers.push([unescapeUriComponent(rawName), unescapeUriComponent(rawValue)]);
    }
    i = len;
  }
  if (i !== len) return fail('unexpected characters in SIP URI');
  return success(
    new ParsedSipUri(text, scheme, user, password, host, port, params ?? EMPTY_PARAMS, headers ?? NO_HEADERS),
  );
}

/**
 * The SipUri of a text the quick checks (quick-check.ts SIP_URI) accepted: sip/sips, optional
 * userinfo, a host name or IPv4 address, optional port, parameters, no URI headers. Skips the
 * validation parseSipUri does; gives the same object (quick-check.test.ts compares them).
 */
export function buildQuickSipUri(text: string): SipUri {
  const secure = text.charCodeAt(3) !== 58;
  let i = secure ? 5 : 4;
  let user: string | undefined;
  let password: string | undefined;
  const at = text.indexOf('@', i);
  if (at >= 0) {
    const colon = text.indexOf(':', i);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    user = unescapeUriComponent(text.slice(i, userEnd));
    if (userEnd < at) password = unescapeUriComponent(text.slice(userEnd + 1, at));
    i = at + 1;
  }
  const semi = text.indexOf(';', i);
  const hostPortEnd = semi < 0 ? text.length : semi;
  const colon = text.indexOf(':', i);
  const hasPort = colon >= 0 && colon < hostPortEnd;
  const host = text.slice(i, hasPort ? colon : hostPortEnd);
  const port = hasPort ? Number(text.slice(colon + 1, hostPortEnd)) : undefined;
  let params: Map<string, string | null> | undefined;
  if (semi >= 0) {
    params = new Map();
    for (const part of text.slice(semi + 1).split(';')) {
      const eq = part.indexOf('=');
      const name = unescapeUriComponent(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
      if (!params.has(name)) params.set(name, eq < 0 ? null : unescapeUriComponent(part.slice(eq + 1)));
    }
  }
  return new ParsedSipUri(
    text,
    secure ? 'sips' : 'sip',
    user,
    password,
    host,
    port,
    params ?? EMPTY_PARAMS,
    NO_HEADERS,
  );
}

function isParamEnd(c: number): boolean {
  return c === 59 || c === 63; // ";" "?"
}

/**
 * RFC 3966 §3: global-number-digits = "+" *phonedigit DIGIT *phonedigit;
 * local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex, and a local number
 * MUST carry phone-context. Parameters: ";" pname [ "=" pvalue ], pname = 1*( alphanum / "-" ).
 */
function parseTelUri(text: string, start: number): UriResult {
  const semi = text.indexOf(';', start);
  const number = text.slice(start, semi < 0 ? text.length : semi);
  const global = number.charCodeAt(0) === 43;
  let significant = 0;
  for (let i = global ? 1 : 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    const visual = c === 45 || c === 46 || c === 40 || c === 41;
    if (global ? isDigit(c) : isHexDigit(c) || c === 42 || c === 35) significant++;
    else if (!visual) return fail('invalid telephone number in tel URI');
  }
  if (significant === 0) return fail('tel URI without digits');
  const params = new Map<string, string | null>();
  if (semi >= 0) {
    for (const part of text.slice(semi + 1).split(';')) {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      if (name.length === 0 || !/^[A-Za-z0-9-]+$/.test(name)) return fail('invalid tel URI parameter');
      let value: string | null = null;
      if (eq >= 0) {
        const raw = part.slice(eq + 1);
        if (!isEscapedRun(raw, PARAM, 1)) return fail('invalid tel URI parameter value');
        value = unescapeUriComponent(raw);
      }
      params.set(name.toLowerCase(), value);
    }
  }
  if (!global && !params.has('phone-context')) return fail('local tel URI without phone-context');
  return success(new ParsedTelUri(text, number, global, params));
}

// ─────────────────────────── escaping (RFC 3261 §19.1.2) ───────────────────────────

/**
 * Resolves %HH escapes once (never recursively: "%25%34%31" is "%41", RFC 4475 §3.1.1.3). The bytes
 * are read as UTF-8. Input is assumed already validated (see isEscapedRun).
 */
export function unescapeUriComponent(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && isHexDigit(s.charCodeAt(i + 1)) && isHexDigit(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Escapes every character of `s` outside the class `flags` as %HH of its UTF-8 bytes. */
function escapeWith(s: string, flags: number): string {
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) plain = is(s.charCodeAt(i), flags);
  if (plain) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && is(c, flags)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** user = 1*( unreserved / escaped / user-unreserved ) */
export function escapeUser(s: string): string {
  return escapeWith(s, USER);
}

/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export function escapePassword(s: string): string {
  return escapeWith(s, PASSWORD);
}

/** pname / pvalue = 1*paramchar */
export function escapeParam(s: string): string {
  return escapeWith(s, PARAM);
}

/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ) */
export function escapeHeader(s: string): string {
  return escapeWith(s, HEADER);
}

// ─────────────────────────── building and formatting ───────────────────────────

export interface SipUriInit {
  readonly scheme?: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  /** Host name, IPv4 address, or IPv6 address with or without brackets. */
  readonly host: string;
  readonly port?: number;
  /** Parameters in order; null for a parameter without value (lr). */
  readonly params?: Readonly<Record<string, string | null>> | UriParams;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** Builds a SipUri; throws on a host or port that no URI could carry (a bug in the caller). */
export function sipUri(init: SipUriInit): SipUri {
  let host = init.host;
  if (host.includes(':') && host.charCodeAt(0) !== 91) host = `[${host}]`;
  if (hostKind(host) === undefined) throw new Error(`sipUri: invalid host ${JSON.stringify(init.host)}`);
  if (init.port !== undefined && !(Number.isInteger(init.port) && init.port >= 0 && init.port <= 65535)) {
    throw new Error(`sipUri: invalid port ${init.port}`);
  }
  const params = new Map<string, string | null>();
  const entries = init.params instanceof Map ? init.params.entries() : Object.entries(init.params ?? {});
  for (const [name, value] of entries) params.set(name.toLowerCase(), value);
  return {
    kind: 'sip',
    scheme: init.scheme ?? 'sip',
    ...(init.user !== undefined && { user: init.user }),
    ...(init.password !== undefined && { password: init.password }),
    host,
    ...(init.port !== undefined && { port: init.port }),
    params,
    headers: init.headers ?? NO_HEADERS,
  };
}

/** Text form of a URI: the original text for a parsed, unmodified URI; otherwise escaped as needed. */
export function formatUri(uri: Uri): string {
  const source = ParsedSipUri.sourceOf(uri) ?? ParsedTelUri.sourceOf(uri) ?? ParsedAbsoluteUri.sourceOf(uri);
  if (source !== undefined) return source;
  switch (uri.kind) {
    case 'sip': {
      let s = `${uri.scheme}:`;
      if (uri.user !== undefined) {
        s += escapeUser(uri.user);
        if (uri.password !== undefined) s += `:${escapePassword(uri.password)}`;
        s += '@';
      }
      s += uri.host;
      if (uri.port !== undefined) s += `:${uri.port}`;
      for (const [name, value] of uri.params)
        s += value === null ? `;${escapeParam(name)}` : `;${escapeParam(name)}=${escapeParam(value)}`;
      if (uri.headers.length > 0) {
        s += `?${uri.headers.map(([n, v]) => `${escapeHeader(n)}=${escapeHeader(v)}`).join('&')}`;
      }
      return s;
    }
    case 'tel': {
      let s = `tel:${uri.number}`;
      for (const [name, value] of uri.params)
        s += value === null ? `;${name}` : `;${name}=${escapeParam(value)}`;
      return s;
    }
    case 'absolute':
      return `${uri.scheme}:${uri.value}`;
  }
}

// ─────────────────────────── comparison (RFC 3261 §19.1.4) ───────────────────────────

/**
 * Parameters that make two SIP URIs differ when only one of them has it. RFC 3261 §19.1.4 names
 * user, ttl and method ("appearing in only one URI never matches") and maddr; transport is added
 * because the section's own example says "sip:bob@biloxi.com" and "sip:bob@biloxi.com;transport=udp"
 * are not equivalent ("can resolve to different transports").
 */
const ONE_SIDED_PARAMS_DIFFER = new Set(['user', 'ttl', 'method', 'maddr', 'transport']);

/** URI equivalence: RFC 3261 §19.1.4 for SIP/SIPS, RFC 3966 §4 for TEL, exact text otherwise. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') return sipUriEquals(a, b);
  if (a.kind === 'tel' && b.kind === 'tel') return telUriEquals(a, b);
  if (a.kind === 'absolute' && b.kind === 'absolute') return a.scheme === b.scheme && a.value === b.value;
  return false;
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  // "A SIP and SIPS URI are never equivalent."
  if (a.scheme !== b.scheme) return false;
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive." (after unescaping)
  if (a.user !== b.user || a.password !== b.password) return false;
  // "Comparison of all other components of the URI is case-insensitive"
  if (hostKey(a.host) !== hostKey(b.host)) return false;
  // "A URI omitting any component with a default value will not match a URI explicitly containing
  // that component with its default value."
  if (a.port !== b.port) return false;
  for (const [name, value] of a.params) {
    if (b.params.has(name)) {
      const other = b.params.get(name) ?? null;
      if ((value === null) !== (other === null)) return false;
      if (value !== null && other !== null && value.toLowerCase() !== other.toLowerCase()) return false;
    } else if (ONE_SIDED_PARAMS_DIFFER.has(name)) return false;
  }
  for (const name of b.params.keys())
    if (!a.params.has(name) && ONE_SIDED_PARAMS_DIFFER.has(name)) return false;
  // "URI header components are never ignored. Any present header component MUST be present in both
  // URIs and match for the URIs to match." Order does not matter (the section's own example).
  if (a.headers.length !== b.headers.length) return false;
  const key = ([n, v]: readonly [string, string]): string => `${n.toLowerCase()}\u0000${v}`;
  const left = a.headers.map(key).sort();
  const right = b.headers.map(key).sort();
  return left.every((k, i) => k === right[i]);
}

/**
 * RFC 3966 §4: both global or both local; digits equal after removing visual separators; every
 * parameter present in both (order irrelevant); case-insensitive.
 */
function telUriEquals(a: TelUri, b: TelUri): boolean {
  if (a.global !== b.global) return false;
  const digits = (n: string): string => n.replace(/[-.()]/g, '').toLowerCase();
  if (digits(a.number) !== digits(b.number)) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) return false;
    const other = b.params.get(name) ?? null;
    if ((value === null) !== (other === null)) return false;
    if (value !== null && other !== null) {
      const same =
        name === 'phone-context' && !value.startsWith('+') && isHostname(value)
          ? value.toLowerCase() === other.toLowerCase()
          : digits(value) === digits(other);
      if (!same) return false;
    }
  }
  return true;
}

/** True for a SIP or SIPS URI. */
export function isSipUri(uri: Uri): uri is SipUri {
  return uri.kind === 'sip';
}
