/**
 * RendererAudioDeviceProvider: one link per call, the device routed to the focused call only, focus
 * moves without new links, reconnect after a page reload, and closing.
 */
import { describe, expect, it } from 'vitest';
import { RendererAudioDeviceProvider } from '../../../../src-main/media/bridge/index.ts';
import type { AudioPort } from '../../../../src-main/media/audio/index.ts';
import { rampFrame, scriptedConnector } from './support.ts';

const SILENCE = new Int16Array(960);

function setup() {
  const connector = scriptedConnector();
  const provider = new RendererAudioDeviceProvider({ connect: (offer) => connector.connect(offer) });
  return { connector, provider };
}

/** The renderer sends two frames, which the next read returns (the FIFO primes at two frames). */
function speak(connector: ReturnType<typeof scriptedConnector>, callId: string, start: number): void {
  connector.linkOf(callId).deliverFrame(rampFrame(start));
  connector.linkOf(callId).deliverFrame(rampFrame(start + 1000));
}

describe('RendererAudioDeviceProvider', () => {
  it('fits the calls layer’s AudioDeviceProvider and offers each call its own link with its devices', () => {
    const { connector, provider } = setup();
    const open: (
      callId: string,
      options: { inputDeviceId?: string | null; outputDeviceId?: string | null },
    ) => AudioPort = (callId, options) => provider.open(callId, options);
    open('a', {});
    open('b', { inputDeviceId: 'headset-mic', outputDeviceId: null });
    expect(connector.links.map((l) => l.offer)).toEqual([
      { callId: 'a' },
      { callId: 'b', inputDeviceId: 'headset-mic', outputDeviceId: null },
    ]);
    expect(provider.openCalls).toEqual(['a', 'b']);
    expect(() => provider.open('a')).toThrow(/already open/);
  });

  it('routes the first call, gives a second call silence, and moves the focus without new links', () => {
    const { connector, provider } = setup();
    const a = provider.open('a');
    const b = provider.open('b');
    expect(provider.focused).toBe('a');
    expect(connector.linkOf('a').sentKinds).toEqual(['route:on']);
    expect(connector.linkOf('b').sentKinds).toEqual(['route:off']);

    speak(connector, 'a', 0);
    speak(connector, 'b', 5000);
    expect(a.readFrame()).toEqual(rampFrame(0));
    expect(b.readFrame()).toEqual(SILENCE);
    b.writeFrame(rampFrame(9));
    expect(connector.linkOf('b').sentFrames).toEqual([]);

    provider.focus('b');
    expect(provider.focused).toBe('b');
    expect(connector.linkOf('a').sentKinds).toEqual(['route:on', 'route:off']);
    expect(connector.linkOf('b').sentKinds).toEqual(['route:off', 'route:on']);
    speak(connector, 'b', 5000);
    expect(b.readFrame()).toEqual(rampFrame(5000));
    expect(a.readFrame()).toEqual(SILENCE);
    b.writeFrame(rampFrame(9));
    expect(connector.linkOf('b').sentFrames).toEqual([rampFrame(9)]);

    // the same two links all along, both open
    expect(connector.links).toHaveLength(2);
    expect(connector.links.every(({ link }) => !link.closed)).toBe(true);
  });

  it('routes a call chosen before its audio opens as soon as it opens, and nobody for null', () => {
    const { connector, provider } = setup();
    provider.focus('later');
    provider.open('now');
    expect(provider.focused).toBeNull();
    expect(connector.linkOf('now').sentKinds).toEqual(['route:off']);
    provider.open('later');
    expect(provider.focused).toBe('later');
    expect(connector.linkOf('later').sentKinds).toEqual(['route:on']);
    provider.focus(null);
    expect(provider.focused).toBeNull();
    expect(connector.linkOf('later').sentKinds).toEqual(['route:on', 'route:off']);
  });

  it('leaves the device to nobody when the chosen call ends, and to the next call when nobody chose', () => {
    const chosen = setup();
    chosen.provider.focus('a');
    const a = chosen.provider.open('a');
    chosen.provider.open('b');
    a.close();
    expect(chosen.provider.focused).toBeNull();
    expect(chosen.connector.linkOf('b').sentKinds).toEqual(['route:off']);

    const automatic = setup();
    const first = automatic.provider.open('a');
    automatic.provider.open('b');
    first.close();
    expect(automatic.provider.focused).toBe('b');
    expect(automatic.connector.linkOf('b').sentKinds).toEqual(['route:off', 'route:on']);
    expect(automatic.provider.openCalls).toEqual(['b']);
    expect(automatic.provider.port('a')).toBeUndefined();
  });

  it('gives every open call a new link after a page reload, with its offer and route', () => {
    const { connector, provider } = setup();
    provider.open('a', { outputDeviceId: 'speakers' });
    provider.open('b');
    const [oldA, oldB] = [connector.linkOf('a'), connector.linkOf('b')];
    oldA.remoteClose();
    oldB.remoteClose();
    provider.reconnect();
    expect(connector.links.map((l) => l.offer)).toEqual([
      { callId: 'a', outputDeviceId: 'speakers' },
      { callId: 'b' },
      { callId: 'a', outputDeviceId: 'speakers' },
      { callId: 'b' },
    ]);
    expect(connector.linkOf('a').sentKinds).toEqual(['route:on']);
    expect(connector.linkOf('b').sentKinds).toEqual(['route:off']);
    expect(oldA.listenerCount + oldB.listenerCount).toBe(0);
  });

  it('closes every port and refuses to open afterwards', () => {
    const { connector, provider } = setup();
    const a = provider.open('a');
    const b = provider.open('b');
    provider.close();
    provider.close();
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(
      connector.links.map(({ link }) => [link.closed, link.sentKinds.at(-1), link.listenerCount]),
    ).toEqual([
      [true, 'end', 0],
      [true, 'end', 0],
    ]);
    expect(provider.openCalls).toEqual([]);
    expect(provider.focused).toBeNull();
    expect(() => provider.open('c')).toThrow(/after close/);
  });
});
