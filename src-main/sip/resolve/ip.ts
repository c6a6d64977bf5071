/**
 * Numeric host recognition (RFC 3261 §25.1 `IPv4address` / `IPv6reference`, RFC 4291 §2.2 text forms).
 * RFC 3263 §4 needs to know whether TARGET "is a numeric IP address"; node:net's isIP is off limits
 * outside platform/, and this is small.
 */
import type { IpFamily } from '../../platform/index.ts';

export interface IpLiteral {
  /** Without brackets, lower-case (IPv6). */
  readonly address: string;
  readonly family: IpFamily;
}

/** dec-octet (RFC 3986 §3.2.2): 0–255 without leading zeros. */
const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${DEC_OCTET}(?:\\.${DEC_OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** RFC 4291 §2.2: eight hex groups, one "::" for a run of zero groups, an IPv4 tail, optional %zone. */
export function isIpv6(text: string): boolean {
  const percent = text.indexOf('%');
  const body = percent === -1 ? text : text.slice(0, percent);
  if (percent !== -1 && percent === text.length - 1) return false;

  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return false;

  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i] ?? '';
    // The final group of the address — not when "::" (zero groups) follows it.
    const last = i === all.length - 1 && (halves.length === 1 || tail.length > 0);
    if (last && group.includes('.')) {
      // The IPv4 form is only allowed as the final 32 bits.
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (HEX_GROUP.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Lower-cases the hex digits but not a zone id (interface names are case-sensitive). */
function normalizeIpv6(text: string): string {
  const percent = text.indexOf('%');
  return percent === -1 ? text.toLowerCase() : text.slice(0, percent).toLowerCase() + text.slice(percent);
}

/** The numeric address of a host (an IPv6 reference may be bracketed), or undefined for a name. */
export function parseIpLiteral(host: string): IpLiteral | undefined {
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return isIpv6(inner) ? { address: normalizeIpv6(inner), family: 6 } : undefined;
  }
  if (isIpv4(host)) return { address: host, family: 4 };
  if (isIpv6(host)) return { address: normalizeIpv6(host), family: 6 };
  return undefined;
}
