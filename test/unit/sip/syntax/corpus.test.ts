/**
 * The RFC 3665 / RFC 3261 §24 message corpus (../shared/testdata/sip-corpus): every well-formed
 * message parses, matches its index entry, reads every typed header it carries, and round-trips;
 * the messages in quirks/ (broken as printed in the RFCs) are rejected for the reason the index notes.
 */
import { describe, expect, it } from 'vitest';
import {
  Header,
  formatUri,
  parseMessage,
  serialize,
  type HeaderCodec,
  type SipMessage,
} from '../../../../src-main/sip/syntax/index.ts';
import { corpusBytes, corpusIndex, quirkCorpus, wellFormedCorpus } from './corpora.ts';

function parsed(bytes: Buffer): SipMessage {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error(`${r.error.code} ${r.error.field}: ${r.error.reason}`);
  return r.message;
}

/** Everything a message holds, except Content-Length lines (serialize always writes a correct one). */
function snapshot(m: SipMessage): unknown {
  return {
    start: m.kind === 'request' ? [m.method, formatUri(m.uri)] : [m.status, m.reason],
    headers: [...m.headers]
      .filter((h) => !/^(content-length|l)$/i.test(h.name))
      .map((h) => [h.name, h.value]),
    body: m.body.toString('hex'),
  };
}

const codecs = Object.values(Header) as HeaderCodec<unknown>[];

describe('corpus index', () => {
  it('has 187 well-formed messages and 10 quirks', () => {
    expect(wellFormedCorpus).toHaveLength(187);
    expect(quirkCorpus).toHaveLength(10);
    expect(corpusIndex).toHaveLength(197);
  });
});

describe('well-formed corpus messages', () => {
  it.each(wellFormedCorpus.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const bytes = corpusBytes(entry);
    const m = parsed(bytes);

    // what the index says about it
    expect(m.kind).toBe(entry.kind);
    if (m.kind === 'request') expect(m.method).toBe(entry.method);
    else expect(m.status).toBe(entry.status);
    expect(m.cseq.method).toBe(entry.cseqMethod);
    expect(m.body.length).toBe(entry.bodyBytes);
    const ct = m.headers.first(Header.ContentType);
    expect(ct.ok && (ct.value === undefined ? null : `${ct.value.type}/${ct.value.subtype}`)).toBe(
      entry.contentType,
    );
    const cl = m.headers.first(Header.ContentLength);
    expect(cl.ok && (cl.value ?? null)).toBe(entry.contentLength);

    // every typed header it carries reads back without error
    for (const codec of codecs) {
      const r = m.headers.all(codec);
      expect(r.ok ? 'ok' : `${codec.name}: ${r.error.reason}`).toBe('ok');
    }

    // round trip: parse(serialize(parse(x))) equals parse(x), and serializing again is stable
    const wire = serialize(m);
    const again = parsed(wire);
    expect(snapshot(again)).toEqual(snapshot(m));
    expect([again.vias, again.from, again.to, again.callId, again.cseq]).toEqual([
      m.vias,
      m.from,
      m.to,
      m.callId,
      m.cseq,
    ]);
    expect(again.headers.first(Header.ContentLength)).toEqual({ ok: true, value: m.body.length });
    expect(serialize(again).equals(wire)).toBe(true);

    // without folding, and with its Content-Length, the message comes back byte for byte
    if (!/\r\n[ \t]/.test(bytes.toString('latin1')) && entry.contentLength !== null)
      expect(wire.equals(bytes)).toBe(true);
  });

  it('RFC 3665 §2.1 F3: the Authorization printed without a comma between realm and nonce is still read', () => {
    const entry = wellFormedCorpus.find((e) => e.file === 'rfc3665-2.1-F03-REGISTER.sip')!;
    const auth = parsed(corpusBytes(entry)).headers.first(Header.Authorization);
    expect(auth.ok && auth.value?.scheme).toBe('Digest');
    expect(auth.ok && auth.value?.params.map((p) => p.name)).toEqual([
      'username',
      'realm',
      'nonce',
      'opaque',
      'uri',
      'response',
    ]);
  });

  it('RFC 3665 §3.8 F19: no Content-Length over UDP — the body runs to the end of the datagram', () => {
    const entry = wellFormedCorpus.find((e) => e.file === 'rfc3665-3.8-F19-487.sip')!;
    const m = parsed(corpusBytes(entry));
    expect(m.headers.has('Content-Length')).toBe(false);
    expect(m.body.length).toBe(0);
    expect(serialize(m).toString('latin1')).toContain('\r\nContent-Length: 0\r\n\r\n');
    // on a stream the same message cannot be framed
    const stream = parseMessage(corpusBytes(entry), { stream: true });
    expect(!stream.ok && [stream.error.code, stream.error.field]).toEqual([
      'missing-content-length',
      'Content-Length',
    ]);
  });

  it('40 messages without folding come back byte for byte', () => {
    const identical = wellFormedCorpus.filter((e) => {
      const bytes = corpusBytes(e);
      return serialize(parsed(bytes)).equals(bytes);
    });
    expect(identical).toHaveLength(40);
  });
});

describe('quirks (broken as printed) are rejected as the index notes say', () => {
  it.each(quirkCorpus.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const r = parseMessage(corpusBytes(entry));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const note = entry.notes.join(' ');
    if (/Content-Length \d+ but body is/.test(note)) {
      // RFC 3261 §18.3: a datagram that ends before Content-Length bytes is an error
      expect([r.error.code, r.error.field, r.error.status]).toEqual([
        'body-truncated',
        'Content-Length',
        400,
      ]);
      expect(r.error.respond).toBe(entry.kind === 'request');
    } else if (/two SP between SIP-Version and Status-Code/.test(note)) {
      expect([r.error.code, r.error.field, r.error.respond]).toEqual([
        'malformed-start-line',
        'Status-Line',
        false,
      ]);
    } else if (/continuation line without leading whitespace/.test(note)) {
      expect([r.error.code, r.error.respond]).toEqual(['malformed-header-line', true]);
    } else throw new Error(`unexpected quirk note: ${note}`);
  });
});
