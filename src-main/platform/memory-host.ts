/**
 * One machine of the in-memory network (see memory-network.ts): its addresses, its UDP sockets, its
 * listeners and connection ends, and the ports they hold. It is the `Network` the code under test gets.
 * Moving packets between machines is the network's job (HostFabric).
 */
import { X509Certificate } from 'node:crypto';
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { codedError } from './coded-error.ts';
import {
  LOOPBACK,
  WILDCARD,
  canonicalOrThrow,
  checkedEndpoint,
  isLoopback,
  isWildcard,
  parseIp,
  parseOrThrow,
} from './ip-address.ts';
import type { ParsedIp } from './ip-address.ts';
import type { MemoryNat, TransportProtocol } from './memory-nat.ts';
import { MemoryStreamServer } from './memory-stream.ts';
import type { MemoryStreamConnection } from './memory-stream.ts';
import { formatAddress } from './ports.ts';
import type {
  DatagramBindOptions,
  DatagramSocket,
  IpFamily,
  Network,
  NetworkInterfaceAddress,
  SocketAddress,
  StreamConnectOptions,
  StreamListenOptions,
  TlsServerOptions,
} from './ports.ts';

export interface MemoryHostOptions {
  /** A label for messages (default: the first address). */
  name?: string;
  /** The interface name the addresses appear on in interfaces() (default 'eth0'). */
  interfaceName?: string;
  /** Put the host inside this NAT (for its addresses of the NAT's family). */
  nat?: MemoryNat;
}

/** TLS server options for the in-memory network: `names` decides which servernames the "certificate" fits. */
export interface MemoryTlsServerOptions extends TlsServerOptions {
  names?: string[];
  /**
   * The trust anchor (PEM, or any text standing for one) of a certificate from a private CA: a client
   * accepts it only when its `ca` includes this anchor, else the connect rejects with
   * UNABLE_TO_VERIFY_LEAF_SIGNATURE, as Node does. Default: a certificate every client trusts (the model
   * has no system store).
   */
  issuer?: string;
}

export interface MemoryStreamListenOptions extends StreamListenOptions {
  tls?: MemoryTlsServerOptions;
}

/** The services hosts get from their network. */
export interface HostFabric {
  readonly firstEphemeralPort: number;
  sendDatagram(socket: MemoryDatagramSocket, host: MemoryHost, data: Uint8Array, to: SocketAddress): void;
  connect(host: MemoryHost, options: StreamConnectOptions): Promise<MemoryStreamConnection>;
  checkNewAddress(host: MemoryHost, address: ParsedIp): void;
}

// ───────────────────────────── hosts ─────────────────────────────

interface HostAddress extends ParsedIp {
  interfaceName: string;
}

/** One machine on the in-memory network; it is the `Network` its code under test uses. */
export class MemoryHost implements Network {
  readonly name: string;
  private readonly fabric: HostFabric;
  private readonly addressList: HostAddress[];
  private readonly defaultInterface: string;
  private readonly datagramSockets = new Set<MemoryDatagramSocket>();
  private readonly listeners = new Set<MemoryStreamServer>();
  private readonly streams = new Set<MemoryStreamConnection>();
  /** Local ends of outgoing connections, from connect() until they close. */
  private readonly outgoingPorts = new Set<SocketAddress>();
  private connecting = 0;
  private readonly cursor: Record<TransportProtocol, number>;

  /** Created by MemoryNetwork.host(). */
  constructor(fabric: HostFabric, addresses: ParsedIp[], options: MemoryHostOptions) {
    this.fabric = fabric;
    this.defaultInterface = options.interfaceName ?? 'eth0';
    this.addressList = addresses.map((a) => ({ ...a, interfaceName: this.defaultInterface }));
    this.name = options.name ?? addresses[0]?.address ?? 'host';
    this.cursor = { udp: fabric.firstEphemeralPort, tcp: fabric.firstEphemeralPort };
  }

  /** The host's (non-loopback) addresses, in order. */
  addresses(): string[] {
    return this.addressList.map((a) => a.address);
  }

  /** @internal */
  parsedAddresses(): ParsedIp[] {
    return this.addressList.map(({ address, family }) => ({ address, family }));
  }

  /** Whether `address` is one of the host's non-loopback addresses. */
  owns(address: string): boolean {
    return this.addressList.some((a) => a.address === address);
  }

  /** Whether traffic to `address` stays inside this host (loopback or its own address). */
  isLocal(address: string): boolean {
    return isLoopback(address) || this.owns(address);
  }

  /** The address used as source towards other hosts: the first one of the family. */
  primaryAddress(family: IpFamily): string | undefined {
    return this.addressList.find((a) => a.family === family)?.address;
  }

