/**
 * ITU-T G.722 (7 kHz audio coding within 64 kbit/s): sub-band ADPCM on 16 kHz audio, written from the
 * Recommendation — clause 5 (the quadrature mirror filters) and clause 6 (the ADPCM blocks, whose names
 * SUBTRA, QUANTL, INVQAL, LOGSCL, SCALEL, RECONS, PARREC, UPZERO, UPPOL1/2, FILTEP, FILTEZ, PREDIC,
 * LIMIT are kept below), with its Tables 11 and 14–21 (numbered as in the 09/2012 edition).
 *
 *     16 kHz PCM ─▶ transmit QMF ─┬─ x_L (8 kHz, 0–4 kHz) ─▶ lower sub-band ADPCM, 6 bits ─┐
 *                                 └─ x_H (8 kHz, 4–8 kHz) ─▶ higher sub-band ADPCM, 2 bits ─┴▶ octet I_H·64 + I_L
 *
 * and the mirror image in the decoder. This module implements mode 1 (64 kbit/s: all six lower-band
 * bits are audio), which is what RTP carries (RFC 3551 §4.5.2); the encoder always produces it.
 *
 * Arithmetic (clause 6 is bit exact — its digital test sequences hold an implementation to it): 16-bit
 * words; additions and subtractions saturate to −32768…32767 (`sat`); "A·B" is (A times B) >> 15
 * (`mul`); `>>` is arithmetic. JavaScript numbers hold every intermediate exactly, and `>>` on them is
 * a 32-bit arithmetic shift, which is the Recommendation's as long as the value fits in 32 bits (all do).
 *
 * Interface to 16-bit PCM. The Recommendation's audio parts are 14-bit; clause 5 leaves the QMF's
 * precision to the implementation. As the ITU-T G.191 reference software does, the transmit QMF takes
 * 16-bit samples and scales its sums by 2^-14 (a 16-bit full-scale sine gives x_L at 15-bit full scale,
 * which LIMIT then holds to −16384…16383), and the receive QMF scales by 2^-11 and saturates to 16 bits.
 * So a sample's level is the same after decode as before encode, and our octets match other
 * implementations that follow G.191 (spandsp — baresip's g722 module — ffmpeg).
 *
 * Every encoder and decoder is stateful: one per direction of one stream, fed consecutive frames. A frame
 * boundary changes nothing (encoding 20 ms at a time gives the octets of one long block).
 */

// ───────────────────────────── 16-bit arithmetic ─────────────────────────────

