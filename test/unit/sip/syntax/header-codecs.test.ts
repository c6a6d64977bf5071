/** Every typed header: parse (values and errors) and format (round trip). */
import { describe, expect, it } from 'vitest';
import {
  Header,
  NO_PARAMS,
  SipHeaders,
  authParam,
  formatUri,
  headerParams,
  parseUri,
  type HeaderCodec,
} from '../../../../src-main/sip/syntax/index.ts';

function ok<T>(codec: HeaderCodec<T>, value: string): T {
  const r = codec.parse(value);
  if (!r.ok) throw new Error(`${codec.name} "${value}": ${r.error.reason}`);
  return r.value;
}

function bad<T>(codec: HeaderCodec<T>, value: string): string {
  const r = codec.parse(value);
  if (r.ok) throw new Error(`${codec.name} "${value}" parsed`);
  expect(r.error.field).toBe(codec.name);
  expect(r.error.status).toBe(400);
  return r.error.reason;
}

/** format(parse(x)) parses to the same value. */
function roundTrips<T>(codec: HeaderCodec<T>, value: string): string {
  const v = ok(codec, value);
  const text = codec.format(v);
  expect(ok(codec, text)).toEqual(v);
  return text;
}

describe('Via (RFC 3261 §20.42, RFC 3581, RFC 5118)', () => {
  it('reads sent-protocol, sent-by and the typed parameters', () => {
    expect(
      ok(
        Header.Via,
        'SIP/2.0/udp pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5067;maddr=224.2.0.1;ttl=16;x-foo=bar;x-flag',
      ),
    ).toEqual({
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'pc33.atlanta.com',
      port: 5066,
      branch: 'z9hG4bK776asdhds',
      received: '192.0.2.1',
      rport: 5067,
      maddr: '224.2.0.1',
      ttl: 16,
      params: new Map([
        ['x-foo', 'bar'],
        ['x-flag', null],
      ]),
    });
  });

  it('rport without value, IPv6 sent-by and received, LWS around separators', () => {
    expect(ok(Header.Via, 'SIP/2.0/TCP [2001:db8::9:1]:5060;rport;branch=z9hG4bKa')).toMatchObject({
      host: '[2001:db8::9:1]',
      port: 5060,
      rport: true,
    });
    expect(ok(Header.Via, 'SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255').received).toBe(
      '2001:db8::9:255',
    );
    expect(
      ok(Header.Via, 'SIP  /  2.0 / TCP   host.example.com  :  5070 ;  branch  =  z9hG4bKb'),
    ).toMatchObject({
      transport: 'TCP',
      host: 'host.example.com',
      port: 5070,
      branch: 'z9hG4bKb',
    });
  });

  it.each([
    ['SIP/2.0/UDP', 'missing LWS before sent-by'],
    ['SIP/2.0 host.example.com', 'invalid sent-protocol'],
    ['SIP/2.0/UDP host.example.com:99999', 'invalid sent-by port'],
    ['SIP/2.0/UDP host.example.com;branch', 'branch must be a token'],
    ['SIP/2.0/UDP host.example.com;branch="z9hG4bK"', 'branch must be a token'],
    ['SIP/2.0/UDP host.example.com;received=host.example.com', 'received must be an IP address'],
    ['SIP/2.0/UDP host.example.com;rport=0', 'rport must be a port number'],
    ['SIP/2.0/UDP host.example.com;ttl=256', 'ttl must be 0-255'],
    ['SIP/2.0/UDP host.example.com;maddr=a..b', 'maddr must be a host'],
    ['SIP/2.0/UDP host.example.com;;', 'empty parameter'],
    ['SIP/2.0/UDP host.example.com x', 'unexpected characters after parameters'],
    ['SIP/2.0/UDP ho$t', 'unexpected characters after parameters'],
  ])('rejects %s', (value, reason) => {
    expect(bad(Header.Via, value)).toBe(reason);
  });

  it('formats typed parameters first, then the others', () => {
    expect(
      roundTrips(Header.Via, 'SIP/2.0/UDP a.com:5060;x=1;rport;branch=z9hG4bKz;received=192.0.2.4'),
    ).toBe('SIP/2.0/UDP a.com:5060;branch=z9hG4bKz;received=192.0.2.4;rport;x=1');
  });
});