  /** Gain an address (a new Wi-Fi lease, a VPN coming up). */
  addAddress(address: string, interfaceName = this.defaultInterface): void {
    const parsed = parseOrThrow(address);
    if (this.owns(parsed.address)) throw new Error(`${this.name} already has ${parsed.address}`);
    this.fabric.checkNewAddress(this, parsed);
    this.addressList.push({ ...parsed, interfaceName });
  }

  /**
   * Lose an address. Sockets bound to it stay open but can no longer send (EADDRNOTAVAIL) or receive;
   * connections using it fall silent, as they do when a laptop leaves a network.
   */
  removeAddress(address: string): void {
    const canonical = canonicalOrThrow(address);
    const i = this.addressList.findIndex((a) => a.address === canonical);
    if (i < 0) throw new Error(`${this.name} does not have ${canonical}`);
    this.addressList.splice(i, 1);
  }

  interfaces(): NetworkInterfaceAddress[] {
    return [
      { name: 'lo', address: LOOPBACK[4], family: 4, internal: true },
      { name: 'lo', address: LOOPBACK[6], family: 6, internal: true },
      ...this.addressList.map((a) => ({
        name: a.interfaceName,
        address: a.address,
        family: a.family,
        internal: false,
      })),
    ];
  }

  async bindDatagram(options: DatagramBindOptions): Promise<DatagramSocket> {
    const address = this.bindableAddress(options.address, options.family, 'bind');
    const port = this.claimPort('udp', options.family, address, options.port ?? 0);
    const socket = new MemoryDatagramSocket(
      this,
      this.fabric,
      { address, port, family: options.family },
      () => this.datagramSockets.delete(socket),
    );
    this.datagramSockets.add(socket);
    return socket;
  }

  connect(options: StreamConnectOptions): Promise<MemoryStreamConnection> {
    return this.fabric.connect(this, options);
  }

  async listen(options: MemoryStreamListenOptions): Promise<MemoryStreamServer> {
    const address = this.bindableAddress(options.address, options.family, 'listen');
    const port = this.claimPort('tcp', options.family, address, options.port ?? 0);
    const tls =
      options.tls === undefined
        ? undefined
        : {
            acceptsName: tlsNameMatcher(options.tls),
            requestCert: options.tls.requestCert ?? false,
            issuer: options.tls.issuer,
          };
    const server = new MemoryStreamServer({ address, port, family: options.family }, tls, () =>
      this.listeners.delete(server),
    );
    this.listeners.add(server);
    return server;
  }

  /** Open sockets, listeners, connection ends and connects in progress on this host. */
  openSockets(): number {
    return this.datagramSockets.size + this.listeners.size + this.streams.size + this.connecting;
  }

  // ───────── used by the network ─────────

  /** @internal the socket that receives datagrams sent to `to` */
  datagramSocketFor(to: SocketAddress): MemoryDatagramSocket | undefined {
    let wildcard: MemoryDatagramSocket | undefined;
    for (const socket of this.datagramSockets) {
      const local = socket.local;
      if (local.port !== to.port || local.family !== to.family) continue;
      if (local.address === to.address) return socket;
      if (isWildcard(local.address)) wildcard ??= socket;
    }
    return wildcard;
  }

  /** @internal the listener for a connection to `to` */
  listenerFor(to: SocketAddress): MemoryStreamServer | undefined {
    let wildcard: MemoryStreamServer | undefined;
    for (const server of this.listeners) {
      const local = server.local;
      if (local.port !== to.port || local.family !== to.family) continue;
      if (local.address === to.address) return server;
      if (isWildcard(local.address)) wildcard ??= server;
    }
    return wildcard;
  }

  /** @internal a free ephemeral port for `address` */
  allocatePort(protocol: TransportProtocol, family: IpFamily, address: string): number {
    const first = this.fabric.firstEphemeralPort;
    for (let i = 0; i <= 65_535 - first; i++) {
      const port = this.cursor[protocol];
      this.cursor[protocol] = port >= 65_535 ? first : port + 1;
      if (this.portFree(protocol, family, address, port)) return port;
    }
    throw codedError('EADDRINUSE', `${this.name} has no free ephemeral ${protocol} port`);
  }

  /**
   * @internal An outgoing connection holds its local port from connect() until it closes; it counts as an
   * open socket while connecting and as a stream once established. `release` must run exactly once.
   */
  reserveConnect(local: SocketAddress): {
    establish: (end: MemoryStreamConnection) => void;
    release: () => void;
  } {
    this.outgoingPorts.add(local);
    this.connecting++;
    let established: MemoryStreamConnection | undefined;
    return {
      establish: (end) => {
        established = end;
        this.connecting--;
        this.streams.add(end);
      },
      release: () => {
        this.outgoingPorts.delete(local);
        if (established === undefined) this.connecting--;
        else this.streams.delete(established);
      },
    };
  }

