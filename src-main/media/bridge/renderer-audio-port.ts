/**
 * `RendererAudioPort`: one call's AudioPort backed by the renderer's microphone and speaker, 48 kHz mono,
 * 960-sample (20 ms) frames, over an `AudioLink`.
 *
 *   microphone  renderer (AudioWorklet clock) ──frame──▶ link ──▶ DriftCompensator ──▶ readFrame()
 *                                                                   (call's 20 ms media clock)
 *   speaker     writeFrame() ──▶ link ──frame──▶ renderer playback worklet (its own small queue)
 *
 * Two clocks meet here: the sound card's, which paces the renderer's frames, and the call's media timer,
 * which calls readFrame(). They drift apart (by up to ±0.5 % on odd hardware), and the renderer's frames
 * arrive in bursts (7 or 8 render quanta of 128 samples per frame, then IPC). The DriftCompensator holds
 * the microphone FIFO near `captureTargetMs` by stretching what it reads by one sample at a time. One
 * sample per 960-sample read would only correct 0.1 %, so each frame is read as eight 120-sample slices:
 * up to 8 samples per frame, 0.83 %, each slice stretched by less than 1 % (inaudible on speech).
 *
 * The port is *routed* when its call has the audio focus (RendererAudioDeviceProvider decides). An
 * unrouted port — a held call, a call waiting in the background — reads silence and its writes are not
 * sent; the renderer is told with a `route` message so that it sends the microphone only to the routed
 * call. Changing the route or the link empties the FIFO: no stale audio is ever played into another call.
 *
 * `readFrame()` returns silence (never null) while the port is open: before the renderer's first frame,
 * while unrouted, without a link, and on an underrun — a gap in the renderer's frames after audio was
 * flowing, counted in `stats.underruns`. `ended` stays false until close(): a renderer reload is not
 * the end of the call's capture (the provider attaches a new link).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { LINK_FRAME_SAMPLES, LINK_SAMPLE_RATE } from '../../../src-shared/audio/index.ts';
import type { AudioLinkMessage, RendererAudioReport } from '../../../src-shared/audio/index.ts';
import { DriftCompensator, checkFrame } from '../audio/index.ts';
import type { AudioPort, DriftCompensatorStats } from '../audio/index.ts';
import type { AudioLink } from './audio-link.ts';

/** Each frame is read from the FIFO in slices of this many samples (see the header). */
export const CAPTURE_READ_SLICE_SAMPLES = 120;
/** Default microphone FIFO fill: two frames. */
export const DEFAULT_CAPTURE_TARGET_MS = 40;
/** The FIFO never holds more than the target plus this (older audio is dropped). */
const CAPTURE_HEADROOM_FRAMES = 3;

export interface RendererAudioPortOptions {
  callId: string;
  /** Microphone FIFO fill to hold, ms (default 40; at least one frame). */
  captureTargetMs?: number;
}

export interface RendererAudioPortStats {
  readonly attached: boolean;
  readonly routed: boolean;
  /** Microphone frames taken from the renderer while routed. */
  readonly framesReceived: number;
  /** Microphone frames that arrived while unrouted (in flight when the route changed); dropped. */
  readonly framesIgnored: number;
  /** Frames sent to the renderer to play. */
  readonly framesSent: number;
  /** Frames written while unrouted or without a link; not sent. */
  readonly framesWithheld: number;
  /** Gaps in the microphone audio after it had started flowing. */
  readonly underruns: number;
  /** Malformed messages the links dropped. */
  readonly rejectedMessages: number;
  readonly capture: DriftCompensatorStats;
}

export class RendererAudioPort implements AudioPort {
  readonly sampleRate = LINK_SAMPLE_RATE;
  readonly frameSamples = LINK_FRAME_SAMPLES;
  readonly callId: string;
  private readonly captureTargetSamples: number;
  private capture: DriftCompensator;
  private link: AudioLink | null = null;
  private linkSubscriptions: Disposable[] = [];
  private isRouted = false;
  private isClosed = false;
  /** Captured audio has been read since the last gap (so the next gap is an underrun). */
  private flowing = false;
  private lastReport: RendererAudioReport | null = null;
  private readonly closes = new Emitter<void>();
  private readonly counters = {
    framesReceived: 0,
    framesIgnored: 0,
    framesSent: 0,
    framesWithheld: 0,
    underruns: 0,
    rejectedByClosedLinks: 0,
  };

  constructor(options: RendererAudioPortOptions) {
    this.callId = options.callId;
    const targetMs = options.captureTargetMs ?? DEFAULT_CAPTURE_TARGET_MS;
    this.captureTargetSamples = Math.round((targetMs * LINK_SAMPLE_RATE) / 1000);
    if (!(this.captureTargetSamples >= LINK_FRAME_SAMPLES)) {
      throw new RangeError(`RendererAudioPort: a capture target of ${targetMs} ms is less than one frame`);
    }
    this.capture = this.newCaptureFifo();
  }

