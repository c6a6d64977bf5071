/**
 * Digest authentication for one account: answers 401/407 challenges, counts nonces, and stops after
 * one retry when the password is wrong.
 *
 *   DigestSession        one per account: credentials, the challenges learned per protection space
 *                        (header kind + realm) with their nonce counts, the cnonce source.
 *   DigestExchange       one per request and its authenticated re-sends (each re-send is a new
 *                        transaction with CSeq + 1, RFC 3261 §22.2): remembers which realms it already
 *                        answered so that a second refusal ends it.
 *
 * The exchange, per challenged realm:
 *
 *      not answered ──challenge──▶ answered(nonce N) ──challenge, stale=true, nonce ≠ N──▶ answered(N')
 *                                        │                    (at most maxStaleRetries times)
 *                                        └──challenge, not stale (or same nonce)──▶ failed: auth-rejected
 *
 * 401 (WWW-Authenticate → Authorization) and 407 (Proxy-Authenticate → Proxy-Authorization) are kept
 * apart, and a request challenged by a proxy and then by the registrar carries both on the next send.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { parseChallenge } from './challenge.ts';
import type { ChallengeError, DigestChallenge } from './challenge.ts';
import { chooseChallenge } from './choose.ts';
import { computeAuthorization } from './digest.ts';
import type { Qop } from './digest.ts';
import { isSessionAlgorithm, supportedAlgorithm } from './algorithm.ts';

export type ChallengeHeaderName = 'WWW-Authenticate' | 'Proxy-Authenticate';
export type AuthorizationHeaderName = 'Authorization' | 'Proxy-Authorization';

export interface AuthorizationHeader {
  readonly name: AuthorizationHeaderName;
  readonly value: string;
  readonly realm: string;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
  /** Answer only this realm; absent = answer whatever realm challenges us. */
  readonly realm?: string;
}

export interface DigestSessionOptions {
  readonly credentials: DigestCredentials;
  /** Source of cnonce bytes (tests inject a deterministic one). Default: node:crypto randomBytes. */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** Which qop to use when the server offers both "auth" and "auth-int". Default "auth". */
  readonly qop?: Qop;
  /** Send credentials for already-learned challenges on new requests (with the next nonce count). */
  readonly preemptive?: boolean;
  /**
   * The realm of our configured outbound proxy: its Proxy-Authorization may be sent pre-emptively on
   * any request. Other proxies' credentials only go on requests with the same Call-ID (RFC 3261 §22.3).
   */
  readonly outboundProxyRealm?: string;
  /** How many stale=true re-challenges one request may answer. Default 2. */
  readonly maxStaleRetries?: number;
}

/** The request being authenticated, as the digest needs it. */
export interface AuthenticatedRequest {
  readonly method: string;
  /** The Request-URI exactly as sent (the digest-uri). */
  readonly uri: string;
  /** For qop=auth-int. */
  readonly body?: string | Uint8Array;
  /** Bounds the re-use of a proxy's challenge (RFC 3261 §22.3). */
  readonly callId?: string;
}

/** The parts of a 401/407 response that matter here. */
export interface ChallengeResponse {
  readonly status: number;
  /** Every WWW-Authenticate header field value, top to bottom. */
  readonly wwwAuthenticate?: readonly string[];
  /** Every Proxy-Authenticate header field value, top to bottom. */
  readonly proxyAuthenticate?: readonly string[];
}

export type AuthFailure =
  /** We already answered this realm in this request and it was refused again: wrong credentials. */
  | {
      readonly kind: 'auth-rejected';
      readonly status: number;
      readonly realm: string;
      readonly header: ChallengeHeaderName;
    }
  /** No challenge we can answer (no Digest, unsupported algorithm/qop, or malformed). */
  | {
      readonly kind: 'no-usable-challenge';
      readonly status: number;
      readonly problems: readonly ChallengeError[];
    }
  /** A realm we have no credentials for. */
  | {
      readonly kind: 'no-credentials';
      readonly status: number;
      readonly realm: string;
      readonly header: ChallengeHeaderName;
    };

