import { describe, expect, it } from 'vitest';
import { DriftCompensator } from '../../../../src-main/media/audio/index.ts';

interface Simulation {
  minFill: number;
  maxFill: number;
  compensator: DriftCompensator;
  /** Largest sample-to-sample step in the output after priming. */
  maxStep: number;
  reads: number;
}

/**
 * Producer writes one frame every 20 ms of its clock; the consumer reads one frame every
 * 20 · (1 + mismatch) ms, with an optional deterministic jitter on its read times. The producer's
 * signal is a slow sine, so a dropped or repeated block would show as a large step in the output.
 */
function simulate(frameSamples: number, mismatch: number, minutes: number, jitterMs = 0): Simulation {
  const compensator = new DriftCompensator({ frameSamples });
  const sampleRate = frameSamples * 50;
  const period = Int16Array.from({ length: frameSamples }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 50 * i) / sampleRate)),
  );
  let nextWrite = 0;
  let nextRead = 5;
  let reads = 0;
  let seed = 1;
  const end = minutes * 60_000;
  let minFill = Infinity;
  let maxFill = -Infinity;
  let maxStep = 0;
  let previous: number | null = null;
  while (nextWrite < end || nextRead < end) {
    if (nextWrite <= nextRead) {
      // 50 Hz: one period per 20 ms frame, so every frame is the same
      compensator.write(Int16Array.from(period));
      nextWrite += 20;
    } else {
      const fillBeforeRead = compensator.fill;
      const frame = compensator.read();
      reads++;
      if (compensator.stats.mode !== 'priming' && reads > 10) {
        minFill = Math.min(minFill, fillBeforeRead);
        maxFill = Math.max(maxFill, fillBeforeRead);
        for (const sample of frame) {
          if (previous !== null) maxStep = Math.max(maxStep, Math.abs(sample - previous));
          previous = sample;
        }
      }
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const jitter = jitterMs === 0 ? 0 : ((seed >>> 16) / 65536 - 0.5) * 2 * jitterMs;
      nextRead = 5 + reads * 20 * (1 + mismatch) + jitter;
    }
  }
  return { minFill, maxFill, compensator, maxStep, reads };
}

