/**
 * SrtpSender / SrtpReceiver: round trips for both suites, werift's AES_CM_128_HMAC_SHA1_80 as an
 * independent second implementation (its packets open here, ours there), the §3.3.1 index estimate
 * across sequence wraps, the §3.3.2 replay list, and tampered or truncated packets.
 */
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from 'werift';
import {
  SrtpReceiver,
  SrtpReplayWindow,
  SrtpSender,
  estimateRoc,
  rtpHeaderLength,
  serializeRtpPacket,
} from '../../../../src-main/media/rtp/index.ts';
import type { SrtpSuite } from '../../../../src-main/media/rtp/index.ts';

const KEY_A = Buffer.from('E1F97A0D3E018BE0D64FA32C06DE41390EC675AD498AFEEBB6960B3AABE6', 'hex');
const KEY_B = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d', 'hex');

function rtp(seq: number, options: { ssrc?: number; payload?: Buffer } = {}): Buffer {
  return serializeRtpPacket({
    payloadType: 0,
    sequenceNumber: seq,
    timestamp: seq * 160,
    ssrc: options.ssrc ?? 0x11223344,
    marker: false,
    payload: options.payload ?? Buffer.alloc(160, seq & 0xff),
  });
}

/** An RTCP RR with one report block and an SDES CNAME (a compound packet as RtpSession sends). */
function rtcp(ssrc = 0x11223344): Buffer {
  const rr = Buffer.alloc(32);
  rr.writeUInt8(0x81, 0);
  rr.writeUInt8(201, 1);
  rr.writeUInt16BE(7, 2);
  rr.writeUInt32BE(ssrc, 4);
  rr.writeUInt32BE(0xcafef00d, 8);
  const sdes = Buffer.from('81ca000311223344010474657374000000', 'hex').subarray(0, 16);
  sdes.writeUInt32BE(ssrc, 4);
  return Buffer.concat([rr, sdes]);
}

function pair(suite: SrtpSuite = 'AES_CM_128_HMAC_SHA1_80'): { tx: SrtpSender; rx: SrtpReceiver } {
  return { tx: new SrtpSender(suite, KEY_A), rx: new SrtpReceiver(suite, KEY_A) };
}

describe('SRTP round trips', () => {
  it('AES_CM_128_HMAC_SHA1_80: header in clear, payload encrypted, 10-octet tag; opens to the same packet', () => {
    const { tx, rx } = pair();
    const plain = rtp(1000);
    const wire = tx.protectRtp(plain);
    expect(wire).toHaveLength(plain.length + 10);
    expect(wire.subarray(0, 12)).toEqual(plain.subarray(0, 12));
    expect(wire.subarray(12, 12 + 160).equals(plain.subarray(12))).toBe(false);
    expect(rx.unprotectRtp(wire)).toEqual({ ok: true, packet: plain });
  });

  it('AES_CM_128_HMAC_SHA1_32: a 4-octet SRTP tag and the 10-octet SRTCP tag (RFC 4568 \u00a76.2.2)', () => {
    const { tx, rx } = pair('AES_CM_128_HMAC_SHA1_32');
    const plain = rtp(7);
    const wire = tx.protectRtp(plain);
    expect(wire).toHaveLength(plain.length + 4);
    expect(rx.unprotectRtp(wire)).toEqual({ ok: true, packet: plain });
    const report = rtcp();
    const srtcp = tx.protectRtcp(report);
    expect(srtcp).toHaveLength(report.length + 4 + 10);
    expect(rx.unprotectRtcp(srtcp)).toEqual({ ok: true, packet: report });
  });

  it('keeps CSRCs and the extension in the clear header', () => {
    const { tx, rx } = pair();
    // V=2, X=1, CC=2; two CSRCs; a one-word RFC 8285 extension; then 160 octets of payload.
    const plain = Buffer.concat([
      Buffer.from('9200000500000320112233440000000100000002bede000110203040', 'hex'),
      Buffer.alloc(160, 0x55),
    ]);
    expect(rtpHeaderLength(plain)).toBe(28);
    const wire = tx.protectRtp(plain);
    expect(wire.subarray(0, 28)).toEqual(plain.subarray(0, 28));
    expect(wire.subarray(28, 188).equals(plain.subarray(28))).toBe(false);
    expect(rx.unprotectRtp(wire)).toEqual({ ok: true, packet: plain });
  });

  it('SRTCP: E flag set, index from 0 up, the first 8 octets in clear', () => {
    const { tx, rx } = pair();
    const report = rtcp();
    const first = tx.protectRtcp(report);
    const second = tx.protectRtcp(report);
    const trailer = (p: Buffer): number => p.readUInt32BE(p.length - 14);
    expect(trailer(first)).toBe(0x80000000);
    expect(trailer(second)).toBe(0x80000001);
    expect(first.subarray(0, 8)).toEqual(report.subarray(0, 8));
    expect(first.subarray(8, report.length).equals(report.subarray(8))).toBe(false);
    expect(rx.unprotectRtcp(first)).toEqual({ ok: true, packet: report });
    expect(rx.unprotectRtcp(second)).toEqual({ ok: true, packet: report });
  });
});

