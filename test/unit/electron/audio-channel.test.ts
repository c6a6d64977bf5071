/**
 * Call audio between main and our window with a mocked Electron: a MessageChannelMain per call, port2
 * posted to our window only (and only while it shows our page), port1 the call's link (ended and
 * closed with the call), new ports after a page reload, the focus following the calls; and the preload,
 * which hands exactly a valid offer's port to the page and nothing else.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessagePortMain, WebContents } from 'electron';
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import {
  AUDIO_PORT_IPC_CHANNEL,
  AUDIO_PORT_WINDOW_MESSAGE,
  decodeAudioLinkMessage,
} from '../../../src-shared/audio/index.ts';
import {
  ElectronAudioChannels,
  createRendererAudioDevices,
  useRendererAudio,
} from '../../../src-main/electron/audio-channel.ts';
import type { Phone } from '../../../src-main/phone/index.ts';

// The preload's view of Electron (only the preload imports it at run time; the rest uses types).
const electron = vi.hoisted(() => ({ exposeInMainWorld: vi.fn(), on: vi.fn() }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electron.exposeInMainWorld },
  ipcRenderer: { on: electron.on, invoke: vi.fn(), removeListener: vi.fn() },
}));

class FakePort extends EventEmitter {
  readonly posted: unknown[] = [];
  started = 0;
  closed = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  start(): void {
    this.started++;
  }
  close(): void {
    this.closed++;
  }
  /** Kinds of the link messages posted on this port. */
  get postedKinds(): string[] {
    return this.posted.map((m) => {
      const decoded = decodeAudioLinkMessage(m);
      return decoded.ok ? decoded.message.kind : 'invalid';
    });
  }
}

