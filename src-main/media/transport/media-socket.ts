/**
 * One UDP socket of a call's media (the RTP port, or the separate RTCP port without rtcp-mux), with the
 * RFC 7983 demultiplexer in front of its listeners.
 *
 *                                ┌─ onStun ────────▶ ICE agent / STUN client (answers from this socket)
 *     datagram ─▶ classify ──────┼─ onChannelData ─▶ TURN client (relayed data on this socket)
 *   (media/stun classifyPacket)  ├─ onRtp ─────────▶ the MediaPath (latching or ICE) ─▶ RTP session
 *                                ├─ onRtcp ────────▶ the MediaPath ─▶ RTP session
 *                                └─ anything else: dropped and counted (DTLS, ZRTP: not spoken here)
 *
 * The socket is shared: the STUN hook is what the ICE agent attaches to, and it answers connectivity
 * checks with `send()` on this very socket, so the address it advertised is the one media flows on
 * (ARCHITECTURE.md, "The media transport decision"). A class with no listener is counted as
 * `unhandled` and dropped — except RTP and RTCP while the socket holds unclaimed media (below).
 * Listeners run synchronously, in subscription order.
 *
 * Early media hold: the callee starts sending RTP the moment it answers, and its first packets take the
 * direct path while the 2xx (or the 183 with SDP) goes through the proxies — so they can arrive before
 * our media session exists, when nobody listens on the socket. Dropping them would cost the first
 * packet intervals of audio and of call set-up time. From `holdUnclaimedMedia` until `takeHeldMedia`, RTP and
 * RTCP that no listener takes are kept instead: the newest `maxPackets`, none older than `maxAgeMs`
 * when taken. Held packets are not trusted: whoever takes them (the media path, once the answer is
 * applied) runs them through its source checks, which are stricter for them than for live packets
 * (MediaPath.deliverHeld).
 *
 * The MediaSocket owns its DatagramSocket: `close()` closes it and drops every listener.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { Clock, DatagramSocket, SocketAddress } from '../../platform/index.ts';
import { PACKET_KINDS, classifyPacket } from '../stun/index.ts';
import type { PacketKind } from '../stun/index.ts';

/** Which stream the socket was allocated for (RFC 3550 §11: RTP on an even port, RTCP on the next odd one). */
export type MediaSocketComponent = 'rtp' | 'rtcp';

/** Received datagrams of one class. */
export type DatagramListener = (data: Buffer, from: SocketAddress) => void;

export interface MediaSocketStats {
  /** Datagrams received, by kind (media/stun's classifyPacket; dropped ones included). */
  readonly received: Readonly<Record<PacketKind, number>>;
  /** Datagrams of a known class that no listener wanted (e.g. STUN before the ICE agent attached). */
  readonly unhandled: number;
  /** RTP/RTCP kept by the early media hold. */
  readonly held: number;
  /** Held datagrams dropped: pushed out by newer ones, or too old when taken. */
  readonly heldDropped: number;
  /** Datagrams that are none of the protocols we speak (or too short for their header). */
  readonly unknown: number;
  readonly sent: number;
  readonly sentBytes: number;
}

type Routed = Exclude<PacketKind, 'other' | 'dtls' | 'zrtp'>;

/** How much unclaimed media the socket holds (see the header). */
export interface MediaHoldOptions {
  readonly clock: Clock;
  /** Keep the newest this many; default DEFAULT_MEDIA_HOLD.maxPackets. */
  readonly maxPackets?: number;
  /** Give out none older than this (ms); default DEFAULT_MEDIA_HOLD.maxAgeMs. */
  readonly maxAgeMs?: number;
}

/** Five packets, 100 ms: a 20 ms stream's first packets, not enough to matter if they were stale. */
export const DEFAULT_MEDIA_HOLD = { maxPackets: 5, maxAgeMs: 100 } as const;

/** An RTP or RTCP datagram that arrived while nobody listened for it. */
export interface HeldMediaDatagram {
  readonly kind: 'rtp' | 'rtcp';
  readonly data: Buffer;
  readonly from: SocketAddress;
  /** Monotonic time of arrival. */
  readonly receivedAt: number;
}

interface MediaHold {
  readonly clock: Clock;
  readonly maxPackets: number;
  readonly maxAgeMs: number;
  readonly datagrams: HeldMediaDatagram[];
}

export class MediaSocket {
  readonly component: MediaSocketComponent;
  private readonly socket: DatagramSocket;
  private readonly emitters: Record<Routed, Emitter<{ data: Buffer; from: SocketAddress }>> = {
    stun: new Emitter(),
    'turn-channel': new Emitter(),
    rtp: new Emitter(),
    rtcp: new Emitter(),
  };
  private readonly subscription: Disposable;
  private readonly received = Object.fromEntries(PACKET_KINDS.map((c) => [c, 0])) as Record<
    PacketKind,
    number
  >;
  private unhandledCount = 0;
  private hold: MediaHold | undefined;
  private heldCount = 0;
  private heldDroppedCount = 0;
  private sentCount = 0;
  private sentBytes = 0;

