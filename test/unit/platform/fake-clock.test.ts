import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_WALL_START_MS, FakeClock } from '../../../src-main/platform/index.ts';

let clock: FakeClock;

afterEach(() => {
  // Leak check: every test cancels or runs what it armed.
  expect(clock.pendingTimers()).toBe(0);
});

describe('FakeClock time', () => {
  it('starts at the default wall time and monotonic 0', () => {
    clock = new FakeClock();
    expect(clock.now()).toBe(DEFAULT_FAKE_WALL_START_MS);
    expect(DEFAULT_FAKE_WALL_START_MS).toBe(1_700_000_000_000);
    expect(clock.monotonic()).toBe(0);
  });

  it('takes the start times from its options', () => {
    clock = new FakeClock({ now: 5_000, monotonic: 100 });
    expect(clock.now()).toBe(5_000);
    expect(clock.monotonic()).toBe(100);
    clock.advance(50);
    expect(clock.now()).toBe(5_050);
    expect(clock.monotonic()).toBe(150);
  });

  it('moves wall and monotonic time together on advance and advanceTo', () => {
    clock = new FakeClock({ now: 1_000 });
    clock.advance(250);
    expect([clock.monotonic(), clock.now()]).toEqual([250, 1_250]);
    clock.advanceTo(1_000);
    expect([clock.monotonic(), clock.now()]).toEqual([1_000, 2_000]);
    clock.advance(0);
    expect(clock.monotonic()).toBe(1_000);
  });

  it('refuses to go backwards or to take nonsense', () => {
    clock = new FakeClock();
    clock.advance(10);
    expect(() => clock.advanceTo(9)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.sleep(-5)).toThrow(RangeError);
    expect(clock.monotonic()).toBe(10);
  });

  it('sleep() moves wall time only and fires nothing (a suspend stops the monotonic clock)', () => {
    clock = new FakeClock({ now: 1_000_000 });
    const fired: number[] = [];
    clock.setTimer(1_000, () => fired.push(clock.monotonic()));
    clock.sleep(3_600_000);
    expect(clock.now()).toBe(4_600_000);
    expect(clock.monotonic()).toBe(0);
    expect(fired).toEqual([]);
    clock.advance(1_000);
    expect(fired).toEqual([1_000]);
    expect(clock.now()).toBe(4_601_000);
  });

  it('setWallClock() steps wall time, also backwards, without touching monotonic time', () => {
    clock = new FakeClock({ now: 10_000 });
    clock.advance(500);
    clock.setWallClock(2_000);
    expect(clock.now()).toBe(2_000);
    expect(clock.monotonic()).toBe(500);
    clock.advance(100);
    expect(clock.now()).toBe(2_100);
  });
});