class FakeContents extends EventEmitter {
  url = 'app://softphone/index.html';
  destroyed = false;
  readonly postMessage = vi.fn();
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

function setup(options: { contents?: FakeContents | undefined; devServerUrl?: string } = {}) {
  const channels: { port1: FakePort; port2: FakePort }[] = [];
  const contents = 'contents' in options ? options.contents : new FakeContents();
  const warnings: string[] = [];
  const createChannel = () => {
    const channel = { port1: new FakePort(), port2: new FakePort() };
    channels.push(channel);
    return channel as unknown as { port1: MessagePortMain; port2: MessagePortMain };
  };
  const common = {
    createChannel,
    trustedContents: () => contents as unknown as WebContents | undefined,
    warn: (m: string) => warnings.push(m),
    ...(options.devServerUrl ? { devServerUrl: options.devServerUrl } : {}),
  };
  return { channels, contents, warnings, common };
}

describe('ElectronAudioChannels', () => {
  it('sends port2 of a new channel to our window with the offer, and makes port1 the call’s link', () => {
    const { channels, contents, common } = setup();
    const audio = new ElectronAudioChannels(common);
    const link = audio.connect({ callId: 'call-1', inputDeviceId: 'headset' });

    expect(channels).toHaveLength(1);
    const { port1, port2 } = channels[0]!;
    expect(contents!.postMessage).toHaveBeenCalledTimes(1);
    expect(contents!.postMessage).toHaveBeenCalledWith(
      AUDIO_PORT_IPC_CHANNEL,
      { callId: 'call-1', inputDeviceId: 'headset' },
      [port2],
    );
    expect(port1.started).toBe(1);
    link.send({ kind: 'route', routed: true });
    expect(port1.postedKinds).toEqual(['route']);
    expect(port2.closed).toBe(0);
  });

  it('accepts the dev server’s page as ours in development', () => {
    const contents = new FakeContents();
    contents.url = 'http://localhost:5173/';
    const { common } = setup({ contents, devServerUrl: 'http://localhost:5173' });
    new ElectronAudioChannels(common).connect({ callId: 'c' });
    expect(contents.postMessage).toHaveBeenCalledTimes(1);
  });

  it('never sends a port to a window that does not show our page, or to no window', () => {
    const foreign = new FakeContents();
    foreign.url = 'https://evil.example/';
    const one = setup({ contents: foreign });
    const link = new ElectronAudioChannels(one.common).connect({ callId: 'c' });
    expect(foreign.postMessage).not.toHaveBeenCalled();
    expect(one.channels[0]!.port2.closed).toBe(1);
    expect(one.channels[0]!.port1.closed).toBe(1);
    expect(link.closed).toBe(true);
    expect(one.warnings).toEqual(['the window does not show our page; call c has no audio device']);

    const destroyed = new FakeContents();
    destroyed.destroyed = true;
    for (const contents of [undefined, destroyed]) {
      const none = setup({ contents });
      expect(new ElectronAudioChannels(none.common).connect({ callId: 'c' }).closed).toBe(true);
      expect(none.channels[0]!.port2.closed).toBe(1);
      expect(destroyed.postMessage).not.toHaveBeenCalled();
      expect(none.warnings).toEqual(['no window for the audio of call c']);
    }
  });

  it('ends and closes the call’s port when the call’s audio closes', () => {
    const { channels, common } = setup();
    const devices = createRendererAudioDevices(common);
    const port = devices.open('call-1', {});
    const { port1 } = channels[0]!;
    expect(port1.postedKinds).toEqual(['route']);
    port.close();
    expect(port1.postedKinds).toEqual(['route', 'end']);
    expect(port1.closed).toBe(1);
    expect(port1.listenerCount('message') + port1.listenerCount('close')).toBe(0);
  });

  it('gives open calls new ports when our page reloads', () => {
    const { channels, contents, common } = setup();
    const devices = createRendererAudioDevices(common);
    devices.open('a', {});
    devices.open('b', { outputDeviceId: 'speakers' });
    // the reload: the page's ports go away, then our page has loaded again
    for (const { port1 } of channels) port1.emit('close');
    contents!.emit('did-finish-load');
    expect(channels).toHaveLength(4);
    expect(contents!.postMessage.mock.calls.map((call) => call[1])).toEqual([
      { callId: 'a' },
      { callId: 'b', outputDeviceId: 'speakers' },
      { callId: 'a' },
      { callId: 'b', outputDeviceId: 'speakers' },
    ]);
    expect(contents!.listenerCount('did-finish-load')).toBe(1);
    devices.close();
    expect(channels.slice(2).map(({ port1 }) => port1.closed)).toEqual([1, 1]);
  });

  it('plugs the devices into the phone and moves the focus with the calls', () => {
    const { channels, common } = setup();
    const devices = createRendererAudioDevices(common);
    const events = new Emitter<PhoneEvent>();
    const useAudio = vi.fn();
    const phone = { calls: { useAudio }, events } as unknown as Phone;
    const following = useRendererAudio(phone, devices);
    expect(useAudio).toHaveBeenCalledWith(devices);

    const changed = (id: string, state: string) =>
      events.emit({ name: 'calls.changed', payload: { id, state } } as unknown as PhoneEvent);
    devices.open('a', {});
    devices.open('b', {});
    changed('a', 'active');
    changed('b', 'active');
    expect(devices.focused).toBe('b');
    const routes = (i: number) =>
      channels[i]!.port1.posted.map((m) => {
        const decoded = decodeAudioLinkMessage(m);
        return decoded.ok && decoded.message.kind === 'route' ? decoded.message.routed : null;
      });
    expect(routes(0)).toEqual([true, false]);
    expect(routes(1)).toEqual([false, true]);
    following.dispose();
    expect(events.listenerCount).toBe(0);
  });
});

describe('preload', () => {
  const page = { location: { origin: 'app://softphone' }, postMessage: vi.fn() };
  let saved: PropertyDescriptor | undefined;

  beforeEach(() => {
    saved = Object.getOwnPropertyDescriptor(globalThis, 'location');
    Object.defineProperty(globalThis, 'location', { value: page.location, configurable: true });
    vi.stubGlobal('postMessage', page.postMessage);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    if (saved) Object.defineProperty(globalThis, 'location', saved);
    else delete (globalThis as { location?: unknown }).location;
  });

  type AudioPortHandler = (event: { ports: { close(): void }[] }, message: unknown) => void;
  let registered: { exposed: unknown[][]; channels: unknown[]; handler: AudioPortHandler } | undefined;

  /** Loads the preload once (a module runs once) and keeps what it registered. */
  async function loadPreload() {
    if (!registered) {
      await import('../../../src-main/electron/preload.ts');
      const registration = electron.on.mock.calls.find((call) => call[0] === AUDIO_PORT_IPC_CHANNEL);
      if (!registration) throw new Error('the preload does not listen for audio ports');
      registered = {
        exposed: electron.exposeInMainWorld.mock.calls.map((call) => [...call]),
        channels: electron.on.mock.calls.map((call) => call[0]),
        handler: registration[1] as AudioPortHandler,
      };
    }
    return registered;
  }

  async function audioHandler(): Promise<AudioPortHandler> {
    return (await loadPreload()).handler;
  }

  it('exposes only the phone API and listens to one IPC channel of its own', async () => {
    const { exposed, channels } = await loadPreload();
    expect(exposed.map((call) => call[0])).toEqual(['softphone']);
    expect(channels).toEqual([AUDIO_PORT_IPC_CHANNEL]);
  });

  it('hands the port of a valid offer to the page, from and for our origin', async () => {
    const handle = await audioHandler();
    const port = { close: vi.fn() };
    handle({ ports: [port] }, { callId: 'call-1', inputDeviceId: null, injected: '<script>' });
    expect(page.postMessage).toHaveBeenCalledWith(
      { type: AUDIO_PORT_WINDOW_MESSAGE, callId: 'call-1', inputDeviceId: null },
      'app://softphone',
      [port],
    );
    expect(port.close).not.toHaveBeenCalled();
  });

  it('closes the ports of anything else and tells the page nothing', async () => {
    const handle = await audioHandler();
    page.postMessage.mockClear();
    const a = { close: vi.fn() };
    const b = { close: vi.fn() };
    handle({ ports: [a, b] }, { callId: 'call-1' });
    handle({ ports: [a] }, { callId: '' });
    handle({ ports: [] }, { callId: 'call-1' });
    expect(page.postMessage).not.toHaveBeenCalled();
    expect(a.close).toHaveBeenCalledTimes(2);
    expect(b.close).toHaveBeenCalledTimes(1);
  });
});
