import { describe, expect, it } from 'vitest';
import { parseRtpPacket, serializeRtpPacket } from '../../../../src-main/media/rtp/index.ts';

describe('serializeRtpPacket', () => {
  it('writes the RFC 3550 §5.1 fixed header and the payload', () => {
    const bytes = serializeRtpPacket({
      payloadType: 0,
      marker: true,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      payload: Uint8Array.of(0xff, 0x7f, 0x00),
    });
    expect([...bytes]).toEqual([
      0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xff, 0x7f, 0x00,
    ]);
  });

  it('wraps sequence numbers and timestamps into their fields', () => {
    const bytes = serializeRtpPacket({
      payloadType: 101,
      marker: false,
      sequenceNumber: 0x10001,
      timestamp: 2 ** 32 + 5,
      ssrc: 7,
      payload: new Uint8Array(0),
    });
    expect([...bytes.subarray(0, 8)]).toEqual([0x80, 101, 0x00, 0x01, 0, 0, 0, 5]);
  });
});

describe('parseRtpPacket', () => {
  it('round-trips what serializeRtpPacket wrote', () => {
    const payload = Uint8Array.from({ length: 160 }, (_, i) => i);
    const parsed = parseRtpPacket(
      serializeRtpPacket({
        payloadType: 8,
        marker: false,
        sequenceNumber: 65535,
        timestamp: 160,
        ssrc: 0xcafebabe,
        payload,
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { header } = parsed.packet;
    expect([header.payloadType, header.marker, header.sequenceNumber, header.timestamp, header.ssrc]).toEqual(
      [8, false, 65535, 160, 0xcafebabe],
    );
    expect([...parsed.packet.payload]).toEqual([...payload]);
  });

  it('cuts the payload after CSRCs and a header extension and before padding', () => {
    const data = Buffer.from([
      0xb1,
      0x00,
      0x00,
      0x01,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      9, // V=2 P=1 X=1 CC=1
      0,
      0,
      0,
      0x2a, // CSRC
      0xbe,
      0xde,
      0x00,
      0x01,
      0x10,
      0xaa,
      0x00,
      0x00, // one-byte extension, one word
      0x11,
      0x22,
      0x33, // payload
      0x00,
      0x00,
      0x03, // 3 octets of padding
    ]);
    const parsed = parseRtpPacket(data);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.packet.header.csrc).toEqual([42]);
    expect([...parsed.packet.payload]).toEqual([0x11, 0x22, 0x33]);
  });

  it('refuses what RFC 3550 §A.1 calls invalid', () => {
    const good = serializeRtpPacket({
      payloadType: 0,
      marker: false,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      payload: Uint8Array.of(1, 2, 3, 4),
    });
    expect(parseRtpPacket(good.subarray(0, 11))).toEqual({ ok: false, error: 'truncated' });
    const version1 = Buffer.from(good);
    version1[0] = 0x40;
    expect(parseRtpPacket(version1)).toEqual({ ok: false, error: 'bad-version' });
    const csrcs = Buffer.from(good);
    csrcs[0] = 0x82; // two CSRCs announced, only four octets follow
    expect(parseRtpPacket(csrcs)).toEqual({ ok: false, error: 'truncated' });
    const extension = Buffer.from(good);
    extension[0] = 0x90; // an extension header whose length runs past the end
    expect(parseRtpPacket(extension)).toEqual({ ok: false, error: 'truncated' });
    const zeroPadding = Buffer.from(good);
    zeroPadding[0] = 0xa0;
    zeroPadding[15] = 0;
    expect(parseRtpPacket(zeroPadding)).toEqual({ ok: false, error: 'bad-padding' });
    const overPadding = Buffer.from(good);
    overPadding[0] = 0xa0;
    overPadding[15] = 5;
    expect(parseRtpPacket(overPadding)).toEqual({ ok: false, error: 'bad-padding' });
    const rtcpLike = Buffer.from(good);
    rtcpLike[1] = 72; // SR (200) with the marker bit taken away
    expect(parseRtpPacket(rtcpLike)).toEqual({ ok: false, error: 'rtcp-payload-type' });
  });
});
