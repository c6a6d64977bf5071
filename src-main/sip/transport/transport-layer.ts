/**
 * SipTransportLayer — RFC 3261 §18 over the platform's Network port: one UDP socket per address family,
 * TCP and TLS connections (ours and, with listeners, the peers'), the stream framer per connection,
 * STUN/SIP demultiplexing on the UDP sockets, keepalives, and the Via rules of §18 and RFC 3581.
 *
 *   ┌─────┐ start() ┌──────────┐ sockets bound ┌─────────┐ close() ┌────────┐
 *   │ new │ ──────▶ │ starting │ ────────────▶ │ running │ ──────▶ │ closed │  (close() is legal from
 *   └─────┘         └──────────┘               └─────────┘         └────────┘   every state)
 *
 * Upward it hands over parsed requests (with their origin, for §18.2.2) and responses (with the reflexive
 * address their Via reports); it never throws for what the network did: failures are values or log lines.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { errorCode, formatAddress } from '../../platform/index.ts';
import type {
  Clock,
  DatagramSocket,
  IpFamily,
  Network,
  SocketAddress,
  StreamConnection,
  StreamServer,
  TlsServerOptions,
} from '../../platform/index.ts';
import {
  StunEndpoint,
  StunMethod,
  bindingSuccess,
  classifyPacket,
  reflexiveAddressOf,
} from '../../media/stun/index.ts';
import { Header, SipStreamFramer, createResponse, parseMessage, serialize } from '../syntax/index.ts';
import type { SipMessage, SipParseError, SipRequest, SipResponse } from '../syntax/index.ts';
import { StreamFlow, UdpFlow } from './flow.ts';
import type { FlowClosed, FlowContext, SipFlow } from './flow.ts';
import { FlowKeepalive, keepaliveStunTiming } from './keepalive.ts';
import type { KeepaliveOptions } from './keepalive.ts';
import {
  receivedVia,
  reflexiveAddress,
  responseDestination,
  sentByKey,
  sentByPort,
  stampVia,
} from './via.ts';
import { silentLogger } from './types.ts';
import type {
  FlowResult,
  FlowTarget,
  IncomingRequest,
  IncomingResponse,
  RequestOrigin,
  SendResult,
  SipLogger,
  SipTransport,
  SipWireMessage,
  TransportError,
} from './types.ts';

export interface UdpOptions {
  /** Families to bind, one socket each (default [4, 6]; a family that cannot be bound is skipped). */
  readonly families?: readonly IpFamily[];
  /** Local address per family (default: the wildcard address). */
  readonly address?: Partial<Record<IpFamily, string>>;
  /** A fixed port, or 0 for any (default 0). Ignored when `portRange` is given. */
  readonly port?: number;
  /** Try these ports in order until one binds. */
  readonly portRange?: { readonly min: number; readonly max: number };
}

export interface StreamListenerOptions {
  readonly families?: readonly IpFamily[];
  readonly address?: Partial<Record<IpFamily, string>>;
  /** Default 0 (any free port). */
  readonly port?: number;
}

export interface TlsListenerOptions extends StreamListenerOptions {
  /** Certificate, key and (for client certificates) trust anchors. Extra fields pass through to the Network. */
  readonly server: TlsServerOptions;
}

export interface TlsClientConfig {
  /** Extra trust anchors (PEM), used besides the system store unless `replaceCa`. */
  readonly ca?: string | string[];
  readonly replaceCa?: boolean;
  /** Client certificate and key (PEM), for servers that ask for one. */
  readonly cert?: string;
  readonly key?: string;
  /**
   * Skip certificate verification. Only for tests that say so explicitly; never set from user settings
   * without a warning in the UI.
   */
  readonly insecureSkipVerify?: boolean;
}

export interface SipTransportOptions {
  readonly clock: Clock;
  readonly network: Network;
  readonly log?: SipLogger;
  /** Keepalive jitter source in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Transports we use (default all three). Without 'udp' no UDP socket is bound. */
  readonly transports?: readonly SipTransport[];
  readonly udp?: UdpOptions;
  /** Accept TCP connections (default: no listener; we still connect out). */
  readonly tcpListener?: StreamListenerOptions;
  /** Accept TLS connections. */
  readonly tlsListener?: TlsListenerOptions;
  readonly tlsClient?: TlsClientConfig;
  /** Close flows nobody used for this long (default 300 000 ms = 5 min). */
  readonly idleTimeoutMs?: number;
  /** TCP connect + TLS handshake budget (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than 1300
   * bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion controlled
   * transport protocol, such as TCP." Default 1300; Infinity turns the rule off.
   */
  readonly udpMaxBytes?: number;
  /** Largest header section / body accepted on streams (framer limits). */
  readonly maxHeaderBytes?: number;
  readonly maxBodyBytes?: number;
}

