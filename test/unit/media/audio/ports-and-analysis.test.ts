import { describe, expect, it } from 'vitest';
import { PCMA, PCMU } from '../../../../src-main/media/codec/index.ts';
import {
  DuplexAudioPort,
  MemoryAudioPort,
  Resampler,
  SilencePort,
  TeeAudioPort,
  ToneGenerator,
  analyzeTone,
  detectTone,
  dominantFrequency,
  frameSamplesFor,
  goertzelAmplitude,
  rms,
  rmsDbfs,
} from '../../../../src-main/media/audio/index.ts';
import type { AudioPort } from '../../../../src-main/media/audio/index.ts';

function frames(port: AudioPort, count: number): Int16Array {
  const out = new Int16Array(count * port.frameSamples);
  for (let i = 0; i < count; i++) out.set(port.readFrame()!, i * port.frameSamples);
  return out;
}

describe('ToneGenerator', () => {
  it('produces a sine whose phase continues across frames', () => {
    const generator = new ToneGenerator({ sampleRate: 8000, frequencyHz: 1000, amplitude: 0.5 });
    expect(generator.frameSamples).toBe(160);
    const signal = frames(generator, 10);
    const peak = 0.5 * 32767;
    for (let i = 0; i < signal.length; i++) {
      expect(Math.abs(signal[i]! - peak * Math.sin((2 * Math.PI * 1000 * i) / 8000))).toBeLessThanOrEqual(
        0.5 + 1e-6,
      );
    }
  });

  it('keeps a non-integer number of cycles per frame continuous (440 Hz at 48 kHz)', () => {
    const generator = new ToneGenerator({ sampleRate: 48000, frequencyHz: 440 });
    const signal = frames(generator, 50);
    const expected = Int16Array.from(signal, (_, i) =>
      Math.round(0.25 * 32767 * Math.sin((2 * Math.PI * 440 * i) / 48000)),
    );
    let worst = 0;
    for (let i = 0; i < signal.length; i++) worst = Math.max(worst, Math.abs(signal[i]! - expected[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    expect(dominantFrequency(signal, 48000)).toBeCloseTo(440, 1);
  });

  it('sums several frequencies, ends after its duration, and discards what it is given', () => {
    const generator = new ToneGenerator({
      sampleRate: 8000,
      frequencyHz: [697, 1209],
      amplitude: 0.5,
      durationMs: 50,
    });
    const signal = frames(generator, 3);
    expect(generator.ended).toBe(true);
    expect(generator.readFrame()).toBeNull();
    expect(rms(signal.subarray(400))).toBe(0); // 50 ms = 400 samples, the rest of the frame is silence
    const a = goertzelAmplitude(signal.subarray(0, 400), 8000, 697);
    const b = goertzelAmplitude(signal.subarray(0, 400), 8000, 1209);
    expect(a).toBeGreaterThan(0.2 * 32767);
    expect(b).toBeGreaterThan(0.2 * 32767);
    generator.writeFrame(new Int16Array(160));
    expect(() => generator.writeFrame(new Int16Array(10))).toThrow(RangeError);
    expect(() => new ToneGenerator({ sampleRate: 8000, frequencyHz: 440, amplitude: 2 })).toThrow(RangeError);
  });
});

describe('simple ports', () => {
  it('SilencePort reads zeros until closed', () => {
    const port = new SilencePort(16000);
    expect(port.readFrame()).toEqual(new Int16Array(320));
    port.writeFrame(new Int16Array(320));
    port.close();
    expect([port.readFrame(), port.ended, port.closed]).toEqual([null, true, true]);
    expect(() => new SilencePort(44.1)).toThrow(RangeError);
    expect(frameSamplesFor(48000)).toBe(960);
  });

  it('MemoryAudioPort plays its capture, collects playback; Duplex and Tee combine ports', () => {
    const capture = Int16Array.from({ length: 200 }, (_, i) => i);
    const mic = new MemoryAudioPort(8000, capture);
    const speaker = new MemoryAudioPort(8000);
    const copy = new MemoryAudioPort(8000);
    const port = new DuplexAudioPort(mic, new TeeAudioPort(speaker, copy));
    expect([...port.readFrame()!]).toEqual([...capture.subarray(0, 160)]);
    expect([...port.readFrame()!.subarray(0, 40)]).toEqual([...capture.subarray(160)]);
    expect(port.ended).toBe(true);
    expect(port.readFrame()).toBeNull();
    const frame = new Int16Array(160).fill(7);
    port.writeFrame(frame);
    expect(speaker.frames.length).toBe(1);
    expect(copy.frames.length).toBe(1);
    expect(speaker.frames[0]).not.toBe(copy.frames[0]);
    expect(rms(speaker.played())).toBe(7);
    port.close();
    expect([mic.closed, speaker.closed, copy.closed, port.closed]).toEqual([true, true, true, true]);
    expect(() => new DuplexAudioPort(new SilencePort(8000), new SilencePort(16000))).toThrow(RangeError);
  });
});

describe('analysis', () => {
  it('measures levels', () => {
    expect(rms(Int16Array.of(3, -3, 3, -3))).toBe(3);
    expect(rms([])).toBe(0);
    expect(rmsDbfs(new Int16Array(10).fill(-32768))).toBeCloseTo(0, 9);
    expect(rmsDbfs(new Int16Array(10))).toBe(-Infinity);
    const sine = Int16Array.from({ length: 8000 }, (_, i) =>
      Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    expect(goertzelAmplitude(sine, 8000, 1000)).toBeCloseTo(10000, -1);
    expect(goertzelAmplitude(sine, 8000, 1500)).toBeLessThan(5);
  });

  it('finds the dominant frequency to well under a hertz, also between bins and in short blocks', () => {
    for (const hz of [300, 440, 1000.5, 1800, 3333]) {
      const s = Int16Array.from({ length: 8000 }, (_, i) =>
        Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)),
      );
      expect(Math.abs(dominantFrequency(s, 8000)! - hz)).toBeLessThan(0.2);
    }
    const short = Int16Array.from({ length: 160 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1234 * i) / 8000)),
    );
    expect(Math.abs(dominantFrequency(short, 8000)! - 1234)).toBeLessThan(5);
    expect(dominantFrequency(new Int16Array(100), 8000)).toBeNull();
    expect(dominantFrequency(short, 8000, { minHz: 1500 })).toBeGreaterThan(1500);
  });

  for (const codec of [PCMU, PCMA]) {
    it(`detects 440, 1000 and 1800 Hz after ${codec.name} encode/decode`, () => {
      for (const hz of [440, 1000, 1800]) {
        const tone = new ToneGenerator({ sampleRate: 8000, frequencyHz: hz, amplitude: 0.3 });
        const decoded = Int16Array.from(
          Array.from({ length: 50 }, () => [...codec.decode(codec.encode(tone.readFrame()!))]).flat(),
        );
        expect(detectTone(decoded, 8000, hz, 5)).toBe(true);
        const analysis = analyzeTone(decoded, 8000, hz, 5);
        expect(Math.abs(analysis.dominantHz! - hz)).toBeLessThan(0.5);
        expect(analysis.toneFraction).toBeGreaterThan(0.99);
        for (const other of [440, 1000, 1800].filter((f) => f !== hz))
          expect(detectTone(decoded, 8000, other, 5)).toBe(false);
      }
    });
  }

  it('detects a tone that went 48 kHz → 8 kHz → G.711 → 48 kHz, as on a real call path', () => {
    const mic = new ToneGenerator({ sampleRate: 48000, frequencyHz: 1000 });
    const down = new Resampler({ inputRate: 48000, outputRate: 8000 });
    const up = new Resampler({ inputRate: 8000, outputRate: 48000 });
    const out: number[] = [];
    for (let f = 0; f < 50; f++)
      out.push(...up.process(PCMU.decode(PCMU.encode(down.process(mic.readFrame()!)))));
    expect(out.length).toBe(48000);
    expect(detectTone(out.slice(4800), 48000, 1000, 2)).toBe(true);
  });

  it('does not call noise, silence or a faint tone in noise a tone', () => {
    let seed = 99;
    const noise = Int16Array.from({ length: 8000 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return ((seed >>> 16) % 8001) - 4000;
    });
    expect(detectTone(noise, 8000, 1000, 10)).toBe(false);
    expect(detectTone(new Int16Array(8000), 8000, 1000, 10)).toBe(false);
    const faint = Int16Array.from(
      noise,
      (v, i) => v + Math.round(300 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    const analysis = analyzeTone(faint, 8000, 1000, 10);
    expect(analysis.toneFraction).toBeLessThan(0.5);
    expect(analysis.detected).toBe(false);
    const quiet = Int16Array.from({ length: 8000 }, (_, i) =>
      Math.round(50 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    expect(detectTone(quiet, 8000, 1000, 10)).toBe(false);
  });
});
