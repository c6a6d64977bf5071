/**
 * The real network: node:dgram for datagrams, node:net / node:tls for streams, node:os for interfaces.
 * Every failure becomes an Error value (a rejected promise, onError, or onClose(error)); no Node error
 * event is ever left without a handler, so nothing here can raise an uncaught exception.
 *
 * TLS clients verify the server by default: the chain against Node's default trust store plus the
 * `ca` given (or `ca` alone with `replaceCa`), and the certificate's names against `servername`, which is
 * also sent as SNI unless it is an IP address (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not
 * permitted in HostName").
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer as createTcpServer, connect as connectTcp, isIP } from 'node:net';
import type { Server as TcpServer, Socket as TcpSocket, AddressInfo, TcpNetConnectOpts } from 'node:net';
import * as tls from 'node:tls';
import { networkInterfaces } from 'node:os';
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { asError, codedError } from './coded-error.ts';
import { StreamConnectionEvents } from './stream-events.ts';
import { formatAddress } from './ports.ts';
import type {
  DatagramBindOptions,
  DatagramSocket,
  IpFamily,
  Network,
  NetworkInterfaceAddress,
  SocketAddress,
  StreamConnectOptions,
  StreamConnection,
  StreamListenOptions,
  StreamServer,
  TlsClientOptions,
} from './ports.ts';

export class NodeNetwork implements Network {
  async bindDatagram(options: DatagramBindOptions): Promise<DatagramSocket> {
    const address = options.address ?? wildcardOf(options.family);
    checkFamily(address, options.family, 'bind');
    const socket = createSocket({
      type: options.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: options.family === 6,
    });
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => {
        socket.on('error', ignore);
        try {
          socket.close();
        } catch {
          // the handle is already gone after some bind failures
        }
        reject(error);
      };
      socket.once('error', failed);
      socket.bind({ address, port: options.port ?? 0, exclusive: true }, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    return new NodeDatagramSocket(socket, options.family);
  }

  async connect(options: StreamConnectOptions): Promise<StreamConnection> {
    const { remote, tls: tlsOptions, timeoutMs, localAddress } = options;
    checkFamily(remote.address, remote.family, 'connect');
    const secure = tlsOptions !== undefined;
    return new Promise((resolve, reject) => {
      const tcp: TcpNetConnectOpts = {
        host: remote.address,
        port: remote.port,
        family: remote.family,
        localAddress,
      };
      const socket: TcpSocket = tlsOptions ? connectTls(tcp, tlsOptions) : connectTcp(tcp);
      const readyEvent = secure ? 'secureConnect' : 'connect';
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.off(readyEvent, ready);
      };
      const failed = (error: Error): void => {
        cleanup();
        socket.on('error', ignore);
        socket.destroy();
        reject(error);
      };
      const ready = (): void => {
        cleanup();
        resolve(new NodeStreamConnection(socket, secure));
      };
      socket.once('error', failed);
      socket.once(readyEvent, ready);
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () =>
            failed(
              codedError('ETIMEDOUT', `connect to ${formatAddress(remote)} timed out after ${timeoutMs} ms`),
            ),
          Math.max(0, timeoutMs),
        );
      }
    });
  }

  async listen(options: StreamListenOptions): Promise<StreamServer> {
    const address = options.address ?? wildcardOf(options.family);
    checkFamily(address, options.family, 'listen');
    const tlsOptions = options.tls;
    const server: TcpServer = tlsOptions
      ? tls.createServer({
          cert: tlsOptions.cert,
          key: tlsOptions.key,
          ca: tlsOptions.ca,
          requestCert: tlsOptions.requestCert ?? false,
          rejectUnauthorized: tlsOptions.requestCert ?? false,
        })
      : createTcpServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => {
        server.on('error', ignore);
        server.close();
        reject(error);
      };
      server.once('error', failed);
      server.listen(
        { host: address, port: options.port ?? 0, ipv6Only: options.family === 6, exclusive: true },
        () => {
          server.off('error', failed);
          resolve();
        },
      );
    });
    return new NodeStreamServer(server, tlsOptions !== undefined);
  }

  interfaces(): NetworkInterfaceAddress[] {
    const result: NetworkInterfaceAddress[] = [];
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      for (const a of addresses ?? []) {
        result.push({ name, address: a.address, family: a.family === 'IPv6' ? 6 : 4, internal: a.internal });
      }
    }
    return result;
  }
}

// ─────────────────────────── datagrams ───────────────────────────

class NodeDatagramSocket implements DatagramSocket {
  readonly local: SocketAddress;
  private isClosed = false;
  private readonly socket: UdpSocket;
  private readonly family: IpFamily;
  private readonly messages = new Emitter<{ data: Buffer; from: SocketAddress }>();
  private readonly errors = new Emitter<Error>();

  constructor(socket: UdpSocket, family: IpFamily) {
    this.socket = socket;
    this.family = family;
    this.local = addressInfo(socket.address());
    socket.on('message', (data, rinfo) => {
      this.messages.emit({
        data,
        from: { address: rinfo.address, port: rinfo.port, family: familyOf(rinfo.family) },
      });
    });
    socket.on('error', (error) => this.errors.emit(error));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(data: Uint8Array, to: SocketAddress): void {
    if (this.isClosed) throw new Error(`send on closed datagram socket ${formatAddress(this.local)}`);
    checkPort(to.port);
    const family = isIP(to.address);
    if (family === 0)
      throw new TypeError(`datagram destination must be a numeric IP address, got "${to.address}"`);
    if (family !== this.family) {
      const error = codedError(
        'EAFNOSUPPORT',
        `IPv${this.family} socket cannot send to ${formatAddress(to)}`,
      );
      queueMicrotask(() => this.reportError(error));
      return;
    }
    // Copied: the bytes leave after an asynchronous address lookup, and callers may reuse their buffer.
    this.socket.send(Buffer.from(data), to.port, to.address, (error) => {
      if (error) this.reportError(error);
    });
  }

  onMessage(listener: (data: Buffer, from: SocketAddress) => void): Disposable {
    return this.messages.on(({ data, from }) => listener(data, from));
  }

  onError(listener: (error: Error) => void): Disposable {
    return this.errors.on(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.messages.clear();
    this.errors.clear();
    this.socket.close();
  }

  private reportError(error: Error): void {
    if (!this.isClosed) this.errors.emit(error);
  }
}

// ──────────────────────────── streams ────────────────────────────

class NodeStreamConnection implements StreamConnection {
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  readonly secure: boolean;
  private isClosed = false;
  private lastError: Error | undefined;
  private readonly socket: TcpSocket;
  private readonly events = new StreamConnectionEvents();

  constructor(socket: TcpSocket, secure: boolean) {
    this.socket = socket;
    this.secure = secure;
    this.local = addressInfo(socket.address());
    this.remote = {
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      family: familyOf(socket.remoteFamily ?? 'IPv4'),
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.events.deliver(chunk));
    socket.on('error', (error) => {
      this.lastError = asError(error);
    });
    socket.on('close', () => {
      this.isClosed = true;
      this.events.end(this.lastError);
    });
    // The peer may already be gone by the time we wrap the socket.
    if (socket.destroyed) {
      this.isClosed = true;
      this.events.end(codedError('ECONNRESET', `connection to ${formatAddress(this.remote)} closed at once`));
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: Uint8Array): void {
    if (this.isClosed || this.socket.destroyed) return;
    // Copied: a queued write keeps a reference to the buffer until the kernel takes it.
    this.socket.write(Buffer.from(data));
  }

  onData(listener: (data: Buffer) => void): Disposable {
    return this.events.onData(listener);
  }

  onClose(listener: (error?: Error) => void): Disposable {
    return this.events.onClose(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // end() after the queued writes, then release the socket without waiting for the peer's FIN.
    this.socket.destroySoon();
  }
}

class NodeStreamServer implements StreamServer {
  readonly local: SocketAddress;
  private isClosed = false;
  private readonly server: TcpServer;
  private readonly connections = new Emitter<StreamConnection>();
  private readonly errors = new Emitter<Error>();

  constructor(server: TcpServer, secure: boolean) {
    this.server = server;
    const info = server.address();
    if (info === null || typeof info === 'string') throw new Error('stream server has no IP address');
    this.local = addressInfo(info);
    server.on(secure ? 'secureConnection' : 'connection', (socket: TcpSocket) => {
      // Nobody to hand the connection to: do not let it linger half-owned.
      if (this.connections.listenerCount === 0) {
        socket.on('error', ignore);
        socket.destroy();
        return;
      }
      this.connections.emit(new NodeStreamConnection(socket, secure));
    });
    server.on('error', (error) => this.errors.emit(error));
    if (secure) {
      server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
        socket.on('error', ignore);
        socket.destroy();
        this.errors.emit(error);
      });
    }
  }

  onConnection(listener: (conn: StreamConnection) => void): Disposable {
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
    this.server.close();
  }
}

// ───────────────────────────── helpers ───────────────────────────

let defaultTrustAnchors: readonly string[] | undefined;

/**
 * Node's default trust store (the bundled roots, plus NODE_EXTRA_CA_CERTS and the OS store when Node runs
 * with --use-system-ca). Older runtimes without tls.getCACertificates fall back to the bundled roots.
 */
