import { describe, expect, it } from 'vitest';
import {
  escapeHeader,
  escapeParam,
  escapePassword,
  escapeUser,
  formatUri,
  hostKind,
  isIPv4,
  parseIPv6,
  parseUri,
  sipUri,
  unescapeUriComponent,
  uriEquals,
  type SipUri,
  type Uri,
} from '../../../../src-main/sip/syntax/index.ts';

function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(`${text}: ${r.reason}`);
  return r.uri;
}

function sip(text: string): SipUri {
  const u = uri(text);
  if (u.kind !== 'sip') throw new Error(`${text} is not a SIP URI`);
  return u;
}

function reason(text: string): string | undefined {
  const r = parseUri(text);
  return r.ok ? undefined : r.reason;
}

describe('SIP URI parsing (RFC 3261 §19.1.1)', () => {
  it('reads every component', () => {
    const u = sip(
      'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent',
    );
    expect(u).toMatchObject({
      kind: 'sip',
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.example.com',
      port: 5061,
    });
    expect([...u.params]).toEqual([
      ['transport', 'tcp'],
      ['lr', null],
      ['maddr', '239.255.255.1'],
    ]);
    expect(u.headers).toEqual([
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
  });

  it('host only, IPv4, IPv6 references, and a telephone-subscriber user', () => {
    expect(sip('sip:example.com')).toMatchObject({ user: undefined, host: 'example.com', port: undefined });
    expect(sip('sip:192.0.2.4:5070')).toMatchObject({ host: '192.0.2.4', port: 5070 });
    expect(sip('sip:alice@[2001:db8::1]:5060')).toMatchObject({ host: '[2001:db8::1]', port: 5060 });
    expect(sip('SIP:+1-212-555-1212:1234@gateway.com;user=phone')).toMatchObject({
      scheme: 'sip',
      user: '+1-212-555-1212',
      password: '1234',
      host: 'gateway.com',
    });
  });

  it('lower-cases parameter names, keeps values, first occurrence wins', () => {
    expect([...sip('sip:a@b.com;Transport=TCP;transport=udp').params]).toEqual([['transport', 'TCP']]);
  });

  it('unescapes user, password, parameters and headers once (RFC 3261 §19.1.2)', () => {
    const u = sip('sip:%61lice%20x:p%40ss@example.com;n%61me=v%61lue%25%34%31?h%65ader=a%26b');
    expect([u.user, u.password]).toEqual(['alice x', 'p@ss']);
    expect(u.params.get('name')).toBe('value%41');
    expect(u.headers).toEqual([['header', 'a&b']]);
    expect(sip('sip:%E2%82%AC@example.com').user).toBe('\u20ac');
  });

  it.each([
    ['sip:', 'invalid host in SIP URI'],
    ['sip:alice@', 'invalid host in SIP URI'],
    ['sip:alice@@example.com', 'more than one "@" in SIP URI'],
    ['sip:al ice@example.com', 'invalid user part in SIP URI'],
    ['sip:%4@example.com', 'invalid user part in SIP URI'],
    ['sip:alice@exa mple.com', 'unexpected characters in SIP URI'],
    ['sip:alice@example.com:65536', 'invalid port in SIP URI'],
    ['sip:alice@example.com:', 'invalid port in SIP URI'],
    ['sip:alice@example.com;', 'invalid parameter in SIP URI'],
    ['sip:alice@example.com;a=', 'invalid parameter value in SIP URI'],
    ['sip:alice@example.com;a=b=c', 'invalid parameter in SIP URI'],
    ['sip:alice@example.com?x', 'invalid header in SIP URI'],
    ['sip:alice@-example.com', 'invalid host in SIP URI'],
    ['sip:alice@example.123', 'invalid host in SIP URI'],
    ['sip:alice@256.0.0.1', 'invalid host in SIP URI'],
    ['sip:alice@[2001:db8:::1]', 'invalid host in SIP URI'],
    ['sip:2001:db8::10', 'invalid host in SIP URI'],
    ['<sip:alice@example.com>', 'invalid URI scheme'],
    ['alice', 'URI has no scheme'],
    ['1sip:alice@example.com', 'invalid URI scheme'],
  ])('rejects %s', (text, why) => {
    expect(reason(text)).toBe(why);
  });
});

describe('TEL URIs (RFC 3966)', () => {
  it('global and local numbers with parameters', () => {
    expect(uri('tel:+1-201-555-0123;ext=1234')).toMatchObject({
      kind: 'tel',
      number: '+1-201-555-0123',
      global: true,
    });
    const local = uri('tel:7042;phone-context=example.com');
    expect(local).toMatchObject({ kind: 'tel', number: '7042', global: false });
    expect(local.kind === 'tel' && local.params.get('phone-context')).toBe('example.com');
  });

  it('rejects a local number without phone-context and numbers without digits', () => {
    expect(reason('tel:7042')).toBe('local tel URI without phone-context');
    expect(reason('tel:+')).toBe('tel URI without digits');
    expect(reason('tel:+1 201')).toBe('invalid telephone number in tel URI');
  });

  it('compares digits without visual separators, parameters in any order (RFC 3966 §4)', () => {
    expect(uriEquals(uri('tel:+1-201-555-0123'), uri('tel:+1(201)5550123'))).toBe(true);
    expect(uriEquals(uri('tel:+1-201-555-0123;ext=1'), uri('tel:+12015550123'))).toBe(false);
    expect(
      uriEquals(uri('tel:7042;phone-context=EXAMPLE.com'), uri('tel:7042;phone-context=example.com')),
    ).toBe(true);
    expect(uriEquals(uri('tel:+1-201-555-0123'), uri('sip:+12015550123@example.com'))).toBe(false);
  });
});

describe('other schemes stay opaque', () => {
  it.each([
    'http://www.example.com/a?b=c',
    'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    'mailto:alice@example.com',
    'isbn:2983792873',
  ])('%s', (text) => {
    const u = uri(text);
    expect(u.kind).toBe('absolute');
    expect(formatUri(u)).toBe(text);
  });

  it('rejects characters outside uric', () => {
    expect(reason('http://exa mple.com')).toBe('invalid http URI');
    expect(reason('urn:')).toBe('invalid urn URI');
  });
});

describe('URI comparison (RFC 3261 §19.1.4)', () => {
  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
    ['sip:alice@[2001:DB8::1]', 'sip:alice@[2001:db8:0:0::1]'],
  ])('equal: %s = %s', (a, b) => {
    expect(uriEquals(uri(a), uri(b))).toBe(true);
    expect(uriEquals(uri(b), uri(a))).toBe(true);
  });

  it.each([
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'], // different usernames
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'], // can resolve to different ports
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'], // can resolve to different transports
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'], // different port and transport
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'], // different header component
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'], // even though that's what it resolves to
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'], // SIP and SIPS are never equivalent
    ['sip:alice@atlanta.com', 'sip:alice@atlanta.com;user=phone'], // user appears in only one
    ['sip:alice@atlanta.com', 'sip:alice@atlanta.com;maddr=192.0.2.1'], // maddr in only one
    ['sip:alice@atlanta.com;ttl=1', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;method=INVITE', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com;lr=on'],
    ['sip:alice:pw@atlanta.com', 'sip:alice:PW@atlanta.com'],
  ])('not equal: %s ≠ %s', (a, b) => {
    expect(uriEquals(uri(a), uri(b))).toBe(false);
    expect(uriEquals(uri(b), uri(a))).toBe(false);
  });
});

