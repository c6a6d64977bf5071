import { describe, expect, it } from 'vitest';
import { useMissedCallsStore } from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { historyEntry } from '../support/fake-history.ts';

describe('useMissedCallsStore', () => {
  it('starts from history.missedCount and follows every history.changed', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(historyEntry({ id: 'm1' }), historyEntry({ id: 'm2', seen: true }));
    const store = useMissedCallsStore(pinia);
    await store.start();
    expect(store.count).toBe(1);
    bridge.history.record(historyEntry({ id: 'm3' }));
    expect(store.count).toBe(2);
    await store.markAllSeen();
    expect(store.count).toBe(0);
    expect(bridge.callsOf('history.markSeen')).toEqual([{}]);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('keeps an event that overtook the missedCount answer', async () => {
    const { pinia, bridge } = createStoreContext();
    const held = bridge.hold('history.missedCount');
    const store = useMissedCallsStore(pinia);
    const starting = store.start();
    bridge.history.record(historyEntry({ id: 'm1' }));
    bridge.history.record(historyEntry({ id: 'm2' }));
    expect(store.count).toBe(2);
    // the held answer was computed before the calls arrived
    bridge.override('history.missedCount', () => Promise.resolve({ ok: true, value: { missedUnseen: 0 } }));
    held.release();
    await starting;
    expect(store.count).toBe(2);
    store.stop();
  });

  it('records why it could not read the count', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.fail('history.missedCount', { code: 'unavailable', message: 'no store' });
    const store = useMissedCallsStore(pinia);
    await store.start();
    expect(store.count).toBe(0);
    expect(store.failure).toEqual({ code: 'unavailable', message: 'no store' });
    store.stop();
  });
});
