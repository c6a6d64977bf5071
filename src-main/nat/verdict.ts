/**
 * From measurements to advice: the ranking of the servers, the verdict, and the ICE policy.
 *
 * Verdict, judged against the peers a phone meets (direct-path.ts):
 *   blocked          UDP tested and never answered, and no TURN server works over TCP/TLS
 *   relay-required   UDP blocked but TURN over TCP/TLS works; or no direct path with a peer behind an
 *                    ordinary port-restricted NAT (we are behind a symmetric NAT)
 *   direct-possible  direct with port-restricted peers, not with symmetric ones
 *   direct-likely    direct even with symmetric peers
 *   unknown          the behaviour that decides it was not measured
 *
 * Policy: 'relay' transport policy only when UDP is blocked and TURN over TCP/TLS works (host and
 * server-reflexive candidates cannot work then); a relay is required with verdict relay-required.
 */
import type {
  DirectPathPrediction,
  IcePolicy,
  NatServerResult,
  NatType,
  NatVerdict,
} from '../../src-shared/model/nat.ts';
import { predictDirectPath } from './direct-path.ts';
import { behaviorsOfNatType } from './nat-type.ts';
import type { NatBehaviorKnowledge } from './nat-type.ts';

export const PEER_CLASSES = [
  'open',
  'full-cone',
  'restricted-cone',
  'port-restricted-cone',
  'symmetric',
] as const;
export type PeerClass = (typeof PEER_CLASSES)[number];

export type DirectPathTable = Record<PeerClass, DirectPathPrediction>;

/** Predictions against every peer class; all 'unknown' without a behaviour, all 'no' without UDP. */
export function directPathTable(ours: NatBehaviorKnowledge | null, udpWorks: boolean): DirectPathTable {
  const table = {} as DirectPathTable;
  for (const peer of PEER_CLASSES) {
    const theirs = behaviorsOfNatType(peer as NatType);
    table[peer] = !udpWorks
      ? 'no'
      : ours === null || theirs === undefined
        ? 'unknown'
        : predictDirectPath(ours, theirs);
  }
  return table;
}

export interface VerdictInput {
  /** A UDP STUN/TURN server was tested. */
  udpTested: boolean;
  /** A UDP STUN/TURN server answered. */
  udpWorks: boolean;
  table: DirectPathTable;
  /** TURN over TCP or TLS worked. */
  streamTurnWorks: boolean;
}

export function decideVerdict(input: VerdictInput): NatVerdict {
  if (input.udpTested && !input.udpWorks) return input.streamTurnWorks ? 'relay-required' : 'blocked';
  if (!input.udpWorks) return 'unknown';
  if (input.table.symmetric === 'yes') return 'direct-likely';
  if (input.table['port-restricted-cone'] === 'yes') return 'direct-possible';
  if (input.table['port-restricted-cone'] === 'no') return 'relay-required';
  return 'unknown';
}

/** Rank within each kind: working servers by round trip (ties: listed order), failed ones unranked. */
export function rankServers(servers: NatServerResult[]): NatServerResult[] {
  const ranked = servers.map((s) => ({ ...s, rank: null as number | null }));
  for (const kind of ['stun', 'turn'] as const) {
    const working = ranked
      .map((s, index) => ({ s, index }))
      .filter(({ s }) => s.kind === kind && s.ok)
      .sort((a, b) => (a.s.rttMs ?? Infinity) - (b.s.rttMs ?? Infinity) || a.index - b.index);
    working.forEach(({ s }, i) => {
      s.rank = i + 1;
    });
  }
  return ranked;
}

const TRANSPORT_PREFERENCE = { udp: 0, tcp: 1, tls: 2 } as const;

export function choosePolicy(
  servers: readonly NatServerResult[],
  verdict: NatVerdict,
  udpWorks: boolean,
): IcePolicy {
  const byRank = (a: NatServerResult, b: NatServerResult): number =>
    (a.rank ?? Infinity) - (b.rank ?? Infinity);
  const stun = servers.filter((s) => s.kind === 'stun' && s.ok && s.transport === 'udp').sort(byRank)[0];
  const turns = servers
    .filter((s) => s.kind === 'turn' && s.ok && (udpWorks || s.transport !== 'udp'))
    .sort((a, b) => TRANSPORT_PREFERENCE[a.transport] - TRANSPORT_PREFERENCE[b.transport] || byRank(a, b));
  const turn = turns[0];
  const relayOnly = !udpWorks && turn !== undefined;
  return {
    transportPolicy: relayOnly ? 'relay' : 'all',
    stunServer: udpWorks && stun ? stun.uri : null,
    turnServer: turn ? { uri: turn.uri, transport: turn.transport } : null,
    turnRequired: relayOnly || verdict === 'relay-required',
  };
}
