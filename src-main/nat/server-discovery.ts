/**
 * Which STUN/TURN servers to test: the ones configured (RFC 7064/7065 URIs) and the ones the SIP domain
 * publishes in DNS — RFC 5389 §9 (`_stun._udp`, `_stuns._tcp`) and RFC 5766 §6.1 / RFC 7065 (`_turn._udp`,
 * `_turn._tcp`, `_turns._tcp`) — each resolved to addresses (A, then AAAA).
 *
 * A configured host name without a port gets the same SRV treatment for its own name (RFC 5389 §9: "SRV
 * lookups are used when the port is not explicitly given") and falls back to A/AAAA with the default port.
 * A server found twice (configured and by SRV) is tested once, as configured.
 */
import type { NatServerKind, NatServerSource, NatServerTransport } from '../../src-shared/model/nat.ts';
import { errorCode } from '../platform/index.ts';
import type { Resolver, SocketAddress, SrvRecord } from '../platform/index.ts';
import { isServiceUnavailableMarker, orderSrvRecords, parseIpLiteral } from '../sip/resolve/index.ts';
import { parseServerUri, serverUriOf } from './server-uri.ts';

export interface TurnCredentials {
  username: string;
  password: string;
}

export interface ServerToTest {
  uri: string;
  kind: NatServerKind;
  transport: NatServerTransport;
  source: NatServerSource;
  host: string;
  port: number;
  /** Where the name led, IPv4 first; empty when it did not resolve (`resolveError` says why). */
  addresses: SocketAddress[];
  resolveError?: string;
  credentials?: TurnCredentials;
}

export interface SrvLookup {
  name: string;
  records: number;
  /** The DNS error code, when the lookup failed for another reason than "no such record". */
  error?: string;
}

export interface ServerDiscovery {
  servers: ServerToTest[];
  /** Configured URIs that could not be used. */
  invalid: { uri: string; reason: string }[];
  srv: SrvLookup[];
}

export interface DiscoverServersOptions {
  resolver: Resolver;
  domain?: string;
  stun?: readonly string[];
  turn?: readonly ({ uri: string } & TurnCredentials)[];
  /** Credentials for TURN servers found by SRV. */
  turnCredentials?: TurnCredentials;
  /** URIs tried only when nothing else was found. */
  defaults?: readonly string[];
}

interface SrvService {
  prefix: string;
  kind: NatServerKind;
  transport: NatServerTransport;
}

/** The SRV services, in the order their servers are listed. */
const SERVICES: readonly SrvService[] = [
  { prefix: '_stun._udp', kind: 'stun', transport: 'udp' },
  { prefix: '_stuns._tcp', kind: 'stun', transport: 'tls' },
  { prefix: '_turn._udp', kind: 'turn', transport: 'udp' },
  { prefix: '_turn._tcp', kind: 'turn', transport: 'tcp' },
  { prefix: '_turns._tcp', kind: 'turn', transport: 'tls' },
];

function serviceFor(kind: NatServerKind, transport: NatServerTransport): SrvService | undefined {
  return SERVICES.find((s) => s.kind === kind && s.transport === transport);
}

/** "No such record" answers: not an error worth reporting. */
function isNoRecord(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

async function resolveHost(
  resolver: Resolver,
  host: string,
  port: number,
): Promise<{ addresses: SocketAddress[]; error?: string }> {
  const literal = parseIpLiteral(host);
  if (literal) return { addresses: [{ address: literal.address, port, family: literal.family }] };
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses: SocketAddress[] = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, port, family: 4 as const })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, port, family: 6 as const })) : []),
  ];
  if (addresses.length > 0) return { addresses };
  const failure = v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined;
  return {
    addresses,
    error: `${host} did not resolve${failure ? ` (${errorCode(failure) ?? 'error'})` : ''}`,
  };
}

async function lookupSrv(resolver: Resolver, name: string, log: SrvLookup[]): Promise<SrvRecord[]> {
  try {
    const records = (await resolver.resolveSrv(name)).filter((r) => !isServiceUnavailableMarker(r));
    log.push({ name, records: records.length });
    // RFC 2782 order; the weighted choice is made deterministic (every server gets tested anyway).
    return orderSrvRecords(records, () => 0);
  } catch (error) {
    const code = errorCode(error);
    log.push({ name, records: 0, ...(isNoRecord(error) ? {} : { error: code ?? 'error' }) });
    return [];
  }
}

