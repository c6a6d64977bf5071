/**
 * Can two ICE agents (RFC 8445) behind NATs form a direct path — host, server-reflexive or
 * peer-reflexive candidates, no relay — given each NAT's mapping and filtering (RFC 4787)?
 *
 * Setting: each agent learned its server-reflexive address X_S from a STUN server S (the mapping towards
 * S), the two exchanged them, and both send checks to the other's X_S, answer every check to its source,
 * and send triggered checks to the source of every check they receive (peer-reflexive). A check succeeds
 * only when its response comes from the address the request went to (§7.2.5.2.1), and a successful check
 * on one side makes the other side's triggered check succeed over the same two mappings, so one success
 * is enough. The public addresses of both NATs do not change between mappings (RFC 4787 REQ-2, "IP
 * address pooling: paired").
 *
 * Derivation. A packet from A to B_S passes B's NAT only if B's mapping B_S lets it in: with
 * endpoint-independent filtering always; with address-dependent filtering only if B sent to A's address
 * *through B_S*, which happens only when B's mapping is endpoint-independent; with address-and-port-
 * dependent filtering only if also A's source port is the one B sent to (A_S), i.e. A's mapping is
 * endpoint-independent too. Following each first packet that gets through, the answer and the triggered
 * check either reuse the mappings the check arrived on (success) or open new ones (the response comes
 * from an unexpected address: that check fails, and the chase repeats on new ports):
 *
 *   A mapping  B mapping   direct path iff
 *   EI         EI          always (both send to the other's srflx; each NAT then has the permission)
 *   EI         AD / APD    A's filtering is not APD  (B's checks come from a new port of B's NAT; A must
 *                          let it in, then A answers from A_S, which B sent to)
 *   AD / APD   EI          B's filtering is not APD  (mirror image)
 *   AD / APD   AD / APD    (A's filtering is EI, B's is not APD, and either mapping is AD) or the mirror
 *                          image: B's first check reaches A only through endpoint-independent filtering
 *                          (A_S was opened towards S alone); A's answer, from a new port, gets into B's
 *                          mapping only if that mapping accepts any port of A's address; and the
 *                          answers line up only if one NAT reuses its mapping for every port of the
 *                          other's address (address-dependent mapping) — with both address-and-port-
 *                          dependent, every answer leaves from a new port and no check ever succeeds
 *
 * With the five RFC 3489 classes (symmetric = APD mapping and filtering):
 *
 *                        open  full-cone  restricted  port-restricted  symmetric
 *   open                 yes   yes        yes         yes              yes
 *   full-cone            yes   yes        yes         yes              yes
 *   restricted-cone      yes   yes        yes         yes              yes
 *   port-restricted      yes   yes        yes         yes              NO
 *   symmetric            yes   yes        yes         NO               NO
 *
 * "No" means a TURN relay (on either side) is needed. The table is checked against the in-memory NAT
 * (test/unit/nat/direct-path.test.ts runs the ICE exchange above for every combination).
 */
import type { DirectPathPrediction } from '../../src-shared/model/nat.ts';
import { BEHAVIORS } from './nat-type.ts';
import type { Behavior, BehaviorKnowledge, NatBehaviorKnowledge } from './nat-type.ts';

export interface NatBehaviors {
  mapping: Behavior;
  filtering: Behavior;
}

/** The rule above, for fully known behaviours. */
export function directPathBetween(a: NatBehaviors, b: NatBehaviors): boolean {
  const ei = 'endpoint-independent';
  const apd = 'address-and-port-dependent';
  if (a.mapping === ei && b.mapping === ei) return true;
  if (a.mapping === ei) return a.filtering !== apd;
  if (b.mapping === ei) return b.filtering !== apd;
  const oneReusesMappings = a.mapping === 'address-dependent' || b.mapping === 'address-dependent';
  const aGetsIn = b.filtering === ei && a.filtering !== apd;
  const bGetsIn = a.filtering === ei && b.filtering !== apd;
  return oneReusesMappings && (aGetsIn || bGetsIn);
}

/** A host with a public address behaves like an endpoint-independent mapping with its own filtering. */
function effective(k: NatBehaviorKnowledge): { mapping: BehaviorKnowledge; filtering: BehaviorKnowledge } {
  return k.noNat ? { mapping: ['endpoint-independent'], filtering: k.filtering } : k;
}

/**
 * The prediction for what we know: 'yes' or 'no' when every behaviour still possible gives the same
 * answer, 'unknown' when the answer depends on something not measured.
 */
export function predictDirectPath(a: NatBehaviorKnowledge, b: NatBehaviorKnowledge): DirectPathPrediction {
  const ea = effective(a);
  const eb = effective(b);
  const outcomes = new Set<boolean>();
  for (const am of ea.mapping.length > 0 ? ea.mapping : BEHAVIORS) {
    for (const af of ea.filtering.length > 0 ? ea.filtering : BEHAVIORS) {
      for (const bm of eb.mapping.length > 0 ? eb.mapping : BEHAVIORS) {
        for (const bf of eb.filtering.length > 0 ? eb.filtering : BEHAVIORS) {
          outcomes.add(directPathBetween({ mapping: am, filtering: af }, { mapping: bm, filtering: bf }));
        }
      }
    }
  }
  if (outcomes.size !== 1) return 'unknown';
  return outcomes.has(true) ? 'yes' : 'no';
}