describe('formatting and building', () => {
  it('a parsed URI formats to its original text, a rebuilt copy is formatted afresh', () => {
    const text = 'sip:%61lice@Atlanta.COM;Transport=TCP';
    const u = sip(text);
    expect(formatUri(u)).toBe(text);
    expect(formatUri({ ...u, port: 5070 })).toBe('sip:alice@Atlanta.COM:5070;transport=TCP');
  });

  it('sipUri escapes what the grammar requires and nothing else', () => {
    const u = sipUri({
      user: 'alice smith@home',
      password: 'p:w',
      host: 'example.com',
      port: 5060,
      params: { transport: 'tcp', lr: null, x: 'a b' },
      headers: [['Subject', 'hi there']],
    });
    expect(formatUri(u)).toBe(
      'sip:alice%20smith%40home:p%3Aw@example.com:5060;transport=tcp;lr;x=a%20b?Subject=hi%20there',
    );
    expect(uriEquals(uri(formatUri(u)), u)).toBe(true);
    expect(formatUri(sipUri({ user: '+1-212;x?y', host: '2001:db8::1' }))).toBe(
      'sip:+1-212;x?y@[2001:db8::1]',
    );
  });

  it('sipUri refuses hosts and ports no URI can carry', () => {
    expect(() => sipUri({ host: 'bad host' })).toThrow(/invalid host/);
    expect(() => sipUri({ host: 'example.com', port: 70000 })).toThrow(/invalid port/);
  });

  it('escape functions follow RFC 3261 §19.1.2 per component', () => {
    expect(escapeUser('a;b?c/d&e=f+g$h,i')).toBe('a;b?c/d&e=f+g$h,i');
    expect(escapeUser('a:b@c d')).toBe('a%3Ab%40c%20d');
    expect(escapePassword('a;b:c')).toBe('a%3Bb%3Ac');
    expect(escapeParam('a[b]c/d:e&f+g$h;i=j')).toBe('a[b]c/d:e&f+g$h%3Bi%3Dj');
    expect(escapeHeader('a?b:c&d=e')).toBe('a?b:c%26d%3De');
    expect(escapeUser('\u20ac')).toBe('%E2%82%AC');
    expect(unescapeUriComponent('%E2%82%AC%2541')).toBe('\u20ac%41');
  });
});

describe('hosts', () => {
  it.each([
    ['192.0.2.1', true],
    ['255.255.255.255', true],
    ['010.0.0.1', true],
    ['256.0.0.1', false],
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1..2.3', false],
  ])('isIPv4(%s) = %s', (text, valid) => {
    expect(isIPv4(text)).toBe(valid);
  });

  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::10:5070', '20010db8000000000000000000105070'],
    ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['::ffff:192.0.2.10', '00000000000000000000ffffc000020a'],
    ['2001:db8::192.0.2.1', '20010db80000000000000000c0000201'],
    ['1::', '00010000000000000000000000000000'],
  ])('parseIPv6(%s)', (text, hex) => {
    expect(Buffer.from(parseIPv6(text)!).toString('hex')).toBe(hex);
  });

  it.each([
    '2001:db8:::192.0.2.1',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':1:2',
    '1:2:3:4:5:6:7:',
    '12345::',
    'g::1',
    '1:2:3:4:5:6:7',
    '::1.2.3',
  ])('parseIPv6 rejects %s', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });

  it('hostKind', () => {
    expect(['example.com', 'a-b.example.com.', 'docker_host', '192.0.2.1', '[::1]'].map(hostKind)).toEqual([
      'hostname',
      'hostname',
      'hostname',
      'ipv4',
      'ipv6',
    ]);
    expect(['-a.com', 'a-.com', 'a..com', 'com.1', '[::1', '[1.2.3.4]', ''].map(hostKind)).toEqual(
      Array(7).fill(undefined),
    );
  });
});
