import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../../../src-shared/util/emitter.ts';
import { FakeClock, NetworkMonitor } from '../../../src-main/platform/index.ts';
import type { NetworkChange, NetworkInterfaceAddress } from '../../../src-main/platform/index.ts';
import { NatMonitor } from '../../../src-main/nat/index.ts';
import type { NatReportUpdate } from '../../../src-main/nat/index.ts';
import type { NatReport } from '../../../src-shared/model/nat.ts';

const wifi: NetworkInterfaceAddress = { name: 'wlan0', address: '192.168.1.20', family: 4, internal: false };
const lte: NetworkInterfaceAddress = { name: 'wwan0', address: '10.64.0.7', family: 4, internal: false };

function fakeReport(publicAddress: string): NatReport {
  return { publicAddress: { address: publicAddress, port: 1 } } as unknown as NatReport;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

let clock: FakeClock;
let monitor: NatMonitor;

afterEach(() => {
  monitor.dispose();
  expect(monitor.state).toBe('disposed');
  clock.runAll();
  expect(clock.pendingTimers()).toBe(0);
});

describe('NatMonitor', () => {
  it('re-runs the checks once after a burst of network changes settles, and keeps the reports per account', async () => {
    clock = new FakeClock();
    const changes = new Emitter<NetworkChange>();
    const reasons: string[] = [];
    monitor = new NatMonitor({
      clock,
      changes: { onChange: (l) => changes.on(l) },
      debounceMs: 3_000,
      run: async (reason) => {
        reasons.push(reason);
        return new Map([
          ['office', fakeReport('198.51.100.1')],
          ['', fakeReport('198.51.100.1')],
        ]);
      },
    });
    const updates: NatReportUpdate[] = [];
    monitor.onReport((u) => updates.push(u));
    changes.emit({ kind: 'interfaces-changed', added: [], removed: [wifi] });
    clock.advance(1_000);
    changes.emit({ kind: 'interfaces-changed', added: [lte], removed: [] });
    expect(monitor.state).toBe('settling');
    clock.advance(2_999);
    expect(reasons).toEqual([]);
    clock.advance(1);
    await flush();
    expect(reasons).toEqual(['network changed (+10.64.0.7)']);
    expect(updates.map((u) => u.accountId)).toEqual(['office', '']);
    expect(monitor.latest('office')?.publicAddress?.address).toBe('198.51.100.1');
    expect(monitor.state).toBe('idle');
  });

  it('runs once more when the network changes during a run; a resume counts as a change', async () => {
    clock = new FakeClock();
    const changes = new Emitter<NetworkChange>();
    const runs: string[] = [];
    let finish: (() => void) | undefined;
    monitor = new NatMonitor({
      clock,
      changes: { onChange: (l) => changes.on(l) },
      debounceMs: 1_000,
      run: (reason) =>
        new Promise((resolve) => {
          runs.push(reason);
          finish = () => resolve(new Map());
        }),
    });
    changes.emit({ kind: 'resumed', sleptMs: 3_600_000 });
    clock.advance(1_000);
    expect(runs).toEqual(['resumed after 3600 s asleep']);
    expect(monitor.state).toBe('running');
    changes.emit({ kind: 'interfaces-changed', added: [wifi], removed: [] });
    finish?.();
    await flush();
    expect(monitor.state).toBe('settling');
    clock.advance(1_000);
    expect(runs).toEqual(['resumed after 3600 s asleep', 'network changed (+192.168.1.20)']);
    finish?.();
    await flush();
    expect(monitor.state).toBe('idle');
  });

  it('works with the platform NetworkMonitor', async () => {
    clock = new FakeClock();
    let list = [wifi];
    const network = new NetworkMonitor({ clock, source: { interfaces: () => list }, pollMs: 1_000 });
    let runs = 0;
    monitor = new NatMonitor({
      clock,
      changes: network,
      debounceMs: 500,
      run: async () => (runs++, new Map()),
    });
    network.start();
    list = [lte];
    clock.advance(1_000);
    clock.advance(500);
    await flush();
    expect(runs).toBe(1);
    network.dispose();
  });

  it('never runs after dispose', async () => {
    clock = new FakeClock();
    const changes = new Emitter<NetworkChange>();
    let runs = 0;
    monitor = new NatMonitor({
      clock,
      changes: { onChange: (l) => changes.on(l) },
      run: async () => (runs++, new Map()),
    });
    monitor.trigger('manual');
    monitor.dispose();
    changes.emit({ kind: 'resumed', sleptMs: 20_000 });
    clock.advance(10_000);
    expect(runs).toBe(0);
    expect(changes.listenerCount).toBe(0);
  });
});
