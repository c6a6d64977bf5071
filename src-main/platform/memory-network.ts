/**
 * An in-memory network for unit tests: hosts with addresses, UDP sockets, TCP-like stream connections,
 * NATs, and links that lose, delay, duplicate and reorder packets — all deterministic.
 *
 * Time. Every delivery is a timer on the clock given (a FakeClock in tests): nothing arrives until the
 * test moves time. A delivery with zero delay is due "now" and runs on the next `clock.advance(0)` or any
 * later move of the clock; a stream connect settles only once the clock has moved past its round trip.
 * Errors reported to a socket (onError) and a connection's own close event come in a microtask.
 *
 * Randomness. Loss, jitter, duplication and reordering draw from a PRNG seeded by `seed`: the same test
 * gives the same packet fates on every run.
 *
 *   host A 10.0.0.2 ─┐                                          ┌─ host S 203.0.113.5
 *                    ├─ NAT 198.51.100.1 ═══ public realm ══════┤
 *   host B 10.0.0.3 ─┘  (A, B: its inside)    (link conditions) └─ NAT 198.51.100.2 ─ host C 10.0.0.2
 *
 * Topology. Every address lives in a realm: the public one, or the inside of a NAT. A packet climbs out
 * through the sender's NATs (translated at send time: mappings are created when the packet leaves) until it
 * reaches the realm that holds its destination, crosses the link (conditions apply here), then descends
 * through the destination's NATs (filtered and translated on arrival). Private addresses may repeat in
 * different realms. A NAT handles one address family (its public address's): a host inside an IPv4 NAT
 * keeps its IPv6 addresses in the public realm, as dual-stack homes do. Each host also owns loopback
 * (127.0.0.0/8 and ::1); loopback and its own addresses are delivered inside the host with no delay,
 * loss or NAT.
 *
 * Link conditions (setConditions for all, setLinkConditions for a pair of hosts, NATs or addresses, the
 * pair's values overriding the global ones) apply to UDP in full and to streams as delay and jitter only
 * (streams are reliable and ordered). dropNext/dropWhere rules apply to every UDP packet, loopback
 * included, and never to streams. A pair matches a packet when one side names the sender (any of its
 * addresses, or the public address of a NAT it left through) and the other side names the receiver (the
 * address the packet was sent to, or any address of the host a NAT mapping currently leads it to).
 *
 * Streams. connect() takes one round trip; the server's onConnection fires when the "SYN" arrives. No
 * listener: ECONNREFUSED. No route, or a NAT in the way inbound (there is no port forwarding): the connect
 * times out. `tls` marks a connection `secure`, checks the client's trust in the listener's certificate
 * (one from a private CA — the listener's `issuer` — needs that anchor in the client's `ca`, else
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE) and then `servername` against the listener's names (its `names`
 * option, else the names in its certificate): a mismatch rejects with ERR_TLS_CERT_ALTNAME_INVALID (both
 * checks skipped when rejectUnauthorized is false); TLS to a plain listener rejects with
 * EPROTO, plain to a TLS listener with ECONNRESET; a listener with requestCert refuses clients without a
 * `cert` (EPROTO). When a NAT loses its state (flush, rebind, new address) the connections through it are
 * reset (ECONNRESET on both ends). Each write arrives as one chunk unless `streamSegmentBytes` splits it.
 */
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
  parseOrThrow,
} from './ip-address.ts';
import type { ParsedIp } from './ip-address.ts';
import { MemoryHost } from './memory-host.ts';
import type { HostFabric, MemoryDatagramSocket, MemoryHostOptions } from './memory-host.ts';
import { MemoryNat } from './memory-nat.ts';
import type { MemoryNatOptions, TransportProtocol } from './memory-nat.ts';
import { MemoryStreamConnection } from './memory-stream.ts';
import type { StreamLink } from './memory-stream.ts';
import { SeededRandom } from './seeded-random.ts';
import { formatAddress } from './ports.ts';
import type { Clock, IpFamily, SocketAddress, StreamConnectOptions, Timer } from './ports.ts';

// ───────────────────────────── public types ─────────────────────────────

export interface LinkConditions {
  /** Probability that a UDP packet is lost. */
  drop?: number;
  /** One-way delay in ms. */
  delayMs?: number;
  /** Extra delay, a whole number of ms drawn from [0, jitterMs]. Jitter alone never reorders a flow. */
  jitterMs?: number;
  /** Probability that a UDP packet arrives twice (the copy right after the original). */
  duplicate?: number;
  /** Probability that a UDP packet is held back and delivered right after the next one of its flow. */
  reorder?: number;
  /** How long a held-back packet waits for a successor before it goes anyway (default 50 ms). */
  reorderHoldMs?: number;
  /** Split each stream write into segments of at most this many bytes (0 = keep writes whole). */
  streamSegmentBytes?: number;
}

