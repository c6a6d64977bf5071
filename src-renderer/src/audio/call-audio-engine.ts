/**
 * The renderer's audio device for calls: one microphone stream and one AudioContext at 48 kHz.
 *
 *   getUserMedia (echo cancellation, noise suppression, AGC, mono) ─▶ MediaStreamSource
 *       ─▶ capture worklet ─▶ 20 ms frame messages ─▶ onCaptureFrame listeners
 *   play(samples) ─▶ playback worklet (queue ~50 ms) ─▶ AnalyserNode ─▶ destination (setSinkId device)
 *
 * `start()` answers a failure as a value (permission refused, no device, device busy, unsupported) and
 * leaves nothing open behind it; `stop()` stops the tracks, disconnects the nodes and closes the context.
 * Mute is not done here: main sends silence for a muted call, so the microphone never has to be
 * re-opened (which would prompt or click).
 */
import { LINK_FRAME_SAMPLES, LINK_SAMPLE_RATE } from '../../../src-shared/audio/index.ts';
import type { RendererAudioFailure } from '../../../src-shared/audio/index.ts';
import {
  CAPTURE_PROCESSOR,
  PLAYBACK_PROCESSOR,
  isPlaybackWorkletStats,
  type PlaybackClearCommand,
  type PlaybackProcessorOptions,
} from './worklet-protocol.ts';

/** The devices chosen in Settings (null = the system default); the same ids the settings screen uses. */
export interface AudioDeviceChoice {
  inputDeviceId: string | null;
  outputDeviceId: string | null;
}

export type EngineStartResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: Exclude<RendererAudioFailure, 'none'>; readonly message: string };

/** What the engine can say about the device side, for the report to main and for level meters. */
export interface CallAudioMeasurements {
  running: boolean;
  contextSampleRate: number;
  baseLatencyMs: number;
  outputLatencyMs: number;
  playbackLevelDbfs: number;
  playbackPeakHz: number;
  playbackBufferedMs: number;
  playbackUnderruns: number;
  playbackOverflows: number;
}

export interface CallAudioEngine {
  start(devices: AudioDeviceChoice): Promise<EngineStartResult>;
  /** Switches devices while running: output by setSinkId, input by a new stream (the old one is stopped). */
  setDevices(devices: AudioDeviceChoice): Promise<EngineStartResult>;
  stop(): Promise<void>;
  /** Queues one frame (960 samples) to play. */
  play(samples: Int16Array): void;
  /** Forgets queued playback (the focus moved to another call). */
  clearPlayback(): void;
  /** Microphone frames as link frame messages; returns the unsubscribe function. */
  onCaptureFrame(listener: (message: ArrayBuffer) => void): () => void;
  /** The context started or stopped running (autoplay policies can hold it until a user gesture). */
  onRunningChange(listener: (running: boolean) => void): () => void;
  measure(): CallAudioMeasurements;
}

export interface BrowserCallAudioEngineOptions {
  /** The bundled worklet module's URL (worklet-url.ts). */
  workletUrl: string;
  /** Playback queue target and capacity, ms (default 50 / 120). */
  playback?: Partial<PlaybackProcessorOptions>;
  /** Defaults: the page's navigator, AudioContext and window (for resuming on a user gesture). */
  mediaDevices?: Pick<MediaDevices, 'getUserMedia'>;
  createContext?: () => AudioContext;
  gestureTarget?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

/** The analyser's window for the playback level and peak frequency (≈ 85 ms, 11.7 Hz bins). */
const ANALYSER_FFT_SIZE = 4096;
const LEVEL_FLOOR_DBFS = -120;
/** Spectrum bins quieter than this do not count as a peak (dB). */
const PEAK_FLOOR_DB = -100;

interface Graph {
  context: AudioContext;
  stream: MediaStream;
  /** The input the stream was asked for (null: the system default). */
  inputChoice: string | null;
  source: MediaStreamAudioSourceNode;
  capture: AudioWorkletNode;
  playback: AudioWorkletNode;
  analyser: AnalyserNode;
}

/** AudioContext.setSinkId (Chromium 110+); not yet in TypeScript's DOM library. */
interface SinkSelectable {
  setSinkId(sinkId: string): Promise<void>;
}

export class BrowserCallAudioEngine implements CallAudioEngine {
  private readonly options: BrowserCallAudioEngineOptions;
  private graph: Graph | null = null;
  private readonly captureListeners = new Set<(message: ArrayBuffer) => void>();
  private readonly runningListeners = new Set<(running: boolean) => void>();
  private playbackStats = { bufferedMs: 0, underruns: 0, overflows: 0 };
  private timeData = new Float32Array(ANALYSER_FFT_SIZE);
  private spectrum = new Float32Array(ANALYSER_FFT_SIZE / 2);
  private removeGestureListener: (() => void) | null = null;