export type TransportLayerState = 'new' | 'starting' | 'running' | 'closed';

export interface ListeningAddress {
  readonly transport: SipTransport;
  readonly local: SocketAddress;
}

interface UdpEndpoint {
  readonly socket: DatagramSocket;
  readonly family: IpFamily;
  readonly stun: StunEndpoint;
  readonly subscriptions: Disposable[];
}

interface StreamListener {
  readonly transport: 'tcp' | 'tls';
  readonly server: StreamServer;
  readonly subscriptions: Disposable[];
}

const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_UDP_MAX_BYTES = 1300;
const LOOPBACK: Record<IpFamily, string> = { 4: '127.0.0.1', 6: '::1' };
const PONG = new Uint8Array([13, 10]);

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

function flowKey(transport: SipTransport, remote: SocketAddress): string {
  return `${transport}|${formatAddress(remote)}`;
}

export class SipTransportLayer {
  readonly clock: Clock;
  readonly #network: Network;
  readonly #log: SipLogger;
  readonly #random: () => number;
  readonly #transports: ReadonlySet<SipTransport>;
  readonly #options: SipTransportOptions;
  readonly #udpMaxBytes: number;
  readonly #connectTimeoutMs: number;
  readonly #flowContext: FlowContext;
  #state: TransportLayerState = 'new';
  readonly #udp = new Map<IpFamily, UdpEndpoint>();
  readonly #listeners: StreamListener[] = [];
  /** Open flows by transport and remote address; several connections to one remote are possible. */
  readonly #flows = new Map<string, SipFlow[]>();
  /** Connects in progress, so that two requests to one remote share one connection. */
  readonly #connecting = new Map<string, Promise<FlowResult>>();
  /** Every sent-by we put in a Via: responses with another top Via are not ours (§18.1.2). */
  readonly #sentBy = new Set<string>();
  readonly #keepalives = new Set<FlowKeepalive>();
  readonly #requests = new Emitter<IncomingRequest>();
  readonly #responses = new Emitter<IncomingResponse>();
  readonly #flowFailed = new Emitter<FlowClosed>();
  readonly #flowClosed = new Emitter<FlowClosed>();
  readonly #wire = new Emitter<SipWireMessage>();

