/**
 * The playback worklet's queue: 20 ms frames from main go in, 128-sample render quanta come out.
 *
 * Main writes a frame every 20 ms on its clock; the sound card pulls quanta on its own; IPC and main's
 * timer add jitter. The ring holds a small cushion — `targetMs` (default 50 ms), the renderer's whole
 * share of the mouth-to-ear delay — and keeps it there:
 *
 *     priming ──fill ≥ target──▶ steady ──smoothed fill > target + tolerance──▶ shrinking (read n+1 → n)
 *        ▲                         │    ◀──────────── back at target ────────────┘
 *        │                         └──smoothed fill < target − tolerance──▶ growing (read n−1 → n)
 *        └──────── underrun (fewer samples than a quantum needs): the rest is silence ──────────┘
 *
 *  - priming: silence until the fill reaches the target (at the start, and again after an underrun), so
 *    one late frame costs one gap, not a gap every quantum.
 *  - The smoothed fill averages the sawtooth of frame arrivals (one frame up every 20 ms, 128 down per
 *    quantum) and the delivery jitter over ~0.7 s, so the correction does not chase the jitter; a clock
 *    drift of up to 1/128 (0.78 %) is absorbed by reading one sample more or less per quantum, linearly
 *    interpolated — inaudible.
 *  - overflow: a push beyond the capacity (default 120 ms) drops the oldest samples — after a stall on
 *    main's side a burst must not turn into lasting delay.
 */
import { int16ToFloat } from './pcm.ts';

export interface PlaybackRingOptions {
  sampleRate: number;
  /** Fill to hold and to prime to, ms (default 50). */
  targetMs?: number;
  /** Deviation of the smoothed fill that starts a correction, ms (default 5). */
  toleranceMs?: number;
  /** Most the ring holds, ms (default 120); must exceed the target by at least a frame. */
  capacityMs?: number;
  /** Weight of a new fill measurement per render call (default 1/256, about 0.7 s at 128-sample quanta). */
  smoothing?: number;
}

export type PlaybackRingMode = 'priming' | 'steady' | 'shrinking' | 'growing';

export interface PlaybackRingStats {
  mode: PlaybackRingMode;
  fill: number;
  smoothedFill: number;
  /** smoothedFill in ms: what the ring adds to the delay. */
  bufferedMs: number;
  underruns: number;
  /** Pushes that dropped old samples, and how many samples they dropped. */
  overflows: number;
  overflowSamples: number;
  /** Samples skipped (shrinking) and made up (growing) by drift correction. */
  droppedSamples: number;
  insertedSamples: number;
}

export class PlaybackRing {
  readonly sampleRate: number;
  readonly targetSamples: number;
  readonly toleranceSamples: number;
  readonly capacitySamples: number;
  private readonly smoothing: number;
  private readonly ring: Int16Array;
  private start = 0;
  private count = 0;
  private mode: PlaybackRingMode = 'priming';
  private smoothedFill = 0;
  private scratch = new Float32Array(129);
  private readonly counters = {
    underruns: 0,
    overflows: 0,
    overflowSamples: 0,
    droppedSamples: 0,
    insertedSamples: 0,
  };

  constructor(options: PlaybackRingOptions) {
    this.sampleRate = options.sampleRate;
    const samples = (ms: number) => Math.round((ms * options.sampleRate) / 1000);
    this.targetSamples = samples(options.targetMs ?? 50);
    this.toleranceSamples = samples(options.toleranceMs ?? 5);
    this.capacitySamples = samples(options.capacityMs ?? 120);
    this.smoothing = options.smoothing ?? 1 / 256;
    if (!(this.targetSamples > 0 && this.capacitySamples >= this.targetSamples + samples(20))) {
      throw new RangeError('PlaybackRing: the capacity must hold the target plus a frame');
    }
    this.ring = new Int16Array(this.capacitySamples);
  }

  get fill(): number {
    return this.count;
  }

