import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  WavFileSource,
  WavRecorder,
  buildWavHeader,
  bytesFromSamples,
  decodeWav,
  dominantFrequency,
  encodeWav,
  rms,
} from '../../../../src-main/media/audio/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'softphone-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFiles = (): number => readdirSync('/proc/self/fd').length;
const filesOpenAtStart = openFiles();

let fileNumber = 0;
function file(bytes?: Uint8Array): string {
  const path = join(dir, `f${fileNumber++}.wav`);
  if (bytes) writeFileSync(path, bytes);
  return path;
}

function tone(hz: number, rate: number, length: number, amplitude = 8000): Int16Array {
  return Int16Array.from({ length }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
}

function openSource(path: string, sampleRate: number, loop = false): WavFileSource {
  const opened = WavFileSource.open({ path, sampleRate, loop });
  if (!opened.ok) throw new Error(opened.message);
  return opened.port;
}

function createRecorder(path: string, sampleRate: number, headerUpdateIntervalMs?: number): WavRecorder {
  const created = WavRecorder.create({
    path,
    sampleRate,
    ...(headerUpdateIntervalMs ? { headerUpdateIntervalMs } : {}),
  });
  if (!created.ok) throw new Error(created.message);
  return created.port;
}

function readAll(source: WavFileSource): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let frame = source.readFrame(); frame; frame = source.readFrame()) frames.push(frame);
  return frames;
}

describe('WAV header', () => {
  it('builds the canonical 44-byte header', () => {
    const header = buildWavHeader(8000, 1, 320);
    expect(
      String.fromCharCode(...header.subarray(0, 4), ...header.subarray(8, 16), ...header.subarray(36, 40)),
    ).toBe('RIFFWAVEfmt data');
    expect([u32(header, 4), u32(header, 16), u32(header, 24), u32(header, 28), u32(header, 40)]).toEqual([
      356, 16, 8000, 16000, 320,
    ]);
    expect([header[20], header[22], header[32], header[34]]).toEqual([1, 1, 2, 16]);
  });

  it('round-trips samples in memory and rejects what it cannot read', () => {
    const samples = Int16Array.of(0, 1, -1, 32767, -32768, 1234);
    const decoded = decodeWav(encodeWav(samples, 16000, 2));
    expect(decoded.ok && [...decoded.samples]).toEqual([...samples]);
    expect(decoded.ok && decoded.format).toEqual({
      sampleRate: 16000,
      channels: 2,
      bitsPerSample: 16,
      blockAlign: 4,
    });
    expect(decodeWav(new TextEncoder().encode('RIFX....WAVE'))).toEqual({ ok: false, error: 'not-riff' });
    expect(decodeWav(new TextEncoder().encode('RIFF....AVI '))).toEqual({ ok: false, error: 'not-wave' });
    expect(decodeWav(new Uint8Array(5))).toEqual({ ok: false, error: 'truncated' });
    const eightBit = encodeWav(samples, 8000);
    eightBit[34] = 8;
    expect(decodeWav(eightBit)).toEqual({ ok: false, error: 'unsupported-format' });
    const noData = encodeWav(samples, 8000).subarray(0, 36);
    expect(decodeWav(noData)).toEqual({ ok: false, error: 'no-data' });
  });

  it('skips unknown chunks (with odd-size padding), accepts WAVE_FORMAT_EXTENSIBLE and open-ended data sizes', () => {
    const samples = Int16Array.of(5, -5, 7, -7);
    const data = bytesFromSamples(samples);
    const chunk = (id: string, body: Uint8Array, declaredSize = body.length): Uint8Array => {
      const out = new Uint8Array(8 + body.length + (body.length % 2));
      out.set(new TextEncoder().encode(id));
      new DataView(out.buffer).setUint32(4, declaredSize, true);
      out.set(body, 8);
      return out;
    };
    const fmt = new Uint8Array(40);
    const v = new DataView(fmt.buffer);
    v.setUint16(0, 0xfffe, true);
    v.setUint16(2, 1, true);
    v.setUint32(4, 8000, true);
    v.setUint32(8, 16000, true);
    v.setUint16(12, 2, true);
    v.setUint16(14, 16, true);
    v.setUint16(16, 22, true);
    v.setUint16(24, 1, true); // sub-format GUID starts with the PCM tag
    const parts = [
      new TextEncoder().encode('RIFF\0\0\0\0WAVE'),
      chunk('LIST', new Uint8Array(3)),
      chunk('fmt ', fmt),
      chunk('data', data, 0xffffffff),
    ];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
    const decoded = decodeWav(bytes);
    expect(decoded.ok && [...decoded.samples]).toEqual([...samples]);
  });
});

