/**
 * What a failed TLS connect says about the server's certificate, read from the error's `code`: Node's
 * (OpenSSL's) verification codes, which the in-memory network uses as well. Callers put it in words for
 * people: "certificate not trusted" says what to do (give the CA as an extra trust anchor) where
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE does not.
 */

export type TlsCertificateProblem =
  /** No trusted CA (system store or the extra anchors) issued it: self-signed, a private CA. */
  | 'untrusted'
  /** Valid, but not for the name we connected to (RFC 6125). */
  | 'wrong-name'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  /** Malformed, a bad signature, a CA used for what it may not be used for. */
  | 'invalid';

const PROBLEMS: Readonly<Record<string, TlsCertificateProblem>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_REJECTED: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-name',
  HOSTNAME_MISMATCH: 'wrong-name',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  CERT_REVOKED: 'revoked',
  CERT_SIGNATURE_FAILURE: 'invalid',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'invalid',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'invalid',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'invalid',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'invalid',
  INVALID_CA: 'invalid',
  INVALID_PURPOSE: 'invalid',
  PATH_LENGTH_EXCEEDED: 'invalid',
  CERT_CHAIN_TOO_LONG: 'invalid',
};

/** The certificate problem a connect failure's `code` names; undefined for any other failure. */
export function tlsCertificateProblemOf(code: string | undefined): TlsCertificateProblem | undefined {
  return code === undefined ? undefined : PROBLEMS[code];
}

/** A few words for the problem ("certificate not trusted"); the caller names the server. */
export function describeTlsCertificateProblem(problem: TlsCertificateProblem): string {
  switch (problem) {
    case 'untrusted':
      return 'certificate not trusted';
    case 'wrong-name':
      return 'certificate not valid for this name';
    case 'expired':
      return 'certificate expired';
    case 'not-yet-valid':
      return 'certificate not valid yet';
    case 'revoked':
      return 'certificate revoked';
    case 'invalid':
      return 'certificate invalid';
  }
}
