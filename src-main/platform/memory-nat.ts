/**
 * The translation table of one simulated NAT, with the behaviours RFC 4787 names (UDP) and RFC 5382 reuses
 * for TCP. Routing is the in-memory network's job; this class only answers "which external port does
 * this internal endpoint get towards that remote" and "may this inbound packet pass, and to whom".
 *
 * Mapping (RFC 4787 §4.1): which outbound packets share one external port.
 *   endpoint-independent         "the NAT reuses the port mapping for subsequent packets sent from the same
 *                                 internal IP address and port (X:x) to any external IP address and port"
 *   address-dependent            … to the same external IP address, regardless of the external port
 *   address-and-port-dependent   … to the same external IP address and port while the mapping is active
 *
 * Filtering (RFC 4787 §5): which inbound packets to an external port reach the internal endpoint.
 *   endpoint-independent         any external endpoint
 *   address-dependent            only addresses the internal endpoint has sent to through this mapping
 *   address-and-port-dependent   only address:port pairs it has sent to through this mapping
 *
 * Lifetime (RFC 4787 §4.3): a UDP mapping expires `bindingLifetimeMs` after the last outbound packet
 * ("NAT Outbound refresh behavior MUST be True"), or the last inbound one with `inboundRefresh`.
 * Expiry is evaluated lazily against the clock, so the NAT owns no timers. A TCP mapping lives while a
 * connection uses it and goes when the last one closes.
 *
 * Port assignment: with `portPreservation` the external port equals the internal one when it is free
 * (RFC 4787 §4.2.1); otherwise the next free port from `firstPort` upwards (or a seeded random one).
 * External ports are never shared between mappings.
 */
import type { IpFamily, SocketAddress } from './ports.ts';
import type { ParsedIp } from './ip-address.ts';
import type { SeededRandom } from './seeded-random.ts';
import { codedError } from './coded-error.ts';

export type NatBehavior = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
export type TransportProtocol = 'udp' | 'tcp';

export interface MemoryNatOptions {
  publicAddress: string;
  /** Default 'endpoint-independent'. */
  mapping?: NatBehavior;
  /** Default 'address-and-port-dependent' (a "port-restricted cone", like Linux MASQUERADE). */
  filtering?: NatBehavior;
  /** Idle lifetime of a UDP mapping in ms (default 120_000, RFC 4787 REQ-5's minimum). */
  bindingLifetimeMs?: number;
  /** Whether inbound packets refresh a UDP mapping too (default false). */
  inboundRefresh?: boolean;
  /** Loop packets from inside to the NAT's own public address back in (RFC 4787 §6; default false). */
  hairpinning?: boolean;
  /** Keep the internal port as the external one when it is free (default true). */
  portPreservation?: boolean;
  /** How other ports are chosen (default 'sequential'). */
  portAllocation?: 'sequential' | 'random';
  /** Lowest port handed out when the internal one is not kept (default 20000). */
  firstPort?: number;
}

/** One entry of the translation table, as tests see it. */
export interface NatMappingInfo {
  protocol: TransportProtocol;
  internal: SocketAddress;
  external: SocketAddress;
  /** The remote this mapping is specific to (address-dependent: address only). */
  remote?: { address: string; port?: number };
  /** Monotonic time at which an idle UDP mapping goes; undefined for TCP. */
  expiresAt?: number;
  /** The remotes the internal endpoint has sent to through this mapping. */
  permissions: { address: string; port: number }[];
}

export type InboundVerdict =
  { pass: true; internal: SocketAddress } | { pass: false; reason: 'nat-no-mapping' | 'nat-filtered' };

interface Mapping {
  readonly protocol: TransportProtocol;
  readonly key: string;
  readonly internal: SocketAddress;
  readonly externalPort: number;
  readonly remote: { address: string; port?: number } | undefined;
  refreshedAt: number;
  /** Remote addresses sent to, for address-dependent filtering. */
  readonly addresses: Set<string>;
  /** Remote endpoints sent to, for address-and-port-dependent filtering (keyed "address|port"). */
  readonly endpoints: Map<string, { address: string; port: number }>;
  /** TCP: the connections using it, each with its "state lost" handler. */
  readonly streams: Set<() => void>;
}

