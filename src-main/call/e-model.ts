/**
 * A call-quality estimate: the ITU-T G.107 E-model, simplified the way every VoIP monitor simplifies it
 * (Cole & Rosenbluth, "Voice over IP performance monitoring", 2001), as pure functions.
 *
 *   R   = 93.2 − Id − Ie,eff                     (G.107 §7: R = Ro − Is − Id − Ie,eff + A, with the
 *                                                  default Ro − Is = 93.2 and the advantage factor A = 0)
 *   Id  = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3) (mouth-to-ear delay d in ms; H the step function)
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)   (G.107 §7.4, random loss: BurstR = 1)
 *   MOS = 1                                       for R < 0
 *       = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶   for 0 ≤ R ≤ 100   (G.107 Annex B, (B-4))
 *       = 4.5                                     for R > 100
 *
 * Codec figures (ITU-T G.113 Appendix I): G.711 has Ie = 0 and a packet-loss robustness Bpl of 4.3
 * without concealment, 25.1 with packet loss concealment (our playout pipeline conceals, so calls use
 * 25.1). The delay is one way, mouth to ear: half the RTCP round trip (RFC 3550 §6.4.1), the jitter
 * buffer's playout delay, and the packetisation (one ptime; G.711 has no look-ahead).
 *
 * G.722 is scored narrowband-equivalent, on this same narrow-band R scale: Ie = 0 (it loses nothing a
 * narrow-band listener would hear; its 1.5 ms of QMF delay is left out) and the G.711 loss robustness,
 * because the same concealment runs on its decoded audio. Its real advantage — the 50–7000 Hz band —
 * lives on G.107.1's wideband scale (Ro = 129, with the wideband codec factors Ie,wb of G.113 Appendix
 * IV), which a narrow-band MOS cannot express: a perfect G.722 call therefore shows the same 4.41 as a
 * perfect G.711 call. Mixing the two scales in one number would be wrong; keeping the
 * estimate narrowband keeps MOS comparable across codecs and with other VoIP monitors.
 *
 * What it is not: G.107 is a planning tool; its MOS is a "conversational quality estimate" (MOS-CQE),
 * good for telling a clean call from a poor one and for trends, not a listening test.
 */

/** R-factor of a perfect narrow-band call: G.107's default Ro − Is. */
export const R_DEFAULT = 93.2;

/** The delay beyond which talkers start to collide (G.107's knee of Id, ms). */
const DELAY_KNEE_MS = 177.3;

export interface CodecImpairment {
  /** Equipment impairment factor without loss (G.113 Appendix I). */
  readonly ie: number;
  /** Packet-loss robustness factor. */
  readonly bpl: number;
}

/** G.711 (PCMU/PCMA), with and without packet loss concealment (G.113 Appendix I, Table I.3). */
export const G711_IMPAIRMENT = {
  withPlc: { ie: 0, bpl: 25.1 },
  withoutPlc: { ie: 0, bpl: 4.3 },
} as const satisfies Record<string, CodecImpairment>;

/**
 * G.722, narrowband-equivalent (see the header): G.711's figures. Without concealment an ADPCM decoder
 * that missed packets also runs with a mis-adapted predictor for a while, so that case is no better
 * than G.711's 4.3.
 */
export const G722_NARROWBAND_EQUIVALENT_IMPAIRMENT = G711_IMPAIRMENT;

/** The codec figures for a codec name; undefined for codecs without published narrow-band figures. */
export function codecImpairment(codec: string, plc: boolean): CodecImpairment | undefined {
  const name = codec.toUpperCase();
  if (name === 'PCMU' || name === 'PCMA' || name === 'G711')
    return plc ? G711_IMPAIRMENT.withPlc : G711_IMPAIRMENT.withoutPlc;
  if (name === 'G722') {
    const figures = G722_NARROWBAND_EQUIVALENT_IMPAIRMENT;
    return plc ? figures.withPlc : figures.withoutPlc;
  }
  return undefined;
}

/** Id: the delay impairment for a one-way (mouth-to-ear) delay in ms. */
export function delayImpairment(oneWayDelayMs: number): number {
  const d = Math.max(0, oneWayDelayMs);
  return 0.024 * d + (d > DELAY_KNEE_MS ? 0.11 * (d - DELAY_KNEE_MS) : 0);
}

/** Ie,eff: the codec's impairment under random packet loss (`lossPct` in percent, 0–100). */
export function effectiveEquipmentImpairment(codec: CodecImpairment, lossPct: number): number {
  const ppl = Math.min(100, Math.max(0, lossPct));
  return codec.ie + ((95 - codec.ie) * ppl) / (ppl + codec.bpl);
}

/** R from the mouth-to-ear delay and the loss. */
export function rFactor(input: {
  readonly codec: CodecImpairment;
  readonly oneWayDelayMs: number;
  readonly lossPct: number;
}): number {
  return (
    R_DEFAULT -
    delayImpairment(input.oneWayDelayMs) -
    effectiveEquipmentImpairment(input.codec, input.lossPct)
  );
}

/** G.107 Annex B: the MOS (1–4.5) for an R-factor. */
export function mosFromR(r: number): number {
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

export interface CallQualityInput {
  /** The codec we receive (`PCMU`…). */
  readonly codec: string;
  /** Our measurement of lost incoming packets, percent. */
  readonly lossPct: number;
  /** RTCP round trip (RFC 3550 §6.4.1); undefined/null before the first report: counted as 0. */
  readonly rttMs: number | null | undefined;
  /** The jitter buffer's playout delay, ms. */
  readonly jitterBufferMs: number;
  /** Packetisation (ms of audio per packet). */
  readonly ptimeMs: number;
  /** The receiver conceals lost packets (default true: our playout pipeline does). */
  readonly plc?: boolean;
}

/** The estimated MOS of a call, rounded to two decimals; undefined for codecs without figures. */
export function estimateMos(input: CallQualityInput): number | undefined {
  const codec = codecImpairment(input.codec, input.plc ?? true);
  if (codec === undefined) return undefined;
  const oneWayDelayMs =
    Math.max(0, input.rttMs ?? 0) / 2 + Math.max(0, input.jitterBufferMs) + Math.max(0, input.ptimeMs);
  return Math.round(mosFromR(rFactor({ codec, oneWayDelayMs, lossPct: input.lossPct })) * 100) / 100;
}
