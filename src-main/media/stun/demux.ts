/**
 * One socket, several protocols (RFC 7983 §7, updating RFC 5764 §5.1.2): the first byte of a datagram
 * says what it is.
 *
 *     +----------------+
 *     |        [0..3] -+--> STUN            (ICE checks, keepalives, NAT tests)
 *     |      [16..19] -+--> ZRTP
 *     |      [20..63] -+--> DTLS
 *     |      [64..79] -+--> TURN ChannelData
 *     |    [128..191] -+--> RTP / RTCP
 *     +----------------+
 *
 * A SIP UDP socket carries SIP text and CRLF keepalives besides STUN (RFC 5626 §4.4.1 / §5.4): SIP starts
 * with a letter or CR/LF, which lands in `other` (or, for 'A'–'O', in the ChannelData range: a socket
 * that is not a TURN client should route `turn-channel` to its SIP handler as well — see
 * `DatagramDemux.on` with several kinds). A byte in the STUN range that is not a well-formed STUN header
 * (no magic cookie, wrong length) is not STUN either: it goes to `other`.
 */
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { DatagramSocket, SocketAddress } from '../../platform/index.ts';
import { isStunMessage } from './message.ts';

export type PacketKind = 'stun' | 'zrtp' | 'dtls' | 'turn-channel' | 'rtp' | 'other';

export const PACKET_KINDS: readonly PacketKind[] = ['stun', 'zrtp', 'dtls', 'turn-channel', 'rtp', 'other'];

/** RFC 7983's first-byte classification (STUN additionally needs a valid STUN header). */
export function classifyPacket(data: Uint8Array): PacketKind {
  const first = data[0];
  if (first === undefined) return 'other';
  if (first <= 3) return isStunMessage(data) ? 'stun' : 'other';
  if (first >= 16 && first <= 19) return 'zrtp';
  if (first >= 20 && first <= 63) return 'dtls';
  if (first >= 64 && first <= 79) return 'turn-channel';
  if (first >= 128 && first <= 191) return 'rtp';
  return 'other';
}

/**
 * RTP or RTCP, once `classifyPacket` said 'rtp' (RFC 5761 §4: RTCP packet types 192–223 sit where an RTP
 * packet has its marker bit and payload type).
 */
export function isRtcpPacket(data: Uint8Array): boolean {
  const type = data[1];
  return type !== undefined && type >= 192 && type <= 223;
}

export type DatagramListener = (data: Buffer, from: SocketAddress) => void;

/**
 * Routes the datagrams of one socket by kind. One listener per kind (a second `on` for the same kind is a
 * bug: two owners would fight over the same packets); datagrams of kinds nobody routed are counted and
 * dropped. The demux owns its socket subscription, not the socket.
 */
export class DatagramDemux implements Disposable {
  private readonly routes = new Map<PacketKind, DatagramListener>();
  private readonly subscription: Disposable;
  private droppedCount = 0;

  constructor(socket: DatagramSocket) {
    this.subscription = socket.onMessage((data, from) => this.dispatch(data, from));
  }

  /** Datagrams no route took. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Route `kinds` to `listener` until the returned handle is disposed. */
  on(kinds: PacketKind | readonly PacketKind[], listener: DatagramListener): Disposable {
    const list: readonly PacketKind[] = typeof kinds === 'string' ? [kinds] : kinds;
    for (const kind of list) {
      if (this.routes.has(kind)) throw new Error(`datagram kind ${kind} is already routed`);
    }
    for (const kind of list) this.routes.set(kind, listener);
    return {
      dispose: () => {
        for (const kind of list) if (this.routes.get(kind) === listener) this.routes.delete(kind);
      },
    };
  }

  /** Hand a datagram to its route (also usable for datagrams that arrive by another path, e.g. TURN). */
  dispatch(data: Buffer, from: SocketAddress): void {
    const route = this.routes.get(classifyPacket(data));
    if (route === undefined) this.droppedCount++;
    else route(data, from);
  }

  dispose(): void {
    this.subscription.dispose();
    this.routes.clear();
  }
}
