/**
 * Two AudioMediaSessions on two in-memory hosts, negotiated with the real SDP offer/answer code, each
 * with a tone generator as microphone and a memory port as speaker.
 */
import { expect } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { LinkConditions, MemoryHost, MemoryNatOptions } from '../../../../src-main/platform/index.ts';
import {
  DuplexAudioPort,
  MemoryAudioPort,
  ToneGenerator,
  analyzeTone,
  dominantFrequency,
  rms,
} from '../../../../src-main/media/audio/index.ts';
import { MediaPortAllocator } from '../../../../src-main/media/transport/index.ts';
import { LatchingMediaPath } from '../../../../src-main/media/transport/index.ts';
import type { MediaSocket, RelatchPolicy } from '../../../../src-main/media/transport/index.ts';
import { AudioMediaSession, socketAddressOf } from '../../../../src-main/media/session/index.ts';
import type { AudioMediaSessionOptions } from '../../../../src-main/media/session/index.ts';
import {
  DEFAULT_AUDIO_CODECS,
  DEFAULT_TELEPHONE_EVENT,
  applyAnswer,
  createAnswer,
  createOffer,
} from '../../../../src-main/sdp/index.ts';
import type {
  LocalMediaConfig,
  NegotiatedMedia,
  SdesConfig,
  SessionDescription,
} from '../../../../src-main/sdp/index.ts';

export const A_ADDRESS = '203.0.113.10';
export const B_ADDRESS = '203.0.113.20';
export const B_PRIVATE = '10.0.0.2';
export const NAT_PUBLIC = '198.51.100.1';

/** mulberry32: a small seeded uniform [0, 1) source. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Side {
  readonly name: 'A' | 'B';
  readonly host: MemoryHost;
  readonly config: LocalMediaConfig;
  readonly speaker: MemoryAudioPort;
  readonly session: AudioMediaSession;
  readonly rtpPort: number;
  /** With `externalPathForA`: the path and socket handed to A's session. */
  readonly externalPath?: LatchingMediaPath;
  readonly externalSocket?: MediaSocket;
  media: NegotiatedMedia;
  /** The last description this side sent. */
  sdp: SessionDescription;
}

export interface Call {
  readonly clock: FakeClock;
  readonly net: MemoryNetwork;
  readonly a: Side;
  readonly b: Side;
  /** A re-offers (`offer(previous A description)`), B answers, both sessions update. */
  reinvite(offer: (previous: SessionDescription) => SessionDescription): void;
  close(): void;
}

export interface CallOptions {
  seed?: number;
  conditions?: LinkConditions;
  rtcpMux?: boolean;
  /** Put B behind a NAT (its SDP then carries its private address). */
  natForB?: Omit<MemoryNatOptions, 'publicAddress'>;
  toneA?: number;
  toneB?: number;
  /** A's microphone ends after this much audio. */
  toneDurationMsA?: number;
  /** The packet time B asks for in its SDP (A sends with it). */
  ptimeB?: number;
  /** Give A's session a LatchingMediaPath built here instead of its sockets. */
  externalPathForA?: boolean;
  sampleRate?: number;
  sessionA?: Partial<AudioMediaSessionOptions>;
  sessionB?: Partial<AudioMediaSessionOptions>;
  relatch?: RelatchPolicy | false;
  /** SDES-SRTP configuration of each side's descriptions (absent: plain RTP). */
  srtpA?: SdesConfig;
  srtpB?: SdesConfig;
}

