/**
 * Call audio through the real renderer, independent of calls: Debian's Chromium with a fake microphone
 * playing a 1000 Hz WAV runs the built app against the test host; the test plays the call's part on the
 * main side with a RendererAudioDeviceProvider (a loopback: it reads the port every 20 ms, as a call's
 * media clock does, and writes a 600 Hz tone).
 *
 *  - the microphone reaches the core: what the port reads is the 1000 Hz tone;
 *  - the core's audio plays in the page: the renderer reports (from an AnalyserNode on the playback
 *    worklet's output) a 600 Hz peak at the level written;
 *  - moving the focus between two calls re-routes the one microphone (getUserMedia is called once), the
 *    unfocused call reads silence, and ending the last call stops the tracks and closes the AudioContext;
 *  - a page reload in the middle of a call: the call gets a new port and its audio flows again.
 *
 * Needs `npm run build:renderer` first (`npm run test:e2e` does it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodePhone, type Phone } from '../../src-main/phone/index.ts';
import { NodeClock } from '../../src-main/platform/index.ts';
import { ToneGenerator, dominantFrequency, rmsDbfs } from '../../src-main/media/audio/index.ts';
import { RendererAudioDeviceProvider, type RendererAudioPort } from '../../src-main/media/bridge/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { generateToneWav } from '../interop/support/index.ts';
import { startTestHost, type TestHost } from '../host/server.ts';
import { launchBrowser, type BrowserSession } from './support/browser.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RENDERER_INDEX = path.join(ROOT, 'out/renderer/index.html');
const RATE = 48_000;
const FRAME = 960;

let workDir: string;
let phone: Phone | undefined;
let host: TestHost | undefined;
let session: BrowserSession | undefined;
let provider: RendererAudioDeviceProvider | undefined;
let reconnects: Disposable | undefined;

/** What the page's audio objects did (recorded by an init script, read with page.evaluate). */
interface PageAudioProbe {
  getUserMediaCalls: number;
  liveTracks: number;
  contexts: string[];
}

