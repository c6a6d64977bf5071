/** parseMessage: start lines, header section, framing of the body, and the verdict of each failure. */
import { describe, expect, it } from 'vitest';
import {
  Header,
  SipRequest,
  parseMessage,
  serialize,
  type ParseResult,
  type SipParseError,
} from '../../../../src-main/sip/syntax/index.ts';

const HEADERS = [
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
];

/** A message from lines joined by CRLF, the empty line, and the body. */
function wire(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

function invite(extra: readonly string[] = [], body = '', replace: Record<string, string> = {}): Buffer {
  const headers = HEADERS.map((h) => {
    const name = h.slice(0, h.indexOf(':'));
    return name in replace ? replace[name]! : h;
  }).filter((h) => h !== '');
  return wire(['INVITE sip:bob@biloxi.com SIP/2.0', ...headers, ...extra], body);
}

function failure(r: ParseResult): SipParseError {
  if (r.ok) throw new Error('parsed');
  return r.error;
}

function verdict(r: ParseResult): [string, string, number, boolean] {
  const e = failure(r);
  return [e.code, e.field, e.status, e.respond];
}

describe('start line', () => {
  it('a request', () => {
    const r = parseMessage(invite(['Content-Length: 0']));
    expect(r.ok && r.message.kind === 'request' && [r.message.method, r.message.uri]).toMatchObject([
      'INVITE',
      { user: 'bob', host: 'biloxi.com' },
    ]);
  });

  it('ignores CRLFs before the start line (RFC 3261 §7.5)', () => {
    expect(parseMessage(Buffer.concat([Buffer.from('\r\n\r\n\r\n'), invite()])).ok).toBe(true);
  });

  it('CRLFs only (a keepalive) and nothing at all are empty messages, never answered', () => {
    for (const data of ['\r\n\r\n', '\r\n', ''])
      expect(verdict(parseMessage(Buffer.from(data)))).toEqual(['empty-message', 'message', 400, false]);
  });

  it('SIP-Version is case-insensitive; other versions get 505', () => {
    expect(parseMessage(wire(['INVITE sip:bob@biloxi.com sip/2.0', ...HEADERS])).ok).toBe(true);
    const r = parseMessage(wire(['INVITE sip:bob@biloxi.com SIP/3.0', ...HEADERS]));
    expect(verdict(r)).toEqual(['version-not-supported', 'SIP-Version', 505, true]);
    expect(failure(r).reasonPhrase).toBe('Version Not Supported');
  });

  it.each([
    ['INVITE sip:bob@biloxi.com', 'Request-Line'],
    ['INVITE  sip:bob@biloxi.com SIP/2.0', 'Request-Line'],
    ['INVITE sip:bob@biloxi.com SIP/2.0 ', 'Request-Line'],
    ['INV:ITE sip:bob@biloxi.com SIP/2.0', 'Request-Line'],
    ['INVITE sip:bob@biloxi.com; lr SIP/2.0', 'Request-URI'],
    ['INVITE <sip:bob@biloxi.com> SIP/2.0', 'Request-URI'],
    ['INVITE sip:bob@biloxi.com?Subject=x SIP/2.0', 'Request-URI'],
    ['INVITE sip:bob@bi_loxi..com SIP/2.0', 'Request-URI'],
  ])('%s → 400 (%s)', (line, field) => {
    const r = parseMessage(wire([line, ...HEADERS]));
    expect(verdict(r)).toEqual(['malformed-start-line', field, 400, true]);
    expect(failure(r).reasonPhrase).toBe(`Bad Request (malformed ${field})`);
  });

  it('a response; the reason phrase may be empty or absent', () => {
    const lines = HEADERS.filter((h) => !h.startsWith('Max-Forwards'));
    for (const [line, reason] of [
      ['SIP/2.0 180 Ringing', 'Ringing'],
      ['SIP/2.0 100 ', ''],
      ['SIP/2.0 100', ''],
    ] as const) {
      const r = parseMessage(wire([line, ...lines]));
      expect(r.ok && r.message.kind === 'response' && [r.message.status, r.message.reason]).toEqual([
        Number(line.slice(8, 11)),
        reason,
      ]);
    }
  });

  it.each([
    'SIP/2.0 99 Odd',
    'SIP/2.0 700 Odd',
    'SIP/2.0 4294967301 x',
    'SIP/2.0  200 OK',
    'SIP/2.0 200 O\u0001K',
  ])('%j → dropped', (line) => {
    expect(verdict(parseMessage(wire([line, ...HEADERS])))).toEqual([
      'malformed-start-line',
      'Status-Line',
      400,
      false,
    ]);
  });

  it('416 when the caller lists its URI schemes', () => {
    const r = parseMessage(
      wire([
        'OPTIONS urn:service:sos SIP/2.0',
        ...HEADERS.map((h) => h.replace('CSeq: 314159 INVITE', 'CSeq: 1 OPTIONS')),
      ]),
      { uriSchemes: ['sip', 'sips', 'tel'] },
    );
    expect(verdict(r)).toEqual(['unsupported-uri-scheme', 'Request-URI', 416, true]);
    const tel = parseMessage(
      wire([
        'OPTIONS tel:+12015550123 SIP/2.0',
        ...HEADERS.map((h) => h.replace('CSeq: 314159 INVITE', 'CSeq: 1 OPTIONS')),
      ]),
      { uriSchemes: ['sip', 'sips', 'tel'] },
    );
    expect(tel.ok).toBe(true);
  });
});

describe('header section', () => {
  it('unfolds continuation lines into one SP (RFC 3261 §7.3.1)', () => {
    const r = parseMessage(
      invite([
        "Subject: I know you're there,\r\n   pick up the phone\r\n\t and talk to me!",
        'Contact:\r\n <sip:alice@pc33.atlanta.com>',
      ]),
    );
    expect(r.ok && r.message.headers.get('Subject')).toBe(
      "I know you're there, pick up the phone and talk to me!",
    );
    expect(r.ok && r.message.headers.get('Contact')).toBe('<sip:alice@pc33.atlanta.com>');
  });

  it('a continuation line before any header is malformed', () => {
    expect(verdict(parseMessage(wire(['INVITE sip:bob@biloxi.com SIP/2.0', ' folded', ...HEADERS])))).toEqual(
      ['malformed-header-line', 'message-header', 400, true],
    );
  });

  it('compact forms, odd spacing and case in names; names kept as written', () => {
    const r = parseMessage(
      wire([
        'INVITE sip:bob@biloxi.com SIP/2.0',
        'v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
        'MAX-FORWARDS   :70',
        't:Bob <sip:bob@biloxi.com>',
        'f  :  <sip:alice@atlanta.com>;tag=1',
        'i: a84b4c76e66710',
        'cseq: 1 INVITE',
        'm: <sip:alice@pc33.atlanta.com>',
        'l: 0',
      ]),
    );
    if (!r.ok || r.message.kind !== 'request') throw new Error('expected a request');
    expect([...r.message.headers].map((h) => h.name)).toEqual([
      'v',
      'MAX-FORWARDS',
      't',
      'f',
      'i',
      'cseq',
      'm',
      'l',
    ]);
    expect([r.message.callId, r.message.from.tag, r.message.maxForwards]).toEqual([
      'a84b4c76e66710',
      '1',
      70,
    ]);
    expect(serialize(r.message).toString()).toContain(
      '\r\nv: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\nMAX-FORWARDS: 70\r\nt: Bob',
    );
  });

  it.each([
    ['Bad Name: x', 'invalid header name "Bad Name"'],
    ['NoColonHere', 'header line without ":"'],
    [': empty name', 'invalid header name ""'],
  ])('%j is a malformed header line', (line, reason) => {
    const e = failure(parseMessage(invite([line])));
    expect([e.code, e.reason, e.respond]).toEqual(['malformed-header-line', reason, true]);
  });

  it('bare LF or bare CR inside the header section', () => {
    expect(
      verdict(
        parseMessage(Buffer.from(`${invite().toString().replace('\r\nMax-Forwards', '\nMax-Forwards')}`)),
      ),
    ).toEqual(['malformed-header-line', 'message-header', 400, true]);
    expect(failure(parseMessage(invite(['Subject: a\rb']))).reason).toBe(
      'bare CR or LF in the header section',
    );
  });

  it('header values must be UTF-8; the body may be any bytes', () => {
    const latin1 = Buffer.concat([
      invite(['Subject: caf']).subarray(0, -4),
      Buffer.from([0xe9]),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(verdict(parseMessage(latin1))).toEqual(['invalid-encoding', 'message-header', 400, true]);
    expect(parseMessage(invite(['Subject: caf\u00e9 \ufffd'])).ok).toBe(true);
    const binary = Buffer.concat([
      invite(['Content-Type: application/octet-stream', 'Content-Length: 4']),
      Buffer.from([0xff, 0xfe, 0x00, 0x80]),
    ]);
    const r = parseMessage(binary);
    expect(r.ok && r.message.body).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x80]));
  });
});

