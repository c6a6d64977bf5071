/**
 * The Via rules of the transport layer (RFC 3261 §18, RFC 3581), as pure functions:
 *
 *   stampVia            a request leaving on a flow gets sent-by = the flow's local address and `rport`
 *   receivedVia         a request arriving gets `received` / `rport=<port>` in its top Via (§18.2.1)
 *   responseDestination where a response over UDP goes (§18.2.2 + RFC 3581 §4)
 *   reflexiveAddress    our address as the next hop saw it, from a response's top Via
 */
import { parseIpLiteral } from '../resolve/index.ts';
import type { IpFamily, SocketAddress } from '../../platform/index.ts';
import { Header } from '../syntax/index.ts';
import type { SipRequest, Via } from '../syntax/index.ts';
import type { SipTransport } from './types.ts';

/** The host of a sent-by for an address: IPv6 in brackets (RFC 3261 §25.1 `IPv6reference`). */
export function sentByHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** "host:port" of a Via's sent-by, IPv6 unbracketed and lower case; for matching our own Vias. */
export function sentByKey(host: string, port: number | undefined): string {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return `${bare.toLowerCase()}:${port ?? ''}`;
}

/** RFC 3261 §18.1.1: the transport token of a Via ("UDP", "TCP", "TLS"). */
export function viaTransport(transport: SipTransport): string {
  return transport.toUpperCase();
}

/**
 * Rewrite the top Via for the flow the request leaves on: sent-protocol SIP/2.0/<transport>, sent-by =
 * the flow's local address and port, and `rport` without value on every request — RFC 3581 §3: "A client
 * implementing this specification MUST insert the "rport" parameter into the top Via header field value
 * of requests it sends". RFC 3261 §18.1.1: "If this causes a change in the transport protocol from the one
 * indicated in the top Via, the value in the top Via MUST be changed." The branch and other parameters
 * stay. Throws when the request has no top Via (the transaction layer always adds one: a bug otherwise).
 */
export function stampVia(request: SipRequest, transport: SipTransport, local: SocketAddress): Via {
  const top = request.headers.first(Header.Via);
  if (!top.ok || top.value === undefined) throw new Error('stampVia: the request has no valid top Via');
  const via: Via = {
    ...top.value,
    protocol: 'SIP',
    version: '2.0',
    transport: viaTransport(transport),
    host: sentByHost(local.address),
    port: local.port,
    rport: true,
    received: undefined,
  };
  request.headers.replaceFirstValue(Header.Via, via);
  return via;
}

/** The IP address of a sent-by or received value without brackets, if it is one. */
function literal(host: string): { address: string; family: IpFamily } | undefined {
  const ip = parseIpLiteral(host);
  return ip === undefined ? undefined : { address: ip.address, family: ip.family };
}

function sameIp(a: string, b: string): boolean {
  const x = literal(a);
  const y = literal(b);
  return x !== undefined && y !== undefined && x.address === y.address;
}

/**
 * The top Via of a request that arrived from `source`, with `received` and `rport` filled in.
 *
 * RFC 3261 §18.2.1: "If the host portion of the "sent-by" parameter contains a domain name, or if it
 * contains an IP address that differs from the packet source address, the server MUST add a "received"
 * parameter to that Via header field value."
 * RFC 3581 §4: "If this Via header field value contains an "rport" parameter with no value, it MUST set
 * the value of the parameter to the source port of the request. [...] the server MUST insert a
 * "received" parameter containing the source IP address that the request came from, even if it is
 * identical to the value of the "sent-by" component."
 * Returns undefined when nothing needs to change.
 */
export function receivedVia(via: Via, source: SocketAddress): Via | undefined {
  const wantsRport = via.rport !== undefined;
  const differs = !sameIp(via.host, source.address);
  if (!wantsRport && !differs) return undefined;
  return {
    ...via,
    received: source.address,
    ...(wantsRport && { rport: source.port }),
  };
}

/** The port of a sent-by, or the transport's default (RFC 3261 §18.2.2: "or port 5060 if none is present"). */
export function sentByPort(via: Via): number {
  return via.port ?? (via.transport === 'TLS' ? 5061 : 5060);
}

export type ResponseDestination =
  | {
      readonly ok: true;
      readonly to: SocketAddress;
      readonly rule: 'rport' | 'maddr' | 'received' | 'sent-by';
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Where a response to a request that arrived over UDP goes (RFC 3261 §18.2.2, RFC 3581 §4), reading the
 * top Via as stored after receivedVia():
 *
 *  1. rport with a value and received → that address and port. RFC 3581 §4: "the response MUST be sent to
 *     the IP address listed in the "received" parameter, and the port in the "rport" parameter. The
 *     response MUST be sent from the same address and port that the corresponding request was received
 *     on."
 *  2. maddr → "the response MUST be forwarded to the address listed there, using the port indicated in
 *     "sent-by", or port 5060 if none is present".
 *  3. received → "the response MUST be sent to the address in the "received" parameter, using the port
 *     indicated in the "sent-by" value, or using port 5060 if none is specified explicitly".
 *  4. otherwise the sent-by. RFC 3263 §5 would resolve a domain name here, but a domain sent-by always
 *     gets `received` on arrival (§18.2.1), so only an IP literal can reach this rule.
 */
export function responseDestination(via: Via): ResponseDestination {
  const port = sentByPort(via);
  if (typeof via.rport === 'number' && via.received !== undefined) {
    const ip = literal(via.received);
    if (ip !== undefined) return { ok: true, to: { ...ip, port: via.rport }, rule: 'rport' };
  }
  if (via.maddr !== undefined) {
    const ip = literal(via.maddr);
    if (ip === undefined) return { ok: false, reason: `maddr ${via.maddr} is not an IP address` };
    return { ok: true, to: { ...ip, port }, rule: 'maddr' };
  }
  if (via.received !== undefined) {
    const ip = literal(via.received);
    if (ip !== undefined) return { ok: true, to: { ...ip, port }, rule: 'received' };
  }
  const ip = literal(via.host);
  if (ip === undefined)
    return { ok: false, reason: `sent-by ${via.host} is not an IP address and there is no received` };
  return { ok: true, to: { ...ip, port }, rule: 'sent-by' };
}

/**
 * The address the next hop saw our request come from: `received` and a numeric `rport` of the top Via of
 * a response (RFC 3581 §4). Without rport the port is unknown, so no address is reported.
 */
export function reflexiveAddress(via: Via): SocketAddress | undefined {
  if (via.received === undefined || typeof via.rport !== 'number') return undefined;
  const ip = literal(via.received);
  return ip === undefined ? undefined : { ...ip, port: via.rport };
}
