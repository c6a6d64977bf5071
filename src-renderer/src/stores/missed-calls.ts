/**
 * The missed-call badge: how many missed calls the user has not seen, from `history.missedCount` and
 * then every `history.changed` (each carries the current count). `markAllSeen()` is what viewing the
 * History screen does.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { IpcError } from '../../../src-shared/ipc/index.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

export const useMissedCallsStore = defineStore('missedCalls', () => {
  const api = usePhoneApi();
  const count = ref(0);
  const failure = shallowRef<IpcError | null>(null);
  /** Events seen since start: an answer to missedCount older than an event must not overwrite it. */
  let changes = 0;
  let unsubscribe: (() => void) | null = null;

  async function start(): Promise<void> {
    unsubscribe ??= api.on('history.changed', (change) => {
      changes++;
      count.value = change.missedUnseen;
    });
    const before = changes;
    try {
      const answer = await api.call('history.missedCount', {});
      if (changes === before) count.value = answer.missedUnseen;
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  async function markAllSeen(): Promise<void> {
    try {
      const answer = await api.call('history.markSeen', {});
      count.value = answer.missedUnseen;
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return { count, failure, start, markAllSeen, stop };
});