describe('werift as the second implementation (AES_CM_128_HMAC_SHA1_80)', () => {
  const keys = (local: Buffer, remote: Buffer) => ({
    profile: ProtectionProfileAes128CmHmacSha1_80,
    keys: {
      localMasterKey: local.subarray(0, 16),
      localMasterSalt: local.subarray(16),
      remoteMasterKey: remote.subarray(0, 16),
      remoteMasterSalt: remote.subarray(16),
    },
  });

  it('werift\u2019s SRTP opens here and ours opens in werift, byte for byte', () => {
    const werift = new SrtpSession(keys(KEY_B, KEY_A));
    const ours = {
      tx: new SrtpSender('AES_CM_128_HMAC_SHA1_80', KEY_A),
      rx: new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', KEY_B),
    };
    for (const seq of [100, 101, 102]) {
      const plain = rtp(seq, { ssrc: 0xdecafbad });
      const header = RtpHeader.deSerialize(plain);
      const fromWerift = werift.encrypt(plain.subarray(12), header);
      expect(ours.rx.unprotectRtp(fromWerift)).toEqual({ ok: true, packet: plain });
      const fromUs = ours.tx.protectRtp(plain);
      expect(werift.decrypt(fromUs)).toEqual(plain);
    }
    // Same key, same packet: the same bytes on the wire from both.
    const sameKey = new SrtpSession(keys(KEY_A, KEY_A));
    const plain = rtp(200, { ssrc: 0xdecafbad });
    expect(new SrtpSender('AES_CM_128_HMAC_SHA1_80', KEY_A).protectRtp(plain)).toEqual(
      sameKey.encrypt(plain.subarray(12), RtpHeader.deSerialize(plain)),
    );
  });

  it('werift\u2019s SRTCP opens here and ours opens in werift', () => {
    const werift = new SrtcpSession(keys(KEY_B, KEY_A));
    const rx = new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', KEY_B);
    const tx = new SrtpSender('AES_CM_128_HMAC_SHA1_80', KEY_A);
    const report = rtcp(0xdecafbad);
    expect(rx.unprotectRtcp(werift.encrypt(report))).toEqual({ ok: true, packet: report });
    expect(werift.decrypt(tx.protectRtcp(report))).toEqual(report);
  });
});

describe('the packet index across sequence wraps (RFC 3711 \u00a73.3.1)', () => {
  it('estimates v from ROC and s_l as the four cases of the RFC', () => {
    expect(estimateRoc(3, 100, 200)).toBe(3);
    expect(estimateRoc(3, 100, 65_000)).toBe(2); // s_l < 2^15, SEQ − s_l > 2^15: from before the wrap
    expect(estimateRoc(3, 65_000, 10)).toBe(4); // s_l ≥ 2^15, s_l − 2^15 > SEQ: after the wrap
    expect(estimateRoc(3, 65_000, 64_000)).toBe(3);
  });

  it('follows the stream through two wraps; the ROC is in the tag (a receiver that missed the wraps fails)', () => {
    const { tx, rx } = pair();
    let last: Buffer | undefined;
    let seq = 65_000;
    for (let n = 0; n < 140; n++) {
      const plain = rtp(seq);
      last = tx.protectRtp(plain);
      expect(rx.unprotectRtp(last)).toEqual({ ok: true, packet: plain });
      seq = (seq + 997) & 0xffff;
    }
    // 140 × 997 from 65 000: past 2 × 65 536, so the sender's ROC is 2 and the tag covers it.
    const latecomer = new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', KEY_A);
    expect(latecomer.unprotectRtp(last!)).toEqual({ ok: false, reason: 'authentication' });
  });

  it('a late packet from before the wrap (v = ROC − 1) opens once', () => {
    const tx = new SrtpSender('AES_CM_128_HMAC_SHA1_80', KEY_A);
    const rx = new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', KEY_A);
    const sent = [65_532, 65_533, 65_534, 65_535, 0, 1].map((seq) => tx.protectRtp(rtp(seq)));
    // Arrival order 65 532, 0, 1, then 65 533 (late, sent with ROC 0 while the receiver's ROC is 1).
    for (const i of [0, 4, 5, 1]) expect(rx.unprotectRtp(sent[i]!).ok).toBe(true);
    expect(rx.unprotectRtp(sent[1]!)).toEqual({ ok: false, reason: 'replay' });
    expect(rx.unprotectRtp(sent[3]!)).toEqual({ ok: true, packet: rtp(65_535) });
  });

  it('a forged packet that would move the ROC moves nothing', () => {
    const { tx, rx } = pair();
    expect(rx.unprotectRtp(tx.protectRtp(rtp(40_000))).ok).toBe(true);
    // seq 100 after 40 000 would mean ROC + 1: forged (garbage tag), it must not advance anything.
    const forged = tx.protectRtp(rtp(100));
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 0xff;
    expect(rx.unprotectRtp(forged)).toEqual({ ok: false, reason: 'authentication' });
    const next = rtp(40_001);
    expect(rx.unprotectRtp(tx.protectRtp(next))).toEqual({ ok: true, packet: next });
  });
});

