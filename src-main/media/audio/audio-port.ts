/**
 * `AudioPort`: the boundary between a call and an audio device. See index.ts for the contract.
 */

/** Every port exchanges frames of this duration. */
export const AUDIO_FRAME_MS = 20;

export interface AudioPort {
  /** Samples per second of every frame, in both directions. Fixed for the port's life. */
  readonly sampleRate: number;
  /** Samples in one frame: sampleRate · 20 ms (160 at 8 kHz, 320 at 16 kHz, 960 at 48 kHz). */
  readonly frameSamples: number;
  /**
   * The next captured frame (mono, exactly `frameSamples` long), or null when none is available at
   * this tick (a device underrun, or the capture side has ended — see `ended`). The returned array
   * belongs to the caller, which may transfer or modify it.
   */
  readFrame(): Int16Array | null;
  /**
   * Plays one frame (mono, exactly `frameSamples` long; anything else is a bug and throws). The port
   * takes ownership: the caller must not touch the array afterwards (a MessagePort-backed port
   * transfers its buffer). Ignored once the port is closed.
   */
  writeFrame(frame: Int16Array): void;
  /** True once the capture side will never produce another frame (a WAV file without loop has ended). */
  readonly ended: boolean;
  readonly closed: boolean;
  /** Releases the device or file; idempotent. Afterwards `readFrame` returns null and writes are ignored. */
  close(): void;
}

/** Samples in one 20 ms frame at `sampleRate`; rates that do not give whole samples are bugs. */
export function frameSamplesFor(sampleRate: number): number {
  const samples = (sampleRate * AUDIO_FRAME_MS) / 1000;
  if (!Number.isInteger(samples) || samples <= 0) {
    throw new RangeError(`${sampleRate} Hz does not give a whole number of samples per ${AUDIO_FRAME_MS} ms`);
  }
  return samples;
}

/** Throws unless `frame` is one frame for `port` (shared by the implementations). */
export function checkFrame(port: { frameSamples: number }, frame: Int16Array): void {
  if (frame.length !== port.frameSamples) {
    throw new RangeError(`audio frame has ${frame.length} samples, the port expects ${port.frameSamples}`);
  }
}
