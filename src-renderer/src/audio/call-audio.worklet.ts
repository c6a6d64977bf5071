/**
 * The AudioWorklet module of call audio (bundled by Vite into its own file and loaded from our origin with
 * `audioWorklet.addModule(url)` — the CSP allows no blob: or data: modules). Two processors, both tiny
 * adapters around plain, tested classes:
 *
 *  - capture  (1 input, mono, no output): the microphone's render quanta → CaptureFramer → 20 ms frame
 *    messages, transferred to the engine. A missing input (the track is muted or ended) counts as
 *    silence, so frames keep their 20 ms cadence and main's FIFO sees no gap that is not one.
 *  - playback (no input, 1 mono output): frames from the engine → PlaybackRing (target latency, underrun
 *    → silence, overflow → drop oldest, drift correction) → the output; its queue statistics go back to
 *    the engine four times a second.
 *
 * This runs in the AudioWorkletGlobalScope (its own thread): no DOM, and its globals are reached through
 * `scope` below rather than declared for the whole renderer.
 */
import { CaptureFramer } from './capture-framer.ts';
import { PlaybackRing } from './playback-ring.ts';
import {
  CAPTURE_PROCESSOR,
  PLAYBACK_PROCESSOR,
  PLAYBACK_STATS_INTERVAL_MS,
  type PlaybackProcessorOptions,
  type PlaybackWorkletStats,
} from './worklet-protocol.ts';

interface ProcessorBase {
  readonly port: MessagePort;
}

interface WorkletScope {
  readonly sampleRate: number;
  readonly AudioWorkletProcessor: new () => ProcessorBase;
  registerProcessor(
    name: string,
    processor: new (options: { processorOptions?: unknown }) => ProcessorBase & {
      process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
    },
  ): void;
}

const scope = globalThis as unknown as WorkletScope;

class CaptureProcessor extends scope.AudioWorkletProcessor {
  private readonly framer = new CaptureFramer({
    emit: (message) => this.port.postMessage(message, [message]),
  });

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) this.framer.push(channel);
    else this.framer.push(null, 128);
    return true;
  }
}

class PlaybackProcessor extends scope.AudioWorkletProcessor {
  private readonly ring: PlaybackRing;
  private readonly statsEveryQuanta: number;
  private quanta = 0;

  constructor(options: { processorOptions?: unknown }) {
    super();
    const settings = options.processorOptions as Partial<PlaybackProcessorOptions> | undefined;
    this.ring = new PlaybackRing({
      sampleRate: scope.sampleRate,
      ...(typeof settings?.targetMs === 'number' ? { targetMs: settings.targetMs } : {}),
      ...(typeof settings?.capacityMs === 'number' ? { capacityMs: settings.capacityMs } : {}),
    });
    this.statsEveryQuanta = Math.max(
      1,
      Math.round((PLAYBACK_STATS_INTERVAL_MS * scope.sampleRate) / 1000 / 128),
    );
    this.port.onmessage = (event: MessageEvent<unknown>) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) this.ring.push(new Int16Array(data));
      else if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'clear')
        this.ring.clear();
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const output = outputs[0];
    const first = output?.[0];
    if (output && first) {
      this.ring.render(first);
      for (let c = 1; c < output.length; c++) output[c]!.set(first);
    }
    if (++this.quanta >= this.statsEveryQuanta) {
      this.quanta = 0;
      const stats = this.ring.stats;
      const message: PlaybackWorkletStats = {
        type: 'stats',
        bufferedMs: stats.bufferedMs,
        underruns: stats.underruns,
        overflows: stats.overflows,
      };
      this.port.postMessage(message);
    }
    return true;
  }
}

scope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
scope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
