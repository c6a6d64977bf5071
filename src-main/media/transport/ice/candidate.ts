/**
 * ICE candidates (RFC 8445 §5.1) as values: their types, priorities, foundations, and the pair priority
 * of §6.1.2.3. Pure functions; the agent and the SDP glue share them.
 */
import { createHash } from 'node:crypto';
import { formatAddress } from '../../../platform/index.ts';
import type { SocketAddress } from '../../../platform/index.ts';
import type { TurnTransport } from '../../stun/index.ts';

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export const ICE_CANDIDATE_TYPES: readonly IceCandidateType[] = ['host', 'srflx', 'prflx', 'relay'];

/** RFC 8445 §5.1.1: component 1 carries RTP, component 2 RTCP (absent with rtcp-mux). */
export type IceComponent = 1 | 2;

/** How we reach a TURN server (the TURN client, `TurnRelay`, lives in media/stun). */
export type { TurnTransport };

/** Who we are in the ICE session (RFC 8445 §6.1.1). */
export type IceRole = 'controlling' | 'controlled';

/**
 * RFC 8445 §5.1.2.2 recommended type preferences: "126 for host candidates, 110 for peer-reflexive
 * candidates, 100 for server-reflexive candidates, and 0 for relayed candidates".
 */
export const TYPE_PREFERENCE: Readonly<Record<IceCandidateType, number>> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

/** RFC 8445 §5.1.2.1: "When there is only a single IP address, this value SHOULD be set to 65535". */
export const MAX_LOCAL_PREFERENCE = 65_535;

/** A candidate as it is signalled (ours in the offer/answer, the peer's from its SDP). */
export interface IceCandidate {
  /** 1–32 ice-chars (RFC 8839 §5.1). */
  readonly foundation: string;
  readonly component: IceComponent;
  /** The candidates we gather and accept are UDP (RFC 6544 TCP candidates are not used). */
  readonly transport: 'udp';
  /** 1 … 2^31 − 1 (§5.1.2.1). */
  readonly priority: number;
  readonly address: SocketAddress;
  readonly type: IceCandidateType;
  /** raddr/rport: the base of a srflx candidate, the mapped address of a relayed one (RFC 8839 §5.1). */
  readonly related?: SocketAddress | undefined;
}

/**
 * RFC 8445 §5.1.2.1:
 *
 *   priority = (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID)
 */
export function candidatePriority(
  type: IceCandidateType,
  localPreference: number,
  component: number,
): number {
  if (!Number.isInteger(localPreference) || localPreference < 0 || localPreference > MAX_LOCAL_PREFERENCE) {
    throw new RangeError(`local preference ${localPreference} is not 0–65535`);
  }
  if (!Number.isInteger(component) || component < 1 || component > 256) {
    throw new RangeError(`component ${component} is not 1–256`);
  }
  return TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

/**
 * RFC 8445 §6.1.2.3, with G the priority of the controlling agent's candidate and D the controlled one's:
 *
 *   pair priority = 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)
 *
 * The result needs up to 63 bits, beyond a double's 53: it is a bigint.
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g < d ? d : g;
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}

export interface FoundationInputs {
  readonly type: IceCandidateType;
  /** IP address of the candidate's base (the relayed address itself for a relayed candidate). */
  readonly baseAddress: string;
  /** The STUN or TURN server the candidate was obtained from (srflx, relay). */
  readonly server?: string | undefined;
  /** How the TURN server was reached (relay). */
  readonly relayTransport?: TurnTransport | undefined;
}

/**
 * RFC 8445 §5.1.1.3: two candidates have the same foundation when they have the same type, bases with
 * the same IP address, were obtained from the same STUN or TURN server IP, and use the same transport.
 * The foundation is an opaque token; a short hash of those inputs keeps it stable across calls and
 * restarts (8 hex digits are ice-chars, RFC 8839 §5.1).
 */
export function candidateFoundation(inputs: FoundationInputs): string {
  const key = [inputs.type, inputs.baseAddress, inputs.server ?? '', 'udp', inputs.relayTransport ?? ''].join(
    '|',
  );
  return createHash('sha1').update(key).digest('hex').slice(0, 8);
}

/** "host 10.0.0.2:5000" — for logs. */
export function describeCandidate(candidate: Pick<IceCandidate, 'type' | 'address'>): string {
  return `${candidate.type} ${formatAddress(candidate.address)}`;
}

/** Whether an address is an IPv6 link-local one (fe80::/10). */
export function isLinkLocalIpv6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
