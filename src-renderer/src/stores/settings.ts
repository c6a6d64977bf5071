/**
 * A mirror of the phone's settings. `start()` subscribes to `settings.changed` and fetches the snapshot;
 * `update(patch)` sends `settings.set` and takes the complete settings it answers. Both the answers and
 * the events are full snapshots and arrive in the order the phone produced them, so the last one to
 * arrive is the current one — no merging here.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Language, Settings, SettingsPatch, Theme } from '../../../src-shared/model/settings.ts';
import type { IpcError } from '../../../src-shared/ipc/index.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

export const useSettingsStore = defineStore('settings', () => {
  const api = usePhoneApi();
  const snapshot = shallowRef<Settings | null>(null);
  const loadFailure = shallowRef<IpcError | null>(null);
  const saveFailure = shallowRef<IpcError | null>(null);
  const pendingSaves = ref(0);
  let unsubscribe: (() => void) | null = null;

  /** The theme to show; `system` until the settings are known. */
  const theme = computed<Theme>(() => snapshot.value?.app.theme ?? 'system');
  /** The language setting, or null until the settings are known (the UI then follows the OS). */
  const language = computed<Language | null>(() => snapshot.value?.app.language ?? null);
  const saving = computed(() => pendingSaves.value > 0);

  async function start(): Promise<void> {
    unsubscribe ??= api.on('settings.changed', (settings) => {
      snapshot.value = settings;
    });
    try {
      snapshot.value = await api.call('settings.get', {});
      loadFailure.value = null;
    } catch (error) {
      loadFailure.value = failureOf(error);
    }
  }

  /** Sends the change; answers null when the phone took it, otherwise why not (also in `saveFailure`). */
  async function save(patch: SettingsPatch): Promise<IpcError | null> {
    pendingSaves.value++;
    try {
      snapshot.value = await api.call('settings.set', patch);
      saveFailure.value = null;
      return null;
    } catch (error) {
      const failure = failureOf(error);
      saveFailure.value = failure;
      return failure;
    } finally {
      pendingSaves.value--;
    }
  }

  /** Sends the change; answers whether the phone accepted it (the reason is in `saveFailure`). */
  async function update(patch: SettingsPatch): Promise<boolean> {
    return (await save(patch)) === null;
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return { snapshot, loadFailure, saveFailure, theme, language, saving, start, save, update, stop };
});
