import { describe, expect, it } from 'vitest';
import { describeTlsCertificateProblem, tlsCertificateProblemOf } from '../../../src-main/platform/index.ts';

describe('TLS certificate problems from error codes', () => {
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted', 'certificate not trusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted', 'certificate not trusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted', 'certificate not trusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted', 'certificate not trusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-name', 'certificate not valid for this name'],
    ['CERT_HAS_EXPIRED', 'expired', 'certificate expired'],
    ['CERT_NOT_YET_VALID', 'not-yet-valid', 'certificate not valid yet'],
    ['CERT_REVOKED', 'revoked', 'certificate revoked'],
    ['CERT_SIGNATURE_FAILURE', 'invalid', 'certificate invalid'],
  ] as const)('%s is %s: "%s"', (code, problem, words) => {
    expect(tlsCertificateProblemOf(code)).toBe(problem);
    expect(describeTlsCertificateProblem(problem)).toBe(words);
  });

  it('is no certificate problem for other failures', () => {
    for (const code of [
      undefined,
      'ECONNRESET',
      'ETIMEDOUT',
      'EPROTO',
      'ECONNREFUSED',
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ])
      expect(tlsCertificateProblemOf(code)).toBeUndefined();
  });
});