export class MemoryNat {
  readonly mapping: NatBehavior;
  readonly filtering: NatBehavior;
  readonly bindingLifetimeMs: number;
  readonly inboundRefresh: boolean;
  readonly hairpinning: boolean;
  readonly portPreservation: boolean;
  readonly portAllocation: 'sequential' | 'random';
  readonly firstPort: number;
  /** The NAT translates this family only (its public address's); other traffic passes it by. */
  readonly family: IpFamily;
  private currentPublicAddress: string;
  private readonly now: () => number;
  private readonly random: SeededRandom;
  private readonly byKey = new Map<string, Mapping>();
  private readonly byExternal = new Map<string, Mapping>();
  private readonly cursor: Record<TransportProtocol, number>;
  /** Ports in use at the last rebind(), kept out of the next assignments. */
  private quarantine = new Set<string>();
  private readonly changeAddress: (nat: MemoryNat, address: string) => string;

  /** Created by MemoryNetwork.addNat(). */
  constructor(
    options: MemoryNatOptions,
    publicAddress: ParsedIp,
    now: () => number,
    random: SeededRandom,
    changeAddress: (nat: MemoryNat, address: string) => string,
  ) {
    this.mapping = options.mapping ?? 'endpoint-independent';
    this.filtering = options.filtering ?? 'address-and-port-dependent';
    this.bindingLifetimeMs = options.bindingLifetimeMs ?? 120_000;
    this.inboundRefresh = options.inboundRefresh ?? false;
    this.hairpinning = options.hairpinning ?? false;
    this.portPreservation = options.portPreservation ?? true;
    this.portAllocation = options.portAllocation ?? 'sequential';
    this.firstPort = options.firstPort ?? 20_000;
    if (!Number.isInteger(this.firstPort) || this.firstPort < 1 || this.firstPort > 65_535) {
      throw new RangeError(`firstPort ${this.firstPort} is not a port`);
    }
    if (!(this.bindingLifetimeMs > 0)) throw new RangeError('bindingLifetimeMs must be > 0');
    this.cursor = { udp: this.firstPort, tcp: this.firstPort };
    this.currentPublicAddress = publicAddress.address;
    this.family = publicAddress.family;
    this.now = now;
    this.random = random;
    this.changeAddress = changeAddress;
  }

  get publicAddress(): string {
    return this.currentPublicAddress;
  }

  /** The live translation table (expired UDP mappings are gone). */
  mappings(protocol?: TransportProtocol): NatMappingInfo[] {
    this.expire();
    return [...this.byKey.values()]
      .filter((m) => protocol === undefined || m.protocol === protocol)
      .map((m) => ({
        protocol: m.protocol,
        internal: { ...m.internal },
        external: this.externalOf(m),
        ...(m.remote ? { remote: { ...m.remote } } : {}),
        ...(m.protocol === 'udp' ? { expiresAt: m.refreshedAt + this.bindingLifetimeMs } : {}),
        permissions: [...m.endpoints.values()].map((e) => ({ ...e })),
      }));
  }

  /**
   * Forget every mapping, as a NAT reboot does. TCP connections through the NAT are reset. With port
   * preservation the next mappings may well get the same external ports again.
   */
  flush(): void {
    const lost = [...this.byKey.values()];
    this.byKey.clear();
    this.byExternal.clear();
    for (const m of lost) for (const onLost of m.streams) onLost();
  }

  /**
   * Forget every mapping and make sure the next ones get external ports different from the current
   * ones (an ISP's NAT re-mapping a flow). TCP connections through the NAT are reset.
   */
  rebind(): void {
    this.quarantine = new Set(this.byExternal.keys());
    this.flush();
  }

  /** Move the NAT to a new public address (a new lease from the ISP): every mapping is lost. */
  changePublicAddress(address: string): void {
    this.currentPublicAddress = this.changeAddress(this, address);
    this.flush();
  }

  // ───────── used by MemoryNetwork ─────────

  /** Translate an outbound packet or connection: find or create its mapping, refresh it, note the remote. */
  outbound(protocol: TransportProtocol, internal: SocketAddress, remote: SocketAddress): SocketAddress {
    return this.externalOf(this.outboundMapping(protocol, internal, remote));
  }

  /**
   * Like outbound() for a TCP connection: the mapping stays while the connection holds it. `onLost` runs
   * if the NAT loses its state (flush, rebind, new address). Returns the external endpoint and a release.
   */
  holdStream(
    internal: SocketAddress,
    remote: SocketAddress,
    onLost: () => void,
  ): { external: SocketAddress; release: () => void } {
    const m = this.outboundMapping('tcp', internal, remote);
    m.streams.add(onLost);
    return {
      external: this.externalOf(m),
      release: () => {
        m.streams.delete(onLost);
        if (m.streams.size === 0 && this.byKey.get(m.key) === m) this.remove(m);
      },
    };
  }

