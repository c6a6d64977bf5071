/**
 * CallAudioController with a scripted engine: which ports it accepts, the one engine shared by all
 * calls (started once, stopped with the last call), routing of microphone and speaker to the routed
 * call, devices from Settings or the call, failures and reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CallAudioController,
  type AnnouncementWindow,
  type AudioDeviceChoice,
  type CallAudioEngine,
  type CallAudioMeasurements,
  type CallAudioStatus,
  type EngineStartResult,
} from '../../../src-renderer/src/audio/index.ts';
import {
  AUDIO_PORT_WINDOW_MESSAGE,
  createFrameMessage,
  decodeAudioLinkMessage,
  encodeAudioLinkMessage,
} from '../../../src-shared/audio/index.ts';
import type { AudioLinkMessage, RendererAudioReport } from '../../../src-shared/audio/index.ts';

const ORIGIN = 'app://softphone';

class ScriptedEngine implements CallAudioEngine {
  readonly log: string[] = [];
  readonly played: number[] = [];
  startResult: EngineStartResult = { ok: true };
  running = true;
  private captureListener: ((message: ArrayBuffer) => void) | null = null;
  private runningListener: ((running: boolean) => void) | null = null;

  async start(devices: AudioDeviceChoice): Promise<EngineStartResult> {
    this.log.push(`start ${devices.inputDeviceId}/${devices.outputDeviceId}`);
    return this.startResult;
  }
  async setDevices(devices: AudioDeviceChoice): Promise<EngineStartResult> {
    this.log.push(`devices ${devices.inputDeviceId}/${devices.outputDeviceId}`);
    return { ok: true };
  }
  async stop(): Promise<void> {
    this.log.push('stop');
  }
  play(samples: Int16Array): void {
    this.played.push(samples[0]!);
  }
  clearPlayback(): void {
    this.log.push('clear');
  }
  onCaptureFrame(listener: (message: ArrayBuffer) => void): () => void {
    this.captureListener = listener;
    return () => (this.captureListener = null);
  }
  onRunningChange(listener: (running: boolean) => void): () => void {
    this.runningListener = listener;
    return () => (this.runningListener = null);
  }
  measure(): CallAudioMeasurements {
    return {
      running: this.running,
      contextSampleRate: 48_000,
      baseLatencyMs: 10,
      outputLatencyMs: 30,
      playbackLevelDbfs: -9,
      playbackPeakHz: 600,
      playbackBufferedMs: 50,
      playbackUnderruns: 1,
      playbackOverflows: 2,
    };
  }
  /** The microphone produces one frame of constant `value`. */
  capture(value: number): void {
    const { buffer, samples } = createFrameMessage();
    samples.fill(value);
    this.captureListener?.(buffer);
  }
  setRunning(running: boolean): void {
    this.running = running;
    this.runningListener?.(running);
  }
  get listening(): boolean {
    return this.captureListener !== null || this.runningListener !== null;
  }
}

