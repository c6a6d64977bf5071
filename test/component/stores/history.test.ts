import { describe, expect, it } from 'vitest';
import {
  applyHistoryChange,
  historyFilterOf,
  isFiltered,
  useHistoryStore,
  EMPTY_HISTORY_FILTER,
  HISTORY_PAGE_SIZE,
} from '../../../src-renderer/src/stores/index.ts';
import type { HistoryEntry } from '../../../src-shared/model/history.ts';
import { createStoreContext } from '../support/renderer.ts';
import { FAKE_HISTORY_NOW, historyEntry } from '../support/fake-history.ts';

const ids = (entries: readonly HistoryEntry[]) => entries.map((e) => e.id);
const flush = () => new Promise((r) => setTimeout(r, 0));

/** `count` calls one minute apart, newest (id c000) first. */
function calls(count: number): HistoryEntry[] {
  return Array.from({ length: count }, (_, i) =>
    historyEntry({ id: `c${String(i).padStart(3, '0')}`, startedAt: FAKE_HISTORY_NOW - i * 60_000 }),
  );
}

describe('historyFilterOf', () => {
  it('leaves out what does not narrow the list', () => {
    expect(historyFilterOf(EMPTY_HISTORY_FILTER)).toEqual({});
    expect(isFiltered(EMPTY_HISTORY_FILTER)).toBe(false);
    expect(
      historyFilterOf({ kind: 'missed', search: '  +49 30 ', from: 10, to: 20, accountId: 'a1' }),
    ).toEqual({
      kind: 'missed',
      search: '+49 30',
      from: 10,
      to: 20,
      accountId: 'a1',
    });
    expect(historyFilterOf({ ...EMPTY_HISTORY_FILTER, search: 'x'.repeat(150) }).search).toHaveLength(100);
    expect(isFiltered({ ...EMPTY_HISTORY_FILTER, search: '   ' })).toBe(false);
  });
});

