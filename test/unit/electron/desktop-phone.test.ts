import { afterEach, describe, expect, it, vi } from 'vitest';
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type { HistoryEntry } from '../../../src-shared/model/history.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import type { Phone } from '../../../src-main/phone/index.ts';
import {
  createDesktopPhoneAdapter,
  describeRegistrationReason,
} from '../../../src-main/electron/desktop-phone.ts';
import {
  contractWithoutAppRequests,
  emitRaw,
  futureContract,
  installCallHandlers,
  testPhone,
} from './support/phone-fixture.ts';

let phone: Phone | undefined;
afterEach(async () => {
  await phone?.close();
  phone = undefined;
});

function setup(future = false) {
  const made = testPhone();
  phone = made.phone;
  const adapter = createDesktopPhoneAdapter(made.phone, future ? { contract: futureContract } : {});
  const warnings = () =>
    made.phone.log
      .recent(100)
      .filter((e) => e.level !== 'info' && e.level !== 'debug')
      .map((e) => e.message);
  return { phone: made.phone, adapter, warnings, baseline: made.phone.events.listenerCount };
}

function historyEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'h1',
    direction: 'incoming',
    accountId: 'office',
    remoteUri: 'sip:1001@lab.test',
    remoteDisplayName: 'Alice',
    startedAt: 1,
    answeredAt: null,
    endedAt: 2,
    durationMs: 0,
    result: 'missed',
    completion: 'completed',
    sipCode: 487,
    reason: null,
    codec: null,
    mediaPath: 'unknown',
    encryption: 'none',
    mos: null,
    seen: false,
    contact: null,
    ...over,
  };
}

describe('describeRegistrationReason', () => {
  it.each([
    ['403 Forbidden', '403 Forbidden'],
    [{ code: 403, reason: 'Forbidden' }, '403 Forbidden'],
    [{ status: 408 }, '408'],
    [{ message: 'DNS lookup failed' }, 'DNS lookup failed'],
    [503, '503'],
    ['  bad\r\nline\u202E ', 'bad line'],
    [{}, undefined],
    [null, undefined],
    ['', undefined],
  ])('%j → %s', (reason, text) => {
    expect(describeRegistrationReason(reason)).toBe(text);
  });
});