/** The page's end of a call's MessagePort. */
class PagePort {
  readonly posted: AudioLinkMessage[] = [];
  onmessage: ((event: MessageEvent<unknown>) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  closed = false;
  postMessage(data: unknown): void {
    const decoded = decodeAudioLinkMessage(data);
    if (!decoded.ok) throw new Error(`the page posted a malformed message: ${decoded.error}`);
    this.posted.push(decoded.message);
  }
  close(): void {
    this.closed = true;
  }
  /** Main sends a message on this call's link. */
  receive(message: AudioLinkMessage | unknown): void {
    const data =
      typeof message === 'object' && message !== null && 'kind' in message
        ? encodeAudioLinkMessage(message as AudioLinkMessage)
        : message;
    this.onmessage?.({ data } as MessageEvent<unknown>);
  }
  get frames(): number[] {
    return this.posted.flatMap((m) => (m.kind === 'frame' ? [m.samples[0]!] : []));
  }
  get reports(): RendererAudioReport[] {
    return this.posted.flatMap((m) => (m.kind === 'report' ? [m.report] : []));
  }
}

class PageWindow implements AnnouncementWindow {
  readonly location = { origin: ORIGIN };
  private listeners: ((event: MessageEvent) => void)[] = [];
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.push(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
  get listenerCount(): number {
    return this.listeners.length;
  }
  dispatch(event: { source: unknown; origin: string; data: unknown; ports: PagePort[] }): void {
    for (const l of [...this.listeners]) l(event as unknown as MessageEvent);
  }
  /** What the preload does: a port announced from this window, for our origin. */
  announce(
    callId: string,
    devices: { inputDeviceId?: string | null; outputDeviceId?: string | null } = {},
  ): PagePort {
    const port = new PagePort();
    this.dispatch({
      source: this,
      origin: ORIGIN,
      data: { type: AUDIO_PORT_WINDOW_MESSAGE, callId, ...devices },
      ports: [port],
    });
    return port;
  }
}

class ManualTimers {
  private next = 1;
  readonly active = new Map<number, () => void>();
  setInterval(fn: () => void): number {
    const id = this.next++;
    this.active.set(id, fn);
    return id;
  }
  clearInterval(id: number): void {
    this.active.delete(id);
  }
  fire(): void {
    for (const fn of [...this.active.values()]) fn();
  }
}

let controller: CallAudioController | undefined;
afterEach(async () => {
  await controller?.dispose();
  controller = undefined;
});

function setup(
  settings: AudioDeviceChoice = { inputDeviceId: null, outputDeviceId: null },
  /** What the engines' start() answer, in order (then ok). */
  startResults: EngineStartResult[] = [],
) {
  const page = new PageWindow();
  const engines: ScriptedEngine[] = [];
  const timers = new ManualTimers();
  const devices = { current: settings, listener: null as ((d: AudioDeviceChoice) => void) | null };
  const statuses: CallAudioStatus[] = [];
  controller = new CallAudioController({
    window: page,
    createEngine: () => {
      const engine = new ScriptedEngine();
      engine.startResult = startResults.shift() ?? { ok: true };
      engines.push(engine);
      return engine;
    },
    devices: async () => devices.current,
    onDevicesChanged: (listener) => {
      devices.listener = listener;
      return () => (devices.listener = null);
    },
    timers,
  });
  controller.onStatus((s) => statuses.push(s));
  controller.start();
  const c = controller;
  return { page, engines, timers, devices, statuses, controller: c, settled: () => c.settled() };
}

describe('CallAudioController', () => {
  it('accepts a port only from this window itself, for our origin, one port at a time', async () => {
    const { page, controller, settled } = setup();
    const port = new PagePort();
    const announcement = { type: AUDIO_PORT_WINDOW_MESSAGE, callId: 'c1' };
    page.dispatch({ source: {}, origin: ORIGIN, data: announcement, ports: [port] });
    page.dispatch({ source: page, origin: 'https://evil.example', data: announcement, ports: [port] });
    page.dispatch({ source: page, origin: ORIGIN, data: { type: 'other', callId: 'c1' }, ports: [port] });
    page.dispatch({ source: page, origin: ORIGIN, data: { ...announcement, callId: '' }, ports: [port] });
    expect(controller.calls).toEqual([]);
    const extra = new PagePort();
    page.dispatch({ source: page, origin: ORIGIN, data: announcement, ports: [port, extra] });
    expect(controller.calls).toEqual([]);
    expect([port.closed, extra.closed]).toEqual([true, true]);

    page.announce('c1');
    await settled();
    expect(controller.calls).toEqual(['c1']);
  });

  it('runs one engine for all calls, sends the microphone to the routed call and plays only its frames', async () => {
    const { page, engines, controller, settled } = setup();
    const a = page.announce('a');
    const b = page.announce('b');
    await settled();
    expect(engines).toHaveLength(1);
    const engine = engines[0]!;
    expect(engine.log).toEqual(['start null/null']);
    expect(controller.status).toEqual({ state: 'running', routedCallId: null, suspended: false });

    // nobody routed: the microphone goes nowhere
    engine.capture(1);
    expect([a.frames, b.frames]).toEqual([[], []]);

    a.receive({ kind: 'route', routed: true });
    b.receive({ kind: 'route', routed: false });
    engine.capture(2);
    a.receive({ kind: 'frame', samples: new Int16Array(960).fill(20) });
    b.receive({ kind: 'frame', samples: new Int16Array(960).fill(30) });
    expect(a.frames).toEqual([2]);
    expect(b.frames).toEqual([]);
    expect(engine.played).toEqual([20]);

    // the focus moves (the two routes may arrive in either order): no new engine, the queue is cleared
    b.receive({ kind: 'route', routed: true });
    a.receive({ kind: 'route', routed: false });
    await settled();
    engine.capture(3);
    a.receive({ kind: 'frame', samples: new Int16Array(960).fill(21) });
    b.receive({ kind: 'frame', samples: new Int16Array(960).fill(31) });
    expect(a.frames).toEqual([2]);
    expect(b.frames).toEqual([3]);
    expect(engine.played).toEqual([20, 31]);
    expect(engines).toHaveLength(1);
    expect(engine.log).toEqual(['start null/null', 'clear', 'clear']);
    expect(controller.status).toEqual({ state: 'running', routedCallId: 'b', suspended: false });
  });

  it('stops the engine when the last call’s audio ends, and starts a new one for the next call', async () => {
    const { page, engines, controller, statuses, settled } = setup();
    const a = page.announce('a');
    const b = page.announce('b');
    await settled();
    a.receive({ kind: 'end' });
    await settled();
    expect(a.closed).toBe(true);
    expect(engines[0]!.log).toEqual(['start null/null']);
    b.receive({ kind: 'end' });
    await settled();
    expect(engines[0]!.log).toEqual(['start null/null', 'stop']);
    expect(engines[0]!.listening).toBe(false);
    expect(controller.status).toEqual({ state: 'idle' });
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'running', 'idle']);

    page.announce('c');
    await settled();
    expect(engines).toHaveLength(2);
    expect(controller.status.state).toBe('running');
  });

