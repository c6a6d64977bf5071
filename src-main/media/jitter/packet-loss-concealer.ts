/**
 * Packet-loss concealment on decoded PCM, a simplified form of ITU-T G.711 Appendix I:
 *
 *  1. On the first missing unit, estimate the pitch period L of the last received audio: the lag in
 *     [1/maxPitchHz, 1/minPitchHz] (5…15 ms by default, as in Appendix I) that maximises the
 *     normalised cross-correlation between the last L_max samples and the segment L earlier.
 *  2. Synthesise by repeating the last period. The end of the period is cross-faded (over L/4) into the
 *     samples just before it, so the repetition wraps without a click; the step between the last real
 *     sample and the synthetic signal is removed with a short decaying offset.
 *  3. Gain: 1 for the first `fadeStartMs` (10 ms), then falling linearly to 0 at `fadeEndMs` (60 ms;
 *     Appendix I's 20 % per 10 ms); silence after that, however long the loss lasts.
 *  4. When audio resumes, the first samples are cross-faded from the continued synthetic signal into
 *     the real one (4 ms per 10 ms of loss, at most 10 ms).
 *
 * Simplifications against Appendix I: no 3.75 ms output delay (so the start of an erasure is smoothed
 * by the offset ramp instead of an overlap-add with already played audio) and the pitch buffer is not
 * lengthened to 2–3 periods for long erasures (the fade makes the resulting buzz short).
 */

export interface PacketLossConcealerOptions {
  sampleRate?: number;
  minPitchHz?: number;
  maxPitchHz?: number;
  fadeStartMs?: number;
  fadeEndMs?: number;
}

export interface PacketLossConcealerStats {
  /** Erasures (runs of concealed units). */
  erasures: number;
  concealedSamples: number;
}

interface Erasure {
  period: Float32Array;
  /** Samples synthesised so far in this erasure (drives the gain and the period phase). */
  position: number;
  /** Step between the last real sample and the synthetic signal, removed over `rampSamples`. */
  offset: number;
  rampSamples: number;
}

export class PacketLossConcealer {
  readonly sampleRate: number;
  private readonly minLag: number;
  private readonly maxLag: number;
  private readonly fadeStart: number;
  private readonly fadeEnd: number;
  /** The most recent output, oldest first. */
  private readonly history: Float32Array;
  private historyFill = 0;
  private erasure: Erasure | null = null;
  private readonly counters: PacketLossConcealerStats = { erasures: 0, concealedSamples: 0 };

  constructor(options: PacketLossConcealerOptions = {}) {
    this.sampleRate = options.sampleRate ?? 8000;
    this.minLag = Math.round(this.sampleRate / (options.maxPitchHz ?? 200));
    this.maxLag = Math.round(this.sampleRate / (options.minPitchHz ?? 200 / 3));
    this.fadeStart = Math.round(((options.fadeStartMs ?? 10) * this.sampleRate) / 1000);
    this.fadeEnd = Math.round(((options.fadeEndMs ?? 60) * this.sampleRate) / 1000);
    if (!(this.minLag >= 2 && this.maxLag > this.minLag && this.fadeEnd > this.fadeStart)) {
      throw new RangeError('PacketLossConcealer: pitch range or fade times are inconsistent');
    }
    // The pitch search compares the last maxLag samples with the ones up to maxLag before them.
    this.history = new Float32Array(2 * this.maxLag + Math.ceil(this.maxLag / 4));
  }

  get stats(): PacketLossConcealerStats {
    return { ...this.counters };
  }

  /** True while the last output was concealment. */
  get concealing(): boolean {
    return this.erasure !== null;
  }

  /** A received frame: returned as is, or cross-faded in after an erasure; remembered for the next one. */
  good(frame: Int16Array): Int16Array {
    const erasure = this.erasure;
    if (!erasure) {
      this.remember(frame);
      return frame;
    }
    this.erasure = null;
    const erasedMs = (erasure.position * 1000) / this.sampleRate;
    const fadeMs = Math.min(10, 4 * Math.ceil(erasedMs / 10));
    const length = Math.min(frame.length, Math.round((fadeMs * this.sampleRate) / 1000));
    const out = Int16Array.from(frame);
    for (let i = 0; i < length; i++) {
      const w = (i + 1) / (length + 1);
      out[i] = toInt16(this.synthesize(erasure) * (1 - w) + frame[i]! * w);
    }
    this.remember(out);
    return out;
  }

