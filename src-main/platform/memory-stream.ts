/**
 * Stream connections and listeners of the in-memory network. The network carries the bytes (see
 * StreamLink); these classes hold the state a user of StreamConnection / StreamServer sees.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { codedError } from './coded-error.ts';
import { StreamConnectionEvents } from './stream-events.ts';
import type { SocketAddress, StreamConnection, StreamServer } from './ports.ts';

/** What a connection end asks of the network that carries it. */
export interface StreamLink {
  /** Carry `data` from `from` to the other end. */
  transmit(from: MemoryStreamConnection, data: Uint8Array): void;
  /** `from` closed gracefully: the other end closes once the data before it has arrived. */
  finish(from: MemoryStreamConnection): void;
  /** `from` aborted: the other end closes with ECONNRESET. */
  abort(from: MemoryStreamConnection): void;
}

export class MemoryStreamConnection implements StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly secure: boolean;
  private isClosed = false;
  private link: StreamLink | undefined;
  private readonly events = new StreamConnectionEvents();
  private readonly onRelease: () => void;

  /** Created by the network; `onRelease` runs once when this end closes, for whatever reason. */
  constructor(local: SocketAddress, remote: SocketAddress, secure: boolean, onRelease: () => void) {
    this.local = { ...local };
    this.remote = { ...remote };
    this.secure = secure;
    this.onRelease = onRelease;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: Uint8Array): void {
    if (this.isClosed || this.link === undefined) return;
    this.link.transmit(this, new Uint8Array(data));
  }

  onData(listener: (data: Buffer) => void): Disposable {
    return this.events.onData(listener);
  }

  onClose(listener: (error?: Error) => void): Disposable {
    return this.events.onClose(listener);
  }

  close(): void {
    if (!this.release()) return;
    this.link?.finish(this);
    queueMicrotask(() => this.events.end());
  }

  /** Abort the connection (like a RST): the peer closes with ECONNRESET, this end without an error. */
  reset(): void {
    if (!this.release()) return;
    this.link?.abort(this);
    queueMicrotask(() => this.events.end());
  }

  // ───────── used by the network ─────────

  /** @internal */
  attach(link: StreamLink): void {
    this.link = link;
  }

  /** @internal bytes from the peer */
  receive(chunk: Buffer): void {
    if (!this.isClosed) this.events.deliver(chunk);
  }

  /** @internal the peer closed (no error) or the connection broke (error) */
  terminate(error?: Error): void {
    if (!this.release()) return;
    this.events.end(error);
  }

  private release(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    this.onRelease();
    return true;
  }
}

export class MemoryStreamServer implements StreamServer {
  readonly local: SocketAddress;
  readonly secure: boolean;
  /** TLS: whether a client must present a certificate. */
  readonly requestCert: boolean;
  private isClosed = false;
  private readonly acceptsName: (servername: string) => boolean;
  private readonly issuer: string | undefined;
  private readonly connections = new Emitter<MemoryStreamConnection>();
  private readonly errors = new Emitter<Error>();
  private readonly onRelease: () => void;

  constructor(
    local: SocketAddress,
    tls:
      | { acceptsName: (servername: string) => boolean; requestCert: boolean; issuer?: string | undefined }
      | undefined,
    onRelease: () => void,
  ) {
    this.local = { ...local };
    this.secure = tls !== undefined;
    this.requestCert = tls?.requestCert ?? false;
    this.acceptsName = tls?.acceptsName ?? (() => false);
    this.issuer = tls?.issuer;
    this.onRelease = onRelease;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onConnection(listener: (conn: MemoryStreamConnection) => void): Disposable {
    return this.connections.on(listener);
  }

  onError(listener: (error: Error) => void): Disposable {
    return this.errors.on(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.connections.clear();
    this.errors.clear();
    this.onRelease();
  }

  // ───────── used by the network ─────────

  /** @internal whether a client with these extra trust anchors trusts the certificate */
  certificateTrusted(ca: string | readonly string[] | undefined): boolean {
    if (this.issuer === undefined) return true;
    const anchors = ca === undefined ? [] : typeof ca === 'string' ? [ca] : ca;
    const issuer = this.issuer.trim();
    return anchors.some((anchor) => anchor.trim() === issuer);
  }

  /** @internal whether the certificate is valid for `servername` */
  certificateMatches(servername: string): boolean {
    return this.acceptsName(servername);
  }

  /** @internal hand over an accepted connection (closed at once if nobody listens, as NodeNetwork does) */
  accept(conn: MemoryStreamConnection): void {
    if (this.connections.listenerCount === 0) {
      conn.reset();
      return;
    }
    this.connections.emit(conn);
  }

  /** @internal */
  reportError(message: string, code: string): void {
    this.errors.emit(codedError(code, message));
  }
}
