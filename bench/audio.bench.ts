/**
 * Audio processing throughput for one call: every 20 ms frame of a 10-minute call through the send path
 * (48 kHz device frame → 8 kHz → G.711 encode, or → 16 kHz → G.722 encode) and the receive path (decode
 * → 48 kHz), then the same receive path through the playout pipeline (jitter buffer + decode +
 * concealment).
 *
 * Run: node bench/audio.bench.ts   (prints one line per figure; `--json` prints one JSON object)
 */
import { G722, PCMA, PCMU } from '../src-main/media/codec/index.ts';
import type { AudioCodec } from '../src-main/media/codec/index.ts';
import { Resampler, ToneGenerator } from '../src-main/media/audio/index.ts';
import { PlayoutPipeline } from '../src-main/media/jitter/index.ts';

const CALL_FRAMES = 10 * 60 * 50; // 10 minutes of 20 ms frames
const DEVICE_RATE = 48000;

interface Figure {
  name: string;
  frames: number;
  ms: number;
  framesPerSecond: number;
  /** How many calls of this kind one core could process in real time. */
  realtimeFactor: number;
}

function measure(name: string, frames: number, run: () => void): Figure {
  run(); // warm-up pass (JIT, tables)
  const start = performance.now();
  run();
  const ms = performance.now() - start;
  const framesPerSecond = (frames / ms) * 1000;
  return { name, frames, ms, framesPerSecond, realtimeFactor: framesPerSecond / 50 };
}

function deviceFrames(count: number): Int16Array[] {
  const tone = new ToneGenerator({ sampleRate: DEVICE_RATE, frequencyHz: 440 });
  // A few seconds of distinct frames, reused round-robin: generating the tone is not what we measure.
  return Array.from({ length: Math.min(count, 250) }, () => tone.readFrame()!);
}

function roundTrip(codec: AudioCodec): Figure {
  const frames = deviceFrames(CALL_FRAMES);
  return measure(`${codec.name} 48k→${codec.sampleRate / 1000}k→encode→decode→48k`, CALL_FRAMES, () => {
    const down = new Resampler({ inputRate: DEVICE_RATE, outputRate: codec.sampleRate });
    const up = new Resampler({ inputRate: codec.sampleRate, outputRate: DEVICE_RATE });
    const encoder = codec.createEncoder();
    const decoder = codec.createDecoder();
    for (let i = 0; i < CALL_FRAMES; i++) {
      const payload = encoder.encode(down.process(frames[i % frames.length]!));
      const played = up.process(decoder.decode(payload));
      if (played.length !== 960) throw new Error('frame size');
    }
  });
}

function codecOnly(codec: AudioCodec): Figure {
  const frames = deviceFrames(CALL_FRAMES).map((f) => f.subarray(0, codec.frameSamples(20)));
  return measure(`${codec.name} encode+decode only`, CALL_FRAMES, () => {
    const encoder = codec.createEncoder();
    const decoder = codec.createDecoder();
    for (let i = 0; i < CALL_FRAMES; i++) decoder.decode(encoder.encode(frames[i % frames.length]!));
  });
}

function resampleOnly(): Figure {
  const frames = deviceFrames(CALL_FRAMES);
  return measure('resample 48k→8k→48k only', CALL_FRAMES, () => {
    const down = new Resampler({ inputRate: DEVICE_RATE, outputRate: 8000 });
    const up = new Resampler({ inputRate: 8000, outputRate: DEVICE_RATE });
    for (let i = 0; i < CALL_FRAMES; i++) up.process(down.process(frames[i % frames.length]!));
  });
}

function playout(): Figure {
  const payloads = deviceFrames(CALL_FRAMES).map((f) => PCMU.encode(f.subarray(0, 160)));
  return measure('PCMU playout pipeline (push+pull, 2% loss)', CALL_FRAMES, () => {
    const pipeline = new PlayoutPipeline({ codec: PCMU });
    for (let i = 0; i < CALL_FRAMES; i++) {
      const t = i * 20;
      if (i % 50 !== 7) {
        pipeline.push({
          seq: i & 0xffff,
          timestamp: (i * 160) >>> 0,
          payload: payloads[i % payloads.length]!,
          arrivalMs: t + (i % 3) * 4,
        });
      }
      pipeline.pull(t + 10);
    }
  });
}

const figures = [
  roundTrip(PCMU),
  roundTrip(PCMA),
  roundTrip(G722),
  codecOnly(PCMU),
  codecOnly(G722),
  resampleOnly(),
  playout(),
];
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ bench: 'audio', node: process.version, figures }));
} else {
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(46)} ${f.frames} frames in ${f.ms.toFixed(0).padStart(5)} ms = ` +
        `${Math.round(f.framesPerSecond).toLocaleString('en').padStart(10)} frames/s (${Math.round(f.realtimeFactor)}× real time)`,
    );
  }
}
