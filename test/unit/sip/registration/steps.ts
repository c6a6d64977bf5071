/**
 * Moving a FakeClock through SIP exchanges exactly: every hop of an exchange that is due now (in-memory
 * deliveries at the current time, async sends) runs before time moves on, and time stops at every timer.
 */
import type { FakeClock } from '../../../../src-main/platform/index.ts';
import { flush } from '../transport/support.ts';

/** Let everything due at the current time run to its end. */
export async function settleNow(clock: FakeClock): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await flush();
    clock.advance(0);
  }
  await flush();
}

/** Move the clock by `ms`, stopping at every timer on the way and letting what it starts finish. */
export async function wait(clock: FakeClock, ms: number): Promise<void> {
  const end = clock.monotonic() + ms;
  await settleNow(clock);
  for (let guard = 0; clock.monotonic() < end && guard < 100_000; guard++) {
    clock.advanceTo(Math.min(end, Math.max(clock.monotonic(), clock.nextTimerAt() ?? end)));
    await settleNow(clock);
  }
}

/** Await `promise` while the clock moves (at most `maxMs`); throws if it never settles. */
export async function waitFor<T>(clock: FakeClock, promise: Promise<T>, maxMs = 120_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  const end = clock.monotonic() + maxMs;
  await settleNow(clock);
  while (!done && clock.monotonic() < end) {
    clock.advanceTo(Math.min(end, Math.max(clock.monotonic(), clock.nextTimerAt() ?? end)));
    await settleNow(clock);
  }
  if (!done) throw new Error('promise did not settle');
  if (error !== undefined) throw error;
  return value as T;
}