/** "+" and "−" of clause 6: saturated to 16 bits. */
function sat(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

/** "A·B" of clause 6: (A × B) >> 15. */
function mul(a: number, b: number): number {
  return (a * b) >> 15;
}

/** LIMIT (blocks 6L and 5H), also applied to the transmit QMF's outputs: 15 bits. */
function limit15(x: number): number {
  return x > 16383 ? 16383 : x < -16384 ? -16384 : x;
}

/** Clause 6's sign: SG = X >> 15, so zero counts as positive. True when `a` and `b` have the same sign. */
function sameSign(a: number, b: number): boolean {
  return a < 0 === b < 0;
}

// ───────────────────────────── tables ─────────────────────────────

/** Table 11: QMF coefficients h0…h23 (× 2^13); symmetric, h(23 − i) = h(i). */
// prettier-ignore
const QMF_COEFFICIENTS = Int32Array.of(
  3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
  3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
);

/** h(2i) and h(2i+1), i = 0…11: the even taps act on x_d / the newest input, the odd ones on x_s. */
const QMF_EVEN = Int32Array.from({ length: 12 }, (_, i) => QMF_COEFFICIENTS[2 * i]!);
const QMF_ODD = Int32Array.from({ length: 12 }, (_, i) => QMF_COEFFICIENTS[2 * i + 1]!);

/**
 * Table 14, lower sub-band. Q6: the 6-bit quantizer's decision levels by interval MIL = 1…29 (in units
 * where the level is (Q6 << 3)·DETL); the top interval, 30, is open above.
 */
// prettier-ignore
const Q6 = Int32Array.of(
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940,
  1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
);
const HIGHEST_LOWER_INTERVAL = 30;

/** Table 14: the 6-bit inverse quantizer's output magnitudes by interval IL6 = 1…30. */
// prettier-ignore
const QQ6 = Int32Array.of(
  0, 17, 54, 91, 130, 170, 211, 254, 300, 347, 396, 447, 501, 558, 618, 682, 750, 822, 899, 982,
  1072, 1170, 1279, 1399, 1535, 1689, 1873, 2088, 2376, 2738, 3101,
);

/** Table 14: the 4-bit inverse quantizer's output magnitudes and the log scale factor multipliers WL, by IL4 = 0…7. */
const QQ4 = Int32Array.of(0, 150, 323, 530, 786, 1121, 1612, 2557);
const WL = Int32Array.of(-60, -30, 58, 172, 334, 538, 1198, 3042);

/** Table 14, higher sub-band: the decision level Q2(1), the output magnitudes QQ2 and multipliers WH by IH2 = 1, 2. */
const Q2_LEVEL = 564;
const QQ2 = Int32Array.of(0, 202, 926);
const WH = Int32Array.of(0, -214, 798);

/** Table 15: ILB, the log-to-linear table of SCALEL/SCALEH (the fractional part of the log scale factor). */
// prettier-ignore
const ILB = Int32Array.of(
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
  2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
);

/**
 * Table 16: the code I_L sent for interval MIL (1…30) of a positive (SIL = 0) and a negative (SIL = −1)
 * prediction error. Codes 0000xx are never sent.
 */
// prettier-ignore
const IL_POSITIVE = Int32Array.of(
  0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39,
  38, 37, 36, 35, 34, 33, 32,
);
// prettier-ignore
const IL_NEGATIVE = Int32Array.of(
  0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
  10, 9, 8, 7, 6, 5, 4,
);

/** Table 17: the interval IL4 of a 4-bit code RIL (= I_L >> 2); RIL 1…7 are negative (SIL = −1). */
const IL4_OF_RIL = Int32Array.of(0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0);

/**
 * Table 18: the interval IL6 of a 6-bit code; codes 0…31, 62 and 63 are negative. The corrupted codes
 * 0000xx decode as the smallest negative level.
 */
// prettier-ignore
const IL6_OF_CODE = Int32Array.of(
  1, 1, 1, 1, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9,
  8, 7, 6, 5, 4, 3, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
  10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 1,
);

/** INVQAL's signed output (QQ4 << 3 with the sign of Table 17), by RIL = 0…15. */
const INVQAL = Int32Array.from(IL4_OF_RIL, (il4, ril) => (ril >= 1 && ril <= 7 ? -1 : 1) * (QQ4[il4]! << 3));

/** INVQBL's signed output in mode 1 (QQ6 << 3 with the sign of Table 18), by the 6-bit code. */
const INVQBL = Int32Array.from(
  IL6_OF_CODE,
  (il6, code) => (code < 32 || code >= 62 ? -1 : 1) * (QQ6[il6]! << 3),
);

/** Table 21: IH2 of a 2-bit code (1 for 01 and 11, 2 for 00 and 10) and INVQAH's signed output (00, 01 negative). */
const IH2_OF_CODE = Int32Array.of(2, 1, 2, 1);
const INVQAH = Int32Array.from(IH2_OF_CODE, (ih2, code) => (code < 2 ? -1 : 1) * (QQ2[ih2]! << 3));

/** The scale factors after reset (clause 6: "DETL = 32, DETH = 8"; every other variable zero). */
const LOWER_RESET_SCALE = 32;
const HIGHER_RESET_SCALE = 8;

/** LOGSCL/LOGSCH limits of the log scale factor, and SCALEL/SCALEH's shift (8 − NBPL >> 11, 10 − NBPH >> 11). */
const LOWER_LOG_SCALE_MAX = 18432;
const HIGHER_LOG_SCALE_MAX = 22528;
const LOWER_SCALE_SHIFT = 8;
const HIGHER_SCALE_SHIFT = 10;

// ───────────────────────────── one sub-band's adaptive state ─────────────────────────────

/**
 * The state both sub-bands share the structure of (blocks 3 and 4): the quantizer scale factor (log and
 * linear), the pole-zero predictor — two poles on the reconstructed signal r, six zeros on the
 * quantized difference d — and its current prediction s (with the zero section's part sz).
 */
class SubBandState {
  /** DETL / DETH: the linear scale factor for this sample. */
  scale: number;
  /** NBL / NBH: the log scale factor. */
  logScale = 0;
  /** AL1, AL2 / AH1, AH2. */
  pole1 = 0;
  pole2 = 0;
  /** BL1…BL6 / BH1…BH6. */
  readonly zeros = new Int32Array(6);
  /** DLT1…DLT6 / DH1…DH6: the last six quantized differences, newest first. */
  readonly differences = new Int32Array(6);
  /** PLT1, PLT2: the last two partially reconstructed signals. */
  partial1 = 0;
  partial2 = 0;
  /** RLT1, RLT2: the last two reconstructed signals. */
  reconstructed1 = 0;
  reconstructed2 = 0;
  /** SL / SH: the prediction of this sample; SZL / SZH: its zero section. */
  prediction = 0;
  zeroPrediction = 0;
  private readonly resetScale: number;

  constructor(resetScale: number) {
    this.resetScale = resetScale;
    this.scale = resetScale;
  }

  reset(): void {
    this.scale = this.resetScale;
    this.logScale = 0;
    this.pole1 = this.pole2 = 0;
    this.zeros.fill(0);
    this.differences.fill(0);
    this.partial1 = this.partial2 = 0;
    this.reconstructed1 = this.reconstructed2 = 0;
    this.prediction = this.zeroPrediction = 0;
  }

  /**
   * LOGSCL/LOGSCH then SCALEL/SCALEH: the next sample's scale factor. The log scale factor leaks by
   * 127/128 and moves by the code's multiplier `w`; its fractional part picks an ILB entry and its
   * integer part the shift.
   */
  adaptScale(w: number, logScaleMax: number, shiftBase: number): void {
    let log = sat(mul(this.logScale, 32512) + w);
    if (log < 0) log = 0;
    else if (log > logScaleMax) log = logScaleMax;
    this.logScale = log;
    const fraction = (log >> 6) & 31;
    const shift = shiftBase - (log >> 11);
    const linear = shift >= 0 ? ILB[fraction]! >> shift : ILB[fraction]! << -shift;
    this.scale = linear << 2;
  }

  /**
   * Block 4 once the quantized difference `d` of this sample is known: RECONS, PARREC, the coefficient
   * updates UPZERO, UPPOL2, UPPOL1, the delays (DELAYA), and the next prediction (FILTEP, FILTEZ,
   * PREDIC). Returns the reconstructed signal RLT / RH.
   */
  update(d: number): number {
    const reconstructed = sat(this.prediction + d); // RECONS
    const partial = sat(d + this.zeroPrediction); // PARREC

    // UPZERO: each zero moves by ±1/128 towards the sign agreement of d and its delayed difference
    // (not at all while d is zero), with leakage 255/256.
    const step = d === 0 ? 0 : 128;
    for (let i = 0; i < 6; i++) {
      const agreement = sameSign(d, this.differences[i]!) ? step : -step;
      this.zeros[i] = sat(agreement + mul(this.zeros[i]!, 32640));
    }

    // UPPOL2: gain 1/128 on the sign agreements of the partial signal with its last two values and
    // f(AL1) = 4·AL1 (saturated), leakage 127/128, held to ±0.75 (12288).
    const sameAsLast = sameSign(partial, this.partial1);
    const sameAsBeforeLast = sameSign(partial, this.partial2);
    const fourPole1 = sat(2 * sat(2 * this.pole1));
    const poleTerm = (sameAsLast ? sat(0 - fourPole1) : fourPole1) >> 7;
    let pole2 = sat(sat(poleTerm + (sameAsBeforeLast ? 128 : -128)) + mul(this.pole2, 32512));
    if (pole2 > 12288) pole2 = 12288;
    else if (pole2 < -12288) pole2 = -12288;

    // UPPOL1: gain 3/256 (±192), leakage 255/256, held to ±(1 − 2^-4 − AL2) so the poles stay stable.
    let pole1 = sat((sameAsLast ? 192 : -192) + mul(this.pole1, 32640));
    const pole1Limit = sat(15360 - pole2);
    if (pole1 > pole1Limit) pole1 = pole1Limit;
    else if (pole1 < -pole1Limit) pole1 = -pole1Limit;

    // DELAYA: the new values become the delayed ones.
    this.differences.copyWithin(1, 0, 5);
    this.differences[0] = d;
    this.partial2 = this.partial1;
    this.partial1 = partial;
    this.reconstructed2 = this.reconstructed1;
    this.reconstructed1 = reconstructed;
    this.pole1 = pole1;
    this.pole2 = pole2;

    // FILTEZ: ((((WD6 + WD5) + WD4) + WD3) + WD2) + WD1, each WDi = BLi·(2·DLTi), every sum saturated.
    let zeroPrediction = 0;
    for (let i = 5; i >= 0; i--) {
      zeroPrediction = sat(zeroPrediction + mul(this.zeros[i]!, sat(2 * this.differences[i]!)));
    }
    // FILTEP and PREDIC.
    const polePrediction = sat(
      mul(this.pole1, sat(2 * this.reconstructed1)) + mul(this.pole2, sat(2 * this.reconstructed2)),
    );
    this.zeroPrediction = zeroPrediction;
    this.prediction = sat(polePrediction + zeroPrediction);
    return reconstructed;
  }
}

// ───────────────────────────── the sub-band coders ─────────────────────────────

/** Blocks 1L–4L: the lower sub-band ADPCM encoder (6-bit codes; adaptation from their four MSBs). */
export class G722LowerBandEncoder {
  private readonly state = new SubBandState(LOWER_RESET_SCALE);

  /** Codes one 15-bit lower sub-band sample x_L; returns the 6-bit I_L. */
  encode(xl: number): number {
    const band = this.state;
    const error = sat(xl - band.prediction); // SUBTRA
    // QUANTL: the magnitude is |EL| for EL ≥ 0 and |EL| − 1 for EL < 0; the interval MIL is the first
    // whose upper decision level (Q6(MIL) << 3)·DETL lies above it (a value on a level goes up).
    const magnitude = error >= 0 ? error : -(error + 1);
    let interval = 1;
    while (interval < HIGHEST_LOWER_INTERVAL && magnitude >= mul(Q6[interval]! << 3, band.scale)) interval++;
    const code = error >= 0 ? IL_POSITIVE[interval]! : IL_NEGATIVE[interval]!;
    adaptLowerBand(band, code);
    return code;
  }

  reset(): void {
    this.state.reset();
  }
}

/** Blocks 2L–6L in mode 1: the lower sub-band ADPCM decoder (output from six bits, adaptation from four). */
export class G722LowerBandDecoder {
  private readonly state = new SubBandState(LOWER_RESET_SCALE);

  /** Decodes one 6-bit code I_LR; returns the lower sub-band sample r_L (LIMIT: 15 bits). */
  decode(code: number): number {
    const band = this.state;
    const difference = mul(band.scale, INVQBL[code & 0x3f]!); // INVQBL, mode 1
    const output = limit15(sat(band.prediction + difference)); // RECONS, LIMIT
    adaptLowerBand(band, code & 0x3f);
    return output;
  }

  reset(): void {
    this.state.reset();
  }
}

/** INVQAL, LOGSCL, SCALEL and block 4L, shared by encoder and decoder: driven by the code's four MSBs. */
function adaptLowerBand(band: SubBandState, code: number): void {
  const ril = code >> 2;
  const difference = mul(band.scale, INVQAL[ril]!);
  band.adaptScale(WL[IL4_OF_RIL[ril]!]!, LOWER_LOG_SCALE_MAX, LOWER_SCALE_SHIFT);
  band.update(difference);
}

/** Blocks 1H–4H: the higher sub-band ADPCM encoder (2-bit codes). */
export class G722HigherBandEncoder {
  private readonly state = new SubBandState(HIGHER_RESET_SCALE);

  /** Codes one 15-bit higher sub-band sample x_H; returns the 2-bit I_H. */
  encode(xh: number): number {
    const band = this.state;
    const error = sat(xh - band.prediction); // SUBTRA
    // QUANTH (Table 20): 11/10 for the small/large positive interval, 01/00 for the negative ones.
    const magnitude = error >= 0 ? error : -(error + 1);
    const large = magnitude >= mul(Q2_LEVEL << 3, band.scale);
    const code = error >= 0 ? (large ? 2 : 3) : large ? 0 : 1;
    adaptHigherBand(band, code);
    return code;
  }

  reset(): void {
    this.state.reset();
  }
}

/** Blocks 2H–5H: the higher sub-band ADPCM decoder. */
export class G722HigherBandDecoder {
  private readonly state = new SubBandState(HIGHER_RESET_SCALE);

  /** Decodes one 2-bit code I_H; returns the higher sub-band sample r_H (LIMIT: 15 bits). */
  decode(code: number): number {
    return limit15(adaptHigherBand(this.state, code & 3));
  }

  reset(): void {
    this.state.reset();
  }
}

/** INVQAH, LOGSCH, SCALEH and block 4H; returns the reconstructed signal. */
function adaptHigherBand(band: SubBandState, code: number): number {
  const difference = mul(band.scale, INVQAH[code]!);
  band.adaptScale(WH[IH2_OF_CODE[code]!]!, HIGHER_LOG_SCALE_MAX, HIGHER_SCALE_SHIFT);
  return band.update(difference);
}

// ───────────────────────────── the codec with its QMFs ─────────────────────────────

/** One octet carries two 16 kHz samples: I_H in bits 7–6, I_L in bits 5–0. */
export const G722_SAMPLES_PER_OCTET = 2;

/**
 * The 64 kbit/s encoder: transmit QMF (clause 5) + both sub-band encoders. `encode` takes an even
 * number of 16 kHz samples (a 20 ms frame is 320) and returns one octet per pair.
 */
export class G722Encoder {
  /** The last 24 input samples, newest first: x_in(j), x_in(j−1), … */
  private readonly history = new Int32Array(24);
  private readonly lower = new G722LowerBandEncoder();
  private readonly higher = new G722HigherBandEncoder();

  encode(pcm: Int16Array): Uint8Array {
    if (pcm.length % 2 !== 0) throw new RangeError(`G.722 encodes pairs of samples; got ${pcm.length}`);
    const out = new Uint8Array(pcm.length / 2);
    const x = this.history;
    for (let n = 0; n < out.length; n++) {
      x.copyWithin(2, 0, 22);
      x[1] = pcm[2 * n]!;
      x[0] = pcm[2 * n + 1]!;
      // x_A = Σ h(2i)·x_in(j − 2i), x_B = Σ h(2i+1)·x_in(j − 2i − 1); x_L = x_A + x_B, x_H = x_A − x_B.
      let even = 0;
      let odd = 0;
      for (let i = 0; i < 12; i++) {
        even += QMF_EVEN[i]! * x[2 * i]!;
        odd += QMF_ODD[i]! * x[2 * i + 1]!;
      }
      const il = this.lower.encode(limit15((even + odd) >> 14));
      const ih = this.higher.encode(limit15((even - odd) >> 14));
      out[n] = (ih << 6) | il;
    }
    return out;
  }

  reset(): void {
    this.history.fill(0);
    this.lower.reset();
    this.higher.reset();
  }
}

/**
 * The decoder (mode 1): both sub-band decoders + receive QMF (clause 5). `decode` returns two 16 kHz
 * samples per octet.
 */
export class G722Decoder {
  /** x_d = r_L − r_H and x_s = r_L + r_H of the last 12 octets, newest first. */
  private readonly differences = new Int32Array(12);
  private readonly sums = new Int32Array(12);
  private readonly lower = new G722LowerBandDecoder();
  private readonly higher = new G722HigherBandDecoder();

  decode(payload: Uint8Array): Int16Array {
    const out = new Int16Array(payload.length * 2);
    const xd = this.differences;
    const xs = this.sums;
    for (let n = 0; n < payload.length; n++) {
      const octet = payload[n]!;
      const rl = this.lower.decode(octet & 0x3f);
      const rh = this.higher.decode(octet >> 6);
      xd.copyWithin(1, 0, 11);
      xs.copyWithin(1, 0, 11);
      xd[0] = rl - rh;
      xs[0] = rl + rh;
      // x_out(j) = 2·Σ h(2i)·x_d(n − i), x_out(j+1) = 2·Σ h(2i+1)·x_s(n − i), x_out(j) first.
      let even = 0;
      let odd = 0;
      for (let i = 0; i < 12; i++) {
        even += QMF_EVEN[i]! * xd[i]!;
        odd += QMF_ODD[i]! * xs[i]!;
      }
      out[2 * n] = sat(even >> 11);
      out[2 * n + 1] = sat(odd >> 11);
    }
    return out;
  }

  reset(): void {
    this.differences.fill(0);
    this.sums.fill(0);
    this.lower.reset();
    this.higher.reset();
  }
}
