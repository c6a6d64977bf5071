import { describe, expect, it } from 'vitest';
import { chooseChallenge, parseChallenge, parseChallenges } from '../../../../src-main/sip/auth/index.ts';
import type {
  Challenge,
  ChallengeErrorReason,
  DigestChallenge,
} from '../../../../src-main/sip/auth/index.ts';

function digest(value: string): DigestChallenge {
  const result = parseChallenge(value);
  if (!result.ok) throw new Error(`did not parse: ${JSON.stringify(result.error)}`);
  if (result.value.kind !== 'digest') throw new Error('not digest');
  return result.value;
}

describe('parseChallenge', () => {
  it('reads every Digest field of the RFC 3261 §20.44 example', () => {
    const c = digest(
      'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", ' +
        'nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
    );
    expect(c).toEqual({
      kind: 'digest',
      scheme: 'Digest',
      realm: 'atlanta.com',
      nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
      opaque: '',
      stale: false,
      algorithm: 'MD5',
      qop: ['auth'],
      domain: ['sip:boxesbybob.com'],
      userhash: false,
      charset: undefined,
      params: new Map([
        ['realm', 'atlanta.com'],
        ['domain', 'sip:boxesbybob.com'],
        ['qop', 'auth'],
        ['nonce', 'f84f1cec41e6cbe5aea9c8e88d359'],
        ['opaque', ''],
        ['stale', 'FALSE'],
        ['algorithm', 'MD5'],
      ]),
    });
  });

  it('defaults: algorithm MD5, no qop, not stale, no opaque', () => {
    const c = digest('Digest realm="r", nonce="n"');
    expect([c.algorithm, c.qop, c.stale, c.opaque, c.userhash, c.domain]).toEqual([
      'MD5',
      [],
      false,
      undefined,
      false,
      [],
    ]);
  });

  it('reads RFC 7616 parameters: userhash, charset, qop list, several domain URIs', () => {
    const c = digest(
      'Digest realm="api@example.org", qop="auth, AUTH-INT", algorithm=SHA-512-256, nonce="5TsQ", ' +
        'opaque="HRPC", charset=UTF-8, userhash=TRUE, domain="sip:a.example.org  sip:b.example.org"',
    );
    expect([c.qop, c.algorithm, c.charset, c.userhash, c.domain]).toEqual([
      ['auth', 'auth-int'],
      'SHA-512-256',
      'UTF-8',
      true,
      ['sip:a.example.org', 'sip:b.example.org'],
    ]);
  });

  it('stale is true only for a case-insensitive "true"', () => {
    expect(
      ['true', 'TRUE', '"true"', 'yes', 'false'].map(
        (v) => digest(`Digest realm="r", nonce="n", stale=${v}`).stale,
      ),
    ).toEqual([true, true, true, false, false]);
  });

  it('unescapes quoted-pairs and keeps commas and "=" inside quoted strings', () => {
    const c = digest('Digest realm="a\\"b\\\\c, d=e", nonce="x=,y"');
    expect([c.realm, c.nonce]).toEqual(['a"b\\c, d=e', 'x=,y']);
  });

  it('accepts folded whitespace, no space around "=", a case-insensitive scheme and parameter names', () => {
    const c = digest('DIGEST\r\n   REALM = "r" ,\r\n\tNonce="n",qop=auth');
    expect([c.scheme, c.realm, c.nonce, c.qop]).toEqual(['DIGEST', 'r', 'n', ['auth']]);
  });

  it('keeps unknown parameters, and bare values with "/" "=" ":" (lenient token)', () => {
    const c = digest('Digest realm="r", nonce=dcd98b/7102+dd2f==, x-vendor="v", flavour=strong');
    expect(c.nonce).toBe('dcd98b/7102+dd2f==');
    expect([c.params.get('x-vendor'), c.params.get('flavour')]).toEqual(['v', 'strong']);
  });

  it('tolerates empty list elements', () => {
    expect(digest('Digest realm="r",, nonce="n",').nonce).toBe('n');
  });

  it('parses other schemes as auth-params without requiring realm/nonce', () => {
    const result = parseChallenge('Bearer realm="sip.example.com", scope="sip:register"');
    expect(result).toEqual({
      ok: true,
      value: {
        kind: 'other',
        scheme: 'Bearer',
        params: new Map([
          ['realm', 'sip.example.com'],
          ['scope', 'sip:register'],
        ]),
      },
    });
  });

  it('parseChallenges splits a comma-joined list of challenges; parseChallenge refuses it', () => {
    const value =
      'Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="2", Basic realm="b"';
    const all = parseChallenges(value);
    if (!all.ok) throw new Error('did not parse');
    expect(all.value.map((c: Challenge) => [c.kind, c.scheme, c.params.get('nonce')])).toEqual([
      ['digest', 'Digest', '1'],
      ['digest', 'Digest', '2'],
      ['other', 'Basic', undefined],
    ]);
    const one = parseChallenge(value);
    expect(one.ok ? 'parsed' : one.error.reason).toBe('several-challenges');
  });

  const malformed: [string, ChallengeErrorReason, number][] = [
    ['', 'empty', 0],
    ['   \r\n ', 'empty', 0],
    ['="x"', 'expected-scheme', 0],
    ['Digest realm="r" nonce="n"', 'expected-comma', 17],
    ['Digest realm', 'expected-equals', 12],
    ['Digest realm=, nonce="n"', 'expected-value', 13],
    ['Digest realm="r', 'unterminated-quoted-string', 13],
    ['Digest realm="r\\\n", nonce="n"', 'bad-quoted-pair', 15],
    ['Digest realm="r\\é", nonce="n"', 'bad-quoted-pair', 15],
    ['Digest realm="r", realm="s", nonce="n"', 'duplicate-param', 18],
    ['Digest nonce="n"', 'missing-realm', 16],
    ['Digest realm="r", opaque="o"', 'missing-nonce', 28],
    ['Digest', 'missing-realm', 6],
    ['Digest realm="r", ="n"', 'expected-param', 18],
    ['Digest;realm="r"', 'expected-scheme', 6],
  ];
  for (const [value, reason, offset] of malformed) {
    it(`gives a typed error for ${JSON.stringify(value)}: ${reason} at ${offset}`, () => {
      const result = parseChallenge(value);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect([result.error.kind, result.error.reason, result.error.offset]).toEqual([
        'malformed-challenge',
        reason,
        offset,
      ]);
      expect(result.error.detail.length).toBeGreaterThan(0);
    });
  }
});

