/**
 * The date range filter: `<input type="date">` values (local calendar days, `YYYY-MM-DD`) as the
 * contract's `from` (inclusive) and `to` (exclusive) times. The "to" day is included whole.
 */

/** Local midnight starting `day`, or null for an empty or malformed value. */
export function startOfLocalDay(day: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = new Date(year, month - 1, date).getTime();
  const check = new Date(time);
  if (check.getFullYear() !== year || check.getMonth() !== month - 1 || check.getDate() !== date) return null;
  return time;
}

/** Local midnight after `day` (so the whole day is inside the range). */
export function endOfLocalDay(day: string): number | null {
  const start = startOfLocalDay(day);
  if (start === null) return null;
  const d = new Date(start);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

export type DayRange = { ok: true; from: number | null; to: number | null } | { ok: false };

/** The range two date inputs describe; not ok when the first day is after the last. */
export function dayRange(fromDay: string, toDay: string): DayRange {
  const from = startOfLocalDay(fromDay);
  const to = endOfLocalDay(toDay);
  if (from !== null && to !== null && from >= to) return { ok: false };
  return { ok: true, from, to };
}

/** The `YYYY-MM-DD` of a time in local time (the value a date input shows). */
export function localDayOf(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
