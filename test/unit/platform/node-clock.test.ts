import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_NATIVE_TIMER_DELAY_MS, NodeClock } from '../../../src-main/platform/index.ts';

afterEach(() => {
  // Leak check for the tests on fake timers: nothing armed is left behind.
  if (vi.isFakeTimers()) {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  }
});

describe('NodeClock on real time', () => {
  it('reads wall time from Date.now and monotonic time from performance.now', () => {
    const clock = new NodeClock();
    const before = Date.now();
    const wall = clock.now();
    expect(wall).toBeGreaterThanOrEqual(before);
    expect(wall).toBeLessThanOrEqual(Date.now());
    const m1 = clock.monotonic();
    const p = performance.now();
    const m2 = clock.monotonic();
    expect(m1).toBeLessThanOrEqual(p);
    expect(p).toBeLessThanOrEqual(m2);
  });

  it('fires a real timer once and an interval until cancelled', async () => {
    const clock = new NodeClock();
    const once = await new Promise<number>((resolve) => {
      let count = 0;
      clock.setTimer(2, () => {
        count++;
        setTimeout(() => resolve(count), 20);
      });
    });
    expect(once).toBe(1);
    const ticks = await new Promise<number>((resolve) => {
      let count = 0;
      const interval = clock.setInterval(1, () => {
        count++;
        if (count === 3) {
          interval.cancel();
          setTimeout(() => resolve(count), 20);
        }
      });
    });
    expect(ticks).toBe(3);
  });

  it('keeps the event loop alive by default and not with unref', () => {
    const countTimeouts = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const base = countTimeouts();
    const ref = new NodeClock().setTimer(60_000, () => undefined);
    expect(countTimeouts()).toBe(base + 1);
    const unref = new NodeClock({ unref: true }).setTimer(60_000, () => undefined);
    expect(countTimeouts()).toBe(base + 1);
    ref.cancel();
    unref.cancel();
    expect(countTimeouts()).toBe(base);
  });
});

describe('NodeClock timers (on vitest fake timers)', () => {
  it('runs a timer once after its delay', () => {
    vi.useFakeTimers();
    const clock = new NodeClock();
    const fn = vi.fn();
    clock.setTimer(100, fn);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('cancel and dispose are idempotent, before and after firing', () => {
    vi.useFakeTimers();
    const clock = new NodeClock();
    const fn = vi.fn();
    const t = clock.setTimer(10, fn);
    t.cancel();
    t.cancel();
    t.dispose();
    vi.advanceTimersByTime(20);
    expect(fn).not.toHaveBeenCalled();
    const fired = clock.setTimer(10, fn);
    vi.advanceTimersByTime(10);
    fired.cancel();
    fired.dispose();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs an interval every period until cancelled, also from its own callback', () => {
    vi.useFakeTimers();
    const clock = new NodeClock();
    let count = 0;
    const interval = clock.setInterval(50, () => {
      count++;
      if (count === 3) interval.cancel();
    });
    vi.advanceTimersByTime(120);
    expect(count).toBe(2);
    vi.advanceTimersByTime(1_000);
    expect(count).toBe(3);
    interval.dispose();
  });

  it('keeps an interval on absolute deadlines, even when its timer fires late', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Real Node timers fire a little late every time; make every fake one 2 ms late.
    const onTime = globalThis.setTimeout;
    vi.stubGlobal('setTimeout', ((fn: () => void, ms: number) => onTime(fn, ms + 2)) as typeof setTimeout);
    try {
      const clock = new NodeClock();
      const origin = performance.now();
      const ticks: number[] = [];
      const interval = clock.setInterval(20, () => ticks.push(Math.round(performance.now() - origin)));
      for (let i = 0; i < 50; i++) vi.advanceTimersToNextTimer();
      interval.cancel();
      // a naive re-arm would tick at 22, 44, 66, … and be a whole period behind after 10 ticks
      expect(ticks).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 20 + 2));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('treats a negative delay as 0 and rejects NaN and Infinity', () => {
    vi.useFakeTimers();
    const clock = new NodeClock();
    const fn = vi.fn();
    clock.setTimer(-5, fn);
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(() => clock.setTimer(Number.NaN, fn)).toThrow(RangeError);
    expect(() => clock.setInterval(Infinity, fn)).toThrow(RangeError);
  });

  it('covers delays beyond setTimeout’s limit in several hops and fires exactly at the end', () => {
    vi.useFakeTimers();
    const clock = new NodeClock();
    const fn = vi.fn();
    const total = 2 * MAX_NATIVE_TIMER_DELAY_MS + 1_000;
    const t = clock.setTimer(total, fn);
    vi.advanceTimersByTime(MAX_NATIVE_TIMER_DELAY_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_NATIVE_TIMER_DELAY_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(999);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    // Cancelling between hops works too.
    const other = vi.fn();
    const u = clock.setTimer(total, other);
    vi.advanceTimersByTime(MAX_NATIVE_TIMER_DELAY_MS + 5);
    u.cancel();
    vi.advanceTimersByTime(total);
    expect(other).not.toHaveBeenCalled();
    t.dispose();
  });
});