  constructor(options: BrowserCallAudioEngineOptions) {
    this.options = options;
  }

  async start(devices: AudioDeviceChoice): Promise<EngineStartResult> {
    if (this.graph) return { ok: true };
    const mediaDevices = this.options.mediaDevices ?? globalThis.navigator?.mediaDevices;
    if (!mediaDevices || typeof AudioWorkletNode === 'undefined') {
      return {
        ok: false,
        failure: 'unsupported',
        message: 'this window has no getUserMedia or AudioWorklet',
      };
    }
    const opened = await openMicrophone(mediaDevices, devices.inputDeviceId);
    if (!opened.ok) return opened;
    const stream = opened.stream;
    let context: AudioContext | null = null;
    try {
      context =
        this.options.createContext?.() ??
        new AudioContext({ sampleRate: LINK_SAMPLE_RATE, latencyHint: 'interactive' });
      if (context.sampleRate !== LINK_SAMPLE_RATE) {
        throw new EngineFailure(
          'unsupported',
          `the audio context runs at ${context.sampleRate} Hz, not ${LINK_SAMPLE_RATE}`,
        );
      }
      await context.audioWorklet.addModule(this.options.workletUrl);
      await selectOutput(context, devices.outputDeviceId);
      const graph = this.buildGraph(context, stream, devices.inputDeviceId);
      this.graph = graph;
      this.watchRunning(context);
      return { ok: true };
    } catch (error) {
      stopTracks(stream);
      if (context) void context.close().catch(() => {});
      return failureOf(error);
    }
  }

  async setDevices(devices: AudioDeviceChoice): Promise<EngineStartResult> {
    const graph = this.graph;
    if (!graph) return this.start(devices);
    await selectOutput(graph.context, devices.outputDeviceId);
    if (devices.inputDeviceId === graph.inputChoice) return { ok: true };
    const mediaDevices = this.options.mediaDevices ?? globalThis.navigator?.mediaDevices;
    if (!mediaDevices) return { ok: false, failure: 'unsupported', message: 'no getUserMedia' };
    const opened = await openMicrophone(mediaDevices, devices.inputDeviceId);
    if (!opened.ok) return opened;
    if (this.graph !== graph) {
      stopTracks(opened.stream);
      return { ok: true };
    }
    const source = graph.context.createMediaStreamSource(opened.stream);
    source.connect(graph.capture);
    graph.source.disconnect();
    stopTracks(graph.stream);
    graph.source = source;
    graph.stream = opened.stream;
    graph.inputChoice = devices.inputDeviceId;
    return { ok: true };
  }

  async stop(): Promise<void> {
    const graph = this.graph;
    if (!graph) return;
    this.graph = null;
    this.removeGestureListener?.();
    this.removeGestureListener = null;
    stopTracks(graph.stream);
    graph.source.disconnect();
    graph.capture.port.onmessage = null;
    graph.playback.port.onmessage = null;
    graph.capture.port.close();
    graph.playback.port.close();
    graph.capture.disconnect();
    graph.playback.disconnect();
    graph.analyser.disconnect();
    graph.context.onstatechange = null;
    this.playbackStats = { bufferedMs: 0, underruns: 0, overflows: 0 };
    await graph.context.close().catch(() => {});
    for (const listener of [...this.runningListeners]) listener(false);
  }

