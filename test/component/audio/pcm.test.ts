/**
 * Float ↔ Int16 conversion of the audio engine, with clipping.
 */
import { describe, expect, it } from 'vitest';
import {
  floatToInt16,
  floatsToInt16,
  int16LevelDbfs,
  int16ToFloat,
} from '../../../src-renderer/src/audio/index.ts';

describe('PCM conversion', () => {
  it('maps −1…1 onto the whole 16-bit range, rounding to the nearest step', () => {
    expect([-1, -0.5, 0, 0.5, 1].map(floatToInt16)).toEqual([-32768, -16384, 0, 16384, 32767]);
    expect(floatToInt16(1 / 32767)).toBe(1);
    expect(floatToInt16(0.4 / 32767)).toBe(0);
    expect(floatToInt16(-1.4 / 32768)).toBe(-1);
  });

  it('clips what lies beyond full scale instead of wrapping, and treats NaN as silence', () => {
    expect([1.0001, 3, Infinity, -1.0001, -7, -Infinity, Number.NaN].map(floatToInt16)).toEqual([
      32767, 32767, 32767, -32768, -32768, -32768, 0,
    ]);
  });

  it('maps 16-bit back to floats within −1…1', () => {
    expect([-32768, -16384, 0, 16384, 32767].map(int16ToFloat)).toEqual([-1, -0.5, 0, 0.5, 32767 / 32768]);
    // negative samples and zero come back exactly; positive ones (scaled by 32767 on the way out) within a step
    expect([-32768, -1234, -1, 0].map((v) => floatToInt16(int16ToFloat(v)))).toEqual([-32768, -1234, -1, 0]);
    expect([1, 16384, 32767].map((v) => floatToInt16(int16ToFloat(v)))).toEqual([1, 16384, 32766]);
  });

  it('converts a stretch of a float array into an Int16 array at an offset', () => {
    const output = new Int16Array(6);
    floatsToInt16(Float32Array.from([9, 0.25, -0.25, 2, 9]), 1, output, 2, 3);
    expect([...output]).toEqual([0, 0, 8192, -8192, 32767, 0]);
  });

  it('measures a level in dBFS', () => {
    // a full-scale square wave is 0 dBFS, half of it −6 dBFS; silence is the floor
    expect(int16LevelDbfs(4 * 32768 * 32768, 4)).toBeCloseTo(0, 10);
    expect(int16LevelDbfs(4 * 16384 * 16384, 4)).toBeCloseTo(-6.0206, 3);
    expect(int16LevelDbfs(0, 960)).toBe(-120);
    expect(int16LevelDbfs(0, 0, -90)).toBe(-90);
  });
});
