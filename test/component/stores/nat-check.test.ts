import { describe, expect, it } from 'vitest';
import { useNatCheckStore } from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { FAKE_NAT_PROGRESS, fakeNatReport } from '../support/fake-nat.ts';

describe('useNatCheckStore', () => {
  it('loads the last report (none yet) and runs a check with live progress', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useNatCheckStore(pinia);
    await store.start();
    expect(store.loaded).toBe(true);
    expect(store.report).toBeNull();

    const held = bridge.hold('diagnostics.run');
    const running = store.run({ stun: ['stun:127.0.0.1:3478'], lifetime: false });
    expect(store.running).toBe(true);
    bridge.emit('diagnostics.progress', { step: 'servers', detail: 'found 1 STUN server' });
    expect(store.progress).toEqual([{ step: 'servers', detail: 'found 1 STUN server' }]);
    held.release();
    expect(await running).toBe(true);
    expect(store.running).toBe(false);
    expect(store.report).toEqual(bridge.nat.report);
    expect(store.progress).toEqual([
      { step: 'servers', detail: 'found 1 STUN server' },
      ...FAKE_NAT_PROGRESS,
    ]);
    expect(bridge.callsOf('diagnostics.run')).toEqual([{ stun: ['stun:127.0.0.1:3478'], lifetime: false }]);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('shows a check the phone re-ran by itself, and keeps a report newer than the lastReport answer', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.nat.lastReport = fakeNatReport({ durationMs: 1 });
    const held = bridge.hold('diagnostics.lastReport');
    const store = useNatCheckStore(pinia);
    const starting = store.start();
    bridge.emit('diagnostics.progress', { step: 'stun', detail: 'network changed' });
    expect(store.running).toBe(true);
    const rerun = fakeNatReport({ durationMs: 2 });
    bridge.emit('diagnostics.report', rerun);
    expect(store.running).toBe(false);
    held.release();
    await starting;
    expect(store.report?.durationMs).toBe(2);
    store.stop();
  });

  it('keeps the previous report and says why when a run fails; refuses a second run meanwhile', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.nat.lastReport = fakeNatReport();
    const store = useNatCheckStore(pinia);
    await store.start();
    bridge.fail('diagnostics.run', {
      code: 'conflict',
      message: 'A NAT check is already running; wait for its report.',
    });
    const first = store.run({});
    expect(await store.run({})).toBe(false);
    expect(await first).toBe(false);
    expect(store.running).toBe(false);
    expect(store.failure?.code).toBe('conflict');
    expect(store.report).toEqual(bridge.nat.lastReport);
    expect(bridge.callsOf('diagnostics.run')).toHaveLength(1);
    store.stop();
  });
});
