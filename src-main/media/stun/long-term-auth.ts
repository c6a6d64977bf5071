/**
 * The client side of STUN's long-term credential mechanism (RFC 5389 §10.2), as TURN uses it (RFC 5766
 * §4). One instance per server association (a TURN allocation): it learns REALM and NONCE from the
 * server's challenges and signs later requests with them.
 *
 *                   401 with REALM + NONCE                      438 with a new NONCE
 *     unchallenged ────────────────────────▶ challenged(realm, nonce) ─────────────────▶ challenged(realm, nonce')
 *                                                  │
 *                                                  └── 401 to a request that carried credentials ──▶ rejected
 *
 * §10.2.3: "If the response is an error response with an error code of 401 (Unauthorized), the client
 * SHOULD retry the request with a new transaction" (only once, since it now has the realm: a second 401
 * means the credentials are wrong); "If the response is an error response with an error code of 438
 * (Stale Nonce), the client MUST retry the request, using the new NONCE supplied in the 438".
 */
import { longTermKey, saslPrep } from './credentials.ts';
import type { DecodedStunMessage, StunAttributes } from './message.ts';

export type LongTermAuthState = 'unchallenged' | 'challenged' | 'rejected';

/** What to do after an error response. */
export type ChallengeDecision =
  | { action: 'retry'; cause: 'challenged' | 'stale-nonce' }
  | { action: 'give-up'; cause: 'wrong-credentials' | 'challenge-without-realm' | 'not-a-challenge' };

export interface SignedAttributes {
  attributes: StunAttributes;
  integrityKey: Buffer | undefined;
}

export class LongTermCredentials {
  readonly username: string;
  private readonly password: string;
  private current: LongTermAuthState = 'unchallenged';
  private realm: string | undefined;
  private nonce: string | undefined;
  private key: Buffer | undefined;

  /** Throws CredentialError when SASLprep refuses the password (check with `saslPrep` first). */
  constructor(username: string, password: string) {
    this.username = username;
    this.password = password;
    const prepared = saslPrep(password);
    if (!prepared.ok) throw new RangeError(`TURN password cannot be used: ${prepared.reason}`);
  }

  get state(): LongTermAuthState {
    return this.current;
  }

  /** The realm the server named, once challenged. */
  get serverRealm(): string | undefined {
    return this.realm;
  }

  /** The attributes and key to put on the next request (nothing before the first challenge). */
  sign(attributes: StunAttributes): SignedAttributes {
    if (this.current !== 'challenged' || this.realm === undefined || this.nonce === undefined) {
      return { attributes, integrityKey: undefined };
    }
    return {
      attributes: { ...attributes, username: this.username, realm: this.realm, nonce: this.nonce },
      integrityKey: this.key,
    };
  }

  /**
   * Learn from an error response to a request signed with `signed` (what `sign` returned for it): whether
   * to send the request again with a new transaction.
   */
  learn(response: DecodedStunMessage, signed: SignedAttributes): ChallengeDecision {
    const code = response.attributes.errorCode?.code;
    const realm = response.attributes.realm;
    const nonce = response.attributes.nonce;
    const carriedCredentials = signed.integrityKey !== undefined;
    if (code === 401) {
      if (carriedCredentials) return this.reject();
      if (realm === undefined || nonce === undefined)
        return { action: 'give-up', cause: 'challenge-without-realm' };
      this.challenge(realm, nonce);
      return { action: 'retry', cause: 'challenged' };
    }
    if (code === 438 && nonce !== undefined && (realm ?? this.realm) !== undefined) {
      this.challenge(realm ?? this.realm ?? '', nonce);
      return { action: 'retry', cause: 'stale-nonce' };
    }
    return { action: 'give-up', cause: 'not-a-challenge' };
  }

  private challenge(realm: string, nonce: string): void {
    if (this.current === 'rejected') throw new Error('long-term credentials: challenge after rejection');
    if (realm !== this.realm) this.key = longTermKey(this.username, realm, this.password);
    this.realm = realm;
    this.nonce = nonce;
    this.current = 'challenged';
  }

  private reject(): ChallengeDecision {
    this.current = 'rejected';
    return { action: 'give-up', cause: 'wrong-credentials' };
  }
}
