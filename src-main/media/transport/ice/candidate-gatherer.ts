/**
 * Gathering (RFC 8445 §5.1.1) for every component of the stream:
 *
 *  - host (§5.1.1.1): one per usable address of the socket's family and port. A socket bound to one
 *    address gives that address; a wildcard socket gives every interface address of its family, without
 *    loopback and IPv6 link-local ones unless asked for ("addresses from a loopback interface MUST NOT be
 *    included", §5.1.1.1; link-local IPv6 is of little use off-link). Under the relay-only policy none are
 *    signalled.
 *  - server-reflexive (§5.1.1.2): a Binding request from the media socket itself to each STUN server of
 *    the socket's family, so the mapping found is the one media will use; the XOR-MAPPED-ADDRESS of a UDP
 *    TURN allocation counts too. Dropped when equal to a host candidate (§5.1.3: "redundant").
 *  - relayed (§5.1.1.2): a TURN allocation per server — over UDP from the media socket, over TCP/TLS on a
 *    connection of its own.
 *
 * Pacing: "the agent SHOULD … pace … at Ta": server transactions start Ta apart. Each UDP transaction
 * uses §14.3's gathering RTO = MAX(500 ms, Ta × Num-Of-Cands). Gathering ends when every transaction has
 * ended or after `timeoutMs`, whichever comes first: the offer cannot wait (no trickle), so a silent
 * server costs at most that long; its transaction is cancelled.
 *
 * Local preferences (§5.1.2.1, unique per type and component): host candidates 65535 − 128·i in address
 * order (the system's order, link-local and loopback last; a socket has one family, so RFC 8421's
 * IPv6/IPv4 interleaving does not arise within a component); a srflx candidate takes its base's value minus the server index;
 * relayed ones 65535 − 128·(0 UDP, 1 TCP, 2 TLS) − server index (UDP to the TURN server is preferred).
 */
import { formatAddress, sameAddress } from '../../../platform/index.ts';
import type { Clock, Network, SocketAddress, Timer } from '../../../platform/index.ts';
import { StunMethod, TurnRelay, describeTurnFailure, reflexiveAddressOf } from '../../stun/index.ts';
import type { TurnServerConfig } from '../../stun/index.ts';
import {
  MAX_LOCAL_PREFERENCE,
  candidateFoundation,
  candidatePriority,
  isLinkLocalIpv6,
} from './candidate.ts';
import type { IceComponent, TurnTransport } from './candidate.ts';
import type { CandidateBase, LocalCandidate } from './candidate-pair.ts';
import type { ComponentTransport } from './component-transport.ts';
import type { IceLogger } from './credentials.ts';

export type IceCandidatePolicy = 'all' | 'relay-only';

/** What became of one STUN/TURN server during gathering (for the snapshot and diagnostics). */
export interface GatherServerReport {
  readonly kind: 'stun' | 'turn';
  readonly server: string;
  readonly transport: TurnTransport;
  readonly component: IceComponent;
  readonly outcome: 'ok' | 'failed' | 'timeout' | 'redundant';
  readonly detail: string;
}

export interface GatherResult {
  readonly candidates: readonly LocalCandidate[];
  /** Every relay that was tried (allocated or not): the agent releases them at the end. */
  readonly relays: readonly TurnRelay[];
  readonly servers: readonly GatherServerReport[];
  readonly durationMs: number;
}

export interface CandidateGathererOptions {
  clock: Clock;
  network: Network;
  transports: readonly ComponentTransport[];
  stunServers: readonly SocketAddress[];
  turnServers: readonly TurnServerConfig[];
  policy: IceCandidatePolicy;
  taMs: number;
  timeoutMs: number;
  includeLoopback: boolean;
  includeLinkLocal: boolean;
  turnLifetimeS?: number;
  nextId: () => number;
  log: IceLogger;
  newTransactionId?: () => Buffer;
}

const RELAY_TRANSPORT_RANK: Readonly<Record<TurnTransport, number>> = { udp: 0, tcp: 1, tls: 2 };

interface Job {
  readonly start: () => Promise<void>;
  readonly cancel: () => void;
}

/** One gathering run: `running` until every job ended or the deadline passed, then `done`. */
export class CandidateGatherer {
  private readonly options: CandidateGathererOptions;
  private readonly candidates: LocalCandidate[] = [];
  private readonly relays: TurnRelay[] = [];
  private readonly servers: GatherServerReport[] = [];
  private readonly timers: Timer[] = [];
  private phase: 'idle' | 'running' | 'done' = 'idle';
  private startedAt = 0;
  /** The gathering RTO of §14.3, fixed when the run starts. */
  private rtoMs = 500;
  private finish: ((cause: string) => void) | undefined;

  constructor(options: CandidateGathererOptions) {
    this.options = options;
  }