describe('From / To', () => {
  it('name-addr with quoted or token display name, and the tag', () => {
    expect(ok(Header.From, '"Alice \\"A\\"" <sip:alice@atlanta.com>;tag=1928301774')).toMatchObject({
      displayName: 'Alice "A"',
      tag: '1928301774',
      uri: { user: 'alice', host: 'atlanta.com' },
    });
    expect(ok(Header.To, 'Bob Smith <sip:bob@biloxi.com>;x=1')).toMatchObject({
      displayName: 'Bob Smith',
      tag: undefined,
    });
    expect([...ok(Header.To, 'Bob <sip:bob@biloxi.com>;x=1').params]).toEqual([['x', '1']]);
  });

  it('addr-spec: parameters after the URI belong to the header', () => {
    const v = ok(Header.To, 'sip:bob@biloxi.com;tag=abc;user=phone');
    expect(v.tag).toBe('abc');
    expect(v.uri.kind === 'sip' && v.uri.params.size).toBe(0);
    expect([...v.params]).toEqual([['user', 'phone']]);
  });

  it.each([
    ['<sip:bob@biloxi.com>;tag', 'tag must be a token'],
    ['<sip:bob@biloxi.com>;tag="x"', 'tag must be a token'],
    ['"Bob <sip:bob@biloxi.com>', 'unterminated quoted string in display name'],
    ['Bob, Jr <sip:bob@biloxi.com>', 'display name must be tokens or a quoted string'],
    ['< sip:bob@biloxi.com >', 'white space inside <URI>'],
    ['<sip:bob@biloxi.com', 'unterminated <URI>'],
    ['sip:bob@biloxi.com?subject=x', 'URI with "?" or "," must be enclosed in <>'],
    ['<sip:bob@biloxi.com> junk', 'unexpected characters after address'],
    ['"Bob" sip:bob@biloxi.com', 'display name not followed by <URI>'],
  ])('rejects %s', (value, reason) => {
    expect(bad(Header.To, value)).toBe(reason);
  });

  it('formats in name-addr form, quoting display names that are not tokens', () => {
    expect(roundTrips(Header.From, 'Alice <sip:alice@atlanta.com>;tag=88sja8x')).toBe(
      'Alice <sip:alice@atlanta.com>;tag=88sja8x',
    );
    expect(roundTrips(Header.To, '"Doe, John" <sip:j@x.com>')).toBe('"Doe, John" <sip:j@x.com>');
    expect(roundTrips(Header.To, 'sip:bob@biloxi.com;tag=a')).toBe('<sip:bob@biloxi.com>;tag=a');
  });
});

