/**
 * Which of several challenges to answer (RFC 8760 §2.4, RFC 3261 §22.3).
 *
 * One response can carry several challenges: several algorithms for one realm (RFC 8760 §2.3: the
 * server adds "a header field for each realm and algorithm it supports"), and several realms when a
 * forking proxy aggregated 401/407 responses (RFC 3261 §16.7 step 6). Every realm needs one answer; per
 * realm we pick the strongest algorithm we support.
 */
import { algorithmStrength, supportedAlgorithm } from './algorithm.ts';
import type { DigestAlgorithm } from './algorithm.ts';
import type { Challenge, DigestChallenge } from './challenge.ts';

/** A Digest challenge we can answer, with its algorithm resolved to our canonical name. */
export interface UsableChallenge {
  readonly challenge: DigestChallenge;
  readonly algorithm: DigestAlgorithm;
}

/** The qop values we can compute (RFC 7616 §3.3). "auth-conf" and unknown tokens are not. */
const KNOWN_QOP = new Set(['auth', 'auth-int']);

/** A Digest challenge we can answer: supported algorithm, and either no qop or a qop we know. */
export function usableChallenge(challenge: Challenge): UsableChallenge | undefined {
  if (challenge.kind !== 'digest') return undefined;
  // RFC 8760 §2.4: "The UAC MUST ignore any header field with an algorithm that it does not support."
  const algorithm = supportedAlgorithm(challenge.algorithm);
  if (algorithm === undefined) return undefined;
  if (challenge.qop.length > 0 && !challenge.qop.some((q) => KNOWN_QOP.has(q))) return undefined;
  return { challenge, algorithm };
}

/**
 * One challenge per realm, in the order the realms first appear; per realm the strongest supported
 * algorithm (SHA-512-256 > SHA-256 > MD5, a -sess variant ranking with its hash), ties going to the
 * earlier (higher) header field.
 *
 * RFC 8760 §2.4 says the UAC "SHOULD use the topmost header field that it supports, unless a local
 * policy dictates otherwise". Ranking by strength is that local policy, because RFC 8760 §3 warns that
 * offering MD5 next to a stronger algorithm "opens the system to the potential for a downgrade attack by
 * an on-path attacker": challenges are not integrity-protected, so whoever reorders the header fields
 * would otherwise choose our algorithm.
 */
export function chooseChallenge(challenges: readonly Challenge[]): UsableChallenge[] {
  const byRealm = new Map<string, UsableChallenge>();
  for (const candidate of challenges) {
    const usable = usableChallenge(candidate);
    if (usable === undefined) continue;
    // Realms are compared exactly (RFC 7235 §2.2: "The realm value is a string, generally assigned by
    // the origin server, that can have additional semantics specific to the authentication scheme").
    const current = byRealm.get(usable.challenge.realm);
    if (current === undefined || algorithmStrength(usable.algorithm) > algorithmStrength(current.algorithm)) {
      byRealm.set(usable.challenge.realm, usable);
    }
  }
  return [...byRealm.values()];
}