beforeAll(async () => {
  if (!existsSync(RENDERER_INDEX)) {
    throw new Error(
      `${path.relative(ROOT, RENDERER_INDEX)} is missing: build the renderer first with \`npm run build:renderer\` ` +
        '(`npm run test:e2e` does both).',
    );
  }
  workDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-audio-'));
  const microphone = await generateToneWav({
    path: path.join(workDir, 'microphone-1000hz.wav'),
    hz: 1000,
    seconds: 60,
    sampleRate: RATE,
    amplitude: 0.5,
  });
  phone = createNodePhone({ host: 'test-host', dataDir: path.join(workDir, 'data') });
  host = await startTestHost({ phone });
  const testHost = host;
  const devices = new RendererAudioDeviceProvider({ connect: (offer) => testHost.audio.connect(offer) });
  provider = devices;
  reconnects = host.audio.onPageConnected(() => devices.reconnect());
  session = await launchBrowser({
    allowedOrigins: [new URL(host.url).origin],
    fakeAudioCaptureFile: microphone,
  });
  await session.context.addInitScript(() => {
    const probe = { getUserMediaCalls: 0, streams: [] as MediaStream[], contexts: [] as AudioContext[] };
    (window as unknown as { __audioProbe: typeof probe }).__audioProbe = probe;
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      probe.getUserMediaCalls++;
      const stream = await getUserMedia(constraints);
      probe.streams.push(stream);
      return stream;
    };
    const NativeAudioContext = window.AudioContext;
    window.AudioContext = class extends NativeAudioContext {
      constructor(options?: AudioContextOptions) {
        super(options);
        probe.contexts.push(this);
      }
    };
  });
  await session.page.goto(host.url);
  await session.page
    .locator('[data-testid="phone-connection"][data-state="connected"]')
    .waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  reconnects?.dispose();
  provider?.close();
  await session?.close();
  await host?.close();
  await phone?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function devices(): RendererAudioDeviceProvider {
  if (!provider) throw new Error('no provider');
  return provider;
}

async function probe(): Promise<PageAudioProbe> {
  if (!session) throw new Error('no browser');
  return session.page.evaluate(() => {
    const p = (
      window as unknown as {
        __audioProbe: { getUserMediaCalls: number; streams: MediaStream[]; contexts: AudioContext[] };
      }
    ).__audioProbe;
    return {
      getUserMediaCalls: p.getUserMediaCalls,
      liveTracks: p.streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length,
      contexts: p.contexts.map((c) => c.state),
    };
  });
}

/**
 * A call's media clock in miniature: one read (kept) and one write (a tone, or silence) per 20 ms of
 * real time. Ticks are scheduled against absolute deadlines and a late tick catches up, so the rate is
 * exactly 50 per second however late the timers fire (a plain 20 ms interval runs ~7 % slow in Node).
 */
function loopback(port: RendererAudioPort, playHz: number | null) {
  const captured: Int16Array[] = [];
  const tone =
    playHz === null ? null : new ToneGenerator({ sampleRate: RATE, frequencyHz: playHz, amplitude: 0.5 });
  const clock = new NodeClock();
  const start = clock.monotonic();
  let ticks = 0;
  let timer = clock.setTimer(20, tick);
  function tick(): void {
    while (start + (ticks + 1) * 20 <= clock.monotonic()) {
      ticks++;
      const frame = port.readFrame();
      if (frame) captured.push(frame);
      port.writeFrame(tone?.readFrame() ?? new Int16Array(FRAME));
    }
    timer = clock.setTimer(start + (ticks + 1) * 20 - clock.monotonic(), tick);
  }
  return {
    captured,
    /** The last `frames` frames read, as one signal. */
    last(frames: number): Int16Array {
      const tail = captured.slice(-frames);
      const out = new Int16Array(tail.length * FRAME);
      tail.forEach((f, i) => out.set(f, i * FRAME));
      return out;
    },
    stop: () => timer.cancel(),
  };
}

async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Console errors, page errors, CSP violations and foreign requests seen so far. */
function problems() {
  return session!.problems;
}

describe('call audio through the renderer', () => {
  it('carries the fake microphone to the core and plays the core’s tone in the page', async () => {
    const port = devices().open('e2e-audio-1');
    const loop = loopback(port, 600);
    try {
      await waitUntil(
        'the renderer runs and sends the microphone',
        () => port.renderer?.state === 'running' && port.stats.framesReceived >= 100,
      );
      // two more seconds of steady state, so that the levels and queues describe it
      await sleep(2_000);
      const heard = loop.last(50);
      const report = port.renderer!;
      const stats = port.stats;
      console.log('[audio e2e] renderer report', JSON.stringify(report));
      console.log('[audio e2e] main port', JSON.stringify({ ...stats, capture: { ...stats.capture } }));
      console.log(
        `[audio e2e] microphone at main: ${dominantFrequency(heard, RATE)?.toFixed(1)} Hz, ${rmsDbfs(heard).toFixed(1)} dBFS; ` +
          `capture FIFO ${(stats.capture.smoothedFill / 48).toFixed(1)} ms; playback queue ${report.playbackBufferedMs.toFixed(1)} ms; ` +
          `context base/output latency ${report.baseLatencyMs.toFixed(1)}/${report.outputLatencyMs.toFixed(1)} ms`,
      );

      // ±1 %: while the drift compensator corrects, it stretches the audio by up to 1/120 (8.3 Hz here)
      expect(dominantFrequency(heard, RATE)).toBeGreaterThan(990);
      expect(dominantFrequency(heard, RATE)).toBeLessThan(1010);
      expect(rmsDbfs(heard)).toBeGreaterThan(-40);
      expect(report).toMatchObject({ state: 'running', failure: 'none', contextSampleRate: RATE });
      expect(report.playbackPeakHz).toBeGreaterThan(590);
      expect(report.playbackPeakHz).toBeLessThan(610);
      // a 0.5-amplitude sine is −9 dBFS
      expect(report.playbackLevelDbfs).toBeGreaterThan(-12);
      expect(report.playbackLevelDbfs).toBeLessThan(-6);
      expect(report.capturedFrames).toBeGreaterThan(100);
      expect(stats.rejectedMessages).toBe(0);
    } finally {
      loop.stop();
      port.close();
    }
    await waitUntil('the page stops the microphone and closes its context', async () => {
      const p = await probe();
      return p.liveTracks === 0 && p.contexts.every((state) => state === 'closed');
    });
    expect(problems()).toEqual([]);
  });

  it('moves the one microphone between two calls without reopening it, and stops when the last ends', async () => {
    const before = await probe();
    const first = devices().open('e2e-audio-a');
    const second = devices().open('e2e-audio-b');
    const a = loopback(first, null);
    const b = loopback(second, null);
    try {
      expect(devices().focused).toBe('e2e-audio-a');
      await waitUntil('call a hears the microphone', () => first.stats.framesReceived >= 50);
      await sleep(300);
      expect(dominantFrequency(a.last(10), RATE)).toBeGreaterThan(990);
      expect(rmsDbfs(b.last(10))).toBe(-Infinity);

      devices().focus('e2e-audio-b');
      await waitUntil('call b hears the microphone', () => second.stats.framesReceived >= 50);
      await sleep(300);
      expect(dominantFrequency(b.last(10), RATE)).toBeGreaterThan(990);
      expect(rmsDbfs(a.last(10))).toBe(-Infinity);

      const during = await probe();
      expect(during.getUserMediaCalls - before.getUserMediaCalls).toBe(1);
      expect(during.liveTracks).toBe(1);
      expect(during.contexts.filter((state) => state === 'running')).toHaveLength(1);
    } finally {
      a.stop();
      b.stop();
      second.close();
    }
    // one call left: the device stays open for it
    await sleep(300);
    expect((await probe()).liveTracks).toBe(1);
    first.close();
    await waitUntil('the page stops the microphone and closes its context', async () => {
      const p = await probe();
      return p.liveTracks === 0 && p.contexts.every((state) => state === 'closed');
    });
    expect(problems()).toEqual([]);
  });

  it('gives an open call a new port when the page reloads, and the microphone flows again', async () => {
    // the previous test chose the focus explicitly, so this call is given it explicitly too
    devices().focus('e2e-audio-reload');
    const port = devices().open('e2e-audio-reload');
    const loop = loopback(port, 600);
    try {
      await waitUntil('the microphone flows', () => port.stats.framesReceived >= 50);
      await session!.page.reload();
      await session!.page
        .locator('[data-testid="phone-connection"][data-state="connected"]')
        .waitFor({ timeout: 15_000 });
      const before = port.stats.framesReceived;

      await waitUntil(
        'the microphone flows after the reload',
        () => port.attached && port.stats.framesReceived >= before + 50,
      );
      await sleep(300);
      expect(dominantFrequency(loop.last(10), RATE)).toBeGreaterThan(990);
      expect(port.renderer?.playbackPeakHz).toBeGreaterThan(590);
      expect(port.closed).toBe(false);
    } finally {
      loop.stop();
      port.close();
    }
    expect(problems()).toEqual([]);
  });
});