export async function startCall(options: CallOptions = {}): Promise<Call> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, { seed: options.seed ?? 7, conditions: options.conditions });
  const hostA = net.host(A_ADDRESS, { name: 'A' });
  const nat =
    options.natForB === undefined ? undefined : net.addNat({ publicAddress: NAT_PUBLIC, ...options.natForB });
  const hostB =
    nat === undefined ? net.host(B_ADDRESS, { name: 'B' }) : net.host(B_PRIVATE, { name: 'B', nat });
  const mux = options.rtcpMux ?? true;
  const rate = options.sampleRate ?? 8000;

  const sockets = async (host: MemoryHost, seed: number) => {
    const allocation = await new MediaPortAllocator({ network: host, random: seeded(seed) }).allocate({
      family: 4,
      rtcpMux: false,
    });
    if (!allocation.ok) throw new Error(allocation.message);
    return { rtp: allocation.rtp, rtcp: allocation.rtcp! };
  };
  const socketsA = await sockets(hostA, 1);
  const socketsB = await sockets(hostB, 2);
  const config = (address: string, s: { rtp: MediaSocket; rtcp: MediaSocket }): LocalMediaConfig => ({
    endpoint: { address, port: s.rtp.local.port, rtcpPort: s.rtcp.local.port },
    codecs: DEFAULT_AUDIO_CODECS,
    telephoneEvent: DEFAULT_TELEPHONE_EVENT,
    rtcpMux: mux,
    origin: { sessionId: address === A_ADDRESS ? '1001' : '2002' },
  });
  const configA = { ...config(A_ADDRESS, socketsA), srtp: options.srtpA };
  const configB = { ...config(hostB.addresses()[0]!, socketsB), ptime: options.ptimeB, srtp: options.srtpB };
  const offer = createOffer(configA);
  const answer = createAnswer(offer, configB);
  if (!answer.ok) throw new Error(answer.failure.detail);
  const applied = applyAnswer(offer, answer.answer);
  if (!applied.ok) throw new Error(applied.failure.detail);

  const side = (
    name: 'A' | 'B',
    host: MemoryHost,
    cfg: LocalMediaConfig,
    media: NegotiatedMedia,
    sdp: SessionDescription,
    s: { rtp: MediaSocket; rtcp: MediaSocket },
    tone: number,
    seed: number,
    extra: Partial<AudioMediaSessionOptions> | undefined,
  ): Side => {
    // RFC 5761 §5.1.1: with mux accepted, the RTCP port is not needed.
    if (media.rtcpMux) s.rtcp.close();
    const speaker = new MemoryAudioPort(rate);
    const rtcpSocket = media.rtcpMux ? undefined : s.rtcp;
    const external =
      name === 'A' && options.externalPathForA
        ? new LatchingMediaPath({
            clock,
            rtpSocket: s.rtp,
            rtcpSocket,
            remote: {
              rtp: socketAddressOf(media.remoteRtp),
              rtcp: socketAddressOf(media.remoteRtcp),
              rtcpMux: media.rtcpMux,
              payloadTypes: [...media.codecs.map((c) => c.receivePayloadType), 101],
            },
          })
        : undefined;
    const durationMs = name === 'A' ? options.toneDurationMsA : undefined;
    const session = new AudioMediaSession({
      clock,
      transport:
        external !== undefined
          ? { path: external }
          : { rtpSocket: s.rtp, rtcpSocket, relatch: options.relatch },
      negotiated: media,
      audio: new DuplexAudioPort(
        new ToneGenerator({ sampleRate: rate, frequencyHz: tone, durationMs }),
        speaker,
      ),
      random: seeded(seed),
      cname: `${name}@test`,
      ...extra,
    });
    if (external !== undefined) {
      return {
        name,
        host,
        config: cfg,
        speaker,
        session,
        rtpPort: s.rtp.local.port,
        media,
        sdp,
        externalPath: external,
        externalSocket: s.rtp,
      };
    }
    return { name, host, config: cfg, speaker, session, rtpPort: s.rtp.local.port, media, sdp };
  };
  const a = side(
    'A',
    hostA,
    configA,
    applied.media,
    offer,
    socketsA,
    options.toneA ?? 1000,
    11,
    options.sessionA,
  );
  const b = side(
    'B',
    hostB,
    configB,
    answer.media,
    answer.answer,
    socketsB,
    options.toneB ?? 600,
    22,
    options.sessionB,
  );

  return {
    clock,
    net,
    a,
    b,
    reinvite(makeOffer) {
      const reoffer = makeOffer(a.sdp);
      const reanswer = createAnswer(reoffer, b.config, b.sdp);
      if (!reanswer.ok) throw new Error(reanswer.failure.detail);
      const result = applyAnswer(reoffer, reanswer.answer);
      if (!result.ok) throw new Error(result.failure.detail);
      a.sdp = reoffer;
      b.sdp = reanswer.answer;
      a.media = result.media;
      b.media = reanswer.media;
      b.session.update(reanswer.media);
      a.session.update(result.media);
    },
    close() {
      a.session.close();
      b.session.close();
    },
  };
}

/** The last `ms` of what a speaker played, or the window [fromMs, toMs) since the call started. */
export function played(
  speaker: MemoryAudioPort,
  window: { lastMs: number } | { fromMs: number; toMs: number },
): Int16Array {
  const all = speaker.played();
  const perMs = speaker.sampleRate / 1000;
  if ('lastMs' in window) return all.subarray(Math.max(0, all.length - window.lastMs * perMs));
  return all.subarray(window.fromMs * perMs, window.toMs * perMs);
}

/** Asserts that `samples` are a clear tone of `hz`. */
export function expectTone(samples: Int16Array, sampleRate: number, hz: number): void {
  expect(samples.length).toBeGreaterThan(0);
  const dominant = dominantFrequency(samples, sampleRate);
  expect(dominant).not.toBeNull();
  expect(Math.abs(dominant! - hz)).toBeLessThan(5);
  expect(analyzeTone(samples, sampleRate, hz, 10).detected).toBe(true);
}

export function expectSilence(samples: Int16Array): void {
  expect(samples.length).toBeGreaterThan(0);
  expect(rms(samples)).toBeLessThan(50);
}

/** Closes both sessions, lets packets in flight land, and checks nothing is left behind. */
export function closeAndCheckLeaks(call: Call): void {
  call.close();
  call.clock.advance(5_000);
  expect(call.clock.pendingTimers()).toBe(0);
  expect(call.net.openSockets()).toBe(0);
}
