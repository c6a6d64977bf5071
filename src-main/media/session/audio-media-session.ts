/**
 * One call's audio: the AudioPort on one side, RTP through a MediaPath on the other.
 *
 *   every 20 ms (one Clock interval — the call's media clock, AudioPort contract):
 *     capture   port.readFrame() ─▶ resample to the codec rate ─▶ cut into ptime packets ─▶ encode ─▶ RTP
 *     playout   RTP ─▶ jitter buffer ─▶ decode / PLC (PlayoutPipeline) ─▶ resample ─▶ port.writeFrame()
 *
 * Rates: the port's rate (8, 16 or 48 kHz) is converted to the codec's PCM sample rate; RTP timestamps
 * count the codec's clock rate. The two differ for G.722 (16 kHz audio, 8 kHz RTP clock, RFC 3551
 * §4.5.2): a 20 ms packet is 320 samples, one 160-octet payload, and advances the timestamp by 160.
 * Telephone-events share the RTP clock (telephone-event/8000 with G.722 too, RFC 4733 §2.1).
 *
 * Direction (RFC 3264 §5.1) follows the negotiated `send`/`receive`:
 *   - not sending (recvonly, inactive — e.g. we are on hold, or hold the peer with inactive): no media;
 *     one RFC 6263 keepalive at once and then every keepalive interval, so our NAT binding and the
 *     peer's latching stay valid for the resume. The RTP timestamp keeps following the media clock.
 *   - not receiving (sendonly, inactive): received audio and DTMF are ignored and the jitter buffer is
 *     emptied; when receiving starts again it begins from scratch with the first new packet (so a long
 *     pause never plays stale audio nor confuses the buffer's timing).
 *   - RTCP goes on in every direction (RFC 3264 §5.1: "RTCP is still sent"), which also keeps a muxed
 *     port's NAT binding alive.
 * Mute keeps sending: encoded silence, so the peer's jitter buffer, its latching and the NATs stay happy.
 *
 * SRTP (negotiated `srtp` keys, RFC 4568 / RFC 3711): an `SrtpProtection` sits below the RTP session —
 * given to the LatchingMediaPath the session builds (so that only authenticated packets latch), or
 * wrapped around a path handed in (`ProtectedMediaPath`, the ICE agent's) — so packets are protected
 * right before they leave and unprotected right after they arrive; RTP statistics, the jitter buffer and
 * DTMF only see plain RTP. Packets that fail authentication or replay are dropped and counted
 * (`stats().srtp`).
 *
 * `update()` takes a re-INVITE's negotiation: codec, payload types, ptime, telephone-event, direction,
 * SRTP keys (a new crypto line re-keys) and — for a session that built its own LatchingMediaPath — the
 * new remote address. `close()` sends
 * RTCP BYE and releases the timer, listeners, the path and the sockets it was given. The AudioPort is
 * the caller's and stays open (a WAV recorder is finalised by whoever created it).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { AUDIO_FRAME_MS, Resampler, SampleFifo } from '../audio/index.ts';
import type { AudioPort } from '../audio/index.ts';
import { isDtmfKey } from '../codec/index.ts';
import type { AudioCodec, AudioEncoder, CodecName, DtmfKey } from '../codec/index.ts';
import { PlayoutPipeline } from '../jitter/index.ts';
import type { JitterBufferOptions, PlayoutStats } from '../jitter/index.ts';
import { RtpSession, SrtpProtection } from '../rtp/index.ts';
import type { RtcpTimingOptions, RtpFormats, RtpSessionStats, SrtpProtectionStats } from '../rtp/index.ts';
import { LatchingMediaPath, ProtectedMediaPath } from '../transport/index.ts';
import type {
  LatchingMediaPathStats,
  MediaPath,
  MediaRoute,
  MediaSocket,
  RelatchPolicy,
} from '../transport/index.ts';
import type { Clock, Timer } from '../../platform/index.ts';
import { codecFor, directionOf, latchingRemoteOf } from './negotiated-audio.ts';
import type { AudioDirection, NegotiatedAudio } from './negotiated-audio.ts';

/** How the session reaches the peer. */
export type AudioMediaTransport =
  /** A path someone else built (the ICE agent's); the session disposes it on close. */
  | { readonly path: MediaPath }
  /**
   * Our sockets and the SDP remote: the session builds (and on update re-points) a LatchingMediaPath,
   * and closes the sockets on close. `rtcpSocket` is needed unless the negotiation muxes RTCP.
   */
  | {
      readonly rtpSocket: MediaSocket;
      readonly rtcpSocket?: MediaSocket | undefined;
      readonly relatch?: RelatchPolicy | false;
      readonly lockSsrc?: boolean;
    };