export type DropReason =
  /** dropNext / dropWhere */
  | 'rule'
  /** the link's `drop` probability */
  | 'loss'
  | 'no-route'
  | 'nat-no-mapping'
  | 'nat-filtered'
  | 'hairpin-disabled'
  /** no socket bound to the destination port */
  | 'port-unreachable'
  /** stream data for an end that has closed */
  | 'connection-closed';

/** One packet (UDP) or one stream segment (TCP), as the test tap sees it. */
export interface PacketRecord {
  readonly id: number;
  readonly protocol: TransportProtocol;
  /** Monotonic send time. */
  readonly sentAt: number;
  /** The sender's own address and port (before any NAT). */
  readonly from: SocketAddress;
  /** The destination as the sender addressed it. */
  readonly to: SocketAddress;
  /** The source after the sender's NATs: what the far side sees. */
  readonly translatedFrom: SocketAddress;
  readonly bytes: Uint8Array;
  /** A copy made by the link's `duplicate` condition. */
  readonly duplicate: boolean;
  readonly delivered: boolean;
  readonly dropped: boolean;
  readonly dropReason?: DropReason;
  readonly deliveredAt?: number;
  /** The receiving socket's address and port (after the receiver's NATs). */
  readonly deliveredTo?: SocketAddress;
}

export type PacketPredicate = (packet: PacketRecord) => boolean;

/** A side of a link: an address, a host (all its addresses) or a NAT (its public address). */
export type LinkEnd = string | MemoryHost | MemoryNat;

export interface MemoryNetworkOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Initial global link conditions. */
  conditions?: LinkConditions;
  /** Connect timeout when a connect gives none (default 127_000 ms, Linux's SYN retry budget). */
  connectTimeoutMs?: number;
  /** First ephemeral port (default 49152); hosts hand them out in order, per protocol. */
  firstEphemeralPort?: number;
}

export interface AddNatOptions extends MemoryNatOptions {
  /** Hosts (or their addresses) to move inside; an address may also name another NAT's public address. */
  inside?: (string | MemoryHost)[];
  /** Put this NAT itself inside another one (carrier-grade NAT). */
  behind?: MemoryNat;
}

// ───────────────────────────── internals ─────────────────────────────

type Conditions = Required<LinkConditions>;

const NO_CONDITIONS: Conditions = {
  drop: 0,
  delayMs: 0,
  jitterMs: 0,
  duplicate: 0,
  reorder: 0,
  reorderHoldMs: 50,
  streamSegmentBytes: 0,
};

type MutablePacket = { -readonly [K in keyof PacketRecord]: PacketRecord[K] };

interface Flow {
  lastArrival: number;
  held?: { arrival: number; run: () => void; timer: Timer };
}

interface LinkRule {
  a: () => string[];
  b: () => string[];
  oneWay: boolean;
  conditions: LinkConditions;
}

interface DropRule {
  remaining: number;
  predicate: PacketPredicate;
}

/** A host or a NAT's public side: what an address can lead to within a realm. */
type RealmMember = MemoryHost | MemoryNat;

// ───────────────────────────── the network ─────────────────────────────

export class MemoryNetwork {
  readonly clock: Clock;
  private readonly random: SeededRandom;
  private readonly connectTimeoutMs: number;
  private readonly hostList: MemoryHost[] = [];
  private readonly natList: MemoryNat[] = [];
  private readonly hostNat = new Map<MemoryHost, MemoryNat>();
  private readonly natParent = new Map<MemoryNat, MemoryNat>();
  private globalConditions: LinkConditions;
  private readonly linkRules: LinkRule[] = [];
  private readonly dropRules: DropRule[] = [];
  private readonly flows = new Map<string, Flow>();
  private readonly log: PacketRecord[] = [];
  private readonly packets = new Emitter<PacketRecord>();
  private nextPacketId = 1;
  private readonly fabric: HostFabric;
  private readonly pipeFabric: PipeFabric = {
    now: () => this.clock.monotonic(),
    conditions: (senderIds, receiverIds, local) =>
      local ? NO_CONDITIONS : this.conditionsBetween(senderIds, receiverIds),
    arrival: (flow, conditions) => this.nextArrival(flow, conditions),
    schedule: (time, run) => void this.at(time, run),
    carry: (flow, conditions, segment, receiver, alive) =>
      this.carryStream(flow, conditions, segment, receiver, alive),
  };

