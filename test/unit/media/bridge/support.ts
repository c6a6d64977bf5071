/**
 * An AudioLink for unit tests: records what main sends, lets the test play the renderer (deliver
 * messages, go away), and counts listeners for leak checks.
 */
import { Emitter } from '../../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../../src-shared/util/emitter.ts';
import type { AudioLinkMessage, AudioPortOffer } from '../../../../src-shared/audio/index.ts';
import type { AudioLink } from '../../../../src-main/media/bridge/index.ts';

export class ScriptedAudioLink implements AudioLink {
  readonly sent: AudioLinkMessage[] = [];
  rejectedMessages = 0;
  closeCalls = 0;
  private readonly messages = new Emitter<AudioLinkMessage>();
  private readonly closes = new Emitter<void>();
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  /** Listeners still subscribed (0 after the port let go of the link). */
  get listenerCount(): number {
    return this.messages.listenerCount + this.closes.listenerCount;
  }

  /** The kinds of the messages sent so far, with the route flag (`route:on` / `route:off`). */
  get sentKinds(): string[] {
    return this.sent.map((m) => (m.kind === 'route' ? `route:${m.routed ? 'on' : 'off'}` : m.kind));
  }

  /** The frames sent to the renderer. */
  get sentFrames(): Int16Array[] {
    return this.sent.flatMap((m) => (m.kind === 'frame' ? [m.samples] : []));
  }

  send(message: AudioLinkMessage): void {
    if (this.isClosed) return;
    // what a real link puts on the wire is a copy
    this.sent.push(
      message.kind === 'frame' ? { kind: 'frame', samples: Int16Array.from(message.samples) } : message,
    );
  }

  onMessage(listener: (message: AudioLinkMessage) => void): Disposable {
    return this.messages.on(listener);
  }

  onClose(listener: () => void): Disposable {
    if (this.isClosed) {
      listener();
      return { dispose() {} };
    }
    return this.closes.on(listener);
  }

  close(): void {
    this.closeCalls++;
    this.shutDown();
  }

  /** The renderer sends a message. */
  deliver(message: AudioLinkMessage): void {
    if (!this.isClosed) this.messages.emit(message);
  }

  /** The renderer sends one microphone frame of `value` samples (or the given samples). */
  deliverFrame(samples: Int16Array | number): void {
    this.deliver({
      kind: 'frame',
      samples: typeof samples === 'number' ? new Int16Array(960).fill(samples) : samples,
    });
  }

  /** The renderer's side went away (page reload). */
  remoteClose(): void {
    this.shutDown();
  }

  private shutDown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // listeners are not cleared here, so that `listenerCount` shows whether the port let go of them
    this.closes.emit();
  }
}

/** A `connect` that hands out scripted links and remembers the offers. */
export function scriptedConnector() {
  const links: { offer: AudioPortOffer; link: ScriptedAudioLink }[] = [];
  return {
    links,
    connect(offer: AudioPortOffer): ScriptedAudioLink {
      const link = new ScriptedAudioLink();
      links.push({ offer, link });
      return link;
    },
    /** The latest link of a call. */
    linkOf(callId: string): ScriptedAudioLink {
      const found = links.filter((l) => l.offer.callId === callId).at(-1);
      if (!found) throw new Error(`no link for ${callId}`);
      return found.link;
    },
  };
}

/** A frame whose samples count up from `start` (so a test can see exactly which audio came out). */
export function rampFrame(start: number): Int16Array {
  return Int16Array.from({ length: 960 }, (_, i) => start + i);
}
