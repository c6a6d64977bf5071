import { describe, expect, it } from 'vitest';
import {
  LOG_CAPACITY,
  LOG_HISTORY_LIMIT,
  filterLogEntries,
  mergeLogEntries,
  useLogStore,
} from '../../../src-renderer/src/stores/index.ts';
import type { LogEntry, LogLevel } from '../../../src-shared/model/app.ts';
import { createStoreContext } from '../support/renderer.ts';

function entry(seq: number, level: LogLevel = 'info'): LogEntry {
  return { seq, at: 1_000 + seq, level, scope: 'test', message: `line ${seq}` };
}
const seqs = (entries: readonly LogEntry[]): number[] => entries.map((e) => e.seq);

describe('mergeLogEntries', () => {
  it('appends entries that follow the current ones', () => {
    expect(seqs(mergeLogEntries([entry(0), entry(1)], [entry(2), entry(3)]))).toEqual([0, 1, 2, 3]);
  });

  it('merges overlapping history and live entries by seq, each once, in order', () => {
    const live = [entry(5), entry(6)];
    const history = [entry(3), entry(4), entry(5)];
    expect(seqs(mergeLogEntries(live, history))).toEqual([3, 4, 5, 6]);
    expect(seqs(mergeLogEntries([entry(1), entry(3)], [entry(2), entry(0)]))).toEqual([0, 1, 2, 3]);
  });

  it('keeps only the newest `capacity` entries', () => {
    const many = Array.from({ length: 8 }, (_, i) => entry(i));
    expect(seqs(mergeLogEntries(many.slice(0, 5), many.slice(5), 4))).toEqual([4, 5, 6, 7]);
    expect(seqs(mergeLogEntries(many.slice(4), many.slice(0, 4), 3))).toEqual([5, 6, 7]);
  });
});

describe('filterLogEntries', () => {
  const all = [entry(0, 'debug'), entry(1, 'info'), entry(2, 'warn'), entry(3, 'error')];
  it.each([
    ['all', [0, 1, 2, 3]],
    ['debug', [0, 1, 2, 3]],
    ['info', [1, 2, 3]],
    ['warn', [2, 3]],
    ['error', [3]],
  ] as const)('at %s keeps %j', (level, expected) => {
    expect(seqs(filterLogEntries(all, level))).toEqual(expected);
  });
});

describe('useLogStore', () => {
  it('loads the recent history, then appends live entries', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.writeLog('info', 'phone', 'started');
    bridge.writeLog('warn', 'nat', 'no STUN server');
    const store = useLogStore(pinia);
    await store.start();
    expect(bridge.callsOf('app.logHistory')).toEqual([{ limit: LOG_HISTORY_LIMIT }]);
    expect(store.entries.map((e) => e.message)).toEqual(['started', 'no STUN server']);
    bridge.writeLog('error', 'sip', 'timeout');
    expect(store.entries.map((e) => e.message)).toEqual(['started', 'no STUN server', 'timeout']);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('loses nothing logged while the history is on its way, and keeps each entry once', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.writeLog('info', 'phone', 'a');
    const held = bridge.hold('app.logHistory');
    const store = useLogStore(pinia);
    const starting = store.start();
    bridge.writeLog('info', 'phone', 'b');
    expect(seqs(store.entries)).toEqual([1]);
    held.release();
    await starting;
    expect(seqs(store.entries)).toEqual([0, 1]);
    store.stop();
  });

  it('stays bounded', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useLogStore(pinia);
    await store.start();
    for (let i = 0; i < LOG_CAPACITY + 5; i++) bridge.writeLog('debug', 'rtp', `packet ${i}`);
    expect(store.entries).toHaveLength(LOG_CAPACITY);
    expect(store.entries[0]?.seq).toBe(5);
    expect(store.entries.at(-1)?.seq).toBe(LOG_CAPACITY + 4);
    store.stop();
  });

  it('clear empties the view; entries from before it do not come back with the history', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.writeLog('info', 'phone', 'old');
    const store = useLogStore(pinia);
    await store.start();
    store.clear();
    expect(store.entries).toEqual([]);
    store.stop();
    bridge.writeLog('info', 'phone', 'new');
    await store.start();
    expect(store.entries.map((e) => e.message)).toEqual(['new']);
    store.stop();
  });

  it('records a failed history request and still streams', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.fail('app.logHistory', { code: 'unavailable', message: 'bridge closed' });
    const store = useLogStore(pinia);
    await store.start();
    expect(store.failure).toEqual({ code: 'unavailable', message: 'bridge closed' });
    bridge.writeLog('info', 'phone', 'still here');
    expect(store.entries.map((e) => e.message)).toEqual(['still here']);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });
});