describe('DriftCompensator', () => {
  // A 50 Hz sine of amplitude 8000 moves at most 2π·50/rate·8000 per sample: 315 at 8 kHz, 53 at 48 kHz.
  for (const [label, frameSamples, maxNaturalStep] of [
    ['8 kHz', 160, 315],
    ['48 kHz', 960, 53],
  ] as const) {
    for (const mismatch of [0.001, -0.001]) {
      it(`holds the fill over 10 minutes with a ${mismatch * 100} % clock mismatch at ${label}`, () => {
        const sim = simulate(frameSamples, mismatch, 10);
        const stats = sim.compensator.stats;
        expect(stats.underruns).toBe(0);
        expect(stats.overflowSamples).toBe(0);
        // target 2.5 frames; the fill before a read steps by a frame whenever the two clocks' ticks
        // swap order, and is corrected back within a few seconds: it never gets near an underrun
        expect(sim.minFill).toBeGreaterThanOrEqual(1.15 * frameSamples);
        expect(sim.maxFill).toBeLessThanOrEqual(4 * frameSamples);
        // 10 minutes at 0.1 %: 600 ms of audio had to be dropped (consumer slow) or inserted (fast)
        const expected = 0.6 * frameSamples * 50;
        const corrected =
          mismatch > 0
            ? stats.droppedSamples - stats.insertedSamples
            : stats.insertedSamples - stats.droppedSamples;
        expect(Math.abs(corrected - expected)).toBeLessThanOrEqual(3 * frameSamples);
        // no audible jumps: every step stays near what the sine itself does
        expect(sim.maxStep).toBeLessThanOrEqual(maxNaturalStep + 3);
      });
    }
  }

  it('also holds with ±8 ms of jitter on the consumer side', () => {
    for (const mismatch of [0.001, -0.001]) {
      const sim = simulate(160, mismatch, 10, 8);
      expect(sim.compensator.stats.underruns).toBe(0);
      expect(sim.compensator.stats.overflowSamples).toBe(0);
      expect(sim.maxFill).toBeLessThanOrEqual(5 * 160);
    }
  });

  it('serves reads smaller than the writes (128-sample quanta against 960-sample frames)', () => {
    const c = new DriftCompensator({ frameSamples: 960, targetFillSamples: 960 + 128 + 480 });
    let written = 0;
    let read = 0;
    // writes every 20 ms, reads of 128 samples every 128/48000 s · 1.001 (device 0.1 % slow), 2 minutes
    for (let t = 0, nextRead = 0; t < 120_000; t += 20) {
      c.write(new Int16Array(960).fill(1));
      written += 960;
      while (nextRead < t + 20) {
        const out = c.read(128);
        expect(out.length).toBe(128);
        if (out[0] !== 0) read += 128; // priming reads are silence and take nothing from the FIFO
        nextRead += (128 / 48) * 1.001;
      }
    }
    const stats = c.stats;
    expect(stats.underruns).toBe(0);
    expect(stats.overflowSamples).toBe(0);
    expect(stats.fill).toBeLessThan(3 * 960);
    expect(written - read - stats.fill + stats.insertedSamples - stats.droppedSamples).toBe(0);
  });

  it('primes with silence, then plays the written audio unchanged while the clocks agree', () => {
    const c = new DriftCompensator({
      frameSamples: 4,
      targetFillSamples: 8,
      toleranceSamples: 2,
      capacitySamples: 16,
    });
    expect(new DriftCompensator({ frameSamples: 160 }).targetFillSamples).toBe(400);
    expect([...c.read()]).toEqual([0, 0, 0, 0]);
    c.write(Int16Array.of(1, 2, 3, 4));
    c.write(Int16Array.of(5, 6, 7, 8));
    expect([...c.read()]).toEqual([1, 2, 3, 4]);
    c.write(Int16Array.of(9, 10, 11, 12));
    expect([...c.read()]).toEqual([5, 6, 7, 8]);
    expect(c.stats).toMatchObject({ mode: 'steady', fill: 4, underruns: 0 });
  });

  it('shrinks by one sample per frame when too full, grows when too empty, and counts underruns', () => {
    const c = new DriftCompensator({
      frameSamples: 4,
      targetFillSamples: 8,
      toleranceSamples: 2,
      capacitySamples: 40,
      smoothing: 1,
    });
    c.write(Int16Array.of(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150));
    // fill 16 > 8 + 2: read 5 samples onto 4 (0…40 → 0, 13, 27, 40)
    expect([...c.read()]).toEqual([0, 13, 27, 40]);
    expect(c.stats).toMatchObject({ mode: 'shrinking', droppedSamples: 1, fill: 11 });
    c.read(); // fill 11 → 6 left
    expect(c.stats.fill).toBe(6);
    // fill 6 ≤ 8: steady again
    expect(c.read().length).toBe(4);
    expect(c.stats).toMatchObject({ mode: 'steady', fill: 2 });
    // fill 2 < 8 − 2: grow (3 samples onto 4), but only 2 are there: underrun, back to priming
    expect([...c.read()]).toEqual([140, 150, 0, 0]);
    expect(c.stats).toMatchObject({ mode: 'priming', underruns: 1, fill: 0 });
  });

  it('drops the oldest samples beyond its capacity', () => {
    const c = new DriftCompensator({
      frameSamples: 4,
      targetFillSamples: 4,
      toleranceSamples: 2,
      capacitySamples: 8,
    });
    c.write(Int16Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(c.stats).toMatchObject({ fill: 8, overflowSamples: 2 });
    expect([...c.read()].slice(0, 1)).toEqual([3]);
    expect(() => new DriftCompensator({ frameSamples: 4, targetFillSamples: 8, capacitySamples: 8 })).toThrow(
      RangeError,
    );
  });
});
