/**
 * G.722 (media/codec/g722.ts):
 *  (bit exactness against the ITU-T test sequences is checked by test/tools/g722-itu-vectors.ts, which
 *  reads the ITU's files from a folder you give it: they are not redistributed in this repository);
 *  - what the codec does to audio: tones from 300 Hz to 6 kHz with their signal-to-noise ratios, silence,
 *    a frequency sweep, and continuity across frames;
 *  - its registry entry: RFC 3551's payload type 9 with an 8 kHz RTP clock for 16 kHz audio.
 */
import { describe, expect, it } from 'vitest';
import {
  G722,
  G722Decoder,
  G722Encoder,
  PCMU,
  codecByName,
  codecByStaticPayloadType,
  findCodec,
} from '../../../../src-main/media/codec/index.ts';
import { Resampler, dominantFrequency, rms } from '../../../../src-main/media/audio/index.ts';

const RATE = 16000;
/** The transmit and receive QMFs together delay the audio by 22 samples (two 24-tap filters, less 2). */
const CODEC_DELAY = 22;

function sine(hz: number, amplitude: number, samples: number, rate = RATE): Int16Array {
  return Int16Array.from({ length: samples }, (_, n) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * n) / rate)),
  );
}

function roundTrip(pcm: Int16Array): Int16Array {
  return new G722Decoder().decode(new G722Encoder().encode(pcm));
}

