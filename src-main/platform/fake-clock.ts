/**
 * A deterministic clock for unit tests. Nothing happens until the test moves time:
 *
 *   advance(ms) / advanceTo(t)  run every timer due up to the target, in due-time order (ties: the order in
 *                               which the timers were armed), with monotonic()/now() equal to each timer's
 *                               due time while it runs; timers armed by those callbacks run too if they
 *                               fall due inside the window. Afterwards the clock rests at the target.
 *   runNext()                   jumps to the earliest timer and runs that one only.
 *   runAll(limit)               runs timers until none is left (throws after `limit` callbacks, so an
 *                               interval that is never cancelled fails the test instead of hanging it).
 *   sleep(ms)                   models a laptop suspend: wall time (now()) jumps forward by `ms`, monotonic
 *                               time does not move and no timer fires. This is what Node does on Linux and
 *                               macOS, whose monotonic clocks stop during suspend; timers armed before the
 *                               suspend fire `ms` late in wall time.
 *   setWallClock(t)             steps wall time alone (an NTP correction, a user changing the clock).
 *
 * Monotonic time starts at 0 (or `monotonic` from the options); wall time at 1_700_000_000_000 (or `now`).
 * A zero-delay timer is due at the current time and runs on the next advance(0) or later move. Intervals
 * fire at start + k·period exactly (no drift); each re-arm counts as newly armed for tie-breaking.
 * An exception thrown by a callback propagates out of advance(); the clock then rests at that timer's due
 * time and the remaining timers stay pending.
 */
import type { Clock, Timer } from './ports.ts';
import { checkedDelay } from './timer-delay.ts';

export const DEFAULT_FAKE_WALL_START_MS = 1_700_000_000_000;

export interface FakeClockOptions {
  /** Wall-clock start in ms since the epoch (default 1_700_000_000_000). */
  now?: number;
  /** Monotonic start in ms (default 0). */
  monotonic?: number;
}

interface PendingTimer {
  due: number;
  /** Arming order, for ties. */
  seq: number;
  entry: FakeTimer;
}

export class FakeClock implements Clock {
  private mono: number;
  /** now() − monotonic(). */
  private wallOffset: number;
  private seq = 0;
  private readonly queue = new TimerQueue();
  private running = false;

  constructor(options: FakeClockOptions = {}) {
    this.mono = options.monotonic ?? 0;
    this.wallOffset = (options.now ?? DEFAULT_FAKE_WALL_START_MS) - this.mono;
  }

  now(): number {
    return this.mono + this.wallOffset;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer = new FakeTimer(fn, undefined, this.cancelTimer);
    this.arm(timer, checkedDelay(ms, 'timer'));
    return timer;
  }

  setInterval(ms: number, fn: () => void): Timer {
    const period = checkedDelay(ms, 'interval');
    const timer = new FakeTimer(fn, period, this.cancelTimer);
    this.arm(timer, period);
    return timer;
  }

  /** Move monotonic (and wall) time forward by `ms`, running every timer that falls due. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance needs a finite ms >= 0, got ${ms}`);
    this.advanceTo(this.mono + ms);
  }

  /** Move monotonic time to `t` (not earlier than now), running every timer due up to `t`. */
  advanceTo(t: number): void {
    if (!Number.isFinite(t) || t < this.mono) {
      throw new RangeError(`advanceTo(${t}) would move the monotonic clock backwards from ${this.mono}`);
    }
    this.exclusive(() => {
      for (let next = this.queue.peek(); next !== undefined && next.due <= t; next = this.queue.peek()) {
        this.queue.pop();
        this.fire(next);
      }
      this.mono = t;
    });
  }

  /** Jump to the earliest pending timer and run it alone. Returns false when nothing is pending. */
  runNext(): boolean {
    return this.exclusive(() => {
      const next = this.queue.pop();
      if (next === undefined) return false;
      this.fire(next);
      return true;
    });
  }

  /**
   * Run timers (jumping from one to the next) until none is pending; returns how many ran. Throws when
   * more than `limit` callbacks would run, which means something keeps re-arming (an interval, a loop).
   */
  runAll(limit = 10_000): number {
    let ran = 0;
    while (this.queue.size > 0) {
      if (ran >= limit) {
        throw new Error(`FakeClock.runAll: still ${this.queue.size} timer(s) pending after ${limit} ran`);
      }
      this.runNext();
      ran++;
    }
    return ran;
  }

  /** Suspend and resume: wall time jumps by `ms`, monotonic time stands still, no timer runs. */
  sleep(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`sleep needs a finite ms >= 0, got ${ms}`);
    this.wallOffset += ms;
  }

  /** Step the wall clock to `t` (may go backwards); monotonic time and timers are unaffected. */
  setWallClock(t: number): void {
    this.wallOffset = t - this.mono;
  }

  /** How many timers (intervals count once) are waiting to run. */
  pendingTimers(): number {
    return this.queue.size;
  }

  /** Monotonic due time of the earliest pending timer. */
  nextTimerAt(): number | undefined {
    return this.queue.peek()?.due;
  }

  private readonly cancelTimer = (timer: FakeTimer): void => this.queue.remove(timer);

  private arm(timer: FakeTimer, delay: number): void {
    this.queue.push({ due: this.mono + delay, seq: this.seq++, entry: timer });
  }

  private fire(pending: PendingTimer): void {
    this.mono = pending.due;
    const timer = pending.entry;
    if (timer.period === undefined) timer.markFired();
    else this.arm(timer, timer.period);
    timer.fn();
  }

  private exclusive<T>(body: () => T): T {
    if (this.running) throw new Error('FakeClock: time cannot be moved from inside a timer callback');
    this.running = true;
    try {
      return body();
    } finally {
      this.running = false;
    }
  }
}

class FakeTimer implements Timer {
  readonly fn: () => void;
  readonly period: number | undefined;
  private readonly onCancel: (timer: FakeTimer) => void;
  private finished = false;

  constructor(fn: () => void, period: number | undefined, onCancel: (timer: FakeTimer) => void) {
    this.fn = fn;
    this.period = period;
    this.onCancel = onCancel;
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.onCancel(this);
  }

  dispose(): void {
    this.cancel();
  }

  markFired(): void {
    this.finished = true;
  }
}

/** A binary min-heap on (due, seq) with removal by timer. */
class TimerQueue {
  private readonly heap: PendingTimer[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): PendingTimer | undefined {
    return this.heap[0];
  }

  push(item: PendingTimer): void {
    this.heap.push(item);
    this.up(this.heap.length - 1);
  }

  pop(): PendingTimer | undefined {
    return this.removeAt(0);
  }

  remove(timer: FakeTimer): void {
    const i = this.heap.findIndex((p) => p.entry === timer);
    if (i >= 0) this.removeAt(i);
  }

  private removeAt(i: number): PendingTimer | undefined {
    const heap = this.heap;
    const item = heap[i];
    const last = heap.pop();
    if (item === undefined || last === undefined) return undefined;
    if (i < heap.length) {
      heap[i] = last;
      this.down(i);
      this.up(i);
    }
    return item;
  }

  private before(a: PendingTimer, b: PendingTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    const a = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = a;
  }
}
