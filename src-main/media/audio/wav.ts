/**
 * RIFF/WAVE with 16-bit PCM: header parsing (chunk walk) and building. The layout of the canonical
 * file this module writes:
 *
 *     offset  size  field
 *      0      4     "RIFF"
 *      4      4     RIFF chunk size = 4 + (8 + 16) + (8 + data bytes)  = 36 + data bytes
 *      8      4     "WAVE"
 *     12      4     "fmt "        16  4  fmt chunk size = 16
 *     20      2     format 1 (PCM)    22  2  channels
 *     24      4     sample rate       28  4  byte rate = rate · block align
 *     32      2     block align = channels · 2      34  2  bits per sample = 16
 *     36      4     "data"        40  4  data bytes
 *     44            samples, little-endian, interleaved
 *
 * Readers accept any chunk order before "data", skip unknown chunks (LIST, fact…; odd sizes are padded
 * to even), WAVE_FORMAT_EXTENSIBLE with the PCM sub-format, and a data size of 0 or 0xFFFFFFFF or past
 * the end of the file (written by a streaming tool or a recorder that never closed) as "up to the end".
 */

export const WAV_HEADER_BYTES = 44;
const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Largest data chunk a RIFF size field can describe. */
export const WAV_MAX_DATA_BYTES = 0xffffffff - 36;

export interface WavFormat {
  sampleRate: number;
  channels: number;
  /** Always 16 here. */
  bitsPerSample: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
}

export type WavError = 'not-riff' | 'not-wave' | 'no-fmt' | 'no-data' | 'truncated' | 'unsupported-format';

export interface WavLayout {
  format: WavFormat;
  /** File offset of the first sample. */
  dataOffset: number;
  /** Usable data bytes (whole sample frames, within the file). */
  dataBytes: number;
}

/** Random access to the file being parsed: `read(offset, length)` returns up to `length` bytes. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export type WavLayoutResult = { ok: true; layout: WavLayout } | { ok: false; error: WavError };

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Walks the chunks of a RIFF/WAVE file up to its data chunk. */
export function parseWavLayout(source: ByteSource): WavLayoutResult {
  const riff = source.read(0, 12);
  if (riff.length < 12) return { ok: false, error: 'truncated' };
  if (ascii(riff, 0) !== 'RIFF') return { ok: false, error: 'not-riff' };
  if (ascii(riff, 8) !== 'WAVE') return { ok: false, error: 'not-wave' };

  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= source.size) {
    const header = source.read(offset, 8);
    if (header.length < 8) return { ok: false, error: 'truncated' };
    const id = ascii(header, 0);
    const size = view(header).getUint32(4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      const parsed = parseFmt(source.read(body, Math.min(size, 40)));
      if (!parsed.ok) return parsed;
      format = parsed.format;
    } else if (id === 'data') {
      if (!format) return { ok: false, error: 'no-fmt' };
      const available = source.size - body;
      const declared = size === 0 || size === 0xffffffff || size > available ? available : size;
      const dataBytes = declared - (declared % format.blockAlign);
      return { ok: true, layout: { format, dataOffset: body, dataBytes } };
    }
    offset = body + size + (size % 2);
  }
  return { ok: false, error: format ? 'no-data' : 'no-fmt' };
}

function parseFmt(fmt: Uint8Array): { ok: true; format: WavFormat } | { ok: false; error: WavError } {
  if (fmt.length < 16) return { ok: false, error: 'truncated' };
  const v = view(fmt);
  let tag = v.getUint16(0, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // The sub-format GUID's first two bytes carry the actual format tag.
    if (fmt.length < 26) return { ok: false, error: 'truncated' };
    tag = v.getUint16(24, true);
  }
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  if (
    tag !== WAVE_FORMAT_PCM ||
    bitsPerSample !== 16 ||
    channels < 1 ||
    sampleRate < 1 ||
    blockAlign !== 2 * channels
  ) {
    return { ok: false, error: 'unsupported-format' };
  }
  return { ok: true, format: { sampleRate, channels, bitsPerSample, blockAlign } };
}

/** The canonical 44-byte header of a 16-bit PCM file. */
export function buildWavHeader(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const v = view(header);
  const tag = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) header[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = channels * 2;
  tag(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, WAVE_FORMAT_PCM, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, 16, true);
  tag(36, 'data');
  v.setUint32(40, dataBytes, true);
  return header;
}

/** Little-endian 16-bit bytes → samples (interleaved as stored). */
export function samplesFromBytes(bytes: Uint8Array): Int16Array {
  const count = bytes.length >> 1;
  const out = new Int16Array(count);
  const v = view(bytes);
  for (let i = 0; i < count; i++) out[i] = v.getInt16(2 * i, true);
  return out;
}

/** Samples → little-endian 16-bit bytes. */
export function bytesFromSamples(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const v = view(out);
  for (let i = 0; i < samples.length; i++) v.setInt16(2 * i, samples[i]!, true);
  return out;
}

/** A whole file in memory → its format and interleaved samples. */
export function decodeWav(
  bytes: Uint8Array,
): { ok: true; format: WavFormat; samples: Int16Array } | { ok: false; error: WavError } {
  const parsed = parseWavLayout({
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
  });
  if (!parsed.ok) return parsed;
  const { format, dataOffset, dataBytes } = parsed.layout;
  return { ok: true, format, samples: samplesFromBytes(bytes.subarray(dataOffset, dataOffset + dataBytes)) };
}

/** Interleaved samples → a whole 16-bit PCM file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const data = bytesFromSamples(samples);
  const out = new Uint8Array(WAV_HEADER_BYTES + data.length);
  out.set(buildWavHeader(sampleRate, channels, data.length));
  out.set(data, WAV_HEADER_BYTES);
  return out;
}

/** Interleaved multi-channel samples → mono (the mean of the channels, rounded down). */
export function downmixToMono(interleaved: Int16Array, channels: number): Int16Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c]!;
    out[f] = Math.floor(sum / channels);
  }
  return out;
}
