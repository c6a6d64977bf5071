/**
 * Test audio: WAV files generated with sox, and a small self-contained analyser for recordings
 * (RMS, dominant frequency by FFT, tone presence per second), so a test can say "this recording holds
 * 1000 Hz in at least 80 % of its seconds".
 *
 * A second "holds" a tone when it is not silent (RMS ≥ `minRmsDbfs`) and at least `minToneRatio` of its
 * energy lies within ±`toleranceHz` of the tone (Hann-windowed FFT of that second). G.711 quantisation,
 * resampling and a little jitter keep well above the default ratio of 0.5; a different tone, noise or
 * silence stays far below it.
 */
import { closeSync, openSync, readFileSync, readSync, fstatSync } from 'node:fs';
import { runChecked } from './processes.ts';

export interface ToneFile {
  path: string;
  hz: number;
  seconds: number;
  /** Default 8000. */
  sampleRate?: number;
  /** Default 1. */
  channels?: number;
  /** Peak amplitude 0..1 (default 0.5). */
  amplitude?: number;
}

/** Write a sine tone as 16-bit PCM WAV with sox. Returns the path. */
export async function generateToneWav(file: ToneFile): Promise<string> {
  await runChecked('sox', [
    '-n',
    '-r',
    String(file.sampleRate ?? 8000),
    '-c',
    String(file.channels ?? 1),
    '-b',
    '16',
    '-e',
    'signed-integer',
    file.path,
    'synth',
    String(file.seconds),
    'sine',
    String(file.hz),
    'vol',
    String(file.amplitude ?? 0.5),
  ]);
  return file.path;
}

/** Write silence as 16-bit PCM WAV with sox. */
export async function generateSilenceWav(file: {
  path: string;
  seconds: number;
  sampleRate?: number;
  channels?: number;
}): Promise<string> {
  await runChecked('sox', [
    '-n',
    '-r',
    String(file.sampleRate ?? 8000),
    '-c',
    String(file.channels ?? 1),
    '-b',
    '16',
    '-e',
    'signed-integer',
    file.path,
    'trim',
    '0',
    String(file.seconds),
  ]);
  return file.path;
}

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Mono mix-down, -1..1. */
  samples: Float32Array;
  durationSeconds: number;
}

/**
 * Read a WAV file (PCM 8/16/24/32-bit, IEEE float 32, WAVE_FORMAT_EXTENSIBLE of those). A data chunk whose
 * size is 0 or larger than the file (a recording not finalised yet) is read to the end of the file.
 */
export function readWav(file: string): WavAudio {
  const bytes = readFileSync(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${file}: not a RIFF/WAVE file`);
  let offset = 12;
  let format: { tag: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    let size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      let tag = bytes.readUInt16LE(body);
      if (tag === 0xfffe && size >= 40) tag = bytes.readUInt16LE(body + 24);
      format = {
        tag,
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        bits: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${file}: data before fmt`);
      if (size === 0 || body + size > bytes.length) size = bytes.length - body;
      return decode(bytes.subarray(body, body + size), format, file);
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

function decode(
  data: Buffer,
  format: { tag: number; channels: number; sampleRate: number; bits: number },
  file: string,
): WavAudio {
  const { tag, channels, bits } = format;
  const bytesPerSample = bits / 8;
  const read: ((at: number) => number) | undefined =
    tag === 1 && bits === 16
      ? (at) => data.readInt16LE(at) / 32768
      : tag === 1 && bits === 8
        ? (at) => (data.readUInt8(at) - 128) / 128
        : tag === 1 && bits === 24
          ? (at) => data.readIntLE(at, 3) / 8388608
          : tag === 1 && bits === 32
            ? (at) => data.readInt32LE(at) / 2147483648
            : tag === 3 && bits === 32
              ? (at) => data.readFloatLE(at)
              : undefined;
  if (!read || channels < 1)
    throw new Error(`${file}: unsupported WAV format (tag ${tag}, ${bits} bits, ${channels} channels)`);
  const frames = Math.floor(data.length / (bytesPerSample * channels));
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read((i * channels + c) * bytesPerSample);
    samples[i] = sum / channels;
  }
  return { sampleRate: format.sampleRate, channels, samples, durationSeconds: frames / format.sampleRate };
}

/** Size in bytes of a file (0 if missing) — handy to see a recording grow. */
export function fileSize(file: string): number {
  try {
    const fd = openSync(file, 'r');
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/** First bytes of a file as ASCII (format sniffing in tests). */
export function fileMagic(file: string, length = 4): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.toString('ascii', 0, read);
  } finally {
    closeSync(fd);
  }
}

// ───────────────────────────── analysis ─────────────────────────────

export function rms(samples: Float32Array, from = 0, to = samples.length): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / (to - from));
}

/** 20·log10(rms) relative to full scale; -Infinity for digital silence. */
export function dbfs(value: number): number {
  return value > 0 ? 20 * Math.log10(value) : -Infinity;
}

