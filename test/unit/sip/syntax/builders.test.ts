/** createRequest, createResponse (RFC 3261 §8.1.1, §8.2.6), serialize, reason phrases, identifiers. */
import { describe, expect, it } from 'vitest';
import {
  BRANCH_MAGIC_COOKIE,
  Header,
  NO_PARAMS,
  SipResponse,
  createRequest,
  createResponse,
  generateBranch,
  generateCallId,
  generateTag,
  headerParams,
  isRfc3261Branch,
  parseMessage,
  reasonPhrase,
  serialize,
  sipUri,
  type SipRequest,
} from '../../../../src-main/sip/syntax/index.ts';

const alice = sipUri({ user: 'alice', host: 'atlanta.example.com' });
const bob = sipUri({ user: 'bob', host: 'biloxi.example.com' });

function invite(): SipRequest {
  return createRequest({
    method: 'INVITE',
    uri: bob,
    from: { displayName: 'Alice', uri: alice, tag: '9fxced76sl', params: NO_PARAMS },
    to: { displayName: 'Bob', uri: bob, params: NO_PARAMS },
    callId: '3848276298220188511@atlanta.example.com',
    cseq: 1,
    via: {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'client.atlanta.example.com',
      port: 5060,
      branch: 'z9hG4bK74bf9',
      params: NO_PARAMS,
    },
    route: [{ uri: sipUri({ host: 'ss1.atlanta.example.com', params: { lr: null } }), params: NO_PARAMS }],
    contact: [
      {
        kind: 'address',
        uri: sipUri({ user: 'alice', host: 'client.atlanta.example.com' }),
        params: NO_PARAMS,
      },
    ],
    headers: [
      ['Allow', 'INVITE, ACK, CANCEL, BYE'],
      ['User-Agent', 'Softphone/0.1'],
    ],
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  });
}

describe('createRequest', () => {
  it('writes the standard headers in the conventional order, full names', () => {
    expect(serialize(invite()).toString()).toBe(
      [
        'INVITE sip:bob@biloxi.example.com SIP/2.0',
        'Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9',
        'Max-Forwards: 70',
        'Route: <sip:ss1.atlanta.example.com;lr>',
        'From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl',
        'To: Bob <sip:bob@biloxi.example.com>',
        'Call-ID: 3848276298220188511@atlanta.example.com',
        'CSeq: 1 INVITE',
        'Contact: <sip:alice@client.atlanta.example.com>',
        'Allow: INVITE, ACK, CANCEL, BYE',
        'User-Agent: Softphone/0.1',
        'Content-Type: application/sdp',
        'Content-Length: 5',
        '',
        'v=0',
        '',
      ].join('\r\n'),
    );
  });

  it('what it builds parses back to the same values', () => {
    const req = invite();
    const r = parseMessage(serialize(req));
    if (!r.ok || r.message.kind !== 'request') throw new Error('parse');
    expect([
      r.message.topVia,
      r.message.from,
      r.message.to,
      r.message.callId,
      r.message.cseq,
      r.message.maxForwards,
    ]).toEqual([req.topVia, req.from, req.to, req.callId, req.cseq, req.maxForwards]);
    expect(r.message.body.toString()).toBe('v=0\r\n');
  });

  it('refuses what no valid request could carry', () => {
    const base = {
      method: 'OPTIONS',
      uri: bob,
      from: { uri: alice, params: NO_PARAMS },
      to: { uri: bob, params: NO_PARAMS },
      callId: 'x',
      cseq: 1,
    };
    expect(() => createRequest({ ...base, method: 'OPT IONS' })).toThrow(/invalid method/);
    expect(() => createRequest({ ...base, cseq: 2 ** 31 })).toThrow(/invalid CSeq/);
    expect(() => createRequest({ ...base, callId: 'a b' })).toThrow(/invalid Call-ID/);
    expect(() => createRequest({ ...base, maxForwards: 256 })).toThrow(/invalid Max-Forwards/);
    expect(() => createRequest({ ...base, body: 'x' })).toThrow(/contentType/);
    expect(() => createRequest({ ...base, headers: [['X', 'a\r\nb']] })).toThrow(/CR or LF/);
    expect(createRequest(base).headers.get('Content-Length')).toBe('0');
  });
});