export interface AudioMediaSessionOptions {
  clock: Clock;
  transport: AudioMediaTransport;
  negotiated: NegotiatedAudio;
  audio: AudioPort;
  /** Uniform in [0, 1) for SSRC, sequence, timestamp and RTCP timing; default node:crypto. */
  random?: () => number;
  cname?: string;
  rtcp?: RtcpTimingOptions;
  jitter?: Omit<JitterBufferOptions, 'clockRate' | 'frameMs'>;
  /** RFC 6263 keepalives while not sending; default every 15 s. */
  keepalive?: { readonly intervalMs?: number } | false;
  dtmf?: { readonly volume?: number; readonly gapMs?: number; readonly receiveTimeoutMs?: number };
}

export type SendDtmfResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error:
        'not-negotiated' | 'not-sending' | 'invalid-digit' | 'bad-duration' | 'clock-rate' | 'closed';
    };

export interface AudioMediaSessionStats extends RtpSessionStats {
  readonly direction: AudioDirection;
  readonly muted: boolean;
  readonly codec: CodecName;
  readonly ptime: number;
  readonly route: MediaRoute;
  /** The receive side's jitter buffer and concealment. */
  readonly playout: PlayoutStats | undefined;
  /** Drops and latches of the latching path (undefined with an ICE path). */
  readonly latching: LatchingMediaPathStats | undefined;
  /** SRTP: the suite in use (undefined: plain RTP) and what was protected, unprotected and dropped. */
  readonly srtp: SrtpProtectionStats;
}

interface Playout {
  readonly payloadType: number;
  readonly pipeline: PlayoutPipeline;
}

export class AudioMediaSession {
  private readonly clock: Clock;
  private readonly audio: AudioPort;
  private readonly path: MediaPath;
  private readonly latching: LatchingMediaPath | undefined;
  private readonly ownedSockets: MediaSocket[];
  private readonly protection = new SrtpProtection();
  private readonly rtp: RtpSession;
  private readonly jitterOptions: Omit<JitterBufferOptions, 'clockRate' | 'frameMs'>;
  private readonly subscriptions: Disposable[] = [];
  private readonly dtmfEvents = new Emitter<{ digit: DtmfKey; durationMs: number }>();
  private readonly mediaTimer: Timer;

  private negotiated: NegotiatedAudio;
  private codec: AudioCodec;
  /** Our stream's encoder (G.722 carries state from packet to packet); new with every new codec. */
  private encoder: AudioEncoder;
  private receiveCodecs = new Map<number, AudioCodec>();
  private playout: Playout | undefined;
  private lastPlayoutStats: PlayoutStats | undefined;
  private captureResampler: Resampler;
  private playbackResampler: Resampler;
  private readonly playbackFifo = new SampleFifo();
  /** Captured audio at the codec rate waiting to fill a packet, with which parts were real capture. */
  private readonly packetFifo = new SampleFifo();
  private packetRuns: { samples: number; real: boolean }[] = [];
  private isMuted = false;
  private closed = false;

  constructor(options: AudioMediaSessionOptions) {
    this.clock = options.clock;
    this.audio = options.audio;
    this.negotiated = options.negotiated;
    this.codec = codecFor(options.negotiated.codec);
    this.encoder = this.codec.createEncoder();
    this.receiveCodecs = receiveCodecsOf(options.negotiated);
    this.jitterOptions = options.jitter ?? {};
    this.captureResampler = new Resampler({
      inputRate: this.audio.sampleRate,
      outputRate: this.codec.sampleRate,
    });
    this.playbackResampler = new Resampler({
      inputRate: this.codec.sampleRate,
      outputRate: this.audio.sampleRate,
    });

    this.protection.configure(options.negotiated.srtp);
    const transport = options.transport;
    if ('path' in transport) {
      this.path = new ProtectedMediaPath(transport.path, this.protection);
      this.latching = undefined;
      this.ownedSockets = [];
    } else {
      this.latching = new LatchingMediaPath({
        clock: this.clock,
        rtpSocket: transport.rtpSocket,
        rtcpSocket: transport.rtcpSocket,
        remote: latchingRemoteOf(options.negotiated),
        relatch: transport.relatch,
        lockSsrc: transport.lockSsrc,
        protection: this.protection,
      });
      this.path = this.latching;
      this.ownedSockets = [
        transport.rtpSocket,
        ...(transport.rtcpSocket === undefined ? [] : [transport.rtcpSocket]),
      ];
    }

    this.rtp = new RtpSession({
      clock: this.clock,
      transport: this.path,
      ...rtpFormatsOf(options.negotiated, this.codec, this.receiveCodecs),
      random: options.random,
      cname: options.cname,
      // Our media paths (latching, ICE) already decide which source may send; §A.1 probation would only
      // hold back the first packet of every call by one interval.
      minSequential: 1,
      rtcp: { sessionBandwidthBps: sessionBandwidth(this.codec, options.negotiated.ptime), ...options.rtcp },
      keepalive: options.keepalive === false ? false : { intervalMs: options.keepalive?.intervalMs },
      dtmf: options.dtmf,
    });
    this.subscriptions.push(
      this.path.onPacket((packet) => this.rtp.receive(packet.kind, packet.data)),
      this.rtp.onMedia((media) => {
        if (!this.negotiated.receive) return;
        const codec = this.receiveCodecs.get(media.payloadType);
        if (codec === undefined) return;
        this.playoutFor(media.payloadType, codec).pipeline.push({
          seq: media.sequenceNumber,
          timestamp: media.timestamp,
          payload: media.payload,
          arrivalMs: media.arrivalMs,
          ssrc: media.ssrc,
        });
      }),
      this.rtp.onDtmf((dtmf) => {
        if (this.negotiated.receive) this.dtmfEvents.emit({ digit: dtmf.key, durationMs: dtmf.durationMs });
      }),
    );
    // Now that we listen: the peer's packets that beat the answer here, if the path accepts them.
    this.path.deliverHeld();
    if (!options.negotiated.send) this.rtp.sendKeepalive();
    this.mediaTimer = this.clock.setInterval(AUDIO_FRAME_MS, () => this.tick());
  }

