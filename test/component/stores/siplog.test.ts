import { describe, expect, it } from 'vitest';
import { mergeSipLogEntries, useSipLogStore } from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { inviteFlow, sipLogEntry } from '../support/fake-siplog.ts';

const seqs = (entries: readonly { seq: number }[]) => entries.map((e) => e.seq);

describe('mergeSipLogEntries', () => {
  it('appends newer entries, merges overlapping ones by seq, keeps the newest `max`', () => {
    const a = [0, 1, 2].map((seq) => sipLogEntry({ seq }));
    const b = [3, 4].map((seq) => sipLogEntry({ seq }));
    expect(seqs(mergeSipLogEntries(a, b))).toEqual([0, 1, 2, 3, 4]);
    expect(seqs(mergeSipLogEntries(a, b, 3))).toEqual([2, 3, 4]);
    expect(
      seqs(
        mergeSipLogEntries(
          a,
          [2, 3, 1].map((seq) => sipLogEntry({ seq })),
        ),
      ),
    ).toEqual([0, 1, 2, 3]);
    expect(seqs(mergeSipLogEntries(b, a))).toEqual([0, 1, 2, 3, 4]);
    expect(seqs(mergeSipLogEntries(a, []))).toEqual([0, 1, 2]);
  });
});

describe('useSipLogStore', () => {
  it('loads the ring, follows batches, catches up after a skipped batch, and empties on clear', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.siplog.seed(sipLogEntry({ seq: 0 }), sipLogEntry({ seq: 1 }));
    const store = useSipLogStore(pinia);
    await store.start();
    expect(seqs(store.entries)).toEqual([0, 1]);
    expect(store.status?.messages).toBe(2);

    bridge.siplog.capture(inviteFlow('call-a', 2));
    expect(seqs(store.entries)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // a storm: the batch carries the last two of five, and says three were skipped
    bridge.siplog.capture(
      [10, 11, 12, 13, 14].map((seq) => sipLogEntry({ seq })),
      3,
    );
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(bridge.callsOf('siplog.recent').at(-1)).toEqual({ afterSeq: 9 });
    expect(seqs(store.entries).slice(-5)).toEqual([10, 11, 12, 13, 14]);

    const cleared = await store.clear();
    expect(cleared.ok).toBe(true);
    expect(store.entries).toEqual([]);
    expect(store.status?.messages).toBe(0);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('turns capture off and on, exports through the phone', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.siplog.seed(...inviteFlow('call-a', 0));
    const store = useSipLogStore(pinia);
    await store.start();
    await store.setEnabled(false);
    expect(store.status?.enabled).toBe(false);
    expect(bridge.callsOf('siplog.setEnabled')).toEqual([{ enabled: false }]);
    const exported = await store.exportLog({ format: 'json', callId: 'call-a' });
    expect(exported.ok && exported.value.messages).toBe(8);
    expect(exported.ok && exported.value.fileName).toBe('sip-log-20250616-120000.json');
    store.stop();
  });

  it('merges a batch that arrived while the ring was read', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.siplog.seed(sipLogEntry({ seq: 0 }));
    const held = bridge.hold('siplog.recent');
    const store = useSipLogStore(pinia);
    const starting = store.start();
    bridge.siplog.capture([sipLogEntry({ seq: 1 })]);
    held.release();
    await starting;
    expect(seqs(store.entries)).toEqual([0, 1]);
    store.stop();
  });
});