export type ChallengeAnswer =
  | { readonly kind: 'retry'; readonly headers: readonly AuthorizationHeader[] }
  | { readonly kind: 'failed'; readonly failure: AuthFailure };

/** A challenge learned for one protection space, with what we have sent against its nonce. */
interface ProtectionSpace {
  readonly header: AuthorizationHeaderName;
  readonly realm: string;
  challenge: DigestChallenge;
  /** Requests sent with `challenge.nonce` so far (RFC 7616 §3.4: nc counts them, this one included). */
  nonceCount: number;
  /**
   * -sess only: the cnonce that entered HA1 with this nonce. RFC 2617 §3.2.2.2: A1 "is calculated only
   * once - on the first request by the client following receipt of a WWW-Authenticate challenge", so we
   * keep sending that cnonce while the nonce lasts.
   */
  sessionCnonce: string | undefined;
  /** The Call-ID of the request a proxy challenged (RFC 3261 §22.3). */
  callId: string | undefined;
}

const CNONCE_BYTES = 16;

function spaceKey(header: AuthorizationHeaderName, realm: string): string {
  return `${header} ${realm}`;
}

/**
 * What one account has learned: the challenge per protection space (header kind + realm) with its nonce
 * count and -sess cnonce. Shared by the session and its exchanges; not part of the public surface.
 */
class ProtectionSpaces {
  private readonly spaces = new Map<string, ProtectionSpace>();
  readonly options: DigestSessionOptions;
  private readonly randomBytes: (size: number) => Uint8Array;

  constructor(options: DigestSessionOptions) {
    this.options = options;
    this.randomBytes = options.randomBytes ?? ((size) => nodeRandomBytes(size));
  }

  get maxStaleRetries(): number {
    return this.options.maxStaleRetries ?? 2;
  }

  clear(): void {
    this.spaces.clear();
  }

  nonceCount(nonce: string): number {
    let count = 0;
    for (const space of this.spaces.values()) if (space.challenge.nonce === nonce) count += space.nonceCount;
    return count;
  }

  /** Spaces whose credentials may go pre-emptively on `request`. */
  preemptiveSpaces(request: AuthenticatedRequest): ProtectionSpace[] {
    if (!this.options.preemptive) return [];
    return [...this.spaces.values()].filter(
      (space) =>
        space.header === 'Authorization' ||
        // RFC 3261 §22.3: proxy credentials "MUST NOT be cached across dialogs; however, if a UA is
        // configured with the realm of its local outbound proxy, when one exists, then the UA MAY cache
        // credentials for that realm across dialogs."
        space.realm === this.options.outboundProxyRealm ||
        (space.callId !== undefined && space.callId === request.callId),
    );
  }

  /** Record a challenge for a protection space; a new nonce restarts its count. */
  learn(
    header: AuthorizationHeaderName,
    challenge: DigestChallenge,
    callId: string | undefined,
  ): ProtectionSpace {
    const key = spaceKey(header, challenge.realm);
    const known = this.spaces.get(key);
    if (known !== undefined && known.challenge.nonce === challenge.nonce) {
      known.challenge = challenge;
      known.callId = callId;
      return known;
    }
    const space: ProtectionSpace = {
      header,
      realm: challenge.realm,
      challenge,
      nonceCount: 0,
      sessionCnonce: undefined,
      callId,
    };
    this.spaces.set(key, space);
    return space;
  }

