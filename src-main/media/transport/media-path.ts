/**
 * `MediaPath`: how the RTP session of a call sends its packets and from where it accepts them. The
 * session never sees sockets or addresses; it hands packets to the path and gets back the ones the path
 * let through.
 *
 * Two implementations sit on the same `MediaSocket`s:
 *  - `LatchingMediaPath` (this folder) for peers without ICE: symmetric RTP to the SDP address, latching
 *    to the source the peer's media really comes from (its NAT's mapping);
 *  - the ICE agent's path (later, on top of these sockets): sends on the nominated pair — possibly through
 *    a TURN relay — and accepts only from it; STUN checks reach the agent through `MediaSocket.onStun`.
 *
 * Contract:
 *  - `send` never throws for network trouble (that arrives on the sockets' onError); sending after
 *    `dispose()` is a bug and throws.
 *  - `onPacket` delivers only packets the path accepts, each with the transport address it came from.
 *  - `dispose()` detaches the path from its sockets (it does not close them: their owner does) and drops
 *    its listeners. Idempotent.
 *  - `deliverHeld()` takes the early media its sockets held before the path existed
 *    (`MediaSocket.holdUnclaimedMedia`) and delivers, through `onPacket`, what it accepts of it. The rules
 *    are stricter than for live packets: a held packet may not establish or move the route — it passes
 *    only when it comes from where the path already sends (latching: the peer's SDP address or the
 *    latched source; ICE: the remote of a pair the agent accepts media on). Otherwise an attacker who
 *    sprayed our port while the call was ringing would win the latching race before the peer's first
 *    live packet could. The receiver calls it once it listens.
 */
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { SocketAddress } from '../../platform/index.ts';

export type MediaPacketKind = 'rtp' | 'rtcp';

export interface ReceivedMediaPacket {
  readonly kind: MediaPacketKind;
  readonly data: Buffer;
  readonly from: SocketAddress;
}

/** Where media goes, for statistics and the UI. */
export interface MediaRoute {
  /** Our socket (the RTP one). */
  readonly local: SocketAddress;
  /** Where RTP goes now. */
  readonly remote: SocketAddress;
  /** Where RTCP goes now (equal to `remote` with rtcp-mux). */
  readonly remoteRtcp: SocketAddress;
  /** `latched`: no ICE (symmetric RTP, RFC 4961); `ice`: a nominated ICE pair (RFC 8445). */
  readonly kind: 'latched' | 'ice';
  /** Media goes through a TURN relay. */
  readonly relayed: boolean;
}

export interface MediaPath extends Disposable {
  readonly route: MediaRoute;
  send(kind: MediaPacketKind, data: Uint8Array): void;
  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable;
  /** The route changed (latched to a new source, ICE switched pairs). */
  onRouteChange(listener: (route: MediaRoute) => void): Disposable;
  /** Delivers what it accepts of the media its sockets held (see the header). */
  deliverHeld(): void;
}

/**
 * What protects media on the wire (SRTP: media/rtp's `SrtpProtection` implements it). A path applies it
 * last before sending and first after receiving, so the RTP session above sees only plain RTP/RTCP.
 * A path must treat a packet `unprotect` refuses as never received — in particular it must not latch on
 * it (an attacker without the key cannot steal the stream with garbage).
 */
export interface MediaProtection {
  protect(kind: MediaPacketKind, data: Uint8Array): Uint8Array;
  /** The plain packet, or undefined when it must be dropped (failed authentication, replayed, malformed). */
  unprotect(kind: MediaPacketKind, data: Buffer): Buffer | undefined;
}
