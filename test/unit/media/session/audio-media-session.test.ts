import { describe, expect, it } from 'vitest';
import {
  RtcpByePacket,
  parseRtcpCompound,
  serializeRtpPacket,
} from '../../../../src-main/media/rtp/index.ts';
import { PCMU } from '../../../../src-main/media/codec/index.ts';
import { ToneGenerator, dominantFrequency } from '../../../../src-main/media/audio/index.ts';
import type { PacketRecord } from '../../../../src-main/platform/index.ts';
import { DEFAULT_AUDIO_CODECS, createOffer, holdOffer, resumeOffer } from '../../../../src-main/sdp/index.ts';
import {
  A_ADDRESS,
  NAT_PUBLIC,
  closeAndCheckLeaks,
  expectSilence,
  expectTone,
  played,
  startCall,
} from './call-harness.ts';
import type { Call, Side } from './call-harness.ts';

/** RTP audio packets (payload type 0/8) a side put on the wire after `fromMs`. */
function audioSentBy(call: Call, side: Side, fromMs = 0): PacketRecord[] {
  return call.net.sent.filter((p) => {
    if (p.protocol !== 'udp' || p.from.port !== side.rtpPort || p.sentAt <= fromMs) return false;
    const pt = p.bytes[1]! & 0x7f;
    return p.bytes[0]! >> 6 === 2 && (p.bytes[1]! < 192 || p.bytes[1]! > 223) && (pt === 0 || pt === 8);
  });
}

describe('AudioMediaSession: audio both ways', () => {
  it('carries a tone each way at once (1000 Hz A→B, 600 Hz B→A)', async () => {
    const call = await startCall();
    call.clock.advance(3000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const a = call.a.session.stats();
    expect(a).toMatchObject({
      direction: 'sendrecv',
      codec: 'PCMU',
      ptime: 20,
      packetsSent: 150,
      packetsLost: 0,
      jitterMs: 0,
    });
    expect(a.packetsReceived).toBeGreaterThanOrEqual(148);
    expect(a.bytesSent).toBe(150 * 160);
    expect(a.route).toMatchObject({
      remote: { address: '203.0.113.20', port: call.b.rtpPort },
      kind: 'latched',
      relayed: false,
    });
    expect(a.remoteCname).toBe('B@test');
    closeAndCheckLeaks(call);
  });

  it('resamples between 48 kHz ports and the 8 kHz codec, with RTCP on its own port', async () => {
    const call = await startCall({ sampleRate: 48_000, rtcpMux: false, toneA: 440, toneB: 1500 });
    expect(call.a.media.rtcpMux).toBe(false);
    call.clock.advance(12_000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 48_000, 440);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 48_000, 1500);
    expect(call.a.session.stats().rtcp.received).toBeGreaterThanOrEqual(2);
    expect(call.a.session.stats().route.remoteRtcp.port).toBe(call.b.rtpPort + 1);
    closeAndCheckLeaks(call);
  });

  it('keeps a 20% lossy stream recognisable, and both measurements show the loss', async () => {
    const call = await startCall({ conditions: { drop: 0.2 }, seed: 3 });
    call.clock.advance(30_000);
    const b = played(call.b.speaker, { lastMs: 2000 });
    expect(Math.abs(expectDominant(b) - 1000)).toBeLessThan(5);
    const a = call.a.session.stats();
    const bStats = call.b.session.stats();
    // Our measurement of the peer's stream, and the peer's report (RTCP) of ours.
    // (±4 points: about four standard deviations of a 20% loss over 1500 packets.)
    expect(a.lossPct).toBeGreaterThan(16);
    expect(a.lossPct).toBeLessThan(24);
    expect(a.remote?.lossPct).toBeGreaterThan(16);
    expect(a.remote?.lossPct).toBeLessThan(24);
    // What B reported about A's stream (RTCP) agrees with what B measured.
    expect(Math.abs(a.remote!.lossPct - bStats.lossPct)).toBeLessThan(3);
    expect(bStats.playout?.concealment.erasures).toBeGreaterThan(0);
    closeAndCheckLeaks(call);
  });

  it('measures a 200 ms round trip from RTCP over 100 ms each way', async () => {
    const call = await startCall({ conditions: { delayMs: 100 } });
    call.clock.advance(15_000);
    expect(call.a.session.stats().rttMs).toBeCloseTo(200, 1);
    expect(call.b.session.stats().rttMs).toBeCloseTo(200, 1);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    closeAndCheckLeaks(call);
  });

  it('copes with jitter and reordering in the jitter buffer', async () => {
    const call = await startCall({ conditions: { delayMs: 30, jitterMs: 60, reorder: 0.05 }, seed: 11 });
    call.clock.advance(20_000);
    expectTone(played(call.b.speaker, { lastMs: 2000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 2000 }), 8000, 600);
    const b = call.b.session.stats();
    expect(b.jitterMs).toBeGreaterThan(5);
    expect(b.packetsLost).toBe(0);
    const playout = b.playout!;
    expect(playout.jitter.targetDelayMs).toBeGreaterThan(40);
    // Late packets (played as concealment) stay rare once the buffer adapted.
    expect(playout.jitter.late).toBeLessThan(b.packetsReceived * 0.03);
    closeAndCheckLeaks(call);
  });

  it('sends encoded silence while muted and the tone again after unmuting', async () => {
    const call = await startCall();
    call.clock.advance(1000);
    call.a.session.setMuted(true);
    const before = call.a.session.stats().packetsSent;
    call.clock.advance(2000);
    expect(call.a.session.stats().packetsSent - before).toBe(100);
    expectSilence(played(call.b.speaker, { lastMs: 1000 }));
    call.a.session.setMuted(false);
    call.clock.advance(1500);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    closeAndCheckLeaks(call);
  });
});

