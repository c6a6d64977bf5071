/**
 * REGISTER as data (RFC 3261 §10.2): our Contact for a flow, and what a 2xx says about our binding.
 */
import { formatAddress } from '../../platform/index.ts';
import type { SocketAddress } from '../../platform/index.ts';
import { Header, NO_PARAMS, formatUri, sipUri, uriEquals } from '../syntax/index.ts';
import type { ContactAddress, ContactValue, SipResponse, SipUri, Via } from '../syntax/index.ts';
import type { SipTransport } from '../transport/index.ts';
import type { HostPort } from './types.ts';

export interface ContactSpec {
  /** The AOR's user part (Contact user = AOR user, the common convention). */
  readonly user: string | undefined;
  /** Where we can be reached: the flow's local address, or the public address a NAT gave us. */
  readonly address: SocketAddress;
  readonly transport: SipTransport;
  /** sips: (a SIPS AOR over TLS). */
  readonly secure: boolean;
  readonly instanceId: string;
  /** RFC 5626 §4.2.1 reg-id, with outbound only. */
  readonly regId?: number;
  /** The c-p-expires parameter (used for the bindings we remove: expires=0). */
  readonly expires?: number;
}

/**
 * Our Contact (RFC 3261 §10.2.1: "a Contact header field [...] containing the URI(s) [...] at which the
 * UA would like to receive requests"), with the RFC 5626 §4.1/4.2 parameters: `+sip.instance` always,
 * `reg-id` only when asking for outbound ("a UA that does not support outbound [...] MUST NOT include
 * reg-id").
 */
export function contactFor(spec: ContactSpec): ContactAddress {
  const params: Record<string, string> = {};
  if (spec.transport !== 'udp' && !(spec.secure && spec.transport === 'tls'))
    params.transport = spec.transport;
  const uri = sipUri({
    scheme: spec.secure ? 'sips' : 'sip',
    ...(spec.user !== undefined && { user: spec.user }),
    host: spec.address.address,
    port: spec.address.port,
    params,
  });
  return {
    kind: 'address',
    uri,
    params: NO_PARAMS,
    instance: spec.instanceId,
    ...(spec.regId !== undefined && { regId: spec.regId }),
    ...(spec.expires !== undefined && { expires: spec.expires }),
  };
}

/** The Contact URI as text (for logs, snapshots and comparisons). */
export function contactText(contact: ContactAddress): string {
  return formatUri(contact.uri);
}

export interface OwnBinding {
  /** Index of our Contact among the 2xx's Contact values. */
  readonly index: number;
  readonly contact: ContactAddress;
}

/**
 * Our binding among those a 2xx lists (RFC 3261 §10.2.4: "The 200 (OK) response from the registrar
 * contains a list of Contact fields enumerating all current bindings"): the one with our URI (§19.1.4
 * comparison), else — for a registrar that rewrote the URI — the one with our instance id.
 */
export function findOwnBinding(response: SipResponse, sent: ContactAddress): OwnBinding | undefined {
  const contacts = response.headers.all(Header.Contact);
  if (!contacts.ok) return undefined;
  const list = contacts.value;
  const byUri = list.findIndex((c) => c.kind === 'address' && uriEquals(c.uri, sent.uri));
  const index =
    byUri >= 0
      ? byUri
      : list.findIndex(
          (c) => c.kind === 'address' && c.instance !== undefined && c.instance === sent.instance,
        );
  const contact = list[index];
  return contact !== undefined && contact.kind === 'address' ? { index, contact } : undefined;
}

/**
 * How long the registrar keeps our binding (RFC 3261 §10.2.4 / §10.3 step 8): the `expires` parameter of
 * our Contact in the 2xx, else the response's Expires header, else — a registrar that says nothing — what
 * we asked for.
 */
export function grantedExpires(
  response: SipResponse,
  own: OwnBinding | undefined,
  requested: number,
): number {
  if (own?.contact.expires !== undefined) return own.contact.expires;
  const header = response.headers.first(Header.Expires);
  if (header.ok && header.value !== undefined) return header.value;
  return requested;
}

/** The Contact values of a response as host/port pairs (SIP ALG detection). */
export function contactHostPorts(response: SipResponse): HostPort[] {
  const contacts = response.headers.all(Header.Contact);
  if (!contacts.ok) return [];
  return contacts.value.flatMap((c: ContactValue) =>
    c.kind === 'address' && c.uri.kind === 'sip' ? [{ host: unbracket(c.uri.host), port: c.uri.port }] : [],
  );
}

/**
 * Our address as the registrar saw it: the top Via's `received` and `rport` (RFC 3581 §4: "the server
 * MUST insert an "rport" parameter [...] with the source port of the request"; RFC 3261 §18.2.1 adds
 * `received` only when the source address differs from sent-by). `rport` alone means the address matched.
 */
export function reportedAddress(via: Via): SocketAddress | undefined {
  if (typeof via.rport !== 'number' && via.received === undefined) return undefined;
  const address = unbracket(via.received ?? via.host);
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? 5060);
  return { address, port, family: address.includes(':') ? 6 : 4 };
}

export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function sameHostPort(a: SocketAddress, b: SocketAddress): boolean {
  return a.address.toLowerCase() === b.address.toLowerCase() && a.port === b.port;
}

/** `ip:port` with IPv6 in brackets. */
export function addressText(address: SocketAddress): string {
  return formatAddress(address);
}

/** The next-hop URI with the account's transport when the URI names none (RFC 3263 §4.1 honours it). */
export function withTransport(uri: SipUri, transport: SipTransport | undefined): SipUri {
  if (transport === undefined || uri.params.has('transport')) return uri;
  if (transport === 'udp' && uri.scheme === 'sips') return uri;
  const params = new Map(uri.params);
  params.set('transport', transport);
  return { ...uri, params };
}