  /** The header answering `space` for `request`, spending the next nonce count. */
  authorize(space: ProtectionSpace, request: AuthenticatedRequest): AuthorizationHeader {
    const algorithm = supportedAlgorithm(space.challenge.algorithm);
    let cnonce: string;
    if (algorithm !== undefined && isSessionAlgorithm(algorithm)) {
      space.sessionCnonce ??= this.newCnonce();
      cnonce = space.sessionCnonce;
    } else {
      cnonce = this.newCnonce();
    }
    space.nonceCount += 1;
    const result = computeAuthorization({
      challenge: space.challenge,
      method: request.method,
      uri: request.uri,
      username: this.options.credentials.username,
      password: this.options.credentials.password,
      ...(request.body === undefined ? {} : { body: request.body }),
      cnonce,
      nc: space.nonceCount,
      ...(this.options.qop === undefined ? {} : { qopPreference: this.options.qop }),
    });
    // Only challenges that chooseChallenge() accepted are learned, so this cannot fail.
    if (!result.ok) throw new Error(`digest: learned an unanswerable challenge (${result.error.kind})`);
    return { name: space.header, value: result.authorization.value, realm: space.realm };
  }

  private newCnonce(): string {
    return Buffer.from(this.randomBytes(CNONCE_BYTES)).toString('hex');
  }
}

/** Digest authentication state of one account. */
export class DigestSession {
  private readonly spaces: ProtectionSpaces;

  constructor(options: DigestSessionOptions) {
    this.spaces = new ProtectionSpaces(options);
  }

  get credentials(): DigestCredentials {
    return this.spaces.options.credentials;
  }

  /** Start authenticating one request; use the exchange for its first send and every re-send. */
  begin(request: AuthenticatedRequest): DigestExchange {
    return new DigestExchange(this.spaces, request);
  }

  /** Drop every learned challenge (credentials changed, account re-created). */
  forget(): void {
    this.spaces.clear();
  }

  /** How many requests carried credentials for `nonce` (0 if none). */
  nonceCount(nonce: string): number {
    return this.spaces.nonceCount(nonce);
  }
}

interface Sent {
  readonly nonce: string;
  /** Sent in answer to a challenge of this exchange (not only pre-emptively). */
  readonly answered: boolean;
}

interface Decision {
  readonly header: AuthorizationHeaderName;
  readonly challenge: DigestChallenge;
  readonly staleRetry: boolean;
}

export type DigestExchangeState = 'open' | 'failed';

/** Authentication state of one request across its re-sends. Create with `DigestSession.begin`. */
export class DigestExchange {
  private readonly spaces: ProtectionSpaces;
  private readonly request: AuthenticatedRequest;
  /** Protection spaces whose credentials go on every send of this request, by key. */
  private readonly included = new Map<string, ProtectionSpace>();
  /** The nonce we last sent per protection space. */
  private readonly sent = new Map<string, Sent>();
  private staleRetries = 0;
  private stateValue: DigestExchangeState = 'open';

  /** Created by `DigestSession.begin`. */
  constructor(spaces: ProtectionSpaces, request: AuthenticatedRequest) {
    this.spaces = spaces;
    this.request = request;
  }

  get state(): DigestExchangeState {
    return this.stateValue;
  }

  /** Headers for the first send: pre-emptive credentials when enabled and known, else none. */
  initialHeaders(): AuthorizationHeader[] {
    this.assertOpen();
    for (const space of this.spaces.preemptiveSpaces(this.request)) {
      const key = spaceKey(space.header, space.realm);
      this.included.set(key, space);
    }
    return this.sendAll(new Set());
  }

