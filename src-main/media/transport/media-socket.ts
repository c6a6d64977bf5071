/**
 * One UDP socket of a call's media (the RTP port, or the separate RTCP port without rtcp-mux), with the
 * RFC 7983 demultiplexer in front of its listeners.
 *
 *                                ┌─ onStun ────────▶ ICE agent / STUN client (answers from this socket)
 *     datagram ─▶ classify ──────┼─ onChannelData ─▶ TURN client (relayed data on this socket)
 *                 (first octet)  ├─ onRtp ─────────▶ the MediaPath (latching or ICE) ─▶ RTP session
 *                                ├─ onRtcp ────────▶ the MediaPath ─▶ RTP session
 *                                └─ anything else: dropped and counted (DTLS, ZRTP: not spoken here)
 *
 * The socket is shared: the STUN hook is what the ICE agent attaches to, and it answers connectivity
 * checks with `send()` on this very socket, so the address it advertised is the one media flows on
 * (ARCHITECTURE.md, "The media transport decision"). A class with no listener is counted as
 * `unhandled` and dropped. Listeners run synchronously, in subscription order.
 *
 * The MediaSocket owns its DatagramSocket: `close()` closes it and drops every listener.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { DatagramSocket, SocketAddress } from '../../platform/index.ts';
import { DATAGRAM_CLASSES, classifyDatagram } from './datagram-class.ts';
import type { DatagramClass } from './datagram-class.ts';

/** Which stream the socket was allocated for (RFC 3550 §11: RTP on an even port, RTCP on the next odd one). */
export type MediaSocketComponent = 'rtp' | 'rtcp';

/** Received datagrams of one class. */
export type DatagramListener = (data: Buffer, from: SocketAddress) => void;

export interface MediaSocketStats {
  /** Datagrams received, by class (dropped ones included). */
  readonly received: Readonly<Record<DatagramClass, number>>;
  /** Datagrams of a known class that no listener wanted (e.g. STUN before the ICE agent attached). */
  readonly unhandled: number;
  /** Datagrams that are none of the protocols we speak (or too short for their header). */
  readonly unknown: number;
  readonly sent: number;
  readonly sentBytes: number;
}

type Routed = Exclude<DatagramClass, 'unknown' | 'dtls' | 'zrtp'>;

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
  private readonly received = Object.fromEntries(DATAGRAM_CLASSES.map((c) => [c, 0])) as Record<
    DatagramClass,
    number
  >;
  private unhandledCount = 0;
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

  /** Asynchronous socket errors (ICMP unreachable and the like). */
  onError(listener: (error: Error) => void): Disposable {
    return this.socket.onError(listener);
  }

  get stats(): MediaSocketStats {
    return {
      received: { ...this.received },
      unhandled: this.unhandledCount,
      unknown: this.received.unknown + this.received.dtls + this.received.zrtp,
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
    this.subscription.dispose();
    for (const emitter of Object.values(this.emitters)) emitter.clear();
    this.socket.close();
  }

  private on(kind: Routed, listener: DatagramListener): Disposable {
    return this.emitters[kind].on(({ data, from }) => listener(data, from));
  }

  private dispatch(data: Buffer, from: SocketAddress): void {
    const kind = classifyDatagram(data);
    this.received[kind]++;
    switch (kind) {
      case 'stun':
      case 'turn-channel':
      case 'rtp':
      case 'rtcp': {
        const emitter = this.emitters[kind];
        if (emitter.listenerCount === 0) this.unhandledCount++;
        else emitter.emit({ data, from });
        return;
      }
      case 'dtls':
      case 'zrtp':
      case 'unknown':
        // Not spoken here (no DTLS-SRTP, no ZRTP): dropped, counted in `received`.
        return;
    }
  }
}
