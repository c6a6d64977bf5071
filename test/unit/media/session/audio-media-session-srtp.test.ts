/**
 * Two AudioMediaSessions over the in-memory network with SDES-SRTP negotiated by the real offer/answer
 * code: tones both ways, the wire carries SRTP/SRTCP, tampered and replayed packets from the peer's own
 * address are dropped (never played), a third party's plain RTP never latches, a re-INVITE with a new
 * crypto line re-keys, and a path handed in from outside (as the ICE agent's is) gets the same protection.
 */
import { describe, expect, it } from 'vitest';
import { SrtpReceiver, SrtpSender, serializeRtpPacket } from '../../../../src-main/media/rtp/index.ts';
import { applyAnswer, createAnswer, createOffer } from '../../../../src-main/sdp/index.ts';
import type { SdesConfig, SdesSuite } from '../../../../src-main/sdp/index.ts';
import type { PacketRecord } from '../../../../src-main/platform/index.ts';
import { A_ADDRESS, NAT_PUBLIC, closeAndCheckLeaks, expectTone, played, startCall } from './call-harness.ts';
import type { Call, Side } from './call-harness.ts';

const ATTACKER = '203.0.113.66';

function keys(
  fill: number,
  suites: readonly SdesSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
) {
  return suites.map((suite, i) => ({ suite, key: new Uint8Array(30).fill(fill + i) }));
}

function sdes(fill: number, suites?: readonly SdesSuite[]): SdesConfig {
  return { policy: 'optional', keys: keys(fill, suites) };
}

/** UDP packets a side sent from its RTP port, after `fromMs`. */
function sentBy(call: Call, side: Side, fromMs = 0): PacketRecord[] {
  return call.net.sent.filter(
    (p) => p.protocol === 'udp' && p.from.port === side.rtpPort && p.sentAt > fromMs,
  );
}

const isAudio = (p: PacketRecord): boolean => p.bytes[0]! >> 6 === 2 && (p.bytes[1]! & 0x7f) === 0;