describe('drops', () => {
  it('a flipped bit in header, payload or tag fails authentication', () => {
    const { tx, rx } = pair();
    const wire = tx.protectRtp(rtp(1));
    for (const at of [1, 8, 20, wire.length - 1]) {
      const tampered = Buffer.from(wire);
      tampered[at] = tampered[at]! ^ 0x01;
      expect(rx.unprotectRtp(tampered)).toEqual({ ok: false, reason: 'authentication' });
    }
    // The genuine packet still opens afterwards: the failures changed no state.
    expect(rx.unprotectRtp(wire).ok).toBe(true);
  });

  it('plain RTP, a packet under another key, and garbage never open', () => {
    const { rx } = pair();
    expect(rx.unprotectRtp(rtp(1))).toEqual({ ok: false, reason: 'authentication' });
    expect(rx.unprotectRtp(new SrtpSender('AES_CM_128_HMAC_SHA1_80', KEY_B).protectRtp(rtp(2)))).toEqual({
      ok: false,
      reason: 'authentication',
    });
    expect(rx.unprotectRtp(Buffer.alloc(12 + 10, 0x80))).toEqual({ ok: false, reason: 'authentication' });
    expect(rx.unprotectRtp(Buffer.alloc(12 + 9, 0x80))).toEqual({ ok: false, reason: 'malformed' });
    expect(rx.unprotectRtp(Buffer.from([0x80, 0, 0, 1]))).toEqual({ ok: false, reason: 'malformed' });
    expect(rx.unprotectRtp(Buffer.alloc(30))).toEqual({ ok: false, reason: 'malformed' }); // version 0
    expect(rx.unprotectRtp(Buffer.concat([Buffer.from([0x8f]), Buffer.alloc(40)]))).toEqual({
      ok: false,
      reason: 'malformed',
    }); // 15 CSRCs announced, 11 present
    expect(rx.unprotectRtcp(Buffer.alloc(21, 0x80))).toEqual({ ok: false, reason: 'malformed' });
    expect(rx.unprotectRtcp(rtcp())).toEqual({ ok: false, reason: 'authentication' });
  });

  it('a replayed SRTP or SRTCP packet is dropped; out-of-order but new ones pass', () => {
    const { tx, rx } = pair();
    const sent = [10, 11, 12, 13].map((seq) => tx.protectRtp(rtp(seq)));
    for (const i of [0, 2, 1, 3]) expect(rx.unprotectRtp(sent[i]!).ok).toBe(true);
    for (const packet of sent) expect(rx.unprotectRtp(packet)).toEqual({ ok: false, reason: 'replay' });
    const reports = [tx.protectRtcp(rtcp()), tx.protectRtcp(rtcp())];
    expect(rx.unprotectRtcp(reports[1]!).ok).toBe(true);
    expect(rx.unprotectRtcp(reports[0]!).ok).toBe(true);
    expect(rx.unprotectRtcp(reports[1]!)).toEqual({ ok: false, reason: 'replay' });
  });

  it('a packet older than the 128-packet window is dropped even if never seen', () => {
    const { tx, rx } = pair();
    const old = tx.protectRtp(rtp(1));
    for (let seq = 2; seq <= 200; seq++) expect(rx.unprotectRtp(tx.protectRtp(rtp(seq))).ok).toBe(true);
    expect(rx.unprotectRtp(old)).toEqual({ ok: false, reason: 'replay' });
  });

  it('each SSRC has its own state', () => {
    const { tx, rx } = pair();
    const a = tx.protectRtp(rtp(500, { ssrc: 1 }));
    const b = tx.protectRtp(rtp(500, { ssrc: 2 }));
    expect(rx.unprotectRtp(a).ok).toBe(true);
    expect(rx.unprotectRtp(b).ok).toBe(true);
    expect(rx.unprotectRtp(b)).toEqual({ ok: false, reason: 'replay' });
  });
});

describe('SrtpReplayWindow (RFC 3711 \u00a73.3.2)', () => {
  it('reports fresh, replayed and too-old exactly at the window edges', () => {
    const w = new SrtpReplayWindow(64);
    expect(w.check(1000)).toBe('fresh');
    w.accept(1000);
    expect(w.check(1000)).toBe('replayed');
    expect(w.check(937)).toBe('fresh'); // 63 behind: inside
    expect(w.check(936)).toBe('too-old'); // 64 behind: outside
    w.accept(1100); // jump past the whole window
    expect(w.check(1000)).toBe('too-old');
    expect(w.check(1099)).toBe('fresh');
    w.accept(1099);
    expect(w.check(1099)).toBe('replayed');
    expect(w.top).toBe(1100);
    expect(() => new SrtpReplayWindow(32)).toThrow(/at least 64/);
  });
});
