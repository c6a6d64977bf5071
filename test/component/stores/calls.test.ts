import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CALL_ENDED_LINGER_MS,
  currentCallOf,
  isIncomingRinging,
  upsertCall,
  useCallsStore,
} from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { FAKE_CALLS_NOW, callSnapshot } from '../support/fake-calls.ts';
import { historyEntry } from '../support/fake-history.ts';

const at = (s: number) => FAKE_CALLS_NOW + s * 1000;

describe('currentCallOf', () => {
  const active = callSnapshot({ id: 'a', state: 'active', startedAt: at(0) });
  const held = callSnapshot({ id: 'h', state: 'held', startedAt: at(1) });
  const ringingOut = callSnapshot({ id: 'r', state: 'ringing', startedAt: at(2) });
  const ringingIn = callSnapshot({ id: 'i', state: 'ringing', direction: 'incoming', startedAt: at(3) });
  const ended = callSnapshot({ id: 'e', state: 'ended', startedAt: at(4), endedAt: at(9) });

  it('offers an incoming ringing call, but not one that replaces ours (attended transfer target)', () => {
    expect(isIncomingRinging(ringingIn)).toBe(true);
    expect(isIncomingRinging({ ...ringingIn, replaces: 'a' })).toBe(false);
    expect(isIncomingRinging(ringingOut)).toBe(false);
  });

  it('shows the most engaged call; a call ringing here is never current', () => {
    expect(currentCallOf([held, ringingOut, active], null)?.id).toBe('a');
    expect(currentCallOf([held, ringingOut], null)?.id).toBe('r');
    expect(currentCallOf([held], null)?.id).toBe('h');
    expect(currentCallOf([ringingIn], null)).toBeNull();
    expect(currentCallOf([ringingIn], 'i')).toBeNull();
  });

  it('keeps the call the user picked while it is up, and shows the last ended one when nothing is up', () => {
    expect(currentCallOf([active, held], 'h')?.id).toBe('h');
    expect(currentCallOf([active, { ...held, state: 'ended' }], 'h')?.id).toBe('a');
    expect(currentCallOf([ended, { ...active, state: 'ended', endedAt: at(5) }], null)?.id).toBe('e');
    expect(currentCallOf([ended], 'e')?.id).toBe('e');
  });

  it('orders calls by start and replaces by id', () => {
    expect(upsertCall([held, active], { ...held, muted: true }).map((c) => [c.id, c.muted])).toEqual([
      ['a', false],
      ['h', true],
    ]);
  });
});

describe('useCallsStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('mirrors calls.list and calls.changed, places calls and keeps an ended call for a moment', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.phoneCalls.ring({ id: 'in-1' });
    const store = useCallsStore(pinia);
    await store.start();
    expect(store.incoming.map((c) => c.id)).toEqual(['in-1']);
    expect(store.current).toBeNull();

    const dialled = await store.dial('2000', 'acc-2');
    expect(dialled.ok).toBe(true);
    expect(bridge.callsOf('calls.dial')).toEqual([{ target: '2000', accountId: 'acc-2' }]);
    expect(store.current?.id).toBe('call-1');
    expect(store.selectedId).toBe('call-1');
    bridge.phoneCalls.update('call-1', { state: 'active', answeredAt: at(3) });
    expect(store.current?.state).toBe('active');

    await store.hangup('call-1');
    expect(store.current?.state).toBe('ended');
    vi.advanceTimersByTime(CALL_ENDED_LINGER_MS - 1);
    expect(store.calls.map((c) => c.id)).toContain('call-1');
    vi.advanceTimersByTime(1);
    expect(store.calls.map((c) => c.id)).toEqual(['in-1']);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('answers a call and makes it current; resumes a held call when switched to (the phone holds the other)', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useCallsStore(pinia);
    await store.start();
    await store.dial('2000');
    bridge.phoneCalls.update('call-1', { state: 'active', answeredAt: at(1) });
    bridge.phoneCalls.ring({ id: 'in-1', startedAt: at(2) });
    await store.answer('in-1');
    expect(store.current?.id).toBe('in-1');
    expect(store.calls.find((c) => c.id === 'call-1')?.state).toBe('held');
    await store.switchTo('call-1');
    expect(bridge.callsOf('calls.resume')).toEqual([{ callId: 'call-1' }]);
    expect(store.current?.id).toBe('call-1');
    expect(store.calls.find((c) => c.id === 'in-1')?.state).toBe('held');
    // switching to a call that talks only shows it
    await store.switchTo('call-1');
    expect(bridge.callsOf('calls.resume')).toHaveLength(1);
    store.stop();
  });

  it('learns the contact name of a call from its call-log row', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useCallsStore(pinia);
    await store.start();
    bridge.phoneCalls.ring({ id: 'in-1' });
    bridge.history.record(historyEntry({ id: 'in-1', contact: { id: 'c1', name: 'Carol Clark' } }));
    expect(store.contactNameOf('in-1')).toBe('Carol Clark');
    expect(store.contactNameOf('other')).toBeNull();
    store.stop();
  });

  it('keeps why a command failed until the next one succeeds; a failed list is a load failure', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.fail('calls.list', { code: 'unavailable', message: 'bridge closed' });
    const store = useCallsStore(pinia);
    await store.start();
    expect(store.loadFailure?.code).toBe('unavailable');
    expect(store.failure).toBeNull();
    bridge.fail('calls.dial', {
      code: 'unavailable',
      message: 'No account is ready to call from; add or register one first.',
    });
    expect((await store.dial('2000')).ok).toBe(false);
    expect(store.failure?.message).toBe('No account is ready to call from; add or register one first.');
    bridge.restore('calls.dial');
    await store.dial('2000');
    expect(store.failure).toBeNull();
    await store.mute('call-1', true);
    expect(store.current?.muted).toBe(true);
    await store.sendDtmf('call-1', '5');
    expect(store.failure?.code).toBe('media');
    store.stop();
  });

  it('does not let an older command answer overwrite a newer event', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useCallsStore(pinia);
    await store.start();
    await store.dial('2000');
    // the answer was computed before the far end hung up, and arrives after the event that says so
    let answer: (value: { ok: true; value: ReturnType<typeof callSnapshot> }) => void = () => {};
    bridge.override('calls.hold', () => new Promise((resolve) => (answer = resolve)));
    const holding = store.hold('call-1');
    bridge.phoneCalls.update('call-1', {
      state: 'ended',
      endedAt: at(2),
      reason: { kind: 'remote-hangup', text: 'Bye' },
    });
    answer({ ok: true, value: callSnapshot({ id: 'call-1', state: 'held' }) });
    await holding;
    expect(store.current?.state).toBe('ended');
    store.stop();
  });
});