describe('Contact (RFC 3261 §20.10, RFC 5626)', () => {
  it('wildcard', () => {
    expect(ok(Header.Contact, '*')).toEqual({ kind: 'wildcard' });
    expect(Header.Contact.format({ kind: 'wildcard' })).toBe('*');
  });

  it('expires, q, +sip.instance and reg-id are lifted out of the parameters', () => {
    const c = ok(
      Header.Contact,
      '<sip:alice@192.0.2.4;ob>;expires=3600;q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;audio',
    );
    expect(c).toMatchObject({
      kind: 'address',
      expires: 3600,
      q: 0.7,
      instance: 'urn:uuid:00000000-0000-1000-8000-000A95A0E128',
      regId: 1,
    });
    expect(c.kind === 'address' && [...c.params]).toEqual([['audio', null]]);
    expect(
      roundTrips(
        Header.Contact,
        '<sip:alice@192.0.2.4;ob>;expires=3600;q=0.7;+sip.instance="<urn:uuid:x>";reg-id=1;audio',
      ),
    ).toBe('<sip:alice@192.0.2.4;ob>;expires=3600;q=0.7;+sip.instance="<urn:uuid:x>";reg-id=1;audio');
  });

  it.each([
    ['<sip:a@b.com>;expires=4294967296', 'expires must be delta-seconds (0..2^32-1)'],
    ['<sip:a@b.com>;expires', 'expires must be delta-seconds (0..2^32-1)'],
    ['<sip:a@b.com>;q=1.5', 'q must be a qvalue (0..1)'],
    ['<sip:a@b.com>;q=0.1234', 'q must be a qvalue (0..1)'],
    ['<sip:a@b.com>;+sip.instance=urn:uuid:1', '+sip.instance must be a quoted "<URN>"'],
    ['<sip:a@b.com>;reg-id=0', 'reg-id must be 1..2^31-1'],
  ])('rejects %s', (value, reason) => {
    expect(bad(Header.Contact, value)).toBe(reason);
  });

  it('a list of contacts; a bare URI with "?" must be bracketed (RFC 4475 §3.1.2.13)', () => {
    expect(ok(Header.Contact, '<sip:a@b.com>;expires=4294967295').kind).toBe('address');
    const h = Header.Contact;
    expect(bad(h, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E')).toBe(
      'URI with "?" or "," must be enclosed in <>',
    );
  });
});

describe('Route, Record-Route, Path, Service-Route', () => {
  it('name-addr only', () => {
    expect(formatUri(ok(Header.Route, '<sip:p1.example.com;lr>').uri)).toBe('sip:p1.example.com;lr');
    expect(ok(Header.RecordRoute, '"proxy" <sip:p1.example.com;lr>;x=1')).toMatchObject({
      displayName: 'proxy',
    });
    expect(bad(Header.Route, 'sip:p1.example.com')).toBe('route URI must be in <>');
    expect(roundTrips(Header.Path, '<sip:edge.example.com;lr;ob>')).toBe('<sip:edge.example.com;lr;ob>');
    expect(ok(Header.ServiceRoute, '<sip:orig@scscf.example.com;lr>').uri.kind).toBe('sip');
  });
});

describe('Refer-To, Referred-By, Replaces (RFC 3515, 3892, 3891)', () => {
  it('Refer-To carrying a Replaces for attended transfer', () => {
    const referTo = ok(
      Header.ReferTo,
      '<sip:bob@biloxi.example.com?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>',
    );
    const replaces =
      referTo.uri.kind === 'sip' ? referTo.uri.headers.find(([n]) => n === 'Replaces')?.[1] : undefined;
    expect(replaces).toBe('12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994');
    expect(ok(Header.Replaces, replaces!)).toEqual({
      callId: '12345@192.168.118.3',
      toTag: '12345',
      fromTag: '5FFE-3994',
      earlyOnly: false,
      params: NO_PARAMS,
    });
  });

  it('Replaces: early-only; tags required', () => {
    expect(
      roundTrips(Header.Replaces, '425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only'),
    ).toBe('425928@bobster.example.org;to-tag=7743;from-tag=6472;early-only');
    expect(bad(Header.Replaces, '425928@bobster.example.org;to-tag=7743')).toBe(
      'to-tag and from-tag are required tokens',
    );
    expect(bad(Header.Replaces, '425928@bobster.example.org;to-tag=7743;from-tag=1;early-only=yes')).toBe(
      'early-only takes no value',
    );
  });

  it('Referred-By keeps cid in the parameters', () => {
    const v = ok(
      Header.ReferredBy,
      '<sip:referrer@referrer.example>;cid="20398823.2UWQFN309shb3@referrer.example"',
    );
    expect(v.params.get('cid')).toBe('"20398823.2UWQFN309shb3@referrer.example"');
  });
});

describe('authentication headers (RFC 3261 §20.7, §20.27, §20.28, §20.44)', () => {
  it('a Digest challenge, parameters in order with their quoting', () => {
    const c = ok(
      Header.WwwAuthenticate,
      'Digest realm="atlanta.example.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
    );
    expect(c.scheme).toBe('Digest');
    expect(c.params).toEqual([
      { name: 'realm', value: 'atlanta.example.com', quoted: true },
      { name: 'qop', value: 'auth,auth-int', quoted: true },
      { name: 'nonce', value: 'f84f1cec41e6cbe5aea9c8e88d359', quoted: true },
      { name: 'opaque', value: '', quoted: true },
      { name: 'stale', value: 'FALSE', quoted: false },
      { name: 'algorithm', value: 'MD5', quoted: false },
    ]);
    expect([authParam(c, 'REALM'), authParam(c, 'missing')]).toEqual(['atlanta.example.com', undefined]);
  });

  it('credentials format with the quoting given', () => {
    const text =
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    expect(roundTrips(Header.Authorization, text)).toBe(text);
    expect(ok(Header.ProxyAuthorization, 'Digest username="a\\"b"').params[0]?.value).toBe('a"b');
  });

  it('scheme without parameters, unknown schemes, and a missing comma after a quoted value', () => {
    expect(ok(Header.ProxyAuthenticate, 'Negotiate')).toEqual({ scheme: 'Negotiate', params: [] });
    expect(ok(Header.Authorization, 'NoOneKnowsThisScheme opaque-data=here').params).toHaveLength(1);
    expect(ok(Header.Authorization, 'Digest realm="a.com" nonce="x"').params.map((p) => p.name)).toEqual([
      'realm',
      'nonce',
    ]);
  });

  it.each([
    ['', 'missing auth-scheme'],
    ['Digest realm', 'auth-param realm without "="'],
    ['Digest realm="x', 'unterminated quoted string in realm'],
    ['Digest realm=a b=c', 'expected "," between auth-params'],
    ['Digest realm=', 'auth-param realm without value'],
  ])('rejects %j', (value, reason) => {
    expect(bad(Header.WwwAuthenticate, value)).toBe(reason);
  });

  it('Authentication-Info', () => {
    expect(ok(Header.AuthenticationInfo, 'nextnonce="47364c23432d2e131a5fb210812c", qop=auth')).toEqual([
      { name: 'nextnonce', value: '47364c23432d2e131a5fb210812c', quoted: true },
      { name: 'qop', value: 'auth', quoted: false },
    ]);
  });
});

describe('scalar headers', () => {
  it('Call-ID = word [ "@" word ]', () => {
    expect(ok(Header.CallId, 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com')).toBe(
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com',
    );
    expect(bad(Header.CallId, 'a@b@c')).toMatch(/word/);
    expect(bad(Header.CallId, 'has space')).toMatch(/word/);
    expect(bad(Header.CallId, '')).toMatch(/word/);
  });

  it('CSeq: 0..2^31-1 and a method', () => {
    expect(ok(Header.CSeq, '4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(ok(Header.CSeq, '2147483647 ACK')).toEqual({ seq: 2147483647, method: 'ACK' });
    expect(ok(Header.CSeq, '0009   INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(bad(Header.CSeq, '2147483648 INVITE')).toBe('sequence number must be 0..2^31-1');
    expect(bad(Header.CSeq, '-1 INVITE')).toBe('sequence number must be 0..2^31-1');
    expect(bad(Header.CSeq, '1INVITE')).toBe('missing method');
    expect(bad(Header.CSeq, '1 INVITE x')).toBe('method must be a token');
    expect(Header.CSeq.format({ seq: 1, method: 'BYE' })).toBe('1 BYE');
  });

  it('Max-Forwards 0..255, Content-Length, Expires and Min-Expires 0..2^32-1', () => {
    expect([
      ok(Header.MaxForwards, '0'),
      ok(Header.MaxForwards, '255'),
      ok(Header.MaxForwards, '0068'),
    ]).toEqual([0, 255, 68]);
    expect(bad(Header.MaxForwards, '256')).toBe('Max-Forwards must be 0..255');
    expect(ok(Header.ContentLength, '0')).toBe(0);
    expect(bad(Header.ContentLength, '-999')).toBe('Content-Length must be 1*DIGIT');
    expect(ok(Header.Expires, '4294967295')).toBe(4294967295);
    expect(bad(Header.Expires, '4294967296')).toBe('Expires must be delta-seconds (0..2^32-1)');
    expect(bad(Header.Expires, 'Thu, 01 Dec 1994 16:00:00 GMT')).toBe(
      'Expires must be delta-seconds (0..2^32-1)',
    );
    expect(ok(Header.MinExpires, '60')).toBe(60);
  });

  it('Date: rfc1123-date in GMT only', () => {
    expect(ok(Header.Date, 'Sat, 13 Nov 2010 23:29:00 GMT').toISOString()).toBe('2010-11-13T23:29:00.000Z');
    expect(bad(Header.Date, 'Fri, 01 Jan 2010 16:00:00 EST')).toBe('Date must be an RFC 1123 date in GMT');
    expect(bad(Header.Date, 'Sat, 31 Feb 2010 23:29:00 GMT')).toBe('no such day');
    expect(Header.Date.format(new Date(Date.UTC(2010, 10, 13, 23, 29)))).toBe(
      'Sat, 13 Nov 2010 23:29:00 GMT',
    );
  });

  it('Retry-After with comment and duration', () => {
    expect(ok(Header.RetryAfter, '18000;duration=3600')).toEqual({
      seconds: 18000,
      duration: 3600,
      params: NO_PARAMS,
    });
    expect(roundTrips(Header.RetryAfter, "120 (I'm in a meeting);x=y")).toBe("120 (I'm in a meeting);x=y");
    expect(bad(Header.RetryAfter, '949302838503028349304023988')).toBe(
      'must start with delta-seconds (0..2^32-1)',
    );
  });
});

describe('media types and token lists', () => {
  it('Content-Type: lower-cased type/subtype, parameters as written', () => {
    const ct = ok(Header.ContentType, 'Multipart/Mixed; boundary="7a9cbec02ceef655" ;charset=utf-8');
    expect([ct.type, ct.subtype, ct.params.get('boundary'), ct.params.get('charset')]).toEqual([
      'multipart',
      'mixed',
      '"7a9cbec02ceef655"',
      'utf-8',
    ]);
    expect(bad(Header.ContentType, 'application')).toBe('expected type/subtype');
    expect(bad(Header.ContentType, 'text/plain;flag')).toBe('media type parameter without value');
    expect(Header.ContentType.format({ type: 'application', subtype: 'sdp', params: NO_PARAMS })).toBe(
      'application/sdp',
    );
  });

  it('Accept: ranges, q, and an empty value', () => {
    expect(ok(Header.Accept, '*/*;q=0.1')).toMatchObject({ type: '*', subtype: '*' });
    expect(ok(Header.Accept, 'application/*').subtype).toBe('*');
    // RFC 3261 §20.1: "An empty Accept header field means that no formats are acceptable."
    expect(new SipHeaders([['Accept', '']]).all(Header.Accept)).toEqual({ ok: true, value: [] });
    expect(new SipHeaders([['Require', '']]).all(Header.Require)).toMatchObject({ ok: false });
  });

  it('Allow, Supported, Require, Proxy-Require, Unsupported, Allow-Events', () => {
    expect(ok(Header.Allow, 'INVITE')).toBe('INVITE');
    expect(bad(Header.Supported, 'time r')).toBe('Supported values must be tokens');
    expect(ok(Header.AllowEvents, 'presence.winfo')).toBe('presence.winfo');
    expect([
      Header.Allow.emptyAllowed,
      Header.Supported.emptyAllowed,
      Header.Accept.emptyAllowed,
      Header.Require.emptyAllowed,
    ]).toEqual([true, true, true, false]);
  });

  it('User-Agent / Server: products and (nested) comments', () => {
    expect(ok(Header.UserAgent, 'Softphone/0.1.0 (Linux; x86_64 (VM)) libre')).toEqual([
      { kind: 'product', name: 'Softphone', version: '0.1.0' },
      { kind: 'comment', text: 'Linux; x86_64 (VM)' },
      { kind: 'product', name: 'libre' },
    ]);
    expect(roundTrips(Header.Server, 'SIPimp.org/0.2.5 (curses)')).toBe('SIPimp.org/0.2.5 (curses)');
    expect(bad(Header.Server, 'a (b')).toBe('unbalanced comment');
    expect(bad(Header.Server, 'a/')).toBe('empty product version');
  });

  it('Reason (RFC 3326)', () => {
    expect(ok(Header.Reason, 'SIP ;cause=200 ;text="Call completed elsewhere"')).toEqual({
      protocol: 'SIP',
      cause: 200,
      text: 'Call completed elsewhere',
      params: NO_PARAMS,
    });
    expect(roundTrips(Header.Reason, 'Q.850;cause=16;text="Terminated"')).toBe(
      'Q.850;cause=16;text="Terminated"',
    );
    expect(bad(Header.Reason, 'SIP;cause=abc')).toBe('cause must be digits');
    expect(bad(Header.Reason, 'SIP;text=plain')).toBe('text must be a quoted string');
  });
});

describe('event and session-timer headers', () => {
  it('Event (RFC 6665)', () => {
    expect(ok(Header.Event, 'refer;id=93809824')).toEqual({
      type: 'refer',
      id: '93809824',
      params: NO_PARAMS,
    });
    expect(roundTrips(Header.Event, 'presence.winfo;x=1')).toBe('presence.winfo;x=1');
    expect(bad(Header.Event, ';id=1')).toBe('missing value');
  });

  it('Subscription-State', () => {
    expect(ok(Header.SubscriptionState, 'active;expires=60')).toEqual({
      state: 'active',
      expires: 60,
      params: NO_PARAMS,
    });
    expect(ok(Header.SubscriptionState, 'Terminated;reason=NoResource;retry-after=30')).toMatchObject({
      state: 'terminated',
      reason: 'noresource',
      retryAfter: 30,
    });
    expect(bad(Header.SubscriptionState, 'active;expires=x')).toBe(
      'expires/retry-after must be delta-seconds',
    );
    expect(roundTrips(Header.SubscriptionState, 'pending;expires=10')).toBe('pending;expires=10');
  });

  it('Session-Expires and Min-SE (RFC 4028)', () => {
    expect(ok(Header.SessionExpires, '1800;refresher=UAC')).toEqual({
      seconds: 1800,
      refresher: 'uac',
      params: NO_PARAMS,
    });
    expect(ok(Header.SessionExpires, '90')).toEqual({ seconds: 90, params: NO_PARAMS });
    expect(bad(Header.SessionExpires, '1800;refresher=proxy')).toBe('refresher must be uac or uas');
    expect(bad(Header.SessionExpires, '1800;refresher')).toBe('refresher must be uac or uas');
    expect(roundTrips(Header.MinSE, '90;x=1')).toBe('90;x=1');
    expect(bad(Header.MinSE, 'abc')).toBe('missing value');
  });

  it('Call-Info / Alert-Info: bracketed absolute URIs with parameters', () => {
    const ci = ok(Header.CallInfo, '<http://wwww.example.com/alice/photo.jpg> ;purpose=icon');
    expect([formatUri(ci.uri), ci.params.get('purpose')]).toEqual([
      'http://wwww.example.com/alice/photo.jpg',
      'icon',
    ]);
    expect(bad(Header.AlertInfo, 'http://www.example.com/sounds/moo.wav')).toBe(
      'expected <URI> and parameters',
    );
  });

  it('P-Asserted-Identity (RFC 3325)', () => {
    expect(ok(Header.PAssertedIdentity, '"Cullen Jennings" <sip:fluffy@cisco.com>').displayName).toBe(
      'Cullen Jennings',
    );
  });
});

describe('builders for typed values', () => {
  it('headerParams quotes what is not a token', () => {
    const uri = parseUri('sip:alice@example.com');
    if (!uri.ok) throw new Error('uri');
    const params = headerParams({
      expires: '60',
      '+sip.instance': '"<urn:uuid:1>"',
      note: 'two words',
      flag: null,
    });
    expect(Header.To.format({ uri: uri.uri, tag: 'x', params })).toBe(
      '<sip:alice@example.com>;tag=x;expires=60;+sip.instance="<urn:uuid:1>";note="two words";flag',
    );
    expect(() => headerParams({ 'bad name': '1' })).toThrow(/invalid parameter name/);
  });
});
