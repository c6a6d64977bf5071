/**
 * RTP data packets (RFC 3550 §5.1) through werift's `RtpPacket`/`RtpHeader`, with the validity checks
 * werift leaves out. werift trusts its input: it reads past the end of a truncated header and takes
 * the payload offset from its own extension parser (which stops early on a one-byte extension with
 * ID 15). So the fixed header, CSRC list, extension length and padding count are checked here first
 * (RFC 3550 §5.1 and the receiver checks of §A.1), and the payload is cut from the computed offsets.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           timestamp                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           synchronization source (SSRC) identifier            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |            contributing source (CSRC) identifiers             |
 *    |                             ....                              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { RtpHeader, RtpPacket } from 'werift';

export const RTP_HEADER_BYTES = 12;

export type RtpParseError =
  /** Shorter than the 12-octet fixed header, its CSRC list or its extension. */
  | 'truncated'
  /** Version is not 2. */
  | 'bad-version'
  /** The padding count is 0 or runs into the header. */
  | 'bad-padding'
  /** Payload type 72–76: an RTCP SR/RR/SDES/BYE/APP seen as RTP (RFC 3550 §A.1, RFC 5761 §4). */
  | 'rtcp-payload-type';

export type RtpParseResult =
  { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly error: RtpParseError };

/** Parses and validates one RTP packet; `packet.payload` excludes header, extension and padding. */
export function parseRtpPacket(data: Buffer): RtpParseResult {
  if (data.length < RTP_HEADER_BYTES) return { ok: false, error: 'truncated' };
  const first = data[0]!;
  if (first >> 6 !== 2) return { ok: false, error: 'bad-version' };
  const payloadType = data[1]! & 0x7f;
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, error: 'rtcp-payload-type' };
  let offset = RTP_HEADER_BYTES + 4 * (first & 0x0f);
  if (data.length < offset) return { ok: false, error: 'truncated' };
  if ((first & 0x10) !== 0) {
    // §5.3.1: a 4-octet extension header whose second half counts the 32-bit words that follow.
    if (data.length < offset + 4) return { ok: false, error: 'truncated' };
    offset += 4 + 4 * data.readUInt16BE(offset + 2);
    if (data.length < offset) return { ok: false, error: 'truncated' };
  }
  let padding = 0;
  if ((first & 0x20) !== 0) {
    // §5.1: "The last octet of the padding contains a count of how many padding octets should be
    // ignored, including itself."
    padding = data[data.length - 1]!;
    if (padding === 0 || offset + padding > data.length) return { ok: false, error: 'bad-padding' };
  }
  const packet = RtpPacket.deSerialize(data);
  packet.payload = data.subarray(offset, data.length - padding);
  return { ok: true, packet };
}

export interface RtpPacketFields {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Uint8Array;
}

/** Serializes an RTP packet without CSRCs, extension or padding (all our audio needs). */
export function serializeRtpPacket(fields: RtpPacketFields): Buffer {
  const header = new RtpHeader({
    payloadType: fields.payloadType,
    marker: fields.marker,
    sequenceNumber: fields.sequenceNumber & 0xffff,
    timestamp: fields.timestamp >>> 0,
    ssrc: fields.ssrc >>> 0,
  });
  const payload = Buffer.from(fields.payload.buffer, fields.payload.byteOffset, fields.payload.byteLength);
  return new RtpPacket(header, payload).serialize();
}
