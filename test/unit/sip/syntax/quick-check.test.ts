/**
 * The quick checks parseMessage validates with must never accept a value the full parser rejects
 * (the message accessors would then throw), and the fast builders must build exactly what the full
 * parser builds. Checked on every value of the corpora and on mutated values from a seeded PRNG;
 * and the quick checks must accept the plain forms, or they are useless.
 */
import { describe, expect, it } from 'vitest';
import { Header, parseMessage, splitList, type HeaderCodec } from '../../../../src-main/sip/syntax/index.ts';
import { corpusBytes, tortureIndex, tortureWire, wellFormedCorpus } from './corpora.ts';

const CODECS = [
  Header.Via,
  Header.From,
  Header.To,
  Header.CallId,
  Header.CSeq,
  Header.MaxForwards,
  Header.ContentLength,
] as HeaderCodec<unknown>[];

/** Header values (list elements for Via) of every message that parses. */
function valuesOf(codec: HeaderCodec<unknown>): string[] {
  const out: string[] = [];
  const messages = [...wellFormedCorpus.map(corpusBytes), ...tortureIndex.map(tortureWire)];
  for (const bytes of messages) {
    const r = parseMessage(bytes);
    if (!r.ok) continue;
    for (const v of r.message.headers.getAll(codec.name)) out.push(...(codec.list ? splitList(v) : [v]));
  }
  return [...new Set(out)];
}

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

const ALPHABET = ' \t;,=<>"@:[]?%/\\.-_+!~*\'()&$`{}#aZ09rtbgRT\u00e9\u5927\u0000\u007f';

function mutate(value: string, random: () => number): string {
  let s = value;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (s.length + 1));
    const ch = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
    switch (Math.floor(random() * 5)) {
      case 0:
        s = s.slice(0, at) + ch + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + ch + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 3: {
        const len = Math.floor(random() * 8);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

describe('quick checks', () => {
  it.each(CODECS.map((c) => [c.name, c] as const))('%s: accepts the plain corpus forms', (_name, codec) => {
    const values = valuesOf(codec);
    expect(codec.quick).toBeDefined();
    const accepted = values.filter((v) => codec.quick!(v));
    // every quick acceptance is a full acceptance, and the fast builder agrees with the full parser
    for (const v of accepted) {
      const full = codec.parse(v);
      expect(full.ok, v).toBe(true);
      if (full.ok && codec.build !== undefined) expect(codec.build(v), v).toEqual(full.value);
    }
    // and the fast path covers most real values (the rest are folded/spaced/IPv6/addr-spec forms)
    expect(accepted.length / values.length).toBeGreaterThan(0.6);
  });

  it.each(CODECS.map((c) => [c.name, c] as const))(
    '%s: never accepts what the full parser rejects (20 000 mutations)',
    (_name, codec) => {
      const random = prng(codec.name.length * 7919);
      const seeds = valuesOf(codec);
      let quickAccepted = 0;
      for (let i = 0; i < 20_000; i++) {
        const v = mutate(seeds[i % seeds.length]!, random);
        if (!codec.quick!(v)) continue;
        quickAccepted++;
        const full = codec.parse(v);
        expect(
          full.ok,
          `quick accepted ${JSON.stringify(v)} but parse says ${full.ok ? '' : full.error.reason}`,
        ).toBe(true);
        if (full.ok && codec.build !== undefined) expect(codec.build(v), v).toEqual(full.value);
      }
      expect(quickAccepted).toBeGreaterThan(0);
    },
  );

  it('Via, From, To and CSeq have fast builders that agree with the full parser on tricky plain forms', () => {
    expect([Header.Via, Header.From, Header.To, Header.CSeq].map((c) => typeof c.build)).toEqual(
      Array(4).fill('function'),
    );
    const cases: Array<[HeaderCodec<unknown>, string]> = [
      [Header.From, '"a<b>;c" <sip:x@y.com;lr>;tag=1;x'],
      [Header.From, String.raw`"say \"hi\" \\" <sip:x@y.com>`],
      [Header.From, 'Bob   Smith\t<sips:bob:pw@[::1]>'.replace('[::1]', 'b.com')],
      [Header.To, 'sip:bob@biloxi.com ; tag = 7 ;x=1;x=2;tag=8'],
      [Header.To, '"" <sip:b.com>'],
      [
        Header.Via,
        'SIP/2.0/TCP h.com:5061 ; branch = z9hG4bKa ;rport;received=10.0.0.1;x;branch=z9hG4bKb;rport=9',
      ],
      [Header.CSeq, '0 ACK'],
    ];
    for (const [codec, value] of cases) {
      expect([value, codec.quick!(value)]).toEqual([value, true]);
      const full = codec.parse(value);
      expect(full.ok && codec.build!(value)).toEqual(full.ok && full.value);
    }
  });

  it('known traps go to the full parser', () => {
    const traps: Array<[HeaderCodec<unknown>, string]> = [
      [Header.Via, 'SIP/2.0/UDP a.com;rport=0'],
      [Header.Via, 'SIP/2.0/UDP a.com;Received=x'],
      [Header.Via, 'SIP/2.0/UDP a.com;ttl=300'],
      [Header.Via, 'SIP/2.0/UDP 256.1.1.1'],
      [Header.Via, 'SIP/2.0/UDP a.com:65536'],
      [Header.From, '<sip:a@b.com>;tag'],
      [Header.From, '<sip:a@b.com>;TAG'],
      [Header.From, '<sip:a@b.com:99999>'],
      [Header.CSeq, '2147483648 INVITE'],
      [Header.MaxForwards, '256'],
    ];
    for (const [codec, value] of traps) expect([value, codec.quick!(value)]).toEqual([value, false]);
  });
});