  run(): Promise<GatherResult> {
    if (this.phase !== 'idle') throw new Error('a CandidateGatherer runs once');
    this.phase = 'running';
    const { clock, transports, policy, taMs } = this.options;
    this.startedAt = clock.monotonic();

    const hosts = new Map<ComponentTransport, LocalCandidate[]>();
    for (const transport of transports) hosts.set(transport, this.hostCandidates(transport));
    if (policy === 'all') for (const list of hosts.values()) this.candidates.push(...list);

    const plans: (() => Job)[] = [];
    for (const transport of transports) {
      const family = transport.socket.local.family;
      const primary = hosts.get(transport)?.[0];
      if (policy === 'all' && primary !== undefined) {
        this.options.stunServers
          .filter((s) => s.family === family)
          .forEach((server, index) =>
            plans.push(() => this.stunJob(transport, primary, server, index, hosts)),
          );
      }
      this.options.turnServers
        .filter((s) => s.address.family === family)
        .forEach((server, index) => plans.push(() => this.turnJob(transport, primary, server, index, hosts)));
    }
    // RFC 8445 §14.3: "RTO = MAX (500ms, Ta * (Num-Of-Cands))", Num-Of-Cands the srflx and relay candidates.
    this.rtoMs = Math.max(500, taMs * plans.length);
    const jobs = plans.map((plan) => plan());

    return new Promise<GatherResult>((resolve) => {
      let pending = jobs.length;
      const finish = (cause: string): void => {
        if (this.phase !== 'running') return;
        this.finish = undefined;
        this.phase = 'done';
        for (const timer of this.timers) timer.cancel();
        this.timers.length = 0;
        for (const job of jobs) job.cancel();
        this.options.log('debug', `gathering done after ${clock.monotonic() - this.startedAt} ms (${cause})`);
        resolve(this.result());
      };
      this.finish = finish;
      if (pending === 0) {
        // Nothing to wait for: still asynchronous, so callers see one behaviour.
        queueMicrotask(() => finish('host candidates only'));
        return;
      }
      this.timers.push(
        clock.setTimer(this.options.timeoutMs, () => finish(`deadline ${this.options.timeoutMs} ms`)),
      );
      jobs.forEach((job, i) => {
        const begin = (): void => {
          void job.start().then(() => {
            pending--;
            if (pending === 0) finish('every server answered or failed');
          });
        };
        if (i === 0) begin();
        else this.timers.push(clock.setTimer(i * taMs, begin));
      });
    });
  }

  /** End the run now (the agent is closing): pending transactions are cancelled, allocations abandoned. */
  cancel(): void {
    this.finish?.('cancelled');
  }

  private result(): GatherResult {
    const candidates = [...this.candidates].sort(
      (a, b) => a.component - b.component || b.priority - a.priority,
    );
    return {
      candidates,
      relays: [...this.relays],
      servers: [...this.servers],
      durationMs: this.options.clock.monotonic() - this.startedAt,
    };
  }

  private hostCandidates(transport: ComponentTransport): LocalCandidate[] {
    const local = transport.socket.local;
    const wildcard = local.address === '0.0.0.0' || local.address === '::';
    let addresses: string[];
    if (!wildcard) addresses = [local.address];
    else {
      const usable = this.options.network
        .interfaces()
        .filter((i) => i.family === local.family)
        .filter((i) => this.options.includeLoopback || !i.internal)
        .filter((i) => this.options.includeLinkLocal || !isLinkLocalIpv6(i.address));
      // Ordinary addresses first (in the order the system lists them), then link-local, then loopback.
      const rank = (i: { address: string; internal: boolean }): number =>
        i.internal ? 2 : isLinkLocalIpv6(i.address) ? 1 : 0;
      addresses = [...usable]
        .sort((x, y) => rank(x) - rank(y))
        .map((i) => i.address)
        .filter((a, i, all) => all.indexOf(a) === i);
    }
    const base: CandidateBase = { kind: 'socket', component: transport.component, transport };
    return addresses.slice(0, 512).map((address, i) => {
      const localPreference = MAX_LOCAL_PREFERENCE - 128 * i;
      return {
        id: this.options.nextId(),
        foundation: candidateFoundation({ type: 'host', baseAddress: address }),
        component: transport.component,
        transport: 'udp',
        priority: candidatePriority('host', localPreference, transport.component),
        address: { address, port: local.port, family: local.family },
        type: 'host',
        base,
        localPreference,
      };
    });
  }

  /** A srflx candidate from `mapped`, unless redundant (§5.1.3) with a host or another srflx candidate. */
  private addReflexive(
    transport: ComponentTransport,
    primary: LocalCandidate,
    mapped: SocketAddress,
    server: SocketAddress,
    serverIndex: number,
    hosts: Map<ComponentTransport, LocalCandidate[]>,
  ): boolean {
    if (this.options.policy !== 'all') return false;
    const redundant =
      (hosts.get(transport) ?? []).some((c) => sameAddress(c.address, mapped)) ||
      this.candidates.some(
        (c) => c.type === 'srflx' && c.component === transport.component && sameAddress(c.address, mapped),
      );
    if (redundant) return false;
    const localPreference = Math.max(0, primary.localPreference - serverIndex);
    this.candidates.push({
      id: this.options.nextId(),
      foundation: candidateFoundation({
        type: 'srflx',
        baseAddress: primary.address.address,
        server: server.address,
      }),
      component: transport.component,
      transport: 'udp',
      priority: candidatePriority('srflx', localPreference, transport.component),
      address: mapped,
      type: 'srflx',
      related: primary.address,
      base: primary.base,
      localPreference,
    });
    return true;
  }

