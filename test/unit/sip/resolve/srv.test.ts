import { describe, expect, it } from 'vitest';
import { orderSrvRecords } from '../../../../src-main/sip/resolve/index.ts';
import { seededRandom, sequence, srv } from './scripted-resolver.ts';

const names = (records: { name: string }[]) => records.map((r) => r.name);

describe('orderSrvRecords (RFC 2782 usage rules)', () => {
  it('orders by priority first, lowest first, whatever the weights', () => {
    const records = [
      srv(20, 100, 5060, 'c'),
      srv(10, 0, 5060, 'b'),
      srv(30, 5, 5060, 'd'),
      srv(0, 1, 5060, 'a'),
    ];
    expect(names(orderSrvRecords(records, () => 0.999))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('selects by running sum against a uniform number in [0, sum]', () => {
    // weights 1, 2, 3: running sums 1, 3, 6; sum 6 → pick = floor(r * 7).
    const records = [srv(0, 1, 5060, 'w1'), srv(0, 2, 5060, 'w2'), srv(0, 3, 5060, 'w3')];
    // r = 0.5 → pick 3 → first running sum ≥ 3 is w2 (3). Remaining w1, w3: sums 1, 4; r = 0 → pick 0 → w1.
    expect(names(orderSrvRecords(records, sequence(0.5, 0)))).toEqual(['w2', 'w1', 'w3']);
    // r = 0.99 → pick 6 → w3. Remaining w1, w2: sums 1, 3; r = 0.3 → pick floor(1.2) = 1 → w1.
    expect(names(orderSrvRecords(records, sequence(0.99, 0.3)))).toEqual(['w3', 'w1', 'w2']);
    // r = 0.2 → pick floor(1.4) = 1 → w1 (running sum 1 ≥ 1).
    expect(names(orderSrvRecords(records, sequence(0.2, 0.99)))).toEqual(['w1', 'w3', 'w2']);
  });

  it('places weight-0 records first, so only a random 0 picks them while others remain', () => {
    const records = [srv(0, 10, 5060, 'heavy'), srv(0, 0, 5060, 'zero')];
    expect(names(orderSrvRecords(records, sequence(0)))).toEqual(['zero', 'heavy']);
    expect(names(orderSrvRecords(records, sequence(0.1)))).toEqual(['heavy', 'zero']);
    // All-zero weights: sum 0, pick 0, the first in DNS order each time.
    expect(names(orderSrvRecords([srv(0, 0, 1, 'x'), srv(0, 0, 2, 'y')], () => 0.7))).toEqual(['x', 'y']);
  });

  it('with a seeded source, picks first in proportion to weight (10/20/70 over 10 000 orderings)', () => {
    const random = seededRandom(3263);
    const records = [srv(0, 10, 5060, 'a'), srv(0, 20, 5060, 'b'), srv(0, 70, 5060, 'c')];
    const firsts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const first = orderSrvRecords(records, random)[0]?.name as keyof typeof firsts;
      firsts[first] += 1;
    }
    // Expected 10/20/70 % of picks (sum 100, pick in [0,100]: a takes 0..10 = 11/101, b 20/101, c 70/101).
    expect(Math.abs(firsts.a / 10_000 - 11 / 101)).toBeLessThan(0.01);
    expect(Math.abs(firsts.b / 10_000 - 20 / 101)).toBeLessThan(0.01);
    expect(Math.abs(firsts.c / 10_000 - 70 / 101)).toBeLessThan(0.01);
    expect(firsts.a + firsts.b + firsts.c).toBe(10_000);
  });

  it('never loses or duplicates a record', () => {
    const random = seededRandom(7);
    const records = [
      srv(1, 5, 1, 'a'),
      srv(0, 0, 2, 'b'),
      srv(1, 0, 3, 'c'),
      srv(0, 9, 4, 'd'),
      srv(2, 1, 5, 'e'),
    ];
    for (let i = 0; i < 200; i++) {
      const ordered = orderSrvRecords(records, random);
      expect(names(ordered).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(ordered.map((r) => r.priority)).toEqual([0, 0, 1, 1, 2]);
    }
  });
});
