import { describe, expect, it } from 'vitest';
import { useSettingsStore } from '../../../src-renderer/src/stores/index.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/model/settings.ts';
import { createStoreContext } from '../support/renderer.ts';

function withApp(settings: Settings, app: Partial<Settings['app']>): Settings {
  return { ...settings, app: { ...settings.app, ...app } };
}

describe('useSettingsStore', () => {
  it('has no snapshot, theme system and no language before start', () => {
    const { pinia, bridge } = createStoreContext();
    const store = useSettingsStore(pinia);
    expect(store.snapshot).toBeNull();
    expect(store.theme).toBe('system');
    expect(store.language).toBeNull();
    expect(bridge.calls).toEqual([]);
  });

  it('mirrors settings.get, then every settings.changed', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.settings = withApp(DEFAULT_SETTINGS, { theme: 'light', language: 'zh-CN' });
    const store = useSettingsStore(pinia);
    await store.start();
    expect(store.snapshot).toEqual(bridge.settings);
    expect(store.theme).toBe('light');
    expect(store.language).toBe('zh-CN');

    bridge.emit('settings.changed', withApp(DEFAULT_SETTINGS, { theme: 'dark' }));
    expect(store.theme).toBe('dark');
    expect(store.language).toBe('system');
    store.stop();
  });

  it('keeps a change announced while settings.get is on its way', async () => {
    const { pinia, bridge } = createStoreContext();
    const held = bridge.hold('settings.get');
    const store = useSettingsStore(pinia);
    const starting = store.start();
    // The phone changed the settings and then answered the get: the get's answer is the newer one.
    bridge.settings = withApp(DEFAULT_SETTINGS, { theme: 'dark' });
    bridge.emit('settings.changed', bridge.settings);
    expect(store.theme).toBe('dark');
    held.release();
    await starting;
    expect(store.theme).toBe('dark');
    store.stop();
  });

  it('sends a patch with settings.set and takes the complete answer', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useSettingsStore(pinia);
    await store.start();
    const saving = store.update({ app: { theme: 'dark' } });
    expect(store.saving).toBe(true);
    expect(await saving).toBe(true);
    expect(store.saving).toBe(false);
    expect(bridge.callsOf('settings.set')).toEqual([{ app: { theme: 'dark' } }]);
    expect(store.snapshot).toEqual(withApp(DEFAULT_SETTINGS, { theme: 'dark' }));
    expect(store.saveFailure).toBeNull();
    store.stop();
  });

  it('keeps the snapshot and records the failure when settings.set is refused', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useSettingsStore(pinia);
    await store.start();
    bridge.fail('settings.set', { code: 'storage', message: 'disk full' });
    expect(await store.update({ app: { language: 'zh-CN' } })).toBe(false);
    expect(store.language).toBe('system');
    expect(store.saveFailure).toEqual({ code: 'storage', message: 'disk full' });
    expect(store.saving).toBe(false);

    bridge.override('settings.set', (patch) => {
      bridge.settings = withApp(bridge.settings, patch.app ?? {});
      return Promise.resolve({ ok: true, value: bridge.settings });
    });
    expect(await store.update({ app: { language: 'zh-CN' } })).toBe(true);
    expect(store.saveFailure).toBeNull();
    expect(store.language).toBe('zh-CN');
    store.stop();
  });

  it('records a failed settings.get and keeps listening for changes', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.fail('settings.get', { code: 'unavailable', message: 'bridge closed' });
    const store = useSettingsStore(pinia);
    await store.start();
    expect(store.loadFailure).toEqual({ code: 'unavailable', message: 'bridge closed' });
    expect(store.snapshot).toBeNull();
    bridge.emit('settings.changed', DEFAULT_SETTINGS);
    expect(store.snapshot).toEqual(DEFAULT_SETTINGS);
    store.stop();
  });

  it('subscribes once however often it starts, and stop releases the subscription', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useSettingsStore(pinia);
    await store.start();
    await store.start();
    expect(bridge.listenerCount('settings.changed')).toBe(1);
    store.stop();
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
    bridge.emit('settings.changed', withApp(DEFAULT_SETTINGS, { theme: 'dark' }));
    expect(store.theme).toBe('system');
  });
});
