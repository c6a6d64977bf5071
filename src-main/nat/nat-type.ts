/**
 * NAT behaviours (RFC 4787 terms, measured per RFC 5780) and the RFC 3489 names derived from them.
 *
 * What we know of a behaviour is kept as the set of values still possible, so that partial knowledge
 * stays honest: a server without OTHER-ADDRESS leaves all three open; two servers that saw different
 * public ports rule out endpoint-independent mapping but cannot tell the other two apart.
 *
 * RFC 3489 names (RFC 5780 §1 maps between the vocabularies):
 *
 *   mapping \ filtering           endpoint-independent   address-dependent    address-and-port-dependent
 *   endpoint-independent          full cone              restricted cone      port-restricted cone
 *   address(-and-port)-dependent  symmetric              symmetric            symmetric
 *
 * plus "open" (our mapped address is one of our own: no NAT) and "udp-blocked" (no UDP answer at all).
 */
import type { NatBehavior, NatType } from '../../src-shared/model/nat.ts';

/** A measured behaviour: one of RFC 4787's three. */
export type Behavior = Exclude<NatBehavior, 'unknown'>;

export const BEHAVIORS: readonly Behavior[] = [
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
];

/** The behaviours still possible (one: known; three: unknown). Never empty. */
export type BehaviorKnowledge = readonly Behavior[];

export const UNKNOWN_BEHAVIOR: BehaviorKnowledge = BEHAVIORS;

export function known(behavior: Behavior): BehaviorKnowledge {
  return [behavior];
}

/** The single value, or 'unknown' when more than one is possible. */
export function behaviorOf(knowledge: BehaviorKnowledge): NatBehavior {
  return knowledge.length === 1 ? (knowledge[0] ?? 'unknown') : 'unknown';
}

export interface NatBehaviorKnowledge {
  mapping: BehaviorKnowledge;
  filtering: BehaviorKnowledge;
  /** Our mapped address is one of our own addresses with our port: no NAT on the way. */
  noNat: boolean;
}

/** The RFC 3489 name for what we know. */
export function natTypeOf(k: NatBehaviorKnowledge, udpBlocked: boolean): NatType {
  if (udpBlocked) return 'udp-blocked';
  if (k.noNat) return 'open';
  if (k.mapping.length > 0 && !k.mapping.includes('endpoint-independent')) return 'symmetric';
  if (k.mapping.length !== 1) return 'unknown';
  switch (behaviorOf(k.filtering)) {
    case 'endpoint-independent':
      return 'full-cone';
    case 'address-dependent':
      return 'restricted-cone';
    case 'address-and-port-dependent':
      return 'port-restricted-cone';
    case 'unknown':
      return 'unknown';
  }
}

/**
 * The behaviours an RFC 3489 name stands for, for a peer we know only by that name. "symmetric" is taken
 * as its common kind: address-and-port-dependent mapping and filtering (a Linux router with
 * `SNAT --random-fully`, most carrier-grade NATs); "open" is a host with a public address and no
 * filtering.
 */
export function behaviorsOfNatType(type: NatType): NatBehaviorKnowledge | undefined {
  switch (type) {
    case 'open':
      return {
        mapping: known('endpoint-independent'),
        filtering: known('endpoint-independent'),
        noNat: true,
      };
    case 'full-cone':
      return {
        mapping: known('endpoint-independent'),
        filtering: known('endpoint-independent'),
        noNat: false,
      };
    case 'restricted-cone':
      return { mapping: known('endpoint-independent'), filtering: known('address-dependent'), noNat: false };
    case 'port-restricted-cone':
      return {
        mapping: known('endpoint-independent'),
        filtering: known('address-and-port-dependent'),
        noNat: false,
      };
    case 'symmetric':
      return {
        mapping: known('address-and-port-dependent'),
        filtering: known('address-and-port-dependent'),
        noNat: false,
      };
    case 'udp-blocked':
    case 'unknown':
      return undefined;
  }
}