  constructor(clock: Clock, options: MemoryNetworkOptions = {}) {
    this.clock = clock;
    this.random = new SeededRandom(options.seed ?? 1);
    this.globalConditions = { ...(options.conditions ?? {}) };
    this.connectTimeoutMs = options.connectTimeoutMs ?? 127_000;
    this.fabric = {
      firstEphemeralPort: options.firstEphemeralPort ?? 49_152,
      sendDatagram: (socket, host, data, to) => this.sendDatagram(socket, host, data, to),
      connect: (host, connectOptions) => this.connect(host, connectOptions),
      checkNewAddress: (host, address) =>
        this.assertAddressFree(this.realmOfHost(host, address.family), address, host),
    };
  }

  /** A host with these addresses (IPv4 and/or IPv6). */
  host(addresses: string | string[], options: MemoryHostOptions = {}): MemoryHost {
    const list = (Array.isArray(addresses) ? addresses : [addresses]).map(parseOrThrow);
    if (list.length === 0) throw new Error('a host needs at least one address');
    const host = new MemoryHost(this.fabric, list, options);
    if (options.nat !== undefined) this.assertKnownNat(options.nat);
    for (const address of list) {
      if (isLoopback(address.address) || isWildcard(address.address)) {
        throw new Error(`${address.address} cannot be a host address`);
      }
      const realm = options.nat?.family === address.family ? options.nat : undefined;
      this.assertAddressFree(realm, address, undefined);
    }
    if (options.nat !== undefined) this.hostNat.set(host, options.nat);
    this.hostList.push(host);
    return host;
  }

  /** A NAT with a public address, optionally with hosts (or other NATs) moved inside it. */
  addNat(options: AddNatOptions): MemoryNat {
    const publicAddress = parseOrThrow(options.publicAddress);
    const parent = options.behind;
    if (parent !== undefined) {
      this.assertKnownNat(parent);
      if (parent.family !== publicAddress.family)
        throw new Error('a NAT can only sit behind a NAT of its family');
    }
    this.assertAddressFree(parent, publicAddress, undefined);
    const nat = new MemoryNat(
      options,
      publicAddress,
      () => this.clock.monotonic(),
      this.random,
      (which, address) => this.movePublicAddress(which, address),
    );
    this.natList.push(nat);
    if (parent !== undefined) this.natParent.set(nat, parent);
    for (const member of options.inside ?? []) this.moveInside(nat, member);
    return nat;
  }

  /** Replace the conditions that apply to every link (pair conditions still override them). */
  setConditions(conditions: LinkConditions): void {
    this.globalConditions = { ...conditions };
  }

  /** Conditions for traffic between `a` and `b` (both ways, or a → b only); dispose to remove them. */
  setLinkConditions(
    a: LinkEnd,
    b: LinkEnd,
    conditions: LinkConditions,
    options: { oneWay?: boolean } = {},
  ): Disposable {
    const rule: LinkRule = {
      a: addressesOf(a),
      b: addressesOf(b),
      oneWay: options.oneWay ?? false,
      conditions: { ...conditions },
    };
    this.linkRules.push(rule);
    return { dispose: () => removeItem(this.linkRules, rule) };
  }

