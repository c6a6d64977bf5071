/**
 * Digest credentials (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 3261 §22.4, RFC 8760).
 *
 *   A1       = unq(username) ":" unq(realm) ":" passwd
 *   A1-sess  = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
 *   A2       = Method ":" request-uri                       (qop absent or "auth")
 *   A2-int   = Method ":" request-uri ":" H(entity-body)    (qop "auth-int")
 *   response = H(H(A1) ":" unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))   (qop present)
 *   response = H(H(A1) ":" unq(nonce) ":" H(A2))                                        (RFC 2069, no qop)
 *   userhash = H(unq(username) ":" unq(realm))              (RFC 7616 §3.4.4)
 */
import { digestHash, isSessionAlgorithm } from './algorithm.ts';
import type { DigestAlgorithm, DigestHash } from './algorithm.ts';
import { usableChallenge } from './choose.ts';
import type { DigestChallenge } from './challenge.ts';

export type Qop = 'auth' | 'auth-int';

/** Inputs of the digest arithmetic alone, with the hash passed in (so vectors can pin the primitive). */
export interface DigestInputs {
  readonly hash: DigestHash;
  /** A -sess algorithm: HA1 folds in the nonce and cnonce. */
  readonly session: boolean;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** Required when `qop` is set or `session` is true. */
  readonly cnonce?: string;
  /** The 8-hex-digit nonce count as sent; required when `qop` is set. */
  readonly nc?: string;
  readonly qop: Qop | null;
  /** The message body for auth-int; absent = empty body. */
  readonly body?: string | Uint8Array;
}

export interface DigestValues {
  readonly ha1: string;
  readonly ha2: string;
  readonly response: string;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`digest: ${what} is required here`);
  return value;
}

/** The digest arithmetic of RFC 7616 §3.4.1–3.4.3. Missing cnonce/nc where needed is a caller bug. */
export function computeDigest(inputs: DigestInputs): DigestValues {
  const { hash } = inputs;
  let ha1 = hash(`${inputs.username}:${inputs.realm}:${inputs.password}`);
  if (inputs.session) {
    // RFC 7616 §3.4.2: for the -sess variants "A1 = H( unq(username) ":" unq(realm) ":" passwd )
    // ":" unq(nonce-prime) ":" unq(cnonce-prime)".
    ha1 = hash(`${ha1}:${inputs.nonce}:${required(inputs.cnonce, 'cnonce')}`);
  }
  // RFC 7616 §3.4.3: with qop=auth-int, "A2 = Method ":" request-uri ":" H(entity-body)"; a request
  // without a body hashes the empty string.
  const ha2 =
    inputs.qop === 'auth-int'
      ? hash(`${inputs.method}:${inputs.uri}:${hash(inputs.body ?? '')}`)
      : hash(`${inputs.method}:${inputs.uri}`);
  const response =
    inputs.qop === null
      ? // RFC 2617 §3.2.2.1: "If the "qop" directive is not present, this construction is for
        // compatibility with RFC 2069" — response = KD(H(A1), nonce ":" H(A2)).
        hash(`${ha1}:${inputs.nonce}:${ha2}`)
      : hash(
          `${ha1}:${inputs.nonce}:${required(inputs.nc, 'nc')}:${required(inputs.cnonce, 'cnonce')}:${inputs.qop}:${ha2}`,
        );
  return { ha1, ha2, response };
}

/** RFC 7616 §3.4.4: `username` sent as H(unq(username) ":" unq(realm)) when the server asks for it. */
export function computeUserhash(hash: DigestHash, username: string, realm: string): string {
  return hash(`${username}:${realm}`);
}

/** RFC 7616 §3.4: "nc-value = 8LHEX" — the count of requests sent with this nonce, this one included. */
export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff)
    throw new Error(`digest: nonce count ${nc} out of range`);
  return nc.toString(16).padStart(8, '0');
}

/**
 * Which qop to answer with. RFC 7616 §3.3: the server lists what it supports; the client picks one.
 * "auth" unless the caller prefers integrity protection of the body and the server offers it.
 */
export function chooseQop(offered: readonly string[], preference: Qop = 'auth'): Qop | null | undefined {
  if (offered.length === 0) return null;
  const hasAuth = offered.includes('auth');
  const hasAuthInt = offered.includes('auth-int');
  if (hasAuthInt && (preference === 'auth-int' || !hasAuth)) return 'auth-int';
  if (hasAuth) return 'auth';
  return undefined;
}

