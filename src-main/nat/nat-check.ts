/**
 * The whole NAT check, from a SIP domain and/or configured servers to a `NatReport`:
 *
 *   servers      SRV + configured URIs → addresses                        (server-discovery.ts)
 *   stun, turn   every server tested at once: Binding RTTs, TURN allocations (server-probe.ts)
 *   mapping, filtering, hairpinning
 *                RFC 5780 against the best server with OTHER-ADDRESS      (behavior-discovery.ts)
 *   lifetime     RFC 5780 §4.6, parallel probes up to the cap             (binding-lifetime.ts)
 *   sip-alg      when the registration layer gave us what it sent and got back (sip-alg.ts)
 *   verdict      direct-path predictions, verdict, ICE policy, plain words (verdict.ts, explanation.ts)
 *
 * Every wait is on the Clock port and every socket comes from the Network port, so the unit tests run the
 * whole check against in-memory NATs in fake time.
 */
import type {
  NatCheckProgress,
  NatCheckRequest,
  NatReport,
  NatServerResult,
  NatTestRecord,
  SipAlgStatus,
} from '../../src-shared/model/nat.ts';
import type { Clock, Network, Resolver, SocketAddress } from '../platform/index.ts';
import type { StunTiming } from '../media/stun/index.ts';
import { discoverBehavior } from './behavior-discovery.ts';
import type { BehaviorDiscoveryResult, DiscoveryNote } from './behavior-discovery.ts';
import { measureBindingLifetime } from './binding-lifetime.ts';
import type { LifetimeResult } from './binding-lifetime.ts';
import { explain } from './explanation.ts';
import { behaviorOf, natTypeOf } from './nat-type.ts';
import type { NatBehaviorKnowledge } from './nat-type.ts';
import { NAT_TEST_TIMING, toTransportAddress } from './probe-context.ts';
import type { ProbeContext, TlsTrust } from './probe-context.ts';
import { discoverServers } from './server-discovery.ts';
import type { ServerToTest } from './server-discovery.ts';
import { probeServer } from './server-probe.ts';
import type { ServerProbeResult } from './server-probe.ts';
import { detectSipAlg } from './sip-alg.ts';
import type { SipAlgObservation } from './sip-alg.ts';
import { choosePolicy, decideVerdict, directPathTable, rankServers } from './verdict.ts';

export interface NatCheckOptions {
  clock: Clock;
  network: Network;
  resolver: Resolver;
  request: NatCheckRequest;
  /** STUN URIs used only when nothing is configured or published. */
  defaultStun?: readonly string[];
  /** Timing of the test transactions (default NAT_TEST_TIMING). */
  timing?: Partial<StunTiming>;
  /** TCP/TLS connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  tls?: TlsTrust;
  software?: string;
  /** What the registration sent and got back, for SIP ALG detection. */
  sipAlg?: SipAlgObservation;
  /** Delays probed by the lifetime test (seconds; default: binding-lifetime.ts's list). */
  lifetimeDelaysS?: readonly number[];
  onProgress?: (progress: NatCheckProgress) => void;
  signal?: AbortSignal;
}

export const DEFAULT_LIFETIME_MAX_S = 60;
/** Bounds of the report (the IPC schema's limits): a domain publishing hundreds of SRV records is cut. */
const MAX_RECORDS = 200;
const MAX_SERVERS = 24;
const MAX_STATEMENTS = 40;

