/**
 * What a datagram arriving on a media socket is, from its first two octets — so one socket (the port we
 * advertised in SDP) can carry STUN connectivity checks, TURN channel data, RTP and RTCP together.
 *
 * RFC 7983 §7, the first octet decides the protocol:
 *
 *                    +----------------+
 *                    |        [0..3] -+--> STUN (RFC 5389)
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
 * Packets too short for their protocol's fixed header (STUN 20, RTP 12, RTCP 8, ChannelData 4 octets)
 * are `unknown`: nobody could parse them.
 */

export type DatagramClass = 'stun' | 'zrtp' | 'dtls' | 'turn-channel' | 'rtp' | 'rtcp' | 'unknown';

export const DATAGRAM_CLASSES: readonly DatagramClass[] = [
  'stun',
  'zrtp',
  'dtls',
  'turn-channel',
  'rtp',
  'rtcp',
  'unknown',
];

const MIN_BYTES: Readonly<Record<Exclude<DatagramClass, 'unknown'>, number>> = {
  stun: 20,
  zrtp: 12,
  dtls: 13,
  'turn-channel': 4,
  rtp: 12,
  rtcp: 8,
};

/** RFC 7983 first-octet demultiplexing, refined by RFC 5761 §4 for RTP versus RTCP. */
export function classifyDatagram(data: Uint8Array): DatagramClass {
  const first = data[0];
  if (first === undefined) return 'unknown';
  const kind = classOfFirstOctet(first, data[1]);
  return kind !== 'unknown' && data.length >= MIN_BYTES[kind] ? kind : 'unknown';
}

function classOfFirstOctet(first: number, second: number | undefined): DatagramClass {
  if (first <= 3) return 'stun';
  if (first >= 16 && first <= 19) return 'zrtp';
  if (first >= 20 && first <= 63) return 'dtls';
  if (first >= 64 && first <= 79) return 'turn-channel';
  if (first >= 128 && first <= 191) {
    if (second === undefined) return 'unknown';
    return second >= 192 && second <= 223 ? 'rtcp' : 'rtp';
  }
  return 'unknown';
}
