/**
 * `CallAudioController`: the page's side of call audio. Plain TypeScript (no Pinia, no Vue), started once
 * by main.ts; the call UI reads its `status` (and `levels()` for meters).
 *
 * Ports arrive as window messages `{ type: 'softphone:audio-port', callId }` with one MessagePort — from
 * the preload in Electron, from the test host's bridge in the e2e tests — and are accepted only when the
 * message comes from this window itself (`event.source === window`) and from our own origin. Each port is
 * one call's link (src-shared/audio): main routes at most one call to the device, and this controller
 *
 *  - sends microphone frames to the routed call's port only, and plays only that call's frames
 *    (the playback queue is cleared when the route moves, so one call's tail never plays into another);
 *  - keeps the engine (microphone + AudioContext) running while any call's port is alive — switching
 *    calls never reopens the microphone — and stops it (tracks stopped, context closed) when the last
 *    call's `end` arrives;
 *  - reports the device side (state, levels, latency, queue health) to every call twice a second;
 *  - uses the devices chosen in Settings, or the routed call's own choice where it made one (a call
 *    dialled or answered "on the headset"); switching to a call with other devices switches them.
 *
 * Engine life (one operation at a time, in order):
 *
 *     idle ──first port──▶ starting ──ok──▶ running ──last port ends──▶ idle
 *                              └──fails──▶ failed ──a new call, or the devices change──▶ starting
 *                                            └──last port ends──▶ idle
 */
import {
  LINK_FRAME_SAMPLES,
  LINK_HEADER_BYTES,
  LINK_SAMPLE_RATE,
  decodeAudioLinkMessage,
  encodeAudioLinkMessage,
  isAudioPortAnnouncement,
} from '../../../src-shared/audio/index.ts';
import type {
  AudioPortAnnouncement,
  RendererAudioFailure,
  RendererAudioReport,
} from '../../../src-shared/audio/index.ts';
import type { AudioDeviceChoice, CallAudioEngine } from './call-audio-engine.ts';
import { int16LevelDbfs } from './pcm.ts';

export type CallAudioStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'starting' }
  | { readonly state: 'running'; readonly routedCallId: string | null; readonly suspended: boolean }
  | {
      readonly state: 'failed';
      readonly failure: Exclude<RendererAudioFailure, 'none'>;
      readonly message: string;
    };

/** The window the ports are announced on (the page's `window`; a stand-in in tests). */
export interface AnnouncementWindow {
  readonly location: { readonly origin: string };
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface ReportTimers {
  setInterval(fn: () => void, ms: number): number;
  clearInterval(id: number): void;
}

export interface CallAudioControllerOptions {
  window: AnnouncementWindow;
  createEngine(): CallAudioEngine;
  /** The devices chosen in Settings. */
  devices(): Promise<AudioDeviceChoice>;
  /** Settings changes (may repeat the current devices; those are ignored); returns the unsubscribe function. */
  onDevicesChanged?(listener: (devices: AudioDeviceChoice) => void): () => void;
  timers?: ReportTimers;
  /** Default 500 ms. */
  reportIntervalMs?: number;
}

/** Levels for meters in the call UI, dBFS (−120 = silence). */
export interface CallAudioLevels {
  microphoneDbfs: number;
  speakerDbfs: number;
}

interface CallLink {
  readonly callId: string;
  readonly port: MessagePort;
  /** The call's own device choice (fields absent: as in Settings). */
  readonly devices: { readonly inputDeviceId?: string | null; readonly outputDeviceId?: string | null };
  routed: boolean;
  capturedFrames: number;
}

type EngineState =
  | { kind: 'idle' }
  | { kind: 'starting'; engine: CallAudioEngine }
  | { kind: 'running'; engine: CallAudioEngine; unsubscribe: () => void; running: boolean }
  | {
      kind: 'failed';
      engine: CallAudioEngine;
      failure: Exclude<RendererAudioFailure, 'none'>;
      message: string;
    };

const LEVEL_FLOOR_DBFS = -120;

export class CallAudioController {
  private readonly options: CallAudioControllerOptions;
  private readonly links = new Map<string, CallLink>();
  private routedCallId: string | null = null;
  private engineState: EngineState = { kind: 'idle' };
  private operations: Promise<void> = Promise.resolve();
  /** Start again after a failure (a new call arrived, or the devices changed). */
  private retryWanted = false;
  /** The devices the engine was last started or switched with. */
  private devicesInUse: AudioDeviceChoice | null = null;
  /** The devices chosen in Settings, as last heard. */
  private settingsDevices: AudioDeviceChoice = { inputDeviceId: null, outputDeviceId: null };
  private listening = false;
  private readonly statusListeners = new Set<(status: CallAudioStatus) => void>();
  private reportTimer: number | null = null;
  private stopDevicesWatch: (() => void) | null = null;
  /** Microphone level over the current report interval. */
  private captureEnergy = { sum: 0, count: 0, lastDbfs: LEVEL_FLOOR_DBFS };
  private rejected = 0;
  private readonly onWindowMessage = (event: MessageEvent): void => this.receiveAnnouncement(event);

