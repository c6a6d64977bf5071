import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, NetworkMonitor } from '../../../src-main/platform/index.ts';
import type { Clock, NetworkChange, NetworkInterfaceAddress } from '../../../src-main/platform/index.ts';

const lo: NetworkInterfaceAddress = { name: 'lo', address: '127.0.0.1', family: 4, internal: true };
const wifi: NetworkInterfaceAddress = { name: 'wlan0', address: '192.168.1.20', family: 4, internal: false };
const wifi6: NetworkInterfaceAddress = { name: 'wlan0', address: '2001:db8::20', family: 6, internal: false };
const vpn: NetworkInterfaceAddress = { name: 'tun0', address: '10.8.0.2', family: 4, internal: false };

let clock: FakeClock;
let monitor: NetworkMonitor;

/** An interface list the test edits; counts how often it was read. */
function fakeSource(initial: NetworkInterfaceAddress[]) {
  const source = {
    list: initial,
    reads: 0,
    interfaces(): NetworkInterfaceAddress[] {
      source.reads++;
      return source.list.map((a) => ({ ...a }));
    },
  };
  return source;
}

function record(m: NetworkMonitor): NetworkChange[] {
  const changes: NetworkChange[] = [];
  m.onChange((c) => changes.push(c));
  return changes;
}

afterEach(() => {
  monitor.dispose();
  expect(monitor.running).toBe(false);
  expect(clock.pendingTimers()).toBe(0);
});