describe('FakeClock timers', () => {
  it('runs due timers in due-time order, ties in arming order, with the clock at each due time', () => {
    clock = new FakeClock({ now: 0 });
    const log: string[] = [];
    const note = (name: string) => () => log.push(`${name}@${clock.monotonic()}/${clock.now()}`);
    clock.setTimer(30, note('c'));
    clock.setTimer(10, note('a'));
    clock.setTimer(20, note('b1'));
    clock.setTimer(20, note('b2'));
    clock.setTimer(31, note('late'));
    clock.advance(30);
    expect(log).toEqual(['a@10/10', 'b1@20/20', 'b2@20/20', 'c@30/30']);
    expect(clock.monotonic()).toBe(30);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(1);
    expect(log.at(-1)).toBe('late@31/31');
  });

  it('runs timers armed by timers when they fall due inside the window, and not otherwise', () => {
    clock = new FakeClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      log.push(`outer@${clock.monotonic()}`);
      clock.setTimer(5, () => log.push(`inner@${clock.monotonic()}`));
      clock.setTimer(0, () => log.push(`zero@${clock.monotonic()}`));
      clock.setTimer(100, () => log.push(`beyond@${clock.monotonic()}`));
    });
    clock.setTimer(12, () => log.push(`sibling@${clock.monotonic()}`));
    clock.advance(20);
    expect(log).toEqual(['outer@10', 'zero@10', 'sibling@12', 'inner@15']);
    expect(clock.nextTimerAt()).toBe(110);
    clock.advance(90);
    expect(log.at(-1)).toBe('beyond@110');
  });

  it('runs a zero-delay timer on advance(0), not at arming time', () => {
    clock = new FakeClock();
    let ran = 0;
    clock.setTimer(0, () => ran++);
    expect(ran).toBe(0);
    expect(clock.nextTimerAt()).toBe(0);
    clock.advance(0);
    expect(ran).toBe(1);
  });

  it('treats a negative delay as 0 and rejects NaN and infinite delays', () => {
    clock = new FakeClock();
    clock.advance(7);
    clock.setTimer(-50, () => undefined);
    expect(clock.nextTimerAt()).toBe(7);
    clock.advance(0);
    expect(() => clock.setTimer(Number.NaN, () => undefined)).toThrow(RangeError);
    expect(() => clock.setTimer(Infinity, () => undefined)).toThrow(RangeError);
    expect(() => clock.setInterval(Number.NaN, () => undefined)).toThrow(RangeError);
  });

  it('cancel and dispose are idempotent and harmless after the timer ran', () => {
    clock = new FakeClock();
    let ran = 0;
    const a = clock.setTimer(10, () => ran++);
    const b = clock.setTimer(10, () => ran++);
    a.cancel();
    a.cancel();
    a.dispose();
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(10);
    expect(ran).toBe(1);
    b.cancel();
    b.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a timer cancelled by an earlier timer in the same window does not run', () => {
    clock = new FakeClock();
    const log: string[] = [];
    const later = clock.setTimer(20, () => log.push('later'));
    clock.setTimer(10, () => {
      log.push('first');
      later.cancel();
    });
    clock.advance(30);
    expect(log).toEqual(['first']);
  });

  it('intervals fire at start + k·period without drift until cancelled, also from inside', () => {
    clock = new FakeClock();
    const at: number[] = [];
    const interval = clock.setInterval(100, () => {
      at.push(clock.monotonic());
      if (at.length === 4) interval.cancel();
    });
    clock.advance(250);
    expect(at).toEqual([100, 200]);
    clock.advance(1_000);
    expect(at).toEqual([100, 200, 300, 400]);
    interval.cancel();
  });

  it('an interval of 0 ms runs every 1 ms instead of spinning', () => {
    clock = new FakeClock();
    let count = 0;
    const interval = clock.setInterval(0, () => count++);
    clock.advance(5);
    expect(count).toBe(5);
    interval.dispose();
  });

  it('an interval re-arm counts as newly armed for ties', () => {
    clock = new FakeClock();
    const log: string[] = [];
    const interval = clock.setInterval(10, () => log.push(`interval@${clock.monotonic()}`));
    clock.setTimer(5, () => clock.setTimer(15, () => log.push(`timer@${clock.monotonic()}`)));
    clock.advance(20);
    // Both due at 20: the timer was armed at 5, the interval re-armed at 10.
    expect(log).toEqual(['interval@10', 'timer@20', 'interval@20']);
    interval.cancel();
  });

  it('runNext jumps to the earliest timer and runs it alone', () => {
    clock = new FakeClock({ now: 0 });
    const log: number[] = [];
    clock.setTimer(40, () => log.push(40));
    clock.setTimer(40, () => log.push(41));
    clock.setTimer(90, () => log.push(90));
    expect(clock.runNext()).toBe(true);
    expect(log).toEqual([40]);
    expect(clock.monotonic()).toBe(40);
    expect(clock.now()).toBe(40);
    expect(clock.runNext()).toBe(true);
    expect(clock.runNext()).toBe(true);
    expect(log).toEqual([40, 41, 90]);
    expect(clock.monotonic()).toBe(90);
    expect(clock.runNext()).toBe(false);
    expect(clock.monotonic()).toBe(90);
  });

  it('runAll runs chains of timers and reports how many ran', () => {
    clock = new FakeClock();
    let depth = 0;
    const step = (): void => {
      depth++;
      if (depth < 5) clock.setTimer(1_000, step);
    };
    clock.setTimer(1_000, step);
    expect(clock.runAll()).toBe(5);
    expect(clock.monotonic()).toBe(5_000);
  });

  it('runAll throws on an interval that is never cancelled instead of hanging', () => {
    clock = new FakeClock();
    const interval = clock.setInterval(10, () => undefined);
    expect(() => clock.runAll(50)).toThrow(/still 1 timer\(s\) pending after 50 ran/);
    expect(clock.monotonic()).toBe(500);
    interval.cancel();
  });

  it('pendingTimers and nextTimerAt describe the queue', () => {
    clock = new FakeClock();
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
    const t1 = clock.setTimer(300, () => undefined);
    const t2 = clock.setTimer(200, () => undefined);
    const i = clock.setInterval(250, () => undefined);
    expect(clock.pendingTimers()).toBe(3);
    expect(clock.nextTimerAt()).toBe(200);
    t2.cancel();
    expect(clock.nextTimerAt()).toBe(250);
    for (const t of [t1, i]) t.cancel();
  });

  it('refuses to move time from inside a callback', () => {
    clock = new FakeClock();
    let error: unknown;
    clock.setTimer(5, () => {
      try {
        clock.advance(1);
      } catch (e) {
        error = e;
      }
    });
    clock.advance(5);
    expect(String(error)).toMatch(/inside a timer callback/);
  });

  it('an exception in a callback propagates and leaves the clock at that timer with the rest pending', () => {
    clock = new FakeClock();
    const log: number[] = [];
    clock.setTimer(10, () => {
      throw new Error('boom');
    });
    clock.setTimer(20, () => log.push(clock.monotonic()));
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.monotonic()).toBe(10);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(20);
    expect(log).toEqual([20]);
  });

  it('keeps order across many timers (heap order)', () => {
    clock = new FakeClock();
    const fired: number[] = [];
    const dues = Array.from({ length: 200 }, (_, i) => (i * 7919) % 997);
    const timers = dues.map((due, i) => clock.setTimer(due, () => fired.push(i)));
    // Cancel every third one.
    timers.forEach((t, i) => {
      if (i % 3 === 0) t.cancel();
    });
    clock.advance(1_000);
    const expected = dues
      .map((due, i) => ({ due, i }))
      .filter(({ i }) => i % 3 !== 0)
      .sort((a, b) => a.due - b.due || a.i - b.i)
      .map(({ i }) => i);
    expect(fired).toEqual(expected);
  });
});
