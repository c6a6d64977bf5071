/**
 * The ports through which the phone touches the outside world. Protocol cores (transactions,
 * registration, ICE checks, STUN transactions, jitter buffer…) never import node:dgram, node:net,
 * node:tls, node:dns or use real timers: they receive these interfaces. Real implementations live in
 * this folder (node-*.ts); deterministic fakes for unit tests live beside them (fake-*.ts,
 * memory-network.ts).
 */
import type { Disposable } from '../../src-shared/util/emitter.ts';

// ───────────────────────────── time ─────────────────────────────

export interface Timer extends Disposable {
  /** Same as dispose(): the callback will not run (no-op once it has run). */
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time in ms since the Unix epoch (for timestamps shown to users and stored). */
  now(): number;
  /** Monotonic time in ms (for durations and scheduling); never jumps backwards. */
  monotonic(): number;
  /**
   * Run `fn` once after `ms` milliseconds of monotonic time. A negative `ms` counts as 0; NaN or an
   * infinite delay is a bug and throws a RangeError.
   */
  setTimer(ms: number, fn: () => void): Timer;
  /** Run `fn` every `ms` milliseconds (at least 1) until cancelled; same argument rules as setTimer. */
  setInterval(ms: number, fn: () => void): Timer;
}

// ─────────────────────────── addresses ───────────────────────────

export type IpFamily = 4 | 6;

export interface SocketAddress {
  /** Numeric IP address (IPv6 without brackets). */
  address: string;
  port: number;
  family: IpFamily;
}

// ─────────────────────────── datagrams ───────────────────────────

export interface DatagramBindOptions {
  family: IpFamily;
  /** Local address to bind; default: the wildcard address of the family. */
  address?: string;
  /** Local port; 0 or absent = any free port. */
  port?: number;
}

export interface DatagramSocket {
  /** The bound local address (for a wildcard bind: the wildcard). */
  readonly local: SocketAddress;
  readonly closed: boolean;
  /**
   * Send one datagram. Network failures (unreachable, wrong family, too big…) arrive on onError, never
   * as a throw. Sending on a socket you closed, or to a non-numeric address or an invalid port, is a bug
   * and throws.
   */
  send(data: Uint8Array, to: SocketAddress): void;
  /** Subscribe to received datagrams; `from` is the packet's source as seen by this socket. */
  onMessage(listener: (data: Buffer, from: SocketAddress) => void): Disposable;
  /** Asynchronous socket errors (ICMP unreachable and the like); sends never throw for these. */
  onError(listener: (error: Error) => void): Disposable;
  close(): void;
}

// ──────────────────────────── streams ────────────────────────────

export interface TlsClientOptions {
  /** SNI and the name the certificate is checked against. */
  servername: string;
  /** Extra trust anchors (PEM); the system store is used as well unless `replaceCa` is set. */
  ca?: string | string[];
  /** Trust only `ca`, not the system store as well. */
  replaceCa?: boolean;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** Verification is on by default; only tests with explicit intent turn it off. */
  rejectUnauthorized?: boolean;
}

export interface StreamConnectOptions {
  remote: SocketAddress;
  /** Bind the local side to this address (optional). */
  localAddress?: string;
  tls?: TlsClientOptions;
  /** Timeout in ms for the TCP connect and the TLS handshake together (rejects with code ETIMEDOUT). */
  timeoutMs?: number;
}

export interface TlsServerOptions {
  cert: string;
  key: string;
  /** Trust anchors for client certificates (only these, not the system store). */
  ca?: string | string[];
  /** Ask for a client certificate; a client without a valid one is then refused. */
  requestCert?: boolean;
}

export interface StreamListenOptions {
  family: IpFamily;
  address?: string;
  port?: number;
  tls?: TlsServerOptions;
}

export interface StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly secure: boolean;
  readonly closed: boolean;
  /** Queue bytes for the peer. Writing after the connection closed (either side) is silently ignored. */
  write(data: Uint8Array): void;
  /**
   * Received bytes (chunk boundaries carry no meaning). Data that arrives before the first subscription
   * is kept and handed to that first listener (in a microtask); later, data nobody listens to is lost.
   */
  onData(listener: (data: Buffer) => void): Disposable;
  /**
   * Fires exactly once, with the error if the connection failed. Subscribing after the connection
   * closed still reports it (in a microtask).
   */
  onClose(listener: (error?: Error) => void): Disposable;
  /** Graceful close: queued data is still sent, then the peer sees the close. Idempotent. */
  close(): void;
}

export interface StreamServer {
  readonly local: SocketAddress;
  onConnection(listener: (conn: StreamConnection) => void): Disposable;
  /** Failures of the listener or of connections that never got established (e.g. a TLS handshake). */
  onError(listener: (error: Error) => void): Disposable;
  /** Stop accepting; connections already accepted stay open. Idempotent. */
  close(): void;
}

// ─────────────────────────── interfaces ──────────────────────────

export interface NetworkInterfaceAddress {
  name: string;
  address: string;
  family: IpFamily;
  internal: boolean;
}

/** Everything socket-shaped the phone needs. One real implementation, one in-memory. */
export interface Network {
  bindDatagram(options: DatagramBindOptions): Promise<DatagramSocket>;
  connect(options: StreamConnectOptions): Promise<StreamConnection>;
  listen(options: StreamListenOptions): Promise<StreamServer>;
  /** The host's current interface addresses. */
  interfaces(): NetworkInterfaceAddress[];
}

// ──────────────────────────── DNS ────────────────────────────────

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * DNS lookups. Failures reject with an Error whose `code` is a node:dns code: ENOTFOUND (NXDOMAIN),
 * ENODATA (the name exists but has no record of that type), ETIMEOUT, ESERVFAIL, ECONNREFUSED, …
 */
export interface Resolver {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

// ───────────────────────────── helpers ───────────────────────────

export function formatAddress(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && a.family === b.family && a.address === b.address;
}

/** The `code` of an error from this layer (`EADDRINUSE`, `ENOTFOUND`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
