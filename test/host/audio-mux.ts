/**
 * Call audio over the test host's WebSocket: every call's AudioLink is multiplexed onto the page's one
 * socket as binary messages with a tiny header. The page side (bridge-client.js) turns each call into a
 * real MessageChannel and hands port2 to the app exactly as Electron's preload does, so the renderer's
 * audio engine runs the same code in Chromium as in Electron.
 *
 *     byte 0     1 open (host → page: make a port for this call and announce it to the app; the payload is
 *                  the offer's device fields as JSON)
 *                2 message (both ways: one audio link message, src-shared/audio, as payload)
 *                3 close (host → page: the call's link is gone)
 *     byte 1     0
 *     bytes 2–3  length of the call id in UTF-8 bytes (little-endian)
 *     …          the call id, then the payload
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { decodeAudioLinkMessage, encodeAudioLinkMessage } from '../../src-shared/audio/index.ts';
import type { AudioLinkMessage, AudioPortOffer } from '../../src-shared/audio/index.ts';
import type { AudioLink } from '../../src-main/media/bridge/index.ts';

export const AUDIO_MUX_OPEN = 1;
export const AUDIO_MUX_MESSAGE = 2;
export const AUDIO_MUX_CLOSE = 3;
type MuxType = typeof AUDIO_MUX_OPEN | typeof AUDIO_MUX_MESSAGE | typeof AUDIO_MUX_CLOSE;

export function encodeMuxFrame(
  type: MuxType,
  callId: string,
  payload: ArrayBuffer | null = null,
): Uint8Array {
  const id = new TextEncoder().encode(callId);
  if (id.length > 0xffff) throw new RangeError('call id too long for the audio mux');
  const body = payload ? new Uint8Array(payload) : new Uint8Array(0);
  const frame = new Uint8Array(4 + id.length + body.length);
  frame[0] = type;
  frame[2] = id.length & 0xff;
  frame[3] = id.length >> 8;
  frame.set(id, 4);
  frame.set(body, 4 + id.length);
  return frame;
}

export function decodeMuxFrame(
  data: Uint8Array,
): { type: number; callId: string; payload: Uint8Array } | null {
  if (data.length < 4 || data[1] !== 0) return null;
  const idLength = data[2]! | (data[3]! << 8);
  if (4 + idLength > data.length) return null;
  const callId = new TextDecoder().decode(data.subarray(4, 4 + idLength));
  return { type: data[0]!, callId, payload: data.subarray(4 + idLength) };
}

/** The links of one page connection. */
export class WebSocketAudioMux {
  private readonly sendBytes: (bytes: Uint8Array) => void;
  private readonly links = new Map<string, WebSocketAudioLink>();
  private isClosed = false;

  constructor(send: (bytes: Uint8Array) => void) {
    this.sendBytes = send;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  open(offer: AudioPortOffer): AudioLink {
    const { callId, ...devices } = offer;
    this.links.get(callId)?.close();
    const link = new WebSocketAudioLink(callId, this);
    if (this.isClosed) {
      link.remoteClosed();
      return link;
    }
    this.links.set(callId, link);
    this.sendBytes(
      encodeMuxFrame(AUDIO_MUX_OPEN, callId, new TextEncoder().encode(JSON.stringify(devices)).buffer),
    );
    return link;
  }

  /** A binary WebSocket message from the page. */
  receive(data: Uint8Array): void {
    const frame = decodeMuxFrame(data);
    if (!frame || frame.type !== AUDIO_MUX_MESSAGE) return;
    this.links.get(frame.callId)?.deliver(frame.payload);
  }

  /** The socket closed: every link is gone. */
  close(): void {
    this.isClosed = true;
    for (const link of [...this.links.values()]) link.remoteClosed();
    this.links.clear();
  }

  send(callId: string, message: AudioLinkMessage): void {
    if (!this.isClosed)
      this.sendBytes(encodeMuxFrame(AUDIO_MUX_MESSAGE, callId, encodeAudioLinkMessage(message)));
  }

  release(link: WebSocketAudioLink): void {
    if (this.links.get(link.callId) !== link) return;
    this.links.delete(link.callId);
    if (!this.isClosed) this.sendBytes(encodeMuxFrame(AUDIO_MUX_CLOSE, link.callId));
  }
}

class WebSocketAudioLink implements AudioLink {
  readonly callId: string;
  private readonly mux: WebSocketAudioMux;
  private readonly messages = new Emitter<AudioLinkMessage>();
  private readonly closes = new Emitter<void>();
  private isClosed = false;
  private rejected = 0;

  constructor(callId: string, mux: WebSocketAudioMux) {
    this.callId = callId;
    this.mux = mux;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get rejectedMessages(): number {
    return this.rejected;
  }

  send(message: AudioLinkMessage): void {
    if (!this.isClosed) this.mux.send(this.callId, message);
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
    if (this.isClosed) return;
    this.mux.release(this);
    this.shutDown();
  }

  deliver(payload: Uint8Array): void {
    if (this.isClosed) return;
    const decoded = decodeAudioLinkMessage(payload);
    if (decoded.ok) this.messages.emit(decoded.message);
    else this.rejected++;
  }

  remoteClosed(): void {
    this.shutDown();
  }

  private shutDown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.messages.clear();
    this.closes.emit();
    this.closes.clear();
  }
}