  /** Decide an inbound UDP packet to the external `port` from `from`. */
  inbound(port: number, from: SocketAddress): InboundVerdict {
    this.expire();
    const m = this.byExternal.get(`udp|${port}`);
    if (m === undefined) return { pass: false, reason: 'nat-no-mapping' };
    if (!this.filterPasses(m, from)) return { pass: false, reason: 'nat-filtered' };
    if (this.inboundRefresh) m.refreshedAt = this.now();
    return { pass: true, internal: { ...m.internal } };
  }

  /** Where an inbound packet to `port` would go, without filtering or refreshing anything. */
  peek(protocol: TransportProtocol, port: number): SocketAddress | undefined {
    const m = this.byExternal.get(`${protocol}|${port}`);
    if (m === undefined || this.isExpired(m)) return undefined;
    return { ...m.internal };
  }

  // ───────── internals ─────────

  private outboundMapping(
    protocol: TransportProtocol,
    internal: SocketAddress,
    remote: SocketAddress,
  ): Mapping {
    this.expire();
    const key = this.keyOf(protocol, internal, remote);
    let m = this.byKey.get(key);
    if (m === undefined) {
      const externalPort = this.allocate(protocol, internal.port);
      m = {
        protocol,
        key,
        internal: { ...internal },
        externalPort,
        remote: this.remoteOf(remote),
        refreshedAt: this.now(),
        addresses: new Set(),
        endpoints: new Map(),
        streams: new Set(),
      };
      this.byKey.set(key, m);
      this.byExternal.set(`${protocol}|${externalPort}`, m);
    }
    m.refreshedAt = this.now();
    m.addresses.add(remote.address);
    m.endpoints.set(`${remote.address}|${remote.port}`, { address: remote.address, port: remote.port });
    return m;
  }

  private keyOf(protocol: TransportProtocol, internal: SocketAddress, remote: SocketAddress): string {
    const base = `${protocol}|${internal.address}|${internal.port}`;
    switch (this.mapping) {
      case 'endpoint-independent':
        return base;
      case 'address-dependent':
        return `${base}|${remote.address}`;
      case 'address-and-port-dependent':
        return `${base}|${remote.address}|${remote.port}`;
    }
  }

  private remoteOf(remote: SocketAddress): Mapping['remote'] {
    switch (this.mapping) {
      case 'endpoint-independent':
        return undefined;
      case 'address-dependent':
        return { address: remote.address };
      case 'address-and-port-dependent':
        return { address: remote.address, port: remote.port };
    }
  }

  private filterPasses(m: Mapping, from: SocketAddress): boolean {
    switch (this.filtering) {
      case 'endpoint-independent':
        return true;
      case 'address-dependent':
        return m.addresses.has(from.address);
      case 'address-and-port-dependent':
        return m.endpoints.has(`${from.address}|${from.port}`);
    }
  }

  private allocate(protocol: TransportProtocol, internalPort: number): number {
    const free = (port: number): boolean =>
      !this.byExternal.has(`${protocol}|${port}`) && !this.quarantine.has(`${protocol}|${port}`);
    if (this.portPreservation && free(internalPort)) return internalPort;
    const span = 65_536 - this.firstPort;
    if (this.portAllocation === 'random') {
      for (let attempt = 0; attempt < 64; attempt++) {
        const port = this.random.integer(this.firstPort, 65_535);
        if (free(port)) return port;
      }
    }
    for (let i = 0; i < span; i++) {
      const port = this.cursor[protocol];
      this.cursor[protocol] = port === 65_535 ? this.firstPort : port + 1;
      if (free(port)) return port;
    }
    throw codedError('EAGAIN', `NAT ${this.currentPublicAddress} has no free ${protocol} port left`);
  }

  private isExpired(m: Mapping): boolean {
    return m.protocol === 'udp' && this.now() >= m.refreshedAt + this.bindingLifetimeMs;
  }

  private expire(): void {
    for (const m of this.byKey.values()) if (this.isExpired(m)) this.remove(m);
  }

  private remove(m: Mapping): void {
    this.byKey.delete(m.key);
    this.byExternal.delete(`${m.protocol}|${m.externalPort}`);
  }

  private externalOf(m: Mapping): SocketAddress {
    return { address: this.currentPublicAddress, port: m.externalPort, family: this.family };
  }
}
