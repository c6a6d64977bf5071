/**
 * Redaction of SIP messages for the SIP log, against credentials computed by our own digest client
 * (sip/auth): what a debugger needs stays, the digest response, cnonce, passwords and media keys go.
 */
import { describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { REDACTED, redactSipMessage, redactUriPasswords } from '../../../src-main/phone/index.ts';
import { computeAuthorization, parseChallenge } from '../../../src-main/sip/auth/index.ts';
import type { Authorization, DigestChallenge } from '../../../src-main/sip/auth/index.ts';
import { SIPLOG_BODY_PREVIEW, SIPLOG_TEXT_MAX } from '../../../src-shared/model/siplog.ts';

const PASSWORD = 'Pa55-w0rd!secret';
const CHALLENGE =
  'Digest realm="lab.test", nonce="bm9uY2UtMTIz", opaque="b3BhcXVl", qop="auth", algorithm=SHA-256';

function challenge(text = CHALLENGE): DigestChallenge {
  const r = parseChallenge(text);
  if (!r.ok || r.value.kind !== 'digest') throw new Error('bad challenge');
  return r.value;
}

function authorization(method = 'REGISTER', uri = 'sip:lab.test', text = CHALLENGE): Authorization {
  const r = computeAuthorization({
    challenge: challenge(text),
    method,
    uri,
    username: '1000',
    password: PASSWORD,
    cnonce: 'Y25vbmNlLXh5eg',
    nc: 1,
  });
  if (!r.ok) throw new Error('no authorization');
  return r.authorization;
}

function register(headerName: string, credentials: string, extra = ''): Buffer {
  return Buffer.from(
    'REGISTER sip:lab.test SIP/2.0\r\n' +
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport\r\n' +
      'From: <sip:1000@lab.test>;tag=a\r\nTo: <sip:1000@lab.test>\r\nCall-ID: reg-1\r\nCSeq: 2 REGISTER\r\n' +
      `${headerName}: ${credentials}\r\n${extra}Contact: <sip:1000@192.0.2.10:5060>\r\nContent-Length: 0\r\n\r\n`,
  );
}

function header(text: string, name: string): string | undefined {
  return text.split('\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
}

describe('redactSipMessage: credentials', () => {
  it('keeps what debugging needs of a real digest Authorization and drops response and cnonce', () => {
    const auth = authorization();
    expect(auth.value).toContain(auth.values.response); // the secret really is in the input
    const out = redactSipMessage(register('Authorization', auth.value));
    expect(header(out.text, 'Authorization')).toBe(
      `Authorization: Digest username="1000", realm="lab.test", nonce="bm9uY2UtMTIz", uri="sip:lab.test", response="${REDACTED}", ` +
        `algorithm=SHA-256, cnonce="${REDACTED}", opaque="b3BhcXVl", qop=auth, nc=00000001`,
    );
    expect(out.text).not.toContain(auth.values.response);
    expect(out.text).not.toContain('Y25vbmNlLXh5eg');
    expect(out.text).not.toContain(PASSWORD);
    expect(out.startLine).toBe('REGISTER sip:lab.test SIP/2.0');
    expect(out.contentType).toBeNull();
  });

  it('does the same for Proxy-Authorization (MD5, no qop), folded over lines, and in any header-name case', () => {
    const auth = authorization(
      'INVITE',
      'sip:1001@lab.test',
      'Digest realm="lab.test", nonce="n-7", algorithm=MD5',
    );
    const folded = auth.value.replace(', response=', ',\r\n  response=');
    expect(folded).not.toBe(auth.value);
    const out = redactSipMessage(register('proxy-AUTHORIZATION', folded));
    const line = header(out.text, 'proxy-authorization');
    expect(line).toBe(
      `proxy-AUTHORIZATION: Digest username="1000", realm="lab.test", nonce="n-7", uri="sip:1001@lab.test", response="${REDACTED}", algorithm=MD5`,
    );
    expect(out.text).not.toContain(auth.values.response);
  });

  it('redacts every unknown digest parameter, token-valued secrets, a second credential, and fails closed', () => {
    const cases: Array<[string, string]> = [
      [
        'Digest username="u", response=abcdef0123, auts="xyz", nc=00000001',
        `Digest username="u", response="${REDACTED}", auts="${REDACTED}", nc=00000001`,
      ],
      [
        'Digest username="u", response="aa", Digest username="v", response="bb"',
        `Digest username="u", response="${REDACTED}", Digest username="v", response="${REDACTED}"`,
      ],
      ['Digest username="u", response="unterminated', `Digest username="u", response="${REDACTED}"`],
      ['Digest username="u" response="no-comma"', `Digest username="u" response="${REDACTED}"`],
      ['Digest username="u", @@@ "junk"', `Digest username="u", ${REDACTED}`],
      ['Basic MTAwMDpQYTU1LXcwcmQhc2VjcmV0', `Basic ${REDACTED}`],
      ['Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl==', `Bearer ${REDACTED}`],
      ['"not a scheme"', ` ${REDACTED}`],
    ];
    for (const [input, expected] of cases) {
      const out = redactSipMessage(register('Authorization', input));
      expect(header(out.text, 'Authorization'), input).toBe(
        `Authorization:${expected.startsWith(' ') ? '' : ' '}${expected}`,
      );
    }
  });

  it('keeps WWW-Authenticate challenges whole and drops rspauth/cnonce from Authentication-Info', () => {
    const response = Buffer.from(
      'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\nFrom: <sip:1000@lab.test>;tag=a\r\n' +
        `To: <sip:1000@lab.test>;tag=b\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: ${CHALLENGE}\r\n` +
        'Authentication-Info: nextnonce="nn-2", qop=auth, rspauth="6629fae49393a05397450978507c4ef1", cnonce="c-1", nc=00000001\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
    const out = redactSipMessage(response);
    expect(header(out.text, 'WWW-Authenticate')).toBe(`WWW-Authenticate: ${CHALLENGE}`);
    expect(header(out.text, 'Authentication-Info')).toBe(
      `Authentication-Info: nextnonce="nn-2", qop=auth, rspauth="${REDACTED}", cnonce="${REDACTED}", nc=00000001`,
    );
    expect(out.startLine).toBe('SIP/2.0 401 Unauthorized');
  });

  it('drops passwords from SIP URIs in the start line and every header, and nothing else', () => {
    const out = redactSipMessage(
      Buffer.from(
        'INVITE sip:1001:hunter2@lab.test;transport=udp SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n' +
          'From: "A" <sips:1000:pw;x=1@lab.test:5061>;tag=a\r\nTo: <sip:1001@lab.test>\r\nRoute: <sip:proxy.lab.test:5060;lr>\r\n' +
          'Call-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    expect(out.startLine).toBe(`INVITE sip:1001:${REDACTED}@lab.test;transport=udp SIP/2.0`);
    expect(header(out.text, 'From')).toBe(`From: "A" <sips:1000:${REDACTED}@lab.test:5061>;tag=a`);
    expect(header(out.text, 'Route')).toBe('Route: <sip:proxy.lab.test:5060;lr>');
    expect(out.text).not.toMatch(/hunter2|:pw;/);
    expect(redactUriPasswords('sip:alice@example.com, sip:example.com:5060, SIP/2.0/UDP h:5060')).toBe(
      'sip:alice@example.com, sip:example.com:5060, SIP/2.0/UDP h:5060',
    );
    expect(
      redactUriPasswords('<sip:a:b@c>, <SIPS:d;x:e:f@[::1]:5061>, sip:g@[::1]:5060, sip:[::1]:5060'),
    ).toBe(`<sip:a:${REDACTED}@c>, <SIPS:d;x:${REDACTED}@[::1]:5061>, sip:g@[::1]:5060, sip:[::1]:5060`);
    // A hostile line of 60 000 almost-URIs is one linear pass (a backtracking pattern would take minutes).
    const hostile = 'sip:a:'.repeat(10_000);
    expect(redactUriPasswords(`${hostile}@h`)).toBe(`sip:a:${REDACTED}@h`);
    expect(redactUriPasswords(hostile)).toBe(hostile);
  });
});

describe('redactSipMessage: bodies', () => {
  function withBody(contentType: string | undefined, body: string | Buffer): Buffer {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const head =
      'INVITE sip:1001@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\nFrom: <sip:1000@lab.test>;tag=a\r\n' +
      `To: <sip:1001@lab.test>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n${contentType === undefined ? '' : `Content-Type: ${contentType}\r\n`}Content-Length: ${bytes.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), bytes]);
  }

  it('shows SDP whole (CRLF as \\n) without SRTP, ICE and k= keys', () => {
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nk=base64:c2VjcmV0a2V5\r\nm=audio 4000 RTP/SAVP 0\r\n' +
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n' +
      'a=ice-ufrag:8hhY\r\na=ice-pwd:asd88fgpdd777uzjYhagZg\r\na=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO\r\n';
    const out = redactSipMessage(withBody('application/sdp; charset=utf-8', sdp));
    expect(out.contentType).toBe('application/sdp');
    expect(out.text.split('\n\n')[1]).toBe(
      'v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\n' +
        `k=base64:${REDACTED}\nm=audio 4000 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${REDACTED}|2^20|1:32\n` +
        `a=ice-ufrag:8hhY\na=ice-pwd:${REDACTED}\na=key-mgmt:mikey ${REDACTED}\n`,
    );
    expect(out.text).not.toContain('\r');
  });

  it("shows sipfrag and dtmf-relay whole (a sipfrag's own Authorization redacted); cuts other bodies", () => {
    const frag = redactSipMessage(
      withBody(
        'message/sipfrag',
        'SIP/2.0 200 OK\r\nAuthorization: Digest username="u", response="ff00"\r\n',
      ),
    );
    expect(frag.text.split('\n\n')[1]).toBe(
      `SIP/2.0 200 OK\nAuthorization: Digest username="u", response="${REDACTED}"\n`,
    );
    const dtmf = redactSipMessage(withBody('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'));
    expect(dtmf.text.split('\n\n')[1]).toBe('Signal=5\nDuration=160\n');

    const xml = `<?xml version="1.0"?><presence>${'x'.repeat(1000)}</presence>`;
    const cut = redactSipMessage(withBody('application/pidf+xml', xml));
    expect(cut.contentType).toBe('application/pidf+xml');
    expect(cut.text.split('\n\n')[1]).toBe(
      `${xml.slice(0, SIPLOG_BODY_PREVIEW)}\n[… ${xml.length - SIPLOG_BODY_PREVIEW} more bytes of application/pidf+xml not shown]`,
    );

    const binary = redactSipMessage(withBody(undefined, Buffer.from([0, 1, 2, 0x41, 0x0a, 0x7f])));
    expect(binary.contentType).toBe('application/octet-stream');
    expect(binary.text.split('\n\n')[1]).toBe('\ufffd\ufffd\ufffdA\n\ufffd');
  });

  it('redacts unparseable bytes the same way and clips very long messages', () => {
    const garbage = redactSipMessage(
      Buffer.from('HELLO\r\nAuthorization: Digest response="abc"\r\nno blank line'),
    );
    expect(garbage.text).toBe(`HELLO\nAuthorization: Digest response="${REDACTED}"\nno blank line`);
    expect(redactSipMessage(new Uint8Array(0))).toEqual({ text: '', startLine: '', contentType: null });

    const huge = redactSipMessage(withBody('application/sdp', `v=0\r\n${'a=x\r\n'.repeat(20_000)}`));
    expect(huge.text.length).toBeLessThanOrEqual(SIPLOG_TEXT_MAX);
    expect(huge.text).toMatch(/\n\[… \d+ more characters not shown\]$/);
  });
});