describe('createDesktopPhoneAdapter: events', () => {
  it('maps accounts.changed snapshots and ignores fields it does not use', () => {
    const { phone, adapter } = setup();
    const seen = vi.fn();
    const sub = adapter.onAccounts(seen);
    emitRaw(phone, 'accounts.changed', [
      {
        id: 'office',
        label: 'Office',
        aor: 'sip:1000@lab.test',
        enabled: true,
        registration: { state: 'registered', expiresAt: 5 },
      },
      {
        id: 'home',
        label: 'Home',
        aor: 'sip:2000@lab.test',
        registration: { state: 'failed', reason: { code: 403, reason: 'Forbidden' } },
      },
    ]);
    expect(seen).toHaveBeenCalledExactlyOnceWith([
      { id: 'office', label: 'Office', aor: 'sip:1000@lab.test', registration: { state: 'registered' } },
      {
        id: 'home',
        label: 'Home',
        aor: 'sip:2000@lab.test',
        registration: { state: 'failed', reason: '403 Forbidden' },
      },
    ]);
    sub.dispose();
  });

  it('logs payloads it does not understand and passes nothing on', () => {
    const { phone, adapter, warnings } = setup();
    const seen = vi.fn();
    const sub = adapter.onAccounts(seen);
    emitRaw(phone, 'accounts.changed', [
      { id: 'x', label: 'X', aor: 'sip:x@y', registration: { state: 'confused' } },
    ]);
    expect(seen).not.toHaveBeenCalled();
    expect(warnings()).toEqual([expect.stringMatching(/^accounts\.changed: payload not understood/)]);
    sub.dispose();
  });

  it('maps calls.changed snapshots', () => {
    const { phone, adapter } = setup();
    const seen = vi.fn();
    const sub = adapter.onCall(seen);
    emitRaw(phone, 'calls.changed', {
      id: 'c1',
      accountId: 'office',
      direction: 'incoming',
      remote: { uri: 'sip:1001@lab.test', displayName: null },
      state: 'ringing',
      startedAt: 1,
    });
    emitRaw(phone, 'calls.changed', {
      id: 'c1',
      direction: 'incoming',
      remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' },
      state: 'active',
      muted: true,
    });
    emitRaw(phone, 'calls.changed', {
      id: 'c2',
      direction: 'incoming',
      remote: { uri: 'sip:1002@lab.test' },
      state: 'ringing',
      replaces: 'c1',
    });
    expect(seen.mock.calls.map((c) => c[0])).toEqual([
      {
        id: 'c1',
        accountId: 'office',
        direction: 'incoming',
        remote: { uri: 'sip:1001@lab.test' },
        state: 'ringing',
        muted: false,
      },
      {
        id: 'c1',
        direction: 'incoming',
        remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' },
        state: 'active',
        muted: true,
      },
      {
        id: 'c2',
        direction: 'incoming',
        remote: { uri: 'sip:1002@lab.test' },
        state: 'ringing',
        muted: false,
        replaces: 'c1',
      },
    ]);
    sub.dispose();
  });

  it('takes the missed-call count and the missed calls from history.changed', () => {
    const { phone, adapter } = setup();
    const counts = vi.fn();
    const missed = vi.fn();
    const subs = [adapter.onMissedCount(counts), adapter.onMissedCall(missed)];
    phone.emit('history.changed', {
      reason: 'call-started',
      ids: ['h1'],
      entry: historyEntry({ result: null, completion: 'in-progress' }),
      missedUnseen: 0,
    });
    phone.emit('history.changed', {
      reason: 'call-ended',
      ids: ['h1'],
      entry: historyEntry(),
      missedUnseen: 1,
    });
    phone.emit('history.changed', {
      reason: 'call-ended',
      ids: ['h2'],
      entry: historyEntry({ id: 'h2', remoteDisplayName: '', contact: { id: 'k1', name: 'Alice Liddell' } }),
      missedUnseen: 2,
    });
    phone.emit('history.changed', {
      reason: 'call-ended',
      ids: ['h3'],
      entry: historyEntry({ id: 'h3', result: 'rejected' }),
      missedUnseen: 2,
    });
    phone.emit('history.changed', {
      reason: 'call-ended',
      ids: ['h4'],
      entry: historyEntry({ id: 'h4', direction: 'outgoing' }),
      missedUnseen: 2,
    });
    phone.emit('history.changed', { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    expect(counts.mock.calls.map((c) => c[0])).toEqual([0, 1, 2, 2, 2, 0]);
    expect(missed.mock.calls.map((c) => c[0])).toEqual([
      { id: 'h1', remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' } },
      { id: 'h2', remote: { uri: 'sip:1001@lab.test', displayName: 'Alice Liddell' } },
    ]);
    for (const s of subs) s.dispose();
  });

  it('reads and follows the settings', async () => {
    const { phone, adapter } = setup();
    await expect(adapter.settings()).resolves.toEqual(DEFAULT_SETTINGS);
    const seen = vi.fn();
    const sub = adapter.onSettings(seen);
    await phone.handlers['settings.set']({ shortcuts: { answer: 'F1' } });
    expect(seen).toHaveBeenCalledExactlyOnceWith({
      ...DEFAULT_SETTINGS,
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, answer: 'F1' },
    });
    sub.dispose();
  });

  it('releases every subscription it made', () => {
    const { phone, adapter, baseline } = setup();
    const subs = [
      adapter.onAccounts(() => {}),
      adapter.onCall(() => {}),
      adapter.onMissedCount(() => {}),
      adapter.onMissedCall(() => {}),
      adapter.onSettings(() => {}),
    ];
    expect(phone.events.listenerCount).toBe(baseline + 5);
    for (const s of subs) s.dispose();
    expect(phone.events.listenerCount).toBe(baseline);
  });
});

describe('createDesktopPhoneAdapter: commands', () => {
  it('passes the phone typed failure through (a call that does not exist)', async () => {
    const { adapter } = setup();
    const failure = adapter.answer('c1');
    await expect(failure).rejects.toBeInstanceOf(PhoneError);
    await expect(failure).rejects.toMatchObject({ code: 'not-found' });
    await expect(adapter.setMuted('c1', true)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('drives the calls commands by name once they exist, validated by the contract', async () => {
    const { phone, adapter } = setup(true);
    const calls = installCallHandlers(phone);
    await adapter.answer('c1');
    await adapter.reject('c2');
    await adapter.hangup('c3');
    await adapter.setMuted('c4', true);
    expect(calls).toEqual([
      ['calls.answer', { callId: 'c1' }],
      ['calls.reject', { callId: 'c2' }],
      ['calls.hangup', { callId: 'c3' }],
      ['calls.mute', { callId: 'c4', muted: true }],
    ]);
    await expect(adapter.answer('')).rejects.toMatchObject({ code: 'invalid-request' });
    expect(calls).toHaveLength(4);
  });

  it('asks the phone for the missed-call count (unavailable without a store)', async () => {
    const { phone, adapter } = setup();
    await expect(adapter.missedCount()).rejects.toMatchObject({ code: 'unavailable' });
    (phone.handlers as unknown as Record<string, unknown>)['history.missedCount'] = () => ({
      missedUnseen: 4,
    });
    await expect(adapter.missedCount()).resolves.toBe(4);
  });
});

describe('createDesktopPhoneAdapter: app.navigate / app.dialRequest', () => {
  it('reports false and emits nothing while the contract lacks them', () => {
    const made = testPhone();
    phone = made.phone;
    const adapter = createDesktopPhoneAdapter(made.phone, { contract: contractWithoutAppRequests });
    const seen = vi.fn();
    const sub = phone.events.on((e) => (e.name === 'app.log' ? undefined : seen(e)));
    expect(adapter.navigate('history')).toBe(false);
    expect(adapter.requestDial('sip:alice@example.com')).toBe(false);
    expect(seen).not.toHaveBeenCalled();
    sub.dispose();
  });

  it('emits them, validated, once the contract has them', () => {
    const { phone, adapter, warnings } = setup(true);
    const seen: unknown[] = [];
    const sub = phone.events.on((e) => (e.name === 'app.log' ? undefined : seen.push(e)));
    expect(adapter.navigate('history')).toBe(true);
    expect(adapter.requestDial('+15550100')).toBe(true);
    expect(adapter.requestDial('x'.repeat(300))).toBe(false);
    expect(seen).toEqual([
      { name: 'app.navigate', payload: { route: 'history' } },
      { name: 'app.dialRequest', payload: { target: '+15550100', source: 'link' } },
    ]);
    expect(warnings()).toEqual([
      expect.stringMatching(/^app\.dialRequest: the contract's payload shape differs/),
    ]);
    sub.dispose();
  });
});
