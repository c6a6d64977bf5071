/**
 * The media path for a peer without ICE: symmetric RTP (RFC 4961) with latching ("comedia").
 *
 * We send from the socket whose address we advertised, to the address in the peer's SDP (RTCP to
 * `a=rtcp` or port + 1, RFC 3605 / RFC 3550 §11, or to the RTP address with rtcp-mux, RFC 5761). A peer
 * behind a NAT advertises its private address, which we cannot reach; but it sends from the same socket
 * it receives on (RFC 4961 §3: "Symmetric RTP ... the same port for sending and receiving"), so the source
 * address of its first packet is its NAT's mapping — we latch there and answer to it.
 *
 *      ┌──────────┐  RTP with an expected payload type, from any source S   ┌───────────┐
 *      │ learning │ ───────────────────────────────────────────────────────▶│ latched S │──┐
 *      └──────────┘       (destination := S, RTCP re-learnt beside it)      └───────────┘  │ relatch
 *           ▲                                                                     │  ▲     │ (below)
 *           └────────────────── updateRemote (re-INVITE) ─────────────────────────┘  └─────┘
 *
 *  - learning: RTP goes to the SDP address — or, after a re-INVITE that kept it, still to the source we
 *    had latched, so a held peer keeps hearing us — and the next RTP whose payload type is one the peer
 *    may send (its codecs, telephone-event) latches, whatever its source.
 *  - latched: RTP is accepted only from S. Packets from any other transport address are dropped and
 *    counted (`foreignSource`): an attacker who learns our port cannot inject audio or take the stream
 *    over. With `lockSsrc`, packets from S with another SSRC are dropped too (off by default: a PBX
 *    that bridges the call elsewhere changes SSRC without a re-INVITE — Asterisk does unless configured
 *    with constant_ssrc — and the RTP session treats that as a new source, RFC 3550 §8.2).
 *  - RTP from the exact SDP address always wins and latches back there: that is where signalling told us
 *    to send anyway, so it gives an injector nothing.
 *  - relatch: when the latched source has sent nothing (RTP or RTCP) for `relatch.silenceMs`, and another
 *    source has sent `relatch.packets` RTP packets in a row (one SSRC, consecutive sequence numbers,
 *    expected payload types), we move there. This survives a NAT rebinding mid-call (the peer's mapping
 *    expired during a long hold, a mobile handover).
 *
 * Security trade-off of latching (document for whoever changes the defaults):
 *  - At call start and after every re-INVITE, whoever sends the first acceptable RTP gets our media.
 *    An attacker must know our IP and port (from the SDP, which travels over SIP) and win the race
 *    against the real peer's first packet, typically within tens of milliseconds. SRTP or ICE (checks
 *    authenticated with the SDP credentials) close this; plain comedia cannot.
 *  - The silence relatch widens the window to every silence of ≥ `silenceMs` in which the attacker can
 *    send a consistent stream. Defaults are conservative: 5 s of total silence (RTCP counts as life, and
 *    a peer sends RTCP at least every ~6 s even on hold, RFC 3550 §6.2) and 10 packets (200 ms) in
 *    sequence. `relatch: false` turns it off: then only a re-INVITE moves the stream.
 *
 * Early media held by the sockets (MediaSocket.holdUnclaimedMedia: packets that arrived after our offer,
 * before this path existed) is delivered by `deliverHeld()` under a stricter rule: held RTP passes only
 * from the SDP address (where it latches, as live RTP from there would) or from the latched source;
 * held RTP from anywhere else is dropped (`heldForeignSource`) and never latches. A held packet from a
 * source that live latching would accept (a peer behind a NAT) is lost, as it would be without the hold:
 * letting it latch would hand the stream to whoever sprayed our port while the call was ringing, before
 * the peer's first live packet could compete. Held RTCP follows the RTCP rules below.
 *
 * RTCP without mux latches separately: the first valid RTCP from the SDP RTCP address or from the IP of
 * the latched RTP source fixes the RTCP destination; until then RTCP goes to the SDP RTCP address.
 *
 * With a `protection` (SRTP), every packet is unprotected before it may latch, relatch or be delivered:
 * one that fails authentication (or is a replay) is dropped and counted (`unauthenticated`) and changes
 * nothing. So only the holder of the peer's key can take the stream — the race and the relatch window
 * described above are closed to an injector who merely knows our port. (An on-path attacker could still
 * re-send the peer's own packets from elsewhere before they arrive; the replay list lets each through
 * once, and the relatch rule brings the stream back to the peer.) Sending protects each packet last.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { sameAddress } from '../../platform/index.ts';
import type { Clock, SocketAddress } from '../../platform/index.ts';
import type {
  MediaPacketKind,
  MediaPath,
  MediaProtection,
  MediaRoute,
  ReceivedMediaPacket,
} from './media-path.ts';
import type { MediaSocket } from './media-socket.ts';

export type LatchState = 'learning' | 'latched';

/** What the peer's SDP says. */
export interface LatchingRemote {
  readonly rtp: SocketAddress;
  /** Ignored with rtcpMux (RTCP then goes to `rtp`). */
  readonly rtcp: SocketAddress;
  readonly rtcpMux: boolean;
  /** Payload types the peer may send (its codecs, telephone-event): only RTP with one of these latches. */
  readonly payloadTypes: readonly number[];
}

