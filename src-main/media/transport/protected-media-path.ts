/**
 * `ProtectedMediaPath`: a `MediaProtection` (SRTP) around a path someone else built — the ICE agent's.
 * Sending protects each packet and hands it to the inner path; what the inner path accepts (from the
 * selected pair only: the checks authenticated it, RFC 8445 §7.2.5.2.1) is unprotected, and a packet the
 * protection refuses is dropped and counted, never delivered. Route, route changes and held early media
 * are the inner path's (held packets come through the same unprotect).
 *
 * A `LatchingMediaPath` takes the protection itself instead (its latching decisions need it first).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type {
  MediaPacketKind,
  MediaPath,
  MediaProtection,
  MediaRoute,
  ReceivedMediaPacket,
} from './media-path.ts';

export class ProtectedMediaPath implements MediaPath {
  readonly #inner: MediaPath;
  readonly #protection: MediaProtection;
  readonly #packets = new Emitter<ReceivedMediaPacket>();
  readonly #subscription: Disposable;
  #refused = 0;
  #disposed = false;

  constructor(inner: MediaPath, protection: MediaProtection) {
    this.#inner = inner;
    this.#protection = protection;
    this.#subscription = inner.onPacket((packet) => {
      const plain = this.#protection.unprotect(packet.kind, packet.data);
      if (plain === undefined) this.#refused++;
      else this.#packets.emit({ ...packet, data: plain });
    });
  }

  get route(): MediaRoute {
    return this.#inner.route;
  }

  /** Packets the protection refused (SRTP: failed authentication, replayed, malformed). */
  get refused(): number {
    return this.#refused;
  }

  /** Listeners attached to this path (for leak checks). */
  get listenerCount(): number {
    return this.#packets.listenerCount;
  }

  send(kind: MediaPacketKind, data: Uint8Array): void {
    if (this.#disposed) throw new Error('ProtectedMediaPath: send after dispose');
    this.#inner.send(kind, this.#protection.protect(kind, data));
  }

  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable {
    return this.#packets.on(listener);
  }

  onRouteChange(listener: (route: MediaRoute) => void): Disposable {
    return this.#inner.onRouteChange(listener);
  }

  deliverHeld(): void {
    this.#inner.deliverHeld();
  }

  /** Detaches from the inner path and disposes it (the session owns the path it was given). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#subscription.dispose();
    this.#packets.clear();
    this.#inner.dispose();
  }
}
