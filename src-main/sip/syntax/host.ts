/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1), with IPv6 text forms checked
 * against RFC 4291 §2.2 rather than the RFC 3261 ABNF, which RFC 5118 §4.10 shows is wrong: it lets
 * "2001:db8:::192.0.2.1" (three colons) through.
 */
import { isAlpha, isDigit, isHexDigit, is, ALNUM } from './chars.ts';

export type HostKind = 'hostname' | 'ipv4' | 'ipv6';

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (isDigit(c)) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else return false;
  }
  return parts === 4;
}

/**
 * The 16 bytes of an IPv6 address in RFC 4291 §2.2 text form (no brackets), or undefined.
 * Accepts at most one "::", 1-4 hex digits per group and a trailing dotted IPv4 part.
 */
export function parseIPv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  let current = head;
  let i = 0;
  if (s.startsWith('::')) {
    current = tail;
    i = 2;
    if (i === s.length) return new Uint8Array(16);
  } else if (s.charCodeAt(0) === 58) return undefined;
  let compressed = current === tail;
  while (i < s.length) {
    // one group, or an embedded IPv4 address at the end
    let j = i;
    while (j < s.length && isHexDigit(s.charCodeAt(j))) j++;
    if (j < s.length && s.charCodeAt(j) === 46) {
      const v4 = s.slice(i, s.length);
      if (!isIPv4(v4)) return undefined;
      const octets = v4.split('.').map(Number);
      current.push(((octets[0]! << 8) | octets[1]!) >>> 0, ((octets[2]! << 8) | octets[3]!) >>> 0);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    current.push(parseInt(s.slice(i, j), 16));
    i = j;
    if (i === s.length) break;
    if (s.charCodeAt(i) !== 58) return undefined;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return undefined;
      compressed = true;
      current = tail;
      i++;
      if (i === s.length) break;
    } else if (i === s.length) return undefined; // trailing single colon
  }
  const groups = head.length + tail.length;
  if (compressed ? groups > 7 : groups !== 8) return undefined;
  const bytes = new Uint8Array(16);
  head.forEach((g, k) => {
    bytes[k * 2] = g >> 8;
    bytes[k * 2 + 1] = g & 0xff;
  });
  tail.forEach((g, k) => {
    const at = 8 - tail.length + k;
    bytes[at * 2] = g >> 8;
    bytes[at * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * hostname = *( domainlabel "." ) toplabel [ "." ]; domainlabel = alphanum / alphanum *( alphanum /
 * "-" ) alphanum; toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum.
 * Liberal in two points: "_" is accepted inside labels, as container and LAN host names use it, and
 * there is no length limit (the SIP grammar has none; DNS will refuse what it cannot resolve).
 */
export function isHostname(s: string): boolean {
  if (s.length === 0) return false;
  const end = s.charCodeAt(s.length - 1) === 46 ? s.length - 1 : s.length;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart) return false;
      const first = s.charCodeAt(labelStart);
      const last = s.charCodeAt(i - 1);
      if (!is(first, ALNUM) || !is(last, ALNUM)) return false;
      if (i === end && !isAlpha(first)) return false; // toplabel starts with ALPHA
      labelStart = i + 1;
    } else if (!(is(c, ALNUM) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** Classifies `host` as written in a URI or Via (IPv6 in brackets), or undefined when invalid. */
export function hostKind(host: string): HostKind | undefined {
  if (host.charCodeAt(0) === 91) {
    if (host.charCodeAt(host.length - 1) !== 93) return undefined;
    return parseIPv6(host.slice(1, -1)) ? 'ipv6' : undefined;
  }
  if (isDigit(host.charCodeAt(host.length - 1)) && isIPv4(host)) return 'ipv4';
  return isHostname(host) ? 'hostname' : undefined;
}

/**
 * A comparable form of a host: lower case, and IPv6 references reduced to their canonical bytes so
 * that [2001:DB8::1] and [2001:db8:0::1] compare equal.
 */
export function hostKey(host: string): string {
  if (host.charCodeAt(0) === 91) {
    const bytes = parseIPv6(host.slice(1, -1));
    if (bytes) return `[${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}]`;
  }
  return host.toLowerCase();
}
