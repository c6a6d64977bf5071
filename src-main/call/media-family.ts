/**
 * IPv4 or IPv6 for a call's media, and the address of ours our SDP names for it.
 *
 * The media sockets are bound before our first description is built, in one family. Which one:
 *  - outgoing: the family of the flow the INVITE will leave on (call.ts resolves the first hop, RFC 3263,
 *    before binding), since our offer's c= is that flow's local address (RFC 4566 §5.7: "IN IP6" with an
 *    IPv6 address);
 *  - incoming with an offer: the family of the offer's connection address (`offeredMediaFamily`) — that is
 *    where we must send, and a socket of the other family cannot (RFC 3264 §6 gives the answerer no way
 *    to move the peer to another family; ANAT, RFC 4091, is obsolete) — else the SIP flow's.
 *
 * When the media family is not the SIP flow's (an IPv6 offer over an IPv4 SIP flow), the flow's address
 * cannot go into c=: `mediaAddressFor` picks one of our interface addresses of the media family — a
 * loopback one for a loopback peer, else the first global one (neither loopback nor IPv6 link-local),
 * else any.
 */
import { parseIp } from '../platform/index.ts';
import type { IpFamily, Network } from '../platform/index.ts';
import type { SessionDescription } from '../sdp/index.ts';
import { parseIpLiteral } from '../sip/resolve/index.ts';

/** Where an offer's first active audio stream is sent (its c=); undefined for none or hold. */
export function offeredMediaAddress(offer: SessionDescription | undefined): string | undefined {
  if (offer === undefined) return undefined;
  const audio = offer.media.find((m) => m.type === 'audio' && m.port !== 0);
  if (audio === undefined) return undefined;
  const address = audio.connections[0]?.address ?? offer.connection?.address;
  // RFC 3264 §8.4 / RFC 2543 hold: an unspecified address says nothing about where the peer is.
  if (address === undefined || address === '0.0.0.0' || address === '::') return undefined;
  return address;
}

/** The family of `offeredMediaAddress`; undefined for none, hold, or a name instead of an address. */
export function offeredMediaFamily(offer: SessionDescription | undefined): IpFamily | undefined {
  const address = offeredMediaAddress(offer);
  return address === undefined ? undefined : parseIpLiteral(address)?.family;
}

/**
 * The address our SDP names for media sockets of `family`: `signalling` (the SIP flow's local address)
 * when it is of that family, else an interface address of ours chosen for the `peer` (see the header);
 * `signalling` when we have none of that family.
 */
export function mediaAddressFor(
  network: Pick<Network, 'interfaces'>,
  family: IpFamily,
  signalling: string,
  peer?: string,
): string {
  if (parseIpLiteral(signalling)?.family === family) return signalling;
  const ours = network.interfaces().filter((i) => i.family === family);
  const peerIsLoopback = peer !== undefined && isLoopback(peer);
  const loopback = ours.find((i) => i.internal || isLoopback(i.address));
  const global = ours.find((i) => !i.internal && !isLoopback(i.address) && !isLinkLocal(i.address));
  const chosen = (peerIsLoopback ? (loopback ?? global) : (global ?? loopback)) ?? ours[0];
  return chosen?.address ?? signalling;
}

function isLoopback(address: string): boolean {
  const canonical = parseIp(address)?.address;
  return canonical === '::1' || canonical?.startsWith('127.') === true;
}

function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
