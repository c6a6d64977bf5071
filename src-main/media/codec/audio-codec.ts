/**
 * The audio codec abstraction used by the RTP sender/receiver and the playout pipeline, and the
 * registry of the codecs this phone implements.
 */
import { aLawDecode, aLawEncode, muLawDecode, muLawEncode } from './g711.ts';

/** Encoding names as they appear in SDP `a=rtpmap` (RFC 3551 §4.5). */
export type CodecName = 'PCMU' | 'PCMA';

export const CODEC_NAMES: readonly CodecName[] = ['PCMU', 'PCMA'];

/**
 * A stateless audio codec on mono 16-bit PCM at `clockRate`.
 *
 * `encode` takes any whole number of samples (normally one packet's worth, `frameSamples(ptime)`);
 * `decode` returns the samples carried by one RTP payload.
 */
export interface AudioCodec {
  readonly name: CodecName;
  /** Static RTP payload type from RFC 3551 Table 4 (used when the SDP has no rtpmap for it). */
  readonly payloadType: number;
  /** RTP clock rate = PCM sample rate in Hz. */
  readonly clockRate: number;
  readonly channels: number;
  /** Samples in one packet of `ptimeMs` milliseconds (160 for 20 ms at 8 kHz). */
  frameSamples(ptimeMs: number): number;
  encode(pcm: Int16Array): Uint8Array;
  decode(payload: Uint8Array): Int16Array;
  /** Samples (per channel) that `decode(payload)` would return, without decoding. */
  sampleCount(payload: Uint8Array): number;
}

function g711Codec(
  name: CodecName,
  payloadType: number,
  encode: (pcm: Int16Array) => Uint8Array,
  decode: (payload: Uint8Array) => Int16Array,
): AudioCodec {
  const clockRate = 8000;
  return Object.freeze({
    name,
    payloadType,
    clockRate,
    channels: 1,
    frameSamples: (ptimeMs: number) => frameSamplesAt(clockRate, ptimeMs),
    encode,
    decode,
    // RFC 3551 §4.5.14: G.711 carries one octet per sample.
    sampleCount: (payload: Uint8Array) => payload.length,
  });
}

/** Samples in `ptimeMs` at `rate` Hz; ptimes that do not give a whole number of samples are bugs. */
export function frameSamplesAt(rate: number, ptimeMs: number): number {
  const samples = (rate * ptimeMs) / 1000;
  if (!Number.isInteger(samples) || samples <= 0) {
    throw new RangeError(`ptime ${ptimeMs} ms is not a whole, positive number of samples at ${rate} Hz`);
  }
  return samples;
}

/** G.711 µ-law, RTP payload type 0. */
export const PCMU: AudioCodec = g711Codec('PCMU', 0, muLawEncode, muLawDecode);
/** G.711 A-law, RTP payload type 8. */
export const PCMA: AudioCodec = g711Codec('PCMA', 8, aLawEncode, aLawDecode);

const BY_NAME: Readonly<Record<CodecName, AudioCodec>> = { PCMU, PCMA };

export function codecByName(name: CodecName): AudioCodec {
  return BY_NAME[name];
}

/**
 * Looks up an SDP encoding name (case-insensitive, RFC 4566 §6: "encoding names are case-insensitive")
 * with its clock rate and channel count; undefined when we do not implement it.
 */
export function findCodec(encodingName: string, clockRate = 8000, channels = 1): AudioCodec | undefined {
  const upper = encodingName.toUpperCase();
  if (!isCodecName(upper)) return undefined;
  const codec = BY_NAME[upper];
  return codec.clockRate === clockRate && codec.channels === channels ? codec : undefined;
}

export function isCodecName(name: string): name is CodecName {
  return (CODEC_NAMES as readonly string[]).includes(name);
}

/** The codec a static payload type (RFC 3551 Table 4) stands for, if we implement it. */
export function codecByStaticPayloadType(payloadType: number): AudioCodec | undefined {
  return CODEC_NAMES.map((n) => BY_NAME[n]).find((c) => c.payloadType === payloadType);
}
