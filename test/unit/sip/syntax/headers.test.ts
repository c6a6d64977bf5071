/** SipHeaders: order, names, compact forms, list splitting, typed access and its cache, mutations. */
import { describe, expect, it } from 'vitest';
import {
  COMPACT_FORMS,
  Header,
  NO_PARAMS,
  SipHeaders,
  canonicalHeaderName,
  headerKey,
  isListHeader,
  splitList,
  type Via,
} from '../../../../src-main/sip/syntax/index.ts';

describe('header names', () => {
  it('knows every compact form of RFC 3261 §7.3.3 and of the extensions that registered one', () => {
    expect(Object.entries(COMPACT_FORMS).sort()).toEqual(
      Object.entries({
        a: 'Accept-Contact',
        b: 'Referred-By',
        c: 'Content-Type',
        d: 'Request-Disposition',
        e: 'Content-Encoding',
        f: 'From',
        i: 'Call-ID',
        j: 'Reject-Contact',
        k: 'Supported',
        l: 'Content-Length',
        m: 'Contact',
        n: 'Identity-Info',
        o: 'Event',
        r: 'Refer-To',
        s: 'Subject',
        t: 'To',
        u: 'Allow-Events',
        v: 'Via',
        x: 'Session-Expires',
        y: 'Identity',
      }).sort(),
    );
  });

  it('keys are case-insensitive and compact forms map to the full name', () => {
    expect(['v', 'V', 'via', 'VIA', 'vIa'].map(headerKey)).toEqual(Array(5).fill('via'));
    expect(['i', 'CALL-ID', 'Call-Id'].map(headerKey)).toEqual(Array(3).fill('call-id'));
    expect(['r', 'b', 'x', 'o', 'u', 'y'].map(canonicalHeaderName)).toEqual([
      'Refer-To',
      'Referred-By',
      'Session-Expires',
      'Event',
      'Allow-Events',
      'Identity',
    ]);
    expect(canonicalHeaderName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalHeaderName('X-Custom')).toBe('X-Custom');
  });

  it('list headers are split; the authentication headers, Date and unknown headers are not', () => {
    expect(
      ['Via', 'v', 'Contact', 'm', 'Route', 'Allow', 'k', 'Accept', 'Reason', 'Call-Info'].every(
        isListHeader,
      ),
    ).toBe(true);
    expect(
      [
        'WWW-Authenticate',
        'Authorization',
        'Proxy-Authenticate',
        'Proxy-Authorization',
        'Date',
        'From',
        'To',
        'Subject',
        'User-Agent',
        'X-Foo',
      ].some(isListHeader),
    ).toBe(false);
  });
});

describe('splitList', () => {
  it('splits at top-level commas only', () => {
    expect(splitList('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(splitList('"Doe, John" <sip:a@b.com>, <sip:c,d@e.com;x=1>;p="x,\\"y"')).toEqual([
      '"Doe, John" <sip:a@b.com>',
      '<sip:c,d@e.com;x=1>;p="x,\\"y"',
    ]);
    expect(splitList('a,,b')).toEqual(['a', '', 'b']);
    expect(splitList('no commas')).toEqual(['no commas']);
  });
});

