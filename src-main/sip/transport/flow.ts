/**
 * A flow (RFC 5626 §3.3 uses the word the same way): the path between one local socket and one remote
 * address over one transport. For TCP/TLS it is one connection; for UDP it is our socket of that family
 * plus the remote address, so several UDP flows share a socket.
 *
 * Flows are shared and counted. Whoever needs a flow to stay up (a client or server transaction, a
 * registration binding, a keepalive) holds a `retain()` handle; a flow nobody holds goes idle and, after
 * `idleTimeoutMs` without users or traffic, is closed (a connection) or forgotten (UDP).
 *
 *              retain()                         last release()
 *   ┌──────┐ ────────────────────▶ ┌────────┐ ─────────────────────▶ ┌──────┐
 *   │ idle │                       │ active │                        │ idle │  (idle timer armed;
 *   └──────┘ ◀──────────────────── └────────┘                        └──────┘   traffic re-arms it)
 *      │          (same state)          │                                │ idle timer fires
 *      │ connection lost / close()      │ connection lost / close()      ▼
 *      └───────────────────────────────▶└──────────────────────────────▶ closed   (final)
 *
 * The idle timer belongs to the idle state: armed on entry, cancelled on exit.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { formatAddress } from '../../platform/index.ts';
import type { Clock, DatagramSocket, SocketAddress, StreamConnection, Timer } from '../../platform/index.ts';
import type { SendResult, SipLogger, SipTransport } from './types.ts';

export type FlowState = 'idle' | 'active' | 'closed';

export type FlowCloseReason =
  /** Nobody used it for `idleTimeoutMs`. */
  | 'idle'
  /** The transport layer closed. */
  | 'shutdown'
  /** Someone called close(). */
  | 'local'
  /** The peer closed the connection. */
  | 'peer-closed'
  /** The connection failed (reset, TLS alert…). */
  | 'error'
  /** RFC 5626 §4.4.1 / §4.4.2: no pong, or no STUN response, within the timeout. */
  | 'keepalive-timeout'
  /** RFC 5626 §4.4.2: the STUN keepalive reported a different public address. */
  | 'mapping-changed'
  /** The byte stream could not be framed (RFC 3261 §18.3): the connection is unusable. */
  | 'framing-error'
  /** The UDP socket under the flow closed. */
  | 'socket-closed';

export interface FlowClosed {
  readonly flow: SipFlow;
  readonly reason: FlowCloseReason;
  readonly error?: Error;
  /** True unless we closed it on purpose (idle, shutdown, local close). */
  readonly failed: boolean;
}

export interface FlowContext {
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  readonly log: SipLogger;
}

let flowCounter = 0;

const EXPECTED_CLOSE: ReadonlySet<FlowCloseReason> = new Set(['idle', 'shutdown', 'local']);

export abstract class SipFlow {
  readonly id: string;
  readonly transport: SipTransport;
  /** TCP and TLS: RFC 3261 §17 timers for reliable transports apply. */
  readonly reliable: boolean;
  /** TLS (the dialog's secure flag, RFC 3261 §12.1.1). */
  readonly secure: boolean;
  /** Our address on this flow as it goes into Via sent-by and Contact (never a wildcard address). */
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  /** Who opened it: we (a connect, or our first UDP send) or the peer. */
  readonly direction: 'outgoing' | 'incoming';

  readonly #ctx: FlowContext;
  #state: FlowState = 'idle';
  #users = 0;
  #idleTimer: Timer | undefined;
  #mapped: SocketAddress | undefined;
  readonly #closed = new Emitter<FlowClosed>();
  #closedEvent: FlowClosed | undefined;

  protected constructor(
    ctx: FlowContext,
    transport: SipTransport,
    local: SocketAddress,
    remote: SocketAddress,
    direction: 'outgoing' | 'incoming',
  ) {
    this.#ctx = ctx;
    this.transport = transport;
    this.reliable = transport !== 'udp';
    this.secure = transport === 'tls';
    this.local = { ...local };
    this.remote = { ...remote };
    this.direction = direction;
    this.id = `${transport}#${++flowCounter}:${formatAddress(local)}->${formatAddress(remote)}`;
    this.#enterIdle();
  }

  get state(): FlowState {
    return this.#state;
  }

  /** state === 'closed', readable after calls that may have closed the flow. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** How many retain() handles are held. */
  get users(): number {
    return this.#users;
  }

  /** Our address as the far side last reported it (STUN keepalive or Via received/rport), if known. */
  get mappedAddress(): SocketAddress | undefined {
    return this.#mapped;
  }

  /** @internal the transport and keepalive record what the network told them. */
  setMappedAddress(address: SocketAddress): void {
    this.#mapped = { ...address };
  }

