import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import HistoryView from '../../../../src-renderer/src/features/history/HistoryView.vue';
import {
  useContactsStore,
  useAccountsStore,
  useDialPadStore,
  useMissedCallsStore,
  HISTORY_PAGE_SIZE,
} from '../../../../src-renderer/src/stores/index.ts';
import { ICONS, SEARCH_DEBOUNCE_MS } from '../../../../src-renderer/src/ui/index.ts';
import type { HistoryEntry } from '../../../../src-shared/model/history.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { FAKE_HISTORY_NOW, historyEntry } from '../../support/fake-history.ts';
import { accountSnapshot } from '../../support/fake-accounts.ts';

let wrapper: VueWrapper | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: FAKE_HISTORY_NOW + 3_600_000 });
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
});

async function mountHistory(r: TestRenderer = createTestRenderer()) {
  await r.router.push('/history');
  // the app starts the badge before any screen shows
  await useMissedCallsStore(r.pinia).start();
  wrapper = mount(HistoryView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return { r, w: wrapper };
}

const titles = (w: VueWrapper) => w.findAll('.history-item-title').map((t) => t.text());
const button = (w: VueWrapper, name: string) => {
  const found = w.findAll('button').find((b) => (b.attributes('aria-label') ?? b.text().trim()) === name);
  if (!found)
    throw new Error(
      `no button "${name}" in ${w
        .findAll('button')
        .map((b) => b.attributes('aria-label') ?? b.text().trim())
        .join(' | ')}`,
    );
  return found;
};

const ALICE: HistoryEntry = historyEntry({
  id: 'call-alice',
  direction: 'outgoing',
  remoteUri: 'sip:+14155552671@pbx.example;user=phone',
  contact: { id: 'c-alice', name: 'Alice Archer' },
  startedAt: FAKE_HISTORY_NOW,
  answeredAt: FAKE_HISTORY_NOW + 5_000,
  endedAt: FAKE_HISTORY_NOW + 67_000,
  durationMs: 62_000,
  result: 'answered',
  codec: 'opus',
  mediaPath: 'relayed',
});
const MISSED: HistoryEntry = historyEntry({
  id: 'call-missed',
  remoteUri: 'sip:bob@example.com',
  remoteDisplayName: 'Bob',
  startedAt: FAKE_HISTORY_NOW - 60_000,
  result: 'missed',
  seen: false,
});
const BUSY: HistoryEntry = historyEntry({
  id: 'call-busy',
  direction: 'outgoing',
  remoteUri: 'sip:1000@pbx.example',
  startedAt: FAKE_HISTORY_NOW - 120_000,
  result: 'busy',
  sipCode: 486,
  mediaPath: 'direct',
});

describe('HistoryView', () => {
  it('says there are no calls yet on a fresh log', async () => {
    const { w } = await mountHistory();
    expect(w.get('h1').text()).toBe('History');
    expect(w.get('.ui-empty-title').text()).toBe('No calls yet');
    expect(button(w, 'Export CSV').attributes('disabled')).toBeDefined();
  });

  it('shows who, when, how long, codec and media path; missed calls in red', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(ALICE, MISSED, BUSY);
    const { w } = await mountHistory(r);
    expect(titles(w)).toEqual(['Alice Archer', 'Bob', '1000']);
    const rows = w.findAll('.history-item');
    expect(rows[0]!.text()).toContain('+1 415 555 2671');
    expect(rows[0]!.get('.history-item-duration').text()).toBe('Duration 1:02');
    expect(rows[0]!.findAll('.history-item-chip').map((c) => c.text())).toEqual(['opus', 'Relayed']);
    expect(rows[0]!.get('.visually-hidden').text()).toBe(', outgoing call');
    expect(rows[1]!.classes()).toContain('history-item-missed');
    expect(rows[1]!.get('.history-item-outcome').text()).toBe('Missed');
    expect(rows[2]!.get('.history-item-outcome').text()).toBe('Busy (486)');
    expect(rows[2]!.findAll('.history-item-chip').map((c) => c.text())).toEqual(['Direct']);
    expect(rows[0]!.get('time').text()).toBe(
      new Intl.DateTimeFormat('en', { timeStyle: 'short' }).format(FAKE_HISTORY_NOW),
    );
    // only parties not in the address book can be added to it
    expect(rows[0]!.findAll('button').map((b) => b.attributes('aria-label'))).toEqual([
      'Call back Alice Archer',
      'Delete the call with Alice Archer',
    ]);
  });

  it('shows a lock named "Encrypted (SRTP)" on encrypted calls only', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(
      { ...ALICE, encryption: 'srtp' },
      { ...BUSY, encryption: 'none' },
      historyEntry({ id: 'call-old', startedAt: FAKE_HISTORY_NOW - 180_000, encryption: 'unknown' }),
    );
    const { w } = await mountHistory(r);
    const rows = w.findAll('.history-item');
    expect(rows.map((row) => row.attributes('data-call-id'))).toEqual([
      'call-alice',
      'call-busy',
      'call-old',
    ]);
    const locks = rows.map((row) => row.findAll('[role="img"]'));
    expect(locks.map((found) => found.length)).toEqual([1, 0, 0]);
    const lock = locks[0]![0]!;
    expect(lock.attributes('aria-label')).toBe('Encrypted (SRTP)');
    expect(lock.attributes('title')).toBe('The audio of this call was encrypted (SRTP).');
    // The call view's lock icon, hidden from screen readers (the label speaks for it).
    expect(lock.get('svg').attributes('aria-hidden')).toBe('true');
    expect(lock.findAll('path').map((p) => p.attributes('d'))).toEqual([...ICONS.lock]);
    // Not a chip: the codec and media path read as before.
    expect(rows[0]!.findAll('.history-item-chip').map((c) => c.text())).toEqual(['opus', 'Relayed']);
    expect(rows.map((row) => row.text().includes('Encrypted'))).toEqual([false, false, false]);
  });

  it('marks missed calls seen when it is shown, and again when one arrives while it is open', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(MISSED);
    const { w } = await mountHistory(r);
    expect(r.bridge.callsOf('history.markSeen')).toEqual([{}]);
    expect(useMissedCallsStore(r.pinia).count).toBe(0);
    expect(w.find('.history-item-new').exists()).toBe(false);
    r.bridge.history.record(
      historyEntry({ id: 'late', result: 'missed', startedAt: FAKE_HISTORY_NOW + 1000 }),
    );
    await flushPromises();
    expect(r.bridge.callsOf('history.markSeen')).toEqual([{}, {}]);
    expect(useMissedCallsStore(r.pinia).count).toBe(0);
    expect(titles(w)[0]).toBe('1000');
  });

  it('filters by kind, searches after a pause and narrows by dates', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(ALICE, MISSED, BUSY);
    const { w } = await mountHistory(r);
    await w.get('input[type="radio"][value="missed"]').setValue();
    await flushPromises();
    expect(titles(w)).toEqual(['Bob']);
    await w.get('input[type="radio"][value="outgoing"]').setValue();
    await flushPromises();
    expect(titles(w)).toEqual(['Alice Archer', '1000']);
    await w.get('input[type="radio"][value="all"]').setValue();
    await w.get('input[type="search"]').setValue('+1 415');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(titles(w)).toEqual(['Alice Archer']);
    await w.get('input[type="search"]').setValue('zzz');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(w.get('.ui-empty-title').text()).toBe('No calls found');
    await w.get('input[type="search"]').setValue('');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();

    const [from, to] = w.findAll<HTMLInputElement>('input[type="date"]');
    const day = (offsetDays: number) => {
      const d = new Date(FAKE_HISTORY_NOW + offsetDays * 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    await from!.setValue(day(1));
    await from!.trigger('change');
    await flushPromises();
    expect(w.get('.ui-empty-title').text()).toBe('No calls found');
    await to!.setValue(day(-1));
    await to!.trigger('change');
    await flushPromises();
    expect(w.get('.field-error').text()).toBe('The first day is after the last one.');
    await button(w, 'Any date').trigger('click');
    await flushPromises();
    expect(titles(w)).toEqual(['Alice Archer', 'Bob', '1000']);
    expect(r.bridge.callsOf('history.page').at(-1)).toEqual({ filter: {}, limit: 50 });
  });

  it('loads more entries on request', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(
      ...Array.from({ length: HISTORY_PAGE_SIZE + 3 }, (_, i) =>
        historyEntry({
          id: `c${String(i).padStart(3, '0')}`,
          remoteUri: `sip:${2000 + i}@pbx`,
          startedAt: FAKE_HISTORY_NOW - i * 1000,
        }),
      ),
    );
    const { w } = await mountHistory(r);
    expect(titles(w)).toHaveLength(HISTORY_PAGE_SIZE);
    await button(w, 'Show more').trigger('click');
    await flushPromises();
    expect(titles(w)).toHaveLength(HISTORY_PAGE_SIZE + 3);
    expect(w.find('.history-more button').exists()).toBe(false);
    expect(w.get('.history-more').text()).toBe('That is all.');
  });

  it('calls back (the call shows on the Phone screen) and adds a caller to contacts, pre-filled', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(MISSED, BUSY);
    const { w } = await mountHistory(r);
    await button(w, 'Call back 1000').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.dial')).toEqual([{ target: '1000' }]);
    expect(r.router.currentRoute.value.name).toBe('phone');
    expect(useDialPadStore(r.pinia).text).toBe('');

    await r.router.push('/history');
    await button(w, 'Add Bob to contacts').trigger('click');
    await flushPromises();
    expect(r.router.currentRoute.value.name).toBe('contacts');
    expect(useContactsStore(r.pinia).takePendingSeed()).toEqual({
      name: 'Bob',
      address: { kind: 'sip', value: 'sip:bob@example.com' },
    });
  });

  it('leaves the number in the dial pad, with focus on Call, when the phone cannot place the call', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(MISSED, BUSY);
    r.bridge.fail('calls.dial', {
      code: 'unavailable',
      message: 'No account is ready to call from; add or register one first.',
    });
    const { w } = await mountHistory(r);
    await button(w, 'Call back 1000').trigger('click');
    await flushPromises();
    const pad = useDialPadStore(r.pinia);
    expect([pad.text, pad.origin, pad.callFocusPending]).toEqual(['1000', 'history', true]);
    expect(r.router.currentRoute.value.name).toBe('phone');
  });

  it('filters by account when there are several', async () => {
    const r = createTestRenderer();
    r.bridge.accounts.seed(
      accountSnapshot({ id: 'acc-1', label: 'Office' }),
      accountSnapshot({ id: 'acc-2', label: 'Home' }),
    );
    r.bridge.history.seed(
      historyEntry({ id: 'on-office', accountId: 'acc-1', remoteUri: 'sip:1@x' }),
      historyEntry({ id: 'on-home', accountId: 'acc-2', remoteUri: 'sip:2@x', startedAt: 1 }),
    );
    await useAccountsStore(r.pinia).start();
    const { w } = await mountHistory(r);
    const select = w.get<HTMLSelectElement>('[data-testid="history-account"]');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['All accounts', 'Office', 'Home']);
    await select.setValue('acc-2');
    await flushPromises();
    expect(r.bridge.callsOf('history.page').at(-1)).toEqual({ filter: { accountId: 'acc-2' }, limit: 50 });
    expect(w.findAll('[data-call-id]').map((e) => e.attributes('data-call-id'))).toEqual(['on-home']);
  });

  it('deletes one call, clears all after confirming, exports CSV', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(ALICE, MISSED, BUSY);
    const { w } = await mountHistory(r);
    await button(w, 'Delete the call with Bob').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('history.remove')).toEqual([{ id: 'call-missed' }]);
    expect(titles(w)).toEqual(['Alice Archer', '1000']);

    const anchors: string[] = [];
    URL.createObjectURL = () => 'blob:test/csv';
    URL.revokeObjectURL = () => {};
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      anchors.push(this.download);
    });
    await button(w, 'Export CSV').trigger('click');
    await flushPromises();
    expect(anchors).toEqual([
      `call-history-${new Date(FAKE_HISTORY_NOW + 3_600_000).toISOString().slice(0, 10)}.csv`,
    ]);
    expect(w.get('[role="status"]').text()).toBe(`Exported 2 calls to ${anchors[0]}.`);
    click.mockRestore();

    await button(w, 'Clear all').trigger('click');
    await flushPromises();
    const dialog = w.get<HTMLDialogElement>('dialog');
    expect(dialog.element.open).toBe(true);
    expect(dialog.get('h2').text()).toBe('Clear the whole call history?');
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Cancel')!
      .trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('history.clear')).toEqual([]);
    await button(w, 'Clear all').trigger('click');
    await flushPromises();
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Clear history')!
      .trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('history.clear')).toEqual([{}]);
    expect(w.get('.ui-empty-title').text()).toBe('No calls yet');
  });

  it('speaks Chinese', async () => {
    const r = createTestRenderer({ language: 'zh-CN' });
    r.bridge.history.seed(MISSED, { ...ALICE, encryption: 'srtp' });
    const { w } = await mountHistory(r);
    expect(w.get('h1').text()).toBe('通话记录');
    expect(w.findAll('[role="img"]').map((l) => l.attributes('aria-label'))).toEqual(['已加密（SRTP）']);
    expect(w.find('[data-call-id="call-missed"] .history-item-outcome').text()).toBe('未接');
    expect(w.findAll('.history-filters-label').map((l) => l.text())).toEqual([
      '全部',
      '未接',
      '来电',
      '去电',
    ]);
  });

  it('stops following the log when it goes', async () => {
    const { r, w } = await mountHistory();
    expect(r.bridge.listenerCount('history.changed')).toBe(2);
    w.unmount();
    wrapper = undefined;
    useMissedCallsStore(r.pinia).stop();
    expect(r.bridge.listenerCount()).toBe(0);
  });
});