  it('uses the devices from Settings, or the routed call’s own, and follows changes', async () => {
    const { page, engines, devices, settled } = setup({
      inputDeviceId: 'desk-mic',
      outputDeviceId: 'speakers',
    });
    const a = page.announce('a');
    const b = page.announce('b', { inputDeviceId: 'headset-mic' });
    await settled();
    const engine = engines[0]!;
    a.receive({ kind: 'route', routed: true });
    await settled();
    b.receive({ kind: 'route', routed: true });
    a.receive({ kind: 'route', routed: false });
    await settled();
    devices.listener!({ inputDeviceId: 'desk-mic', outputDeviceId: 'speakers' }); // no change
    devices.listener!({ inputDeviceId: 'other-mic', outputDeviceId: 'monitor' });
    await settled();
    b.receive({ kind: 'end' });
    await settled();
    a.receive({ kind: 'end' });
    await settled();
    expect(engine.log).toEqual([
      'start desk-mic/speakers',
      'clear', // a routed
      'clear', // b routed, with its own microphone
      'devices headset-mic/speakers',
      'devices headset-mic/monitor', // Settings changed the speaker; b keeps its microphone
      'clear', // b ended: nobody routed, Settings' devices again
      'devices other-mic/monitor',
      'stop',
    ]);
  });

  it('reports a failure to every call, and tries again for a new call or new devices', async () => {
    const denied: EngineStartResult = {
      ok: false,
      failure: 'permission-denied',
      message: 'Permission denied',
    };
    const busy: EngineStartResult = {
      ok: false,
      failure: 'device-busy',
      message: 'Could not start audio source',
    };
    const { page, engines, devices, controller, settled } = setup(undefined, [denied, busy]);
    const a = page.announce('a');
    const b = page.announce('b');
    await settled();
    expect(controller.status).toEqual({
      state: 'failed',
      failure: 'permission-denied',
      message: 'Permission denied',
    });
    expect(a.reports.at(-1)).toMatchObject({ state: 'failed', failure: 'permission-denied' });
    expect(b.reports.at(-1)).toMatchObject({ state: 'failed', failure: 'permission-denied' });
    // b's arrival was part of the same attempt: one engine so far
    expect(engines).toHaveLength(1);

    page.announce('c');
    await settled();
    expect(controller.status).toMatchObject({ state: 'failed', failure: 'device-busy' });

    devices.listener!({ inputDeviceId: 'usb-mic', outputDeviceId: null });
    await settled();
    expect(engines.map((e) => e.log)).toEqual([
      ['start null/null', 'stop'],
      ['start null/null', 'stop'],
      ['start usb-mic/null'],
    ]);
    expect(controller.status.state).toBe('running');
  });

  it('reports levels, latency and queue health twice a second while running', async () => {
    const { page, engines, timers, controller, settled } = setup();
    const a = page.announce('a');
    await settled();
    expect(timers.active.size).toBe(1);
    a.receive({ kind: 'route', routed: true });
    const engine = engines[0]!;
    engine.capture(16384);
    engine.capture(16384);
    timers.fire();
    expect(a.reports.at(-1)).toEqual({
      state: 'running',
      failure: 'none',
      contextSampleRate: 48_000,
      baseLatencyMs: 10,
      outputLatencyMs: 30,
      capturedFrames: 2,
      captureLevelDbfs: expect.closeTo(-6.0206, 3),
      playbackLevelDbfs: -9,
      playbackPeakHz: 600,
      playbackBufferedMs: 50,
      playbackUnderruns: 1,
      playbackOverflows: 2,
    });
    expect(controller.levels()).toEqual({ microphoneDbfs: expect.closeTo(-6.0206, 3), speakerDbfs: -9 });

    // held by the autoplay policy: reported as starting, shown as suspended
    engine.setRunning(false);
    expect(a.reports.at(-1)!.state).toBe('starting');
    expect(controller.status).toEqual({ state: 'running', routedCallId: 'a', suspended: true });

    a.receive({ kind: 'end' });
    await settled();
    expect(timers.active.size).toBe(0);
  });

  it('drops malformed messages from main, and lets go of everything on dispose', async () => {
    const { page, engines, controller, settled } = setup();
    const a = page.announce('a');
    await settled();
    a.receive('garbage');
    a.receive(new ArrayBuffer(3));
    a.receive({ kind: 'report', report: a.reports[0]! });
    expect(controller.rejectedMessages).toBe(3);

    await controller.dispose();
    expect(a.closed).toBe(true);
    expect(a.onmessage).toBeNull();
    expect(engines[0]!.log).toEqual(['start null/null', 'stop']);
    expect(page.listenerCount).toBe(0);
    page.announce('late');
    expect(controller.calls).toEqual([]);
  });
});
