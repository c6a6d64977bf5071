/**
 * The renderer's copy of the phone log: entries ordered by `seq`, each once, at most `capacity` (the
 * newest kept). Live `app.log` events may arrive before the `app.logHistory` answer they overlap with,
 * so both go through `mergeLogEntries`.
 */
import type { LogEntry, LogLevel } from '../../../src-shared/model/app.ts';

export const LOG_CAPACITY = 1000;

/** The union of `current` and `incoming` by `seq`, ascending, newest `capacity` kept. */
export function mergeLogEntries(
  current: readonly LogEntry[],
  incoming: readonly LogEntry[],
  capacity: number = LOG_CAPACITY,
): LogEntry[] {
  let merged: LogEntry[];
  if (ascendingAfter(current.at(-1)?.seq ?? -1, incoming)) {
    // the common case: live entries that follow everything we have
    merged = [...current, ...incoming];
  } else {
    const bySeq = new Map<number, LogEntry>();
    for (const e of current) bySeq.set(e.seq, e);
    for (const e of incoming) bySeq.set(e.seq, e);
    merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
  return merged.length > capacity ? merged.slice(merged.length - capacity) : merged;
}

function ascendingAfter(seq: number, entries: readonly LogEntry[]): boolean {
  let previous = seq;
  for (const e of entries) {
    if (e.seq <= previous) return false;
    previous = e.seq;
  }
  return true;
}

export type LogLevelFilter = LogLevel | 'all';

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Entries at `level` or more severe (`all` keeps everything). */
export function filterLogEntries(entries: readonly LogEntry[], level: LogLevelFilter): readonly LogEntry[] {
  if (level === 'all') return entries;
  const min = SEVERITY[level];
  return entries.filter((e) => SEVERITY[e.level] >= min);
}
