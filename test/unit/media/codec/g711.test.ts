import { describe, expect, it } from 'vitest';
import {
  PCMA,
  PCMU,
  aLawDecodeSample,
  aLawEncodeSample,
  codecByName,
  codecByStaticPayloadType,
  findCodec,
  muLawDecodeSample,
  muLawEncodeSample,
} from '../../../../src-main/media/codec/index.ts';

/*
 * Reference quantizers built in a different way from the implementation: explicit lists of
 * (character, lower decision value, reconstruction value) taken from the G.711 segment formulas,
 * searched linearly. Units: 14-bit for µ-law, 13-bit for A-law; 16-bit = ×4 / ×8.
 */
interface Level {
  /** segment·16 + step, before polarity and transmission inversion */
  index: number;
  lowerDecision: number;
  value: number;
}

function muLawLevels(): Level[] {
  const levels: Level[] = [];
  for (let s = 0; s < 8; s++) {
    for (let q = 0; q < 16; q++) {
      // G.711 Table 2: decision values ((q+16)·2^(s+1) − 33), first one 0; outputs ((2q+33)·2^s − 33).
      levels.push({
        index: s * 16 + q,
        lowerDecision: s === 0 && q === 0 ? 0 : (q + 16) * 2 ** (s + 1) - 33,
        value: (2 * q + 33) * 2 ** s - 33,
      });
    }
  }
  return levels;
}

function aLawLevels(): Level[] {
  const levels: Level[] = [];
  for (let s = 0; s < 8; s++) {
    for (let q = 0; q < 16; q++) {
      // G.711 Table 1: segment 0 is [0, 32) in steps of 2, segment s ≥ 1 is [2^(s+4), 2^(s+5)) in 16 steps.
      const stepSize = s === 0 ? 2 : 2 ** s;
      const lower = s === 0 ? 2 * q : 2 ** (s + 4) + q * stepSize;
      levels.push({ index: s * 16 + q, lowerDecision: lower, value: lower + stepSize / 2 });
    }
  }
  return levels;
}

function quantize(levels: Level[], magnitude: number): Level {
  let chosen = levels[0]!;
  for (const level of levels) if (level.lowerDecision <= magnitude) chosen = level;
  return chosen;
}

const MU = muLawLevels();
const A = aLawLevels();

function referenceMuLawEncode(x: number): number {
  const negative = x < 0;
  const magnitude = Math.floor((negative ? -x - 1 : x) / 4);
  const level = quantize(MU, magnitude);
  return 0xff - ((negative ? 0x80 : 0) + level.index);
}

function referenceALawEncode(x: number): number {
  const negative = x < 0;
  const magnitude = Math.floor((negative ? -x - 1 : x) / 8);
  const level = quantize(A, magnitude);
  return ((negative ? 0 : 0x80) + level.index) ^ 0x55;
}

function referenceMuLawDecode(code: number): number {
  const character = 0xff - code;
  const level = MU[character & 0x7f]!;
  return character & 0x80 ? 0 - level.value * 4 : level.value * 4;
}

function referenceALawDecode(code: number): number {
  const character = code ^ 0x55;
  const level = A[character & 0x7f]!;
  return (character & 0x80 ? 1 : -1) * level.value * 8;
}

/** FNV-1a over the 16-bit two's complement values, low byte first. */
function fnv1a(values: ArrayLike<number>): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! & 0xffff;
    for (const byte of [v & 0xff, v >> 8]) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash;
}

describe('G.711 µ-law', () => {
  it('encodes the reference points', () => {
    expect(muLawEncodeSample(0)).toBe(0xff);
    expect(muLawEncodeSample(-1)).toBe(0x7f);
    expect(muLawEncodeSample(32767)).toBe(0x80);
    expect(muLawEncodeSample(-32768)).toBe(0x00);
    // first step boundary: 14-bit magnitude 1 is the decision value between levels 0 and 2
    expect(muLawEncodeSample(3)).toBe(0xff);
    expect(muLawEncodeSample(4)).toBe(0xfe);
    expect(muLawEncodeSample(-4)).toBe(0x7f);
    expect(muLawEncodeSample(-5)).toBe(0x7e);
  });

  it('decodes the reference points', () => {
    expect(muLawDecodeSample(0xff)).toBe(0);
    expect(muLawDecodeSample(0x7f)).toBe(0);
    expect(muLawDecodeSample(0x80)).toBe(32124);
    expect(muLawDecodeSample(0x00)).toBe(-32124);
    expect(muLawDecodeSample(0xfe)).toBe(8);
    expect(muLawDecodeSample(0xef)).toBe(33 * 4);
  });

  it('decode table matches the G.711 formula for all 256 characters', () => {
    const table = Array.from({ length: 256 }, (_, c) => muLawDecodeSample(c));
    const reference = Array.from({ length: 256 }, (_, c) => referenceMuLawDecode(c));
    expect(table).toEqual(reference);
    // Σ over the 128 positive levels of ((2q+33)·2^s − 33) = 255·768 − 128·33 = 191616 (14-bit units).
    expect(table.filter((v, c) => c >= 0x80).reduce((a, b) => a + b, 0)).toBe(191616 * 4);
    expect(table.reduce((a, b) => a + b, 0)).toBe(0);
    expect(fnv1a(table)).toBe(fnv1a(reference));
    expect(fnv1a(PCMU.decode(Uint8Array.from({ length: 256 }, (_, c) => c)))).toBe(fnv1a(reference));
  });

  it('encodes every 16-bit input to the level whose decision interval contains it', () => {
    const input = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const encoded = PCMU.encode(input);
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      if (encoded[i] !== referenceMuLawEncode(x)) {
        expect.fail(`µ-law encode(${x}) = ${encoded[i]}, expected ${referenceMuLawEncode(x)}`);
      }
    }
    expect(encoded.every((c, i) => c === muLawEncodeSample(input[i]!))).toBe(true);
  });

  it('re-encodes every decoded value to the same character (except negative zero)', () => {
    for (let c = 0; c < 256; c++) {
      const expected = c === 0x7f ? 0xff : c;
      expect(muLawEncodeSample(muLawDecodeSample(c))).toBe(expected);
    }
  });
});