function where(a: SocketAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

export async function runNatCheck(options: NatCheckOptions): Promise<NatReport> {
  const { clock, network, request } = options;
  const startedAt = Math.floor(clock.now());
  const records: NatTestRecord[] = [];
  const ctx: ProbeContext = {
    clock,
    network,
    timing: { ...NAT_TEST_TIMING, ...options.timing },
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    tls: options.tls ?? {},
    ...(options.software !== undefined ? { software: options.software } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    startedAt: clock.monotonic(),
    record: (entry) => {
      if (records.length < MAX_RECORDS)
        records.push({ ...entry, detail: entry.detail === null ? null : entry.detail.slice(0, 300) });
    },
  };
  const progress = (step: NatCheckProgress['step'], detail: string): void =>
    options.onProgress?.({ step, detail: detail.slice(0, 500) });
  const localAddresses = [...new Set(network.interfaces().map((i) => i.address))];

  // ── servers ──
  progress(
    'servers',
    request.domain
      ? `Looking up STUN and TURN servers of ${request.domain} (DNS SRV)`
      : 'Reading the configured servers',
  );
  const discovery = await discoverServers({
    resolver: options.resolver,
    ...(request.domain !== undefined ? { domain: request.domain } : {}),
    ...(request.stun ? { stun: request.stun } : {}),
    ...(request.turn ? { turn: request.turn } : {}),
    ...(request.turnCredentials ? { turnCredentials: request.turnCredentials } : {}),
    ...(options.defaultStun ? { defaults: options.defaultStun } : {}),
  });
  discovery.servers.splice(MAX_SERVERS);
  progress(
    'servers',
    discovery.servers.length === 0
      ? 'No STUN or TURN server to test'
      : `Testing ${discovery.servers.map((s) => s.uri).join(', ')}`,
  );

  // ── stun, turn ──
  const probed = await Promise.all(
    discovery.servers.map(async (server) => {
      const result = await probeServer(ctx, server);
      progress(server.kind, describeProbe(server, result));
      return { server, result };
    }),
  );
  const servers = rankServers([
    ...probed.map(({ server, result }) => serverResult(server, result)),
    ...discovery.invalid.slice(0, 16).map((i) => invalidServer(i.uri, i.reason)),
  ]);

  // ── mapping, filtering, hairpinning ──
  const discoveryTarget = chooseDiscoveryServer(probed, servers);
  let behavior: BehaviorDiscoveryResult | null = null;
  if (discoveryTarget !== undefined && !options.signal?.aborted) {
    behavior = await discoverBehavior(ctx, {
      server: discoveryTarget.address,
      localAddresses,
      ...(discoveryTarget.second ? { secondServer: discoveryTarget.second } : {}),
      onStep: (step, detail) => progress(step, detail),
    });
  }
  const udpTested = probed.some(({ server }) => server.transport === 'udp' && server.addresses.length > 0);
  const udpWorks =
    probed.some(({ server, result }) => server.transport === 'udp' && result.ok) ||
    behavior?.reachable === true;

  // ── lifetime ──
  const lifetimeMaxS = request.lifetimeMaxS ?? DEFAULT_LIFETIME_MAX_S;
  let lifetime: LifetimeResult | null = null;
  // No NAT and no filtering: there is no binding state that could expire.
  const stateless = behavior?.noNat === true && behaviorOf(behavior.filtering) === 'endpoint-independent';
  if (
    request.lifetime !== false &&
    behavior?.reachable &&
    behavior.publicAddress &&
    !stateless &&
    !options.signal?.aborted
  ) {
    progress('lifetime', `Measuring how long the NAT keeps an idle binding (up to ${lifetimeMaxS} s)`);
    lifetime = await measureBindingLifetime(ctx, {
      server: behavior.server,
      maxS: lifetimeMaxS,
      ...(options.lifetimeDelaysS ? { delaysS: options.lifetimeDelaysS } : {}),
      onStep: (detail) => progress('lifetime', detail),
    });
  }

  // ── sip-alg ──
  let sipAlg: SipAlgStatus = 'unknown';
  if (options.sipAlg) {
    progress('sip-alg', 'Comparing what we sent to the registrar with what it saw');
    sipAlg = detectSipAlg({
      ...options.sipAlg,
      publicAddress: behavior?.publicAddress ?? options.sipAlg.publicAddress ?? null,
    }).status;
  }

  // ── verdict ──
  const knowledge: NatBehaviorKnowledge | null =
    behavior?.reachable && behavior.publicAddress
      ? { mapping: behavior.mapping, filtering: behavior.filtering, noNat: behavior.noNat }
      : null;
  const udpBlocked = udpTested && !udpWorks;
  const natType = udpBlocked ? 'udp-blocked' : knowledge ? natTypeOf(knowledge, false) : 'unknown';
  const table = directPathTable(knowledge, udpWorks);
  const streamTurnWorks = servers.some((s) => s.kind === 'turn' && s.ok && s.transport !== 'udp');
  const verdict = decideVerdict({ udpTested, udpWorks, table, streamTurnWorks });
  const policy = choosePolicy(servers, verdict, udpWorks);
  const notes: DiscoveryNote[] = behavior?.notes ?? [];
  const measured = lifetime?.measured ? lifetime : null;
  const explanation = explain({
    natType,
    mapping: knowledge?.mapping ?? [
      'endpoint-independent',
      'address-dependent',
      'address-and-port-dependent',
    ],
    filtering: knowledge?.filtering ?? [
      'endpoint-independent',
      'address-dependent',
      'address-and-port-dependent',
    ],
    publicAddress: behavior?.publicAddress ?? null,
    portPreserved: behavior?.portPreserved ?? null,
    hairpinning: behavior?.hairpinning ?? null,
    lifetime,
    lifetimeCapS: lifetime ? lifetimeMaxS : null,
    verdict,
    table,
    policy,
    servers,
    discoveryServer: discoveryTarget?.uri ?? null,
    notes,
    sipAlg,
    nothingTested: servers.length === 0,
  });
  progress('verdict', explanation.find((s) => s.key.startsWith('nat.verdict.'))?.text ?? verdict);

  return {
    startedAt,
    durationMs: clock.monotonic() - ctx.startedAt,
    accountId: request.accountId ?? null,
    domain: request.domain ?? null,
    mapping: knowledge ? behaviorOf(knowledge.mapping) : 'unknown',
    filtering: knowledge ? behaviorOf(knowledge.filtering) : 'unknown',
    natType,
    publicAddress: behavior?.publicAddress ? toTransportAddress(behavior.publicAddress) : null,
    portPreserved: behavior?.portPreserved ?? null,
    hairpinning: behavior?.hairpinning ?? null,
    bindingLifetimeS: measured ? (measured.capped ? lifetimeMaxS : measured.lowerBoundS) : null,
    bindingLifetimeCapped: measured?.capped ?? false,
    bindingLifetimeUpperS: measured?.upperBoundS ?? null,
    localAddresses: localAddresses.slice(0, 64),
    discoveryServer: discoveryTarget?.uri ?? null,
    servers,
    sipAlg,
    policy,
    verdict,
    directPath: table,
    explanation: explanation.slice(0, MAX_STATEMENTS),
    tests: records,
  };
}

function serverResult(server: ServerToTest, r: ServerProbeResult): NatServerResult {
  return {
    uri: server.uri.slice(0, 300),
    kind: server.kind,
    transport: server.transport,
    source: server.source,
    host: server.host.slice(0, 255),
    address: r.address ? toTransportAddress(r.address) : null,
    ok: r.ok,
    rttMs: r.rttMs,
    mappedAddress: r.mappedAddress ? toTransportAddress(r.mappedAddress) : null,
    relayedAddress: r.relayedAddress ? toTransportAddress(r.relayedAddress) : null,
    lifetimeS: r.lifetimeS,
    rfc5780: r.rfc5780,
    rank: null,
    error: r.error ? { code: r.error.code.slice(0, 40), message: r.error.message.slice(0, 500) } : null,
  };
}

function invalidServer(uri: string, reason: string): NatServerResult {
  return {
    uri: uri.slice(0, 300),
    kind: uri.toLowerCase().startsWith('turn') ? 'turn' : 'stun',
    transport: 'udp',
    source: 'configured',
    host: '',
    address: null,
    ok: false,
    rttMs: null,
    mappedAddress: null,
    relayedAddress: null,
    lifetimeS: null,
    rfc5780: null,
    rank: null,
    error: { code: 'bad-uri', message: reason.slice(0, 500) },
  };
}

function describeProbe(server: ServerToTest, r: ServerProbeResult): string {
  if (!r.ok) return `${server.uri}: ${r.error?.message ?? 'failed'}`;
  if (server.kind === 'turn') {
    return `${server.uri}: relay ${r.relayedAddress ? where(r.relayedAddress) : '?'}, lifetime ${r.lifetimeS ?? '?'} s, ${Math.round(r.rttMs ?? 0)} ms`;
  }
  return `${server.uri}: answers in ${Math.round(r.rttMs ?? 0)} ms${r.rfc5780 ? ', supports NAT behaviour discovery (RFC 5780)' : ''}`;
}

/**
 * The server for RFC 5780: a working UDP STUN server, those with OTHER-ADDRESS first, best rank next; a
 * working UDP TURN server when no STUN server works (TURN servers answer Binding requests too). A second
 * server with another address allows a mapping comparison when OTHER-ADDRESS is missing.
 */
function chooseDiscoveryServer(
  probed: { server: ServerToTest; result: ServerProbeResult }[],
  ranked: NatServerResult[],
): { uri: string; address: SocketAddress; second?: SocketAddress } | undefined {
  const rankOf = (server: ServerToTest): number =>
    ranked.find((r) => r.uri === server.uri.slice(0, 300) && r.kind === server.kind)?.rank ?? Infinity;
  const usable = probed
    .filter(({ server, result }) => server.transport === 'udp' && result.ok && result.address !== null)
    .sort(
      (a, b) =>
        Number(a.server.kind === 'turn') - Number(b.server.kind === 'turn') ||
        Number(b.result.rfc5780 === true) - Number(a.result.rfc5780 === true) ||
        rankOf(a.server) - rankOf(b.server),
    );
  const first = usable[0];
  if (first === undefined || first.result.address === null) return undefined;
  const firstAddress = first.result.address;
  const second = usable.find(
    ({ result }) => result.address !== null && result.address.address !== firstAddress.address,
  )?.result.address;
  return { uri: first.server.uri, address: firstAddress, ...(second ? { second } : {}) };
}