  /** Wraps (and takes ownership of) a bound datagram socket. */
  constructor(socket: DatagramSocket, component: MediaSocketComponent) {
    this.socket = socket;
    this.component = component;
    this.subscription = socket.onMessage((data, from) => this.dispatch(data, from));
  }

  /** The bound local address (the wildcard address for a wildcard bind). */
  get local(): SocketAddress {
    return this.socket.local;
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  /**
   * Sends one datagram from this socket (RTP, RTCP, a STUN request or response…). Network failures
   * arrive on `onError`; sending on a closed socket is a bug and throws (DatagramSocket contract).
   */
  send(data: Uint8Array, to: SocketAddress): void {
    this.socket.send(data, to);
    this.sentCount++;
    this.sentBytes += data.length;
  }

  /**
   * STUN messages (first octet 0–3): binding requests and responses for ICE, TURN responses and Data
   * indications. The ICE agent answers checks with `send()` on this socket.
   */
  onStun(listener: DatagramListener): Disposable {
    return this.on('stun', listener);
  }

  /** TURN ChannelData (first octet 64–79), for a TURN client whose allocation was made from this socket. */
  onChannelData(listener: DatagramListener): Disposable {
    return this.on('turn-channel', listener);
  }

  /** RTP packets (version 2, second octet outside 192–223). */
  onRtp(listener: DatagramListener): Disposable {
    return this.on('rtp', listener);
  }

  /** RTCP compound packets (version 2, second octet 192–223). */
  onRtcp(listener: DatagramListener): Disposable {
    return this.on('rtcp', listener);
  }

  /**
   * From now on, keep the RTP and RTCP that no listener takes, bounded by `options` (see the header),
   * until `takeHeldMedia()`. The call's media transport starts this when it opens the sockets.
   */
  holdUnclaimedMedia(options: MediaHoldOptions): void {
    if (this.hold !== undefined) return;
    this.hold = {
      clock: options.clock,
      maxPackets: options.maxPackets ?? DEFAULT_MEDIA_HOLD.maxPackets,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_MEDIA_HOLD.maxAgeMs,
      datagrams: [],
    };
  }

  /**
   * Ends the hold and gives out what it kept that is not older than `maxAgeMs`, oldest first (nothing
   * when the socket was not holding). Later unclaimed media is dropped and counted as `unhandled`.
   */
  takeHeldMedia(): HeldMediaDatagram[] {
    const hold = this.hold;
    if (hold === undefined) return [];
    this.hold = undefined;
    this.expire(hold);
    return hold.datagrams;
  }

  /** Asynchronous socket errors (ICMP unreachable and the like). */
  onError(listener: (error: Error) => void): Disposable {
    return this.socket.onError(listener);
  }

  get stats(): MediaSocketStats {
    return {
      received: { ...this.received },
      unhandled: this.unhandledCount,
      held: this.heldCount,
      heldDropped: this.heldDroppedCount,
      unknown: this.received.other + this.received.dtls + this.received.zrtp,
      sent: this.sentCount,
      sentBytes: this.sentBytes,
    };
  }

  /** Listeners currently attached, over all classes (for leak checks). */
  get listenerCount(): number {
    return Object.values(this.emitters).reduce((sum, e) => sum + e.listenerCount, 0);
  }

  /** Closes the socket and forgets every listener. Idempotent. */
  close(): void {
    this.hold = undefined;
    this.subscription.dispose();
    for (const emitter of Object.values(this.emitters)) emitter.clear();
    this.socket.close();
  }

  private on(kind: Routed, listener: DatagramListener): Disposable {
    return this.emitters[kind].on(({ data, from }) => listener(data, from));
  }

  private dispatch(data: Buffer, from: SocketAddress): void {
    const kind = classifyPacket(data);
    this.received[kind]++;
    switch (kind) {
      case 'stun':
      case 'turn-channel':
      case 'rtp':
      case 'rtcp': {
        const emitter = this.emitters[kind];
        if (emitter.listenerCount > 0) emitter.emit({ data, from });
        else if (this.hold !== undefined && (kind === 'rtp' || kind === 'rtcp'))
          this.keep(this.hold, { kind, data, from, receivedAt: this.hold.clock.monotonic() });
        else this.unhandledCount++;
        return;
      }
      case 'dtls':
      case 'zrtp':
      case 'other':
        // Not spoken here (no DTLS-SRTP, no ZRTP): dropped, counted in `received`.
        return;
    }
  }

  private keep(hold: MediaHold, datagram: HeldMediaDatagram): void {
    hold.datagrams.push(datagram);
    this.heldCount++;
    this.expire(hold);
    const excess = hold.datagrams.length - hold.maxPackets;
    if (excess > 0) {
      hold.datagrams.splice(0, excess);
      this.heldDroppedCount += excess;
    }
  }

  /** Drops held datagrams older than the hold's maxAgeMs. */
  private expire(hold: MediaHold): void {
    const oldest = hold.clock.monotonic() - hold.maxAgeMs;
    const firstFresh = hold.datagrams.findIndex((d) => d.receivedAt >= oldest);
    const count = firstFresh === -1 ? hold.datagrams.length : firstFresh;
    if (count === 0) return;
    hold.datagrams.splice(0, count);
    this.heldDroppedCount += count;
  }
}
