import { describe, expect, it } from 'vitest';
import { SrtpProtection, serializeRtpPacket } from '../../../../src-main/media/rtp/index.ts';
import type { SrtpKeys } from '../../../../src-main/media/rtp/index.ts';

const key = (fill: number): Buffer => Buffer.alloc(30, fill);

function rtp(seq: number, ssrc = 0x0a0b0c0d): Buffer {
  return serializeRtpPacket({
    payloadType: 8,
    sequenceNumber: seq,
    timestamp: seq * 160,
    ssrc,
    marker: false,
    payload: Buffer.alloc(160, 0xd5),
  });
}

/** Our protection and the peer's, configured with mirrored keys (what both ends' negotiation gives). */
function ends(suite = 'AES_CM_128_HMAC_SHA1_80', ours = key(1), theirs = key(2)) {
  const us: SrtpKeys = { suite, localKey: ours, remoteKey: theirs };
  const peer: SrtpKeys = { suite, localKey: theirs, remoteKey: ours };
  return { us: new SrtpProtection(us), peer: new SrtpProtection(peer) };
}

describe('SrtpProtection', () => {
  it('passes packets through unchanged without keys', () => {
    const plain = new SrtpProtection();
    const packet = rtp(1);
    expect(plain.active).toBe(false);
    expect(plain.protect('rtp', packet)).toBe(packet);
    expect(plain.unprotect('rtp', packet)).toBe(packet);
    expect(plain.stats).toEqual({
      suite: undefined,
      protected: { rtp: 0, rtcp: 0 },
      unprotected: { rtp: 0, rtcp: 0 },
      dropped: { authentication: 0, replay: 0, malformed: 0 },
      rekeys: 0,
    });
  });

  it('protects and unprotects both kinds and counts what it did and dropped', () => {
    const { us, peer } = ends();
    const rtcp = Buffer.from('80c90001' + '0a0b0c0d', 'hex');
    const wire = us.protect('rtp', rtp(1));
    expect(peer.unprotect('rtp', Buffer.from(wire))).toEqual(rtp(1));
    expect(peer.unprotect('rtcp', Buffer.from(us.protect('rtcp', rtcp)))).toEqual(rtcp);
    expect(peer.unprotect('rtp', Buffer.from(wire))).toBeUndefined(); // replay
    expect(peer.unprotect('rtp', rtp(2))).toBeUndefined(); // plain RTP from someone
    expect(peer.unprotect('rtcp', Buffer.alloc(8, 0x80))).toBeUndefined(); // malformed
    expect(us.stats).toMatchObject({ suite: 'AES_CM_128_HMAC_SHA1_80', protected: { rtp: 1, rtcp: 1 } });
    expect(peer.stats).toEqual({
      suite: 'AES_CM_128_HMAC_SHA1_80',
      protected: { rtp: 0, rtcp: 0 },
      unprotected: { rtp: 1, rtcp: 1 },
      dropped: { authentication: 1, replay: 1, malformed: 1 },
      rekeys: 0,
    });
  });

  it('re-keying: the peer\u2019s new key gets a new context; old-key packets in flight still open until the new key is heard', () => {
    const { us, peer } = ends();
    const inFlight = peer.protect('rtp', rtp(10));
    const alsoInFlight = peer.protect('rtp', rtp(11));
    // The peer's re-INVITE carries a new key (RFC 4568 §7.1.4); both ends apply the exchange.
    const peerKeys: SrtpKeys = { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(3), remoteKey: key(1) };
    peer.configure(peerKeys);
    us.configure({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(3) });
    expect(us.stats.rekeys).toBe(1);
    expect(us.unprotect('rtp', Buffer.from(inFlight))).toEqual(rtp(10));
    expect(us.unprotect('rtp', Buffer.from(peer.protect('rtp', rtp(12))))).toEqual(rtp(12));
    // Heard under the new key: the old context is gone.
    expect(us.unprotect('rtp', Buffer.from(alsoInFlight))).toBeUndefined();
    expect(us.stats.dropped.authentication).toBe(1);
  });

  it('the same keys again (a hold re-INVITE) keep both contexts and their state', () => {
    const { us, peer } = ends();
    const first = peer.protect('rtp', rtp(20));
    expect(us.unprotect('rtp', Buffer.from(first))).toEqual(rtp(20));
    us.configure({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(2) });
    expect(us.stats.rekeys).toBe(0);
    expect(us.unprotect('rtp', Buffer.from(first))).toBeUndefined(); // still a replay: same context
    // Our sender kept its SRTCP index: the next report carries index 1, not 0 again.
    const report = Buffer.from('80c90001' + '0a0b0c0d', 'hex');
    us.protect('rtcp', report);
    us.configure({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(2) });
    const second = us.protect('rtcp', report);
    expect(second.subarray(8, 12)).toEqual(Buffer.from('80000001', 'hex'));
  });

  it('returning to an earlier key of ours resumes its sender (no index is ever encrypted twice)', () => {
    const us = new SrtpProtection({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(2) });
    const report = Buffer.from('80c90001' + '0a0b0c0d', 'hex');
    us.protect('rtcp', report);
    us.configure({ suite: 'AES_CM_128_HMAC_SHA1_32', localKey: key(5), remoteKey: key(2) });
    expect(us.suite).toBe('AES_CM_128_HMAC_SHA1_32');
    us.configure({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(2) });
    expect(Buffer.from(us.protect('rtcp', report)).subarray(8, 12)).toEqual(Buffer.from('80000001', 'hex'));
  });

  it('back to plain RTP when a negotiation drops SRTP; an unknown suite is a bug', () => {
    const { us } = ends();
    us.configure(undefined);
    expect(us.active).toBe(false);
    expect(us.protect('rtp', rtp(1))).toEqual(rtp(1));
    expect(() => us.configure({ suite: 'F8_128_HMAC_SHA1_80', localKey: key(1), remoteKey: key(2) })).toThrow(
      /not implemented/,
    );
  });
});
