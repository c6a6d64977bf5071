/**
 * A mirror of the phone log for the Diagnostics view: the recent history (`app.logHistory`) plus the
 * live `app.log` stream, bounded to LOG_CAPACITY entries. `clear()` empties the view only; the phone
 * keeps its log.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { LogEntry } from '../../../src-shared/model/app.ts';
import type { IpcError } from '../../../src-shared/ipc/index.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';
import { LOG_CAPACITY, mergeLogEntries } from './log-buffer.ts';

/** How much history to ask for when the view starts (the contract allows up to 1000). */
export const LOG_HISTORY_LIMIT = 500;

export const useLogStore = defineStore('log', () => {
  const api = usePhoneApi();
  const entries = shallowRef<readonly LogEntry[]>([]);
  const failure = shallowRef<IpcError | null>(null);
  /** Entries up to this seq were cleared from the view. */
  let clearedThrough = -1;
  let unsubscribe: (() => void) | null = null;

  function take(incoming: readonly LogEntry[]): void {
    const fresh = incoming.filter((e) => e.seq > clearedThrough);
    if (fresh.length > 0) entries.value = mergeLogEntries(entries.value, fresh, LOG_CAPACITY);
  }

  async function start(): Promise<void> {
    // subscribe first, so nothing logged while the history is on its way is lost
    unsubscribe ??= api.on('app.log', (entry) => take([entry]));
    try {
      take(await api.call('app.logHistory', { limit: LOG_HISTORY_LIMIT }));
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  function clear(): void {
    clearedThrough = Math.max(clearedThrough, entries.value.at(-1)?.seq ?? -1);
    entries.value = [];
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return { entries, failure, start, clear, stop };
});