describe('chooseChallenge', () => {
  const c = (realm: string, algorithm: string | null, extra = ''): DigestChallenge =>
    digest(
      `Digest realm="${realm}", nonce="${realm}-${algorithm ?? 'none'}"${algorithm === null ? '' : `, algorithm=${algorithm}`}${extra}`,
    );

  it('picks per realm the strongest supported algorithm, realms in order of first appearance', () => {
    const chosen = chooseChallenge([
      c('one', 'MD5'),
      c('two', 'SHA-256'),
      c('one', 'SHA-512-256'),
      c('one', 'SHA-256'),
      c('two', 'MD5-sess'),
    ]);
    expect(chosen.map((u) => [u.challenge.realm, u.algorithm])).toEqual([
      ['one', 'SHA-512-256'],
      ['two', 'SHA-256'],
    ]);
  });

  it('ranks a -sess variant with its hash, ties going to the topmost', () => {
    expect(chooseChallenge([c('r', 'SHA-256-sess'), c('r', 'SHA-256')]).map((u) => u.algorithm)).toEqual([
      'SHA-256-sess',
    ]);
    expect(chooseChallenge([c('r', 'MD5'), c('r', 'MD5-sess')]).map((u) => u.algorithm)).toEqual(['MD5']);
    expect(chooseChallenge([c('r', null), c('r', 'MD5-sess')]).map((u) => u.algorithm)).toEqual(['MD5']);
  });

  it('ignores unsupported algorithms, unknown-only qop and other schemes', () => {
    const bearer = parseChallenge('Bearer realm="r"');
    if (!bearer.ok) throw new Error('did not parse');
    const chosen = chooseChallenge([
      bearer.value,
      c('r', 'SHA-1'),
      c('r', 'SHA-512'),
      c('r', 'SHA-256', ', qop="auth-conf"'),
      c('r', 'MD5', ', qop="auth-conf,auth"'),
    ]);
    expect(chosen.map((u) => [u.algorithm, u.challenge.qop])).toEqual([['MD5', ['auth-conf', 'auth']]]);
    expect(chooseChallenge([c('r', 'SHA-1'), bearer.value])).toEqual([]);
  });
});
