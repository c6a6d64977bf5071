/**
 * Property: for any bytes, parseMessage returns a message or a typed error — never throws, never
 * hangs — and what it returns can be used (accessors, typed headers, serialize, createResponse).
 * 100 000 mutations of the corpora from a fixed seed (bench/sip-fuzz.bench.ts runs 1 000 000).
 */
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../src-main/sip/syntax/index.ts';
import { corpusBytes, corpusIndex, tortureIndex, tortureWire } from './corpora.ts';
import { exercise, exerciseStream, mutate, prng } from './mutator.ts';

const SEEDS = [...corpusIndex.map(corpusBytes), ...tortureIndex.map(tortureWire)];
const CASES = 100_000;

describe('fuzz', () => {
  it(`${CASES} mutated messages: a message or a typed error, no exception`, () => {
    const random = prng(0x5ec0de);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const seed = SEEDS[i % SEEDS.length]!;
      const { data, ops } = mutate(seed, random);
      let code: string;
      try {
        code = exercise(data).code;
        if (i % 64 === 0) exerciseStream(data, seed, random);
      } catch (e) {
        throw new Error(
          `case ${i} (${ops.join(' + ')}): ${String(e)}\n${JSON.stringify(data.toString('latin1'))}`,
          { cause: e },
        );
      }
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(CASES);
    // the mutations reach both outcomes and most kinds of error
    expect(outcomes.get('ok')).toBeGreaterThan(CASES / 10);
    for (const code of [
      'malformed-start-line',
      'malformed-header-line',
      'invalid-header',
      'duplicate-header',
      'body-truncated',
      'missing-header',
    ]) {
      expect(outcomes.get(code), code).toBeGreaterThan(0);
    }
  });

  it('long and repetitive inputs stay linear (no catastrophic backtracking)', () => {
    const n = 60_000;
    const head = (lines: string[]): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const base = ['OPTIONS sip:a@b.com SIP/2.0', 'Call-ID: x', 'CSeq: 1 OPTIONS'];
    const cases = [
      head([
        ...base,
        `Via: SIP/2.0/UDP ${'a.'.repeat(n)}1`,
        'From: <sip:a@b.com>;tag=1',
        'To: <sip:a@b.com>',
      ]),
      head([...base, 'Via: SIP/2.0/UDP h.com', `From: ${'a '.repeat(n)}!`, 'To: <sip:a@b.com>']),
      head([...base, 'Via: SIP/2.0/UDP h.com', `From: <sip:${'a'.repeat(n)}`, 'To: <sip:a@b.com>']),
      head([
        ...base,
        'Via: SIP/2.0/UDP h.com',
        `From: <sip:${'%41'.repeat(n)}@b.com>;${'x;'.repeat(n)}`,
        'To: <sip:a@b.com>',
      ]),
      head([
        ...base,
        `Via: SIP/2.0/UDP h.com${';x=1'.repeat(n)}!`,
        'From: <sip:a@b.com>',
        'To: <sip:a@b.com>',
      ]),
      head([...base, 'Via: SIP/2.0/UDP h.com', 'From: <sip:a@b.com>', `To: "${'\\"'.repeat(n)}`]),
      head([
        ...base,
        'Via: SIP/2.0/UDP h.com',
        'From: <sip:a@b.com>',
        'To: <sip:a@b.com>',
        `Contact: ${'<sip:a@b.com>,'.repeat(n / 10)}`,
      ]),
      Buffer.from(`${'\r\n'.repeat(n)}OPTIONS`),
      Buffer.alloc(n, 0x41),
    ];
    const outcomes = cases.map((data) => exercise(data).code);
    expect(outcomes).toEqual([
      'invalid-header', // Via host ending in a numeric label
      'invalid-header', // From display name without <URI>
      'invalid-header', // From URI without ">"
      'invalid-header', // From with a trailing empty parameter
      'ok', // 60 000 Via parameters ("1!" is a token)
      'invalid-header', // To: unterminated quoted string of quoted-pairs
      'ok', // 6 000 Contact values: read lazily, the trailing comma is an error value, not a parse failure
      'malformed-start-line',
      'malformed-start-line',
    ]);
    const many = parseMessage(cases[4]!);
    expect(many.ok && many.message.topVia.params.size).toBe(1);
  });
});
