/**
 * `AudioLink`: one call's audio messages to and from the renderer, whatever carries them — an Electron
 * MessagePortMain (`MessagePortAudioLink`, below) or the e2e test host's WebSocket (test/host). The
 * messages and their bytes are declared in src-shared/audio (frames both ways, `route` and `end` from
 * main, `report` from the renderer); a link validates what it receives and drops anything malformed,
 * because the renderer is untrusted.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { decodeAudioLinkMessage, encodeAudioLinkMessage } from '../../../src-shared/audio/index.ts';
import type { AudioLinkMessage } from '../../../src-shared/audio/index.ts';

export interface AudioLink {
  /** True once either side closed the link; sends are then ignored and nothing more arrives. */
  readonly closed: boolean;
  /** Messages from the renderer that failed validation and were dropped. */
  readonly rejectedMessages: number;
  /** Sends one message (a frame's samples are copied into the message: the caller keeps its array). */
  send(message: AudioLinkMessage): void;
  /** Valid messages from the renderer, in order. */
  onMessage(listener: (message: AudioLinkMessage) => void): Disposable;
  /** Once, when the link closes: `close()` here, or the renderer's side went away (page reload, crash). */
  onClose(listener: () => void): Disposable;
  /** Idempotent. */
  close(): void;
}

/**
 * The parts of Electron's `MessagePortMain` the link uses (typed here so that media/ stays free of
 * `electron`; unit tests pass an EventEmitter).
 */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** An AudioLink over one end of a message channel (Electron: port1 of a MessageChannelMain). */
export class MessagePortAudioLink implements AudioLink {
  private readonly port: MessagePortLike;
  private readonly messages = new Emitter<AudioLinkMessage>();
  private readonly closes = new Emitter<void>();
  private isClosed = false;
  private rejected = 0;
  private readonly receive = (event: { data: unknown }): void => {
    if (this.isClosed) return;
    const decoded = decodeAudioLinkMessage(event.data);
    if (decoded.ok) this.messages.emit(decoded.message);
    else this.rejected++;
  };
  private readonly remoteClosed = (): void => this.shutDown();

  constructor(port: MessagePortLike) {
    this.port = port;
    port.on('message', this.receive);
    port.on('close', this.remoteClosed);
    // a MessagePortMain queues messages until started
    port.start();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get rejectedMessages(): number {
    return this.rejected;
  }

  send(message: AudioLinkMessage): void {
    if (this.isClosed) return;
    // A fresh ArrayBuffer of the message's exact size: structured clone copies it to the renderer.
    this.port.postMessage(encodeAudioLinkMessage(message));
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
    this.shutDown();
  }

  private shutDown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.port.removeListener('message', this.receive);
    this.port.removeListener('close', this.remoteClosed);
    this.port.close();
    this.messages.clear();
    this.closes.emit();
    this.closes.clear();
  }
}
