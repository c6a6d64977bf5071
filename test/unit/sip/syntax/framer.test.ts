/** SipStreamFramer: Content-Length framing on streams, RFC 5626 keepalives, limits, and recovery. */
import { describe, expect, it } from 'vitest';
import { SipStreamFramer, type FramerEvent } from '../../../../src-main/sip/syntax/index.ts';

function request(method: string, cseq: number, body = '', extra: readonly string[] = []): string {
  return [
    `${method} sip:bob@biloxi.example.com SIP/2.0`,
    `Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK${cseq}`,
    'Max-Forwards: 70',
    'From: <sip:alice@atlanta.example.com>;tag=1',
    'To: <sip:bob@biloxi.example.com>',
    'Call-ID: framer-test',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    `${cseq % 2 === 0 ? 'l' : 'Content-Length'}: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** A short, readable summary of events. */
function summary(events: readonly FramerEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'message':
        return e.message.kind === 'request'
          ? `${e.message.method} ${e.message.cseq.seq} ${e.message.body.toString()}`
          : `${e.message.status}`;
      case 'error':
        return `error ${e.error.field} ${e.error.status}${e.fatal ? ' fatal' : ''}`;
      default:
        return e.type;
    }
  });
}

/** Feeds `data` in chunks cut at the given offsets; returns all events. */
function feed(data: Buffer, cuts: readonly number[], framer = new SipStreamFramer()): FramerEvent[] {
  const events: FramerEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    events.push(...framer.push(data.subarray(at, cut)));
    at = cut;
  }
  return events;
}

/** Mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STREAM = Buffer.from(
  [
    request('INVITE', 1, 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n'),
    '\r\n\r\n', // ping
    request('OPTIONS', 2, '', ['Accept: application/sdp']),
    '\r\n', // pong
    request('MESSAGE', 3, 'h\u00e9llo \u5927', ['Content-Type: text/plain']),
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK9\r\nFrom: <sip:a@b.com>;tag=1\r\nTo: <sip:c@d.com>;tag=2\r\nCall-ID: r\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n',
  ].join(''),
  'utf8',
);
const EXPECTED = [
  'INVITE 1 v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n',
  'ping',
  'OPTIONS 2 ',
  'pong',
  'MESSAGE 3 h\u00e9llo \u5927',
  '200',
];

describe('framing', () => {
  it('cuts a stream into messages and keepalives', () => {
    const framer = new SipStreamFramer();
    expect(summary(framer.push(STREAM))).toEqual(EXPECTED);
    expect([framer.buffered, framer.state]).toEqual([0, 'headers']);
  });

  it('survives the stream split in two at every byte boundary', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const got = summary(feed(STREAM, [cut]));
      // a ping cut between its two CRLFs reads as two pongs (see SipStreamFramer docs)
      const pingAt = STREAM.indexOf('\r\n\r\nOPTIONS');
      const expected =
        cut === pingAt + 2 ? EXPECTED.flatMap((e) => (e === 'ping' ? ['pong', 'pong'] : [e])) : EXPECTED;
      expect(got, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('survives one byte at a time', () => {
    const cuts = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
    expect(summary(feed(STREAM, cuts))).toEqual(
      EXPECTED.flatMap((e) => (e === 'ping' ? ['pong', 'pong'] : [e])),
    );
  });

  it('survives 300 random chunkings (seeded)', () => {
    const random = prng(5626);
    const pingAt = STREAM.indexOf('\r\n\r\nOPTIONS');
    for (let run = 0; run < 300; run++) {
      const cuts = [
        ...new Set(
          Array.from(
            { length: 1 + Math.floor(random() * 12) },
            () => 1 + Math.floor(random() * (STREAM.length - 1)),
          ),
        ),
      ].sort((a, b) => a - b);
      const expected = cuts.includes(pingAt + 2)
        ? EXPECTED.flatMap((e) => (e === 'ping' ? ['pong', 'pong'] : [e]))
        : EXPECTED;
      expect(summary(feed(STREAM, cuts)), `cuts ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('a large body arriving in many reads', () => {
    const body = 'x'.repeat(200_000);
    const data = Buffer.from(request('MESSAGE', 1, body, ['Content-Type: text/plain']));
    const cuts = Array.from({ length: Math.floor(data.length / 1000) }, (_, i) => (i + 1) * 1000);
    const events = feed(data, cuts);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'message' && events[0].message.body.length).toBe(200_000);
  });
});