  get direction(): AudioDirection {
    return directionOf(this.negotiated);
  }

  get muted(): boolean {
    return this.isMuted;
  }

  /** Mute the microphone: silence is encoded and sent in place of captured audio. */
  setMuted(muted: boolean): void {
    this.isMuted = muted;
  }

  get route(): MediaRoute {
    return this.path.route;
  }

  /** Keys the peer pressed (RFC 4733), once each, when they end. */
  onDtmf(listener: (digit: DtmfKey, durationMs: number) => void): Disposable {
    return this.dtmfEvents.on(({ digit, durationMs }) => listener(digit, durationMs));
  }

  /**
   * Sends keys as RFC 4733 telephone-events, `durationMs` each (default 100 ms), one after the other.
   * `digits`: 0–9, *, #, A–D (case-insensitive) as a string, or keys (with 'flash').
   */
  sendDtmf(digits: string | readonly DtmfKey[], durationMs = 100): SendDtmfResult {
    if (this.closed) return { ok: false, error: 'closed' };
    const keys = typeof digits === 'string' ? [...digits].map((c) => c.toUpperCase()) : [...digits];
    if (!keys.every((k): k is DtmfKey => isDtmfKey(k))) return { ok: false, error: 'invalid-digit' };
    if (this.negotiated.telephoneEvent === undefined) return { ok: false, error: 'not-negotiated' };
    if (!this.negotiated.send) return { ok: false, error: 'not-sending' };
    return this.rtp.sendDtmf(keys, durationMs);
  }

  /** A re-INVITE's outcome: new codec, payload types, ptime, direction, remote address. */
  update(negotiated: NegotiatedAudio): void {
    if (this.closed) throw new Error('AudioMediaSession: update after close');
    const previous = this.negotiated;
    const codec = codecFor(negotiated.codec);
    this.receiveCodecs = receiveCodecsOf(negotiated);
    this.rtp.updateFormats(rtpFormatsOf(negotiated, codec, this.receiveCodecs));
    if (codec !== this.codec || negotiated.ptime !== previous.ptime) this.clearPacketizer();
    if (codec !== this.codec) this.encoder = codec.createEncoder();
    if (codec.sampleRate !== this.codec.sampleRate) {
      this.captureResampler = new Resampler({
        inputRate: this.audio.sampleRate,
        outputRate: codec.sampleRate,
      });
      this.playbackResampler = new Resampler({
        inputRate: codec.sampleRate,
        outputRate: this.audio.sampleRate,
      });
      this.playbackFifo.clear();
    }
    this.codec = codec;
    if (
      this.playout !== undefined &&
      this.receiveCodecs.get(this.playout.payloadType) !== this.playout.pipeline.codec
    ) {
      this.dropPlayout();
    }
    // New keys apply to the next packet each way (RFC 4568 §7.1.4: the new crypto line's context).
    this.protection.configure(negotiated.srtp);
    this.latching?.updateRemote(latchingRemoteOf(negotiated));
    this.negotiated = negotiated;

    if (previous.send && !negotiated.send) {
      this.clearPacketizer();
      this.rtp.sendKeepalive();
    }
    if (previous.receive !== negotiated.receive) {
      // Leaving or re-entering reception: the next audio starts a fresh timeline.
      this.dropPlayout();
    }
  }

  stats(): AudioMediaSessionStats {
    return {
      ...this.rtp.stats(),
      direction: this.direction,
      muted: this.isMuted,
      codec: this.codec.name,
      ptime: this.negotiated.ptime,
      route: this.path.route,
      playout: this.playout?.pipeline.stats ?? this.lastPlayoutStats,
      latching: this.latching?.stats,
      srtp: this.protection.stats,
    };
  }

