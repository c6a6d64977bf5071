/**
 * The delay rules shared by both clocks (see Clock in ports.ts): negative counts as 0, NaN and ±Infinity
 * are bugs. Intervals run at least 1 ms apart so they cannot spin.
 */
export function checkedDelay(ms: number, what: 'timer' | 'interval'): number {
  if (!Number.isFinite(ms)) throw new RangeError(`${what} delay must be a finite number of ms, got ${ms}`);
  const floor = what === 'interval' ? 1 : 0;
  return Math.max(floor, ms);
}