describe('WavRecorder and WavFileSource', () => {
  it('round-trips frames through a file at the same rate, sample for sample', () => {
    const path = file();
    const recorder = createRecorder(path, 8000);
    const signal = tone(440, 8000, 1600);
    for (let f = 0; f < 10; f++) recorder.writeFrame(signal.slice(f * 160, f * 160 + 160));
    expect(recorder.samplesWritten).toBe(1600);
    recorder.close();
    recorder.close();
    expect(recorder.closed).toBe(true);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(44 + 3200);
    expect([u32(bytes, 4), u32(bytes, 40)]).toEqual([36 + 3200, 3200]);

    const source = openSource(path, 8000);
    expect(source.format).toEqual({ sampleRate: 8000, channels: 1, bitsPerSample: 16, blockAlign: 2 });
    const frames = readAll(source);
    expect(frames.length).toBe(10);
    expect([...frames.flatMap((f) => [...f])]).toEqual([...signal]);
    expect(source.ended).toBe(true);
    expect(source.readFrame()).toBeNull();
    source.close();
    expect(source.closed).toBe(true);
  });

  it('leaves a valid empty file when closed before any audio, and ignores writes after close', () => {
    const path = file();
    const recorder = createRecorder(path, 16000);
    recorder.close();
    recorder.writeFrame(new Int16Array(320));
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(44);
    expect([u32(bytes, 4), u32(bytes, 24), u32(bytes, 40)]).toEqual([36, 16000, 0]);
    const decoded = decodeWav(bytes);
    expect(decoded.ok && decoded.samples.length).toBe(0);
    expect(readAll(openSource(path, 16000))).toEqual([]);
  });

  it('keeps the header current while recording, so an unclosed file is readable', () => {
    const path = file();
    const recorder = createRecorder(path, 8000, 100); // header every 100 ms = 5 frames
    for (let f = 0; f < 7; f++) recorder.writeFrame(new Int16Array(160).fill(f));
    const bytes = readFileSync(path);
    expect(u32(bytes, 40)).toBe(5 * 320);
    expect(bytes.length).toBe(44 + 7 * 320);
    // our reader trusts the file length over a stale size only when the size is 0 or past the end:
    // here it reads the 5 frames the header vouches for
    expect(readAll(openSource(path, 8000)).length).toBe(5);
    expect(recorder.readFrame()).toEqual(new Int16Array(160));
    recorder.close();
    expect(readAll(openSource(path, 8000)).length).toBe(7);
  });

  it('mixes a 16 kHz stereo file down to mono 8 kHz frames and keeps the tone', () => {
    const left = tone(1000, 16000, 16000);
    const interleaved = new Int16Array(32000);
    for (let i = 0; i < 16000; i++) {
      interleaved[2 * i] = left[i]!;
      interleaved[2 * i + 1] = left[i]!;
    }
    const source = openSource(file(encodeWav(interleaved, 16000, 2)), 8000);
    const frames = readAll(source);
    expect(frames.every((f) => f.length === 160)).toBe(true);
    // 1 s of audio plus the converter's tail, padded to whole frames
    expect(frames.length).toBe(51);
    const audio = Int16Array.from(frames.slice(2, 48).flatMap((f) => [...f]));
    expect(dominantFrequency(audio, 8000)).toBeCloseTo(1000, 0);
    expect(rms(audio)).toBeCloseTo(8000 / Math.SQRT2, -1);
    expect(source.ended).toBe(true);
  });

  it('loops at the end of the data when asked to', () => {
    const signal = Int16Array.from({ length: 240 }, (_, i) => i + 1);
    const source = openSource(file(encodeWav(signal, 8000)), 8000, true);
    const frames = [source.readFrame()!, source.readFrame()!, source.readFrame()!];
    expect([...frames.flatMap((f) => [...f])]).toEqual([...signal, ...signal]);
    expect(source.ended).toBe(false);
    source.close();
    expect(source.readFrame()).toBeNull();
  });

  it('ends after a last frame padded with silence when not looping', () => {
    const signal = Int16Array.from({ length: 200 }, (_, i) => i + 1);
    const source = openSource(file(encodeWav(signal, 8000)), 8000);
    const frames = readAll(source);
    expect(frames.length).toBe(2);
    expect([...frames[1]!.subarray(0, 40)]).toEqual([...signal.subarray(160)]);
    expect(rms(frames[1]!.subarray(40))).toBe(0);
  });

  it('reports expected failures as values', () => {
    expect(WavFileSource.open({ path: join(dir, 'missing.wav'), sampleRate: 8000 })).toMatchObject({
      ok: false,
      error: 'io',
    });
    expect(
      WavFileSource.open({ path: file(new TextEncoder().encode('hello, world')), sampleRate: 8000 }),
    ).toMatchObject({
      ok: false,
      error: 'not-riff',
    });
    expect(
      WavFileSource.open({ path: file(encodeWav(new Int16Array(0), 8000)), sampleRate: 8000, loop: true }),
    ).toMatchObject({
      ok: false,
      error: 'empty',
    });
    expect(WavRecorder.create({ path: join(dir, 'no', 'such', 'dir.wav'), sampleRate: 8000 })).toMatchObject({
      ok: false,
      error: 'io',
    });
    expect(() => WavFileSource.open({ path: file(), sampleRate: 44.1 })).toThrow(RangeError);
  });

  it('refuses frames of the wrong length', () => {
    const recorder = createRecorder(file(), 8000);
    expect(() => recorder.writeFrame(new Int16Array(159))).toThrow(RangeError);
    recorder.close();
  });

  it('leaves no file open: ports close on close() and sources also when their data is drained', () => {
    expect(openFiles()).toBe(filesOpenAtStart);
  });
});