describe('mandatory headers', () => {
  it.each([
    ['Via', ['missing-header', 'Via', 400, false]],
    ['To', ['missing-header', 'To', 400, true]],
    ['From', ['missing-header', 'From', 400, true]],
    ['Call-ID', ['missing-header', 'Call-ID', 400, true]],
    ['CSeq', ['missing-header', 'CSeq', 400, true]],
  ] as const)('without %s', (name, expected) => {
    expect(verdict(parseMessage(invite([], '', { [name]: '' })))).toEqual(expected);
  });

  it('without Max-Forwards (RFC 2543) it parses; two or a bad one are errors', () => {
    const r = parseMessage(invite([], '', { 'Max-Forwards': '' }));
    expect(r.ok && r.message.kind === 'request' && r.message.maxForwards).toBe(undefined);
    expect(verdict(parseMessage(invite(['Max-Forwards: 69'])))).toEqual([
      'duplicate-header',
      'Max-Forwards',
      400,
      true,
    ]);
    expect(verdict(parseMessage(invite([], '', { 'Max-Forwards': 'Max-Forwards: 256' })))).toEqual([
      'invalid-header',
      'Max-Forwards',
      400,
      true,
    ]);
  });

  it('Max-Forwards is not checked in responses', () => {
    expect(
      parseMessage(
        wire(['SIP/2.0 200 OK', ...HEADERS.map((h) => (h.startsWith('Max') ? 'Max-Forwards: lots' : h))]),
      ).ok,
    ).toBe(true);
  });

  it('duplicates of single headers (RFC 4475 §3.3.8)', () => {
    for (const name of ['To', 'From', 'Call-ID', 'CSeq']) {
      const line = HEADERS.find((h) => h.startsWith(`${name}:`))!;
      expect(verdict(parseMessage(invite([line])))).toEqual(['duplicate-header', name, 400, true]);
    }
  });

  it('CSeq method must match the request method', () => {
    const e = failure(parseMessage(invite([], '', { CSeq: 'CSeq: 1 ACK' })));
    expect([e.code, e.field, e.reasonPhrase]).toEqual([
      'method-mismatch',
      'CSeq',
      'Bad Request (CSeq method does not match)',
    ]);
    // the same check when the CSeq is not in its plain form
    expect(failure(parseMessage(invite([], '', { CSeq: 'CSeq:   001   ACK' }))).code).toBe('method-mismatch');
    expect(parseMessage(invite([], '', { CSeq: 'CSeq:   001   INVITE' })).ok).toBe(true);
  });

  it('a malformed Via is answered when its sent-by is readable, dropped when not', () => {
    expect(
      verdict(parseMessage(invite([], '', { Via: 'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK1;;' }))),
    ).toEqual(['invalid-header', 'Via', 400, true]);
    expect(verdict(parseMessage(invite([], '', { Via: 'Via: garbage' })))).toEqual([
      'invalid-header',
      'Via',
      400,
      false,
    ]);
    expect(verdict(parseMessage(invite([], '', { Via: 'Via: SIP/2.0/UDP pc33.atlanta.com, junk' })))).toEqual(
      ['invalid-header', 'Via', 400, true],
    );
  });

  it('validation happens by the quick checks or the full parser; both agree on the values', () => {
    const plain = parseMessage(invite());
    const spaced = parseMessage(
      invite([], '', {
        Via: 'Via: SIP / 2.0 / UDP  pc33.atlanta.com ; branch = z9hG4bK776asdhds',
        To: 'To:   Bob   <sip:bob@biloxi.com>  ',
        From: 'From: "Alice" <sip:alice@atlanta.com> ; tag = 1928301774',
      }),
    );
    if (!plain.ok || !spaced.ok) throw new Error('parse');
    expect([spaced.message.topVia, spaced.message.to, spaced.message.from]).toEqual([
      plain.message.topVia,
      plain.message.to,
      plain.message.from,
    ]);
  });
});