  play(samples: Int16Array): void {
    const graph = this.graph;
    if (!graph || samples.length !== LINK_FRAME_SAMPLES) return;
    // A decoded frame owns a buffer of exactly its samples: hand that to the worklet without a copy.
    const whole = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength;
    const buffer = whole && samples.buffer instanceof ArrayBuffer ? samples.buffer : samples.slice().buffer;
    graph.playback.port.postMessage(buffer, [buffer]);
  }

  clearPlayback(): void {
    const command: PlaybackClearCommand = { type: 'clear' };
    this.graph?.playback.port.postMessage(command);
  }

  onCaptureFrame(listener: (message: ArrayBuffer) => void): () => void {
    this.captureListeners.add(listener);
    return () => this.captureListeners.delete(listener);
  }

  onRunningChange(listener: (running: boolean) => void): () => void {
    this.runningListeners.add(listener);
    return () => this.runningListeners.delete(listener);
  }

  measure(): CallAudioMeasurements {
    const graph = this.graph;
    if (!graph) {
      return {
        running: false,
        contextSampleRate: LINK_SAMPLE_RATE,
        baseLatencyMs: 0,
        outputLatencyMs: 0,
        playbackLevelDbfs: LEVEL_FLOOR_DBFS,
        playbackPeakHz: 0,
        playbackBufferedMs: 0,
        playbackUnderruns: 0,
        playbackOverflows: 0,
      };
    }
    const { context, analyser } = graph;
    analyser.getFloatTimeDomainData(this.timeData);
    analyser.getFloatFrequencyData(this.spectrum);
    return {
      running: context.state === 'running',
      contextSampleRate: context.sampleRate,
      baseLatencyMs: secondsToMs(context.baseLatency),
      outputLatencyMs: secondsToMs(context.outputLatency),
      playbackLevelDbfs: floatLevelDbfs(this.timeData),
      playbackPeakHz: peakFrequency(this.spectrum, context.sampleRate / ANALYSER_FFT_SIZE),
      playbackBufferedMs: this.playbackStats.bufferedMs,
      playbackUnderruns: this.playbackStats.underruns,
      playbackOverflows: this.playbackStats.overflows,
    };
  }

  private buildGraph(context: AudioContext, stream: MediaStream, inputChoice: string | null): Graph {
    const source = context.createMediaStreamSource(stream);
    // channelCount 1 + explicit: the node down-mixes whatever the microphone gives to mono
    const capture = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
    const processorOptions: PlaybackProcessorOptions = {
      targetMs: this.options.playback?.targetMs ?? 50,
      capacityMs: this.options.playback?.capacityMs ?? 120,
    };
    const playback = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions,
    });
    const analyser = context.createAnalyser();
    analyser.fftSize = ANALYSER_FFT_SIZE;
    analyser.smoothingTimeConstant = 0;
    capture.port.onmessage = (event: MessageEvent<unknown>) => {
      if (!(event.data instanceof ArrayBuffer)) return;
      for (const listener of [...this.captureListeners]) listener(event.data);
    };
    playback.port.onmessage = (event: MessageEvent<unknown>) => {
      if (isPlaybackWorkletStats(event.data)) this.playbackStats = event.data;
    };
    source.connect(capture);
    playback.connect(analyser).connect(context.destination);
    return { context, stream, inputChoice, source, capture, playback, analyser };
  }

  /** Follows the context's state; a context held by the autoplay policy is resumed on the next gesture. */
  private watchRunning(context: AudioContext): void {
    const notify = () => {
      if (this.graph?.context !== context) return;
      const running = context.state === 'running';
      if (running) {
        this.removeGestureListener?.();
        this.removeGestureListener = null;
      }
      for (const listener of [...this.runningListeners]) listener(running);
    };
    context.onstatechange = notify;
    if (context.state === 'running') return notify();
    void context.resume().catch(() => {});
    const target = this.options.gestureTarget ?? globalThis.window;
    if (!target) return;
    const resume = () => void context.resume().catch(() => {});
    const events = ['pointerdown', 'keydown'] as const;
    for (const name of events) target.addEventListener(name, resume, { capture: true });
    this.removeGestureListener = () => {
      for (const name of events) target.removeEventListener(name, resume, { capture: true });
    };
  }
}

