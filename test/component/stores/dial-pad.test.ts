import { describe, expect, it } from 'vitest';
import {
  recentNumbersOf,
  useDialPadStore,
  useDialSuggestionsStore,
} from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { FAKE_HISTORY_NOW, historyEntry } from '../support/fake-history.ts';

describe('useDialPadStore', () => {
  it('is filled by other screens without dialling, and asks once for focus on Call', () => {
    const { pinia, bridge } = createStoreContext();
    const pad = useDialPadStore(pinia);
    pad.prefill(' tel:+1 (415) 555-2671 ', 'link');
    expect(pad.text).toBe('+14155552671');
    expect(pad.origin).toBe('link');
    expect(pad.takeCallFocus()).toBe(true);
    expect(pad.takeCallFocus()).toBe(false);
    pad.prefill('sip:alice@example.com', 'contact');
    expect(pad.text).toBe('sip:alice@example.com');
    pad.setText('12');
    expect(pad.origin).toBe('typed');
    expect(bridge.calls).toEqual([]);
  });
});

describe('recentNumbersOf', () => {
  it('lists each party once, latest first, without anonymous callers', () => {
    const entries = [
      historyEntry({
        id: '1',
        direction: 'outgoing',
        remoteUri: 'sip:+4930123456@pbx.example;user=phone',
        startedAt: 5,
      }),
      historyEntry({
        id: '2',
        direction: 'incoming',
        remoteUri: 'sip:anonymous@anonymous.invalid',
        startedAt: 4,
      }),
      historyEntry({ id: '3', direction: 'incoming', remoteUri: 'tel:+49-30-123456', startedAt: 3 }),
      historyEntry({
        id: '4',
        direction: 'incoming',
        remoteUri: 'sip:alice@example.com',
        remoteDisplayName: 'Alice',
        startedAt: 2,
      }),
      historyEntry({
        id: '5',
        remoteUri: 'sip:1000@pbx',
        contact: { id: 'c1', name: 'Reception' },
        startedAt: 1,
      }),
    ];
    expect(recentNumbersOf(entries)).toEqual([
      { target: '+4930123456', name: null, direction: 'outgoing', at: 5 },
      { target: 'sip:alice@example.com', name: 'Alice', direction: 'incoming', at: 2 },
      { target: '1000', name: 'Reception', direction: 'incoming', at: 1 },
    ]);
    expect(recentNumbersOf(entries, 1)).toHaveLength(1);
  });
});

describe('useDialSuggestionsStore', () => {
  it('reads recent numbers from the call log and contacts matching what is typed', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.history.seed(
      historyEntry({
        id: 'x',
        direction: 'outgoing',
        remoteUri: 'sip:2000@pbx',
        startedAt: FAKE_HISTORY_NOW,
      }),
    );
    bridge.contacts.seed({ name: 'Anna', addresses: [{ kind: 'tel', value: '+49 30 1234', label: 'work' }] });
    bridge.contacts.seed({ name: 'Annabel' });
    const store = useDialSuggestionsStore(pinia);
    await store.loadRecent();
    expect(store.recent.map((r) => r.target)).toEqual(['2000']);
    await store.suggest('ann');
    expect(store.contacts.map((c) => c.name)).toEqual(['Anna']);
    expect(bridge.callsOf('contacts.list')).toEqual([{ search: 'ann', limit: 5 }]);
    await store.suggest('');
    expect(store.contacts).toEqual([]);
    bridge.fail('history.page', { code: 'unavailable', message: 'x' });
    await store.loadRecent();
    expect(store.recent).toEqual([]);
  });
});