  private stunJob(
    transport: ComponentTransport,
    primary: LocalCandidate,
    server: SocketAddress,
    index: number,
    hosts: Map<ComponentTransport, LocalCandidate[]>,
  ): Job {
    const abort = new AbortController();
    let ended = false;
    const report = (outcome: GatherServerReport['outcome'], detail: string): void => {
      ended = true;
      this.servers.push({
        kind: 'stun',
        server: formatAddress(server),
        transport: 'udp',
        component: transport.component,
        outcome,
        detail,
      });
    };
    return {
      start: async () => {
        if (this.phase !== 'running') return;
        const result = await transport.stun.request({ method: StunMethod.binding }, server, {
          timing: { rtoMs: this.rtoMs },
          signal: abort.signal,
        });
        if (ended) return;
        if (result.outcome !== 'success') {
          report('failed', result.outcome);
          return;
        }
        const mapped = reflexiveAddressOf(result.response);
        if (mapped === undefined) {
          report('failed', 'no mapped address in the response');
          return;
        }
        const added = this.addReflexive(transport, primary, mapped, server, index, hosts);
        report(added ? 'ok' : 'redundant', `mapped ${formatAddress(mapped)}`);
      },
      cancel: () => {
        if (!ended) report('timeout', 'no answer before gathering ended');
        abort.abort();
      },
    };
  }

  private turnJob(
    transport: ComponentTransport,
    primary: LocalCandidate | undefined,
    server: TurnServerConfig,
    index: number,
    hosts: Map<ComponentTransport, LocalCandidate[]>,
  ): Job {
    const relay = new TurnRelay({
      clock: this.options.clock,
      server,
      ...(server.transport === 'udp' ? { socket: transport.socket } : { network: this.options.network }),
      ...(this.options.turnLifetimeS !== undefined ? { lifetimeS: this.options.turnLifetimeS } : {}),
      allocateTiming: { rtoMs: this.rtoMs },
      log: this.options.log,
      ...(this.options.newTransactionId ? { newTransactionId: this.options.newTransactionId } : {}),
    });
    if (server.transport === 'udp') transport.addRelay(relay);
    this.relays.push(relay);
    let ended = false;
    const name = `${server.transport} ${formatAddress(server.address)}${server.tls ? ` (${server.tls.servername})` : ''}`;
    const report = (outcome: GatherServerReport['outcome'], detail: string): void => {
      ended = true;
      this.servers.push({
        kind: 'turn',
        server: formatAddress(server.address),
        transport: server.transport,
        component: transport.component,
        outcome,
        detail,
      });
    };
    return {
      start: async () => {
        if (this.phase !== 'running') return;
        const allocation = await relay.allocate();
        if (ended) return;
        if (!allocation.ok) {
          report('failed', describeTurnFailure(allocation.failure));
          // A configured relay that cannot be used (refused certificate, wrong credentials…) is worth a
          // warning: calls that need it will have no audio.
          this.options.log(
            'warn',
            `TURN ${name}: no relayed candidate (${describeTurnFailure(allocation.failure)})`,
          );
          return;
        }
        const localPreference = Math.max(
          0,
          MAX_LOCAL_PREFERENCE - 128 * RELAY_TRANSPORT_RANK[server.transport] - index,
        );
        const related = allocation.mapped ?? primary?.address;
        this.candidates.push({
          id: this.options.nextId(),
          foundation: candidateFoundation({
            type: 'relay',
            baseAddress: allocation.relayed.address,
            server: server.address.address,
            relayTransport: server.transport,
          }),
          component: transport.component,
          transport: 'udp',
          priority: candidatePriority('relay', localPreference, transport.component),
          address: allocation.relayed,
          type: 'relay',
          ...(related ? { related } : {}),
          base: { kind: 'relay', component: transport.component, relay },
          localPreference,
        });
        // RFC 8445 §5.1.1.2: the Allocate response's XOR-MAPPED-ADDRESS is a server-reflexive candidate
        // too — for a UDP allocation made from the media socket.
        if (server.transport === 'udp' && allocation.mapped !== undefined && primary !== undefined) {
          this.addReflexive(
            transport,
            primary,
            allocation.mapped,
            server.address,
            this.options.stunServers.length + index,
            hosts,
          );
        }
        report('ok', `relayed ${formatAddress(allocation.relayed)}`);
      },
      cancel: () => {
        if (ended) return;
        report('timeout', 'no allocation before gathering ended');
        void relay.release();
      },
    };
  }
}
