/**
 * RTCP compound packets (RFC 3550 §6): werift's SR, RR and SDES classes, plus what werift lacks.
 *
 *  - BYE (§6.6) is not in werift: `RtcpByePacket` below.
 *  - werift's `RtcpPacketConverter` silently skips packet types it does not know (BYE among them) and
 *    checks nothing, so compound packets are walked here with the validity checks of §A.2 — version 2,
 *    the first packet an SR or RR without padding, padding only in the last packet, lengths that add up
 *    to the datagram — and each part is handed to werift's per-type decoder after its size was checked.
 *  - werift's SDES encoder omits the null octet that must end each chunk's item list when the items
 *    happen to end on a 32-bit boundary (§6.5: "The list of items in each chunk MUST be terminated by one
 *    or more null octets"); SDES is encoded here.
 *  - Report blocks' cumulative loss is a signed 24-bit field (§6.4.1, §A.3); werift reads and writes it as
 *    unsigned: `encodeCumulativeLost`/`decodeCumulativeLost` convert.
 */
import { RtcpHeader, RtcpRrPacket, RtcpSourceDescriptionPacket, RtcpSrPacket } from 'werift';

/** RTCP packet types (RFC 3550 §12.1). */
export const RtcpPacketType = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204 } as const;

/** SDES item types (RFC 3550 §6.5). */
export const SdesItemType = {
  END: 0,
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
} as const;

const HEADER_BYTES = 4;
const REPORT_BLOCK_BYTES = 24;
const SENDER_INFO_BYTES = 20;

/** BYE (RFC 3550 §6.6): the listed sources are leaving, optionally with a reason. */
export class RtcpByePacket {
  static readonly type = 203;
  readonly type = 203;
  readonly sources: readonly number[];
  readonly reason: string | undefined;

  constructor(props: { sources: readonly number[]; reason?: string | undefined }) {
    if (props.sources.length > 31) throw new RangeError('a BYE packet names at most 31 sources');
    this.sources = props.sources;
    this.reason = props.reason;
  }

  /**
   *        0                   1                   2                   3
   *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
   *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *       |                           SSRC/CSRC                           |
   *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *  (opt) |     length    |               reason for leaving            ...
   *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   */
  serialize(): Buffer {
    const reason = this.reason === undefined ? undefined : truncateUtf8(this.reason, 255);
    const reasonBytes = reason === undefined ? 0 : 1 + reason.length;
    const body = 4 * this.sources.length + reasonBytes;
    const total = HEADER_BYTES + Math.ceil(body / 4) * 4;
    const out = Buffer.alloc(total);
    out[0] = 0x80 | this.sources.length;
    out[1] = RtcpPacketType.BYE;
    out.writeUInt16BE(total / 4 - 1, 2);
    this.sources.forEach((ssrc, i) => out.writeUInt32BE(ssrc >>> 0, HEADER_BYTES + 4 * i));
    if (reason !== undefined) {
      const at = HEADER_BYTES + 4 * this.sources.length;
      out[at] = reason.length;
      reason.copy(out, at + 1);
    }
    return out;
  }

  /** Decodes the part after the header; undefined when the sources or reason overrun it. */
  static deSerialize(payload: Buffer, count: number): RtcpByePacket | undefined {
    if (payload.length < 4 * count) return undefined;
    const sources = Array.from({ length: count }, (_, i) => payload.readUInt32BE(4 * i));
    let reason: string | undefined;
    const at = 4 * count;
    if (payload.length > at && payload[at]! > 0) {
      const length = payload[at]!;
      if (at + 1 + length > payload.length) return undefined;
      reason = payload.subarray(at + 1, at + 1 + length).toString('utf8');
    }
    return new RtcpByePacket({ sources, reason });
  }
}

/** Any other packet type (APP, feedback, XR…): kept as its type only. */
export interface RtcpOtherPacket {
  readonly type: 'other';
  readonly packetType: number;
}

export type RtcpPacketItem =
  RtcpSrPacket | RtcpRrPacket | RtcpSourceDescriptionPacket | RtcpByePacket | RtcpOtherPacket;

export type RtcpParseError =
  /** Shorter than a header, or a length that runs past the datagram or does not end on it. */
  | 'bad-length'
  /** A packet's version is not 2. */
  | 'bad-version'
  /** §A.2: the first packet must be an SR or RR. */
  | 'first-not-report'
  /** Padding in a packet other than the last, or a padding count that does not fit. */
  | 'bad-padding'
  /** An SR, RR, SDES or BYE too short for its own count. */
  | 'malformed';

export type RtcpParseResult =
  | { readonly ok: true; readonly packets: readonly RtcpPacketItem[] }
  | { readonly ok: false; readonly error: RtcpParseError };

