import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import SipLogView from '../../../../src-renderer/src/features/siplog/SipLogView.vue';
import {
  LADDER_GEOMETRY,
  SIPLOG_LIST_PAGE,
  filterSipLog,
  ladderGeometry,
  methodsOf,
  offsetText,
  shortLabel,
  sipLogFilterOf,
  visibleSipLog,
  EMPTY_SIPLOG_FILTER,
} from '../../../../src-renderer/src/features/siplog/index.ts';
import { ladderOf } from '../../../../src-shared/model/siplog-ladder.ts';
import { SEARCH_DEBOUNCE_MS } from '../../../../src-renderer/src/ui/index.ts';
import { useAccountsStore } from '../../../../src-renderer/src/stores/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { LOCAL, REMOTE, inviteFlow, sipLogEntry } from '../../support/fake-siplog.ts';
import { accountSnapshot } from '../../support/fake-accounts.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
});

describe('SIP log logic', () => {
  const entries = [
    sipLogEntry({
      seq: 0,
      callId: 'reg-1',
      method: 'REGISTER',
      startLine: 'REGISTER sip:pbx.example.com SIP/2.0',
    }),
    ...inviteFlow('call-a', 1),
  ];

  it('filters like the phone and lists the methods', () => {
    expect(sipLogFilterOf({ ...EMPTY_SIPLOG_FILTER, text: '  Ringing ', method: 'INVITE' })).toEqual({
      text: 'Ringing',
      method: 'INVITE',
    });
    expect(filterSipLog(entries, { ...EMPTY_SIPLOG_FILTER, method: 'invite' }).map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(filterSipLog(entries, { ...EMPTY_SIPLOG_FILTER, text: 'ringing' }).map((e) => e.seq)).toEqual([
      3, 4,
    ]);
    expect(filterSipLog(entries, { ...EMPTY_SIPLOG_FILTER, callId: 'reg-1' }).map((e) => e.seq)).toEqual([0]);
    expect(methodsOf(entries)).toEqual(['ACK', 'BYE', 'INVITE', 'REGISTER']);
    expect(visibleSipLog(entries, 3)).toEqual({ entries: entries.slice(6), hidden: 6 });
    expect(visibleSipLog(entries, 100).hidden).toBe(0);
  });

  it('lays the ladder out: a column per address, a row per message, retransmissions dimmed', () => {
    const g = ladderGeometry(ladderOf(entries, 'call-a'));
    const { timeWidth, columnWidth, headerHeight, rowHeight } = LADDER_GEOMETRY;
    expect(g.columns).toEqual([
      { x: timeWidth + columnWidth / 2, address: LOCAL, local: true },
      { x: timeWidth + (columnWidth * 3) / 2, address: REMOTE, local: false },
    ]);
    expect(g.width).toBe(timeWidth + 2 * columnWidth);
    expect(g.arrows.map((a) => [a.label, a.dimmed, a.x1 < a.x2, a.time])).toEqual([
      ['INVITE (SDP)', false, true, '+0.000'],
      ['100 Trying', false, false, '+0.010'],
      ['180 Ringing', false, false, '+0.020'],
      ['180 Ringing', true, false, '+0.030'],
      ['200 OK (SDP)', false, false, '+0.040'],
      ['ACK', false, true, '+0.050'],
      ['BYE', false, true, '+0.060'],
      ['200 OK', false, false, '+0.070'],
    ]);
    expect(g.arrows[1]!.y - g.arrows[0]!.y).toBe(rowHeight);
    expect(g.arrows[0]!.y).toBe(headerHeight + rowHeight * 0.75);
    expect(g.height).toBe(headerHeight + rowHeight * 8 + rowHeight / 2);
    expect(shortLabel('x'.repeat(40))).toBe(`${'x'.repeat(29)}…`);
    expect(offsetText(1234)).toBe('+1.234');
  });
});

async function mountLog(r: TestRenderer) {
  await r.router.push('/diagnostics/sip');
  wrapper = mount(SipLogView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const rows = (w: VueWrapper) => w.findAll('.siplog-row').map((b) => b.get('.siplog-row-line').text());
const select = (w: VueWrapper, label: string) => {
  const found = w.findAll('label').find((l) => l.text() === label);
  if (!found) throw new Error(`no ${label}`);
  return w.get<HTMLSelectElement>(`#${found.attributes('for')}`);
};

describe('SipLogView', () => {
  it('lists the messages live, opens one as text, and draws a call as a ladder whose arrows open their message', async () => {
    const r = createTestRenderer();
    r.bridge.siplog.seed(
      sipLogEntry({
        seq: 0,
        callId: 'reg-1',
        method: 'REGISTER',
        startLine: 'REGISTER sip:pbx.example.com SIP/2.0',
      }),
    );
    const w = await mountLog(r);
    expect(w.get('h1').text()).toBe('SIP log');
    expect(rows(w)).toEqual(['REGISTER sip:pbx.example.com SIP/2.0']);
    r.bridge.siplog.capture(inviteFlow('call-a', 1));
    await flushPromises();
    expect(rows(w)).toHaveLength(9);
    expect(w.get('[data-testid="siplog-count"]').text()).toBe('9 of 9 messages');

    await w.findAll('.siplog-row')[1]!.trigger('click');
    const detail = w.get('[data-testid="siplog-detail"]');
    expect(detail.get('h2').text()).toBe('INVITE sip:2000@pbx.example.com SIP/2.0');
    expect(detail.get('[data-testid="siplog-text"]').text()).toContain('Call-ID: call-a');
    expect(detail.get('[data-testid="siplog-text"]').attributes('tabindex')).toBe('0');

    await detail.get('.siplog-show-ladder').trigger('click');
    await flushPromises();
    expect(select(w, 'Call').element.value).toBe('call-a');
    expect(rows(w)).toHaveLength(8);
    const ladder = w.get('[data-testid="siplog-ladder"]');
    const arrows = ladder.findAll('[role="button"]');
    expect(arrows).toHaveLength(8);
    expect(ladder.attributes('aria-label')).toBe('Ladder diagram, 8 messages');
    expect(arrows[0]!.attributes('aria-pressed')).toBe('true');
    expect(arrows[0]!.attributes('tabindex')).toBe('0');
    expect(arrows[3]!.classes()).toContain('siplog-ladder-dimmed');
    expect(arrows[3]!.attributes('aria-label')).toMatch(
      /180 Ringing again \(retransmission\), from 203\.0\.113\.5:5060 to 192\.168\.1\.20:5060$/,
    );
    expect(ladder.findAll('.siplog-ladder-address').map((t) => t.text())).toEqual([LOCAL, REMOTE]);

    // keyboard: Down moves, End jumps, Enter opens
    (arrows[0]!.element as SVGGElement).focus();
    await arrows[0]!.trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement).toBe(arrows[1]!.element);
    await arrows[1]!.trigger('keydown', { key: 'End' });
    expect(document.activeElement).toBe(arrows[7]!.element);
    await arrows[7]!.trigger('keydown', { key: 'ArrowUp' });
    await arrows[6]!.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(w.get('[data-testid="siplog-detail"] h2').text()).toBe('BYE sip:2000@203.0.113.5:5060 SIP/2.0');
    expect(w.get('[data-testid="siplog-ladder"]').findAll('[role="button"]')[6]!.attributes('tabindex')).toBe(
      '0',
    );
    await w.get('[data-testid="siplog-ladder"]').findAll('[role="button"]')[4]!.trigger('click');
    expect(w.get('[data-testid="siplog-detail"] h2').text()).toBe('SIP/2.0 200 OK');
  });

  it('filters by text, method and account', async () => {
    vi.useFakeTimers();
    const r = createTestRenderer();
    r.bridge.accounts.seed(accountSnapshot({ id: 'acc-1', label: 'Office' }));
    await useAccountsStore(r.pinia).start();
    r.bridge.siplog.seed(
      sipLogEntry({ seq: 0, accountId: 'acc-2', startLine: 'OPTIONS sip:other SIP/2.0' }),
      ...inviteFlow('call-a', 1),
    );
    const w = await mountLog(r);
    expect(
      select(w, 'Method')
        .findAll('option')
        .map((o) => o.text()),
    ).toEqual(['All methods', 'ACK', 'BYE', 'INVITE', 'OPTIONS']);
    await select(w, 'Method').setValue('BYE');
    expect(rows(w)).toEqual(['BYE sip:2000@203.0.113.5:5060 SIP/2.0', 'SIP/2.0 200 OK']);
    await select(w, 'Method').setValue('');
    await select(w, 'Account').setValue('acc-1');
    expect(rows(w)).toHaveLength(8);
    await select(w, 'Account').setValue('');
    const search = w.get<HTMLInputElement>('input[type="search"]');
    await search.setValue('ringing');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(rows(w)).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing']);
    await search.setValue('nothing like this');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(w.text()).toContain('No message matches these filters.');
  });

  it('renders only the newest messages of a long log, more on request', async () => {
    const r = createTestRenderer();
    r.bridge.siplog.seed(
      ...Array.from({ length: SIPLOG_LIST_PAGE + 50 }, (_, seq) =>
        sipLogEntry({ seq, startLine: `OPTIONS sip:n${seq} SIP/2.0` }),
      ),
    );
    const w = await mountLog(r);
    expect(w.findAll('.siplog-row')).toHaveLength(SIPLOG_LIST_PAGE);
    expect(rows(w)[0]).toBe('OPTIONS sip:n50 SIP/2.0');
    const older = w.get('.siplog-older');
    expect(older.text()).toBe('Show older messages (50 more)');
    await older.trigger('click');
    expect(w.findAll('.siplog-row')).toHaveLength(SIPLOG_LIST_PAGE + 50);
    expect(w.find('.siplog-older').exists()).toBe(false);
  });

  it('turns capture off, clears, and exports the chosen call', async () => {
    const r = createTestRenderer();
    r.bridge.siplog.seed(...inviteFlow('call-a', 0));
    const saved: Array<{ name: string; text: string }> = [];
    const createObjectURL = URL.createObjectURL;
    const click = HTMLAnchorElement.prototype.click;
    URL.createObjectURL = () => 'blob:test/siplog';
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, text: '' });
    };
    try {
      const w = await mountLog(r);
      const capture = w.get<HTMLInputElement>('[data-testid="siplog-capture"]');
      expect(capture.element.checked).toBe(true);
      await capture.trigger('change');
      await flushPromises();
      expect(r.bridge.callsOf('siplog.setEnabled')).toEqual([{ enabled: false }]);
      expect(w.text()).toContain('Capture is off: new messages are not kept.');

      await select(w, 'Call').setValue('call-a');
      await w
        .findAll('button')
        .find((b) => b.text() === 'Export this call')!
        .trigger('click');
      await flushPromises();
      expect(r.bridge.callsOf('siplog.export')).toEqual([{ format: 'text', callId: 'call-a' }]);
      expect(saved).toEqual([{ name: 'sip-log-20250616-120000.txt', text: '' }]);
      expect(w.get('[role="status"]').text()).toBe('Exported 8 messages to sip-log-20250616-120000.txt.');

      await w
        .findAll('button')
        .find((b) => b.text() === 'Clear')!
        .trigger('click');
      await flushPromises();
      expect(r.bridge.callsOf('siplog.clear')).toEqual([{}]);
      expect(w.findAll('.siplog-row')).toHaveLength(0);
      expect(w.text()).toContain('No SIP messages yet.');
    } finally {
      URL.createObjectURL = createObjectURL;
      HTMLAnchorElement.prototype.click = click;
    }
    wrapper?.unmount();
    wrapper = undefined;
    expect(r.bridge.listenerCount('siplog.messages')).toBe(0);
  });
});
