/**
 * The capture worklet's frame assembly: 128-sample render quanta → 960-sample (20 ms) link frames.
 */
import { describe, expect, it } from 'vitest';
import { CaptureFramer } from '../../../src-renderer/src/audio/index.ts';
import { LINK_FRAME_BYTES, decodeAudioLinkMessage } from '../../../src-shared/audio/index.ts';

function framesOf(messages: ArrayBuffer[]): Int16Array[] {
  return messages.map((m) => {
    const decoded = decodeAudioLinkMessage(m);
    if (!decoded.ok || decoded.message.kind !== 'frame') throw new Error('not a frame message');
    return decoded.message.samples;
  });
}

/** Quantum `q` holds the floats of samples q·128 … q·128+127 of a ramp (one step per sample). */
function rampQuantum(q: number, length = 128): Float32Array {
  return Float32Array.from({ length }, (_, i) => ((q * 128 + i) % 30_000) / 32767);
}

describe('CaptureFramer', () => {
  it('makes two frames out of fifteen quanta, joined without a gap or a repeat', () => {
    const emitted: ArrayBuffer[] = [];
    const framer = new CaptureFramer({ emit: (m) => emitted.push(m) });
    for (let q = 0; q < 7; q++) framer.push(rampQuantum(q));
    expect(emitted).toHaveLength(0);
    expect(framer.pending).toBe(896);
    framer.push(rampQuantum(7)); // 1024 samples: a frame, and 64 of the next
    expect(emitted).toHaveLength(1);
    expect(framer.pending).toBe(64);
    for (let q = 8; q < 15; q++) framer.push(rampQuantum(q));
    expect(emitted).toHaveLength(2);
    expect(framer.pending).toBe(0);

    const frames = framesOf(emitted);
    expect(emitted.every((m) => m.byteLength === LINK_FRAME_BYTES)).toBe(true);
    expect(frames.map((f) => [f[0], f[959]])).toEqual([
      [0, 959],
      [960, 1919],
    ]);
    const joined = [...frames[0]!, ...frames[1]!];
    expect(joined.every((v, i) => v === i)).toBe(true);
  });

  it('emits a fresh buffer each time (the worklet transfers the one it emitted)', () => {
    const emitted: ArrayBuffer[] = [];
    const framer = new CaptureFramer({ emit: (m) => emitted.push(m) });
    for (let q = 0; q < 30; q++) framer.push(rampQuantum(q));
    expect(emitted).toHaveLength(4);
    expect(new Set(emitted).size).toBe(4);
  });

  it('takes quanta of any length, and silence for a missing input', () => {
    const emitted: ArrayBuffer[] = [];
    const framer = new CaptureFramer({ emit: (m) => emitted.push(m) });
    framer.push(Float32Array.from({ length: 1000 }, () => 0.5));
    framer.push(null, 128);
    framer.push(Float32Array.from({ length: 900 }, () => -0.5));
    expect(framer.pending).toBe(1000 + 128 + 900 - 1920);
    const [first, second] = framesOf(emitted);
    expect([...first!].every((v) => v === 16384)).toBe(true);
    expect([...second!.subarray(0, 40)].every((v) => v === 16384)).toBe(true);
    expect([...second!.subarray(40, 168)].every((v) => v === 0)).toBe(true);
    expect([...second!.subarray(168)].every((v) => v === -16384)).toBe(true);
  });

  it('clips a hot microphone instead of wrapping around', () => {
    const emitted: ArrayBuffer[] = [];
    const framer = new CaptureFramer({ emit: (m) => emitted.push(m) });
    framer.push(Float32Array.from({ length: 960 }, (_, i) => (i % 2 ? 1.7 : -1.7)));
    const [frame] = framesOf(emitted);
    expect([frame![0], frame![1]]).toEqual([-32768, 32767]);
  });

  it('ignores a length beyond the quantum it is given', () => {
    const emitted: ArrayBuffer[] = [];
    const framer = new CaptureFramer({ emit: (m) => emitted.push(m) });
    framer.push(new Float32Array(100), 128);
    expect(framer.pending).toBe(100);
  });
});
