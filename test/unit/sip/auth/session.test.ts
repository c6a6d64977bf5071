import { describe, expect, it } from 'vitest';
import {
  DigestSession,
  computeDigest,
  digestHash,
  parseChallenges,
} from '../../../../src-main/sip/auth/index.ts';
import type {
  AuthorizationHeader,
  ChallengeAnswer,
  DigestSessionOptions,
} from '../../../../src-main/sip/auth/index.ts';

/** cnonce source: each call returns the next 4 bytes of a counter, so cnonces are 00000001, 00000002… */
function countingRandom(): (size: number) => Uint8Array {
  let n = 0;
  return () => {
    n += 1;
    return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  };
}

function session(options: Partial<DigestSessionOptions> = {}): DigestSession {
  return new DigestSession({
    credentials: { username: 'testuser', password: 'testpassword' },
    randomBytes: countingRandom(),
    ...options,
  });
}

const REGISTER = { method: 'REGISTER', uri: 'sip:testrealm@host.com', callId: 'call-1' };

function params(header: AuthorizationHeader): Map<string, string> {
  const parsed = parseChallenges(header.value);
  if (!parsed.ok || parsed.value[0] === undefined) throw new Error('unparseable credentials');
  return new Map(parsed.value[0].params);
}

function retryHeaders(answer: ChallengeAnswer): AuthorizationHeader[] {
  if (answer.kind !== 'retry') throw new Error(`expected a retry, got ${JSON.stringify(answer)}`);
  return [...answer.headers];
}

/** name, realm, nonce, nc and cnonce of each header: what the flows below are about. */
function summary(headers: readonly AuthorizationHeader[]): string[][] {
  return headers.map((h) => {
    const p = params(h);
    return [h.name, h.realm, p.get('nonce') ?? '-', p.get('nc') ?? '-', p.get('cnonce') ?? '-'];
  });
}

const www = (...values: string[]) => ({ status: 401, wwwAuthenticate: values });
const proxy = (...values: string[]) => ({ status: 407, proxyAuthenticate: values });

