import { describe, expect, it } from 'vitest';
import {
  Resampler,
  dominantFrequency,
  goertzelAmplitude,
  rms,
} from '../../../../src-main/media/audio/index.ts';

function tone(hz: number, rate: number, length: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

/** Runs `input` through `resampler` in 20 ms frames; returns the output frames. */
function inFrames(resampler: Resampler, input: Int16Array): Int16Array[] {
  const frame = resampler.inputRate / 50;
  const out: Int16Array[] = [];
  for (let start = 0; start + frame <= input.length; start += frame)
    out.push(resampler.process(input.subarray(start, start + frame)));
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}

/** Power left after removing the best-fitting sinusoid at `hz`, relative to the signal (dB). */
function residualDb(samples: Int16Array, rate: number, hz: number): number {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += samples[i]! * s;
    xc += samples[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let residual = 0;
  for (let i = 0; i < samples.length; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rate) + b * Math.cos((2 * Math.PI * hz * i) / rate);
    residual += (samples[i]! - fit) ** 2;
  }
  return db(Math.sqrt(residual / samples.length) / rms(samples));
}

describe('Resampler', () => {
  it('documents its filter: 48 ↔ 8 kHz passband 3.4 kHz, stopband 4 kHz at 70 dB', () => {
    const down = new Resampler({ inputRate: 48000, outputRate: 8000 });
    expect([down.passbandHz, down.stopbandHz, down.stopbandDb, down.taps]).toEqual([3400, 4000, 70, 347]);
    expect(down.delaySamples).toBeCloseTo(173 / 6, 9);
    const up = new Resampler({ inputRate: 8000, outputRate: 48000 });
    expect(up.delaySamples).toBe(173);
  });

  it('turns every 960-sample frame at 48 kHz into exactly 160 at 8 kHz, and back', () => {
    const down = new Resampler({ inputRate: 48000, outputRate: 8000 });
    const frames = inFrames(down, tone(1000, 48000, 48000));
    expect(frames.length).toBe(50);
    expect(frames.every((f) => f.length === 160)).toBe(true);
    const up = new Resampler({ inputRate: 8000, outputRate: 48000 });
    expect(inFrames(up, tone(1000, 8000, 8000)).every((f) => f.length === 960)).toBe(true);
    const wide = new Resampler({ inputRate: 48000, outputRate: 16000 });
    expect(inFrames(wide, tone(1000, 48000, 4800)).every((f) => f.length === 320)).toBe(true);
  });

  it('keeps a 1 kHz tone at 1 kHz, at the same level, with low distortion (48 → 8 kHz)', () => {
    const input = tone(1000, 48000, 48000);
    const output = concat(inFrames(new Resampler({ inputRate: 48000, outputRate: 8000 }), input));
    const settled = output.subarray(400); // past the filter's start-up
    expect(dominantFrequency(settled, 8000)).toBeCloseTo(1000, 0);
    expect(Math.abs(db(rms(settled) / rms(input)))).toBeLessThan(0.01);
    expect(residualDb(settled, 8000, 1000)).toBeLessThan(-60);
  });

  it('attenuates 5 kHz (which would alias to 3 kHz) by more than 40 dB (48 → 8 kHz)', () => {
    const input = tone(5000, 48000, 48000);
    const output = concat(inFrames(new Resampler({ inputRate: 48000, outputRate: 8000 }), input)).subarray(
      400,
    );
    const attenuation = db(rms(output) / rms(input));
    expect(attenuation).toBeLessThan(-40);
    expect(attenuation).toBeLessThan(-70); // the design target
    expect(db(goertzelAmplitude(output, 8000, 3000) / 10000)).toBeLessThan(-70);
  });

  it('passes 3.4 kHz and stops 4.1 kHz', () => {
    for (const [hz, check] of [
      [3400, (d: number) => expect(Math.abs(d)).toBeLessThan(0.01)],
      [4100, (d: number) => expect(d).toBeLessThan(-70)],
    ] as const) {
      const input = tone(hz, 48000, 48000);
      const output = concat(inFrames(new Resampler({ inputRate: 48000, outputRate: 8000 }), input)).subarray(
        400,
      );
      check(db(rms(output) / rms(input)));
    }
  });

  it('up-samples 1 kHz (8 → 48 kHz) at the same level and without images at 7 and 9 kHz', () => {
    const input = tone(1000, 8000, 8000);
    const output = concat(inFrames(new Resampler({ inputRate: 8000, outputRate: 48000 }), input)).subarray(
      2400,
    );
    expect(dominantFrequency(output, 48000)).toBeCloseTo(1000, 0);
    expect(Math.abs(db(rms(output) / rms(input)))).toBeLessThan(0.01);
    expect(db(goertzelAmplitude(output, 48000, 7000) / 10000)).toBeLessThan(-70);
    expect(db(goertzelAmplitude(output, 48000, 9000) / 10000)).toBeLessThan(-70);
    expect(residualDb(output, 48000, 1000)).toBeLessThan(-60);
  });

  it('gives the same output whether the stream is cut into frames or not', () => {
    const input = tone(700, 48000, 9600, 20000);
    const whole = new Resampler({ inputRate: 48000, outputRate: 8000 }).process(input);
    const framed = concat(inFrames(new Resampler({ inputRate: 48000, outputRate: 8000 }), input));
    expect([...framed]).toEqual([...whole]);
    const odd = new Resampler({ inputRate: 48000, outputRate: 8000 });
    const pieces = concat([
      odd.process(input.subarray(0, 7)),
      odd.process(input.subarray(7, 5000)),
      odd.process(input.subarray(5000)),
    ]);
    expect([...pieces]).toEqual([...whole]);
  });

  it('converts 44.1 kHz to 8 kHz with the exact long-run sample count', () => {
    const resampler = new Resampler({ inputRate: 44100, outputRate: 8000 });
    const frames = inFrames(resampler, tone(440, 44100, 44100));
    expect(frames.reduce((n, f) => n + f.length, 0)).toBe(8000);
    expect(frames.every((f) => f.length === 160 || f.length === 161 || f.length === 159)).toBe(true);
    expect(dominantFrequency(concat(frames).subarray(400), 8000)).toBeCloseTo(440, 0);
  });

  it('copies through when the rates are equal, and rejects bad rates', () => {
    const same = new Resampler({ inputRate: 8000, outputRate: 8000 });
    const input = tone(440, 8000, 160);
    const output = same.process(input);
    expect(output).not.toBe(input);
    expect([...output]).toEqual([...input]);
    expect(() => new Resampler({ inputRate: 0, outputRate: 8000 })).toThrow(RangeError);
    expect(() => new Resampler({ inputRate: 8000.5, outputRate: 8000 })).toThrow(RangeError);
  });

  it('clips instead of wrapping on full-scale input and reset() restarts from silence', () => {
    const square = Int16Array.from({ length: 4800 }, (_, i) =>
      Math.floor(i / 24) % 2 === 0 ? 32767 : -32768,
    );
    const resampler = new Resampler({ inputRate: 48000, outputRate: 8000 });
    const out = resampler.process(square);
    expect(Math.max(...out)).toBeLessThanOrEqual(32767);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-32768);
    resampler.reset();
    const silent = resampler.process(new Int16Array(960));
    expect(rms(silent)).toBe(0);
  });
});