function defaultCertificates(): readonly string[] {
  defaultTrustAnchors ??=
    typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : tls.rootCertificates;
  return defaultTrustAnchors;
}

function connectTls(tcp: TcpNetConnectOpts, options: TlsClientOptions): tls.TLSSocket {
  // tls.connect takes every net.connect option as well; its typings leave some of them out.
  const all: tls.ConnectionOptions & TcpNetConnectOpts = { ...tcp, ...tlsClientContext(options) };
  return tls.connect(all);
}

function tlsClientContext(options: TlsClientOptions): tls.ConnectionOptions {
  const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
  const ca = options.replaceCa ? extra : extra.length > 0 ? [...defaultCertificates(), ...extra] : undefined;
  const servername = options.servername;
  return {
    ...(isIP(servername) === 0 ? { servername } : {}),
    ca,
    cert: options.cert,
    key: options.key,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername, cert),
  };
}

function wildcardOf(family: IpFamily): string {
  return family === 6 ? '::' : '0.0.0.0';
}

function checkFamily(address: string, family: IpFamily, what: string): void {
  const actual = isIP(address);
  if (actual === 0) throw new TypeError(`${what}: "${address}" is not a numeric IP address`);
  if (actual !== family) throw new TypeError(`${what}: ${address} is not an IPv${family} address`);
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid port ${port}`);
}

function familyOf(family: string | number): IpFamily {
  return family === 'IPv6' || family === 6 ? 6 : 4;
}

function addressInfo(info: AddressInfo | Record<string, never>): SocketAddress {
  if (!('address' in info)) return { address: '', port: 0, family: 4 };
  return { address: info.address, port: info.port, family: familyOf(info.family) };
}

function ignore(): void {}
