/**
 * One socket, several protocols (RFC 7983 §7, updating RFC 5764 §5.1.2): the first octet of a datagram
 * says what it is. The one classifier for every socket that carries more than one protocol: the call's
 * media sockets (media/transport's MediaSocket), the SIP UDP socket (STUN keepalives beside SIP), data
 * relayed through TURN (the ICE agent).
 *
 *                    +----------------+
 *                    |        [0..3] -+--> STUN (RFC 5389)           ICE checks, keepalives, TURN, NAT tests
 *                    |      [16..19] -+--> ZRTP (RFC 6189)
 *        packet -->  |      [20..63] -+--> DTLS (RFC 6347)
 *                    |      [64..79] -+--> TURN ChannelData (RFC 5766)
 *                    |    [128..191] -+--> RTP / RTCP (version 2)
 *                    +----------------+
 *
 * RFC 5761 §4 (rtcp-mux), the second octet separates RTP from RTCP: RTCP packet types 192–223 (SR 200,
 * RR 201, SDES 202, BYE 203, APP 204, feedback 205/206…) occupy what would be an RTP marker bit plus a
 * payload type of 64–95, and "payload type values ... in the range 64-95 MUST NOT be used" for RTP on a
 * multiplexed port. So a version-2 packet whose second octet is 192–223 is RTCP, anything else RTP.
 *
 * What is not what its first octet claims is `other`:
 *  - a datagram in the STUN range without a well-formed STUN header (RFC 5389 §6: the top two bits zero,
 *    the magic cookie, a length that is a multiple of 4 and matches the datagram) — RFC 3489 STUN, noise;
 *  - a datagram too short for its protocol's fixed header (ZRTP 12, DTLS 13, ChannelData 4, RTP 12,
 *    RTCP 8 octets): nobody could parse it;
 *  - everything outside the ranges above.
 * A SIP UDP socket carries SIP text and CRLF keepalives besides STUN (RFC 5626 §4.4.1 / §5.4): SIP starts
 * with a letter or CR/LF, which lands in `other` (or, for 'A'–'O', in the ChannelData range: a socket
 * that is not a TURN client should route `turn-channel` to its SIP handler as well — see
 * `DatagramDemux.on` with several kinds).
 */
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { DatagramSocket, SocketAddress } from '../../platform/index.ts';
import { isStunMessage } from './message.ts';

export type PacketKind = 'stun' | 'zrtp' | 'dtls' | 'turn-channel' | 'rtp' | 'rtcp' | 'other';

export const PACKET_KINDS: readonly PacketKind[] = [
  'stun',
  'zrtp',
  'dtls',
  'turn-channel',
  'rtp',
  'rtcp',
  'other',
];

/** The fixed header of each protocol (STUN's is checked whole by isStunMessage). */
const MIN_BYTES: Readonly<Record<Exclude<PacketKind, 'stun' | 'other'>, number>> = {
  zrtp: 12,
  dtls: 13,
  'turn-channel': 4,
  rtp: 12,
  rtcp: 8,
};

/** RFC 7983's first-octet classification, refined by RFC 5761 §4 (RTP/RTCP) and the header checks above. */
export function classifyPacket(data: Uint8Array): PacketKind {
  const first = data[0];
  if (first === undefined) return 'other';
  if (first <= 3) return isStunMessage(data) ? 'stun' : 'other';
  const kind = kindOfFirstOctet(first, data[1]);
  return kind !== 'other' && data.length >= MIN_BYTES[kind] ? kind : 'other';
}

function kindOfFirstOctet(first: number, second: number | undefined): Exclude<PacketKind, 'stun'> {
  if (first >= 16 && first <= 19) return 'zrtp';
  if (first >= 20 && first <= 63) return 'dtls';
  if (first >= 64 && first <= 79) return 'turn-channel';
  if (first >= 128 && first <= 191) {
    if (second === undefined) return 'other';
    return second >= 192 && second <= 223 ? 'rtcp' : 'rtp';
  }
  return 'other';
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