export interface RelatchPolicy {
  /** The latched source must have been silent (no RTP, no RTCP) this long. */
  readonly silenceMs: number;
  /** Consecutive in-sequence RTP packets a new source must send first. */
  readonly packets: number;
}

export const DEFAULT_RELATCH_POLICY: RelatchPolicy = { silenceMs: 5000, packets: 10 };

/**
 * What the path sends on and receives from: a `MediaSocket`, or anything shaped like one — the TURN
 * relay of ice/relayed-media-path.ts, whose `from` addresses are the peers as the relay sees them.
 */
export type LatchingPort = Pick<MediaSocket, 'local' | 'send' | 'onRtp' | 'onRtcp' | 'takeHeldMedia'>;

export interface LatchingMediaPathOptions {
  clock: Clock;
  /** Carries RTP (and RTCP with mux). */
  rtpSocket: LatchingPort;
  /** The odd-port RTCP socket; required when `remote.rtcpMux` is false. */
  rtcpSocket?: LatchingPort;
  remote: LatchingRemote;
  /** Default DEFAULT_RELATCH_POLICY; false: only updateRemote moves the stream. */
  relatch?: RelatchPolicy | false;
  /** Drop RTP from the latched address that carries another SSRC than the one latched (default false). */
  lockSsrc?: boolean;
  /** SRTP: applied to every packet sent and received; only packets it accepts latch (see the header). */
  protection?: MediaProtection;
}

export interface LatchingMediaPathStats {
  readonly state: LatchState;
  /** How many times the path latched onto a source (the first latch, relatches, re-INVITEs). */
  readonly latches: number;
  readonly accepted: { readonly rtp: number; readonly rtcp: number };
  readonly dropped: {
    /** RTP/RTCP from a transport address other than the latched one. */
    readonly foreignSource: number;
    /** RTP that would have latched but carries a payload type the peer did not offer. */
    readonly unexpectedPayloadType: number;
    /** With lockSsrc: RTP from the latched address with another SSRC. */
    readonly unexpectedSsrc: number;
    /** RTP arriving on the RTCP socket. */
    readonly misdirected: number;
    /** Held early RTP from neither the SDP address nor the latched source (see the header). */
    readonly heldForeignSource: number;
    /** RTP/RTCP the protection refused (SRTP: failed authentication, replayed, malformed). */
    readonly unauthenticated: number;
  };
  /** Monotonic time of the last accepted packet. */
  readonly lastPacketAt: number | undefined;
}

interface RelatchCandidate {
  from: SocketAddress;
  ssrc: number;
  lastSeq: number;
  count: number;
}