  /** `samples` of concealment for missing audio. */
  conceal(samples: number): Int16Array {
    if (!this.erasure) {
      this.counters.erasures++;
      this.erasure = this.startErasure();
    }
    const erasure = this.erasure;
    const out = new Int16Array(samples);
    for (let i = 0; i < samples; i++) out[i] = toInt16(this.synthesize(erasure));
    this.counters.concealedSamples += samples;
    this.remember(out);
    return out;
  }

  /** `samples` of silence (no audio expected); ends any erasure without a cross-fade. */
  silence(samples: number): Int16Array {
    this.erasure = null;
    const out = new Int16Array(samples);
    this.remember(out);
    return out;
  }

  reset(): void {
    this.erasure = null;
    this.history.fill(0);
    this.historyFill = 0;
  }

  private startErasure(): Erasure {
    const n = this.history.length;
    if (this.historyFill < 2 * this.maxLag) {
      // Not enough audio to repeat (start of the stream): conceal with silence.
      return { period: new Float32Array(1), position: this.fadeEnd, offset: 0, rampSamples: 1 };
    }
    const lag = this.estimatePitch();
    const h = this.history;
    const period = h.slice(n - lag);
    // Make the repetition seamless: fade the end of the period into the samples that precede it, so
    // its last sample leads into its first one as the original signal did.
    const overlap = Math.max(1, Math.floor(lag / 4));
    for (let j = 0; j < overlap; j++) {
      const w = (j + 1) / (overlap + 1);
      const i = lag - overlap + j;
      period[i] = period[i]! * (1 - w) + h[n - lag - overlap + j]! * w;
    }
    const offset = h[n - 1]! - period[lag - 1]!;
    return { period, position: 0, offset, rampSamples: overlap };
  }

  /** The lag with the highest normalised cross-correlation between the last maxLag samples and earlier. */
  private estimatePitch(): number {
    const h = this.history;
    const n = h.length;
    const window = this.maxLag;
    let targetEnergy = 0;
    for (let i = n - window; i < n; i++) targetEnergy += h[i]! * h[i]!;
    let bestLag = this.minLag;
    let bestScore = -Infinity;
    for (let lag = this.minLag; lag <= this.maxLag; lag++) {
      let cross = 0;
      let energy = 0;
      for (let i = n - window; i < n; i++) {
        const earlier = h[i - lag]!;
        cross += h[i]! * earlier;
        energy += earlier * earlier;
      }
      const score = energy > 0 && targetEnergy > 0 ? cross / Math.sqrt(energy * targetEnergy) : 0;
      if (score > bestScore) {
        bestScore = score;
        bestLag = lag;
      }
    }
    return bestLag;
  }

  private synthesize(erasure: Erasure): number {
    const k = erasure.position++;
    if (k >= this.fadeEnd) return 0;
    const period = erasure.period;
    let value = period[k % period.length]!;
    if (k < erasure.rampSamples) value += erasure.offset * (1 - (k + 1) / (erasure.rampSamples + 1));
    const gain = k < this.fadeStart ? 1 : 1 - (k - this.fadeStart) / (this.fadeEnd - this.fadeStart);
    return value * gain;
  }

  private remember(samples: Int16Array): void {
    const h = this.history;
    const n = h.length;
    if (samples.length >= n) {
      for (let i = 0; i < n; i++) h[i] = samples[samples.length - n + i]!;
    } else {
      h.copyWithin(0, samples.length);
      for (let i = 0; i < samples.length; i++) h[n - samples.length + i] = samples[i]!;
    }
    this.historyFill = Math.min(n, this.historyFill + samples.length);
  }
}

function toInt16(value: number): number {
  const rounded = Math.round(value);
  return rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
}
