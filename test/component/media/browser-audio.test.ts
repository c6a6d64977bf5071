import { describe, expect, it } from 'vitest';
import {
  createBrowserAudio,
  levelOfSamples,
  microphoneConstraints,
} from '../../../src-renderer/src/media/index.ts';

describe('levelOfSamples', () => {
  it('maps the RMS level from −60…0 dBFS onto 0…1', () => {
    expect(levelOfSamples(new Float32Array(128))).toBe(0);
    expect(levelOfSamples(new Float32Array(128).fill(1))).toBe(1);
    expect(levelOfSamples(new Float32Array(128).fill(0.001))).toBeCloseTo(0, 6);
    expect(levelOfSamples(new Float32Array(128).fill(0.1))).toBeCloseTo(2 / 3, 6);
    expect(levelOfSamples([])).toBe(0);
  });
});

describe('microphoneConstraints', () => {
  it('asks for the processing calls use, on the chosen device', () => {
    expect(microphoneConstraints(null)).toEqual({
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    });
    expect(microphoneConstraints('mic-1')).toEqual({
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      deviceId: { exact: 'mic-1' },
    });
  });
});

/** A window with just enough of mediaDevices, AudioContext and timers for createBrowserAudio. */
function fakeWindow(options: { getUserMediaError?: Error; sink?: boolean } = {}) {
  const log: string[] = [];
  const intervals = new Map<number, () => void>();
  const track = { stop: () => log.push('track.stop') };
  const devices = [
    { deviceId: 'default', kind: 'audioinput', label: 'Default - Mic' },
    { deviceId: 'communications', kind: 'audiooutput', label: 'Communications - Speakers' },
    { deviceId: 'mic-1', kind: 'audioinput', label: 'Mic' },
    { deviceId: 'cam-1', kind: 'videoinput', label: 'Camera' },
    { deviceId: 'spk-1', kind: 'audiooutput', label: 'Speakers' },
    { deviceId: '', kind: 'audioinput', label: '' },
  ];
  class FakeContext {
    currentTime = 0;
    destination = {};
    createAnalyser() {
      return { fftSize: 0, getFloatTimeDomainData: (a: Float32Array) => a.fill(0.1) };
    }
    createMediaStreamSource() {
      return { connect: () => log.push('source.connect') };
    }
    createGain() {
      return { gain: { setValueAtTime: () => {}, linearRampToValueAtTime: () => {} }, connect: () => {} };
    }
    createOscillator() {
      const osc = {
        frequency: { value: 0 },
        onended: null as null | (() => void),
        connect: () => {},
        start: () => {},
        stop: () => queueMicrotask(() => osc.onended?.()),
      };
      return osc;
    }
    resume() {
      return Promise.resolve();
    }
    close() {
      log.push('context.close');
      return Promise.resolve();
    }
  }
  if (options.sink) {
    (FakeContext.prototype as unknown as { setSinkId: (id: string) => Promise<void> }).setSinkId = function (
      id: string,
    ) {
      log.push(`setSinkId ${id}`);
      return Promise.resolve();
    };
  }
  let nextTimer = 1;
  const win = {
    navigator: {
      mediaDevices: {
        enumerateDevices: () => Promise.resolve(devices),
        getUserMedia: (constraints: MediaStreamConstraints) => {
          log.push(`getUserMedia ${JSON.stringify(constraints)}`);
          return options.getUserMediaError
            ? Promise.reject(options.getUserMediaError)
            : Promise.resolve({ getTracks: () => [track] });
        },
        addEventListener: (type: string) => log.push(`add ${type}`),
        removeEventListener: (type: string) => log.push(`remove ${type}`),
      },
    },
    AudioContext: FakeContext,
    setInterval: (fn: () => void) => {
      const id = nextTimer++;
      intervals.set(id, fn);
      return id;
    },
    clearInterval: (id: number) => intervals.delete(id),
  };
  return { win: win as unknown as Window, log, intervals };
}

describe('createBrowserAudio', () => {
  it('lists audio devices without the pseudo devices that "System default" stands for', async () => {
    const { win, log } = fakeWindow();
    const audio = createBrowserAudio(win);
    expect(await audio.listDevices()).toEqual([
      { id: 'mic-1', kind: 'audioinput', label: 'Mic' },
      { id: 'spk-1', kind: 'audiooutput', label: 'Speakers' },
    ]);
    const off = audio.onDevicesChanged(() => {});
    off();
    expect(log).toEqual(['add devicechange', 'remove devicechange']);
    expect(audio.canChooseOutput).toBe(false);
  });

  it('asks for microphone access and releases the microphone at once', async () => {
    const { win, log } = fakeWindow();
    expect(await createBrowserAudio(win).requestMicrophoneAccess()).toBe('granted');
    expect(log).toEqual(['getUserMedia {"audio":true}', 'track.stop']);
    const denied = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    expect(
      await createBrowserAudio(fakeWindow({ getUserMediaError: denied }).win).requestMicrophoneAccess(),
    ).toBe('denied');
  });

  it('reports the input level until stopped, then stops the track, the timer and the context', async () => {
    const { win, log, intervals } = fakeWindow();
    const levels: number[] = [];
    const opened = await createBrowserAudio(win).monitorInput('mic-1', (l) => levels.push(l));
    expect(opened.ok).toBe(true);
    expect(log[0]).toBe(
      'getUserMedia {"audio":{"echoCancellation":true,"noiseSuppression":true,"autoGainControl":true,"deviceId":{"exact":"mic-1"}}}',
    );
    for (const tick of intervals.values()) tick();
    expect(levels.map((l) => l.toFixed(3))).toEqual(['0.667']);
    if (opened.ok) {
      opened.monitor.stop();
      opened.monitor.stop();
    }
    expect(intervals.size).toBe(0);
    expect(log.filter((l) => l === 'track.stop' || l === 'context.close')).toEqual([
      'track.stop',
      'context.close',
    ]);
  });

  it('says why the microphone could not be opened', async () => {
    const missing = Object.assign(new Error('Requested device not found'), { name: 'NotFoundError' });
    expect(
      await createBrowserAudio(fakeWindow({ getUserMediaError: missing }).win).monitorInput('gone', () => {}),
    ).toEqual({
      ok: false,
      reason: 'not-found',
      message: 'Requested device not found',
    });
  });

  it('plays the test sound on the chosen output where the browser can choose it', async () => {
    const withSink = fakeWindow({ sink: true });
    const audio = createBrowserAudio(withSink.win);
    expect(audio.canChooseOutput).toBe(true);
    expect(await audio.playTestTone('spk-1')).toEqual({ ok: true, onChosenDevice: true });
    expect(withSink.log).toEqual(['setSinkId spk-1', 'context.close']);
    const without = fakeWindow();
    expect(await createBrowserAudio(without.win).playTestTone('spk-1')).toEqual({
      ok: true,
      onChosenDevice: false,
    });
    expect(await createBrowserAudio(without.win).playTestTone(null)).toEqual({
      ok: true,
      onChosenDevice: true,
    });
  });
});