  /** @internal an accepted connection end, open until it closes */
  adoptStream(end: MemoryStreamConnection): void {
    this.streams.add(end);
  }

  /** @internal */
  forgetStream(end: MemoryStreamConnection): void {
    this.streams.delete(end);
  }

  private bindableAddress(text: string | undefined, family: IpFamily, what: string): string {
    const address = text === undefined ? WILDCARD[family] : canonicalOrThrow(text);
    if ((address.includes(':') ? 6 : 4) !== family)
      throw new TypeError(`${what}: ${address} is not an IPv${family} address`);
    if (!isWildcard(address) && !this.isLocal(address)) {
      throw codedError('EADDRNOTAVAIL', `${what} ${address}: not an address of ${this.name}`);
    }
    return address;
  }

  private claimPort(protocol: TransportProtocol, family: IpFamily, address: string, port: number): number {
    if (port === 0) return this.allocatePort(protocol, family, address);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`invalid port ${port}`);
    if (!this.portFree(protocol, family, address, port)) {
      throw codedError(
        'EADDRINUSE',
        `${protocol} ${formatAddress({ address, port, family })} on ${this.name} is in use`,
      );
    }
    return port;
  }

  private portFree(protocol: TransportProtocol, family: IpFamily, address: string, port: number): boolean {
    const taken: SocketAddress[] =
      protocol === 'udp'
        ? [...this.datagramSockets].map((s) => s.local)
        : [...[...this.listeners].map((s) => s.local), ...this.outgoingPorts];
    return !taken.some(
      (t) =>
        t.port === port &&
        t.family === family &&
        (t.address === address || isWildcard(t.address) || isWildcard(address)),
    );
  }
}

// ───────────────────────────── datagram sockets ─────────────────────────────

export class MemoryDatagramSocket implements DatagramSocket {
  readonly local: SocketAddress;
  private isClosed = false;
  private readonly host: MemoryHost;
  private readonly fabric: HostFabric;
  private readonly messages = new Emitter<{ data: Buffer; from: SocketAddress }>();
  private readonly errors = new Emitter<Error>();
  private readonly onRelease: () => void;

  constructor(host: MemoryHost, fabric: HostFabric, local: SocketAddress, onRelease: () => void) {
    this.host = host;
    this.fabric = fabric;
    this.local = local;
    this.onRelease = onRelease;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(data: Uint8Array, to: SocketAddress): void {
    if (this.isClosed) throw new Error(`send on closed datagram socket ${formatAddress(this.local)}`);
    const destination = checkedEndpoint(to, 'send');
    if (destination.family !== this.local.family) {
      this.fail(
        codedError('EAFNOSUPPORT', `IPv${this.local.family} socket cannot send to ${formatAddress(to)}`),
      );
      return;
    }
    this.fabric.sendDatagram(this, this.host, new Uint8Array(data), destination);
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
    this.onRelease();
  }

  /** @internal */
  receive(data: Buffer, from: SocketAddress): void {
    if (!this.isClosed) this.messages.emit({ data, from });
  }

  /** @internal report an error asynchronously, as a real socket does */
  fail(error: Error): void {
    queueMicrotask(() => {
      if (!this.isClosed) this.errors.emit(error);
    });
  }
}

// ───────────────────────────── helpers ─────────────────────────────

/** Which servernames a memory TLS listener's "certificate" is valid for. */
function tlsNameMatcher(options: MemoryTlsServerOptions): (servername: string) => boolean {
  if (options.names !== undefined) {
    const names = options.names.map(normalizeName);
    return (servername) => names.some((pattern) => nameMatches(pattern, normalizeName(servername)));
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(options.cert);
  } catch {
    throw codedError('EINVAL', 'a memory TLS listener needs `names` or a certificate it can parse');
  }
  return (servername) =>
    parseIp(servername) !== undefined
      ? certificate.checkIP(servername) !== undefined
      : certificate.checkHost(servername) !== undefined;
}

function normalizeName(name: string): string {
  return parseIp(name)?.address ?? name.toLowerCase().replace(/\.$/, '');
}

/** RFC 6125 §6.4.3, simplified: a leading "*." stands for exactly one label. */
function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === name;
  const suffix = pattern.slice(1);
  if (!name.endsWith(suffix)) return false;
  const label = name.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}
