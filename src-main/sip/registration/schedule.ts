/**
 * When to refresh a binding and when to try again after a failure. Pure functions of the numbers; the
 * refresher arms its timers with them.
 */

/**
 * The refresh margin. A REGISTER that gets no answer at all ends at Timer F = 64·T1 = 32 s (RFC 3261
 * §17.1.2.2); refreshing 40 s before the binding lapses lets a refresh run its full course — and report a
 * timeout — while the old binding still holds.
 */
export const REFRESH_MARGIN_MS = 40_000;

/**
 * Delay from a 2xx until its refresh: 40 s before expiry, but never earlier than half the granted time
 * (short bindings refresh at 50 %):
 *
 *   refresh after max(granted / 2, granted − 40 s)
 *
 *   granted 3600 s → 3560 s;  300 s → 260 s;  60 s → 30 s;  20 s → 10 s
 *
 * RFC 3261 §10.2.4 only asks that a UA refresh "before the expiration interval has elapsed"; RFC 5626
 * leaves the moment to the UA as well.
 */
export function refreshDelayMs(grantedSec: number): number {
  const granted = grantedSec * 1000;
  return Math.max(granted / 2, granted - REFRESH_MARGIN_MS);
}

export const DEFAULT_RETRY_BASE_MS = 30_000;
export const DEFAULT_RETRY_MAX_MS = 1_800_000;

/**
 * RFC 5626 §4.5: "The upper-bound wait time (W) is computed by: W = min (max-time, (base-time * (2 ^
 * consecutive-failures)))" [...] "if the base-time is 30 seconds, and there were three failures, then the
 * upper-bound wait time is min(1800, 30*(2^3)) or 240 seconds. The actual amount of time the UA waits
 * before retrying registration (the retry delay time) is computed by selecting a uniform random time
 * between 50 and 100% of the upper-bound wait time."
 *
 * `failures` ≥ 1 (the failure just seen counts); `random` in [0, 1). Result in whole ms.
 */
export function retryDelayMs(
  failures: number,
  random: number,
  baseMs = DEFAULT_RETRY_BASE_MS,
  maxMs = DEFAULT_RETRY_MAX_MS,
): number {
  if (!(failures >= 1)) throw new RangeError(`failures must be >= 1, got ${failures}`);
  // 2^failures overflows nothing here: the exponent is capped where W already reached max-time.
  const exponent = Math.min(failures, 40);
  const upperBound = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(upperBound * (0.5 + 0.5 * random));
}