/** Power of one frequency over a block (Goertzel), normalised so a full-scale sine gives ≈ 0.25. */
export function goertzelPower(
  samples: Float32Array,
  sampleRate: number,
  hz: number,
  from = 0,
  to = samples.length,
): number {
  const n = to - from;
  if (n <= 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (samples[i] ?? 0) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return power / (n * n);
}

/** Power spectrum |X[k]|² of a Hann-windowed block, zero-padded to a power of two. */
export function powerSpectrum(
  samples: Float32Array,
  from = 0,
  to = samples.length,
): { power: Float64Array; size: number } {
  const length = to - from;
  let size = 1;
  while (size < length) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < length; i++) {
    const w = length > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1)) : 1;
    re[i] = (samples[from + i] ?? 0) * w;
  }
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
  return { power, size };
}

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const xr = (re[b] ?? 0) * cr - (im[b] ?? 0) * ci;
        const xi = (re[b] ?? 0) * ci + (im[b] ?? 0) * cr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

/** Frequency (Hz) of the strongest spectral peak of a block, refined by parabolic interpolation. */
export function dominantFrequency(
  samples: Float32Array,
  sampleRate: number,
  from = 0,
  to = samples.length,
): number {
  const { power, size } = powerSpectrum(samples, from, to);
  let best = 1;
  for (let k = 2; k < power.length - 1; k++) if ((power[k] ?? 0) > (power[best] ?? 0)) best = k;
  const a = Math.sqrt(power[best - 1] ?? 0);
  const b = Math.sqrt(power[best] ?? 0);
  const c = Math.sqrt(power[best + 1] ?? 0);
  const denominator = a - 2 * b + c;
  const shift = denominator !== 0 ? (0.5 * (a - c)) / denominator : 0;
  return ((best + shift) * sampleRate) / size;
}

/** Share (0..1) of a block's energy (DC excluded) within ±toleranceHz of `hz`. */
export function toneEnergyRatio(
  samples: Float32Array,
  sampleRate: number,
  hz: number,
  toleranceHz: number,
  from = 0,
  to = samples.length,
): number {
  const { power, size } = powerSpectrum(samples, from, to);
  const binHz = sampleRate / size;
  const low = Math.max(1, Math.floor((hz - toleranceHz) / binHz));
  const high = Math.min(power.length - 1, Math.ceil((hz + toleranceHz) / binHz));
  let band = 0;
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    const p = power[k] ?? 0;
    total += p;
    if (k >= low && k <= high) band += p;
  }
  return total > 0 ? band / total : 0;
}

export interface AnalysisOptions {
  /** The tone to look for (enables `toneRatio`, `tonePresent`, `tonePresentRatio`). */
  hz?: number;
  /** Band half-width around `hz` (default 25 Hz). */
  toleranceHz?: number;
  /** A second quieter than this is silent (default -40 dBFS). */
  minRmsDbfs?: number;
  /** Share of a second's energy that must be in the band (default 0.5). */
  minToneRatio?: number;
}

export interface SecondAnalysis {
  index: number;
  rms: number;
  rmsDbfs: number;
  dominantHz: number;
  /** Share of energy around `hz` (NaN without `hz`). */
  toneRatio: number;
  tonePresent: boolean;
}

export interface AudioAnalysis {
  sampleRate: number;
  channels: number;
  durationSeconds: number;
  rms: number;
  rmsDbfs: number;
  /** Dominant frequency over the whole file. */
  dominantHz: number;
  /** One entry per whole second (a last partial second of ≥ 0.5 s counts too). */
  seconds: SecondAnalysis[];
  /** Fraction of `seconds` that hold the tone (0 when there are no seconds or no `hz`). */
  tonePresentRatio: number;
}

/** Analyse decoded audio per second. */
export function analyseAudio(audio: WavAudio, options: AnalysisOptions = {}): AudioAnalysis {
  const { samples, sampleRate } = audio;
  const tolerance = options.toleranceHz ?? 25;
  const minDb = options.minRmsDbfs ?? -40;
  const minRatio = options.minToneRatio ?? 0.5;
  const seconds: SecondAnalysis[] = [];
  for (let index = 0; index * sampleRate < samples.length; index++) {
    const from = index * sampleRate;
    const to = Math.min(samples.length, from + sampleRate);
    if (to - from < sampleRate / 2) break;
    const level = rms(samples, from, to);
    const toneRatio =
      options.hz === undefined ? NaN : toneEnergyRatio(samples, sampleRate, options.hz, tolerance, from, to);
    seconds.push({
      index,
      rms: level,
      rmsDbfs: dbfs(level),
      dominantHz: dominantFrequency(samples, sampleRate, from, to),
      toneRatio,
      tonePresent: options.hz !== undefined && dbfs(level) >= minDb && toneRatio >= minRatio,
    });
  }
  const whole = rms(samples);
  return {
    sampleRate,
    channels: audio.channels,
    durationSeconds: audio.durationSeconds,
    rms: whole,
    rmsDbfs: dbfs(whole),
    dominantHz:
      samples.length > 1
        ? dominantFrequency(samples, sampleRate, 0, Math.min(samples.length, sampleRate * 10))
        : 0,
    seconds,
    tonePresentRatio:
      seconds.length > 0 && options.hz !== undefined
        ? seconds.filter((s) => s.tonePresent).length / seconds.length
        : 0,
  };
}

/** Read and analyse a WAV file. */
export function analyseWav(file: string, options: AnalysisOptions = {}): AudioAnalysis {
  return analyseAudio(readWav(file), options);
}
