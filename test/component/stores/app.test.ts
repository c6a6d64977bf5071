import { describe, expect, it } from 'vitest';
import { useAppStore } from '../../../src-renderer/src/stores/index.ts';
import { FAKE_APP_INFO } from '../support/fake-bridge.ts';
import { createStoreContext } from '../support/renderer.ts';

describe('useAppStore', () => {
  it('starts connecting, then holds app.info and is connected', async () => {
    const { bridge, pinia } = createStoreContext();
    const store = useAppStore(pinia);
    expect(store.connection).toBe('connecting');
    expect(store.info).toBeNull();
    expect(store.host).toBe('test-host');
    const loading = store.load();
    expect(store.connection).toBe('connecting');
    await loading;
    expect(store.connection).toBe('connected');
    expect(store.info).toEqual(FAKE_APP_INFO);
    expect(store.failure).toBeNull();
    expect(bridge.callsOf('app.info')).toEqual([{}]);
  });

  it('is unavailable with the failure when app.info fails, and recovers on retry', async () => {
    const { bridge, pinia } = createStoreContext();
    bridge.fail('app.info', { code: 'forbidden', message: 'sender is not allowed to use the phone API' });
    const store = useAppStore(pinia);
    await store.load();
    expect(store.connection).toBe('unavailable');
    expect(store.info).toBeNull();
    expect(store.failure).toEqual({
      code: 'forbidden',
      message: 'sender is not allowed to use the phone API',
    });

    bridge.override('app.info', () => Promise.resolve({ ok: true, value: FAKE_APP_INFO }));
    await store.load();
    expect(store.connection).toBe('connected');
    expect(store.failure).toBeNull();
    expect(store.info?.dataDir).toBe(FAKE_APP_INFO.dataDir);
  });
});