describe('NetworkMonitor', () => {
  it('polls every 5000 ms by default and says nothing while nothing changes', () => {
    clock = new FakeClock();
    const source = fakeSource([lo, wifi]);
    monitor = new NetworkMonitor({ clock, source });
    const changes = record(monitor);
    monitor.start();
    expect(source.reads).toBe(1);
    expect(clock.nextTimerAt()).toBe(5_000);
    clock.advance(4_999);
    expect(source.reads).toBe(1);
    clock.advance(1);
    expect(source.reads).toBe(2);
    clock.advance(15_000);
    expect(source.reads).toBe(5);
    expect(changes).toEqual([]);
    expect(monitor.current()).toEqual([lo, wifi]);
  });

  it('reports added and removed addresses at the next poll', () => {
    clock = new FakeClock();
    const source = fakeSource([lo, wifi]);
    monitor = new NetworkMonitor({ clock, source, pollMs: 1_000 });
    const changes = record(monitor);
    monitor.start();
    source.list = [lo, wifi, wifi6, vpn];
    clock.advance(999);
    expect(changes).toEqual([]);
    clock.advance(1);
    expect(changes).toEqual([{ kind: 'interfaces-changed', added: [wifi6, vpn], removed: [] }]);
    source.list = [lo, vpn];
    clock.advance(1_000);
    expect(changes[1]).toEqual({ kind: 'interfaces-changed', added: [], removed: [wifi, wifi6] });
    // The same address moving to another interface is a change too.
    source.list = [lo, { ...vpn, name: 'tun1' }];
    clock.advance(1_000);
    expect(changes[2]).toEqual({
      kind: 'interfaces-changed',
      added: [{ ...vpn, name: 'tun1' }],
      removed: [vpn],
    });
    expect(changes).toHaveLength(3);
  });

  it('reports a suspend (wall time ran, monotonic time did not) with how long it lasted', () => {
    clock = new FakeClock();
    const source = fakeSource([lo, wifi]);
    monitor = new NetworkMonitor({ clock, source });
    const changes = record(monitor);
    monitor.start();
    clock.advance(2_000);
    clock.sleep(3_600_000);
    clock.advance(3_000);
    expect(changes).toEqual([{ kind: 'resumed', sleptMs: 3_600_000 }]);
    clock.advance(5_000);
    expect(changes).toHaveLength(1);
  });

  it('reports a poll that came much too late (a monotonic clock that runs on during suspend)', () => {
    clock = new FakeClock();
    // Windows-like: both clocks keep running while the machine sleeps, so the poll timer fires late.
    const lateness: number[] = [60_000];
    const lateClock: Clock = {
      now: () => clock.now(),
      monotonic: () => clock.monotonic(),
      setTimer: (ms, fn) => clock.setTimer(ms + (lateness.shift() ?? 0), fn),
      setInterval: (ms, fn) => clock.setInterval(ms, fn),
    };
    monitor = new NetworkMonitor({ clock: lateClock, source: fakeSource([lo]), pollMs: 5_000 });
    const changes = record(monitor);
    monitor.start();
    clock.advance(64_999);
    expect(changes).toEqual([]);
    clock.advance(1);
    expect(changes).toEqual([{ kind: 'resumed', sleptMs: 60_000 }]);
    clock.advance(5_000);
    expect(changes).toHaveLength(1);
  });

  it('checkNow does not mistake an early poll for lateness', () => {
    clock = new FakeClock();
    monitor = new NetworkMonitor({
      clock,
      source: fakeSource([lo]),
      pollMs: 5_000,
      resumeThresholdMs: 1_000,
    });
    const changes = record(monitor);
    monitor.start();
    clock.advance(4_000);
    monitor.checkNow();
    clock.advance(5_000);
    expect(changes).toEqual([]);
  });

  it('does not count small gaps or a backwards wall-clock step as a suspend', () => {
    clock = new FakeClock();
    const source = fakeSource([lo]);
    monitor = new NetworkMonitor({ clock, source });
    const changes = record(monitor);
    monitor.start();
    clock.sleep(9_999);
    clock.advance(5_000);
    clock.setWallClock(clock.now() - 86_400_000);
    clock.advance(5_000);
    expect(changes).toEqual([]);
    clock.sleep(10_000);
    clock.advance(5_000);
    expect(changes).toEqual([{ kind: 'resumed', sleptMs: 10_000 }]);
  });

  it('emits resumed before interfaces-changed when one poll sees both', () => {
    clock = new FakeClock();
    const source = fakeSource([lo, wifi]);
    monitor = new NetworkMonitor({ clock, source });
    const changes = record(monitor);
    monitor.start();
    clock.sleep(600_000);
    source.list = [lo, vpn];
    clock.advance(5_000);
    expect(changes.map((c) => c.kind)).toEqual(['resumed', 'interfaces-changed']);
  });

  it('checkNow polls at once and restarts the period', () => {
    clock = new FakeClock();
    const source = fakeSource([lo]);
    monitor = new NetworkMonitor({ clock, source });
    const changes = record(monitor);
    monitor.start();
    clock.advance(1_000);
    source.list = [lo, wifi];
    monitor.checkNow();
    expect(changes).toEqual([{ kind: 'interfaces-changed', added: [wifi], removed: [] }]);
    expect(clock.nextTimerAt()).toBe(6_000);
  });

  it('a listener may stop the monitor from inside a poll; start is idempotent; stop before start is fine', () => {
    clock = new FakeClock();
    const source = fakeSource([lo]);
    monitor = new NetworkMonitor({ clock, source });
    monitor.stop();
    monitor.onChange(() => monitor.stop());
    monitor.start();
    monitor.start();
    expect(clock.pendingTimers()).toBe(1);
    source.list = [lo, wifi];
    clock.advance(5_000);
    expect(monitor.running).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    source.list = [lo];
    monitor.start();
    source.list = [lo, vpn];
    monitor.checkNow();
    expect(monitor.running).toBe(false);
  });

  it('reads a MemoryHost’s interfaces as they gain and lose addresses', () => {
    clock = new FakeClock();
    const net = new MemoryNetwork(clock);
    const laptop = net.host('192.168.1.20', { interfaceName: 'wlan0' });
    monitor = new NetworkMonitor({ clock, source: laptop, pollMs: 1_000 });
    const changes = record(monitor);
    monitor.start();
    laptop.removeAddress('192.168.1.20');
    laptop.addAddress('10.8.0.2', 'tun0');
    clock.advance(1_000);
    expect(changes).toEqual([
      {
        kind: 'interfaces-changed',
        added: [{ name: 'tun0', address: '10.8.0.2', family: 4, internal: false }],
        removed: [{ name: 'wlan0', address: '192.168.1.20', family: 4, internal: false }],
      },
    ]);
  });

  it('rejects a non-positive period', () => {
    clock = new FakeClock();
    monitor = new NetworkMonitor({ clock, source: fakeSource([]), pollMs: 1 });
    expect(() => new NetworkMonitor({ clock, source: fakeSource([]), pollMs: 0 })).toThrow(RangeError);
  });
});
