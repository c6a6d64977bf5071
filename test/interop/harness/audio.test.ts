import { afterAll, describe, expect, it } from 'vitest';
import {
  analyseAudio,
  analyseWav,
  dominantFrequency,
  generateSilenceWav,
  generateToneWav,
  goertzelPower,
  makeWorkDir,
  readWav,
  readWavFormat,
} from '../support/index.ts';

const dir = makeWorkDir('audio-test');
afterAll(() => dir.remove());

describe('audio: sox generation and analysis', () => {
  it('generates an 8 kHz mono tone whose every second holds exactly that tone', async () => {
    const file = await generateToneWav({ path: dir.file('tone1000.wav'), hz: 1000, seconds: 3 });
    expect(readWavFormat(file)).toEqual({ sampleRate: 8000, channels: 1 });
    const analysis = analyseWav(file, { hz: 1000 });
    expect(analysis.sampleRate).toBe(8000);
    expect(analysis.durationSeconds).toBe(3);
    expect(analysis.seconds).toHaveLength(3);
    expect(analysis.tonePresentRatio).toBe(1);
    expect(Math.abs(analysis.dominantHz - 1000)).toBeLessThan(2);
    // amplitude 0.5 sine → RMS 0.5/√2 ≈ -9 dBFS
    expect(analysis.rmsDbfs).toBeCloseTo(-9.03, 0);
    for (const second of analysis.seconds) expect(second.toneRatio).toBeGreaterThan(0.99);
  });

  it('generates 48 kHz stereo and mixes it down', async () => {
    const file = await generateToneWav({
      path: dir.file('tone440.wav'),
      hz: 440,
      seconds: 1,
      sampleRate: 48000,
      channels: 2,
    });
    const audio = readWav(file);
    expect(audio.sampleRate).toBe(48000);
    expect(audio.channels).toBe(2);
    expect(audio.samples.length).toBe(48000);
    expect(Math.abs(dominantFrequency(audio.samples, 48000) - 440)).toBeLessThan(2);
  });

  it('does not find 1000 Hz in a 400 Hz tone, nor in silence', async () => {
    const other = analyseWav(await generateToneWav({ path: dir.file('tone400.wav'), hz: 400, seconds: 2 }), {
      hz: 1000,
    });
    expect(other.tonePresentRatio).toBe(0);
    expect(Math.abs(other.dominantHz - 400)).toBeLessThan(2);
    const silence = analyseWav(await generateSilenceWav({ path: dir.file('silence.wav'), seconds: 2 }), {
      hz: 1000,
    });
    expect(silence.seconds).toHaveLength(2);
    expect(silence.tonePresentRatio).toBe(0);
    expect(silence.rmsDbfs).toBeLessThan(-80); // sox dithers: not digital zero
  });

  it('counts seconds: a tone in 3 of 5 seconds gives a ratio of 0.6', () => {
    const rate = 8000;
    const samples = new Float32Array(rate * 5);
    for (let i = 0; i < samples.length; i++) {
      const second = Math.floor(i / rate);
      samples[i] = second === 1 || second === 3 ? 0 : 0.3 * Math.sin((2 * Math.PI * 1000 * i) / rate);
    }
    const analysis = analyseAudio(
      { sampleRate: rate, channels: 1, samples, durationSeconds: 5 },
      { hz: 1000 },
    );
    expect(analysis.seconds.map((s) => s.tonePresent)).toEqual([true, false, true, false, true]);
    expect(analysis.tonePresentRatio).toBe(0.6);
  });

  it('Goertzel power peaks at the tone frequency', () => {
    const rate = 8000;
    const samples = new Float32Array(rate);
    for (let i = 0; i < rate; i++) samples[i] = Math.sin((2 * Math.PI * 1000 * i) / rate);
    expect(goertzelPower(samples, rate, 1000)).toBeCloseTo(0.25, 3);
    expect(goertzelPower(samples, rate, 1500)).toBeLessThan(1e-6);
  });

  it('reads a recording whose data chunk size was never finalised', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(await generateToneWav({ path: dir.file('open.wav'), hz: 1000, seconds: 1 }));
    const dataAt = bytes.indexOf('data');
    bytes.writeUInt32LE(0, dataAt + 4);
    writeFileSync(dir.file('open.wav'), bytes);
    expect(readWav(dir.file('open.wav')).samples.length).toBe(8000);
  });
});