export class LatchingMediaPath implements MediaPath {
  private readonly clock: Clock;
  private readonly rtpSocket: LatchingPort;
  private readonly rtcpSocket: LatchingPort | undefined;
  private readonly relatch: RelatchPolicy | false;
  private readonly lockSsrc: boolean;
  private readonly protection: MediaProtection | undefined;
  private remote: LatchingRemote;
  private payloadTypes: ReadonlySet<number>;

  private state: LatchState = 'learning';
  /** Where RTP goes. */
  private destination: SocketAddress;
  /** Where RTCP goes (equal to destination with mux). */
  private rtcpDestination: SocketAddress;
  /** The latched RTP source and its SSRC. */
  private source: SocketAddress | undefined;
  private sourceSsrc: number | undefined;
  /** The latched RTCP source (non-mux). */
  private rtcpSource: SocketAddress | undefined;
  private candidate: RelatchCandidate | undefined;
  private lastAcceptedAt: number | undefined;
  private disposed = false;

  private readonly packets = new Emitter<ReceivedMediaPacket>();
  private readonly routeChanges = new Emitter<MediaRoute>();
  private readonly subscriptions: Disposable[];
  private latchCount = 0;
  private readonly accepted = { rtp: 0, rtcp: 0 };
  private readonly dropped = {
    foreignSource: 0,
    unexpectedPayloadType: 0,
    unexpectedSsrc: 0,
    misdirected: 0,
    heldForeignSource: 0,
    unauthenticated: 0,
  };

  constructor(options: LatchingMediaPathOptions) {
    if (!options.remote.rtcpMux && options.rtcpSocket === undefined) {
      throw new Error('LatchingMediaPath: RTCP without rtcp-mux needs the RTCP socket');
    }
    this.clock = options.clock;
    this.rtpSocket = options.rtpSocket;
    this.rtcpSocket = options.rtcpSocket;
    this.relatch = options.relatch ?? DEFAULT_RELATCH_POLICY;
    this.lockSsrc = options.lockSsrc ?? false;
    this.protection = options.protection;
    this.remote = options.remote;
    this.payloadTypes = new Set(options.remote.payloadTypes);
    this.destination = options.remote.rtp;
    this.rtcpDestination = options.remote.rtcpMux ? options.remote.rtp : options.remote.rtcp;
    this.subscriptions = [
      this.rtpSocket.onRtp((data, from) => this.receiveRtp(data, from)),
      this.rtpSocket.onRtcp((data, from) => this.receiveRtcp(data, from)),
    ];
    if (this.rtcpSocket !== undefined) {
      this.subscriptions.push(
        this.rtcpSocket.onRtcp((data, from) => this.receiveRtcp(data, from)),
        this.rtcpSocket.onRtp(() => void this.dropped.misdirected++),
      );
    }
  }

  get route(): MediaRoute {
    return {
      local: this.rtpSocket.local,
      remote: this.destination,
      remoteRtcp: this.rtcpDestination,
      kind: 'latched',
      relayed: false,
    };
  }

  get latchState(): LatchState {
    return this.state;
  }

  get stats(): LatchingMediaPathStats {
    return {
      state: this.state,
      latches: this.latchCount,
      accepted: { ...this.accepted },
      dropped: { ...this.dropped },
      lastPacketAt: this.lastAcceptedAt,
    };
  }

  /** Listeners attached to this path (for leak checks). */
  get listenerCount(): number {
    return this.packets.listenerCount + this.routeChanges.listenerCount;
  }

  send(kind: MediaPacketKind, data: Uint8Array): void {
    if (this.disposed) throw new Error('LatchingMediaPath: send after dispose');
    const wire = this.protection?.protect(kind, data) ?? data;
    if (kind === 'rtp' || this.remote.rtcpMux) {
      this.rtpSocket.send(wire, kind === 'rtp' ? this.destination : this.rtcpDestination);
    } else {
      (this.rtcpSocket ?? this.rtpSocket).send(wire, this.rtcpDestination);
    }
  }

  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable {
    return this.packets.on(listener);
  }