  /** RTCP BYE, then releases the media clock, listeners, the path and our sockets. Idempotent. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.mediaTimer.cancel();
    this.rtp.close(reason);
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.dtmfEvents.clear();
    this.path.dispose();
    for (const socket of this.ownedSockets) socket.close();
  }

  // ───────────────────────────── the media clock ─────────────────────────────

  private tick(): void {
    const now = this.clock.monotonic();
    this.capture();
    this.play(now);
  }

  private capture(): void {
    let frame = this.audio.readFrame();
    if (this.isMuted) frame = new Int16Array(this.audio.frameSamples);
    if (!this.negotiated.send) {
      // The RTP timestamp follows the media clock: one frame's worth of timestamp units.
      this.rtp.skipAudio((this.codec.clockRate * AUDIO_FRAME_MS) / 1000, 'not-sending');
      return;
    }
    const real = frame !== null;
    const pcm = this.captureResampler.process(frame ?? new Int16Array(this.audio.frameSamples));
    this.packetFifo.push(pcm);
    this.packetRuns.push({ samples: pcm.length, real });
    const packetSamples = this.codec.frameSamples(this.negotiated.ptime);
    const packetUnits = this.codec.samplesToTimestamp(packetSamples);
    while (this.packetFifo.length >= packetSamples) {
      const packet = this.packetFifo.shift(packetSamples);
      if (this.takeRuns(packetSamples)) this.rtp.sendAudio(this.encoder.encode(packet), packetUnits);
      else this.rtp.skipAudio(packetUnits, 'no-audio');
    }
  }

  /** Consumes `samples` from the run list; true when any of them was captured audio. */
  private takeRuns(samples: number): boolean {
    let left = samples;
    let real = false;
    while (left > 0) {
      const run = this.packetRuns[0];
      if (run === undefined) break;
      const take = Math.min(left, run.samples);
      real ||= run.real;
      run.samples -= take;
      left -= take;
      if (run.samples === 0) this.packetRuns.shift();
    }
    return real;
  }

  private clearPacketizer(): void {
    this.packetFifo.clear();
    this.packetRuns = [];
  }

  private play(now: number): void {
    const pcm =
      this.playout === undefined
        ? new Int16Array(this.codec.frameSamples(AUDIO_FRAME_MS))
        : this.playout.pipeline.pull(now);
    this.playbackFifo.push(this.playbackResampler.process(pcm));
    const frameSamples = this.audio.frameSamples;
    const frame =
      this.playbackFifo.length >= frameSamples
        ? this.playbackFifo.shift(frameSamples)
        : new Int16Array(frameSamples);
    this.audio.writeFrame(frame);
  }

  private playoutFor(payloadType: number, codec: AudioCodec): Playout {
    if (this.playout !== undefined && this.playout.pipeline.codec === codec) return this.playout;
    // The peer switched codecs (or this is the first packet): a new pipeline for the new format.
    this.dropPlayout();
    this.playout = {
      payloadType,
      pipeline: new PlayoutPipeline({ codec, frameMs: AUDIO_FRAME_MS, jitter: this.jitterOptions }),
    };
    return this.playout;
  }

  private dropPlayout(): void {
    if (this.playout !== undefined) this.lastPlayoutStats = this.playout.pipeline.stats;
    this.playout = undefined;
  }
}

function receiveCodecsOf(negotiated: NegotiatedAudio): Map<number, AudioCodec> {
  const map = new Map<number, AudioCodec>();
  for (const c of negotiated.codecs) {
    const codec = codecFor(c);
    map.set(c.receivePayloadType, codec);
  }
  if (!map.has(negotiated.codec.receivePayloadType))
    map.set(negotiated.codec.receivePayloadType, codecFor(negotiated.codec));
  return map;
}

function rtpFormatsOf(
  negotiated: NegotiatedAudio,
  codec: AudioCodec,
  receive: ReadonlyMap<number, AudioCodec>,
): RtpFormats {
  return {
    send: {
      payloadType: negotiated.codec.sendPayloadType,
      clockRate: codec.clockRate,
      ptimeMs: negotiated.ptime,
    },
    receive: new Map([...receive].map(([pt, c]) => [pt, c.clockRate])),
    telephoneEvent: negotiated.telephoneEvent,
  };
}

/** RFC 3550 §6.2 session bandwidth: payload plus IPv4/UDP/RTP headers (40 octets) per packet, in bit/s. */
function sessionBandwidth(codec: AudioCodec, ptimeMs: number): number {
  const payloadBytes = codec.createEncoder().encode(new Int16Array(codec.frameSamples(ptimeMs))).length;
  return ((payloadBytes + 40) * 8 * 1000) / ptimeMs;
}
