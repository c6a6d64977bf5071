/**
 * MessagePortAudioLink over an EventEmitter standing in for Electron's MessagePortMain.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decodeAudioLinkMessage, encodeAudioLinkMessage } from '../../../../src-shared/audio/index.ts';
import type { AudioLinkMessage } from '../../../../src-shared/audio/index.ts';
import { MessagePortAudioLink } from '../../../../src-main/media/bridge/index.ts';
import { rampFrame } from './support.ts';

class FakePortMain extends EventEmitter {
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
  /** The renderer posts `data`. */
  receive(data: unknown): void {
    this.emit('message', { data, ports: [] });
  }
}

describe('MessagePortAudioLink', () => {
  it('starts the port, sends encoded messages and passes on valid ones', () => {
    const port = new FakePortMain();
    const link = new MessagePortAudioLink(port);
    expect(port.started).toBe(1);
    const received: AudioLinkMessage[] = [];
    link.onMessage((m) => received.push(m));

    link.send({ kind: 'frame', samples: rampFrame(3) });
    link.send({ kind: 'route', routed: true });
    expect(port.posted.every((m) => m instanceof ArrayBuffer)).toBe(true);
    expect(port.posted.map((m) => decodeAudioLinkMessage(m))).toEqual([
      { ok: true, message: { kind: 'frame', samples: rampFrame(3) } },
      { ok: true, message: { kind: 'route', routed: true } },
    ]);

    // the renderer's frame arrives as an ArrayBuffer, or as a view after structured clone
    port.receive(encodeAudioLinkMessage({ kind: 'frame', samples: rampFrame(1) }));
    port.receive(new Uint8Array(encodeAudioLinkMessage({ kind: 'frame', samples: rampFrame(2) })));
    port.receive('hello');
    port.receive(new ArrayBuffer(10));
    expect(received).toEqual([
      { kind: 'frame', samples: rampFrame(1) },
      { kind: 'frame', samples: rampFrame(2) },
    ]);
    expect(link.rejectedMessages).toBe(2);
  });

  it('closes when the renderer’s end goes away, and lets go of the port', () => {
    const port = new FakePortMain();
    const link = new MessagePortAudioLink(port);
    let closes = 0;
    link.onClose(() => closes++);
    port.emit('close');
    expect(link.closed).toBe(true);
    expect(closes).toBe(1);
    expect(port.closed).toBe(1);
    expect(port.listenerCount('message') + port.listenerCount('close')).toBe(0);
    link.send({ kind: 'end' });
    expect(port.posted).toEqual([]);
    let late = 0;
    link.onClose(() => late++);
    expect(late).toBe(1);
  });

  it('closes once from our side', () => {
    const port = new FakePortMain();
    const link = new MessagePortAudioLink(port);
    const received: AudioLinkMessage[] = [];
    link.onMessage((m) => received.push(m));
    link.close();
    link.close();
    port.receive(encodeAudioLinkMessage({ kind: 'end' }));
    expect(port.closed).toBe(1);
    expect(received).toEqual([]);
    expect(port.listenerCount('message') + port.listenerCount('close')).toBe(0);
  });
});
