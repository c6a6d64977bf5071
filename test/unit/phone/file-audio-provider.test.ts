/**
 * `fileAudioProvider` (the CLI's tone/WAV microphone and WAV recorder): ports at the rate of the call's
 * codec — 8 kHz for G.711, 16 kHz for G.722 — so a recording keeps everything the codec carried; a tone
 * the call cannot carry is reported and replaced by silence instead of being aliased.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileAudioProvider } from '../../../src-main/phone/index.ts';
import { decodeWav, dominantFrequency, rms } from '../../../src-main/media/audio/index.ts';
import { makeTempDir } from '../store/helpers.ts';
import type { TempDir } from '../store/helpers.ts';

let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

describe('fileAudioProvider', () => {
  it('opens 16 kHz ports for a G.722 call: a 5 kHz tone, and a 16 kHz recording', () => {
    dir = makeTempDir('softphone-file-audio-');
    const record = join(dir.path, 'heard.wav');
    const errors: string[] = [];
    const provider = fileAudioProvider({ tone: 5000, record }, (m) => errors.push(m));
    const port = provider.open('call-1', {}, { sampleRate: 16000 });
    expect([port.sampleRate, port.frameSamples]).toEqual([16000, 320]);
    const sent = Int16Array.from(Array.from({ length: 50 }, () => [...port.readFrame()!]).flat());
    expect(Math.abs(dominantFrequency(sent, 16000)! - 5000)).toBeLessThan(1);
    for (let i = 0; i < 50; i++) port.writeFrame(sent.slice(i * 320, (i + 1) * 320));
    port.close();
    const wav = decodeWav(readFileSync(record));
    if (!wav.ok) expect.fail('the recording is not a WAV file');
    expect(wav.format).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(wav.samples.length).toBe(16000);
    expect(Math.abs(dominantFrequency(wav.samples, 16000)! - 5000)).toBeLessThan(1);
    expect(errors).toEqual([]);
  });

  it('opens 8 kHz ports for a G.711 call, and a second call records to FILE-2.wav', () => {
    dir = makeTempDir('softphone-file-audio-');
    const record = join(dir.path, 'heard.wav');
    const recordings: string[][] = [];
    const provider = fileAudioProvider({ tone: 440, record }, undefined, (callId, file) =>
      recordings.push([callId, file]),
    );
    const first = provider.open('call-1', {}, { sampleRate: 8000 });
    const second = provider.open('call-2', {}, { sampleRate: 16000 });
    expect([first.sampleRate, second.sampleRate]).toEqual([8000, 16000]);
    expect(recordings).toEqual([
      ['call-1', record],
      ['call-2', join(dir.path, 'heard-2.wav')],
    ]);
    first.close();
    second.close();
    const rateOf = (file: string): number => {
      const wav = decodeWav(readFileSync(file));
      if (!wav.ok) throw new Error(`${file}: not a WAV file`);
      return wav.format.sampleRate;
    };
    expect([rateOf(record), rateOf(join(dir.path, 'heard-2.wav'))]).toEqual([8000, 16000]);
  });

  it('a fixed rate wins over the codec\u2019s', () => {
    expect(fileAudioProvider({ sampleRate: 48_000 }).open('c', {}, { sampleRate: 8000 }).sampleRate).toBe(
      48_000,
    );
  });

  it('sends silence, and says why, for a tone above what the call carries (5 kHz on G.711)', () => {
    const errors: string[] = [];
    const port = fileAudioProvider({ tone: 5000 }, (m) => errors.push(m)).open('c', {}, { sampleRate: 8000 });
    expect(rms(port.readFrame()!)).toBe(0);
    expect(errors).toEqual(["a 5000 Hz tone does not fit the call's 8000 Hz audio: sending silence"]);
  });
});