describe('G.711 A-law', () => {
  it('encodes the reference points', () => {
    expect(aLawEncodeSample(0)).toBe(0xd5);
    expect(aLawEncodeSample(-1)).toBe(0x55);
    expect(aLawEncodeSample(32767)).toBe(0xaa);
    expect(aLawEncodeSample(-32768)).toBe(0x2a);
    expect(aLawEncodeSample(15)).toBe(0xd5);
    expect(aLawEncodeSample(16)).toBe(0xd4);
    expect(aLawEncodeSample(-17)).toBe(0x54);
  });

  it('decodes the reference points', () => {
    expect(aLawDecodeSample(0xd5)).toBe(8);
    expect(aLawDecodeSample(0x55)).toBe(-8);
    expect(aLawDecodeSample(0xaa)).toBe(32256);
    expect(aLawDecodeSample(0x2a)).toBe(-32256);
  });

  it('decode table matches the G.711 formula for all 256 characters', () => {
    const table = Array.from({ length: 256 }, (_, c) => aLawDecodeSample(c));
    const reference = Array.from({ length: 256 }, (_, c) => referenceALawDecode(c));
    expect(table).toEqual(reference);
    // segment 0: Σ(2q+1) = 256; segments 1…7: Σ(2q+33)·2^(s−1) = 768·127 = 97536 (13-bit units).
    expect(table.filter((v) => v > 0).reduce((a, b) => a + b, 0)).toBe((256 + 97536) * 8);
    expect(table.reduce((a, b) => a + b, 0)).toBe(0);
    expect(fnv1a(PCMA.decode(Uint8Array.from({ length: 256 }, (_, c) => c)))).toBe(fnv1a(reference));
  });

  it('encodes every 16-bit input to the level whose decision interval contains it', () => {
    const input = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const encoded = PCMA.encode(input);
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      if (encoded[i] !== referenceALawEncode(x)) {
        expect.fail(`A-law encode(${x}) = ${encoded[i]}, expected ${referenceALawEncode(x)}`);
      }
    }
  });

  it('re-encodes every decoded value to the same character', () => {
    for (let c = 0; c < 256; c++) expect(aLawEncodeSample(aLawDecodeSample(c))).toBe(c);
  });

  it('is symmetric: x and ~x differ only in the polarity bit', () => {
    for (let x = 0; x < 32768; x += 7) {
      expect(aLawEncodeSample(x) ^ aLawEncodeSample(~x)).toBe(0x80);
      expect(muLawEncodeSample(x) ^ muLawEncodeSample(~x)).toBe(0x80);
    }
  });
});

describe('codec registry', () => {
  it('describes PCMU and PCMA per RFC 3551', () => {
    expect(codecByName('PCMU')).toBe(PCMU);
    expect(codecByName('PCMA')).toBe(PCMA);
    expect([PCMU.payloadType, PCMU.clockRate, PCMU.channels]).toEqual([0, 8000, 1]);
    expect([PCMA.payloadType, PCMA.clockRate, PCMA.channels]).toEqual([8, 8000, 1]);
    expect(PCMU.frameSamples(20)).toBe(160);
    expect(PCMA.frameSamples(30)).toBe(240);
    expect(() => PCMU.frameSamples(0.01)).toThrow(RangeError);
    expect(PCMU.sampleCount(new Uint8Array(160))).toBe(160);
  });

  it('finds codecs by SDP name (case-insensitive) and static payload type', () => {
    expect(findCodec('pcmu')).toBe(PCMU);
    expect(findCodec('PCMA', 8000, 1)).toBe(PCMA);
    expect(findCodec('PCMA', 16000)).toBeUndefined();
    expect(findCodec('opus', 48000, 2)).toBeUndefined();
    expect(codecByStaticPayloadType(0)).toBe(PCMU);
    expect(codecByStaticPayloadType(8)).toBe(PCMA);
    expect(codecByStaticPayloadType(18)).toBeUndefined();
  });

  it('round-trips a frame through encode and decode with bounded error', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(10000 * Math.sin((2 * Math.PI * i) / 40)),
    );
    for (const codec of [PCMU, PCMA]) {
      const payload = codec.encode(pcm);
      expect(payload.length).toBe(160);
      const out = codec.decode(payload);
      for (let i = 0; i < pcm.length; i++) {
        // a 10000 peak reaches segment 6 of both laws, whose step is 512 in 16-bit units
        expect(Math.abs(out[i]! - pcm[i]!)).toBeLessThanOrEqual(256);
      }
    }
  });
});
