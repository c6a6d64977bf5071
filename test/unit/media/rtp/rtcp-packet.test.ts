import {
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
} from 'werift';
import { describe, expect, it } from 'vitest';
import {
  RtcpByePacket,
  decodeCumulativeLost,
  encodeCumulativeLost,
  parseRtcpCompound,
  sdesCname,
  serializeRtcpCompound,
  serializeSdes,
} from '../../../../src-main/media/rtp/index.ts';

function sdes(ssrc: number, cname: string): RtcpSourceDescriptionPacket {
  return new RtcpSourceDescriptionPacket({
    chunks: [
      new SourceDescriptionChunk({
        source: ssrc,
        items: [new SourceDescriptionItem({ type: 1, text: cname })],
      }),
    ],
  });
}

const block = new RtcpReceiverInfo({
  ssrc: 0x11111111,
  fractionLost: 51,
  packetsLost: encodeCumulativeLost(-3),
  highestSequence: 0x0001fffe,
  jitter: 40,
  lsr: 0x12345678,
  dlsr: 0x00010000,
});

describe('RtcpByePacket', () => {
  it('encodes sources and a reason padded to 32 bits (RFC 3550 §6.6)', () => {
    const bye = new RtcpByePacket({ sources: [0x01020304], reason: 'bye' });
    expect([...bye.serialize()]).toEqual([0x81, 203, 0x00, 0x02, 1, 2, 3, 4, 3, 0x62, 0x79, 0x65]);
    const noReason = new RtcpByePacket({ sources: [1, 2] });
    expect([...noReason.serialize()]).toEqual([0x82, 203, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('decodes what it encodes, and refuses a reason that overruns the packet', () => {
    const bye = RtcpByePacket.deSerialize(
      new RtcpByePacket({ sources: [7], reason: 'hang-up' }).serialize().subarray(4),
      1,
    );
    expect(bye?.sources).toEqual([7]);
    expect(bye?.reason).toBe('hang-up');
    expect(RtcpByePacket.deSerialize(Buffer.from([0, 0, 0, 7, 9, 0x61]), 1)).toBeUndefined();
  });
});

describe('serializeSdes', () => {
  it('ends every chunk with a null octet, even when the items end on a 32-bit boundary', () => {
    // 4 (SSRC) + 2 + 14 = 20 octets of items: a null word must follow (RFC 3550 §6.5).
    const bytes = serializeSdes(sdes(0xaabbccdd, 'x'.repeat(14)));
    expect(bytes.length).toBe(4 + 24);
    expect([...bytes.subarray(0, 4)]).toEqual([0x81, 202, 0x00, 0x06]);
    expect([...bytes.subarray(24)]).toEqual([0, 0, 0, 0]);
    const parsed = parseRtcpCompound(
      serializeRtcpCompound([
        new RtcpRrPacket({ ssrc: 0xaabbccdd, reports: [] }),
        sdes(0xaabbccdd, 'x'.repeat(14)),
      ]),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const part = parsed.packets[1];
    expect(part instanceof RtcpSourceDescriptionPacket && sdesCname(part, 0xaabbccdd)).toBe('x'.repeat(14));
  });
});

describe('parseRtcpCompound', () => {
  it('decodes SR + SDES + BYE with report blocks and the signed cumulative loss', () => {
    const sr = new RtcpSrPacket({
      ssrc: 0x22222222,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp: 0xe000000180000000n,
        rtpTimestamp: 1234,
        packetCount: 50,
        octetCount: 8000,
      }),
      reports: [block],
    });
    const data = serializeRtcpCompound([
      sr,
      sdes(0x22222222, 'peer@example'),
      new RtcpByePacket({ sources: [0x22222222], reason: 'done' }),
    ]);
    const parsed = parseRtcpCompound(data);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.packets.map((p) => p.type)).toEqual([200, 202, 203]);
    const [first, second, third] = parsed.packets;
    if (
      !(first instanceof RtcpSrPacket) ||
      !(second instanceof RtcpSourceDescriptionPacket) ||
      !(third instanceof RtcpByePacket)
    ) {
      throw new Error('unexpected part types');
    }
    expect(first.senderInfo.ntpTimestamp).toBe(0xe000000180000000n);
    expect([
      first.senderInfo.rtpTimestamp,
      first.senderInfo.packetCount,
      first.senderInfo.octetCount,
    ]).toEqual([1234, 50, 8000]);
    const report = first.reports[0]!;
    expect([
      report.ssrc,
      report.fractionLost,
      decodeCumulativeLost(report.packetsLost),
      report.highestSequence,
      report.jitter,
      report.lsr,
      report.dlsr,
    ]).toEqual([0x11111111, 51, -3, 0x0001fffe, 40, 0x12345678, 0x00010000]);
    expect(sdesCname(second, 0x22222222)).toBe('peer@example');
    expect([third.sources, third.reason]).toEqual([[0x22222222], 'done']);
  });

  it('keeps unknown packet types as "other" and strips padding from the last packet', () => {
    const rr = new RtcpRrPacket({ ssrc: 5, reports: [] }).serialize();
    // APP (204) with P set: 4 header + 8 body, the last 4 octets padding.
    const app = Buffer.from([0xa0, 204, 0x00, 0x02, 0, 0, 0, 5, 0, 0, 0, 4]);
    const parsed = parseRtcpCompound(Buffer.concat([rr, app]));
    expect(parsed).toEqual({
      ok: true,
      packets: [expect.any(RtcpRrPacket), { type: 'other', packetType: 204 }],
    });
  });

  it('applies the RFC 3550 §A.2 validity checks', () => {
    const rr = new RtcpRrPacket({ ssrc: 5, reports: [block] }).serialize();
    const bye = new RtcpByePacket({ sources: [5] }).serialize();
    expect(parseRtcpCompound(rr.subarray(0, 6))).toEqual({ ok: false, error: 'bad-length' });
    expect(parseRtcpCompound(Buffer.concat([bye, rr]))).toEqual({ ok: false, error: 'first-not-report' });
    const v1 = Buffer.from(rr);
    v1[0] = 0x41;
    expect(parseRtcpCompound(v1)).toEqual({ ok: false, error: 'bad-version' });
    // The lengths must add up to the datagram.
    expect(parseRtcpCompound(Buffer.concat([rr, Buffer.alloc(4)]))).toEqual({
      ok: false,
      error: 'bad-version',
    });
    expect(parseRtcpCompound(Buffer.concat([rr, bye.subarray(0, 6)]))).toEqual({
      ok: false,
      error: 'bad-length',
    });
    // Padding only in the last packet.
    const paddedFirst = Buffer.from(rr);
    paddedFirst[0] = paddedFirst[0]! | 0x20;
    expect(parseRtcpCompound(Buffer.concat([paddedFirst, bye]))).toEqual({ ok: false, error: 'bad-padding' });
    // An RR that announces more report blocks than it holds.
    const overCount = Buffer.from(rr);
    overCount[0] = 0x82;
    expect(parseRtcpCompound(overCount)).toEqual({ ok: false, error: 'malformed' });
  });
});

describe('cumulative loss field', () => {
  it('is a clamped two-complement 24-bit number (RFC 3550 §A.3)', () => {
    expect(encodeCumulativeLost(5)).toBe(5);
    expect(encodeCumulativeLost(-1)).toBe(0xffffff);
    expect(encodeCumulativeLost(10_000_000)).toBe(0x7fffff);
    expect(encodeCumulativeLost(-10_000_000)).toBe(0x800000);
    expect(decodeCumulativeLost(0xffffff)).toBe(-1);
    expect(decodeCumulativeLost(0x7fffff)).toBe(0x7fffff);
  });
});