async function fromSrv(
  resolver: Resolver,
  domain: string,
  service: SrvService,
  source: NatServerSource,
  credentials: TurnCredentials | undefined,
  log: SrvLookup[],
): Promise<ServerToTest[]> {
  const records = await lookupSrv(resolver, `${service.prefix}.${domain}`, log);
  return Promise.all(
    records.map(async (record) => {
      const host = record.name.replace(/\.$/, '').toLowerCase();
      const resolved = await resolveHost(resolver, host, record.port);
      return {
        uri: serverUriOf(service.kind, service.transport, host, record.port),
        kind: service.kind,
        transport: service.transport,
        source,
        host,
        port: record.port,
        addresses: resolved.addresses,
        ...(resolved.error ? { resolveError: resolved.error } : {}),
        ...(service.kind === 'turn' && credentials ? { credentials } : {}),
      };
    }),
  );
}

async function fromUri(
  resolver: Resolver,
  text: string,
  source: NatServerSource,
  credentials: TurnCredentials | undefined,
  log: SrvLookup[],
): Promise<ServerToTest[] | { reason: string }> {
  const parsed = parseServerUri(text);
  if (!parsed.ok) return { reason: parsed.reason };
  const u = parsed.value;
  const service = serviceFor(u.kind, u.transport);
  if (!u.explicitPort && !u.literal && service) {
    const viaSrv = await fromSrv(resolver, u.host, service, source, credentials, log);
    if (viaSrv.length > 0)
      return viaSrv.map((s) => ({ ...s, uri: u.uri === s.uri ? s.uri : `${u.uri} → ${s.uri}` }));
  }
  const resolved = await resolveHost(resolver, u.host, u.port);
  return [
    {
      uri: u.uri,
      kind: u.kind,
      transport: u.transport,
      source,
      host: u.host,
      port: u.port,
      addresses: resolved.addresses,
      ...(resolved.error ? { resolveError: resolved.error } : {}),
      ...(u.kind === 'turn' && credentials ? { credentials } : {}),
    },
  ];
}

export async function discoverServers(options: DiscoverServersOptions): Promise<ServerDiscovery> {
  const { resolver } = options;
  const srv: SrvLookup[] = [];
  const invalid: ServerDiscovery['invalid'] = [];
  const collect = (uri: string, result: ServerToTest[] | { reason: string }): ServerToTest[] => {
    if (Array.isArray(result)) return result;
    invalid.push({ uri, reason: result.reason });
    return [];
  };

  const [configuredStun, configuredTurn, published] = await Promise.all([
    Promise.all(
      (options.stun ?? []).map(async (uri) =>
        collect(uri, await fromUri(resolver, uri, 'configured', undefined, srv)),
      ),
    ),
    Promise.all(
      (options.turn ?? []).map(async (t) =>
        collect(
          t.uri,
          await fromUri(resolver, t.uri, 'configured', { username: t.username, password: t.password }, srv),
        ),
      ),
    ),
    options.domain === undefined
      ? Promise.resolve([])
      : Promise.all(
          SERVICES.map((service) =>
            fromSrv(resolver, options.domain ?? '', service, 'srv', options.turnCredentials, srv),
          ),
        ),
  ]);
  let servers = dedupe([...configuredStun.flat(), ...configuredTurn.flat(), ...published.flat()]);
  if (servers.length === 0 && options.defaults !== undefined && options.defaults.length > 0) {
    const defaults = await Promise.all(
      options.defaults.map(async (uri) =>
        collect(uri, await fromUri(resolver, uri, 'default', undefined, srv)),
      ),
    );
    servers = dedupe(defaults.flat());
  }
  return { servers, invalid, srv };
}

/** One entry per kind + transport + first address (or name, when unresolved); the first one wins. */
function dedupe(servers: ServerToTest[]): ServerToTest[] {
  const seen = new Set<string>();
  return servers.filter((s) => {
    const first = s.addresses[0];
    const key = `${s.kind}|${s.transport}|${first ? `${first.address}|${first.port}` : `${s.host}|${s.port}`}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