  get stats(): PlaybackRingStats {
    return {
      mode: this.mode,
      fill: this.count,
      smoothedFill: this.smoothedFill,
      bufferedMs: (this.smoothedFill * 1000) / this.sampleRate,
      ...this.counters,
    };
  }

  /** Queues samples to play; beyond the capacity the oldest are dropped. */
  push(samples: Int16Array): void {
    let input = samples;
    if (input.length > this.capacitySamples) input = input.subarray(input.length - this.capacitySamples);
    const excess = this.count + input.length - this.capacitySamples;
    if (excess > 0) {
      this.discard(excess);
      this.counters.overflows++;
      this.counters.overflowSamples += excess;
    }
    const capacity = this.ring.length;
    let at = (this.start + this.count) % capacity;
    for (let i = 0; i < input.length; i++) {
      this.ring[at] = input[i]!;
      at = at + 1 === capacity ? 0 : at + 1;
    }
    this.count += input.length;
  }

  /** Fills `out` (one render quantum) with what to play now. */
  render(out: Float32Array): void {
    const n = out.length;
    if (this.mode === 'priming') {
      if (this.count < this.targetSamples) {
        out.fill(0);
        return;
      }
      // Right after a frame arrived the fill is up to a frame above its average over the next 20 ms;
      // start the average at the target and let the measurements move it.
      this.smoothedFill = this.targetSamples;
      this.mode = 'steady';
    }
    this.smoothedFill += (this.count - this.smoothedFill) * this.smoothing;
    this.mode = this.nextMode(this.smoothedFill - this.targetSamples);
    const wanted = this.mode === 'shrinking' ? n + 1 : this.mode === 'growing' ? n - 1 : n;

    if (this.count < wanted) {
      // Underrun: play what there is, then silence, and prime again.
      const have = this.count;
      this.shiftFloats(out, have);
      out.fill(0, have);
      this.counters.underruns++;
      this.mode = 'priming';
      return;
    }
    if (wanted === n) {
      this.shiftFloats(out, n);
      return;
    }
    if (this.scratch.length < wanted) this.scratch = new Float32Array(wanted);
    const input = this.scratch.subarray(0, wanted);
    this.shiftFloats(input, wanted);
    if (wanted > n) this.counters.droppedSamples++;
    else this.counters.insertedSamples++;
    stretchInto(input, out);
  }

  /** Forgets everything queued (the audio focus moved to another call) and primes again. */
  clear(): void {
    this.start = 0;
    this.count = 0;
    this.mode = 'priming';
    this.smoothedFill = 0;
  }

  private nextMode(error: number): PlaybackRingMode {
    switch (this.mode) {
      case 'priming':
      case 'steady':
        if (error > this.toleranceSamples) return 'shrinking';
        if (error < -this.toleranceSamples) return 'growing';
        return 'steady';
      case 'shrinking':
        return error <= 0 ? 'steady' : 'shrinking';
      case 'growing':
        return error >= 0 ? 'steady' : 'growing';
    }
  }

  private shiftFloats(target: Float32Array, n: number): void {
    const capacity = this.ring.length;
    let at = this.start;
    for (let i = 0; i < n; i++) {
      target[i] = int16ToFloat(this.ring[at]!);
      at = at + 1 === capacity ? 0 : at + 1;
    }
    this.start = at;
    this.count -= n;
  }

  private discard(n: number): void {
    const k = Math.min(n, this.count);
    this.start = (this.start + k) % this.ring.length;
    this.count -= k;
  }
}

/** Linear interpolation of `input` onto `out`, keeping the first and the last sample. */
function stretchInto(input: Float32Array, out: Float32Array): void {
  const ratio = (input.length - 1) / (out.length - 1);
  for (let i = 0; i < out.length; i++) {
    const x = i * ratio;
    const k = Math.floor(x);
    const a = input[k]!;
    const b = input[Math.min(k + 1, input.length - 1)]!;
    out[i] = a + (b - a) * (x - k);
  }
}
