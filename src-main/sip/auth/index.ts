/**
 * sip/auth — the Digest client of RFC 3261 §22 with RFC 7616 / RFC 8760 algorithms. Takes header
 * values as strings and returns header values as strings; the registration and UA layers put them on
 * messages.
 */
export {
  DIGEST_ALGORITHMS,
  algorithmStrength,
  digestHash,
  isSessionAlgorithm,
  supportedAlgorithm,
} from './algorithm.ts';
export type { DigestAlgorithm, DigestHash } from './algorithm.ts';
export { parseChallenge, parseChallenges } from './challenge.ts';
export type {
  Challenge,
  ChallengeError,
  ChallengeErrorReason,
  DigestChallenge,
  OtherChallenge,
  ParseResult,
} from './challenge.ts';
export { chooseChallenge, usableChallenge } from './choose.ts';
export type { UsableChallenge } from './choose.ts';
export {
  chooseQop,
  computeAuthorization,
  computeDigest,
  computeUserhash,
  formatNonceCount,
} from './digest.ts';
export type {
  Authorization,
  AuthorizationError,
  AuthorizationInput,
  AuthorizationResult,
  DigestInputs,
  DigestValues,
  Qop,
} from './digest.ts';
export { DigestExchange, DigestSession } from './session.ts';
export type {
  AuthFailure,
  AuthenticatedRequest,
  AuthorizationHeader,
  AuthorizationHeaderName,
  ChallengeAnswer,
  ChallengeHeaderName,
  ChallengeResponse,
  DigestCredentials,
  DigestExchangeState,
  DigestSessionOptions,
} from './session.ts';
