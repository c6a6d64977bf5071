/**
 * An `AudioPort` whose speaker is a WAV file (16-bit mono at the port's rate) and whose microphone is
 * silent. The file is valid at every moment that matters:
 *   - on creation it already has a complete header (0 samples), so closing at once leaves a valid
 *     empty file;
 *   - the RIFF and data sizes are rewritten every `headerUpdateIntervalMs` of audio and on close, so a
 *     crash loses at most that much from the header's point of view (and readers that trust the file
 *     length, like ours, lose nothing);
 *   - recording stops, without error, at the 4 GiB a RIFF size field can describe.
 * A write failure (disk full) stops recording; it is reported in `failure`, not thrown.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { checkFrame, frameSamplesFor } from './audio-port.ts';
import type { AudioPort } from './audio-port.ts';
import { WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, buildWavHeader, bytesFromSamples } from './wav.ts';

export interface WavRecorderOptions {
  path: string;
  sampleRate: number;
  /** How often the header sizes are brought up to date while recording (ms of audio). */
  headerUpdateIntervalMs?: number;
}

export type WavRecorderResult = { ok: true; port: WavRecorder } | { ok: false; error: 'io'; message: string };

export class WavRecorder implements AudioPort {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly path: string;
  readonly ended = false;
  private fd: number | null;
  private dataBytes = 0;
  private bytesSinceHeader = 0;
  private readonly headerIntervalBytes: number;
  private failureMessage: string | null = null;

  /** Creates (or truncates) the file and writes an empty file's header. */
  static create(options: WavRecorderOptions): WavRecorderResult {
    frameSamplesFor(options.sampleRate);
    let fd: number;
    try {
      fd = openSync(options.path, 'w');
      writeAll(fd, buildWavHeader(options.sampleRate, 1, 0), 0);
    } catch (error) {
      return { ok: false, error: 'io', message: String(error) };
    }
    return { ok: true, port: new WavRecorder(options, fd) };
  }

  private constructor(options: WavRecorderOptions, fd: number) {
    this.sampleRate = options.sampleRate;
    this.frameSamples = frameSamplesFor(options.sampleRate);
    this.path = options.path;
    this.fd = fd;
    this.headerIntervalBytes =
      Math.round(((options.headerUpdateIntervalMs ?? 1000) * this.sampleRate) / 1000) * 2;
  }

  get closed(): boolean {
    return this.fd === null;
  }

  /** Samples recorded so far. */
  get samplesWritten(): number {
    return this.dataBytes / 2;
  }

  /** Why recording stopped early, if it did. */
  get failure(): string | null {
    return this.failureMessage;
  }

  /** The recorder's microphone is silent. */
  readFrame(): Int16Array | null {
    return this.fd === null ? null : new Int16Array(this.frameSamples);
  }

  writeFrame(frame: Int16Array): void {
    checkFrame(this, frame);
    const fd = this.fd;
    if (fd === null || this.failureMessage !== null) return;
    const bytes = bytesFromSamples(frame);
    if (this.dataBytes + bytes.length > WAV_MAX_DATA_BYTES) {
      this.failureMessage = 'the RIFF size limit (4 GiB) is reached';
      return;
    }
    try {
      writeAll(fd, bytes, WAV_HEADER_BYTES + this.dataBytes);
      this.dataBytes += bytes.length;
      this.bytesSinceHeader += bytes.length;
      if (this.bytesSinceHeader >= this.headerIntervalBytes) this.updateHeader(fd);
    } catch (error) {
      this.failureMessage = String(error);
    }
  }

  /** Brings the header up to date and closes the file; idempotent. */
  close(): void {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    try {
      this.updateHeader(fd);
    } catch (error) {
      this.failureMessage ??= String(error);
    } finally {
      closeSync(fd);
    }
  }

  private updateHeader(fd: number): void {
    writeAll(fd, buildWavHeader(this.sampleRate, 1, this.dataBytes), 0);
    this.bytesSinceHeader = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written, position + written);
  }
}