  constructor(options: CallAudioControllerOptions) {
    this.options = options;
  }

  get status(): CallAudioStatus {
    const state = this.engineState;
    switch (state.kind) {
      case 'idle':
        return { state: 'idle' };
      case 'starting':
        return { state: 'starting' };
      case 'running':
        return { state: 'running', routedCallId: this.routedCallId, suspended: !state.running };
      case 'failed':
        return { state: 'failed', failure: state.failure, message: state.message };
    }
  }

  /** Calls with a live port, in arrival order. */
  get calls(): readonly string[] {
    return [...this.links.keys()];
  }

  /** Messages from main that failed validation and were dropped. */
  get rejectedMessages(): number {
    return this.rejected;
  }

  onStatus(listener: (status: CallAudioStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  levels(): CallAudioLevels {
    const state = this.engineState;
    return {
      microphoneDbfs: this.captureEnergy.lastDbfs,
      speakerDbfs: state.kind === 'running' ? state.engine.measure().playbackLevelDbfs : LEVEL_FLOOR_DBFS,
    };
  }

  /** Starts accepting ports. */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    this.options.window.addEventListener('message', this.onWindowMessage);
    this.stopDevicesWatch =
      this.options.onDevicesChanged?.((devices) => {
        this.settingsDevices = devices;
        this.enqueue(() => this.applyDevices());
      }) ?? null;
  }

  /** Stops accepting ports, lets go of every call and stops the engine; resolves when it is stopped. */
  async dispose(): Promise<void> {
    if (this.listening) {
      this.listening = false;
      this.options.window.removeEventListener('message', this.onWindowMessage);
      this.stopDevicesWatch?.();
      this.stopDevicesWatch = null;
    }
    for (const link of [...this.links.values()]) this.drop(link);
    this.enqueue(() => this.reconcile());
    await this.operations;
  }

  /** Resolves when every engine operation asked for so far has finished (tests, and orderly shutdown). */
  settled(): Promise<void> {
    return this.operations;
  }

  private receiveAnnouncement(event: MessageEvent): void {
    // Only this window itself (its preload, or the test host's bridge script) hands out ports.
    if (
      event.source !== (this.options.window as unknown) ||
      event.origin !== this.options.window.location.origin
    )
      return;
    if (!isAudioPortAnnouncement(event.data)) return;
    const [port, ...extra] = event.ports;
    if (!port || extra.length > 0) {
      for (const p of event.ports) p.close();
      return;
    }
    this.attach(event.data, port);
  }

  private attach(announcement: AudioPortAnnouncement, port: MessagePort): void {
    const { callId, inputDeviceId, outputDeviceId } = announcement;
    const previous = this.links.get(callId);
    if (previous) this.drop(previous);
    const devices = {
      ...(inputDeviceId !== undefined ? { inputDeviceId } : {}),
      ...(outputDeviceId !== undefined ? { outputDeviceId } : {}),
    };
    const link: CallLink = { callId, port, devices, routed: false, capturedFrames: 0 };
    this.links.set(callId, link);
    port.onmessage = (event: MessageEvent<unknown>) => this.receive(link, event.data);
    port.onmessageerror = () => this.rejected++;
    this.retryWanted = true;
    this.enqueue(() => this.reconcile());
    this.sendReport(link);
  }

  private receive(link: CallLink, data: unknown): void {
    if (this.links.get(link.callId) !== link) return;
    const decoded = decodeAudioLinkMessage(data);
    if (!decoded.ok) {
      this.rejected++;
      return;
    }
    const message = decoded.message;
    switch (message.kind) {
      case 'route':
        link.routed = message.routed;
        this.updateRoute(link, message.routed);
        return;
      case 'frame':
        if (this.routedCallId === link.callId && this.engineState.kind === 'running')
          this.engineState.engine.play(message.samples);
        return;
      case 'end':
        this.drop(link);
        this.enqueue(() => this.reconcile());
        return;
      case 'report':
        // renderer → main only
        this.rejected++;
        return;
    }
  }

  private updateRoute(link: CallLink, routed: boolean): void {
    const before = this.routedCallId;
    // Routes of two ports may arrive in either order when main moves the focus: the latest routed wins.
    if (routed) this.routedCallId = link.callId;
    else if (this.routedCallId === link.callId) this.routedCallId = null;
    if (before !== this.routedCallId) {
      if (this.engineState.kind === 'running') this.engineState.engine.clearPlayback();
      this.emitStatus();
      this.enqueue(() => this.applyDevices());
    }
  }

  private drop(link: CallLink): void {
    if (this.links.get(link.callId) !== link) return;
    this.links.delete(link.callId);
    link.port.onmessage = null;
    link.port.onmessageerror = null;
    link.port.close();
    if (this.routedCallId === link.callId) this.updateRoute(link, false);
  }

  private sendCapture(message: ArrayBuffer): void {
    const link = this.routedCallId === null ? undefined : this.links.get(this.routedCallId);
    if (!link) return;
    if (message.byteLength === LINK_HEADER_BYTES + LINK_FRAME_SAMPLES * 2) {
      const samples = new Int16Array(message, LINK_HEADER_BYTES, LINK_FRAME_SAMPLES);
      let sum = 0;
      for (const s of samples) sum += s * s;
      this.captureEnergy.sum += sum;
      this.captureEnergy.count += samples.length;
    }
    // Posted as a copy: Electron drops buffers transferred from a renderer port to main (electron#34905).
    link.port.postMessage(message);
    link.capturedFrames++;
  }

  private enqueue(operation: () => Promise<void> | void): void {
    this.operations = this.operations.then(operation).catch((error: unknown) => {
      console.error('call audio:', error);
    });
  }

  /** Brings the engine to what the ports ask for: running while any call has a port, idle otherwise. */
  private async reconcile(): Promise<void> {
    const wanted = this.links.size > 0;
    const state = this.engineState;
    if (wanted && (state.kind === 'idle' || (state.kind === 'failed' && this.retryWanted))) {
      this.retryWanted = false;
      this.settingsDevices = await this.options.devices();
      await this.startEngine(this.wantedDevices());
    } else if (!wanted && state.kind !== 'idle') {
      await this.stopEngine();
    }
  }

  /** Settings' devices, overridden by the routed call's own choice. */
  private wantedDevices(): AudioDeviceChoice {
    const own = this.routedCallId === null ? undefined : this.links.get(this.routedCallId)?.devices;
    return {
      inputDeviceId:
        own?.inputDeviceId !== undefined ? own.inputDeviceId : this.settingsDevices.inputDeviceId,
      outputDeviceId:
        own?.outputDeviceId !== undefined ? own.outputDeviceId : this.settingsDevices.outputDeviceId,
    };
  }

  private async applyDevices(): Promise<void> {
    const devices = this.wantedDevices();
    const inUse = this.devicesInUse;
    if (
      inUse &&
      inUse.inputDeviceId === devices.inputDeviceId &&
      inUse.outputDeviceId === devices.outputDeviceId
    )
      return;
    const state = this.engineState;
    if (state.kind === 'running') {
      this.devicesInUse = devices;
      const result = await state.engine.setDevices(devices);
      if (!result.ok) this.fail(state.engine, result.failure, result.message);
      return;
    }
    if (state.kind === 'failed' && this.links.size > 0) {
      this.retryWanted = false;
      await this.startEngine(devices);
    }
  }

  private async startEngine(devices: AudioDeviceChoice): Promise<void> {
    const previous = this.engineState;
    if (previous.kind === 'failed') await previous.engine.stop();
    const engine = this.options.createEngine();
    this.devicesInUse = devices;
    this.engineState = { kind: 'starting', engine };
    this.emitStatus();
    const result = await engine.start(devices);
    if (!result.ok) {
      this.fail(engine, result.failure, result.message);
      return;
    }
    const unsubscribeCapture = engine.onCaptureFrame((message) => this.sendCapture(message));
    const unsubscribeRunning = engine.onRunningChange((running) => {
      if (this.engineState.kind === 'running' && this.engineState.engine === engine) {
        this.engineState.running = running;
        this.emitStatus();
        this.sendReports();
      }
    });
    this.engineState = {
      kind: 'running',
      engine,
      running: engine.measure().running,
      unsubscribe: () => {
        unsubscribeCapture();
        unsubscribeRunning();
      },
    };
    this.startReports();
    this.emitStatus();
    this.sendReports();
    // Ports may have gone while the engine started.
    if (this.links.size === 0) await this.stopEngine();
  }

  private fail(
    engine: CallAudioEngine,
    failure: Exclude<RendererAudioFailure, 'none'>,
    message: string,
  ): void {
    const state = this.engineState;
    if (state.kind === 'running') state.unsubscribe();
    this.engineState = { kind: 'failed', engine, failure, message };
    this.stopReports();
    this.emitStatus();
    this.sendReports();
  }

  private async stopEngine(): Promise<void> {
    const state = this.engineState;
    if (state.kind === 'idle') return;
    if (state.kind === 'running') state.unsubscribe();
    this.engineState = { kind: 'idle' };
    this.stopReports();
    this.captureEnergy = { sum: 0, count: 0, lastDbfs: LEVEL_FLOOR_DBFS };
    await state.engine.stop();
    this.emitStatus();
  }

  private startReports(): void {
    if (this.reportTimer !== null) return;
    const timers = this.options.timers ?? globalThis.window;
    this.reportTimer = timers.setInterval(() => this.sendReports(), this.options.reportIntervalMs ?? 500);
  }

  private stopReports(): void {
    if (this.reportTimer === null) return;
    (this.options.timers ?? globalThis.window).clearInterval(this.reportTimer);
    this.reportTimer = null;
  }

  private sendReports(): void {
    const energy = this.captureEnergy;
    energy.lastDbfs = int16LevelDbfs(energy.sum, energy.count, LEVEL_FLOOR_DBFS);
    energy.sum = 0;
    energy.count = 0;
    for (const link of this.links.values()) this.sendReport(link);
  }

  private sendReport(link: CallLink): void {
    const state = this.engineState;
    const measured = state.kind === 'running' ? state.engine.measure() : null;
    const report: RendererAudioReport = {
      state:
        state.kind === 'failed'
          ? 'failed'
          : state.kind === 'running' && measured?.running
            ? 'running'
            : 'starting',
      failure: state.kind === 'failed' ? state.failure : 'none',
      contextSampleRate: measured?.contextSampleRate ?? LINK_SAMPLE_RATE,
      baseLatencyMs: measured?.baseLatencyMs ?? 0,
      outputLatencyMs: measured?.outputLatencyMs ?? 0,
      capturedFrames: link.capturedFrames,
      captureLevelDbfs: this.captureEnergy.lastDbfs,
      playbackLevelDbfs: measured?.playbackLevelDbfs ?? LEVEL_FLOOR_DBFS,
      playbackPeakHz: measured?.playbackPeakHz ?? 0,
      playbackBufferedMs: measured?.playbackBufferedMs ?? 0,
      playbackUnderruns: measured?.playbackUnderruns ?? 0,
      playbackOverflows: measured?.playbackOverflows ?? 0,
    };
    link.port.postMessage(encodeAudioLinkMessage({ kind: 'report', report }));
  }

  private emitStatus(): void {
    const status = this.status;
    for (const listener of [...this.statusListeners]) listener(status);
  }
}
