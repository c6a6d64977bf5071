/**
 * Per-account NAT traversal settings, between the accounts, the NAT auto-configuration and the calls:
 *
 *   natCheckRequestFor(input, nat)   → the background NAT check of an account: its domain's SRV servers
 *                                      (when auto-discovery is on) and its configured ones
 *   iceSettingsFor(...)              → what one call's ICE agent gets: the configured STUN/TURN servers
 *                                      (resolved now), the ones the account's last NAT report found and
 *                                      tested good, and the policy from its verdict
 *   keepaliveFromLifetime(report)    → the SIP UDP flow's keepalive interval from the measured binding
 *                                      lifetime
 *
 * Decisions:
 *  - Policy: `relay-only` when the NAT check says a relay is required (verdict `relay-required`, e.g. we
 *    are behind a symmetric NAT, or UDP works only through TURN over TCP/TLS), else `all`; `relay-only`
 *    without any TURN server would gather nothing, so it falls back to `all` then.
 *  - TURN servers found by SRV get the account's TURN credentials (its first configured TURN server), else
 *    its SIP credentials — hosted PBXs commonly hand out TURN with the SIP account's.
 *  - Keepalive: 80 % of the binding lifetime's lower bound, clamped to 15–120 s; until a lifetime is
 *    measured (or for a NAT without binding state) the account's own interval, 25 s by default, stays.
 *  - TURN over TLS (turns:): verified as SIP TLS is — the system store plus the phone's extra trust
 *    anchors (`--ca`, PhoneSipOptions.tlsCa), SNI and the certificate's name checked against the URI's
 *    host. There is no way to turn verification off; a refused certificate costs that relay only.
 */
import type { IceMode, NatSettings } from '../../src-shared/model/settings.ts';
import type { NatCheckRequest, NatReport } from '../../src-shared/model/nat.ts';
import type { IceTransportSettings } from '../call/index.ts';
import type { TurnServerConfig } from '../media/transport/index.ts';
import { discoverServers } from '../nat/index.ts';
import type { Resolver, SocketAddress, TlsClientOptions } from '../platform/index.ts';

/** An account's NAT traversal configuration, with its secrets (main process only). */
export interface AccountNatInput {
  readonly accountId: string;
  /** The SIP domain (host[:port]): SRV lookups for `_stun._udp.<host>` … */
  readonly domain: string;
  readonly iceMode: IceMode;
  readonly stunServers: readonly string[];
  readonly turnServers: readonly {
    readonly uri: string;
    readonly username: string;
    readonly password: string;
  }[];
  /** The SIP digest credentials (TURN servers found by SRV may take them). */
  readonly sipCredentials?: { readonly username: string; readonly password: string } | undefined;
}

/** Phone-wide overrides (the CLI's --relay-only). */
export interface IceOverrides {
  /** Relay candidates only, whatever the NAT check says. */
  readonly relayOnly?: boolean;
}

/** Keepalive bounds for a UDP flow (s). */
export const KEEPALIVE_MIN_S = 15;
export const KEEPALIVE_MAX_S = 120;

/** The domain's host, when it is a name SRV can be asked about (not an IP literal). */
export function srvDomainOf(domain: string): string | undefined {
  const host = domain.startsWith('[') ? domain.slice(1, domain.indexOf(']')) : (domain.split(':')[0] ?? '');
  if (host === '' || /^[\d.]+$/.test(host) || host.includes(':')) return undefined;
  return /^[A-Za-z0-9.-]+$/.test(host) ? host : undefined;
}

/** The TURN credentials SRV-discovered servers are tried with. */
function srvTurnCredentials(input: AccountNatInput): { username: string; password: string } | undefined {
  const first = input.turnServers[0];
  if (first !== undefined) return { username: first.username, password: first.password };
  return input.sipCredentials === undefined ? undefined : { ...input.sipCredentials };
}

/** The NAT check an account's auto-configuration runs (with the binding lifetime: it sets the keepalive). */
export function natCheckRequestFor(
  input: AccountNatInput,
  nat: Pick<NatSettings, 'stunAutoDiscovery' | 'turnAutoDiscovery'>,
): NatCheckRequest {
  const domain = nat.stunAutoDiscovery || nat.turnAutoDiscovery ? srvDomainOf(input.domain) : undefined;
  const credentials = srvTurnCredentials(input);
  return {
    accountId: input.accountId.slice(0, 100),
    ...(domain !== undefined && { domain }),
    ...(input.stunServers.length > 0 && { stun: input.stunServers.slice(0, 8) }),
    ...(input.turnServers.length > 0 && {
      turn: input.turnServers
        .slice(0, 8)
        .map((t) => ({ uri: t.uri, username: t.username, password: t.password })),
    }),
    ...(domain !== undefined && credentials !== undefined && { turnCredentials: credentials }),
    lifetime: true,
  };
}

