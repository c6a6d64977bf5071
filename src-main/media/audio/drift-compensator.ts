/**
 * A FIFO between two audio clocks that are nominally equal but not quite: the producer writes frames on
 * one clock (e.g. the call's 20 ms media timer), the consumer reads frames on another (e.g. the sound
 * card via the AudioWorklet). A 0.1 % mismatch is 48 samples per second at 48 kHz; without correction
 * the FIFO would run dry or overflow within minutes.
 *
 * The compensator keeps the fill near `targetFillSamples` by resampling the frame being read by one
 * sample (linear interpolation of frameSamples ± 1 input samples onto frameSamples outputs, which is a
 * 0.6 % rate change at 8 kHz / 0.1 % at 48 kHz for that frame, inaudible) whenever the smoothed fill
 * has strayed more than `toleranceSamples` from the target, until it is back at the target:
 *
 *     steady ──fill > target + tolerance──▶ shrinking (read frame+1 → frame) ──fill ≤ target──▶ steady
 *     steady ──fill < target − tolerance──▶ growing   (read frame−1 → frame) ──fill ≥ target──▶ steady
 *
 * Until the fill first reaches the target, reads return silence without consuming (priming). Reading
 * from an empty FIFO returns what there is padded with silence (an underrun); writing past the capacity
 * drops the oldest samples (an overflow).
 *
 * Sizing: with equal write and read sizes the fill seen before a read is a staircase — it moves by a
 * whole frame whenever the two clocks' ticks swap order (every 20 s at 0.1 %), and between steps it may
 * rest anywhere within the tolerance — so the default target is 2.5 frames: one frame for the read,
 * one for that step, a quarter for the tolerance and a quarter for control lag and timing jitter. Reads may be smaller than writes (an AudioWorklet pulls 128-sample quanta): pass the
 * count to `read()` and size the target for the write size.
 */
import { SampleFifo } from './sample-fifo.ts';

export interface DriftCompensatorOptions {
  frameSamples: number;
  /** Fill to hold, in samples (default 2.5 frames). */
  targetFillSamples?: number;
  /** Deviation of the smoothed fill that starts a correction (default a quarter frame). */
  toleranceSamples?: number;
  /** Hard limit (default ten frames). */
  capacitySamples?: number;
  /** Weight of a new fill measurement in the smoothed fill (default 1/8). */
  smoothing?: number;
}

export type DriftCompensatorMode = 'priming' | 'steady' | 'shrinking' | 'growing';

export interface DriftCompensatorStats {
  mode: DriftCompensatorMode;
  fill: number;
  smoothedFill: number;
  /** Samples removed by shrinking reads. */
  droppedSamples: number;
  /** Samples added by growing reads. */
  insertedSamples: number;
  underruns: number;
  overflowSamples: number;
}

export class DriftCompensator {
  readonly frameSamples: number;
  readonly targetFillSamples: number;
  readonly toleranceSamples: number;
  readonly capacitySamples: number;
  private readonly smoothing: number;
  private readonly fifo: SampleFifo;
  private mode: DriftCompensatorMode = 'priming';
  private smoothedFill = 0;
  private readonly counters = { droppedSamples: 0, insertedSamples: 0, underruns: 0, overflowSamples: 0 };

  constructor(options: DriftCompensatorOptions) {
    this.frameSamples = options.frameSamples;
    this.toleranceSamples = options.toleranceSamples ?? this.frameSamples / 4;
    this.targetFillSamples = options.targetFillSamples ?? Math.round(2.5 * this.frameSamples);
    this.capacitySamples = options.capacitySamples ?? 10 * this.frameSamples;
    this.smoothing = options.smoothing ?? 1 / 8;
    if (!(this.frameSamples >= 2 && this.capacitySamples >= this.targetFillSamples + this.frameSamples)) {
      throw new RangeError('DriftCompensator: the capacity must hold the target fill plus a frame');
    }
    this.fifo = new SampleFifo(this.capacitySamples + this.frameSamples);
  }

  get fill(): number {
    return this.fifo.length;
  }

  get stats(): DriftCompensatorStats {
    return { mode: this.mode, fill: this.fifo.length, smoothedFill: this.smoothedFill, ...this.counters };
  }

  /** Producer side: append samples (normally one frame). */
  write(samples: Int16Array): void {
    this.fifo.push(samples);
    const excess = this.fifo.length - this.capacitySamples;
    if (excess > 0) {
      this.fifo.discard(excess);
      this.counters.overflowSamples += excess;
    }
  }

  /** Consumer side: exactly `samples` samples (default one frame). */
  read(samples = this.frameSamples): Int16Array {
    if (!(Number.isInteger(samples) && samples >= 2)) throw new RangeError(`cannot read ${samples} samples`);
    const fill = this.fifo.length;
    if (this.mode === 'priming') {
      if (fill < this.targetFillSamples) return new Int16Array(samples);
      this.smoothedFill = fill;
      this.mode = 'steady';
    }
    this.smoothedFill += (fill - this.smoothedFill) * this.smoothing;
    this.mode = this.nextMode(this.smoothedFill - this.targetFillSamples);

    const wanted = this.mode === 'shrinking' ? samples + 1 : this.mode === 'growing' ? samples - 1 : samples;
    if (fill < wanted) {
      // Underrun: play what there is, then silence; start priming again.
      this.counters.underruns++;
      const out = new Int16Array(samples);
      this.fifo.shiftInto(out, 0, fill);
      this.mode = 'priming';
      return out;
    }
    const taken = this.fifo.shift(wanted);
    if (wanted === samples) return taken;
    if (wanted > samples) this.counters.droppedSamples++;
    else this.counters.insertedSamples++;
    return stretch(taken, samples);
  }

  private nextMode(error: number): DriftCompensatorMode {
    switch (this.mode) {
      case 'steady':
      case 'priming':
        if (error > this.toleranceSamples) return 'shrinking';
        if (error < -this.toleranceSamples) return 'growing';
        return 'steady';
      case 'shrinking':
        return error <= 0 ? 'steady' : 'shrinking';
      case 'growing':
        return error >= 0 ? 'steady' : 'growing';
    }
  }
}

/** Linear interpolation of `input` onto `length` samples spanning the same first and last sample. */
function stretch(input: Int16Array, length: number): Int16Array {
  const out = new Int16Array(length);
  const ratio = (input.length - 1) / (length - 1);
  for (let i = 0; i < length; i++) {
    const x = i * ratio;
    const k = Math.floor(x);
    const frac = x - k;
    const a = input[k]!;
    const b = input[Math.min(k + 1, input.length - 1)]!;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}
