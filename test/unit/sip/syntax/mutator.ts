/**
 * Seeded message mutation for the SIP parser fuzz test (test/unit/sip/syntax/fuzz.test.ts) and the
 * fuzz bench (bench/sip-fuzz.bench.ts): byte flips, truncations, insertions, deletions, header
 * duplication, Content-Length tampering, and random stream splits, from a PRNG seed so that any
 * failing case can be replayed. Also checks one result for the "typed result, no exception" rule.
 */
import {
  Header,
  SipStreamFramer,
  createResponse,
  parseMessage,
  serialize,
  type HeaderCodec,
  type SipParseError,
  type SipParseErrorCode,
} from '../../../../src-main/sip/syntax/index.ts';

/** Mulberry32. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = Buffer.from(' \t\r\n:;,=<>"\\%@[]/?*0123456789aZ\u0000\u007f', 'latin1');
const SNIPPETS = [
  '\r\n',
  '\r\n ',
  '\r\n\r\n',
  ' ',
  ';',
  ',',
  ';;',
  '"',
  '<',
  '>',
  '%',
  '%zz',
  '\u00c3',
  '\u00ff\u00fe',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKfuzz\r\n',
  'Content-Length: 4294967296\r\n',
  'l: 0\r\n',
  'To: <sip:x@y.com>\r\n',
  'CSeq: 1 BYE\r\n',
  'Max-Forwards: 300\r\n',
  '[2001:db8::1]',
  ':99999',
  'sips:',
  ';rport',
  ';tag',
  '\r\n\tfolded',
].map((s) => Buffer.from(s, 'latin1'));

export type Mutation =
  'flip' | 'truncate' | 'insert' | 'delete' | 'duplicate-header' | 'content-length' | 'swap-lines';
export const MUTATIONS: readonly Mutation[] = [
  'flip',
  'truncate',
  'insert',
  'delete',
  'duplicate-header',
  'content-length',
  'swap-lines',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function lineStarts(data: Buffer): number[] {
  const starts = [0];
  for (let i = data.indexOf('\r\n'); i >= 0 && i + 2 < data.length; i = data.indexOf('\r\n', i + 2))
    starts.push(i + 2);
  return starts;
}

function mutateOnce(data: Buffer, op: Mutation, random: () => number): Buffer {
  const at = Math.floor(random() * (data.length + 1));
  switch (op) {
    case 'flip': {
      if (data.length === 0) return data;
      const out = Buffer.from(data);
      out[Math.min(at, data.length - 1)] =
        random() < 0.5 ? pick(random, [...INTERESTING]) : Math.floor(random() * 256);
      return out;
    }
    case 'truncate':
      return data.subarray(0, at);
    case 'insert':
      return Buffer.concat([data.subarray(0, at), pick(random, SNIPPETS), data.subarray(at)]);
    case 'delete':
      return Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + Math.floor(random() * 16))]);
    case 'duplicate-header': {
      const starts = lineStarts(data);
      const i = 1 + Math.floor(random() * Math.max(1, starts.length - 1));
      const s = starts[i];
      const e = starts[i + 1];
      if (s === undefined || e === undefined) return data;
      const line = data.subarray(s, e);
      const to = pick(random, starts.slice(1));
      return Buffer.concat([data.subarray(0, to), line, data.subarray(to)]);
    }
    case 'content-length': {
      const text = data.toString('latin1');
      const value = pick(random, [
        '-1',
        '0',
        '1',
        '99999',
        '4294967295',
        '00000000000000000012',
        '1 2',
        '',
        String(Math.floor(random() * 400)),
      ]);
      return Buffer.from(text.replace(/(Content-Length|\bl)\s*:\s*\d+/i, `$1: ${value}`), 'latin1');
    }
    case 'swap-lines': {
      const starts = lineStarts(data);
      if (starts.length < 3) return data;
      const i = 1 + Math.floor(random() * (starts.length - 2));
      const a = data.subarray(starts[i]!, starts[i + 1]!);
      return Buffer.concat([
        data.subarray(0, starts[i]!),
        data.subarray(starts[i + 1]!, starts[i + 2] ?? data.length),
        a,
        data.subarray(starts[i + 2] ?? data.length),
      ]);
    }
  }
}

/** One to four mutations of a seed message. */
export function mutate(seed: Buffer, random: () => number): { data: Buffer; ops: Mutation[] } {
  const ops: Mutation[] = [];
  let data = seed;
  const n = 1 + Math.floor(random() * 4);
  for (let k = 0; k < n; k++) {
    const op = pick(random, MUTATIONS);
    ops.push(op);
    data = mutateOnce(data, op, random);
  }
  return { data, ops };
}

const CODES: ReadonlySet<SipParseErrorCode> = new Set([
  'empty-message',
  'malformed-start-line',
  'version-not-supported',
  'unsupported-uri-scheme',
  'malformed-header-line',
  'invalid-encoding',
  'missing-header',
  'duplicate-header',
  'invalid-header',
  'method-mismatch',
  'body-truncated',
  'missing-content-length',
  'message-too-large',
]);

const CODECS = Object.values(Header) as HeaderCodec<unknown>[];

/** Throws (a finding) unless `error` is a well-formed typed error that can be acted on. */
function checkError(error: SipParseError): void {
  if (!CODES.has(error.code)) throw new Error(`unknown error code ${error.code}`);
  if (
    typeof error.field !== 'string' ||
    typeof error.reason !== 'string' ||
    ![400, 416, 505, 513].includes(error.status)
  ) {
    throw new Error(`malformed error ${JSON.stringify(error)}`);
  }
  if (error.respond) serialize(createResponse(error.request, error.status, error.reasonPhrase));
}

export interface Outcome {
  ok: boolean;
  code: SipParseErrorCode | 'ok';
}

/**
 * Parses one datagram and exercises the result: every accessor of a parsed message, every typed
 * header (values or errors, never exceptions), serialize and re-parse; createResponse for an
 * answerable error. Any exception escapes: that is a finding.
 */
export function exercise(data: Buffer): Outcome {
  const r = parseMessage(data);
  if (!r.ok) {
    checkError(r.error);
    return { ok: false, code: r.error.code };
  }
  const m = r.message;
  void [m.vias, m.topVia, m.from, m.to, m.callId, m.cseq, m.kind === 'request' ? m.maxForwards : m.status];
  for (const codec of CODECS) m.headers.all(codec);
  const again = parseMessage(serialize(m));
  if (!again.ok) throw new Error(`serialize(parse(x)) does not parse: ${again.error.reason}`);
  return { ok: true, code: 'ok' };
}

/** Feeds `data` (and a valid message after it) to a framer in random chunks; checks every event. */
export function exerciseStream(data: Buffer, follow: Buffer, random: () => number): void {
  const framer = new SipStreamFramer({ maxHeaderBytes: 4096, maxBodyBytes: 65536 });
  const all = Buffer.concat([data, follow]);
  let at = 0;
  while (at < all.length) {
    const next = Math.min(all.length, at + 1 + Math.floor(random() * 200));
    for (const e of framer.push(all.subarray(at, next))) {
      if (e.type === 'error') checkError(e.error);
      else if (e.type === 'message') void [e.message.topVia, e.message.cseq];
    }
    at = next;
  }
}