  get ended(): boolean {
    return this.isClosed;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether this call has the renderer's microphone and speaker. */
  get routed(): boolean {
    return this.isRouted;
  }

  /** Whether a link to the renderer is attached (false until the first, and after the page went away). */
  get attached(): boolean {
    return this.link !== null;
  }

  /** The renderer's latest report about its audio device, or null before the first one. */
  get renderer(): RendererAudioReport | null {
    return this.lastReport;
  }

  get stats(): RendererAudioPortStats {
    return {
      attached: this.link !== null,
      routed: this.isRouted,
      framesReceived: this.counters.framesReceived,
      framesIgnored: this.counters.framesIgnored,
      framesSent: this.counters.framesSent,
      framesWithheld: this.counters.framesWithheld,
      underruns: this.counters.underruns,
      rejectedMessages: this.counters.rejectedByClosedLinks + (this.link?.rejectedMessages ?? 0),
      capture: this.capture.stats,
    };
  }

  readFrame(): Int16Array | null {
    if (this.isClosed) return null;
    const frame = new Int16Array(LINK_FRAME_SAMPLES);
    if (!this.isRouted || !this.link) return frame;
    for (let at = 0; at < LINK_FRAME_SAMPLES; at += CAPTURE_READ_SLICE_SAMPLES) {
      const before = this.capture.stats;
      const priming = before.mode === 'priming' && before.fill < this.capture.targetFillSamples;
      frame.set(this.capture.read(CAPTURE_READ_SLICE_SAMPLES), at);
      const ranDry = this.capture.stats.underruns !== before.underruns;
      if (priming || ranDry) {
        if (this.flowing) this.counters.underruns++;
        this.flowing = false;
      } else {
        this.flowing = true;
      }
    }
    return frame;
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
    if (this.isClosed) return;
    if (!this.isRouted || !this.link) {
      this.counters.framesWithheld++;
      return;
    }
    this.link.send({ kind: 'frame', samples: frame });
    this.counters.framesSent++;
  }

  /**
   * Gives the port the audio focus or takes it away (the provider's job). The renderer is told; the
   * microphone FIFO starts empty.
   */
  setRouted(routed: boolean): void {
    if (this.isClosed || routed === this.isRouted) return;
    this.isRouted = routed;
    this.resetCapture();
    this.link?.send({ kind: 'route', routed });
  }

  /**
   * Uses `link` from now on (the first one, or a new one after the renderer reloaded); the previous link
   * is ended and closed. The renderer learns the current route at once.
   */
  attach(link: AudioLink): void {
    if (this.isClosed) {
      link.close();
      return;
    }
    this.detach({ end: true });
    this.link = link;
    this.resetCapture();
    this.linkSubscriptions = [
      link.onMessage((message) => this.receive(message)),
      link.onClose(() => {
        if (this.link === link) this.detach({ end: false });
      }),
    ];
    if (!link.closed) link.send({ kind: 'route', routed: this.isRouted });
  }

  /** Once, when the port closes (the provider forgets it then). */
  onClose(listener: () => void): Disposable {
    return this.closes.on(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isRouted = false;
    this.detach({ end: true });
    this.resetCapture();
    this.closes.emit();
    this.closes.clear();
  }

  private receive(message: AudioLinkMessage): void {
    switch (message.kind) {
      case 'frame':
        if (!this.isRouted) {
          this.counters.framesIgnored++;
          return;
        }
        this.capture.write(message.samples);
        this.counters.framesReceived++;
        return;
      case 'report':
        this.lastReport = message.report;
        return;
      case 'route':
      case 'end':
        // main → renderer only; a renderer sending them is ignored
        return;
    }
  }

  private detach(how: { end: boolean }): void {
    const link = this.link;
    if (!link) return;
    for (const subscription of this.linkSubscriptions) subscription.dispose();
    this.linkSubscriptions = [];
    this.link = null;
    this.counters.rejectedByClosedLinks += link.rejectedMessages;
    if (how.end) link.send({ kind: 'end' });
    link.close();
    this.resetCapture();
  }

  private resetCapture(): void {
    this.capture = this.newCaptureFifo();
    this.flowing = false;
  }

  private newCaptureFifo(): DriftCompensator {
    return new DriftCompensator({
      frameSamples: LINK_FRAME_SAMPLES,
      targetFillSamples: this.captureTargetSamples,
      toleranceSamples: LINK_FRAME_SAMPLES / 4,
      capacitySamples: this.captureTargetSamples + CAPTURE_HEADROOM_FRAMES * LINK_FRAME_SAMPLES,
      // The fill seen by the slice reads is a sawtooth of one frame plus the renderer's delivery jitter
      // (tens of ms on a busy machine); averaging over ~32 frames (0.6 s) keeps the correction from
      // chasing the jitter, and is still quick against a drift that builds up over seconds.
      smoothing: 1 / 256,
    });
  }
}