  /** Drop exactly the next `count` UDP packets (those matching `predicate`, if given). */
  dropNext(count: number, predicate: PacketPredicate = () => true): Disposable {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`dropNext needs a count >= 1, got ${count}`);
    const rule: DropRule = { remaining: count, predicate };
    this.dropRules.push(rule);
    return { dispose: () => removeItem(this.dropRules, rule) };
  }

  /** Drop every UDP packet matching `predicate` until disposed. */
  dropWhere(predicate: PacketPredicate): Disposable {
    const rule: DropRule = { remaining: Infinity, predicate };
    this.dropRules.push(rule);
    return { dispose: () => removeItem(this.dropRules, rule) };
  }

  /** Every packet and stream segment sent so far, in sending order; fates are filled in as they are known. */
  get sent(): readonly PacketRecord[] {
    return this.log;
  }

  clearSent(): void {
    this.log.length = 0;
  }

  /** Called once per packet, when its fate (delivered or dropped) is known. */
  onPacket(listener: (packet: PacketRecord) => void): Disposable {
    return this.packets.on(listener);
  }

  /** Open sockets, listeners, connection ends and connects in progress, on all hosts (for leak checks). */
  openSockets(): number {
    return this.hostList.reduce((sum, host) => sum + host.openSockets(), 0);
  }

  get hosts(): readonly MemoryHost[] {
    return this.hostList;
  }

  get nats(): readonly MemoryNat[] {
    return this.natList;
  }

  // ───────── topology ─────────

  private realmOfHost(host: MemoryHost, family: IpFamily): MemoryNat | undefined {
    const nat = this.hostNat.get(host);
    return nat !== undefined && nat.family === family ? nat : undefined;
  }

  /** The host or NAT that holds `address` in `realm`. */
  private nodeAt(realm: MemoryNat | undefined, address: string): RealmMember | undefined {
    const family: IpFamily = address.includes(':') ? 6 : 4;
    for (const host of this.hostList) {
      if (host.owns(address) && this.realmOfHost(host, family) === realm) return host;
    }
    for (const nat of this.natList) {
      if (nat.publicAddress === address && this.natParent.get(nat) === realm) return nat;
    }
    return undefined;
  }

  private assertAddressFree(
    realm: MemoryNat | undefined,
    address: ParsedIp,
    except: RealmMember | undefined,
  ): void {
    const holder = this.nodeAt(realm, address.address);
    if (holder !== undefined && holder !== except) {
      const where = realm === undefined ? 'the public realm' : `the realm behind NAT ${realm.publicAddress}`;
      throw new Error(`${address.address} is already in use in ${where}`);
    }
  }

  private assertKnownNat(nat: MemoryNat): void {
    if (!this.natList.includes(nat)) throw new Error('that NAT belongs to another MemoryNetwork');
  }

  private moveInside(nat: MemoryNat, member: string | MemoryHost): void {
    const parent = this.natParent.get(nat);
    if (typeof member !== 'string') {
      if (!this.hostList.includes(member)) throw new Error('that host belongs to another MemoryNetwork');
      this.placeHost(nat, member);
      return;
    }
    const address = parseOrThrow(member);
    const node = this.nodeAt(parent, address.address);
    if (node === undefined)
      throw new Error(`no host or NAT has ${address.address} next to NAT ${nat.publicAddress}`);
    if (node instanceof MemoryHost) {
      this.placeHost(nat, node);
    } else {
      if (node === nat || node.family !== nat.family)
        throw new Error(`NAT ${node.publicAddress} cannot go inside NAT ${nat.publicAddress}`);
      this.natParent.set(node, nat);
    }
  }

  private placeHost(nat: MemoryNat, host: MemoryHost): void {
    const previous = this.hostNat.get(host);
    this.hostNat.set(host, nat);
    try {
      for (const address of host.parsedAddresses()) {
        if (address.family === nat.family) this.assertAddressFree(nat, address, host);
      }
    } catch (error) {
      if (previous === undefined) this.hostNat.delete(host);
      else this.hostNat.set(host, previous);
      throw error;
    }
  }

  private movePublicAddress(nat: MemoryNat, text: string): string {
    const address = parseOrThrow(text);
    if (address.family !== nat.family) throw new Error('a NAT keeps its address family');
    this.assertAddressFree(this.natParent.get(nat), address, nat);
    return address.address;
  }

  // ───────── link conditions ─────────

  private conditionsBetween(senderIds: string[], receiverIds: string[]): Conditions {
    const result: Conditions = { ...NO_CONDITIONS };
    assignDefined(result, this.globalConditions);
    for (const rule of this.linkRules) {
      const a = rule.a();
      const b = rule.b();
      const forward = overlaps(a, senderIds) && overlaps(b, receiverIds);
      const backward = !rule.oneWay && overlaps(b, senderIds) && overlaps(a, receiverIds);
      if (forward || backward) assignDefined(result, rule.conditions);
    }
    return result;
  }

  /** The sender's identities: its addresses and the public addresses of the NATs it left through. */
  private senderIds(host: MemoryHost, traversed: MemoryNat[]): string[] {
    return [...host.addresses(), ...traversed.map((nat) => nat.publicAddress)];
  }

  /** The receiver's identities: the address sent to, and where the NAT mappings currently lead. */
  private receiverIds(
    realm: MemoryNat | undefined,
    to: SocketAddress,
    protocol: TransportProtocol,
  ): string[] {
    const ids = [to.address];
    let address = to.address;
    let port = to.port;
    for (let node = this.nodeAt(realm, address); node !== undefined;) {
      if (node instanceof MemoryHost) {
        ids.push(...node.addresses());
        break;
      }
      const internal = node.peek(protocol, port);
      if (internal === undefined) break;
      ids.push(internal.address);
      address = internal.address;
      port = internal.port;
      node = this.nodeAt(node, address);
    }
    return ids;
  }

  /** The arrival time of the next packet of a flow: delay plus jitter, never before the previous one. */
  private nextArrival(flow: Flow, conditions: Conditions): number {
    const jitter = conditions.jitterMs > 0 ? this.random.integer(0, Math.floor(conditions.jitterMs)) : 0;
    const arrival = Math.max(this.clock.monotonic() + conditions.delayMs + jitter, flow.lastArrival);
    flow.lastArrival = arrival;
    return arrival;
  }

  private flow(key: string): Flow {
    let flow = this.flows.get(key);
    if (flow === undefined) {
      flow = { lastArrival: -Infinity };
      this.flows.set(key, flow);
    }
    return flow;
  }

  private at(time: number, run: () => void): Timer {
    return this.clock.setTimer(time - this.clock.monotonic(), run);
  }

  // ───────── packets ─────────

  private record(
    fields: Omit<MutablePacket, 'id' | 'sentAt' | 'delivered' | 'dropped' | 'duplicate'>,
    duplicate = false,
  ): MutablePacket {
    const packet: MutablePacket = {
      id: this.nextPacketId++,
      sentAt: this.clock.monotonic(),
      delivered: false,
      dropped: false,
      duplicate,
      ...fields,
    };
    this.log.push(packet);
    return packet;
  }

  private drop(packet: MutablePacket, reason: DropReason): void {
    packet.dropped = true;
    packet.dropReason = reason;
    this.packets.emit(packet);
  }

  private delivered(packet: MutablePacket, to: SocketAddress): void {
    packet.delivered = true;
    packet.deliveredAt = this.clock.monotonic();
    packet.deliveredTo = { ...to };
    this.packets.emit(packet);
  }

  private matchesDropRule(packet: PacketRecord): boolean {
    for (const rule of this.dropRules) {
      if (!rule.predicate(packet)) continue;
      rule.remaining--;
      if (rule.remaining <= 0) removeItem(this.dropRules, rule);
      return true;
    }
    return false;
  }

  /** The source address for traffic from `host` to `to`, or an error code. */
  private sourceFor(host: MemoryHost, bound: string, to: SocketAddress): string | { code: string } {
    if (!isWildcard(bound)) {
      if (isLoopback(bound) && !host.isLocal(to.address)) return { code: 'EINVAL' };
      if (!isLoopback(bound) && !host.owns(bound)) return { code: 'EADDRNOTAVAIL' };
      return bound;
    }
    if (isLoopback(to.address)) return LOOPBACK[to.family];
    if (host.owns(to.address)) return to.address;
    return host.primaryAddress(to.family) ?? { code: 'ENETUNREACH' };
  }

  private sendDatagram(
    socket: MemoryDatagramSocket,
    host: MemoryHost,
    data: Uint8Array,
    to: SocketAddress,
  ): void {
    const source = this.sourceFor(host, socket.local.address, to);
    if (typeof source !== 'string') {
      socket.fail(
        codedError(source.code, `send from ${formatAddress(socket.local)} to ${formatAddress(to)}`),
      );
      return;
    }
    const from: SocketAddress = { address: source, port: socket.local.port, family: to.family };
    const packet = this.record({ protocol: 'udp', from, to: { ...to }, translatedFrom: from, bytes: data });

    if (host.isLocal(to.address)) {
      if (this.matchesDropRule(packet)) return this.drop(packet, 'rule');
      this.at(this.clock.monotonic(), () => this.deliverDatagram(packet, host, to, from));
      return;
    }

    // Climb out through the sender's NATs until the destination's realm is reached.
    let realm = this.realmOfHost(host, to.family);
    let translated = from;
    const traversed: MemoryNat[] = [];
    while (this.nodeAt(realm, to.address) === undefined) {
      if (realm === undefined) return this.drop(packet, 'no-route');
      translated = realm.outbound('udp', translated, to);
      traversed.push(realm);
      realm = this.natParent.get(realm);
    }
    packet.translatedFrom = translated;
    const seenFrom = translated;
    const destinationRealm = realm;

    if (this.matchesDropRule(packet)) return this.drop(packet, 'rule');
    const conditions = this.conditionsBetween(
      this.senderIds(host, traversed),
      this.receiverIds(realm, to, 'udp'),
    );
    if (this.random.chance(conditions.drop)) return this.drop(packet, 'loss');

    const flow = this.flow(`udp|${formatAddress(from)}|${formatAddress(to)}`);
    const arrival = this.nextArrival(flow, conditions);
    const carry = (p: MutablePacket) => () => this.arrive(p, destinationRealm, to, seenFrom, traversed);
    const copy = this.random.chance(conditions.duplicate)
      ? this.record({ protocol: 'udp', from, to: { ...to }, translatedFrom: seenFrom, bytes: data }, true)
      : undefined;

    const held = flow.held;
    if (held !== undefined) {
      // This packet is the successor the held one was waiting for.
      flow.held = undefined;
      held.timer.cancel();
      this.at(arrival, carry(packet));
      const heldArrival = Math.max(arrival, held.arrival);
      this.at(heldArrival, held.run);
      flow.lastArrival = heldArrival;
    } else if (this.random.chance(conditions.reorder)) {
      const run = carry(packet);
      const timer = this.at(arrival + conditions.reorderHoldMs, () => {
        flow.held = undefined;
        run();
      });
      flow.held = { arrival, run, timer };
    } else {
      this.at(arrival, carry(packet));
    }
    if (copy !== undefined) this.at(arrival, carry(copy));
  }

  /** A packet reaches the destination realm: descend through NATs to a host, filtering and translating. */
  private arrive(
    packet: MutablePacket,
    realm: MemoryNat | undefined,
    to: SocketAddress,
    from: SocketAddress,
    traversed: MemoryNat[],
  ): void {
    let here = realm;
    let destination = to;
    for (;;) {
      const node = this.nodeAt(here, destination.address);
      if (node === undefined) return this.drop(packet, 'no-route');
      if (node instanceof MemoryHost) return this.deliverDatagram(packet, node, destination, from);
      // RFC 4787 §6: with hairpinning the NAT loops the packet back in, with its external source address.
      if (traversed.includes(node) && !node.hairpinning) return this.drop(packet, 'hairpin-disabled');
      const verdict = node.inbound(destination.port, from);
      if (!verdict.pass) return this.drop(packet, verdict.reason);
      destination = verdict.internal;
      here = node;
    }
  }

  private deliverDatagram(
    packet: MutablePacket,
    host: MemoryHost,
    to: SocketAddress,
    from: SocketAddress,
  ): void {
    const socket = host.datagramSocketFor(to);
    if (socket === undefined) return this.drop(packet, 'port-unreachable');
    this.delivered(packet, to);
    socket.receive(Buffer.from(packet.bytes), { ...from });
  }

  // ───────── streams ─────────

  private async connect(host: MemoryHost, options: StreamConnectOptions): Promise<MemoryStreamConnection> {
    const remote = checkedEndpoint(options.remote, 'connect');
    const bound =
      options.localAddress === undefined ? WILDCARD[remote.family] : canonicalOrThrow(options.localAddress);
    const source = this.sourceFor(host, bound, remote);
    if (typeof source !== 'string') throw codedError(source.code, `connect to ${formatAddress(remote)}`);
    const local: SocketAddress = {
      address: source,
      port: host.allocatePort('tcp', remote.family, source),
      family: remote.family,
    };
    const attempt = host.reserveConnect(local);
    const releases: (() => void)[] = [() => attempt.release()];
    const releaseAll = (): void => {
      for (const release of releases.splice(0)) release();
    };
    let pipe: StreamPipe | undefined;
    let stateLost = false;
    const onLost = (): void => {
      stateLost = true;
      pipe?.breakBoth();
    };

    // Climb out through the NATs: each one maps the connection's source.
    const isLocal = host.isLocal(remote.address);
    let realm = isLocal ? undefined : this.realmOfHost(host, remote.family);
    let seenFrom = local;
    const traversed: MemoryNat[] = [];
    let routable = true;
    while (!isLocal && this.nodeAt(realm, remote.address) === undefined) {
      if (realm === undefined) {
        routable = false;
        break;
      }
      const hold = realm.holdStream(seenFrom, remote, onLost);
      releases.push(hold.release);
      seenFrom = hold.external;
      traversed.push(realm);
      realm = this.natParent.get(realm);
    }
    const clientIds = this.senderIds(host, traversed);
    const destinationRealm = realm;

    return new Promise<MemoryStreamConnection>((resolve, reject) => {
      let settled = false;
      const fail = (code: string, message: string): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        releaseAll();
        reject(codedError(code, message));
      };
      const timeoutMs = options.timeoutMs ?? this.connectTimeoutMs;
      const timer = this.clock.setTimer(timeoutMs, () =>
        fail('ETIMEDOUT', `connect to ${formatAddress(remote)} timed out after ${timeoutMs} ms`),
      );
      if (!routable) return;

      const serverTarget = (): { host: MemoryHost; to: SocketAddress } | undefined => {
        if (isLocal) return { host, to: remote };
        const node = this.nodeAt(destinationRealm, remote.address);
        // A NAT in the way inbound drops the SYN: there is no port forwarding here.
        return node instanceof MemoryHost ? { host: node, to: remote } : undefined;
      };
      const up = isLocal
        ? NO_CONDITIONS
        : this.conditionsBetween(clientIds, this.receiverIds(destinationRealm, remote, 'tcp'));
      const synFlow: Flow = { lastArrival: -Infinity };
      this.at(this.nextArrival(synFlow, up), () => {
        if (settled || stateLost) return;
        const target = serverTarget();
        if (target === undefined) return; // black hole: the timer decides
        const serverIds = target.host.addresses();
        const down = isLocal ? NO_CONDITIONS : this.conditionsBetween(serverIds, clientIds);
        const replyAt = this.clock.monotonic() + down.delayMs;
        const listener = target.host.listenerFor(target.to);
        const refuse = (code: string, message: string): void => {
          this.at(replyAt, () => fail(code, message));
        };
        if (listener === undefined)
          return refuse('ECONNREFUSED', `connect to ${formatAddress(remote)} refused`);
        const tls = options.tls;
        if (tls !== undefined && !listener.secure)
          return refuse('EPROTO', `${formatAddress(remote)} does not speak TLS`);
        if (tls === undefined && listener.secure)
          return refuse('ECONNRESET', `${formatAddress(remote)} expects TLS`);
        // Node verifies the chain first, the name after it (checkServerIdentity).
        if (tls !== undefined && (tls.rejectUnauthorized ?? true) && !listener.certificateTrusted(tls.ca)) {
          return refuse(
            'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
            `certificate of ${formatAddress(remote)}: unable to verify the first certificate`,
          );
        }
        if (
          tls !== undefined &&
          (tls.rejectUnauthorized ?? true) &&
          !listener.certificateMatches(tls.servername)
        ) {
          return refuse(
            'ERR_TLS_CERT_ALTNAME_INVALID',
            `certificate of ${formatAddress(remote)} does not match "${tls.servername}"`,
          );
        }
        if (tls !== undefined && listener.requestCert && tls.cert === undefined) {
          listener.reportError(`${formatAddress(seenFrom)} sent no client certificate`, 'EPROTO');
          return refuse('EPROTO', `${formatAddress(remote)} requires a client certificate`);
        }

        const secure = tls !== undefined;
        const serverHost = target.host;
        const serverEnd = new MemoryStreamConnection(target.to, seenFrom, secure, () =>
          serverHost.forgetStream(serverEnd),
        );
        serverHost.adoptStream(serverEnd);
        const clientEnd = new MemoryStreamConnection(local, remote, secure, () => releaseAll());
        pipe = new StreamPipe(
          this.pipeFabric,
          clientEnd,
          serverEnd,
          host,
          serverHost,
          clientIds,
          serverIds,
          isLocal,
        );
        clientEnd.attach(pipe);
        serverEnd.attach(pipe);
        this.at(replyAt, () => {
          if (settled) {
            // The client gave up while the answer was on its way.
            serverEnd.terminate(codedError('ECONNRESET', `${formatAddress(seenFrom)} gave up connecting`));
            return;
          }
          if (clientEnd.closed) {
            // Reset (a NAT lost its state) before the client heard the answer.
            return fail('ECONNRESET', `connection to ${formatAddress(remote)} reset while connecting`);
          }
          settled = true;
          timer.cancel();
          attempt.establish(clientEnd);
          resolve(clientEnd);
        });
        listener.accept(serverEnd);
      });
    });
  }

  /** Carry one stream write: segments in order, delayed, never lost while both ends hold their addresses. */
  private carryStream(
    flow: Flow,
    conditions: Conditions,
    segment: StreamSegment,
    receiver: MemoryStreamConnection,
    alive: () => boolean,
  ): void {
    const bytes = segment.bytes;
    const size =
      conditions.streamSegmentBytes >= 1 ? Math.floor(conditions.streamSegmentBytes) : bytes.length;
    for (let offset = 0; offset < bytes.length; offset += size) {
      const packet = this.record({
        protocol: 'tcp',
        ...segment,
        bytes: bytes.subarray(offset, offset + size),
      });
      if (!alive()) {
        this.drop(packet, 'no-route');
        continue;
      }
      this.at(this.nextArrival(flow, conditions), () => {
        if (receiver.closed) return this.drop(packet, 'connection-closed');
        if (!alive()) return this.drop(packet, 'no-route');
        this.delivered(packet, receiver.local);
        receiver.receive(Buffer.from(packet.bytes));
      });
    }
  }
}