/** Does the report ask for relayed candidates only? */
export function reportWantsRelay(report: NatReport | undefined): boolean {
  return (
    report !== undefined && (report.verdict === 'relay-required' || report.policy.transportPolicy === 'relay')
  );
}

export interface IceSettingsInput {
  readonly input: AccountNatInput;
  readonly nat: Pick<NatSettings, 'stunAutoDiscovery' | 'turnAutoDiscovery'>;
  /** The account's last NAT report (auto-configuration or an explicit check). */
  readonly report: NatReport | undefined;
  readonly resolver: Resolver;
  readonly overrides?: IceOverrides;
  /** Extra TLS trust anchors (PEM) for turns: servers: the ones SIP TLS uses. */
  readonly tlsCa?: readonly string[];
}

/** TLS to a turns: server named `host` (see the header): verified, with the extra anchors if any. */
function turnTlsOptions(host: string, tlsCa: readonly string[] | undefined): TlsClientOptions {
  return { servername: host, ...(tlsCa !== undefined && tlsCa.length > 0 && { ca: [...tlsCa] }) };
}

/** One call's ICE settings for an account (see the header). */
export async function iceSettingsFor(options: IceSettingsInput): Promise<IceTransportSettings> {
  const { input, report } = options;
  if (input.iceMode === 'off') return { mode: 'off', stunServers: [], turnServers: [], policy: 'all' };
  const configured = await discoverServers({
    resolver: options.resolver,
    stun: input.stunServers,
    turn: input.turnServers.map((t) => ({ uri: t.uri, username: t.username, password: t.password })),
  });
  const stunServers: SocketAddress[] = [];
  const turnServers: TurnServerConfig[] = [];
  const addStun = (address: SocketAddress): void => {
    if (!stunServers.some((s) => sameEndpoint(s, address))) stunServers.push(address);
  };
  const addTurn = (server: TurnServerConfig): void => {
    if (!turnServers.some((t) => t.transport === server.transport && sameEndpoint(t.address, server.address)))
      turnServers.push(server);
  };
  for (const server of configured.servers) {
    const address = server.addresses[0];
    if (address === undefined) continue;
    if (server.kind === 'stun' && server.transport === 'udp') addStun(address);
    if (server.kind === 'turn' && server.credentials !== undefined) {
      addTurn({
        address,
        transport: server.transport,
        ...server.credentials,
        ...(server.transport === 'tls' && { tls: turnTlsOptions(server.host, options.tlsCa) }),
      });
    }
  }
  // What the auto-configuration found by SRV and tested good.
  const credentials = srvTurnCredentials(input);
  for (const result of report?.servers ?? []) {
    if (result.source !== 'srv' || !result.ok || result.address === null) continue;
    const address: SocketAddress = {
      address: result.address.address,
      port: result.address.port,
      family: result.address.address.includes(':') ? 6 : 4,
    };
    if (result.kind === 'stun' && result.transport === 'udp' && options.nat.stunAutoDiscovery)
      addStun(address);
    if (result.kind === 'turn' && options.nat.turnAutoDiscovery && credentials !== undefined) {
      addTurn({
        address,
        transport: result.transport,
        ...credentials,
        ...(result.transport === 'tls' && { tls: turnTlsOptions(result.host, options.tlsCa) }),
      });
    }
  }
  const relay = options.overrides?.relayOnly === true || reportWantsRelay(report);
  return {
    mode: input.iceMode,
    stunServers,
    turnServers,
    policy: relay && turnServers.length > 0 ? 'relay-only' : 'all',
  };
}

function sameEndpoint(a: SocketAddress, b: SocketAddress): boolean {
  return a.address === b.address && a.port === b.port;
}

/**
 * The SIP UDP flow's keepalive interval (s) from the report's binding lifetime: 80 % of its lower bound,
 * clamped to 15–120 s; undefined when no lifetime was measured.
 */
export function keepaliveFromLifetime(report: NatReport | undefined): number | undefined {
  const lifetime = report?.bindingLifetimeS;
  if (lifetime === null || lifetime === undefined || !(lifetime > 0)) return undefined;
  return Math.min(KEEPALIVE_MAX_S, Math.max(KEEPALIVE_MIN_S, Math.floor(lifetime * 0.8)));
}
