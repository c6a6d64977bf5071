/**
 * Numeric IP address helpers: the in-memory network's, and `parseIp` for everyone who compares addresses
 * that came as text (SDP, ICE candidates) with those the sockets report, which are canonical (RFC 5952).
 */
import { isIP } from 'node:net';
import type { IpFamily, SocketAddress } from './ports.ts';

export interface ParsedIp {
  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  address: string;
  family: IpFamily;
}

/** Parse a numeric IP address into its canonical text, or undefined if it is not one. */
export function parseIp(text: string): ParsedIp | undefined {
  const family = isIP(text);
  if (family === 4) return { address: text, family: 4 };
  if (family !== 6 || text.includes('%')) return undefined;
  // The WHATWG URL parser serializes IPv6 hosts in RFC 5952 form ("::1", lower case, longest zero run).
  return { address: new URL(`http://[${text}]/`).hostname.slice(1, -1), family: 6 };
}

export const LOOPBACK: Record<IpFamily, string> = { 4: '127.0.0.1', 6: '::1' };
export const WILDCARD: Record<IpFamily, string> = { 4: '0.0.0.0', 6: '::' };

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function parseOrThrow(text: string): ParsedIp {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new TypeError(`"${text}" is not a numeric IP address`);
  return parsed;
}

export function canonicalOrThrow(text: string): string {
  return parseOrThrow(text).address;
}

/** Validate a destination and put its address in canonical form. */
export function checkedEndpoint(to: SocketAddress, what: string): SocketAddress {
  const parsed = parseIp(to.address);
  if (parsed === undefined) throw new TypeError(`${what}: "${to.address}" is not a numeric IP address`);
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65_535)
    throw new RangeError(`${what}: invalid port ${to.port}`);
  return { address: parsed.address, port: to.port, family: parsed.family };
}
