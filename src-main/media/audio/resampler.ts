/**
 * Streaming rational sample-rate converter: up by L, low-pass, down by M (L/M = output/input rate
 * reduced), computed as a polyphase FIR so only the taps that meet non-zero input samples are summed.
 *
 * Filter: a Kaiser-windowed sinc designed at the rate L·input for
 *   - passband 0 … 0.85 · min(input, output)/2  (0–3.4 kHz for 8 kHz, 0–6.8 kHz for 16 kHz),
 *     ripple below 0.003 dB;
 *   - stopband from min(input, output)/2 up   (from 4 kHz for 8 kHz, 8 kHz for 16 kHz),
 *     attenuation at least 70 dB (Kaiser β = 0.1102·(70 − 8.7)).
 * So converting 48 kHz → 8 kHz removes everything that would alias, and 8 kHz → 48 kHz removes the
 * spectral images. The length follows Kaiser's formula N = (A − 7.95) / (2.285 · Δω) + 1: 347 taps
 * for 48 ↔ 8 kHz (58 per phase when up-sampling by 6), 175 for 48 ↔ 16 kHz. Group delay: (N − 1)/2
 * samples at the rate L·input, 3.6 ms for both.
 *
 * The converter keeps its input history between calls, so a stream cut into frames converts exactly as
 * if it were converted in one piece. With integer ratios every frame maps to a fixed count
 * (960 ↔ 160 for 48 ↔ 8 kHz); other ratios (44.1 → 8 kHz) deliver the exact long-run count, ±1 per call.
 */

export interface ResamplerOptions {
  inputRate: number;
  outputRate: number;
  /** Stopband attenuation in dB (default 70). */
  stopbandDb?: number;
  /** Passband edge as a fraction of the lower Nyquist frequency (default 0.85). */
  passbandFraction?: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200 && term > 1e-12 * sum; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** Kaiser's window parameter for a stopband attenuation of `db` decibels. */
function kaiserBeta(db: number): number {
  if (db > 50) return 0.1102 * (db - 8.7);
  if (db >= 21) return 0.5842 * (db - 21) ** 0.4 + 0.07886 * (db - 21);
  return 0;
}

function toInt16(value: number): number {
  const rounded = Math.round(value);
  return rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
}

export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly passbandHz: number;
  readonly stopbandHz: number;
  readonly stopbandDb: number;
  /** Length of the prototype filter (at rate L·input); 0 when the rates are equal. */
  readonly taps: number;
  /** Group delay in output samples. */
  readonly delaySamples: number;
  private readonly up: number;
  private readonly down: number;
  /** Taps per phase. */
  private readonly perPhase: number;
  /** phases[p][j] = h[p + (K − 1 − j)·L]: reversed so the inner loop walks the input forwards. */
  private readonly phases: Float64Array[];
  /** The last K − 1 input samples, followed by room for the next call's input. */
  private work: Float64Array;
  /** Position of the next output on the up-sampled time axis, relative to this call's first input. */
  private position = 0;

  constructor(options: ResamplerOptions) {
    const { inputRate, outputRate } = options;
    if (!(Number.isInteger(inputRate) && Number.isInteger(outputRate) && inputRate > 0 && outputRate > 0)) {
      throw new RangeError(`sample rates must be positive integers, got ${inputRate} → ${outputRate}`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    this.stopbandDb = options.stopbandDb ?? 70;
    const nyquist = Math.min(inputRate, outputRate) / 2;
    this.passbandHz = (options.passbandFraction ?? 0.85) * nyquist;
    this.stopbandHz = nyquist;

    if (inputRate === outputRate) {
      this.taps = 0;
      this.perPhase = 1;
      this.phases = [Float64Array.of(1)];
      this.delaySamples = 0;
      this.work = new Float64Array(0);
      return;
    }

    const highRate = inputRate * this.up;
    const transition = (2 * Math.PI * (this.stopbandHz - this.passbandHz)) / highRate;
    let taps = Math.ceil((this.stopbandDb - 7.95) / (2.285 * transition)) + 1;
    if (taps % 2 === 0) taps++; // odd length: the centre tap sits on a sample, delay is whole
    this.taps = taps;
    // Whole groups of 4 taps per phase (zero-padded at the oldest end) for the unrolled inner loop.
    this.perPhase = Math.ceil(Math.ceil(taps / this.up) / 4) * 4;
    const beta = kaiserBeta(this.stopbandDb);
    const cutoff = (this.passbandHz + this.stopbandHz) / 2 / highRate; // cycles per sample
    const centre = (taps - 1) / 2;
    const i0Beta = besselI0(beta);
    const h = new Float64Array(this.perPhase * this.up);
    let sum = 0;
    for (let n = 0; n < taps; n++) {
      const x = n - centre;
      const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      const r = x / centre;
      const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
      h[n] = sinc * window;
      sum += h[n]!;
    }
    // Unity gain at DC after zero-stuffing by L: the taps sum to L (each phase to about 1).
    const scale = this.up / sum;
    this.phases = [];
    for (let p = 0; p < this.up; p++) {
      const phase = new Float64Array(this.perPhase);
      for (let j = 0; j < this.perPhase; j++) phase[j] = h[p + (this.perPhase - 1 - j) * this.up]! * scale;
      this.phases.push(phase);
    }
    this.delaySamples = (taps - 1) / 2 / this.down;
    this.work = new Float64Array(this.perPhase - 1 + 1024);
  }

  /** Converts the next piece of the stream; returns the output samples it completes. */
  process(input: Int16Array): Int16Array {
    if (this.taps === 0) return Int16Array.from(input);
    const history = this.perPhase - 1;
    if (this.work.length < history + input.length) {
      const grown = new Float64Array(history + input.length);
      grown.set(this.work.subarray(0, history));
      this.work = grown;
    }
    const work = this.work;
    for (let i = 0; i < input.length; i++) work[history + i] = input[i]!;

    const end = input.length * this.up;
    const count = this.position < end ? Math.ceil((end - this.position) / this.down) : 0;
    const out = new Int16Array(count);
    const up = this.up;
    const perPhase = this.perPhase;
    let t = this.position;
    for (let k = 0; k < count; k++, t += this.down) {
      const n = Math.floor(t / up);
      const coefficients = this.phases[t - n * up]!;
      // Four independent sums, so the multiply-adds do not wait on each other.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < perPhase; j += 4) {
        a0 += coefficients[j]! * work[n + j]!;
        a1 += coefficients[j + 1]! * work[n + j + 1]!;
        a2 += coefficients[j + 2]! * work[n + j + 2]!;
        a3 += coefficients[j + 3]! * work[n + j + 3]!;
      }
      out[k] = toInt16(a0 + a1 + a2 + a3);
    }
    this.position = t - end;
    // Keep the last K − 1 samples as the next call's history.
    work.copyWithin(0, input.length, input.length + history);
    return out;
  }

  /** Forget the stream (the next call starts from silence). */
  reset(): void {
    this.work.fill(0);
    this.position = 0;
  }
}