  constructor(options: SipTransportOptions) {
    this.#options = options;
    this.clock = options.clock;
    this.#network = options.network;
    this.#log = options.log ?? silentLogger;
    this.#random = options.random ?? Math.random;
    this.#transports = new Set(options.transports ?? ['udp', 'tcp', 'tls']);
    this.#udpMaxBytes = options.udpMaxBytes ?? DEFAULT_UDP_MAX_BYTES;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#flowContext = {
      clock: options.clock,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      log: this.#log,
    };
  }

  get state(): TransportLayerState {
    return this.#state;
  }

  /** The transports this layer was configured with. */
  supports(transport: SipTransport): boolean {
    return this.#transports.has(transport);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /** Bind the UDP sockets and open the listeners. Rejects when no UDP socket could be bound at all. */
  async start(): Promise<void> {
    this.#transition('starting', 'start()');
    if (this.#transports.has('udp')) {
      const families = this.#options.udp?.families ?? [4, 6];
      const errors: string[] = [];
      for (const family of families) {
        try {
          await this.#bindUdp(family);
        } catch (error) {
          errors.push(`IPv${family}: ${(error as Error).message}`);
          this.#log('warn', `transport: no UDP socket for IPv${family}: ${(error as Error).message}`);
        }
        if (this.#state === 'closed') return;
      }
      if (this.#udp.size === 0) {
        this.close();
        throw new Error(`no UDP socket could be bound (${errors.join('; ')})`);
      }
    }
    if (this.#options.tcpListener !== undefined && this.#transports.has('tcp')) {
      await this.#listen('tcp', this.#options.tcpListener, undefined);
    }
    if (this.#options.tlsListener !== undefined && this.#transports.has('tls')) {
      await this.#listen('tls', this.#options.tlsListener, this.#options.tlsListener.server);
    }
    if (this.#state === 'closed') return;
    this.#transition('running', 'sockets bound');
  }

  /** Close every flow, socket and listener. Idempotent; a connect still in flight is closed when it lands. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#transition('closed', 'close()');
    for (const keepalive of [...this.#keepalives]) keepalive.stop();
    for (const list of [...this.#flows.values()]) for (const flow of [...list]) flow.close('shutdown');
    for (const endpoint of this.#udp.values()) {
      for (const s of endpoint.subscriptions) s.dispose();
      endpoint.stun.dispose();
      endpoint.socket.close();
    }
    this.#udp.clear();
    for (const listener of this.#listeners) {
      for (const s of listener.subscriptions) s.dispose();
      listener.server.close();
    }
    this.#listeners.length = 0;
    this.#requests.clear();
    this.#responses.clear();
    this.#flowFailed.clear();
    this.#flowClosed.clear();
    this.#wire.clear();
  }

  #transition(to: TransportLayerState, cause: string): void {
    const from = this.#state;
    const legal =
      to === 'closed' || (from === 'new' && to === 'starting') || (from === 'starting' && to === 'running');
    if (!legal) throw new Error(`transport layer: illegal transition ${from} → ${to} (${cause})`);
    this.#state = to;
    this.#log('debug', `transport: ${from} → ${to} (${cause})`);
  }

  /** Where we listen: the UDP sockets and the TCP/TLS listeners. */
  listening(): ListeningAddress[] {
    const out: ListeningAddress[] = [];
    for (const e of this.#udp.values()) out.push({ transport: 'udp', local: { ...e.socket.local } });
    for (const l of this.#listeners) out.push({ transport: l.transport, local: { ...l.server.local } });
    return out;
  }

  async #bindUdp(family: IpFamily): Promise<void> {
    const udp = this.#options.udp ?? {};
    const address = udp.address?.[family];
    const ports: number[] = [];
    if (udp.portRange !== undefined) {
      for (let p = udp.portRange.min; p <= udp.portRange.max; p++) ports.push(p);
    } else ports.push(udp.port ?? 0);
    let socket: DatagramSocket | undefined;
    let lastError: unknown;
    for (const port of ports) {
      try {
        socket = await this.#network.bindDatagram({
          family,
          port,
          ...(address !== undefined && { address }),
        });
        break;
      } catch (error) {
        lastError = error;
        if (errorCode(error) !== 'EADDRINUSE') break;
      }
    }
    if (socket === undefined) throw lastError instanceof Error ? lastError : new Error('bind failed');
    if (this.#state === 'closed') {
      socket.close();
      return;
    }
    const bound = socket;
    const stun = new StunEndpoint({
      clock: this.clock,
      reliable: false,
      send: (bytes, to) => {
        if (!bound.closed) bound.send(bytes, to);
      },
    });
    const endpoint: UdpEndpoint = { socket: bound, family, stun, subscriptions: [] };
    endpoint.subscriptions.push(
      bound.onMessage((data, from) => this.#receiveDatagram(endpoint, data, from)),
      bound.onError((error) =>
        this.#log('warn', `transport: UDP ${formatAddress(bound.local)}: ${error.message}`),
      ),
      // RFC 5626 §8: a Binding request on the SIP socket (a peer's keepalive) is answered with its mapping.
      stun.onRequest(({ message, from }) => {
        if (message.method === StunMethod.binding)
          stun.send(bindingSuccess(message, from), from, { fingerprint: true });
      }),
    );
    this.#udp.set(family, endpoint);
    this.#log('info', `transport: UDP listening on ${formatAddress(bound.local)}`);
  }

  async #listen(
    transport: 'tcp' | 'tls',
    options: StreamListenerOptions,
    tls: TlsServerOptions | undefined,
  ): Promise<void> {
    for (const family of options.families ?? [4]) {
      const address = options.address?.[family];
      let server: StreamServer;
      try {
        server = await this.#network.listen({
          family,
          port: options.port ?? 0,
          ...(address !== undefined && { address }),
          ...(tls !== undefined && { tls }),
        });
      } catch (error) {
        this.#log(
          'warn',
          `transport: no ${transport.toUpperCase()} listener for IPv${family}: ${(error as Error).message}`,
        );
        continue;
      }
      if (this.#state === 'closed') {
        server.close();
        return;
      }
      const listener: StreamListener = { transport, server, subscriptions: [] };
      listener.subscriptions.push(
        server.onConnection((connection) => this.#adopt(transport, connection, 'incoming')),
        server.onError((error) =>
          this.#log('warn', `transport: ${transport.toUpperCase()} listener: ${error.message}`),
        ),
      );
      this.#listeners.push(listener);
      this.#log('info', `transport: ${transport.toUpperCase()} listening on ${formatAddress(server.local)}`);
    }
  }

  // ───────────────────────────── events ─────────────────────────────

  /** Requests that parsed, with received/rport already in their top Via. */
  onRequest(listener: (incoming: IncomingRequest) => void): Disposable {
    return this.#requests.on(listener);
  }

  /** Responses whose top Via is one we sent (RFC 3261 §18.1.2). */
  onResponse(listener: (incoming: IncomingResponse) => void): Disposable {
    return this.#responses.on(listener);
  }

  /**
   * A flow went down without us closing it: the peer closed or reset the connection, a keepalive got no
   * answer, the STUN mapping changed. RFC 5626 §4.4: the registration layer re-registers on this.
   */
  onFlowFailed(listener: (event: FlowClosed) => void): Disposable {
    return this.#flowFailed.on(listener);
  }

  /** Every flow that closes, for whatever reason. */
  onFlowClosed(listener: (event: FlowClosed) => void): Disposable {
    return this.#flowClosed.on(listener);
  }

  /**
   * Every SIP message sent or received, before it is handed up (received) or once it left (sent), the
   * ones the parser refused included; keepalives are not messages. For diagnostics (the SIP log).
   */
  onMessage(listener: (message: SipWireMessage) => void): Disposable {
    return this.#wire.on(listener);
  }

  #tap(
    direction: 'in' | 'out',
    flow: SipFlow,
    remote: SocketAddress,
    bytes: Uint8Array | (() => Uint8Array),
    rejected?: string,
  ): void {
    if (this.#wire.listenerCount === 0) return;
    const local = { ...flow.local };
    this.#deliver('message tap', () =>
      this.#wire.emit({
        direction,
        transport: flow.transport,
        local,
        remote: { ...remote },
        bytes: typeof bytes === 'function' ? bytes() : bytes,
        ...(rejected !== undefined && { rejected }),
      }),
    );
  }

  // ───────────────────────────── flows ─────────────────────────────

  /** The open flows (for diagnostics and tests). */
  flows(): SipFlow[] {
    return [...this.#flows.values()].flat();
  }

  /** An open flow to `remote` over `transport`, if there is one (TLS: one verified for `servername`). */
  findFlow(transport: SipTransport, remote: SocketAddress, servername?: string): SipFlow | undefined {
    const list = this.#flows.get(flowKey(transport, remote));
    if (list === undefined) return undefined;
    return list.find(
      (f) =>
        f.state !== 'closed' &&
        (transport !== 'tls' ||
          servername === undefined ||
          !(f instanceof StreamFlow) ||
          f.direction === 'incoming' ||
          f.servername === servername),
    );
  }

  /**
   * The flow a request to `target` leaves on: an existing one when possible (connection reuse), else a new
   * UDP flow or a new connection. `messageBytes` applies the RFC 3261 §18.1.1 size rule: a request larger
   * than `udpMaxBytes` for a UDP target goes over TCP to the same address and port — and, "if the attempt
   * to establish the connection generates either an ICMP Protocol Not Supported, or results in a TCP
   * reset, the element SHOULD retry the request, using UDP." Any connect failure falls back to UDP here.
   */
  async acquireFlow(
    target: FlowTarget,
    options: { readonly messageBytes?: number } = {},
  ): Promise<FlowResult> {
    if (this.#state === 'closed') return failure('shut-down', 'the transport layer is closed');
    if (!this.#transports.has(target.transport)) {
      return failure('no-socket', `transport ${target.transport} is not enabled`);
    }
    if (target.transport === 'udp') {
      const size = options.messageBytes ?? 0;
      if (size > this.#udpMaxBytes && this.#transports.has('tcp')) {
        const tcp = await this.#streamFlow({ ...target, transport: 'tcp' });
        if (tcp.ok) return tcp;
        this.#log(
          'info',
          `transport: ${size}-byte request: TCP to ${target.address}:${target.port} failed (${tcp.error.reason}); using UDP`,
        );
      }
      return this.#udpFlowResult(target);
    }
    return this.#streamFlow(target as FlowTarget & { transport: 'tcp' | 'tls' });
  }

  #udpFlowResult(target: FlowTarget): FlowResult {
    const remote: SocketAddress = { address: target.address, port: target.port, family: target.family };
    const flow = this.#udpFlow(remote, 'outgoing');
    return flow === undefined
      ? failure('no-socket', `no UDP socket for IPv${target.family}`)
      : { ok: true, flow };
  }

  /** The UDP flow to `remote` (created on first use), or undefined when no socket of that family is bound. */
  #udpFlow(remote: SocketAddress, direction: 'outgoing' | 'incoming'): UdpFlow | undefined {
    const existing = this.findFlow('udp', remote);
    if (existing instanceof UdpFlow) return existing;
    const endpoint = this.#udp.get(remote.family);
    if (endpoint === undefined || endpoint.socket.closed) return undefined;
    const flow = new UdpFlow(
      this.#flowContext,
      endpoint.socket,
      this.#localFor(endpoint.socket.local, remote),
      remote,
      direction,
    );
    this.#register(flow);
    return flow;
  }

  /**
   * The address that goes into Via and Contact for traffic from `bound` to `remote`: the bound address,
   * or for a wildcard socket the loopback address (towards loopback) or the first non-internal interface
   * address of the family. A host with several interfaces may pick the wrong one; rport/received (RFC
   * 3581) still brings the responses back, and the registration layer corrects Contact from `reflexive`.
   */
  #localFor(bound: SocketAddress, remote: SocketAddress): SocketAddress {
    if (!isWildcard(bound.address)) return { ...bound };
    if (isLoopback(remote.address)) return { ...bound, address: LOOPBACK[bound.family] };
    const iface = this.#network.interfaces().find((i) => i.family === bound.family && !i.internal);
    return { ...bound, address: iface?.address ?? LOOPBACK[bound.family] };
  }

  async #streamFlow(target: FlowTarget & { transport: 'tcp' | 'tls' }): Promise<FlowResult> {
    const remote: SocketAddress = { address: target.address, port: target.port, family: target.family };
    const servername = target.transport === 'tls' ? (target.hostname ?? target.address) : undefined;
    const existing = this.findFlow(target.transport, remote, servername);
    if (existing !== undefined) return { ok: true, flow: existing };
    const key = `${flowKey(target.transport, remote)}|${servername ?? ''}`;
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const attempt = this.#connect(target.transport, remote, servername).finally(() =>
      this.#connecting.delete(key),
    );
    this.#connecting.set(key, attempt);
    return attempt;
  }

  async #connect(
    transport: 'tcp' | 'tls',
    remote: SocketAddress,
    servername: string | undefined,
  ): Promise<FlowResult> {
    const tlsConfig = this.#options.tlsClient ?? {};
    let connection: StreamConnection;
    try {
      connection = await this.#network.connect({
        remote,
        timeoutMs: this.#connectTimeoutMs,
        ...(transport === 'tls' && {
          tls: {
            servername: servername ?? remote.address,
            ...(tlsConfig.ca !== undefined && { ca: tlsConfig.ca }),
            ...(tlsConfig.replaceCa !== undefined && { replaceCa: tlsConfig.replaceCa }),
            ...(tlsConfig.cert !== undefined && { cert: tlsConfig.cert }),
            ...(tlsConfig.key !== undefined && { key: tlsConfig.key }),
            // Verification stays on unless a test explicitly turned it off.
            rejectUnauthorized: tlsConfig.insecureSkipVerify !== true,
          },
        }),
      });
    } catch (error) {
      const code = errorCode(error);
      const reason = `${transport.toUpperCase()} connect to ${formatAddress(remote)} failed: ${(error as Error).message}`;
      this.#log('info', `transport: ${reason}`);
      if (code === 'ETIMEDOUT') return failure('connect-timeout', reason);
      if (
        transport === 'tls' &&
        code !== 'ECONNREFUSED' &&
        code !== 'ENETUNREACH' &&
        code !== 'EHOSTUNREACH'
      ) {
        return failure('tls-failed', reason);
      }
      return failure('connect-failed', reason);
    }
    if (this.#state === 'closed') {
      connection.close();
      return failure('shut-down', 'the transport layer closed while connecting');
    }
    return { ok: true, flow: this.#adopt(transport, connection, 'outgoing', servername) };
  }

  /**
   * A connection (ours or accepted) becomes a flow with its framer. Its advertised address (Via sent-by,
   * Contact) is the connection's local address with our listening port when we listen on that transport:
   * RFC 3261 §18.1.1 — "the transport layer MUST also be prepared to receive an incoming connection on the
   * source IP address from which the request was sent and port number in the "sent-by" field".
   */
  #adopt(
    transport: 'tcp' | 'tls',
    connection: StreamConnection,
    direction: 'outgoing' | 'incoming',
    servername?: string,
  ): StreamFlow {
    const listener = this.#listeners.find(
      (l) => l.transport === transport && l.server.local.family === connection.local.family,
    );
    const local: SocketAddress = {
      ...connection.local,
      ...(listener !== undefined && { port: listener.server.local.port }),
    };
    const flow = new StreamFlow(this.#flowContext, transport, connection, local, direction, servername);
    const framer = new SipStreamFramer({
      ...(this.#options.maxHeaderBytes !== undefined && { maxHeaderBytes: this.#options.maxHeaderBytes }),
      ...(this.#options.maxBodyBytes !== undefined && { maxBodyBytes: this.#options.maxBodyBytes }),
    });
    const subscriptions: Disposable[] = [];
    subscriptions.push(
      connection.onData((chunk) => {
        if (flow.state === 'closed') return;
        flow.touch();
        for (const event of framer.push(chunk)) {
          switch (event.type) {
            case 'message':
              this.#tap('in', flow, connection.remote, () => serialize(event.message));
              this.#receiveMessage(event.message, flow, connection.remote);
              break;
            case 'ping':
              // RFC 5626 §4.4.1: the server "responds with a 'pong' (a single CRLF)".
              flow.send(PONG);
              break;
            case 'pong':
              flow.receivedPong();
              break;
            case 'error':
              this.#tap('in', flow, connection.remote, new Uint8Array(0), event.error.reason);
              this.#rejectMalformed(event.error, flow, connection.remote);
              if (event.fatal) {
                this.#log('warn', `transport: ${flow.id}: framing lost (${event.error.reason}); closing`);
                flow.close('framing-error');
              }
              break;
          }
          if (flow.closed) break;
        }
      }),
      connection.onClose((error) => {
        if (flow.state !== 'closed') flow.close(error === undefined ? 'peer-closed' : 'error', error);
      }),
    );
    flow.onClose(() => {
      for (const s of subscriptions) s.dispose();
    });
    this.#register(flow);
    this.#log('info', `transport: ${direction} ${transport.toUpperCase()} flow ${flow.id}`);
    return flow;
  }

  #register(flow: SipFlow): void {
    const key = flowKey(flow.transport, flow.remote);
    const list = this.#flows.get(key);
    if (list === undefined) this.#flows.set(key, [flow]);
    else list.push(flow);
    flow.onClose((event) => {
      const current = this.#flows.get(key);
      if (current !== undefined) {
        const i = current.indexOf(flow);
        if (i >= 0) current.splice(i, 1);
        if (current.length === 0) this.#flows.delete(key);
      }
      this.#log(event.failed ? 'info' : 'debug', `transport: flow ${flow.id} closed (${event.reason})`);
      this.#flowClosed.emit(event);
      if (event.failed) this.#flowFailed.emit(event);
    });
  }

  // ───────────────────────────── keepalive and STUN ─────────────────────────────

  /**
   * Keep `flow` alive (RFC 5626 §4.4) until the returned keepalive is stopped. It holds the flow open; a
   * failure closes the flow (→ onFlowFailed).
   */
  startKeepalive(flow: SipFlow, options: KeepaliveOptions = {}): FlowKeepalive {
    if (flow.state === 'closed') throw new Error(`startKeepalive on closed flow ${flow.id}`);
    const stun = flow instanceof UdpFlow ? this.#udp.get(flow.remote.family)?.stun.client : undefined;
    const keepalive = new FlowKeepalive({
      flow,
      clock: this.clock,
      random: this.#random,
      log: this.#log,
      options,
      ...(stun !== undefined && { stun }),
    });
    this.#keepalives.add(keepalive);
    const done = (): void => void this.#keepalives.delete(keepalive);
    keepalive.onFailed(done);
    flow.onClose(done);
    return keepalive;
  }

  /**
   * One STUN Binding on a UDP flow's socket towards `to` (default: the flow's remote, e.g. a SIP server
   * that also answers STUN on its SIP port): our public address as `to` sees it, or undefined.
   */
  async discoverMapping(
    flow: SipFlow,
    to: SocketAddress = flow.remote,
    timeoutMs = 10_000,
  ): Promise<SocketAddress | undefined> {
    if (!(flow instanceof UdpFlow)) return undefined;
    const endpoint = this.#udp.get(to.family);
    if (endpoint === undefined) return undefined;
    const result = await endpoint.stun.client.request({ method: StunMethod.binding }, to, {
      timing: keepaliveStunTiming(timeoutMs),
    });
    if (result.outcome !== 'success') return undefined;
    const mapped = reflexiveAddressOf(result.response);
    if (mapped !== undefined && to === flow.remote) flow.setMappedAddress(mapped);
    return mapped;
  }

  // ───────────────────────────── sending ─────────────────────────────

  /**
   * Make the request's top Via describe `flow` (sent-by, transport, rport; RFC 3261 §18.1.1, RFC 3581 §3)
   * and remember the sent-by so that the responses are accepted (§18.1.2). Call once per request, before
   * serializing it; the transaction layer does.
   */
  prepareRequest(request: SipRequest, flow: SipFlow): void {
    const via = stampVia(request, flow.transport, flow.local);
    this.#sentBy.add(sentByKey(via.host, via.port));
  }

  /** Send bytes on a flow (requests the transaction layer prepared, ACKs, keepalives). */
  send(flow: SipFlow, bytes: Uint8Array): SendResult {
    if (this.#state === 'closed')
      return { ok: false, error: { code: 'shut-down', reason: 'the transport layer is closed' } };
    return this.#sendOn(flow, bytes);
  }

  #sendOn(flow: SipFlow, bytes: Uint8Array): SendResult {
    const result = flow.send(bytes);
    if (result.ok) this.#tap('out', flow, flow.remote, bytes);
    return result;
  }

  /**
   * Send a response to a request that arrived from `origin` (RFC 3261 §18.2.2):
   *
   * Reliable: "the response MUST be sent using the existing connection to the source of the original
   * request that created the transaction, if that connection is still open. [...] If the connection is no
   * longer open, the server SHOULD open a connection to the IP address in the "received" parameter, if
   * present, using the port in the "sent-by" value, or the default port for that transport".
   * Unreliable: see `responseDestination` (rport, maddr, received, sent-by), always from the socket the
   * request arrived on.
   */
  async sendResponse(response: SipResponse, origin: RequestOrigin): Promise<SendResult> {
    if (this.#state === 'closed')
      return { ok: false, error: { code: 'shut-down', reason: 'the transport layer is closed' } };
    const bytes = serialize(response);
    const flow = origin.flow;
    if (flow.reliable) {
      if (flow.state !== 'closed') return this.#sendOn(flow, bytes);
      const host = origin.via.received ?? origin.via.host;
      const target: FlowTarget = {
        transport: flow.transport,
        address: host.startsWith('[') ? host.slice(1, -1) : host,
        port: sentByPort(origin.via),
        family: host.includes(':') ? 6 : 4,
      };
      this.#log(
        'info',
        `transport: connection for response ${response.status} is gone; reconnecting to ${target.address}:${target.port}`,
      );
      const reopened = await this.acquireFlow(target);
      if (!reopened.ok) return reopened;
      return this.#sendOn(reopened.flow, bytes);
    }
    const destination = responseDestination(origin.via);
    if (!destination.ok) {
      this.#log('warn', `transport: response ${response.status} not sent: ${destination.reason}`);
      return { ok: false, error: { code: 'no-socket', reason: destination.reason } };
    }
    const target = this.#udpFlow(destination.to, 'incoming');
    if (target === undefined)
      return {
        ok: false,
        error: { code: 'no-socket', reason: `no UDP socket for IPv${destination.to.family}` },
      };
    return this.#sendOn(target, bytes);
  }

  // ───────────────────────────── receiving ─────────────────────────────

  #receiveDatagram(endpoint: UdpEndpoint, data: Buffer, from: SocketAddress): void {
    if (this.#state === 'closed') return;
    // RFC 7983 / RFC 5626 §4.4.2: STUN shares the SIP socket; its first byte is 0–3, SIP's is a letter.
    if (classifyPacket(data) === 'stun') {
      endpoint.stun.receive(data, from);
      return;
    }
    const result = parseMessage(data);
    if (!result.ok) {
      if (result.error.code === 'empty-message') {
        // A CRLF keepalive datagram: it only keeps the NAT binding open.
        this.findFlow('udp', from)?.touch();
        return;
      }
      const flow = this.#udpFlow(from, 'incoming');
      if (flow === undefined) return;
      this.#tap('in', flow, from, data, result.error.reason);
      this.#rejectMalformed(result.error, flow, from);
      return;
    }
    const flow = this.#udpFlow(from, 'incoming');
    if (flow === undefined) return;
    flow.touch();
    this.#tap('in', flow, from, data);
    this.#receiveMessage(result.message, flow, from);
  }

  #receiveMessage(message: SipMessage, flow: SipFlow, source: SocketAddress): void {
    if (message.kind === 'request') {
      const top = message.topVia;
      const updated = receivedVia(top, source);
      if (updated !== undefined) message.headers.replaceFirstValue(Header.Via, updated);
      this.#log('debug', `transport: ← ${message.method} from ${formatAddress(source)} on ${flow.id}`);
      this.#deliver('request', () =>
        this.#requests.emit({
          request: message,
          origin: { flow, source: { ...source }, via: updated ?? top },
        }),
      );
      return;
    }
    const via = message.topVia;
    // RFC 3261 §18.1.2: "If the value of the "sent-by" parameter in that header field value does not
    // correspond to a value that the client transport is configured to insert into requests, the response
    // MUST be silently discarded."
    if (!this.#sentBy.has(sentByKey(via.host, via.port))) {
      this.#log(
        'info',
        `transport: response ${message.status} from ${formatAddress(source)} with foreign Via ${via.host}:${via.port ?? ''} dropped`,
      );
      return;
    }
    const reflexive = reflexiveAddress(via);
    if (reflexive !== undefined) flow.setMappedAddress(reflexive);
    this.#log(
      'debug',
      `transport: ← ${message.status} ${message.cseq.method} from ${formatAddress(source)} on ${flow.id}`,
    );
    this.#deliver('response', () =>
      this.#responses.emit({ response: message, flow, source: { ...source }, reflexive }),
    );
  }

  /**
   * Hand a message up. Whatever an upper layer throws stops here: it is logged, and the socket's event
   * loop (a Node 'message' handler) never sees an exception.
   */
  #deliver(what: string, emit: () => void): void {
    try {
      emit();
    } catch (error) {
      this.#log('warn', `transport: the ${what} handler threw: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /**
   * A message that did not parse. RFC 3261 §18.3 / §16.3: a request we can still answer gets the parser's
   * verdict (400 naming the field, 505, 416, 513…) sent straight back where it came from — its Via cannot
   * be trusted for routing; anything else is dropped. Never throws.
   */
  #rejectMalformed(error: SipParseError, flow: SipFlow, source: SocketAddress): void {
    this.#log(
      'info',
      `transport: malformed message from ${formatAddress(source)} on ${flow.id}: ${error.reason}`,
    );
    if (!error.respond) return;
    let bytes: Uint8Array;
    try {
      bytes = serialize(createResponse(error.request, error.status, error.reasonPhrase));
    } catch (e) {
      this.#log(
        'warn',
        `transport: could not build ${error.status} for a malformed request: ${(e as Error).message}`,
      );
      return;
    }
    const sent = flow instanceof UdpFlow ? flow.sendTo(bytes, source) : flow.send(bytes);
    if (sent.ok) this.#tap('out', flow, source, bytes);
  }
}

function failure(code: TransportError['code'], reason: string): FlowResult {
  return { ok: false, error: { code, reason } };
}
