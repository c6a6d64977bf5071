/**
 * Ports that make their audio up: a tone generator, silence, an in-memory port for tests, and two
 * combinators (one port's microphone with another's speaker; one speaker copied to several).
 */
import { checkFrame, frameSamplesFor } from './audio-port.ts';
import type { AudioPort } from './audio-port.ts';

export interface ToneGeneratorOptions {
  sampleRate: number;
  /** One frequency, or several summed (e.g. the two of an in-band DTMF digit). */
  frequencyHz: number | readonly number[];
  /** Peak level as a fraction of full scale (0…1), shared by all frequencies; default 0.25 (−12 dBFS). */
  amplitude?: number;
  /** End after this much audio; default: never. */
  durationMs?: number;
}

/**
 * Microphone = a sine (or a sum of sines) whose phase continues across frames, so consecutive frames
 * join without a discontinuity. Speaker = discarded.
 */
export class ToneGenerator implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly frequencies: readonly number[];
  private readonly peak: number;
  /** Phase of each tone in cycles, in [0, 1). */
  private readonly phases: number[];
  private remaining: number;
  private isClosed = false;

  constructor(options: ToneGeneratorOptions) {
    this.sampleRate = options.sampleRate;
    this.frameSamples = frameSamplesFor(options.sampleRate);
    this.frequencies =
      typeof options.frequencyHz === 'number' ? [options.frequencyHz] : [...options.frequencyHz];
    const amplitude = options.amplitude ?? 0.25;
    if (!(amplitude >= 0 && amplitude <= 1) || this.frequencies.length === 0) {
      throw new RangeError('ToneGenerator: amplitude must be within 0…1 and there must be a frequency');
    }
    this.peak = (amplitude * 32767) / this.frequencies.length;
    this.phases = this.frequencies.map(() => 0);
    this.remaining =
      options.durationMs === undefined ? Infinity : Math.round((options.durationMs * this.sampleRate) / 1000);
  }

  get ended(): boolean {
    return this.isClosed || this.remaining <= 0;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  readFrame(): Int16Array | null {
    if (this.ended) return null;
    const frame = new Int16Array(this.frameSamples);
    const audible = Math.min(this.frameSamples, this.remaining);
    for (let t = 0; t < this.frequencies.length; t++) {
      const step = this.frequencies[t]! / this.sampleRate;
      let phase = this.phases[t]!;
      for (let i = 0; i < audible; i++) {
        frame[i] = frame[i]! + Math.round(this.peak * Math.sin(2 * Math.PI * phase));
        phase += step;
        if (phase >= 1) phase -= Math.floor(phase);
      }
      this.phases[t] = phase;
    }
    this.remaining -= audible;
    return frame;
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
  }

  close(): void {
    this.isClosed = true;
  }
}

/** Microphone = silence, speaker = discarded: the null device. */
export class SilencePort implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  private isClosed = false;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    this.frameSamples = frameSamplesFor(sampleRate);
  }

  get ended(): boolean {
    return this.isClosed;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  readFrame(): Int16Array | null {
    return this.isClosed ? null : new Int16Array(this.frameSamples);
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
  }

  close(): void {
    this.isClosed = true;
  }
}

/**
 * For tests: the microphone plays `capture` frame by frame (the last one padded with silence) and then
 * ends; the speaker collects every frame written.
 */
export class MemoryAudioPort implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  private readonly capture: Int16Array;
  private captured = 0;
  private readonly written: Int16Array[] = [];
  private isClosed = false;

  constructor(sampleRate: number, capture: Int16Array = new Int16Array(0)) {
    this.sampleRate = sampleRate;
    this.frameSamples = frameSamplesFor(sampleRate);
    this.capture = capture;
  }

  get ended(): boolean {
    return this.isClosed || this.captured >= this.capture.length;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Frames written so far. */
  get frames(): readonly Int16Array[] {
    return this.written;
  }

  /** Everything written, as one signal. */
  played(): Int16Array {
    const out = new Int16Array(this.written.length * this.frameSamples);
    this.written.forEach((frame, i) => out.set(frame, i * this.frameSamples));
    return out;
  }

  readFrame(): Int16Array | null {
    if (this.ended) return null;
    const frame = new Int16Array(this.frameSamples);
    const take = Math.min(this.frameSamples, this.capture.length - this.captured);
    frame.set(this.capture.subarray(this.captured, this.captured + take));
    this.captured += take;
    return frame;
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
    if (!this.isClosed) this.written.push(frame);
  }

  close(): void {
    this.isClosed = true;
  }
}

/** One port's microphone with another port's speaker (e.g. a WAV file source and a WAV recorder). */
export class DuplexAudioPort implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  private readonly capture: AudioPort;
  private readonly playback: AudioPort;

  constructor(capture: AudioPort, playback: AudioPort) {
    if (capture.sampleRate !== playback.sampleRate) {
      throw new RangeError(
        `DuplexAudioPort: ${capture.sampleRate} Hz capture with ${playback.sampleRate} Hz playback`,
      );
    }
    this.capture = capture;
    this.playback = playback;
    this.sampleRate = capture.sampleRate;
    this.frameSamples = capture.frameSamples;
  }

  get ended(): boolean {
    return this.capture.ended;
  }

  get closed(): boolean {
    return this.capture.closed && this.playback.closed;
  }

  readFrame(): Int16Array | null {
    return this.capture.readFrame();
  }

  writeFrame(frame: Int16Array): void {
    this.playback.writeFrame(frame);
  }

  close(): void {
    this.capture.close();
    this.playback.close();
  }
}

/** A speaker copied to several ports (each gets its own copy); the microphone is the first port's. */
export class TeeAudioPort implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  private readonly ports: readonly AudioPort[];

  constructor(primary: AudioPort, ...taps: AudioPort[]) {
    if (taps.some((p) => p.sampleRate !== primary.sampleRate)) {
      throw new RangeError('TeeAudioPort: all ports must share one sample rate');
    }
    this.ports = [primary, ...taps];
    this.sampleRate = primary.sampleRate;
    this.frameSamples = primary.frameSamples;
  }

  get ended(): boolean {
    return this.ports[0]!.ended;
  }

  get closed(): boolean {
    return this.ports.every((p) => p.closed);
  }

  readFrame(): Int16Array | null {
    return this.ports[0]!.readFrame();
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
    // Every port but the last gets a copy: each takes ownership of what it is given.
    this.ports.forEach((port, i) =>
      port.writeFrame(i === this.ports.length - 1 ? frame : Int16Array.from(frame)),
    );
  }

  close(): void {
    for (const port of this.ports) port.close();
  }
}
