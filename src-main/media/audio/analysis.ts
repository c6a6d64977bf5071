/**
 * Signal measurements for tests and diagnostics: level, the dominant frequency, and "is this a tone of
 * f Hz". Interop tests use them on audio that went through real peers and codecs.
 *
 * `dominantFrequency`: Hann window, zero-padded radix-2 FFT (at least 4× the input length, so bins are
 * ≤ rate/4N apart), the strongest bin between `minHz` and `maxHz`, refined by Gaussian (log-parabolic)
 * interpolation of that bin and its neighbours — accurate to a small fraction of a bin for a clean tone.
 */

/** Root mean square, in sample units (full-scale sine: 23170). */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

/** RMS relative to a full-scale square wave (32768), in dB; −Infinity for silence. */
export function rmsDbfs(samples: ArrayLike<number>): number {
  return 20 * Math.log10(rms(samples) / 32768);
}

/**
 * Amplitude of the component at `hz` (Goertzel's algorithm, rectangular window): exact for a sine with
 * a whole number of cycles in the block.
 */
export function goertzelAmplitude(samples: ArrayLike<number>, sampleRate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * hz) / sampleRate;
  const coefficient = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

interface Spectrum {
  /** |X[k]|² for k = 0 … size/2. */
  power: Float64Array;
  /** Hz per bin. */
  binHz: number;
}

function powerSpectrum(samples: ArrayLike<number>, sampleRate: number): Spectrum {
  const n = samples.length;
  let size = 1024;
  while (size < 4 * n) size *= 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++)
    re[i] = samples[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, n - 1)));
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return { power, binHz: sampleRate / size };
}

/** In-place iterative radix-2 FFT; the length must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let length = 2; length <= n; length <<= 1) {
    const angle = (-2 * Math.PI) / length;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += length) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < length / 2; k++) {
        const a = start + k;
        const b = a + length / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

export interface FrequencyRange {
  minHz?: number;
  maxHz?: number;
}

function peakFrequency(spectrum: Spectrum, range: FrequencyRange): number | null {
  const { power, binHz } = spectrum;
  const first = Math.max(1, Math.ceil((range.minHz ?? 20) / binHz));
  const last = Math.min(power.length - 2, Math.floor((range.maxHz ?? Infinity) / binHz));
  let best = -1;
  for (let k = first; k <= last; k++) if (best < 0 || power[k]! > power[best]!) best = k;
  if (best < 0 || power[best]! === 0) return null;
  // Gaussian interpolation: a parabola through the logarithms of the three bins around the peak.
  const a = Math.log(Math.max(power[best - 1]!, 1e-300));
  const b = Math.log(power[best]!);
  const c = Math.log(Math.max(power[best + 1]!, 1e-300));
  const denominator = a - 2 * b + c;
  const shift = denominator === 0 ? 0 : (0.5 * (a - c)) / denominator;
  return (best + Math.max(-0.5, Math.min(0.5, shift))) * binHz;
}

/** The frequency of the strongest component (Hz), or null for silence. */
export function dominantFrequency(
  samples: ArrayLike<number>,
  sampleRate: number,
  range: FrequencyRange = {},
): number | null {
  if (samples.length < 2) return null;
  return peakFrequency(powerSpectrum(samples, sampleRate), range);
}

export interface ToneAnalysis {
  detected: boolean;
  dominantHz: number | null;
  /** Share of the signal's power (DC excluded) within the tolerance band around `hz`. */
  toneFraction: number;
  rms: number;
}

export interface ToneDetectionOptions {
  /** Below this RMS the signal counts as silence (default 100, about −50 dBFS). */
  minRms?: number;
  /** Share of the power that must lie around `hz` (default 0.5). */
  minFraction?: number;
}

/** Why `detectTone` said what it said. */
export function analyzeTone(
  samples: ArrayLike<number>,
  sampleRate: number,
  hz: number,
  toleranceHz: number,
  options: ToneDetectionOptions = {},
): ToneAnalysis {
  const level = rms(samples);
  if (samples.length < 2) return { detected: false, dominantHz: null, toneFraction: 0, rms: level };
  const spectrum = powerSpectrum(samples, sampleRate);
  const dominantHz = peakFrequency(spectrum, {});
  const { power, binHz } = spectrum;
  // The Hann window spreads a pure tone over ±2 bins of the unpadded length (= ±8 padded bins here).
  const spread = toleranceHz + (2 * sampleRate) / samples.length;
  let inBand = 0;
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    total += power[k]!;
    if (Math.abs(k * binHz - hz) <= spread) inBand += power[k]!;
  }
  const toneFraction = total > 0 ? inBand / total : 0;
  const detected =
    level >= (options.minRms ?? 100) &&
    dominantHz !== null &&
    Math.abs(dominantHz - hz) <= toleranceHz &&
    toneFraction >= (options.minFraction ?? 0.5);
  return { detected, dominantHz, toneFraction, rms: level };
}

/** Is `samples` mostly a tone of `hz` ± `toleranceHz`, at an audible level? */
export function detectTone(
  samples: ArrayLike<number>,
  sampleRate: number,
  hz: number,
  toleranceHz: number,
): boolean {
  return analyzeTone(samples, sampleRate, hz, toleranceHz).detected;
}
