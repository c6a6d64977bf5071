/**
 * The playback worklet's queue: priming to the target latency, underrun → silence, overflow → drop the
 * oldest, drift correction, clearing on a route change.
 */
import { describe, expect, it } from 'vitest';
import { PlaybackRing } from '../../../src-renderer/src/audio/index.ts';

/** A frame whose samples count up from `start`. */
function ramp(start: number, length = 960): Int16Array {
  return Int16Array.from({ length }, (_, i) => start + i);
}

/** Renders one 128-sample quantum; answers it as Int16 values (×32768) for exact comparison. */
function quantum(ring: PlaybackRing): number[] {
  const out = new Float32Array(128);
  ring.render(out);
  return [...out].map((v) => Math.round(v * 32768));
}

describe('PlaybackRing', () => {
  it('plays silence until 50 ms are queued, then exactly what was queued', () => {
    const ring = new PlaybackRing({ sampleRate: 48_000 });
    expect([ring.targetSamples, ring.capacitySamples]).toEqual([2400, 5760]);
    ring.push(ramp(0));
    ring.push(ramp(960));
    expect(quantum(ring)).toEqual(new Array(128).fill(0));
    expect(ring.fill).toBe(1920);
    ring.push(ramp(1920));
    expect(ring.stats.mode).toBe('priming');
    expect(quantum(ring)).toEqual([...ramp(0, 128)]);
    expect(quantum(ring)).toEqual([...ramp(128, 128)]);
    expect(ring.stats).toMatchObject({ mode: 'steady', fill: 2880 - 256, underruns: 0 });
  });

  it('plays what is left and then silence when it runs dry, and primes again', () => {
    const ring = new PlaybackRing({ sampleRate: 48_000, targetMs: 20, capacityMs: 60 });
    ring.push(ramp(0));
    for (let q = 0; q < 7; q++) quantum(ring); // 896 of 960 played
    const last = quantum(ring);
    expect(last.slice(0, 64)).toEqual([...ramp(896, 64)]);
    expect(last.slice(64)).toEqual(new Array(64).fill(0));
    expect(ring.stats).toMatchObject({ underruns: 1, mode: 'priming', fill: 0 });
    // half a frame is not enough to start again
    ring.push(ramp(5000, 480));
    expect(quantum(ring)).toEqual(new Array(128).fill(0));
    ring.push(ramp(5480, 480));
    expect(quantum(ring)).toEqual([...ramp(5000, 128)]);
  });

  it('drops the oldest samples when a burst exceeds its capacity', () => {
    const ring = new PlaybackRing({ sampleRate: 48_000, targetMs: 20, capacityMs: 60 });
    for (let k = 0; k < 4; k++) ring.push(ramp(k * 960));
    expect(ring.fill).toBe(2880);
    expect(ring.stats).toMatchObject({ overflows: 1, overflowSamples: 960 });
    expect(quantum(ring)).toEqual([...ramp(960, 128)]);
  });

  it('keeps only the newest capacity of an oversized push', () => {
    const ring = new PlaybackRing({ sampleRate: 48_000, targetMs: 20, capacityMs: 60 });
    ring.push(ramp(0, 4000));
    expect(ring.fill).toBe(2880);
    expect(quantum(ring)).toEqual([...ramp(1120, 128)]);
  });

  it('forgets everything on clear and primes again', () => {
    const ring = new PlaybackRing({ sampleRate: 48_000 });
    for (let k = 0; k < 3; k++) ring.push(ramp(k * 960));
    quantum(ring);
    ring.clear();
    expect(ring.stats).toMatchObject({ fill: 0, mode: 'priming' });
    ring.push(ramp(0));
    expect(quantum(ring)).toEqual(new Array(128).fill(0));
  });

  it('refuses a capacity that cannot hold the target and a frame', () => {
    expect(() => new PlaybackRing({ sampleRate: 48_000, targetMs: 50, capacityMs: 60 })).toThrow(RangeError);
  });

  for (const drift of [0.005, -0.005]) {
    it(`holds its latency near the target over ten minutes when main’s clock is ${drift > 0 ? 'fast' : 'slow'} by 0.5 %`, () => {
      // main pushes a 20 ms frame every 20/(1+drift) ms of the sound card's time; the card pulls quanta
      const ring = new PlaybackRing({ sampleRate: 48_000 });
      const quantumMs = (128 / 48_000) * 1000;
      const period = 20 / (1 + drift);
      const out = new Float32Array(128);
      let pushed = 0;
      let audible = 0;
      let silentAfterStart = 0;
      let minFill = Infinity;
      let maxFill = 0;
      const frame = new Int16Array(960).fill(1000);
      for (let q = 0; q * quantumMs < 600_000; q++) {
        const now = q * quantumMs;
        while (1 + pushed * period <= now) {
          ring.push(frame);
          pushed++;
        }
        ring.render(out);
        for (const v of out) {
          if (Math.abs(v * 32768 - 1000) < 1e-6) audible++;
          else if (audible > 0) silentAfterStart++;
        }
        if (audible > 0) {
          minFill = Math.min(minFill, ring.fill);
          maxFill = Math.max(maxFill, ring.fill);
        }
      }
      const stats = ring.stats;
      expect(stats).toMatchObject({ underruns: 0, overflows: 0 });
      expect(silentAfterStart).toBe(0);
      // the queue stays between 25 and 75 ms (target 50 ms, a frame arriving every 20 ms)
      expect(minFill).toBeGreaterThanOrEqual(1200);
      expect(maxFill).toBeLessThanOrEqual(3600);
      // every pushed sample is played, queued, or removed by the correction
      expect(pushed * 960 - ring.fill).toBe(audible + stats.droppedSamples - stats.insertedSamples);
      expect(
        Math.abs(stats.droppedSamples - stats.insertedSamples - Math.sign(drift) * 144_000),
      ).toBeLessThanOrEqual(1920);
    });
  }
});