/** SNR in dB of the decoded audio against the input delayed by the codec, from sample `from` on. */
function snrDb(input: Int16Array, output: Int16Array, from: number): number {
  let signal = 0;
  let noise = 0;
  for (let n = Math.max(from, CODEC_DELAY); n < output.length; n++) {
    const reference = input[n - CODEC_DELAY]!;
    signal += reference * reference;
    noise += (output[n]! - reference) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('G.722 on audio', () => {
  /*
   * Thresholds: the measured SNRs (at −6 dBFS: 63.5, 47.5, 41.3, 27.3 dB; at −26 dBFS: 51.9, 45.0, 40.9,
   * 26.0 dB) less about 4 dB. What to expect: the lower band's 6-bit quantizer alone is worth about
   * 6 dB per bit, ~35 dB, and its pole-zero predictor locks onto a steady tone and adds gain, the more
   * the lower the tone; a tone in the higher band (4–8 kHz) is coded with 2 bits (~10 dB) plus that
   * band's prediction gain. G.711 gives ~38 dB on such tones and nothing at all above 4 kHz.
   */
  const TONES = [
    { hz: 300, minSnrDb: 48 },
    { hz: 1000, minSnrDb: 41 },
    { hz: 3000, minSnrDb: 37 },
    { hz: 6000, minSnrDb: 22 },
  ];
  for (const amplitude of [16384, 1638]) {
    for (const { hz, minSnrDb } of TONES) {
      it(`carries ${hz} Hz at ${amplitude === 16384 ? '−6' : '−26'} dBFS with SNR ≥ ${minSnrDb} dB, at ${hz} Hz`, () => {
        const input = sine(hz, amplitude, RATE);
        const output = roundTrip(input);
        expect(output.length).toBe(input.length);
        // From 100 ms on: the scale factors and the predictor have adapted.
        expect(snrDb(input, output, RATE / 10)).toBeGreaterThanOrEqual(minSnrDb);
        expect(Math.abs(dominantFrequency(output.subarray(RATE / 10), RATE)! - hz)).toBeLessThan(1);
      });
    }
  }

  it('a 6 kHz tone survives G.722 but not a G.711 path (8 kHz sampling)', () => {
    const input = sine(6000, 16384, RATE);
    const wideband = roundTrip(input);
    const down = new Resampler({ inputRate: RATE, outputRate: 8000 });
    const up = new Resampler({ inputRate: 8000, outputRate: RATE });
    const narrowband = up.process(PCMU.decode(PCMU.encode(down.process(input))));
    const level = (pcm: Int16Array): number => rms(pcm.subarray(RATE / 10));
    expect(20 * Math.log10(level(wideband) / level(input))).toBeGreaterThan(-0.5);
    expect(20 * Math.log10(level(narrowband) / level(input))).toBeLessThan(-40);
  });

  it('keeps silence near silence (below −78 dBFS) and starts from it', () => {
    const output = roundTrip(new Int16Array(RATE));
    expect(Math.max(...output.map((v) => Math.abs(v)))).toBeLessThanOrEqual(4);
    expect(rms(output)).toBeLessThan(3);
    // and after loud audio, silence returns to that once the scale factors have decayed (200 ms)
    const encoder = new G722Encoder();
    const decoder = new G722Decoder();
    decoder.decode(encoder.encode(sine(1000, 30000, RATE)));
    const after = decoder.decode(encoder.encode(new Int16Array(RATE)));
    expect(Math.max(...after.subarray(RATE / 5).map((v) => Math.abs(v)))).toBeLessThanOrEqual(4);
  });

  it('passes a 20 Hz–7.98 kHz sweep flat (±0.5 dB) at the frequency sent, 20 ms by 20 ms', () => {
    // A linear chirp: 20 ms windows see a nearly steady tone, so each window measures the response at
    // one frequency — the sweep's spectrum, window by window.
    const seconds = 4;
    const n = RATE * seconds;
    const from = 20;
    const to = 7980;
    const frequencyAt = (sample: number): number => from + ((to - from) * sample) / n;
    const input = Int16Array.from({ length: n }, (_, i) => {
      const t = i / RATE;
      return Math.round(8000 * Math.sin(2 * Math.PI * (from * t + ((to - from) * t * t) / (2 * seconds))));
    });
    const output = roundTrip(input);
    const window = 320;
    let checked = 0;
    for (let start = window; start + window + CODEC_DELAY <= n; start += window) {
      const hz = frequencyAt(start + window / 2);
      if (hz < 100) continue;
      const sent = input.subarray(start, start + window);
      const heard = output.subarray(start + CODEC_DELAY, start + CODEC_DELAY + window);
      expect(Math.abs(20 * Math.log10(rms(heard) / rms(sent)))).toBeLessThan(0.5);
      expect(Math.abs(dominantFrequency(heard, RATE)! - hz)).toBeLessThan(25);
      checked++;
    }
    expect(checked).toBeGreaterThan(190);
  });

  it('streams in 20 ms frames exactly as in one block, both ways', () => {
    const input = sine(440, 12000, RATE).map((v, i) => v + ((i * 7919) % 2001) - 1000);
    const block = new G722Encoder().encode(input);
    const encoder = new G722Encoder();
    const framed = new Uint8Array(block.length);
    for (let i = 0; i < input.length; i += 320) framed.set(encoder.encode(input.subarray(i, i + 320)), i / 2);
    expect(firstMismatch(framed, block)).toBe(-1);

    const whole = new G722Decoder().decode(block);
    const decoder = new G722Decoder();
    const pieces = new Int16Array(whole.length);
    for (let i = 0; i < block.length; i += 160) pieces.set(decoder.decode(block.subarray(i, i + 160)), 2 * i);
    expect(firstMismatch(pieces, whole)).toBe(-1);
  });

  it('reset() returns an encoder and a decoder to their first state', () => {
    const input = sine(2500, 9000, 3200);
    const encoder = new G722Encoder();
    const first = encoder.encode(input);
    expect(firstMismatch(encoder.encode(input), first)).not.toBe(-1); // the state moved on
    encoder.reset();
    expect(firstMismatch(encoder.encode(input), first)).toBe(-1);
    const decoder = new G722Decoder();
    const decoded = decoder.decode(first);
    decoder.decode(first);
    decoder.reset();
    expect(firstMismatch(decoder.decode(first), decoded)).toBe(-1);
  });

  it('refuses an odd number of samples (G.722 codes pairs)', () => {
    expect(() => new G722Encoder().encode(new Int16Array(321))).toThrow(RangeError);
  });
});

describe('the G722 registry entry (RFC 3551 §4.5.2)', () => {
  it('is payload type 9, G722/8000 in SDP, with 16 kHz audio: one octet per sample pair and timestamp unit', () => {
    expect(codecByName('G722')).toBe(G722);
    expect(G722).toMatchObject({
      name: 'G722',
      payloadType: 9,
      clockRate: 8000,
      sampleRate: 16000,
      channels: 1,
    });
    expect(G722.frameSamples(20)).toBe(320);
    expect(G722.frameSamples(30)).toBe(480);
    expect(G722.samplesToTimestamp(320)).toBe(160);
    expect(G722.timestampToSamples(160)).toBe(320);
    expect(() => G722.samplesToTimestamp(321)).toThrow(RangeError);
    expect(G722.sampleCount(new Uint8Array(160))).toBe(320);
    expect(G722.createEncoder().encode(new Int16Array(320)).length).toBe(160);
    expect(G722.createDecoder().decode(new Uint8Array(160)).length).toBe(320);
  });

  it('gives every stream its own encoder and decoder (G.722 has state)', () => {
    expect(G722.createEncoder()).not.toBe(G722.createEncoder());
    expect(G722.createDecoder()).not.toBe(G722.createDecoder());
    // G.711 has none: one shared object
    expect(PCMU.createEncoder()).toBe(PCMU);
  });

  it('is found by SDP name (any case) at its RTP clock rate, 8000 — not 16000 — and by payload type 9', () => {
    expect(findCodec('G722')).toBe(G722);
    expect(findCodec('g722', 8000, 1)).toBe(G722);
    expect(findCodec('G722', 16000)).toBeUndefined();
    expect(findCodec('G722', 8000, 2)).toBeUndefined();
    expect(codecByStaticPayloadType(9)).toBe(G722);
  });
});

/** Index of the first element that differs (or the shorter length when one is a prefix), −1 when equal. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