describe('SipHeaders', () => {
  function sample(): SipHeaders {
    return new SipHeaders([
      ['v', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2'],
      ['Via', 'SIP/2.0/TCP c.example.com;branch=z9hG4bK3'],
      ['To', '<sip:bob@example.com>'],
      ['X-Unknown', 'kept, verbatim; as is'],
      ['Allow', 'INVITE, ACK,CANCEL'],
      ['Allow', 'BYE'],
    ]);
  }

  it('keeps every line in order with its name as given', () => {
    const h = sample();
    expect([...h].map((f) => f.name)).toEqual(['v', 'Via', 'To', 'X-Unknown', 'Allow', 'Allow']);
    expect(h.size).toBe(6);
  });

  it('reads raw values by any spelling', () => {
    const h = sample();
    expect(h.get('VIA')).toBe(
      'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
    );
    expect(h.getAll('v')).toHaveLength(2);
    expect(h.values('Via')).toHaveLength(3);
    expect(h.values('allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE']);
    expect(h.values('X-Unknown')).toEqual(['kept, verbatim; as is']);
    expect([h.has('t'), h.has('From'), h.count('Allow'), h.get('From')]).toEqual([true, false, 2, undefined]);
  });

  it('typed access: first and all, across lines and list elements', () => {
    const h = sample();
    const all = h.all(Header.Via);
    expect(all.ok && all.value.map((v) => v.host)).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
    ]);
    const first = h.first(Header.Via);
    expect(first.ok && first.value?.branch).toBe('z9hG4bK1');
    expect(h.first(Header.Contact)).toEqual({ ok: true, value: undefined });
    expect(h.all(Header.Contact)).toEqual({ ok: true, value: [] });
    expect(h.all(Header.Allow)).toEqual({ ok: true, value: ['INVITE', 'ACK', 'CANCEL', 'BYE'] });
  });

  it('caches the typed value of a line until the line is replaced', () => {
    const h = sample();
    const a = h.first(Header.To);
    const b = h.first(Header.To);
    expect(a.ok && b.ok && a.value === b.value).toBe(true);
    h.set('To', '<sip:carol@example.com>;tag=9');
    const c = h.first(Header.To);
    expect(c.ok && c.value?.tag).toBe('9');
  });

  it('single(): missing and duplicate are errors', () => {
    const h = sample();
    expect(h.single(Header.From)).toMatchObject({
      ok: false,
      error: { code: 'missing-header', field: 'From', status: 400 },
    });
    h.append('To', '<sip:x@example.com>');
    expect(h.single(Header.To)).toMatchObject({
      ok: false,
      error: { code: 'duplicate-header', field: 'To', reasonPhrase: 'Bad Request (duplicate To)' },
    });
  });

  it('a malformed line yields an error value naming the header', () => {
    const h = new SipHeaders([
      ['Contact', '<sip:a@b.com'],
      ['Expires', 'soon'],
    ]);
    expect(h.all(Header.Contact)).toMatchObject({
      ok: false,
      error: { code: 'invalid-header', field: 'Contact', reasonPhrase: 'Bad Request (invalid Contact)' },
    });
    expect(h.first(Header.Expires)).toMatchObject({ ok: false, error: { field: 'Expires' } });
  });

  it('empty list elements are errors ("Via: a,,b")', () => {
    const h = new SipHeaders([['Via', 'SIP/2.0/UDP a.com,,SIP/2.0/UDP b.com']]);
    expect(h.all(Header.Via)).toMatchObject({ ok: false, error: { reason: 'empty element in list' } });
  });

  it('append, prepend, set, remove', () => {
    const h = sample();
    h.prepend('Via', 'SIP/2.0/UDP top.example.com;branch=z9hG4bK0');
    expect([...h][0]).toEqual(
      expect.objectContaining({ name: 'Via', value: 'SIP/2.0/UDP top.example.com;branch=z9hG4bK0' }),
    );
    h.prepend('Route', '<sip:p.example.com;lr>'); // none yet: goes to the top
    expect([...h][0]?.name).toBe('Route');
    h.set('allow', 'OPTIONS');
    expect(h.getAll('Allow')).toEqual(['OPTIONS']);
    expect([...h].map((f) => f.name)).toEqual(['Route', 'Via', 'v', 'Via', 'To', 'X-Unknown', 'allow']);
    expect(h.remove('V')).toBe(3);
    expect(h.has('Via')).toBe(false);
    h.set('Subject', 'new');
    expect([...h].at(-1)).toEqual(expect.objectContaining({ name: 'Subject', value: 'new' }));
  });

  it('refuses names that are not tokens and values with CR or LF (header injection)', () => {
    const h = new SipHeaders();
    expect(() => h.append('Bad Name', 'x')).toThrow(/invalid header name/);
    expect(() => h.append('X', 'a\r\nVia: evil')).toThrow(/CR or LF/);
    expect(() => h.set('X', 'a\nb')).toThrow(/CR or LF/);
    expect(h.size).toBe(0);
  });

  it('typed writes: appendValue, prependValue, setValue (lists joined on one line)', () => {
    const h = new SipHeaders();
    h.setValue(Header.Allow, 'INVITE', 'ACK', 'BYE');
    h.setValue(Header.Supported);
    h.appendValue(Header.Expires, 3600);
    const via: Via = {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'a.example.com',
      port: 5060,
      branch: 'z9hG4bKx',
      params: NO_PARAMS,
    };
    h.prependValue(Header.Via, via);
    expect([...h].map((f) => [f.name, f.value])).toEqual([
      ['Via', 'SIP/2.0/UDP a.example.com:5060;branch=z9hG4bKx'],
      ['Allow', 'INVITE, ACK, BYE'],
      ['Supported', ''],
      ['Expires', '3600'],
    ]);
    expect(h.all(Header.Supported)).toEqual({ ok: true, value: [] });
    expect(() => h.setValue(Header.Expires, 1, 2)).toThrow(/exactly one/);
  });

  it('replaceFirstValue changes the top Via and keeps the rest of its line', () => {
    const h = sample();
    const top = h.first(Header.Via);
    if (!top.ok || top.value === undefined) throw new Error('no top Via');
    h.replaceFirstValue(Header.Via, { ...top.value, received: '192.0.2.9', rport: 40000 });
    expect(h.getAll('Via')).toEqual([
      'SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.9;rport=40000, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
      'SIP/2.0/TCP c.example.com;branch=z9hG4bK3',
    ]);
    expect([...h][0]?.name).toBe('v');
    expect(() => new SipHeaders().replaceFirstValue(Header.Via, top.value!)).toThrow(/no Via/);
  });

  it('clone() is independent', () => {
    const h = sample();
    const c = h.clone();
    c.remove('Allow');
    c.append('X-New', '1');
    expect([h.count('Allow'), h.has('X-New'), c.count('Allow'), c.has('X-New')]).toEqual([2, false, 0, true]);
  });
});
