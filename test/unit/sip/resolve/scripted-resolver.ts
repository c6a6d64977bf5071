/**
 * A few-line Resolver for these tests: answers from a table keyed "TYPE name", rejects like node:dns
 * (ENOTFOUND for an unknown name, or the code given in the table), and logs every query in order.
 */
import type { NaptrRecord, Resolver, SrvRecord } from '../../../../src-main/platform/index.ts';

export interface DnsTable {
  [query: string]: NaptrRecord[] | SrvRecord[] | string[] | { code: string };
}

export class ScriptedResolver implements Resolver {
  readonly queries: string[] = [];
  private readonly table: DnsTable;

  constructor(table: DnsTable) {
    this.table = table;
  }

  resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return this.answer<NaptrRecord>('NAPTR', name);
  }
  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.answer<SrvRecord>('SRV', name);
  }
  resolve4(name: string): Promise<string[]> {
    return this.answer<string>('A', name);
  }
  resolve6(name: string): Promise<string[]> {
    return this.answer<string>('AAAA', name);
  }

  private answer<T>(type: string, name: string): Promise<T[]> {
    const query = `${type} ${name}`;
    this.queries.push(query);
    const entry = this.table[query];
    if (entry === undefined || !Array.isArray(entry)) {
      const code = entry?.code ?? 'ENOTFOUND';
      return Promise.reject(Object.assign(new Error(`query${type} ${code} ${name}`), { code }));
    }
    return Promise.resolve(structuredClone(entry) as T[]);
  }
}

export const naptr = (
  order: number,
  preference: number,
  service: string,
  replacement: string,
  flags = 's',
): NaptrRecord => ({
  flags,
  service,
  regexp: '',
  replacement,
  order,
  preference,
});

export const srv = (priority: number, weight: number, port: number, name: string): SrvRecord => ({
  priority,
  weight,
  port,
  name,
});

/** A seeded uniform [0, 1) source (mulberry32), so "random" orders are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A source that returns the given numbers in turn (then 0). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0;
}