/** Validates (RFC 3550 §A.2) and decodes one compound RTCP packet. */
export function parseRtcpCompound(data: Buffer): RtcpParseResult {
  if (data.length < HEADER_BYTES + 4) return { ok: false, error: 'bad-length' };
  const firstType = data[1]!;
  if (data[0]! >> 6 !== 2) return { ok: false, error: 'bad-version' };
  if (firstType !== RtcpPacketType.SR && firstType !== RtcpPacketType.RR)
    return { ok: false, error: 'first-not-report' };

  const packets: RtcpPacketItem[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + HEADER_BYTES > data.length) return { ok: false, error: 'bad-length' };
    const first = data[offset]!;
    if (first >> 6 !== 2) return { ok: false, error: 'bad-version' };
    const count = first & 0x1f;
    const type = data[offset + 1]!;
    const end = offset + 4 * (data.readUInt16BE(offset + 2) + 1);
    if (end > data.length) return { ok: false, error: 'bad-length' };
    let payload = data.subarray(offset + HEADER_BYTES, end);
    if ((first & 0x20) !== 0) {
      // §6.4.1: padding "should only be applied ... to the last packet" of a compound packet.
      const padding = payload[payload.length - 1] ?? 0;
      if (end !== data.length || padding === 0 || padding > payload.length)
        return { ok: false, error: 'bad-padding' };
      payload = payload.subarray(0, payload.length - padding);
    }
    const item = decodePart(type, count, payload);
    if (item === undefined) return { ok: false, error: 'malformed' };
    packets.push(item);
    offset = end;
  }
  return { ok: true, packets };
}

function decodePart(type: number, count: number, payload: Buffer): RtcpPacketItem | undefined {
  switch (type) {
    case RtcpPacketType.SR:
      if (payload.length < 4 + SENDER_INFO_BYTES + REPORT_BLOCK_BYTES * count) return undefined;
      return RtcpSrPacket.deSerialize(payload, count);
    case RtcpPacketType.RR:
      if (payload.length < 4 + REPORT_BLOCK_BYTES * count) return undefined;
      return RtcpRrPacket.deSerialize(payload, count);
    case RtcpPacketType.SDES:
      return decodeSdes(payload, count);
    case RtcpPacketType.BYE:
      return RtcpByePacket.deSerialize(payload, count);
    default:
      return { type: 'other', packetType: type };
  }
}

/** werift's SDES decoder after checking that every chunk and item fits (it would read past the end). */
function decodeSdes(payload: Buffer, count: number): RtcpSourceDescriptionPacket | undefined {
  let at = 0;
  for (let chunk = 0; chunk < count; chunk++) {
    if (at + 4 > payload.length) return undefined;
    at += 4;
    while (at < payload.length && payload[at] !== SdesItemType.END) {
      if (at + 2 > payload.length || at + 2 + payload[at + 1]! > payload.length) return undefined;
      at += 2 + payload[at + 1]!;
    }
    // The null octet(s) up to the next 32-bit boundary.
    at = Math.min(payload.length, (Math.floor(at / 4) + 1) * 4);
  }
  if (count === 0) return new RtcpSourceDescriptionPacket({ chunks: [] });
  return RtcpSourceDescriptionPacket.deSerialize(
    payload.subarray(0, at),
    new RtcpHeader({ type: RtcpPacketType.SDES, count }),
  );
}

/** The CNAME of `ssrc` in an SDES packet, if it lists one. */
export function sdesCname(packet: RtcpSourceDescriptionPacket, ssrc: number): string | undefined {
  return packet.chunks.find((c) => c.source === ssrc)?.items.find((i) => i.type === SdesItemType.CNAME)?.text;
}

export type RtcpSendable = RtcpSrPacket | RtcpRrPacket | RtcpSourceDescriptionPacket | RtcpByePacket;

/** Concatenates the parts of a compound packet (the caller orders them: SR/RR first, BYE last). */
export function serializeRtcpCompound(parts: readonly RtcpSendable[]): Buffer {
  return Buffer.concat(
    parts.map((part) =>
      part instanceof RtcpSourceDescriptionPacket ? serializeSdes(part) : part.serialize(),
    ),
  );
}

/**
 * SDES with correctly terminated chunks (§6.5):
 *
 *        chunk  |                          SSRC/CSRC_1                          |
 *               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *               |    CNAME=1    |     length    | user and domain name        ...
 *               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *               ... items, then 1–4 null octets up to the next 32-bit boundary
 */
export function serializeSdes(packet: RtcpSourceDescriptionPacket): Buffer {
  if (packet.chunks.length > 31) throw new RangeError('an SDES packet carries at most 31 chunks');
  const chunks = packet.chunks.map((chunk) => {
    const items = chunk.items.map((item) => {
      const text = truncateUtf8(item.text, 255);
      return Buffer.concat([Buffer.of(item.type, text.length), text]);
    });
    const body = 4 + items.reduce((sum, b) => sum + b.length, 0);
    const out = Buffer.alloc((Math.floor(body / 4) + 1) * 4);
    out.writeUInt32BE(chunk.source >>> 0, 0);
    let at = 4;
    for (const item of items) {
      item.copy(out, at);
      at += item.length;
    }
    return out;
  });
  const body = Buffer.concat(chunks);
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = 0x80 | packet.chunks.length;
  header[1] = RtcpPacketType.SDES;
  header.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([header, body]);
}

/** §A.3: the cumulative number lost "is clamped" to the signed 24-bit field; two's complement on the wire. */
export function encodeCumulativeLost(lost: number): number {
  const clamped = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(lost)));
  return clamped & 0xffffff;
}

export function decodeCumulativeLost(field: number): number {
  const value = field & 0xffffff;
  return value >= 0x800000 ? value - 0x1000000 : value;
}

function truncateUtf8(text: string, maxBytes: number): Buffer {
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  // Cut on a character boundary: drop continuation octets (10xxxxxx) left at the cut.
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  bytes = bytes.subarray(0, end);
  return bytes;
}