class EngineFailure extends Error {
  readonly failure: Exclude<RendererAudioFailure, 'none'>;

  constructor(failure: Exclude<RendererAudioFailure, 'none'>, message: string) {
    super(message);
    this.failure = failure;
  }
}

type OpenedMicrophone = { ok: true; stream: MediaStream } | Extract<EngineStartResult, { ok: false }>;

/**
 * The chosen microphone, or the system default when the chosen one is gone (unplugged since it was
 * picked in Settings) — a call should have a microphone rather than none.
 */
async function openMicrophone(
  mediaDevices: Pick<MediaDevices, 'getUserMedia'>,
  deviceId: string | null,
): Promise<OpenedMicrophone> {
  const constraints = (id: string | null): MediaStreamConstraints => ({
    audio: {
      ...(id ? { deviceId: { exact: id } } : {}),
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      channelCount: 1,
    },
    video: false,
  });
  try {
    return { ok: true, stream: await mediaDevices.getUserMedia(constraints(deviceId)) };
  } catch (error) {
    const name = errorName(error);
    if (deviceId && (name === 'OverconstrainedError' || name === 'NotFoundError')) {
      return openMicrophone(mediaDevices, null);
    }
    return failureOf(error);
  }
}

async function selectOutput(context: AudioContext, deviceId: string | null): Promise<void> {
  const sink = context as AudioContext & Partial<SinkSelectable>;
  if (typeof sink.setSinkId !== 'function') return;
  try {
    await sink.setSinkId(deviceId ?? '');
  } catch {
    // The chosen speaker is gone: stay on the default rather than have no sound.
    if (deviceId) await sink.setSinkId('').catch(() => {});
  }
}

function failureOf(error: unknown): Extract<EngineStartResult, { ok: false }> {
  if (error instanceof EngineFailure) return { ok: false, failure: error.failure, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { ok: false, failure: 'permission-denied', message };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { ok: false, failure: 'no-device', message };
    case 'NotReadableError':
    case 'AbortError':
      return { ok: false, failure: 'device-busy', message };
    case 'NotSupportedError':
    case 'TypeError':
      return { ok: false, failure: 'unsupported', message };
    default:
      return { ok: false, failure: 'error', message };
  }
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

function secondsToMs(seconds: number | undefined): number {
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** RMS of float samples in dBFS (a full-scale sine ≈ −3 dBFS). */
export function floatLevelDbfs(samples: Float32Array, floor = LEVEL_FLOOR_DBFS): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  if (sum === 0 || samples.length === 0) return floor;
  return Math.max(floor, 10 * Math.log10(sum / samples.length));
}

/**
 * The strongest frequency of an analyser spectrum (dB per bin), refined by a parabola through the
 * peak bin and its neighbours; 0 when nothing rises above PEAK_FLOOR_DB.
 */
export function peakFrequency(spectrumDb: Float32Array, binHz: number): number {
  let best = -1;
  for (let k = 1; k < spectrumDb.length - 1; k++) {
    const v = spectrumDb[k]!;
    if (v > PEAK_FLOOR_DB && (best < 0 || v > spectrumDb[best]!)) best = k;
  }
  if (best < 0) return 0;
  const a = spectrumDb[best - 1]!;
  const b = spectrumDb[best]!;
  const c = spectrumDb[best + 1]!;
  const denominator = a - 2 * b + c;
  const shift = Number.isFinite(denominator) && denominator !== 0 ? (0.5 * (a - c)) / denominator : 0;
  return (best + Math.max(-0.5, Math.min(0.5, shift))) * binHz;
}