describe('keepalives (RFC 5626 §4.4.1)', () => {
  it('a double CRLF is a ping, a single CRLF a pong, reported at once', () => {
    const framer = new SipStreamFramer();
    expect(summary(framer.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(summary(framer.push(Buffer.from('\r\n')))).toEqual(['pong']);
    expect(summary(framer.push(Buffer.from('\r\n\r\n\r\n')))).toEqual(['ping', 'pong']);
  });

  it('waits on "\\r\\n\\r" and on a lone CR', () => {
    const framer = new SipStreamFramer();
    expect(framer.push(Buffer.from('\r\n\r'))).toEqual([]);
    expect(summary(framer.push(Buffer.from('\n')))).toEqual(['ping']);
    expect(framer.push(Buffer.from('\r'))).toEqual([]);
    expect(summary(framer.push(Buffer.from('\n')))).toEqual(['pong']);
  });
});

describe('errors', () => {
  it('a malformed message with a readable Content-Length is skipped, framing goes on', () => {
    const bad = request('INVITE', 1, 'abc').replace('CSeq: 1 INVITE', 'CSeq: 1 BYE');
    const events = new SipStreamFramer().push(Buffer.from(bad + request('BYE', 3)));
    expect(summary(events)).toEqual(['error CSeq 400', 'BYE 3 ']);
    const first = events[0];
    expect(first?.type === 'error' && first.error.respond && first.error.request.headers.get('Call-ID')).toBe(
      'framer-test',
    );
  });

  it('no Content-Length: the framing is lost (fatal), but the request can still be answered', () => {
    const framer = new SipStreamFramer();
    const events = framer.push(Buffer.from(request('INVITE', 1).replace('Content-Length: 0\r\n', '')));
    expect(summary(events)).toEqual(['error Content-Length 400 fatal']);
    expect(events[0]?.type === 'error' && [events[0].error.code, events[0].error.respond]).toEqual([
      'missing-content-length',
      true,
    ]);
    expect(framer.state).toBe('failed');
    expect(framer.push(Buffer.from(request('BYE', 3)))).toEqual([]);
  });

  it('an invalid or duplicated Content-Length is fatal', () => {
    expect(
      summary(
        new SipStreamFramer().push(
          Buffer.from(request('BYE', 1).replace('Content-Length: 0', 'Content-Length: -1')),
        ),
      ),
    ).toEqual(['error Content-Length 400 fatal']);
    expect(
      summary(
        new SipStreamFramer().push(
          Buffer.from(request('BYE', 1).replace('Content-Length: 0', 'Content-Length: 0\r\nl: 0')),
        ),
      ),
    ).toEqual(['error Content-Length 400 fatal']);
  });

  it('a header block over the limit (default 64 KiB) is rejected without waiting for its end', () => {
    const framer = new SipStreamFramer();
    const big = Buffer.from(
      `INVITE sip:bob@biloxi.example.com SIP/2.0\r\nX-Padding: ${'a'.repeat(64 * 1024)}`,
    );
    const events = framer.push(big);
    expect(events).toEqual([
      {
        type: 'error',
        fatal: true,
        error: {
          code: 'message-too-large',
          field: 'message',
          reason: 'header section larger than 65536 bytes',
          status: 513,
          reasonPhrase: 'Message Too Large',
          respond: false,
        },
      },
    ]);
    expect([framer.state, framer.buffered]).toEqual(['failed', 0]);
  });

  it('a header block just under the limit passes; a configurable limit and body limit', () => {
    const at = (limit: number, data: string): string[] =>
      summary(new SipStreamFramer({ maxHeaderBytes: limit }).push(Buffer.from(data)));
    const msg = request('BYE', 1);
    const headerBytes = msg.indexOf('\r\n\r\n');
    expect(at(headerBytes, msg)).toEqual(['BYE 1 ']);
    expect(at(headerBytes - 1, msg)).toEqual(['error message 513 fatal']);
    const withBody = request('MESSAGE', 1, 'x'.repeat(100), ['Content-Type: text/plain']);
    expect(summary(new SipStreamFramer({ maxBodyBytes: 99 }).push(Buffer.from(withBody)))).toEqual([
      'error message 513 fatal',
    ]);
    expect(summary(new SipStreamFramer({ maxBodyBytes: 100 }).push(Buffer.from(withBody)))).toEqual([
      'MESSAGE 1 ' + 'x'.repeat(100),
    ]);
  });

  it('passes uriSchemes to the parser', () => {
    const msg = request('OPTIONS', 1).replace('OPTIONS sip:bob@biloxi.example.com', 'OPTIONS urn:x:y');
    expect(summary(new SipStreamFramer({ uriSchemes: ['sip'] }).push(Buffer.from(msg)))).toEqual([
      'error Request-URI 416',
    ]);
  });
});