  /** Keep the flow open until the handle is disposed. Throws on a closed flow (check `state` first). */
  retain(): Disposable {
    if (this.#state === 'closed') throw new Error(`retain on closed flow ${this.id}`);
    this.#users++;
    if (this.#state === 'idle') this.#transition('active', 'retained');
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        this.#users--;
        if (this.#users === 0 && this.#state === 'active') this.#transition('idle', 'last user released');
      },
    };
  }

  /** Traffic arrived or left: an idle flow's idle timer starts over. */
  touch(): void {
    if (this.#state !== 'idle') return;
    this.#idleTimer?.cancel();
    this.#enterIdle();
  }

  /** Put bytes on the flow. A closed flow answers `flow-closed`; nothing here throws for the network. */
  abstract send(bytes: Uint8Array): SendResult;

  /** Fires once, when the flow closes (subscribing after that reports it in a microtask). */
  onClose(listener: (event: FlowClosed) => void): Disposable {
    const event = this.#closedEvent;
    if (event !== undefined) {
      let live = true;
      queueMicrotask(() => {
        if (live) listener(event);
      });
      return { dispose: () => (live = false) };
    }
    return this.#closed.on(listener);
  }

  /** Close the flow (a connection is closed gracefully; a UDP flow is just forgotten). Idempotent. */
  close(reason: FlowCloseReason = 'local', error?: Error): void {
    if (this.#state === 'closed') return;
    this.#transition('closed', reason);
    this.release();
    const event: FlowClosed = {
      flow: this,
      reason,
      failed: !EXPECTED_CLOSE.has(reason),
      ...(error && { error }),
    };
    this.#closedEvent = event;
    this.#closed.emit(event);
    this.#closed.clear();
  }

  /** Free what the subclass holds (close the connection, unsubscribe). Runs once, on close. */
  protected abstract release(): void;

  /** The only place the state changes. */
  #transition(to: FlowState, cause: string): void {
    const from = this.#state;
    const legal =
      (from === 'idle' && (to === 'active' || to === 'closed')) ||
      (from === 'active' && (to === 'idle' || to === 'closed'));
    if (!legal) throw new Error(`flow ${this.id}: illegal transition ${from} → ${to} (${cause})`);
    if (from === 'idle') {
      this.#idleTimer?.cancel();
      this.#idleTimer = undefined;
    }
    this.#state = to;
    this.#ctx.log('debug', `flow ${this.id}: ${from} → ${to} (${cause})`);
    if (to === 'idle') this.#enterIdle();
  }

  #enterIdle(): void {
    this.#idleTimer = this.#ctx.clock.setTimer(this.#ctx.idleTimeoutMs, () => {
      this.#idleTimer = undefined;
      this.close('idle');
    });
  }
}

/** A UDP flow: our socket of the remote's family, and the remote address. */
export class UdpFlow extends SipFlow {
  readonly #socket: DatagramSocket;

  constructor(
    ctx: FlowContext,
    socket: DatagramSocket,
    local: SocketAddress,
    remote: SocketAddress,
    direction: 'outgoing' | 'incoming',
  ) {
    super(ctx, 'udp', local, remote, direction);
    this.#socket = socket;
  }

  send(bytes: Uint8Array): SendResult {
    if (this.state === 'closed' || this.#socket.closed) {
      return { ok: false, error: { code: 'flow-closed', reason: `flow ${this.id} is closed` } };
    }
    this.#socket.send(bytes, this.remote);
    this.touch();
    return { ok: true };
  }

  /** Send to another address from the same socket (RFC 3581 §4 responses, RFC 3261 §18.2.2 maddr). */
  sendTo(bytes: Uint8Array, to: SocketAddress): SendResult {
    if (this.#socket.closed)
      return { ok: false, error: { code: 'flow-closed', reason: `socket of ${this.id} is closed` } };
    this.#socket.send(bytes, to);
    return { ok: true };
  }

  protected release(): void {
    // The socket is shared by every UDP flow of its family: the transport layer owns it.
  }
}

/** A TCP or TLS connection. */
export class StreamFlow extends SipFlow {
  readonly connection: StreamConnection;
  /** TLS flows we opened: the name the server certificate was checked against. */
  readonly servername: string | undefined;
  readonly #pongs = new Emitter<void>();

  constructor(
    ctx: FlowContext,
    transport: 'tcp' | 'tls',
    connection: StreamConnection,
    local: SocketAddress,
    direction: 'outgoing' | 'incoming',
    servername?: string,
  ) {
    super(ctx, transport, local, connection.remote, direction);
    this.connection = connection;
    this.servername = servername;
  }

  send(bytes: Uint8Array): SendResult {
    if (this.state === 'closed' || this.connection.closed) {
      return { ok: false, error: { code: 'flow-closed', reason: `connection ${this.id} is closed` } };
    }
    this.connection.write(bytes);
    this.touch();
    return { ok: true };
  }

  /** A CRLF pong arrived (RFC 5626 §4.4.1); the keepalive listens. */
  onPong(listener: () => void): Disposable {
    return this.#pongs.on(listener);
  }

  /** @internal the transport layer's framer saw a pong. */
  receivedPong(): void {
    this.#pongs.emit();
  }

  protected release(): void {
    this.#pongs.clear();
    this.connection.close();
  }
}
