/**
 * A scripted Resolver for unit tests. Records and failures are set per (name, type); names compare
 * case-insensitively and without a trailing dot, as DNS does. A query for a name with no entry at all
 * rejects with ENOTFOUND (NXDOMAIN); for a name that has records of other types only, or an empty record
 * list, with ENODATA; configured failures reject with the code given (ETIMEOUT, ESERVFAIL, …). Errors look
 * like node:dns's: `code`, `syscall` ('querySrv'…), `hostname`, message "querySrv ENOTFOUND name".
 *
 * With a clock, answers can be delayed (a default `delayMs` and per-entry delays); without one they
 * settle at once (as a resolved promise). Every query is logged in `queries`, in order.
 */
import type { Clock, NaptrRecord, Resolver, SrvRecord, Timer } from './ports.ts';

export type DnsRecordType = 'NAPTR' | 'SRV' | 'A' | 'AAAA';

export interface DnsRecordsByType {
  NAPTR: NaptrRecord[];
  SRV: SrvRecord[];
  A: string[];
  AAAA: string[];
}

export interface DnsQuery {
  name: string;
  type: DnsRecordType;
}

export interface FakeResolverOptions {
  /** Needed for delayed answers. */
  clock?: Clock;
  /** Delay of every answer unless an entry says otherwise (default 0: settle at once). */
  delayMs?: number;
}

export interface FakeAnswerOptions {
  delayMs?: number;
}

export type DnsError = Error & { code: string; syscall: string; hostname: string };

type Entry =
  | { kind: 'records'; records: unknown[]; delayMs?: number }
  | { kind: 'failure'; code: string; delayMs?: number };

const SYSCALL: Record<DnsRecordType, string> = {
  NAPTR: 'queryNaptr',
  SRV: 'querySrv',
  A: 'queryA',
  AAAA: 'queryAaaa',
};

export class FakeResolver implements Resolver {
  private readonly entries = new Map<string, Map<DnsRecordType | '*', Entry>>();
  private readonly log: DnsQuery[] = [];
  private readonly clock: Clock | undefined;
  private readonly delayMs: number;
  private readonly timers = new Set<Timer>();

  constructor(options: FakeResolverOptions = {}) {
    this.clock = options.clock;
    this.delayMs = options.delayMs ?? 0;
    if (this.delayMs > 0) this.requireClock();
  }

  /** Every query asked so far, in order. */
  get queries(): readonly DnsQuery[] {
    return this.log;
  }

  /** Answers not yet delivered (delayed ones). */
  get pendingAnswers(): number {
    return this.timers.size;
  }

  /** Answer `type` queries for `name` with `records` (an empty list answers ENODATA). */
  set<T extends DnsRecordType>(
    name: string,
    type: T,
    records: DnsRecordsByType[T],
    options: FakeAnswerOptions = {},
  ): this {
    if (options.delayMs !== undefined && options.delayMs > 0) this.requireClock();
    this.entriesOf(name).set(type, {
      kind: 'records',
      records: structuredClone(records),
      delayMs: options.delayMs,
    });
    return this;
  }

  /** Make `type` queries (or all queries, with '*') for `name` fail with `code`. */
  fail(name: string, type: DnsRecordType | '*', code: string, options: FakeAnswerOptions = {}): this {
    if (options.delayMs !== undefined && options.delayMs > 0) this.requireClock();
    this.entriesOf(name).set(type, { kind: 'failure', code, delayMs: options.delayMs });
    return this;
  }

  /** Forget what was set for `name` (one type, or all). */
  remove(name: string, type?: DnsRecordType | '*'): this {
    const key = normalize(name);
    if (type === undefined) this.entries.delete(key);
    else this.entries.get(key)?.delete(type);
    return this;
  }

  resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return this.query(name, 'NAPTR');
  }

  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.query(name, 'SRV');
  }

  resolve4(name: string): Promise<string[]> {
    return this.query(name, 'A');
  }

  resolve6(name: string): Promise<string[]> {
    return this.query(name, 'AAAA');
  }

  /** Drop delayed answers that are still pending (their promises stay unsettled). */
  dispose(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private query<T extends DnsRecordType>(name: string, type: T): Promise<DnsRecordsByType[T]> {
    this.log.push({ name, type });
    const byType = this.entries.get(normalize(name));
    const entry = byType?.get('*') ?? byType?.get(type);
    const delayMs = entry?.delayMs ?? this.delayMs;
    const settle = (): DnsRecordsByType[T] => {
      if (entry === undefined)
        throw dnsError(byType === undefined || byType.size === 0 ? 'ENOTFOUND' : 'ENODATA', type, name);
      if (entry.kind === 'failure') throw dnsError(entry.code, type, name);
      if (entry.records.length === 0) throw dnsError('ENODATA', type, name);
      return structuredClone(entry.records) as DnsRecordsByType[T];
    };
    if (delayMs <= 0) return new Promise((resolve) => resolve(settle()));
    const clock = this.requireClock();
    return new Promise((resolve, reject) => {
      const timer = clock.setTimer(delayMs, () => {
        this.timers.delete(timer);
        try {
          resolve(settle());
        } catch (error) {
          reject(error);
        }
      });
      this.timers.add(timer);
    });
  }

  private entriesOf(name: string): Map<DnsRecordType | '*', Entry> {
    const key = normalize(name);
    let byType = this.entries.get(key);
    if (byType === undefined) {
      byType = new Map();
      this.entries.set(key, byType);
    }
    return byType;
  }

  private requireClock(): Clock {
    if (this.clock === undefined) throw new Error('FakeResolver: delayed answers need a clock');
    return this.clock;
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function dnsError(code: string, type: DnsRecordType, hostname: string): DnsError {
  const syscall = SYSCALL[type];
  const error = new Error(`${syscall} ${code} ${hostname}`) as DnsError;
  error.code = code;
  error.syscall = syscall;
  error.hostname = hostname;
  return error;
}
