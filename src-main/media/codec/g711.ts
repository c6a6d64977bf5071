/**
 * ITU-T G.711 (11/88) µ-law and A-law companding, derived from the segment formulas of the standard
 * (Tables 1a/1b for A-law, 2a/2b for µ-law) and bit-exact with ITU-T G.191's reference software.
 *
 * Linear samples are 16-bit two's complement. G.711 itself quantizes a 14-bit (µ-law) or 13-bit (A-law)
 * uniform code, so the encoder keeps the top 14/13 bits and the decoder returns the reconstruction level
 * left-justified (×4 for µ-law, ×8 for A-law): µ-law decodes to ±32124 at most, A-law to ±32256.
 *
 * Negative inputs are folded with the ones' complement (`~x`, i.e. −x−1), as G.191 does: the integer
 * grid is then split into decision intervals that are exact mirror images around −½, so `x` and `~x`
 * always get the same magnitude code and differ only in the sign bit.
 *
 * Character layout (bit 8 first): `P SSS QQQQ` — polarity, segment (chord), step within the segment.
 *  - µ-law: P=1 for positive, and the whole character is inverted for transmission (G.711 §4.2.2).
 *  - A-law: P=1 for positive, and the even bits are inverted (XOR 0x55) for transmission (§4.2.1).
 *
 * The per-sample functions below are the definition; the codecs use 64 Ki-entry encode tables and
 * 256-entry decode tables built from them once at module load.
 */

// ─────────────────────────────── µ-law ───────────────────────────────

/** Bias added to the 14-bit magnitude so that segment edges fall on powers of two (G.711 Table 2). */
const MU_LAW_BIAS = 33;
/** Biased magnitudes are clipped to 13 bits: everything from the top decision value up saturates at s=7, q=15. */
const MU_LAW_BIASED_MAX = 0x1fff;

/**
 * µ-law encoding of one 16-bit sample.
 *
 * Segment s (0…7) with step q (0…15) covers the 14-bit magnitudes whose biased value m+33 lies in
 * [(16+q)·2^(s+1), (17+q)·2^(s+1)); magnitudes at or above the top decision value 8159 saturate to
 * s=7, q=15.
 */
export function muLawEncodeSample(sample: number): number {
  const negative = sample < 0;
  const magnitude = (negative ? ~sample : sample) >> 2;
  const biased = Math.min(magnitude + MU_LAW_BIAS, MU_LAW_BIASED_MAX);
  // biased ∈ [33, 8191]: its highest set bit is 5…12, which is segment 0…7.
  const segment = 26 - Math.clz32(biased);
  const step = (biased >> (segment + 1)) & 0x0f;
  const character = (negative ? 0x80 : 0x00) | (segment << 4) | step;
  return ~character & 0xff;
}

/**
 * µ-law decoding of one character: the reconstruction level of segment s, step q is
 * ((2q + 33)·2^s − 33) in 14-bit units (G.711 Table 2, "value at decoder output").
 */
export function muLawDecodeSample(code: number): number {
  const character = ~code & 0xff;
  const segment = (character >> 4) & 0x07;
  const step = character & 0x0f;
  const magnitude = (((2 * step + MU_LAW_BIAS) << segment) - MU_LAW_BIAS) << 2;
  // 0 − magnitude rather than −magnitude: negative zero (0x7F) decodes to +0, not −0.
  return character & 0x80 ? 0 - magnitude : magnitude;
}

// ─────────────────────────────── A-law ───────────────────────────────

const A_LAW_EVEN_BIT_INVERSION = 0x55;

/**
 * A-law encoding of one 16-bit sample.
 *
 * On the 13-bit magnitude m (0…4095): segment 0 covers [0, 32) and segment s ≥ 1 covers
 * [2^(s+4), 2^(s+5)), each split into 16 equal steps (segments 0 and 1 both have step size 2).
 */
export function aLawEncodeSample(sample: number): number {
  const negative = sample < 0;
  const magnitude = (negative ? ~sample : sample) >> 3;
  let segment: number;
  let step: number;
  if (magnitude < 32) {
    segment = 0;
    step = magnitude >> 1;
  } else {
    // magnitude ∈ [32, 4095]: its highest set bit is 5…11, which is segment 1…7.
    segment = 27 - Math.clz32(magnitude);
    step = (magnitude >> segment) & 0x0f;
  }
  const character = (negative ? 0x00 : 0x80) | (segment << 4) | step;
  return character ^ A_LAW_EVEN_BIT_INVERSION;
}

/**
 * A-law decoding of one character: the reconstruction level (mid-point of the decision interval) is
 * 2q + 1 in segment 0 and (2q + 33)·2^(s−1) in segment s ≥ 1, in 13-bit units (G.711 Table 1).
 */
export function aLawDecodeSample(code: number): number {
  const character = (code ^ A_LAW_EVEN_BIT_INVERSION) & 0xff;
  const segment = (character >> 4) & 0x07;
  const step = character & 0x0f;
  const level = segment === 0 ? 2 * step + 1 : (2 * step + 33) << (segment - 1);
  const magnitude = level << 3;
  return character & 0x80 ? magnitude : -magnitude;
}

// ─────────────────────────────── tables ──────────────────────────────

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  // Indexed by the sample's 16-bit pattern (sample & 0xffff).
  for (let sample = -32768; sample <= 32767; sample++) table[sample & 0xffff] = encode(sample);
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code);
  return table;
}

const MU_LAW_ENCODE = buildEncodeTable(muLawEncodeSample);
const MU_LAW_DECODE = buildDecodeTable(muLawDecodeSample);
const A_LAW_ENCODE = buildEncodeTable(aLawEncodeSample);
const A_LAW_DECODE = buildDecodeTable(aLawDecodeSample);

/** Encodes a block of 16-bit samples with a 64 Ki-entry table (one byte per sample). */
export function encodeWithTable(pcm: Int16Array, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

/** Decodes a block of characters with a 256-entry table. */
export function decodeWithTable(payload: Uint8Array, table: Int16Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]!]!;
  return out;
}

export function muLawEncode(pcm: Int16Array): Uint8Array {
  return encodeWithTable(pcm, MU_LAW_ENCODE);
}

export function muLawDecode(payload: Uint8Array): Int16Array {
  return decodeWithTable(payload, MU_LAW_DECODE);
}

export function aLawEncode(pcm: Int16Array): Uint8Array {
  return encodeWithTable(pcm, A_LAW_ENCODE);
}

export function aLawDecode(payload: Uint8Array): Int16Array {
  return decodeWithTable(payload, A_LAW_DECODE);
}
