/**
 * An `AudioPort` whose microphone is a WAV file (16-bit PCM, any channel count and rate): the file is
 * read in small blocks as frames are pulled, mixed down to mono and converted to the port's rate. At
 * the end of the data it starts over (`loop`) or delivers the converter's tail, a last frame padded with
 * silence, and then ends; the file is closed as soon as its last byte has been read. Its speaker
 * discards what is written to it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkFrame, frameSamplesFor } from './audio-port.ts';
import type { AudioPort } from './audio-port.ts';
import { Resampler } from './resampler.ts';
import { SampleFifo } from './sample-fifo.ts';
import { downmixToMono, parseWavLayout, samplesFromBytes } from './wav.ts';
import type { ByteSource, WavError, WavFormat, WavLayout } from './wav.ts';

export interface WavFileSourceOptions {
  path: string;
  /** The port's rate (the file is converted to it). */
  sampleRate: number;
  /** Start over at the end of the data instead of ending. */
  loop?: boolean;
}

export type WavOpenError = WavError | 'io' | 'empty';

export type WavFileSourceResult =
  { ok: true; port: WavFileSource } | { ok: false; error: WavOpenError; message: string };

/** Input read per refill: 100 ms of the file. */
const READ_MS = 100;

export class WavFileSource implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly format: WavFormat;
  readonly loop: boolean;
  /** Open while there is data left to read; null once drained or closed. */
  private fd: number | null;
  private isClosed = false;
  private readonly layout: WavLayout;
  private readonly resampler: Resampler;
  private readonly pending = new SampleFifo();
  /** Bytes of the data chunk consumed so far (in the current pass). */
  private consumed = 0;
  private drained = false;
  private isEnded = false;

  /** Opens and checks the file; expected failures (missing file, not 16-bit PCM) are values. */
  static open(options: WavFileSourceOptions): WavFileSourceResult {
    frameSamplesFor(options.sampleRate); // a bad port rate is a bug: throw before touching the file
    let fd: number;
    try {
      fd = openSync(options.path, 'r');
    } catch (error) {
      return { ok: false, error: 'io', message: String(error) };
    }
    try {
      const parsed = parseWavLayout(fileByteSource(fd));
      if (!parsed.ok) {
        closeSync(fd);
        return { ok: false, error: parsed.error, message: `${options.path}: ${parsed.error}` };
      }
      if (parsed.layout.dataBytes === 0 && options.loop) {
        closeSync(fd);
        return { ok: false, error: 'empty', message: `${options.path}: no samples to loop` };
      }
      return { ok: true, port: new WavFileSource(options, fd, parsed.layout) };
    } catch (error) {
      closeSync(fd);
      return { ok: false, error: 'io', message: String(error) };
    }
  }

  private constructor(options: WavFileSourceOptions, fd: number, layout: WavLayout) {
    this.sampleRate = options.sampleRate;
    this.frameSamples = frameSamplesFor(options.sampleRate);
    this.loop = options.loop ?? false;
    this.fd = fd;
    this.layout = layout;
    this.format = layout.format;
    this.resampler = new Resampler({ inputRate: layout.format.sampleRate, outputRate: options.sampleRate });
  }

  get ended(): boolean {
    return this.isEnded;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  readFrame(): Int16Array | null {
    if (this.isClosed || this.isEnded) return null;
    while (this.pending.length < this.frameSamples && !this.drained && this.fd !== null) this.refill(this.fd);
    if (this.pending.length === 0) {
      this.isEnded = true;
      return null;
    }
    const frame = new Int16Array(this.frameSamples);
    this.pending.shiftInto(frame, 0, Math.min(this.frameSamples, this.pending.length));
    if (this.drained && this.pending.length === 0) this.isEnded = true;
    return frame;
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isEnded = true;
    this.releaseFile();
  }

  private releaseFile(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private refill(fd: number): void {
    const { format, dataOffset, dataBytes } = this.layout;
    const blockBytes = Math.max(1, Math.round((format.sampleRate * READ_MS) / 1000)) * format.blockAlign;
    const length = Math.min(blockBytes, dataBytes - this.consumed);
    if (length > 0) {
      const bytes = readAt(fd, dataOffset + this.consumed, length);
      this.consumed += bytes.length;
      if (bytes.length < length) this.consumed = dataBytes; // the file shrank under us: treat as the end
      const whole = bytes.subarray(0, bytes.length - (bytes.length % format.blockAlign));
      this.pending.push(this.resampler.process(downmixToMono(samplesFromBytes(whole), format.channels)));
      return;
    }
    if (this.loop && dataBytes > 0) {
      this.consumed = 0;
      return;
    }
    // The end: push silence through the converter to flush the samples its filter still holds.
    if (dataBytes > 0 && this.resampler.taps > 0) {
      const tail = Math.ceil((this.resampler.delaySamples * format.sampleRate) / this.sampleRate) + 1;
      this.pending.push(this.resampler.process(new Int16Array(tail)));
    }
    this.drained = true;
    this.releaseFile();
  }
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

function fileByteSource(fd: number): ByteSource {
  const size = fstatSync(fd).size;
  return { size, read: (offset, length) => readAt(fd, offset, Math.max(0, Math.min(length, size - offset))) };
}
