/**
 * Two AudioMediaSessions that negotiated G.722 (the real SDP offer/answer code) on an in-memory network
 * with a fake clock: the 16 kHz audio path end to end, and the RFC 3551 §4.5.2 rate split on the wire
 * (payload type 9, an 8 kHz RTP clock: 160 timestamp units and 160 octets per 20 ms packet of 320
 * samples), with telephone-events on the same 8 kHz clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost, PacketRecord } from '../../../../src-main/platform/index.ts';
import {
  DuplexAudioPort,
  MemoryAudioPort,
  ToneGenerator,
  analyzeTone,
  dominantFrequency,
  rms,
} from '../../../../src-main/media/audio/index.ts';
import { MediaPortAllocator } from '../../../../src-main/media/transport/index.ts';
import { AudioMediaSession } from '../../../../src-main/media/session/index.ts';
import { parseRtpPacket } from '../../../../src-main/media/rtp/index.ts';
import {
  DEFAULT_TELEPHONE_EVENT,
  applyAnswer,
  createAnswer,
  createOffer,
} from '../../../../src-main/sdp/index.ts';
import type { LocalCodec, LocalMediaConfig, NegotiatedMedia } from '../../../../src-main/sdp/index.ts';
import { seeded } from './call-harness.ts';

const G722_CODEC: LocalCodec = { name: 'G722', clockRate: 8000, payloadType: 9 };
const PCMU_CODEC: LocalCodec = { name: 'PCMU', clockRate: 8000, payloadType: 0 };

interface Party {
  readonly host: MemoryHost;
  readonly config: LocalMediaConfig;
  readonly speaker: MemoryAudioPort;
  readonly session: AudioMediaSession;
  readonly rtpPort: number;
  readonly media: NegotiatedMedia;
}

interface TwoParties {
  readonly clock: FakeClock;
  readonly net: MemoryNetwork;
  readonly a: Party;
  readonly b: Party;
}

/** A offers `codecsA`, B answers with `codecsB`; A's microphone plays `toneA`, B's `toneB`. */
async function connect(options: {
  codecsA: readonly LocalCodec[];
  codecsB: readonly LocalCodec[];
  toneA: number;
  toneB: number;
  /** Both ports' rate (default 16000: G.722's own, nothing resampled). */
  portRate?: number;
}): Promise<TwoParties> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, { seed: 5 });
  const rate = options.portRate ?? 16000;
  const open = async (address: string, codecs: readonly LocalCodec[], seed: number) => {
    const host = net.host(address);
    const allocation = await new MediaPortAllocator({ network: host, random: seeded(seed) }).allocate({
      family: 4,
      rtcpMux: true,
    });
    if (!allocation.ok) throw new Error(allocation.message);
    const config: LocalMediaConfig = {
      endpoint: { address, port: allocation.rtp.local.port },
      codecs,
      telephoneEvent: DEFAULT_TELEPHONE_EVENT,
      rtcpMux: true,
      origin: { sessionId: String(seed) },
    };
    return { host, config, socket: allocation.rtp };
  };
  const sideA = await open('203.0.113.10', options.codecsA, 1);
  const sideB = await open('203.0.113.20', options.codecsB, 2);
  const offer = createOffer(sideA.config);
  const answer = createAnswer(offer, sideB.config);
  if (!answer.ok) throw new Error(answer.failure.detail);
  const applied = applyAnswer(offer, answer.answer);
  if (!applied.ok) throw new Error(applied.failure.detail);

  const party = (side: typeof sideA, media: NegotiatedMedia, tone: number, seed: number): Party => {
    const speaker = new MemoryAudioPort(rate);
    const session = new AudioMediaSession({
      clock,
      transport: { rtpSocket: side.socket },
      negotiated: media,
      audio: new DuplexAudioPort(new ToneGenerator({ sampleRate: rate, frequencyHz: tone }), speaker),
      random: seeded(seed),
    });
    return { host: side.host, config: side.config, speaker, session, rtpPort: side.socket.local.port, media };
  };
  return {
    clock,
    net,
    a: party(sideA, applied.media, options.toneA, 11),
    b: party(sideB, answer.media, options.toneB, 22),
  };
}

/** The last `ms` of what a speaker played. */
function lastPlayed(speaker: MemoryAudioPort, ms: number): Int16Array {
  const all = speaker.played();
  return all.subarray(all.length - (ms * speaker.sampleRate) / 1000);
}

function expectToneAt(samples: Int16Array, sampleRate: number, hz: number): void {
  expect(Math.abs(dominantFrequency(samples, sampleRate)! - hz)).toBeLessThan(5);
  expect(analyzeTone(samples, sampleRate, hz, 10).detected).toBe(true);
}

/** RTP (not RTCP) packets a party sent, parsed, with their send times. */
function rtpSentBy(call: TwoParties, party: Party): { at: number; packet: PacketRecord }[] {
  return call.net.sent
    .filter((p) => p.protocol === 'udp' && p.from.port === party.rtpPort)
    .filter((p) => p.bytes[0]! >> 6 === 2 && (p.bytes[1]! < 192 || p.bytes[1]! > 223))
    .map((packet) => ({ at: packet.sentAt, packet }));
}

function closeAndCheckLeaks(call: TwoParties): void {
  call.a.session.close();
  call.b.session.close();
  call.clock.advance(5_000);
  expect(call.clock.pendingTimers()).toBe(0);
  expect(call.net.openSockets()).toBe(0);
}