describe('AudioMediaSession: packetization and transports', () => {
  it('sends the ptime the peer asked for (40 ms) from 20 ms audio frames', async () => {
    const call = await startCall({ ptimeB: 40 });
    expect(call.a.media.ptime).toBe(40);
    call.clock.advance(2000);
    const packets = audioSentBy(call, call.a, 1000);
    expect(packets.map((p) => p.sentAt - packets[0]!.sentAt).slice(0, 4)).toEqual([0, 40, 80, 120]);
    expect(packets.every((p) => p.bytes.length === 12 + 320)).toBe(true);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    closeAndCheckLeaks(call);
  });

  it('runs on a MediaPath built by someone else (as the ICE agent will) and detaches from it on close', async () => {
    const call = await startCall({ externalPathForA: true });
    call.clock.advance(2000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const path = call.a.externalPath!;
    expect(path.listenerCount).toBeGreaterThan(0);
    call.a.session.close();
    expect(path.listenerCount).toBe(0);
    expect(call.a.externalSocket!.listenerCount).toBe(0);
    // The sockets belong to whoever built the path.
    expect(call.a.externalSocket!.closed).toBe(false);
    call.a.externalSocket!.close();
    closeAndCheckLeaks(call);
  });
});

describe('AudioMediaSession: latching', () => {
  it('reaches a peer behind a NAT that advertised its private address, both ways', async () => {
    const call = await startCall({ natForB: {} });
    expect(call.a.media.remoteRtp.address).toBe('10.0.0.2');
    call.clock.advance(3000);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const a = call.a.session.stats();
    expect(a.route.remote).toEqual({ address: NAT_PUBLIC, port: call.b.rtpPort, family: 4 });
    expect(a.latching).toMatchObject({ state: 'latched', latches: 1 });
    // Before latching, A's first packets went to the private address and were lost.
    expect(call.net.sent.some((p) => p.from.port === call.a.rtpPort && p.dropReason === 'no-route')).toBe(
      true,
    );
    closeAndCheckLeaks(call);
  });

  it('latches RTCP on its own port too, so reports and RTT flow across the NAT', async () => {
    const call = await startCall({ natForB: { portPreservation: false, firstPort: 40_000 }, rtcpMux: false });
    call.clock.advance(15_000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    const a = call.a.session.stats();
    expect(a.route.remote.address).toBe(NAT_PUBLIC);
    expect(a.route.remoteRtcp.address).toBe(NAT_PUBLIC);
    expect(a.route.remoteRtcp.port).not.toBe(a.route.remote.port);
    expect(a.rttMs).toBeDefined();
    expect(call.b.session.stats().rttMs).toBeDefined();
    closeAndCheckLeaks(call);
  });

  it('drops and counts RTP a third host injects with the peer SSRC and payload type', async () => {
    const call = await startCall();
    call.clock.advance(1000);
    const a = call.a.session.stats();
    const victimSsrc = a.remoteSsrc!;
    const intruder = call.net.host('203.0.113.66');
    const socket = await intruder.bindDatagram({ family: 4, port: 5004 });
    const loud = new ToneGenerator({ sampleRate: 8000, frequencyHz: 3000, amplitude: 0.9 });
    const discardedBefore = a.discarded;
    for (let i = 0; i < 100; i++) {
      call.clock.advance(20);
      const packet = serializeRtpPacket({
        payloadType: 0,
        marker: false,
        sequenceNumber: 40_000 + i,
        timestamp: 1_000_000 + 160 * i,
        ssrc: victimSsrc,
        payload: PCMU.encode(loud.readFrame()!),
      });
      socket.send(packet, { address: A_ADDRESS, port: call.a.rtpPort, family: 4 });
    }
    call.clock.advance(500);
    const after = call.a.session.stats();
    expect(after.latching?.dropped.foreignSource).toBe(100);
    expect(after.discarded).toEqual(discardedBefore);
    expectTone(played(call.a.speaker, { lastMs: 1500 }), 8000, 600);
    socket.close();
    closeAndCheckLeaks(call);
  });
});

describe('AudioMediaSession: hold and resume', () => {
  it('stops audio on hold (sendonly), keeps RTCP and keepalives, and flows both ways after resume', async () => {
    const call = await startCall();
    call.clock.advance(2000);
    call.reinvite((previous) => holdOffer(previous, 'sendonly'));
    expect([call.a.session.direction, call.b.session.direction]).toEqual(['sendonly', 'recvonly']);
    const holdAt = call.clock.monotonic();
    const rtcpAtHold = call.b.session.stats().rtcp.sent;
    call.clock.advance(20_000);
    // B, held, sent no audio — only RFC 6263 keepalives (one at once, then every 15 s).
    expect(audioSentBy(call, call.b, holdAt)).toHaveLength(0);
    const keepalives = call.net.sent.filter(
      (p) => p.from.port === call.b.rtpPort && p.sentAt >= holdAt && (p.bytes[1]! & 0x7f) === 127,
    );
    expect(keepalives.map((p) => p.sentAt - holdAt)).toEqual([0, 15_000]);
    // A does not play what it does not want; B still hears A (music on hold, here the tone).
    expectSilence(played(call.a.speaker, { lastMs: 1000 }));
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    // RTCP went on during the hold (RFC 3264 §5.1): about one report every 4–5 s from each side.
    expect(call.b.session.stats().rtcp.sent - rtcpAtHold).toBeGreaterThanOrEqual(3);

    call.reinvite((previous) => resumeOffer(previous));
    expect([call.a.session.direction, call.b.session.direction]).toEqual(['sendrecv', 'sendrecv']);
    const resumeAt = call.clock.monotonic();
    call.clock.advance(2000);
    expectTone(played(call.a.speaker, { fromMs: resumeAt + 500, toMs: resumeAt + 2000 }), 8000, 600);
    expectTone(played(call.b.speaker, { fromMs: resumeAt + 500, toMs: resumeAt + 2000 }), 8000, 1000);
    closeAndCheckLeaks(call);
  });

  it('survives an inactive hold during which the held peer NAT mapping changed (re-INVITE relearns)', async () => {
    // B behind a NAT whose idle UDP mappings expire after 10 s and which never reuses a port; B sends no
    // keepalives and RTCP has its own port, so nothing refreshes B's RTP mapping while on hold.
    const call = await startCall({
      natForB: { bindingLifetimeMs: 10_000, portPreservation: false, firstPort: 40_000 },
      rtcpMux: false,
      sessionB: { keepalive: false },
    });
    call.clock.advance(2000);
    const before = call.a.session.stats().route.remote;
    call.reinvite((previous) => holdOffer(previous, 'inactive'));
    expect([call.a.session.direction, call.b.session.direction]).toEqual(['inactive', 'inactive']);
    const holdAt = call.clock.monotonic();
    call.clock.advance(30_000);
    expect(audioSentBy(call, call.a, holdAt)).toHaveLength(0);
    expect(audioSentBy(call, call.b, holdAt)).toHaveLength(0);
    // RTCP went on both ways.
    expect(call.a.session.stats().rtcp.received).toBeGreaterThan(5);

    call.reinvite((previous) => resumeOffer(previous));
    const resumeAt = call.clock.monotonic();
    call.clock.advance(3000);
    const after = call.a.session.stats().route.remote;
    expect(after.address).toBe(NAT_PUBLIC);
    expect(after.port).not.toBe(before.port);
    expectTone(played(call.a.speaker, { fromMs: resumeAt + 500, toMs: resumeAt + 3000 }), 8000, 600);
    expectTone(played(call.b.speaker, { fromMs: resumeAt + 500, toMs: resumeAt + 3000 }), 8000, 1000);
    // Both jitter buffers started a fresh timeline for the resumed stream.
    expect(call.a.session.stats().playout?.jitter.received).toBeLessThan(160);
    closeAndCheckLeaks(call);
  });

  it('switches codec on a re-INVITE and keeps the audio going', async () => {
    const call = await startCall();
    call.clock.advance(1000);
    // A re-offer with PCMA only (same session: createOffer bumps the version of A's last description).
    const pcmaOnly = { ...call.a.config, codecs: DEFAULT_AUDIO_CODECS.filter((c) => c.name === 'PCMA') };
    call.reinvite((previous) => createOffer(pcmaOnly, previous, call.b.sdp));
    expect(call.a.session.stats().codec).toBe('PCMA');
    const switchAt = call.clock.monotonic();
    call.clock.advance(2000);
    const sentPts = new Set(audioSentBy(call, call.a, switchAt + 20).map((p) => p.bytes[1]! & 0x7f));
    expect([...sentPts]).toEqual([8]);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expectTone(played(call.a.speaker, { lastMs: 1000 }), 8000, 600);
    closeAndCheckLeaks(call);
  });
});

describe('AudioMediaSession: DTMF', () => {
  it('delivers each digit exactly once with its duration, and the audio resumes after them', async () => {
    const call = await startCall();
    const heard: string[] = [];
    call.b.session.onDtmf((digit, durationMs) => heard.push(`${digit}:${durationMs}`));
    call.clock.advance(500);
    expect(call.a.session.sendDtmf('1a#*', 120)).toEqual({ ok: true });
    call.clock.advance(3000);
    expect(heard).toEqual(['1:120', 'A:120', '#:120', '*:120']);
    expectTone(played(call.b.speaker, { lastMs: 1000 }), 8000, 1000);
    expect(call.a.session.stats().dtmf).toEqual({ sent: 4, received: 0, aborted: 0 });
    closeAndCheckLeaks(call);
  });

  it('still reports each key once when its first packet and most end packets are lost', async () => {
    const call = await startCall();
    const heard: string[] = [];
    call.b.session.onDtmf((digit, durationMs) => heard.push(`${digit}:${durationMs}`));
    call.clock.advance(500);
    const isEvent = (p: PacketRecord): boolean =>
      p.from.port === call.a.rtpPort && (p.bytes[1]! & 0x7f) === 101;
    let events = 0;
    // Drop the first packet of key 1 (event packets 0…6: 4 updates + 3 end packets for 100 ms)
    // and the first two end packets of key 2.
    const rule = call.net.dropWhere((p) => {
      if (!isEvent(p)) return false;
      const index = events++;
      return index === 0 || index === 7 + 4 || index === 7 + 5;
    });
    call.a.session.sendDtmf('12', 100);
    call.clock.advance(2000);
    rule.dispose();
    expect(heard).toEqual(['1:100', '2:100']);
    closeAndCheckLeaks(call);
  });

  it('sends DTMF after the microphone source has ended', async () => {
    const call = await startCall({ toneDurationMsA: 300 });
    const heard: string[] = [];
    call.b.session.onDtmf((digit) => heard.push(digit));
    call.clock.advance(1000);
    call.a.session.sendDtmf('95');
    call.clock.advance(1000);
    expect(heard).toEqual(['9', '5']);
    closeAndCheckLeaks(call);
  });

  it('refuses DTMF that cannot be sent', async () => {
    const call = await startCall();
    expect(call.a.session.sendDtmf('12x')).toEqual({ ok: false, error: 'invalid-digit' });
    call.reinvite((previous) => holdOffer(previous, 'inactive'));
    expect(call.a.session.sendDtmf('1')).toEqual({ ok: false, error: 'not-sending' });
    closeAndCheckLeaks(call);
    expect(call.a.session.sendDtmf('1')).toEqual({ ok: false, error: 'closed' });
  });
});

describe('AudioMediaSession: RTCP and close', () => {
  it('sends its reports at the exact §6.3 times (first at Tmin/2) on the fake clock', async () => {
    const call = await startCall({ sessionA: { random: () => 0.5 } });
    call.clock.advance(11_000);
    const reports = call.net.sent.filter(
      (p) => p.from.port === call.a.rtpPort && (p.bytes[1] === 200 || p.bytes[1] === 201),
    );
    // random() = 0.5: T = Td / (e − 3/2): 2500 → 2052 ms, then 5000 → 4104 ms.
    expect(reports.map((p) => p.sentAt)).toEqual([2052, 6156, 10_260]);
    expect(reports.map((p) => p.bytes[1])).toEqual([200, 200, 200]);
    closeAndCheckLeaks(call);
  });

  it('close() sends RTCP BYE and releases timers, sockets and listeners', async () => {
    const call = await startCall({ rtcpMux: false });
    call.clock.advance(1000);
    call.a.session.close('hang-up');
    const last = call.net.sent.filter((p) => p.from.port === call.a.rtpPort + 1).at(-1)!;
    const parsed = parseRtcpCompound(Buffer.from(last.bytes));
    expect(parsed.ok && parsed.packets.map((p) => p.type)).toEqual([200, 202, 203]);
    const bye = parsed.ok ? parsed.packets[2] : undefined;
    expect(bye instanceof RtcpByePacket && bye.reason).toBe('hang-up');
    // Closing twice is harmless; B sees A leave and A sends nothing more.
    call.a.session.close();
    const sentByA = call.net.sent.filter((p) => p.from.port === call.a.rtpPort).length;
    call.clock.advance(1000);
    expect(call.net.sent.filter((p) => p.from.port === call.a.rtpPort)).toHaveLength(sentByA);
    expect(call.b.session.stats().remoteSsrc).toBeUndefined();
    closeAndCheckLeaks(call);
  });
});

function expectDominant(samples: Int16Array): number {
  const hz = dominantFrequency(samples, 8000);
  expect(hz).not.toBeNull();
  return hz!;
}
