/**
 * The audio codec abstraction used by the RTP sender/receiver and the playout pipeline, and the
 * registry of the codecs this phone implements.
 *
 * Two rates. `clockRate` is the RTP clock (the rate in `a=rtpmap`, the unit of RTP timestamps);
 * `sampleRate` is the rate of the PCM that encoders take and decoders give. They are equal for every
 * codec but one: G.722 samples at 16 kHz while its RTP clock runs at 8 kHz (RFC 3551 §4.5.2: "Even
 * though the actual sampling rate for G.722 audio is 16,000 Hz, the RTP clock rate for the G722
 * payload format is 8,000 Hz because that value was erroneously assigned in RFC 1890 and must remain
 * unchanged for backward compatibility."). So everything that counts PCM samples (resampling, frames,
 * concealment, recordings) uses `sampleRate`, and everything that counts RTP timestamp units (the RTP
 * timestamp, the jitter buffer, RTCP jitter, telephone-events) uses `clockRate`; `samplesToTimestamp` and
 * `timestampToSamples` convert between the two.
 */
import { aLawDecode, aLawEncode, muLawDecode, muLawEncode } from './g711.ts';
import { G722Decoder, G722Encoder, G722_SAMPLES_PER_OCTET } from './g722.ts';

/** Encoding names as they appear in SDP `a=rtpmap` (RFC 3551 §4.5). */
export type CodecName = 'PCMU' | 'PCMA' | 'G722';

export const CODEC_NAMES: readonly CodecName[] = ['PCMU', 'PCMA', 'G722'];

/** Turns PCM into payloads. Stateful codecs (G.722) need one encoder per stream, fed consecutive audio. */
export interface AudioEncoder {
  /** Encodes a whole number of samples at the codec's `sampleRate` (normally one packet's worth). */
  encode(pcm: Int16Array): Uint8Array;
}

/** Turns payloads into PCM. Stateful codecs need one decoder per received stream, fed in order. */
export interface AudioDecoder {
  /** The PCM (at the codec's `sampleRate`) one RTP payload carries. */
  decode(payload: Uint8Array): Int16Array;
}

/** An audio codec on mono 16-bit PCM: its RTP description and a factory for its encoders and decoders. */
export interface AudioCodec {
  readonly name: CodecName;
  /** Static RTP payload type from RFC 3551 Table 4 (used when the SDP has no rtpmap for it). */
  readonly payloadType: number;
  /** RTP clock rate in Hz, as in SDP: the unit of RTP timestamps. */
  readonly clockRate: number;
  /** PCM sample rate in Hz of what encoders take and decoders give (16000 for G.722, else = clockRate). */
  readonly sampleRate: number;
  readonly channels: number;
  /** PCM samples in one packet of `ptimeMs` milliseconds (160 for 20 ms of G.711, 320 of G.722). */
  frameSamples(ptimeMs: number): number;
  /** RTP timestamp units spanned by `samples` PCM samples (G.722: half of them). */
  samplesToTimestamp(samples: number): number;
  /** PCM samples spanned by `units` RTP timestamp units (G.722: twice as many). */
  timestampToSamples(units: number): number;
  /** PCM samples (per channel) that decoding `payload` gives, without decoding. */
  sampleCount(payload: Uint8Array): number;
  /** A fresh encoder (its own state; for G.711 the stateless shared one). */
  createEncoder(): AudioEncoder;
  /** A fresh decoder (its own state; for G.711 the stateless shared one). */
  createDecoder(): AudioDecoder;
}

/** A codec without state (G.711): it encodes and decodes itself. */
export interface StatelessAudioCodec extends AudioCodec, AudioEncoder, AudioDecoder {}

interface CodecDefinition {
  readonly name: CodecName;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly sampleRate: number;
  readonly sampleCount: (payload: Uint8Array) => number;
}

/** The rate bookkeeping every codec shares, from its two rates. */
function describeCodec(definition: CodecDefinition) {
  const { clockRate, sampleRate } = definition;
  const convert = (value: number, from: number, to: number, what: string): number => {
    const converted = (value * to) / from;
    if (!Number.isInteger(converted))
      throw new RangeError(`${value} ${what} is not a whole number at ${to} Hz`);
    return converted;
  };
  return {
    ...definition,
    channels: 1,
    frameSamples: (ptimeMs: number) => frameSamplesAt(sampleRate, ptimeMs),
    samplesToTimestamp: (samples: number) => convert(samples, sampleRate, clockRate, 'samples'),
    timestampToSamples: (units: number) => convert(units, clockRate, sampleRate, 'timestamp units'),
  };
}

function g711Codec(
  name: CodecName,
  payloadType: number,
  encode: (pcm: Int16Array) => Uint8Array,
  decode: (payload: Uint8Array) => Int16Array,
): StatelessAudioCodec {
  const codec: StatelessAudioCodec = {
    ...describeCodec({
      name,
      payloadType,
      clockRate: 8000,
      sampleRate: 8000,
      // RFC 3551 §4.5.14: G.711 carries one octet per sample.
      sampleCount: (payload: Uint8Array) => payload.length,
    }),
    encode,
    decode,
    createEncoder: () => codec,
    createDecoder: () => codec,
  };
  return Object.freeze(codec);
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
export const PCMU: StatelessAudioCodec = g711Codec('PCMU', 0, muLawEncode, muLawDecode);
/** G.711 A-law, RTP payload type 8. */
export const PCMA: StatelessAudioCodec = g711Codec('PCMA', 8, aLawEncode, aLawDecode);

/**
 * G.722 (g722.ts), RTP payload type 9: `a=rtpmap:9 G722/8000` for 16 kHz audio (RFC 3551 §4.5.2 — "The
 * octet rate or sample-pair rate is 8,000 Hz"): one octet per pair of samples, and per RTP timestamp unit.
 */
export const G722: AudioCodec = Object.freeze({
  ...describeCodec({
    name: 'G722',
    payloadType: 9,
    clockRate: 8000,
    sampleRate: 16000,
    sampleCount: (payload: Uint8Array) => payload.length * G722_SAMPLES_PER_OCTET,
  }),
  createEncoder: () => new G722Encoder(),
  createDecoder: () => new G722Decoder(),
});

const BY_NAME: Readonly<Record<CodecName, AudioCodec>> = { PCMU, PCMA, G722 };

export function codecByName(name: CodecName): AudioCodec {
  return BY_NAME[name];
}

/**
 * Looks up an SDP encoding name (case-insensitive, RFC 4566 §6: "encoding names are case-insensitive")
 * with its RTP clock rate and channel count; undefined when we do not implement it.
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