describe('AudioMediaSession negotiated G.722', () => {
  it('carries 5 kHz one way and 3 kHz the other — tones above what G.711 can carry, at 16 kHz', async () => {
    const call = await connect({
      codecsA: [G722_CODEC, PCMU_CODEC],
      codecsB: [G722_CODEC, PCMU_CODEC],
      toneA: 5000,
      toneB: 7000,
    });
    expect(call.a.media.codec).toMatchObject({ name: 'G722', clockRate: 8000, sendPayloadType: 9 });
    expect(call.b.media.codec).toMatchObject({ name: 'G722', clockRate: 8000, sendPayloadType: 9 });
    call.clock.advance(3000);
    expectToneAt(lastPlayed(call.b.speaker, 1000), 16000, 5000);
    expectToneAt(lastPlayed(call.a.speaker, 1000), 16000, 7000);
    const stats = call.a.session.stats();
    expect(stats).toMatchObject({ codec: 'G722', ptime: 20, packetsSent: 150, packetsLost: 0 });
    // 64 kbit/s: 160 octets per 20 ms
    expect(stats.bytesSent).toBe(150 * 160);
    closeAndCheckLeaks(call);
  });

  it('puts payload type 9 on the wire, 160 octets per packet, timestamps +160 per 20 ms (RFC 3551 §4.5.2)', async () => {
    const call = await connect({ codecsA: [G722_CODEC], codecsB: [G722_CODEC], toneA: 1000, toneB: 600 });
    call.clock.advance(1000);
    const sent = rtpSentBy(call, call.a).map(({ at, packet }) => {
      const parsed = parseRtpPacket(Buffer.from(packet.bytes));
      if (!parsed.ok) throw new Error('not RTP');
      return { at, header: parsed.packet.header, length: parsed.packet.payload.length };
    });
    expect(sent.length).toBe(50);
    expect(sent.every((p) => p.header.payloadType === 9 && p.length === 160)).toBe(true);
    for (let i = 1; i < sent.length; i++) {
      expect(sent[i]!.at - sent[i - 1]!.at).toBe(20);
      expect((sent[i]!.header.timestamp - sent[i - 1]!.header.timestamp) >>> 0).toBe(160);
      expect((sent[i]!.header.sequenceNumber - sent[i - 1]!.header.sequenceNumber) & 0xffff).toBe(1);
    }
    // RTCP's view of the same clock: the jitter the peer measures is in 8 kHz units, zero here
    call.clock.advance(10_000);
    expect(call.b.session.stats().jitterMs).toBe(0);
    expect(call.a.session.stats().remote?.jitterMs).toBe(0);
    closeAndCheckLeaks(call);
  });

  it('resamples 48 kHz devices to the 16 kHz codec and back: 5 kHz still arrives', async () => {
    const call = await connect({
      codecsA: [G722_CODEC],
      codecsB: [G722_CODEC],
      toneA: 5000,
      toneB: 6500,
      portRate: 48_000,
    });
    call.clock.advance(3000);
    expectToneAt(lastPlayed(call.b.speaker, 1000), 48_000, 5000);
    expectToneAt(lastPlayed(call.a.speaker, 1000), 48_000, 6500);
    closeAndCheckLeaks(call);
  });

  it('when the peer has only G.711, the same 5 kHz tone does not get through (the contrast)', async () => {
    const call = await connect({
      codecsA: [G722_CODEC, PCMU_CODEC],
      codecsB: [PCMU_CODEC],
      toneA: 5000,
      toneB: 600,
    });
    expect(call.a.media.codec.name).toBe('PCMU');
    call.clock.advance(3000);
    expect(rms(lastPlayed(call.b.speaker, 1000))).toBeLessThan(50);
    expectToneAt(lastPlayed(call.a.speaker, 1000), 16000, 600);
    closeAndCheckLeaks(call);
  });

  it('sends and receives RFC 4733 keys on the 8 kHz clock (telephone-event/8000) during a G.722 call', async () => {
    const call = await connect({ codecsA: [G722_CODEC], codecsB: [G722_CODEC], toneA: 1000, toneB: 600 });
    expect(call.a.media.telephoneEvent).toMatchObject({ clockRate: 8000 });
    const heard: string[] = [];
    call.b.session.onDtmf((digit, durationMs) => heard.push(`${digit}:${durationMs}`));
    call.clock.advance(500);
    expect(call.a.session.sendDtmf('5#', 100)).toEqual({ ok: true });
    call.clock.advance(2000);
    // 100 ms = 800 units at 8 kHz (at 16 kHz the peer would hear 50 ms)
    expect(heard).toEqual(['5:100', '#:100']);
    expectToneAt(lastPlayed(call.b.speaker, 1000), 16000, 1000);
    closeAndCheckLeaks(call);
  });

  it('switches from G.722 to G.711 on a re-INVITE and keeps the audio going', async () => {
    const call = await connect({
      codecsA: [G722_CODEC, PCMU_CODEC],
      codecsB: [G722_CODEC, PCMU_CODEC],
      toneA: 1000,
      toneB: 600,
    });
    call.clock.advance(2000);
    const reoffer = createOffer({ ...call.a.config, codecs: [PCMU_CODEC] });
    const reanswer = createAnswer(reoffer, call.b.config);
    if (!reanswer.ok) throw new Error(reanswer.failure.detail);
    const applied = applyAnswer(reoffer, reanswer.answer);
    if (!applied.ok) throw new Error(applied.failure.detail);
    call.b.session.update(reanswer.media);
    call.a.session.update(applied.media);
    call.clock.advance(2000);
    expect(call.a.session.stats().codec).toBe('PCMU');
    expectToneAt(lastPlayed(call.b.speaker, 1000), 16000, 1000);
    expectToneAt(lastPlayed(call.a.speaker, 1000), 16000, 600);
    closeAndCheckLeaks(call);
  });
});