interface StreamSegment {
  from: SocketAddress;
  to: SocketAddress;
  translatedFrom: SocketAddress;
  bytes: Uint8Array;
}

/** What a StreamPipe needs from its network. */
interface PipeFabric {
  now(): number;
  conditions(senderIds: string[], receiverIds: string[], local: boolean): Conditions;
  arrival(flow: Flow, conditions: Conditions): number;
  schedule(time: number, run: () => void): void;
  carry(
    flow: Flow,
    conditions: Conditions,
    segment: StreamSegment,
    receiver: MemoryStreamConnection,
    alive: () => boolean,
  ): void;
}

/** Carries the bytes of one stream connection, each direction in order. */
class StreamPipe implements StreamLink {
  private readonly network: PipeFabric;
  private readonly client: MemoryStreamConnection;
  private readonly server: MemoryStreamConnection;
  private readonly clientHost: MemoryHost;
  private readonly serverHost: MemoryHost;
  private readonly clientIds: string[];
  private readonly serverIds: string[];
  private readonly local: boolean;
  private readonly flows: { up: Flow; down: Flow } = {
    up: { lastArrival: -Infinity },
    down: { lastArrival: -Infinity },
  };

  constructor(
    network: PipeFabric,
    client: MemoryStreamConnection,
    server: MemoryStreamConnection,
    clientHost: MemoryHost,
    serverHost: MemoryHost,
    clientIds: string[],
    serverIds: string[],
    local: boolean,
  ) {
    this.network = network;
    this.client = client;
    this.server = server;
    this.clientHost = clientHost;
    this.serverHost = serverHost;
    this.clientIds = clientIds;
    this.serverIds = serverIds;
    this.local = local;
  }