  onRouteChange(listener: (route: MediaRoute) => void): Disposable {
    return this.routeChanges.on(listener);
  }

  /**
   * A re-INVITE's new SDP. A changed RTP address resets the path to it; the same address keeps the
   * current destination (a held peer behind NAT keeps hearing us) but learns again, so a peer whose NAT
   * mapping changed while it was silent is picked up by its first packet.
   */
  updateRemote(remote: LatchingRemote): void {
    if (!remote.rtcpMux && this.rtcpSocket === undefined) {
      throw new Error('LatchingMediaPath: RTCP without rtcp-mux needs the RTCP socket');
    }
    const moved = !sameAddress(remote.rtp, this.remote.rtp);
    const muxChanged = remote.rtcpMux !== this.remote.rtcpMux || !sameAddress(remote.rtcp, this.remote.rtcp);
    this.remote = remote;
    this.payloadTypes = new Set(remote.payloadTypes);
    this.candidate = undefined;
    this.state = 'learning';
    if (moved) {
      this.source = undefined;
      this.sourceSsrc = undefined;
      this.rtcpSource = undefined;
      this.setDestinations(remote.rtp, remote.rtcpMux ? remote.rtp : remote.rtcp);
    } else if (muxChanged) {
      this.rtcpSource = undefined;
      this.setDestinations(this.destination, remote.rtcpMux ? this.destination : remote.rtcp);
    }
  }

  /** The early media the sockets held (in arrival order per socket), by the stricter rule of the header. */
  deliverHeld(): void {
    if (this.disposed) throw new Error('LatchingMediaPath: deliverHeld after dispose');
    for (const held of this.rtpSocket.takeHeldMedia()) {
      if (held.kind === 'rtcp') this.receiveRtcp(held.data, held.from);
      else if (this.isFromPeer(held.from)) this.receiveRtp(held.data, held.from);
      else this.dropped.heldForeignSource++;
    }
    for (const held of this.rtcpSocket?.takeHeldMedia() ?? []) {
      if (held.kind === 'rtcp') this.receiveRtcp(held.data, held.from);
      else this.dropped.misdirected++;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const subscription of this.subscriptions) subscription.dispose();
    this.packets.clear();
    this.routeChanges.clear();
  }

  // ───────────────────────────── receive ─────────────────────────────

  private receiveRtp(data: Buffer, from: SocketAddress): void {
    const payloadType = data[1]! & 0x7f;
    const seq = data.readUInt16BE(2);
    const ssrc = data.readUInt32BE(8);
    const expected = this.payloadTypes.has(payloadType);
    const now = this.clock.monotonic();

    if (this.state === 'latched' && this.source !== undefined && sameAddress(from, this.source)) {
      if (this.lockSsrc && this.sourceSsrc !== undefined && ssrc !== this.sourceSsrc) {
        this.dropped.unexpectedSsrc++;
        return;
      }
      const plain = this.unprotect('rtp', data);
      if (plain === undefined) return;
      this.candidate = undefined;
      return this.accept('rtp', plain, from, now);
    }
    if (!expected) {
      // Only media the peer said it would send may latch (anything from the latched source passes above).
      if (this.state === 'learning' || this.source === undefined) this.dropped.unexpectedPayloadType++;
      else this.dropped.foreignSource++;
      return;
    }
    if (this.state === 'learning' || sameAddress(from, this.remote.rtp)) {
      // RFC 4961 / comedia: the first acceptable packet shows where the peer really is; the SDP address
      // itself always wins (see the header). With SRTP, only once it authenticates.
      const plain = this.unprotect('rtp', data);
      if (plain === undefined) return;
      this.latch(from, ssrc);
      return this.accept('rtp', plain, from, now);
    }
    if (this.relatch === false) {
      this.dropped.foreignSource++;
      return;
    }
    // A would-be new source: with SRTP its packets count towards the relatch only if they authenticate.
    const plain = this.protection === undefined ? data : this.unprotect('rtp', data);
    if (plain === undefined) return;
    if (this.relatchReady(from, ssrc, seq, now)) {
      this.latch(from, ssrc);
      return this.accept('rtp', plain, from, now);
    }
    this.dropped.foreignSource++;
  }

