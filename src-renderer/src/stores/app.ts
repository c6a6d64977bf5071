/**
 * The phone as a whole: `app.info` (versions, host, data folder) and whether the phone answers at all.
 * `connection` starts `connecting`, becomes `connected` once app.info answers, `unavailable` when it fails
 * (no bridge, or the host refused) — `load()` again to retry.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AppInfo } from '../../../src-shared/model/app.ts';
import type { IpcError } from '../../../src-shared/ipc/index.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

export type PhoneConnection = 'connecting' | 'connected' | 'unavailable';

export const useAppStore = defineStore('app', () => {
  const api = usePhoneApi();
  const info = shallowRef<AppInfo | null>(null);
  const connection = ref<PhoneConnection>('connecting');
  const failure = shallowRef<IpcError | null>(null);

  async function load(): Promise<void> {
    connection.value = 'connecting';
    try {
      info.value = await api.call('app.info', {});
      failure.value = null;
      connection.value = 'connected';
    } catch (error) {
      failure.value = failureOf(error);
      connection.value = 'unavailable';
    }
  }

  return { host: api.host, info, connection, failure, load };
});
