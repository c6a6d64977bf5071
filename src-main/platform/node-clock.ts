/**
 * The real clock: wall time from Date.now(), monotonic time from performance.now() (Node's hrtime, i.e.
 * CLOCK_MONOTONIC on Linux, which does not advance while the machine is suspended), timers from
 * setTimeout. Timers keep the process alive unless the clock is created with `unref: true`.
 */
import type { Clock, Timer } from './ports.ts';
import { checkedDelay } from './timer-delay.ts';

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); Node fires longer ones at once, so we hop. */
export const MAX_NATIVE_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface NodeClockOptions {
  /** Let the process exit while timers are pending (default false: a pending timer keeps it alive). */
  unref?: boolean;
}

export class NodeClock implements Clock {
  private readonly unref: boolean;

  constructor(options: NodeClockOptions = {}) {
    this.unref = options.unref ?? false;
  }

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    return new NodeTimer(checkedDelay(ms, 'timer'), undefined, fn, this.unref);
  }

  setInterval(ms: number, fn: () => void): Timer {
    const period = checkedDelay(ms, 'interval');
    return new NodeTimer(period, period, fn, this.unref);
  }
}

/**
 * One pending setTimeout at a time. A delay beyond MAX_NATIVE_TIMER_DELAY_MS is covered by several hops;
 * an interval re-arms itself before running its callback, so the callback may cancel it.
 *
 * Intervals keep absolute deadlines on the monotonic clock (start + n·period) instead of re-arming with
 * the bare period: Node's timers fire a millisecond or more late every time, so a naive 20 ms interval
 * ticks about every 21.5 ms — 7% slow, which starves a media sender. When the process falls more than
 * MAX_INTERVAL_LAG_PERIODS behind (a suspend, a long GC), the missed ticks are dropped, not burst.
 */
const MAX_INTERVAL_LAG_PERIODS = 5;

class NodeTimer implements Timer {
  private handle: ReturnType<typeof setTimeout> | undefined;
  /** Intervals: the monotonic time the next tick is due. */
  private nextDue = 0;
  /** Delay still to cover after the hop that is currently armed. */
  private remainingAfterHop = 0;
  private finished = false;
  private readonly period: number | undefined;
  private readonly fn: () => void;
  private readonly unref: boolean;

  constructor(delay: number, period: number | undefined, fn: () => void, unref: boolean) {
    this.period = period;
    this.fn = fn;
    this.unref = unref;
    this.nextDue = performance.now() + delay;
    this.arm(delay);
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.cancel();
  }

  private arm(delay: number): void {
    const hop = Math.min(delay, MAX_NATIVE_TIMER_DELAY_MS);
    this.remainingAfterHop = delay - hop;
    this.handle = setTimeout(() => this.fire(), hop);
    if (this.unref) this.handle.unref();
  }

  private fire(): void {
    if (this.finished) return;
    if (this.remainingAfterHop > 0) {
      this.arm(this.remainingAfterHop);
      return;
    }
    if (this.period === undefined) {
      this.finished = true;
      this.handle = undefined;
    } else {
      const now = performance.now();
      this.nextDue += this.period;
      if (now - this.nextDue > MAX_INTERVAL_LAG_PERIODS * this.period) this.nextDue = now + this.period;
      this.arm(Math.max(0, this.nextDue - now));
    }
    this.fn();
  }
}