describe('AudioMediaSession with SRTP', () => {
  it('carries a tone each way; the wire carries only SRTP and SRTCP', async () => {
    const call = await startCall({ srtpA: sdes(1), srtpB: sdes(5) });
    expect(call.a.media.srtp).toMatchObject({ suite: 'AES_CM_128_HMAC_SHA1_80', tag: 1 });
    call.clock.advance(8000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);

    const a = call.a.session.stats();
    expect(a.srtp).toMatchObject({
      suite: 'AES_CM_128_HMAC_SHA1_80',
      dropped: { authentication: 0, replay: 0, malformed: 0 },
      rekeys: 0,
    });
    expect(a.srtp.protected.rtp).toBe(a.packetsSent);
    expect(a.srtp.unprotected.rtp).toBe(a.packetsReceived);
    // SRTCP both ways: reports went out and came back (RTT known).
    expect(a.srtp.protected.rtcp).toBeGreaterThanOrEqual(1);
    expect(a.srtp.unprotected.rtcp).toBeGreaterThanOrEqual(1);
    expect(a.rtcp.received).toBe(a.srtp.unprotected.rtcp);
    expect(a.rttMs).toBeDefined();

    // On the wire: 12-octet header, 160 encrypted octets, 10-octet tag; only B's view of A's key opens it.
    const audio = sentBy(call, call.a).filter(isAudio);
    expect(audio.length).toBe(a.packetsSent);
    expect(new Set(audio.map((p) => p.bytes.length))).toEqual(new Set([182]));
    const opener = new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', call.a.media.srtp!.localKey);
    const opened = opener.unprotectRtp(audio[10]!.bytes);
    expect(opened.ok).toBe(true);
    expect(
      new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', call.a.media.srtp!.remoteKey).unprotectRtp(
        audio[11]!.bytes,
      ),
    ).toEqual({ ok: false, reason: 'authentication' });
    // The plain audio is not on the wire: the encrypted payload differs from the packet it opens to.
    expect(
      Buffer.from(audio[10]!.bytes)
        .subarray(12, 172)
        .equals(opened.ok ? opened.packet.subarray(12) : Buffer.alloc(0)),
    ).toBe(false);
    closeAndCheckLeaks(call);
  });

  it('AES_CM_128_HMAC_SHA1_32 when the answerer has only that: 4-octet tags on RTP', async () => {
    const call = await startCall({ srtpA: sdes(1), srtpB: sdes(5, ['AES_CM_128_HMAC_SHA1_32']) });
    expect(call.b.media.srtp).toMatchObject({ suite: 'AES_CM_128_HMAC_SHA1_32', tag: 2 });
    call.clock.advance(2000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    expect(
      new Set(
        sentBy(call, call.b)
          .filter(isAudio)
          .map((p) => p.bytes.length),
      ),
    ).toEqual(new Set([176]));
    closeAndCheckLeaks(call);
  });

  it('drops a tampered and a replayed packet from the peer\u2019s own address; neither is played', async () => {
    const call = await startCall({ srtpA: sdes(1), srtpB: sdes(5), toneB: 600 });
    call.clock.advance(1000);
    const captured = sentBy(call, call.b).filter(isAudio);
    const lastSeq = Buffer.from(captured.at(-1)!.bytes).readUInt16BE(2);
    const ssrc = Buffer.from(captured.at(-1)!.bytes).readUInt32BE(8);
    // B goes away; its address and port now belong to the test, which holds B's key.
    call.b.session.close();
    const impostor = await call.b.host.bindDatagram({ family: 4, port: call.b.rtpPort });
    const bKey = new SrtpSender('AES_CM_128_HMAC_SHA1_80', call.b.media.srtp!.localKey);
    const loud = Buffer.alloc(160, 0x10);
    const next = (seq: number): Buffer =>
      bKey.protectRtp(
        serializeRtpPacket({
          payloadType: 0,
          marker: false,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc,
          payload: loud,
        }),
      );
    const to = { address: A_ADDRESS, port: call.a.rtpPort, family: 4 as const };
    const before = call.a.session.stats();

    const tampered = next(lastSeq + 1);
    tampered[40] = tampered[40]! ^ 0x10;
    impostor.send(tampered, to);
    impostor.send(Buffer.from(captured.at(-1)!.bytes), to); // a replay of what B really sent
    impostor.send(Buffer.from(captured[3]!.bytes), to); // and an old one
    call.clock.advance(100);
    let after = call.a.session.stats();
    expect(after.packetsReceived).toBe(before.packetsReceived);
    expect(after.srtp.dropped).toEqual({ authentication: 1, replay: 2, malformed: 0 });
    expect(after.latching?.dropped.unauthenticated).toBe(3);

    // The genuine packet for that sequence number still gets in (the failures changed no state).
    impostor.send(next(lastSeq + 1), to);
    call.clock.advance(100);
    after = call.a.session.stats();
    expect(after.packetsReceived).toBe(before.packetsReceived + 1);
    impostor.close();
    closeAndCheckLeaks(call);
  });

  it('a third party\u2019s plain RTP, sent before the peer\u2019s first packet, never latches', async () => {
    // B is behind a NAT (its SDP names its private address), so A must latch to find it.
    const call = await startCall({
      srtpA: sdes(1),
      srtpB: sdes(5),
      natForB: { portPreservation: false, firstPort: 41_000 },
      toneB: 600,
    });
    const attacker = await call.net.host(ATTACKER).bindDatagram({ family: 4, port: 5000 });
    const to = { address: A_ADDRESS, port: call.a.rtpPort, family: 4 as const };
    const noise = Buffer.alloc(160, 0x20);
    for (let seq = 0; seq < 50; seq++)
      attacker.send(
        serializeRtpPacket({
          payloadType: 0,
          marker: false,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc: 0x666,
          payload: noise,
        }),
        to,
      );
    call.clock.advance(3000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const a = call.a.session.stats();
    expect(a.route.remote).toEqual({ address: NAT_PUBLIC, port: 41_000, family: 4 });
    expect(a.latching).toMatchObject({ latches: 1, dropped: { unauthenticated: 50 } });
    expect(a.srtp.dropped.authentication).toBe(50);
    attacker.close();
    closeAndCheckLeaks(call);
  });

  it('re-keys on a re-INVITE with a new crypto line; audio goes on both ways', async () => {
    const call = await startCall({ srtpA: sdes(1), srtpB: sdes(5) });
    call.clock.advance(2000);
    // A re-offers with new keys (RFC 4568 §7.1.4); B answers with its own (unchanged) key.
    const reoffer = createOffer({ ...call.a.config, srtp: sdes(9) }, call.a.sdp);
    const reanswer = createAnswer(reoffer, call.b.config, call.b.sdp);
    if (!reanswer.ok) throw new Error(reanswer.failure.detail);
    const applied = applyAnswer(reoffer, reanswer.answer);
    if (!applied.ok) throw new Error(applied.failure.detail);
    expect(applied.media.srtp?.localKey).toEqual(new Uint8Array(30).fill(9));
    expect(applied.media.srtp?.remoteKey).toEqual(call.a.media.srtp?.remoteKey);
    call.b.session.update(reanswer.media);
    call.a.session.update(applied.media);
    const sentBefore = call.a.session.stats().packetsSent;
    call.clock.advance(2000);

    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const b = call.b.session.stats();
    expect(b.srtp.rekeys).toBe(1);
    expect(b.srtp.dropped).toEqual({ authentication: 0, replay: 0, malformed: 0 });
    expect(call.a.session.stats().srtp.rekeys).toBe(0);
    // What A sends now opens only under the new key.
    const latest = sentBy(call, call.a).filter(isAudio).at(-1)!;
    expect(
      new SrtpReceiver('AES_CM_128_HMAC_SHA1_80', new Uint8Array(30).fill(9)).unprotectRtp(latest.bytes).ok,
    ).toBe(true);
    expect(call.a.session.stats().packetsSent - sentBefore).toBe(100);
    closeAndCheckLeaks(call);
  });

  it('protects a path handed in from outside (as the ICE agent\u2019s is)', async () => {
    const call = await startCall({ srtpA: sdes(1), srtpB: sdes(5), externalPathForA: true });
    call.clock.advance(2000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    expect(call.a.session.stats().srtp).toMatchObject({ suite: 'AES_CM_128_HMAC_SHA1_80', rekeys: 0 });
    expect(
      new Set(
        sentBy(call, call.a)
          .filter(isAudio)
          .map((p) => p.bytes.length),
      ),
    ).toEqual(new Set([182]));
    call.close();
    call.a.externalSocket?.close();
    call.clock.advance(5000);
    expect(call.clock.pendingTimers()).toBe(0);
    expect(call.net.openSockets()).toBe(0);
  });
});
