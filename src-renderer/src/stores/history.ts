/**
 * A mirror of the call log as the History screen shows it: the pages loaded so far for the current
 * filter (newest first, keyset cursor from the phone), kept in step with `history.changed`:
 *   a call's row changed  → replaced in place when loaded, otherwise the loaded part is re-read
 *   seen                  → the named entries (or every missed one) are marked seen
 *   removed / cleared     → dropped
 * Answers for an older filter are dropped, so the list never mixes two filters.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { IpcError, IpcResult } from '../../../src-shared/ipc/index.ts';
import {
  HISTORY_PAGE_MAX,
  type HistoryChange,
  type HistoryCursor,
  type HistoryEntry,
} from '../../../src-shared/model/history.ts';
import { assertNever } from '../../../src-shared/util/emitter.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';
import { EMPTY_HISTORY_FILTER, historyFilterOf, type HistoryFilterState } from './history-filter.ts';

/** Entries per page. */
export const HISTORY_PAGE_SIZE = 50;

/** The loaded entries after a change event, or null when the list must be read again. */
export function applyHistoryChange(
  entries: readonly HistoryEntry[],
  change: HistoryChange,
): HistoryEntry[] | null {
  switch (change.reason) {
    case 'call-started':
    case 'call-answered':
    case 'call-ended': {
      const entry = change.entry;
      const at = entry ? entries.findIndex((e) => e.id === entry.id) : -1;
      if (!entry || at < 0) return null;
      const next = [...entries];
      next[at] = entry;
      return next;
    }
    case 'seen': {
      const ids = change.ids ? new Set(change.ids) : null;
      return entries.map((e) =>
        e.result === 'missed' && !e.seen && (ids === null || ids.has(e.id)) ? { ...e, seen: true } : e,
      );
    }
    case 'removed': {
      if (change.ids === null) return null;
      const ids = new Set(change.ids);
      return entries.filter((e) => !ids.has(e.id));
    }
    case 'cleared':
      return [];
    default:
      return assertNever(change.reason, 'history change');
  }
}

export const useHistoryStore = defineStore('history', () => {
  const api = usePhoneApi();
  const filter = ref<HistoryFilterState>({ ...EMPTY_HISTORY_FILTER });
  const entries = shallowRef<readonly HistoryEntry[]>([]);
  const nextCursor = shallowRef<HistoryCursor | null>(null);
  const loaded = ref(false);
  const loading = ref(false);
  const loadingMore = ref(false);
  const failure = shallowRef<IpcError | null>(null);
  let generation = 0;
  let unsubscribe: (() => void) | null = null;
  /** Changes announced while a page was on its way: the page may predate them. */
  let changesDuringLoad: HistoryChange[] = [];

  /** Reads the first `limit` entries for the current filter (replacing what is loaded). */
  async function load(limit = HISTORY_PAGE_SIZE): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    changesDuringLoad = [];
    try {
      const page = await api.call('history.page', { filter: historyFilterOf(filter.value), limit });
      if (mine !== generation) return;
      let next: HistoryEntry[] | null = page.entries;
      for (const change of changesDuringLoad.splice(0)) next = next && applyHistoryChange(next, change);
      entries.value = next ?? page.entries;
      nextCursor.value = page.nextCursor;
      failure.value = null;
      loaded.value = true;
      if (next === null) void refresh();
    } catch (error) {
      if (mine === generation) failure.value = failureOf(error);
    } finally {
      if (mine === generation) {
        loading.value = false;
        loadingMore.value = false;
      }
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (cursor === null || loadingMore.value || loading.value) return;
    const mine = generation;
    loadingMore.value = true;
    try {
      const page = await api.call('history.page', {
        filter: historyFilterOf(filter.value),
        cursor,
        limit: HISTORY_PAGE_SIZE,
      });
      if (mine !== generation) return;
      const known = new Set(entries.value.map((e) => e.id));
      entries.value = [...entries.value, ...page.entries.filter((e) => !known.has(e.id))];
      nextCursor.value = page.nextCursor;
      failure.value = null;
    } catch (error) {
      if (mine === generation) failure.value = failureOf(error);
    } finally {
      if (mine === generation) loadingMore.value = false;
    }
  }

  /** Reads again as much as is loaded (after a change the list cannot follow by itself). */
  function refresh(): Promise<void> {
    return load(Math.min(HISTORY_PAGE_MAX, Math.max(HISTORY_PAGE_SIZE, entries.value.length)));
  }

  function onChanged(change: HistoryChange): void {
    if (loading.value) changesDuringLoad.push(change);
    if (!loaded.value) return;
    const next = applyHistoryChange(entries.value, change);
    if (next === null) void refresh();
    else entries.value = next;
  }

  async function start(): Promise<void> {
    unsubscribe ??= api.on('history.changed', onChanged);
    await load();
  }

  function setFilter(patch: Partial<HistoryFilterState>): Promise<void> {
    filter.value = { ...filter.value, ...patch };
    return load();
  }

  async function result<T>(run: () => Promise<T>): Promise<IpcResult<T>> {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  const remove = (id: string) => result(() => api.call('history.remove', { id }));
  const clear = () => result(() => api.call('history.clear', {}));
  /** The entries matching the current filter as CSV. */
  const exportCsv = () =>
    result(() => api.call('history.exportCsv', { filter: historyFilterOf(filter.value) }));

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return {
    filter,
    entries,
    nextCursor,
    loaded,
    loading,
    loadingMore,
    failure,
    start,
    load,
    loadMore,
    refresh,
    setFilter,
    remove,
    clear,
    exportCsv,
    stop,
  };
});