describe('body framing (RFC 3261 §18.3)', () => {
  const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';

  it('over UDP extra bytes after Content-Length are discarded', () => {
    const r = parseMessage(invite([`Content-Length: 5`], SDP));
    expect(r.ok && r.message.body.toString()).toBe('v=0\r\n');
  });

  it('over UDP fewer bytes than Content-Length: 400 for a request, drop for a response', () => {
    expect(verdict(parseMessage(invite([`Content-Length: 999`], SDP)))).toEqual([
      'body-truncated',
      'Content-Length',
      400,
      true,
    ]);
    const response = wire(['SIP/2.0 200 OK', ...HEADERS, 'Content-Length: 999'], SDP);
    expect(verdict(parseMessage(response))).toEqual(['body-truncated', 'Content-Length', 400, false]);
  });

  it('over UDP without Content-Length the body is the rest of the datagram', () => {
    const r = parseMessage(invite([], SDP));
    expect(r.ok && r.message.body.toString()).toBe(SDP);
  });

  it('on a stream Content-Length is mandatory', () => {
    expect(verdict(parseMessage(invite([], SDP), { stream: true }))).toEqual([
      'missing-content-length',
      'Content-Length',
      400,
      true,
    ]);
    expect(parseMessage(invite([`Content-Length: ${SDP.length}`], SDP), { stream: true }).ok).toBe(true);
  });

  it('Content-Length duplicated or not a number', () => {
    expect(verdict(parseMessage(invite(['Content-Length: 0', 'l: 0'])))).toEqual([
      'duplicate-header',
      'Content-Length',
      400,
      true,
    ]);
    expect(verdict(parseMessage(invite(['Content-Length: 1e3'])))).toEqual([
      'invalid-header',
      'Content-Length',
      400,
      true,
    ]);
  });

  it('the body is a copy: reusing the input buffer does not change it', () => {
    const data = invite(['Content-Length: 3'], 'abc');
    const r = parseMessage(data);
    data.fill(0);
    expect(r.ok && r.message.body.toString()).toBe('abc');
  });

  it('a datagram whose header section ends with it (no empty line) is a message without body', () => {
    const text = invite().toString();
    expect(parseMessage(Buffer.from(text.slice(0, -2))).ok).toBe(true);
    expect(verdict(parseMessage(Buffer.from(text.slice(0, -5))))).toEqual([
      'malformed-header-line',
      'message-header',
      400,
      true,
    ]);
    expect(verdict(parseMessage(Buffer.from(text.slice(0, -2)), { stream: true }))).toEqual([
      'malformed-header-line',
      'message-header',
      400,
      true,
    ]);
  });
});

describe('message accessors', () => {
  it('throw on a built message that lacks the header (a bug in the builder)', () => {
    const m = new SipRequest({
      method: 'OPTIONS',
      uri: { kind: 'absolute', scheme: 'urn', value: 'x' },
      headers: [['To', '<sip:a@b.com>']],
    });
    expect(() => m.topVia).toThrow(/no Via/);
    expect(() => m.vias).toThrow(/no Via/);
    expect(() => m.from).toThrow(/no valid From/);
    expect(m.to.uri.kind).toBe('sip');
    m.headers.append('CSeq', 'one OPTIONS');
    expect(() => m.cseq).toThrow(/no valid CSeq/);
  });

  it('read other headers lazily, with errors as values', () => {
    const r = parseMessage(invite(['Expires: soon', 'Contact: <sip:alice@pc33.atlanta.com>;expires=60']));
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.message.headers.first(Header.Expires)).toMatchObject({
      ok: false,
      error: { field: 'Expires', status: 400 },
    });
    expect(r.message.headers.first(Header.Contact)).toMatchObject({ ok: true, value: { expires: 60 } });
  });
});