  transmit(from: MemoryStreamConnection, data: Uint8Array): void {
    const { to, flow, conditions } = this.direction(from);
    this.network.carry(
      flow,
      conditions,
      { from: from.local, to: from.remote, translatedFrom: to.remote, bytes: data },
      to,
      () => this.alive(),
    );
  }

  finish(from: MemoryStreamConnection): void {
    const { to, flow, conditions } = this.direction(from);
    this.network.schedule(this.network.arrival(flow, conditions), () => to.terminate());
  }

  abort(from: MemoryStreamConnection): void {
    const { to, flow, conditions } = this.direction(from);
    this.network.schedule(this.network.arrival(flow, conditions), () =>
      to.terminate(codedError('ECONNRESET', `connection reset by ${formatAddress(to.remote)}`)),
    );
  }

  /** A NAT on the way lost its state: both ends see a reset. */
  breakBoth(): void {
    const now = this.network.now();
    for (const end of [this.client, this.server]) {
      this.network.schedule(now, () =>
        end.terminate(codedError('ECONNRESET', 'connection reset (NAT state lost)')),
      );
    }
  }

  private direction(from: MemoryStreamConnection): {
    to: MemoryStreamConnection;
    flow: Flow;
    conditions: Conditions;
  } {
    const up = from === this.client;
    const conditions = up
      ? this.network.conditions(this.clientIds, this.serverIds, this.local)
      : this.network.conditions(this.serverIds, this.clientIds, this.local);
    return { to: up ? this.server : this.client, flow: up ? this.flows.up : this.flows.down, conditions };
  }

  /** Both ends still hold their addresses (a removed address black-holes the connection). */
  private alive(): boolean {
    return (
      this.clientHost.isLocal(this.client.local.address) && this.serverHost.isLocal(this.server.local.address)
    );
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function addressesOf(end: LinkEnd): () => string[] {
  if (typeof end === 'string') {
    const address = canonicalOrThrow(end);
    return () => [address];
  }
  if (end instanceof MemoryHost) return () => end.addresses();
  return () => [end.publicAddress];
}

function overlaps(a: string[], b: string[]): boolean {
  return a.some((x) => b.includes(x));
}

function assignDefined(target: Conditions, source: LinkConditions): void {
  for (const [key, value] of Object.entries(source) as [keyof Conditions, number | undefined][]) {
    if (value !== undefined) target[key] = value;
  }
}

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
