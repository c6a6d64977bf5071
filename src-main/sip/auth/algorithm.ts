/**
 * The digest algorithms we answer (RFC 7616 §3.3, registered for SIP by RFC 8760 §2.1):
 *
 *   MD5, MD5-sess                 RFC 2617 / RFC 3261 §22.4 (still what most PBXs send)
 *   SHA-256, SHA-256-sess         RFC 7616 §3.3, RFC 8760
 *   SHA-512-256, SHA-512-256-sess RFC 7616 §3.3, RFC 8760 — FIPS 180-4 SHA-512/256, which is its own
 *                                 initial hash value, NOT "SHA-512 cut to 256 bits" (see the note on the
 *                                 RFC 7616 §3.9.2 example in test/unit/sip/auth/digest.test.ts)
 *
 * Algorithm names are tokens and compared case-insensitively (RFC 7616 §3.3: `algorithm = "algorithm"
 * EQUAL ( "MD5" / "SHA-512-256" / "SHA-256" / token )`, and ABNF literals are case-insensitive).
 */
import { createHash } from 'node:crypto';

export type DigestAlgorithm =
  'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

/** A digest hash: the lower-case hex digest of the UTF-8 encoding of a string, or of raw bytes. */
export type DigestHash = (data: string | Uint8Array) => string;

interface AlgorithmFacts {
  /** node:crypto's name for the hash. */
  readonly nodeHash: 'md5' | 'sha256' | 'sha512-256';
  /** The `-sess` variants fold the nonce and cnonce into HA1 (RFC 7616 §3.4.2). */
  readonly session: boolean;
  /** Higher is stronger; the -sess variant ranks with its hash (it only changes how HA1 is built). */
  readonly strength: number;
}

const FACTS: { readonly [A in DigestAlgorithm]: AlgorithmFacts } = {
  MD5: { nodeHash: 'md5', session: false, strength: 1 },
  'MD5-sess': { nodeHash: 'md5', session: true, strength: 1 },
  'SHA-256': { nodeHash: 'sha256', session: false, strength: 2 },
  'SHA-256-sess': { nodeHash: 'sha256', session: true, strength: 2 },
  'SHA-512-256': { nodeHash: 'sha512-256', session: false, strength: 3 },
  'SHA-512-256-sess': { nodeHash: 'sha512-256', session: true, strength: 3 },
};

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.keys(FACTS) as DigestAlgorithm[];

const BY_LOWER_NAME = new Map<string, DigestAlgorithm>(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a]));

/** The canonical name of a supported algorithm token, or undefined when we do not support it. */
export function supportedAlgorithm(token: string): DigestAlgorithm | undefined {
  return BY_LOWER_NAME.get(token.toLowerCase());
}

export function algorithmStrength(algorithm: DigestAlgorithm): number {
  return FACTS[algorithm].strength;
}

export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return FACTS[algorithm].session;
}

const HASHES = new Map<AlgorithmFacts['nodeHash'], DigestHash>();

/** The hash function H() of an algorithm (RFC 7616 §3.4.1: lower-case hex of the digest). */
export function digestHash(algorithm: DigestAlgorithm): DigestHash {
  const name = FACTS[algorithm].nodeHash;
  let hash = HASHES.get(name);
  if (!hash) {
    hash = (data) => createHash(name).update(data).digest('hex');
    HASHES.set(name, hash);
  }
  return hash;
}