  private receiveRtcp(data: Buffer, from: SocketAddress): void {
    const now = this.clock.monotonic();
    if (this.remote.rtcpMux) {
      // RTCP shares the RTP 5-tuple: accept it from where RTP comes from (or goes to, before latching).
      const peer = this.source ?? this.destination;
      if (!sameAddress(from, peer)) {
        this.dropped.foreignSource++;
        return;
      }
      const plain = this.unprotect('rtcp', data);
      if (plain !== undefined) this.accept('rtcp', plain, from, now);
      return;
    }
    if (this.rtcpSource !== undefined && sameAddress(from, this.rtcpSource)) {
      const plain = this.unprotect('rtcp', data);
      if (plain !== undefined) this.accept('rtcp', plain, from, now);
      return;
    }
    const fromSdpAddress = sameAddress(from, this.remote.rtcp);
    const fromRtpPeer =
      this.source !== undefined && from.address === this.source.address && from.family === this.source.family;
    if (this.rtcpSource === undefined && (fromSdpAddress || fromRtpPeer)) {
      const plain = this.unprotect('rtcp', data);
      if (plain === undefined) return;
      this.rtcpSource = from;
      this.setDestinations(this.destination, from);
      return this.accept('rtcp', plain, from, now);
    }
    this.dropped.foreignSource++;
  }

  /** The SDP address, or the source we latched to: where the signalling (or the peer itself) put us. */
  private isFromPeer(from: SocketAddress): boolean {
    const latched = this.state === 'latched' && this.source !== undefined && sameAddress(from, this.source);
    return latched || sameAddress(from, this.remote.rtp);
  }

  /** The packet through the protection (as it is without one); a refusal is counted. */
  private unprotect(kind: MediaPacketKind, data: Buffer): Buffer | undefined {
    if (this.protection === undefined) return data;
    const plain = this.protection.unprotect(kind, data);
    if (plain === undefined) this.dropped.unauthenticated++;
    return plain;
  }

  private accept(kind: MediaPacketKind, data: Buffer, from: SocketAddress, now: number): void {
    this.accepted[kind]++;
    this.lastAcceptedAt = now;
    this.packets.emit({ kind, data, from });
  }

  private latch(source: SocketAddress, ssrc: number): void {
    const sameSource = this.source !== undefined && sameAddress(source, this.source);
    this.state = 'latched';
    this.source = source;
    this.sourceSsrc = ssrc;
    this.candidate = undefined;
    this.latchCount++;
    if (!sameSource && !this.remote.rtcpMux) this.rtcpSource = undefined;
    this.setDestinations(source, this.remote.rtcpMux ? source : (this.rtcpSource ?? this.rtcpDestination));
  }

  /** Tracks a would-be new source; true once the relatch policy lets it take over. */
  private relatchReady(from: SocketAddress, ssrc: number, seq: number, now: number): boolean {
    if (this.relatch === false) return false;
    const c = this.candidate;
    if (
      c !== undefined &&
      sameAddress(c.from, from) &&
      c.ssrc === ssrc &&
      seq === ((c.lastSeq + 1) & 0xffff)
    ) {
      c.lastSeq = seq;
      c.count++;
    } else {
      this.candidate = { from, ssrc, lastSeq: seq, count: 1 };
    }
    const silentFor = now - (this.lastAcceptedAt ?? -Infinity);
    return silentFor >= this.relatch.silenceMs && (this.candidate?.count ?? 0) >= this.relatch.packets;
  }

  private setDestinations(rtp: SocketAddress, rtcp: SocketAddress): void {
    const changed = !sameAddress(rtp, this.destination) || !sameAddress(rtcp, this.rtcpDestination);
    this.destination = rtp;
    this.rtcpDestination = rtcp;
    if (changed) this.routeChanges.emit(this.route);
  }
}
