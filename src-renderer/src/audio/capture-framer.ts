/**
 * Cuts the microphone's render quanta (128 float samples each in today's Web Audio, but any length
 * works) into the link's 20 ms frames of 960 signed 16-bit samples. 960 = 7.5 · 128, so frames straddle
 * quanta: one quantum may finish a frame and start the next. Each frame is written straight into a
 * fresh link message (`createFrameMessage`), which the capture worklet transfers without copying.
 */
import { createFrameMessage } from '../../../src-shared/audio/index.ts';
import { floatsToInt16 } from './pcm.ts';

export interface CaptureFramerOptions {
  /** A completed frame message (the framer lets go of it). */
  emit(message: ArrayBuffer): void;
  /** A new message to fill; default `createFrameMessage` (960 samples). */
  allocate?: () => { buffer: ArrayBuffer; samples: Int16Array };
}

export class CaptureFramer {
  private readonly emit: (message: ArrayBuffer) => void;
  private readonly allocate: () => { buffer: ArrayBuffer; samples: Int16Array };
  private current: { buffer: ArrayBuffer; samples: Int16Array };
  private filled = 0;

  constructor(options: CaptureFramerOptions) {
    this.emit = options.emit;
    this.allocate = options.allocate ?? createFrameMessage;
    this.current = this.allocate();
  }

  /** Samples waiting for the current frame to fill. */
  get pending(): number {
    return this.filled;
  }

  /** Appends one quantum; `null` stands for `length` samples of silence (no microphone input). */
  push(quantum: Float32Array | null, length = quantum?.length ?? 0): void {
    if (quantum) length = Math.min(length, quantum.length);
    let taken = 0;
    while (taken < length) {
      const frame = this.current.samples;
      const count = Math.min(length - taken, frame.length - this.filled);
      if (quantum) floatsToInt16(quantum, taken, frame, this.filled, count);
      else frame.fill(0, this.filled, this.filled + count);
      this.filled += count;
      taken += count;
      if (this.filled === frame.length) {
        const done = this.current.buffer;
        this.current = this.allocate();
        this.filled = 0;
        this.emit(done);
      }
    }
  }
}