export interface AuthorizationInput {
  readonly challenge: DigestChallenge;
  readonly method: string;
  /** The digest-uri: the Request-URI of the request exactly as it is sent (RFC 3261 §22.4). */
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  /** The message body, for qop=auth-int; absent = empty body. */
  readonly body?: string | Uint8Array;
  readonly cnonce: string;
  /** 1 for the first request with this nonce, then 2, 3… */
  readonly nc: number;
  /** Default "auth" when the server offers both. */
  readonly qopPreference?: Qop;
}

export type AuthorizationError =
  | { readonly kind: 'unsupported-algorithm'; readonly algorithm: string }
  | { readonly kind: 'unsupported-qop'; readonly offered: readonly string[] };

export interface Authorization {
  /** The Authorization / Proxy-Authorization header value. */
  readonly value: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: Qop | null;
  readonly values: DigestValues;
}

export type AuthorizationResult =
  | { readonly ok: true; readonly authorization: Authorization }
  | { readonly ok: false; readonly error: AuthorizationError };

/** A quoted-string with `"` and `\` escaped (RFC 3261 §25.1 quoted-pair). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The credentials answering `challenge`, as a header value:
 *
 *   Digest username="…", realm="…", nonce="…", uri="…", response="…", algorithm=SHA-256,
 *          cnonce="…", opaque="…", qop=auth, nc=00000001, userhash=true
 *
 * RFC 7616 §3.4 fixes the quoting: username, realm, nonce, uri, response, cnonce and opaque are quoted
 * strings; algorithm, qop and nc are not ("For historical reasons, a sender MUST NOT generate the quoted
 * string syntax for the following parameters: algorithm, qop, and nc"). userhash is a bare token.
 */
export function computeAuthorization(input: AuthorizationInput): AuthorizationResult {
  const { challenge } = input;
  const usable = usableChallenge(challenge);
  if (usable === undefined) {
    if (chooseQop(challenge.qop) === undefined)
      return { ok: false, error: { kind: 'unsupported-qop', offered: challenge.qop } };
    return { ok: false, error: { kind: 'unsupported-algorithm', algorithm: challenge.algorithm } };
  }
  const qop = chooseQop(challenge.qop, input.qopPreference);
  if (qop === undefined) return { ok: false, error: { kind: 'unsupported-qop', offered: challenge.qop } };

  const { algorithm } = usable;
  const hash = digestHash(algorithm);
  const session = isSessionAlgorithm(algorithm);
  const nc = formatNonceCount(input.nc);
  const values = computeDigest({
    hash,
    session,
    username: input.username,
    realm: challenge.realm,
    password: input.password,
    method: input.method,
    uri: input.uri,
    nonce: challenge.nonce,
    cnonce: input.cnonce,
    nc,
    qop,
    ...(input.body === undefined ? {} : { body: input.body }),
  });

  // RFC 7616 §3.4.4: "If the userhash parameter value is set to "true", the username parameter MUST
  // contain the hashed value of the username". The response still uses the plain username.
  // A non-ASCII username goes in the quoted string as UTF-8: SIP's qdtext admits UTF8-NONASCII
  // (RFC 3261 §25.1), so HTTP's `username*` form is not needed.
  const username = challenge.userhash
    ? computeUserhash(hash, input.username, challenge.realm)
    : input.username;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(input.uri)}`,
    `response=${quote(values.response)}`,
    // An absent algorithm means MD5 (RFC 7616 §3.3); sending it anyway is allowed and removes doubt.
    `algorithm=${algorithm}`,
  ];
  if (qop !== null || session) {
    // RFC 7616 §3.4: cnonce "MUST be specified if a qop parameter is sent and MUST NOT be specified if
    // the server did not send a qop parameter". A -sess challenge without qop is self-contradictory
    // (HA1 needs the cnonce); we send the cnonce then, since the server cannot check HA1 without it.
    parts.push(`cnonce=${quote(input.cnonce)}`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (qop !== null) parts.push(`qop=${qop}`, `nc=${nc}`);
  if (challenge.userhash) parts.push('userhash=true');
  return { ok: true, authorization: { value: `Digest ${parts.join(', ')}`, algorithm, qop, values } };
}