  /**
   * A 401 or 407 arrived: the headers for the re-send, or why not to re-send. Failures end the exchange.
   */
  answer(response: ChallengeResponse): ChallengeAnswer {
    this.assertOpen();
    if (response.status !== 401 && response.status !== 407) {
      throw new Error(`digest: ${response.status} is not a challenge (401/407 only)`);
    }
    const problems: ChallengeError[] = [];
    const decisions: Decision[] = [];
    const kinds = [
      {
        challengeHeader: 'Proxy-Authenticate',
        header: 'Proxy-Authorization',
        values: response.proxyAuthenticate ?? [],
      },
      {
        challengeHeader: 'WWW-Authenticate',
        header: 'Authorization',
        values: response.wwwAuthenticate ?? [],
      },
    ] as const;

    for (const kind of kinds) {
      const parsed = [];
      for (const value of kind.values) {
        const result = parseChallenge(value);
        if (result.ok) parsed.push(result.value);
        else problems.push(result.error);
      }
      for (const { challenge } of chooseChallenge(parsed)) {
        const failure = this.judge(response.status, kind.challengeHeader, kind.header, challenge, decisions);
        if (failure !== undefined) return this.fail(failure);
      }
    }
    if (decisions.length === 0)
      return this.fail({ kind: 'no-usable-challenge', status: response.status, problems });

    if (decisions.some((d) => d.staleRetry)) this.staleRetries += 1;
    const answered = new Set<string>();
    for (const decision of decisions) {
      const space = this.spaces.learn(decision.header, decision.challenge, this.request.callId);
      const key = spaceKey(decision.header, space.realm);
      this.included.set(key, space);
      answered.add(key);
    }
    return { kind: 'retry', headers: this.sendAll(answered) };
  }

  /** Decides whether `challenge` may be answered; pushes the decision or returns the failure. */
  private judge(
    status: number,
    challengeHeader: ChallengeHeaderName,
    header: AuthorizationHeaderName,
    challenge: DigestChallenge,
    decisions: Decision[],
  ): AuthFailure | undefined {
    const { realm } = challenge;
    const configuredRealm = this.spaces.options.credentials.realm;
    if (configuredRealm !== undefined && configuredRealm !== realm) {
      return { kind: 'no-credentials', status, realm, header: challengeHeader };
    }
    const rejected: AuthFailure = { kind: 'auth-rejected', status, realm, header: challengeHeader };
    const sent = this.sent.get(spaceKey(header, realm));
    if (sent === undefined) {
      decisions.push({ header, challenge, staleRetry: false });
      return undefined;
    }
    if (!challenge.stale) {
      // RFC 3261 §22.1: "A UAC MUST NOT re-attempt requests with the credentials that have just been
      // rejected (though the request may be retried if the nonce was stale)." A refusal of credentials we
      // sent in answer to this request's own challenge is final. Credentials sent only pre-emptively get
      // one answer when the server hands out a new nonce (it may simply have forgotten the old one); the
      // same nonce back means they were judged and refused.
      if (sent.answered || sent.nonce === challenge.nonce) return rejected;
      decisions.push({ header, challenge, staleRetry: false });
      return undefined;
    }
    // RFC 7616 §3.3: "If stale is true, the client may wish to simply retry the request with a new
    // encrypted response, without re-prompting the user for a new username and password." Only with a
    // new nonce, and only a few times, or a confused server would keep us in a loop.
    if (challenge.nonce === sent.nonce || this.staleRetries >= this.spaces.maxStaleRetries) return rejected;
    decisions.push({ header, challenge, staleRetry: true });
    return undefined;
  }

  /**
   * Credentials for every included protection space (a realm challenged earlier in this exchange still
   * needs its header on this send), each with its next nonce count. `answering` are the spaces
   * challenged by the response being answered now.
   */
  private sendAll(answering: ReadonlySet<string>): AuthorizationHeader[] {
    const headers: AuthorizationHeader[] = [];
    for (const [key, space] of this.included) {
      headers.push(this.spaces.authorize(space, this.request));
      const answered = answering.has(key) || (this.sent.get(key)?.answered ?? false);
      this.sent.set(key, { nonce: space.challenge.nonce, answered });
    }
    return headers;
  }

  private fail(failure: AuthFailure): ChallengeAnswer {
    this.stateValue = 'failed';
    return { kind: 'failed', failure };
  }

  private assertOpen(): void {
    if (this.stateValue !== 'open') throw new Error('digest: this exchange has already failed');
  }
}