describe('applyHistoryChange', () => {
  const loaded = [
    historyEntry({ id: 'a', result: 'missed', seen: false }),
    historyEntry({ id: 'b', result: 'missed', seen: false }),
    historyEntry({ id: 'c', result: 'answered', seen: false }),
  ];
  it('replaces a loaded row, asks for a reload for a new one', () => {
    const answered = historyEntry({ id: 'b', result: 'answered' });
    expect(
      applyHistoryChange(loaded, { reason: 'call-ended', ids: ['b'], entry: answered, missedUnseen: 1 })?.[1],
    ).toBe(answered);
    const fresh = historyEntry({ id: 'z' });
    expect(
      applyHistoryChange(loaded, { reason: 'call-started', ids: ['z'], entry: fresh, missedUnseen: 3 }),
    ).toBeNull();
  });
  it('marks missed calls seen, drops removed ones, empties on clear', () => {
    const seenOne = applyHistoryChange(loaded, { reason: 'seen', ids: ['a'], entry: null, missedUnseen: 1 });
    expect(seenOne?.map((e) => e.seen)).toEqual([true, false, false]);
    const seenAll = applyHistoryChange(loaded, { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    expect(seenAll?.map((e) => e.seen)).toEqual([true, true, false]);
    expect(
      ids(applyHistoryChange(loaded, { reason: 'removed', ids: ['b'], entry: null, missedUnseen: 1 }) ?? []),
    ).toEqual(['a', 'c']);
    expect(
      applyHistoryChange(loaded, { reason: 'removed', ids: null, entry: null, missedUnseen: 1 }),
    ).toBeNull();
    expect(
      applyHistoryChange(loaded, { reason: 'cleared', ids: null, entry: null, missedUnseen: 0 }),
    ).toEqual([]);
  });
});

describe('useHistoryStore', () => {
  it('loads page by page with the keyset cursor', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(...calls(HISTORY_PAGE_SIZE + 7));
    const store = useHistoryStore(pinia);
    await store.start();
    expect(store.entries).toHaveLength(HISTORY_PAGE_SIZE);
    expect(store.nextCursor).toEqual({ startedAt: FAKE_HISTORY_NOW - 49 * 60_000, id: 'c049' });
    await store.loadMore();
    expect(store.entries).toHaveLength(HISTORY_PAGE_SIZE + 7);
    expect(store.entries.at(-1)?.id).toBe('c056');
    expect(store.nextCursor).toBeNull();
    expect(bridge.callsOf('history.page')).toEqual([
      { filter: {}, limit: 50 },
      { filter: {}, cursor: { startedAt: FAKE_HISTORY_NOW - 49 * 60_000, id: 'c049' }, limit: 50 },
    ]);
    await store.loadMore();
    expect(bridge.callsOf('history.page')).toHaveLength(2);
    store.stop();
  });

  it('reads again from the top when the filter changes, dropping answers for the old filter', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(
      historyEntry({ id: 'in', direction: 'incoming', result: 'answered', startedAt: FAKE_HISTORY_NOW }),
      historyEntry({
        id: 'out',
        direction: 'outgoing',
        result: 'answered',
        startedAt: FAKE_HISTORY_NOW - 1000,
      }),
      historyEntry({
        id: 'miss',
        direction: 'incoming',
        result: 'missed',
        startedAt: FAKE_HISTORY_NOW - 2000,
      }),
    );
    const store = useHistoryStore(pinia);
    await store.start();
    const held = bridge.hold('history.page');
    const first = store.setFilter({ kind: 'outgoing' });
    bridge.restore('history.page');
    await store.setFilter({ kind: 'missed' });
    held.release();
    await first;
    expect(ids(store.entries)).toEqual(['miss']);
    expect(store.filter.kind).toBe('missed');
    await store.setFilter({ kind: 'all', from: FAKE_HISTORY_NOW - 1500, to: FAKE_HISTORY_NOW + 1 });
    expect(ids(store.entries)).toEqual(['in', 'out']);
    store.stop();
  });

  it('follows history.changed: new calls, seen, removed, cleared', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(historyEntry({ id: 'old', startedAt: FAKE_HISTORY_NOW - 60_000 }));
    const store = useHistoryStore(pinia);
    await store.start();
    bridge.history.record(historyEntry({ id: 'new', startedAt: FAKE_HISTORY_NOW }));
    await flush();
    expect(ids(store.entries)).toEqual(['new', 'old']);
    expect(bridge.callsOf('history.page').at(-1)).toEqual({ filter: {}, limit: 50 });

    bridge.history.record(
      historyEntry({ id: 'new', startedAt: FAKE_HISTORY_NOW, result: 'answered', durationMs: 5000 }),
    );
    expect(store.entries[0]?.result).toBe('answered');
    await bridge.commands['history.markSeen']({});
    expect(store.entries.map((e) => e.seen)).toEqual([false, true]);
    await store.remove('old');
    expect(ids(store.entries)).toEqual(['new']);
    expect(await store.clear()).toEqual({ ok: true, value: { removed: 1 } });
    expect(store.entries).toEqual([]);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('applies changes announced while a page was on its way (the page may predate them)', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(
      historyEntry({ id: 'm1', result: 'missed' }),
      historyEntry({ id: 'm2', result: 'missed', startedAt: 1 }),
    );
    const store = useHistoryStore(pinia);
    const held = bridge.hold('history.page');
    const starting = store.start();
    // the page was read before the calls were marked seen and one was deleted
    bridge.emit('history.changed', { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    bridge.emit('history.changed', { reason: 'removed', ids: ['m2'], entry: null, missedUnseen: 0 });
    held.release();
    await starting;
    expect(store.entries.map((e) => [e.id, e.seen])).toEqual([['m1', true]]);
    store.stop();
  });

  it('exports the filtered log as CSV and reports failures as values', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(
      historyEntry({ id: 'm1', result: 'missed' }),
      historyEntry({ id: 'a1', result: 'answered', startedAt: 1 }),
    );
    const store = useHistoryStore(pinia);
    await store.start();
    await store.setFilter({ kind: 'missed' });
    const csv = await store.exportCsv();
    expect(csv.ok && csv.value.rows).toBe(1);
    expect(bridge.callsOf('history.exportCsv')).toEqual([{ filter: { kind: 'missed' } }]);
    bridge.fail('history.page', { code: 'storage', message: 'disk I/O error' });
    await store.load();
    expect(store.failure).toEqual({ code: 'storage', message: 'disk I/O error' });
    expect(ids(store.entries)).toEqual(['m1']);
    store.stop();
  });
});