describe('DigestSession', () => {
  it('answers a first challenge; the header matches the shared JsSIP REGISTER vector', () => {
    // sip-register-md5-qop-auth in shared/testdata/digest-vectors.json: cnonce 0a4f113b, nc 1.
    const s = session({ randomBytes: () => new Uint8Array([0x0a, 0x4f, 0x11, 0x3b]) });
    const exchange = s.begin(REGISTER);
    expect(exchange.initialHeaders()).toEqual([]);
    const headers = retryHeaders(
      exchange.answer(
        www(
          'Digest realm="testrealm@host.com", nonce="5a071f75353f667787615249c62dcc7b15a4828f", qop="auth"',
        ),
      ),
    );
    expect(headers).toEqual([
      {
        name: 'Authorization',
        realm: 'testrealm@host.com',
        value:
          'Digest username="testuser", realm="testrealm@host.com", nonce="5a071f75353f667787615249c62dcc7b15a4828f", ' +
          'uri="sip:testrealm@host.com", response="a69b9c2ea0dea1437a21df6ddc9b05e4", algorithm=MD5, cnonce="0a4f113b", ' +
          'qop=auth, nc=00000001',
      },
    ]);
    expect(s.nonceCount('5a071f75353f667787615249c62dcc7b15a4828f')).toBe(1);
  });

  it('stale=true with a new nonce: retries silently with the same password and a fresh count', () => {
    const s = session();
    const exchange = s.begin(REGISTER);
    const first = retryHeaders(exchange.answer(www('Digest realm="r", nonce="n1", qop="auth"')));
    const second = retryHeaders(exchange.answer(www('Digest realm="r", nonce="n2", qop="auth", stale=TRUE')));
    expect([...summary(first), ...summary(second)]).toEqual([
      ['Authorization', 'r', 'n1', '00000001', '00000001'],
      ['Authorization', 'r', 'n2', '00000001', '00000002'],
    ]);
    expect(exchange.state).toBe('open');
  });

  it('wrong password: a second non-stale challenge fails with auth-rejected, never a loop', () => {
    const s = session();
    const exchange = s.begin(REGISTER);
    retryHeaders(exchange.answer(www('Digest realm="r", nonce="n1"')));
    expect(exchange.answer(www('Digest realm="r", nonce="n2"'))).toEqual({
      kind: 'failed',
      failure: { kind: 'auth-rejected', status: 401, realm: 'r', header: 'WWW-Authenticate' },
    });
    expect(exchange.state).toBe('failed');
    expect(() => exchange.answer(www('Digest realm="r", nonce="n3"'))).toThrow(/already failed/);
  });

  it('stale=true with the nonce we just used is a rejection too (it could only loop)', () => {
    const exchange = session().begin(REGISTER);
    retryHeaders(exchange.answer(www('Digest realm="r", nonce="n1"')));
    const answer = exchange.answer(www('Digest realm="r", nonce="n1", stale=true'));
    expect(answer.kind === 'failed' && answer.failure.kind).toBe('auth-rejected');
  });

  it('stops after maxStaleRetries stale re-challenges', () => {
    const exchange = session({ maxStaleRetries: 2 }).begin(REGISTER);
    const kinds = ['n1', 'n2', 'n3', 'n4'].map(
      (nonce, i) =>
        exchange.answer(www(`Digest realm="r", nonce="${nonce}"${i > 0 ? ', stale=true' : ''}`)).kind,
    );
    expect(kinds).toEqual(['retry', 'retry', 'retry', 'failed']);
  });

  it('407 then 401: the second re-send carries both, the proxy one with the next nonce count', () => {
    const s = session();
    const exchange = s.begin({ method: 'INVITE', uri: 'sip:bob@biloxi.com', callId: 'c1' });
    const first = retryHeaders(
      exchange.answer(proxy('Digest realm="proxy.atlanta.com", nonce="p1", qop="auth"')),
    );
    const second = retryHeaders(exchange.answer(www('Digest realm="biloxi.com", nonce="w1", qop="auth"')));
    expect(summary(first)).toEqual([
      ['Proxy-Authorization', 'proxy.atlanta.com', 'p1', '00000001', '00000001'],
    ]);
    expect(summary(second)).toEqual([
      ['Proxy-Authorization', 'proxy.atlanta.com', 'p1', '00000002', '00000002'],
      ['Authorization', 'biloxi.com', 'w1', '00000001', '00000003'],
    ]);
    // A later refusal names the realm and the header kind that refused.
    const refused = exchange.answer(proxy('Digest realm="proxy.atlanta.com", nonce="p2"'));
    expect(refused).toEqual({
      kind: 'failed',
      failure: {
        kind: 'auth-rejected',
        status: 407,
        realm: 'proxy.atlanta.com',
        header: 'Proxy-Authenticate',
      },
    });
  });

  it('one response with both kinds and several realms (aggregated by a forking proxy) answers each once', () => {
    const exchange = session().begin({ method: 'INVITE', uri: 'sip:bob@biloxi.com' });
    const headers = retryHeaders(
      exchange.answer({
        status: 401,
        wwwAuthenticate: ['Digest realm="b1", nonce="x"', 'Digest realm="b2", nonce="y", algorithm=SHA-256'],
        proxyAuthenticate: ['Digest realm="p", nonce="z"'],
      }),
    );
    expect(headers.map((h) => [h.name, h.realm, params(h).get('algorithm')])).toEqual([
      ['Proxy-Authorization', 'p', 'MD5'],
      ['Authorization', 'b1', 'MD5'],
      ['Authorization', 'b2', 'SHA-256'],
    ]);
  });

  it('chooses the strongest algorithm among several challenges for one realm', () => {
    const exchange = session().begin(REGISTER);
    const [header] = retryHeaders(
      exchange.answer(
        www(
          'Digest realm="r", nonce="a", algorithm=MD5, qop="auth"',
          'Digest realm="r", nonce="b", algorithm=SHA-512-256, qop="auth"',
          'Digest realm="r", nonce="c", algorithm=SHA-256, qop="auth"',
        ),
      ),
    );
    if (!header) throw new Error('no header');
    expect([params(header).get('algorithm'), params(header).get('nonce')]).toEqual(['SHA-512-256', 'b']);
  });

  it('fails with no-usable-challenge, listing malformed values, when nothing can be answered', () => {
    const exchange = session().begin(REGISTER);
    const answer = exchange.answer(
      www('Digest realm="r", nonce="n", algorithm=SHA-1', 'Basic realm="r"', 'Digest realm="r'),
    );
    expect(answer).toEqual({
      kind: 'failed',
      failure: {
        kind: 'no-usable-challenge',
        status: 401,
        problems: [
          {
            kind: 'malformed-challenge',
            reason: 'unterminated-quoted-string',
            offset: 13,
            detail: 'quoted string has no closing double quote',
          },
        ],
      },
    });
  });

  it('fails with no-credentials for a realm other than the configured one', () => {
    const exchange = session({ credentials: { username: 'u', password: 'p', realm: 'mine' } }).begin(
      REGISTER,
    );
    expect(exchange.answer(www('Digest realm="theirs", nonce="n"'))).toEqual({
      kind: 'failed',
      failure: { kind: 'no-credentials', status: 401, realm: 'theirs', header: 'WWW-Authenticate' },
    });
  });

  it('refuses statuses other than 401/407 (a caller bug)', () => {
    expect(() => session().begin(REGISTER).answer({ status: 403, wwwAuthenticate: [] })).toThrow(
      /not a challenge/,
    );
  });

  it('auth-int when configured: the response covers the body', () => {
    const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
    const exchange = session({ qop: 'auth-int' }).begin({
      method: 'INVITE',
      uri: 'sip:bob@biloxi.com',
      body,
    });
    const [header] = retryHeaders(exchange.answer(www('Digest realm="r", nonce="n", qop="auth,auth-int"')));
    if (!header) throw new Error('no header');
    const p = params(header);
    const expected = computeDigest({
      hash: digestHash('MD5'),
      session: false,
      username: 'testuser',
      realm: 'r',
      password: 'testpassword',
      method: 'INVITE',
      uri: 'sip:bob@biloxi.com',
      nonce: 'n',
      cnonce: '00000001',
      nc: '00000001',
      qop: 'auth-int',
      body,
    });
    expect([p.get('qop'), p.get('response')]).toEqual(['auth-int', expected.response]);
  });

  describe('pre-emptive credentials', () => {
    function registered(options: Partial<DigestSessionOptions> = {}): DigestSession {
      const s = session({ preemptive: true, ...options });
      retryHeaders(s.begin(REGISTER).answer(www('Digest realm="r", nonce="n1", qop="auth"')));
      return s;
    }

    it('re-uses the last challenge on the next request with the next nonce count', () => {
      const s = registered();
      expect(summary(s.begin(REGISTER).initialHeaders())).toEqual([
        ['Authorization', 'r', 'n1', '00000002', '00000002'],
      ]);
      expect(summary(s.begin(REGISTER).initialHeaders())).toEqual([
        ['Authorization', 'r', 'n1', '00000003', '00000003'],
      ]);
      expect(s.nonceCount('n1')).toBe(3);
    });

    it('is off unless asked for', () => {
      const s = session();
      retryHeaders(s.begin(REGISTER).answer(www('Digest realm="r", nonce="n1"')));
      expect(s.begin(REGISTER).initialHeaders()).toEqual([]);
    });

    it('a refused pre-emptive nonce (new nonce, not stale) is answered once, then a refusal is final', () => {
      const exchange = registered().begin(REGISTER);
      exchange.initialHeaders();
      expect(summary(retryHeaders(exchange.answer(www('Digest realm="r", nonce="n2", qop="auth"'))))).toEqual(
        [['Authorization', 'r', 'n2', '00000001', '00000003']],
      );
      const answer = exchange.answer(www('Digest realm="r", nonce="n3", qop="auth"'));
      expect(answer.kind === 'failed' && answer.failure.kind).toBe('auth-rejected');
    });

    it('the same nonce back without stale after pre-emptive credentials means they were refused', () => {
      const exchange = registered().begin(REGISTER);
      exchange.initialHeaders();
      const answer = exchange.answer(www('Digest realm="r", nonce="n1", qop="auth"'));
      expect(answer.kind === 'failed' && answer.failure.kind).toBe('auth-rejected');
    });

    it('a stale pre-emptive nonce is simply answered', () => {
      const exchange = registered().begin(REGISTER);
      exchange.initialHeaders();
      expect(exchange.answer(www('Digest realm="r", nonce="n2", stale=true')).kind).toBe('retry');
    });

    it('a proxy challenge is re-used only within its Call-ID, unless it is the outbound proxy realm', () => {
      for (const [outboundProxyRealm, expected] of [
        [undefined, [[], ['Proxy-Authorization']]],
        ['p', [['Proxy-Authorization'], ['Proxy-Authorization']]],
      ] as const) {
        const s = session({ preemptive: true, ...(outboundProxyRealm ? { outboundProxyRealm } : {}) });
        retryHeaders(
          s
            .begin({ method: 'INVITE', uri: 'sip:b@x', callId: 'c1' })
            .answer(proxy('Digest realm="p", nonce="q"')),
        );
        const otherCall = s.begin({ method: 'INVITE', uri: 'sip:b@x', callId: 'c2' }).initialHeaders();
        const sameCall = s.begin({ method: 'BYE', uri: 'sip:b@x', callId: 'c1' }).initialHeaders();
        expect([otherCall.map((h) => h.name), sameCall.map((h) => h.name)]).toEqual(expected);
      }
    });

    it('-sess keeps the cnonce that entered HA1 for as long as the nonce lasts', () => {
      const s = session({ preemptive: true });
      const first = retryHeaders(
        s.begin(REGISTER).answer(www('Digest realm="r", nonce="n1", qop="auth", algorithm=MD5-sess')),
      );
      const second = s.begin(REGISTER).initialHeaders();
      expect([...summary(first), ...summary(second)]).toEqual([
        ['Authorization', 'r', 'n1', '00000001', '00000001'],
        ['Authorization', 'r', 'n1', '00000002', '00000001'],
      ]);
    });

    it('forget() drops what was learned', () => {
      const s = registered();
      s.forget();
      expect(s.begin(REGISTER).initialHeaders()).toEqual([]);
    });
  });
});