describe('createResponse (RFC 3261 §8.2.6)', () => {
  const request = (): SipRequest => {
    const r = parseMessage(
      Buffer.from(
        [
          'INVITE sip:bob@biloxi.example.com SIP/2.0',
          'v: SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bK74bf9;received=192.0.2.101',
          'Via: SIP/2.0/UDP third.example.com;branch=z9hG4bK3',
          'Max-Forwards: 69',
          'From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl',
          'To: Bob <sip:bob@biloxi.example.com>',
          'Call-ID: 3848276298220188511@atlanta.example.com',
          'CSeq: 1 INVITE',
          'Timestamp: 54',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      ),
    );
    if (!r.ok || r.message.kind !== 'request') throw new Error('parse');
    return r.message;
  };

  it('copies Via (all, in order), From, Call-ID, CSeq; adds the To tag; Content-Length 0', () => {
    const res = createResponse(request(), 180, undefined, { toTag: '314159' });
    expect(serialize(res).toString()).toBe(
      [
        'SIP/2.0 180 Ringing',
        'Via: SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bK74bf9;received=192.0.2.101',
        'Via: SIP/2.0/UDP third.example.com;branch=z9hG4bK3',
        'From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl',
        'To: Bob <sip:bob@biloxi.example.com>;tag=314159',
        'Call-ID: 3848276298220188511@atlanta.example.com',
        'CSeq: 1 INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('100 Trying: no tag unless given, and the Timestamp copied (§8.2.6.1)', () => {
    const res = createResponse(request(), 100);
    expect([res.reason, res.to.tag, res.headers.get('Timestamp')]).toEqual(['Trying', undefined, '54']);
    expect(createResponse(request(), 200).headers.has('Timestamp')).toBe(false);
  });

  it('without a given tag a random one is added; an existing tag is kept', () => {
    const tag = createResponse(request(), 486).to.tag;
    expect(tag).toMatch(/^[A-Za-z0-9_-]{11}$/);
    const req = request();
    req.headers.set('To', 'Bob <sip:bob@biloxi.example.com>;tag=existing');
    expect(createResponse(req, 200, undefined, { toTag: 'other' }).to.tag).toBe('existing');
  });

  it('reason phrase, extra headers and a body', () => {
    const res = createResponse(request(), 200, 'Fine', {
      toTag: 'a',
      headers: [['Contact', '<sip:bob@192.0.2.4>']],
      body: 'v=0\r\n',
      contentType: { type: 'application', subtype: 'sdp', params: NO_PARAMS },
    });
    expect(res).toBeInstanceOf(SipResponse);
    expect([
      res.status,
      res.reason,
      res.headers.get('Contact'),
      res.headers.get('Content-Type'),
      res.headers.get('Content-Length'),
    ]).toEqual([200, 'Fine', '<sip:bob@192.0.2.4>', 'application/sdp', '5']);
    expect(() => createResponse(request(), 200, undefined, { body: 'x' })).toThrow(/contentType/);
    expect(() => createResponse(request(), 1000)).toThrow(/invalid status/);
  });

  it('answers a request that failed to parse, from the head the error carries', () => {
    const r = parseMessage(
      Buffer.from(
        'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\nCSeq: 193942 INVITE\r\nl: 0\r\n\r\n',
      ),
    );
    if (r.ok || !r.error.respond) throw new Error('expected an answerable error');
    const res = createResponse(r.error.request, r.error.status, r.error.reasonPhrase);
    expect(serialize(res).toString()).toBe(
      'SIP/2.0 400 Bad Request (missing From)\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\nCSeq: 193942 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('serialize', () => {
  it('always states the body length: fixes a wrong value, drops duplicates, keeps the spelling', () => {
    const r = parseMessage(
      Buffer.from(
        'OPTIONS sip:a@b.com SIP/2.0\r\nv: SIP/2.0/UDP h.com\r\nf: <sip:x@y.com>;tag=1\r\nt: <sip:a@b.com>\r\ni: c1\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n',
      ),
    );
    if (!r.ok) throw new Error(r.error.reason);
    const m = r.message;
    m.setBody('hello');
    m.headers.append('Content-Length', '77');
    expect(serialize(m).toString()).toBe(
      'OPTIONS sip:a@b.com SIP/2.0\r\nv: SIP/2.0/UDP h.com\r\nf: <sip:x@y.com>;tag=1\r\nt: <sip:a@b.com>\r\ni: c1\r\nCSeq: 1 OPTIONS\r\nl: 5\r\n\r\nhello',
    );
    m.headers.remove('l');
    expect(serialize(m).toString()).toMatch(/\r\nContent-Length: 5\r\n\r\nhello$/);
  });

  it('writes an empty value as "Name:" and UTF-8 as UTF-8', () => {
    const res = new SipResponse({
      status: 200,
      reason: 'D\u00e9j\u00e0 vu',
      headers: [
        ['Subject', ''],
        ['X-Name', '\u5927'],
      ],
    });
    expect(serialize(res).toString('utf8')).toBe(
      'SIP/2.0 200 D\u00e9j\u00e0 vu\r\nSubject:\r\nX-Name: \u5927\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('a changed Via goes out changed (RFC 3261 §18.2.1 received/rport)', () => {
    const req = invite();
    req.headers.replaceFirstValue(Header.Via, { ...req.topVia, received: '198.51.100.7', rport: 40001 });
    expect(serialize(req).toString()).toContain(
      '\r\nVia: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=198.51.100.7;rport=40001\r\n',
    );
  });

  it('refuses messages no parser could have produced', () => {
    expect(() => serialize(new SipResponse({ status: 42, reason: 'x' }))).toThrow(/invalid status/);
    expect(() => serialize(new SipResponse({ status: 200, reason: 'a\r\nVia: evil' }))).toThrow(/CR\/LF/);
  });
});

describe('reason phrases', () => {
  it('standard phrases, class fallback', () => {
    expect([100, 180, 200, 401, 407, 481, 487, 488, 489, 503, 603].map(reasonPhrase)).toEqual([
      'Trying',
      'Ringing',
      'OK',
      'Unauthorized',
      'Proxy Authentication Required',
      'Call/Transaction Does Not Exist',
      'Request Terminated',
      'Not Acceptable Here',
      'Bad Event',
      'Service Unavailable',
      'Decline',
    ]);
    expect([reasonPhrase(299), reasonPhrase(499)]).toEqual(['OK', 'Bad Request']);
  });
});

describe('identifiers', () => {
  it('branches carry the magic cookie and 128 random bits (RFC 3261 §8.1.1.7)', () => {
    const branch = generateBranch();
    expect(branch.startsWith(BRANCH_MAGIC_COOKIE)).toBe(true);
    expect(isRfc3261Branch(branch)).toBe(true);
    expect(branch).toMatch(/^z9hG4bK[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 1000 }, () => generateBranch())).size).toBe(1000);
  });

  it('tags and Call-IDs are tokens/words from the random source', () => {
    const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(0xfb);
    expect(generateTag(fixed)).toBe('-_v7-_v7-_s');
    expect(generateBranch(fixed)).toBe('z9hG4bK-_v7-_v7-_v7-_v7-_v7-w');
    expect(generateCallId('pc33.atlanta.com', fixed)).toBe('-_v7-_v7-_v7-_v7-_v7-w@pc33.atlanta.com');
    expect(generateCallId('[2001:db8::1]', fixed).endsWith('@[2001:db8::1]')).toBe(true);
    expect(() => generateCallId('bad host', fixed)).toThrow(/invalid host/);
    expect(Header.CallId.parse(generateCallId()).ok).toBe(true);
  });

  it('header params builder quotes as needed', () => {
    expect([...headerParams({ a: 'b c' })]).toEqual([['a', '"b c"']]);
  });
});
