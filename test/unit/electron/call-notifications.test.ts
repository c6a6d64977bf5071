import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { CallNotifier, callerLabel, uriUser } from '../../../src-main/electron/call-notifications.ts';
import type { CallState, DesktopCall } from '../../../src-main/electron/desktop-phone.ts';

class FakeNotification extends EventEmitter {
  readonly options: NotificationConstructorOptions;
  shown = 0;
  closed = 0;
  constructor(options: NotificationConstructorOptions) {
    super();
    this.options = options;
  }
  show() {
    this.shown++;
  }
  close() {
    this.closed++;
  }
  get listeners_(): number {
    return this.eventNames().reduce((n, e) => n + this.listenerCount(e), 0);
  }
}

function setup(opts: { dnd?: boolean; supported?: boolean } = {}) {
  const created: FakeNotification[] = [];
  let dnd = opts.dnd ?? false;
  const actions = { answer: vi.fn(), decline: vi.fn(), showWindow: vi.fn(), openHistory: vi.fn() };
  const notifier = new CallNotifier(actions, {
    create: (o) => {
      const n = new FakeNotification(o);
      created.push(n);
      return n as never;
    },
    supported: () => opts.supported ?? true,
    doNotDisturb: () => dnd,
  });
  return { notifier, created, actions, setDnd: (on: boolean) => (dnd = on) };
}

function call(id: string, state: CallState, over: Partial<DesktopCall> = {}): DesktopCall {
  return {
    id,
    direction: 'incoming',
    remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' },
    state,
    muted: false,
    ...over,
  };
}

/** Electron ≥ 34 passes the index on the event object. */
function clickAction(n: FakeNotification, index: number) {
  n.emit(
    'action',
    { actionIndex: index, selectionIndex: -1, preventDefault() {}, defaultPrevented: false },
    index,
    -1,
  );
}

describe('caller labels', () => {
  it.each([
    [{ uri: 'sip:1001@lab.test', displayName: 'Alice' }, 'Alice (1001)'],
    [{ uri: 'sip:1001@lab.test' }, '1001'],
    [{ uri: 'sip:1001@lab.test', displayName: '1001' }, '1001'],
    [{ uri: 'tel:+15550100', displayName: 'Bob' }, 'Bob (+15550100)'],
    [{ uri: 'sips:%61lice@example.com;transport=tls' }, 'alice'],
    [{ uri: 'sip:example.com' }, 'example.com'],
    [{ uri: '' }, 'Unknown caller'],
    [{ uri: 'sip:1001@x', displayName: '<b>Boss</b> & \u202Eco\r\n' }, 'b Boss /b ＆ co (1001)'],
  ])('%j → %s', (remote, label) => {
    expect(callerLabel(remote)).toBe(label);
  });

  it('bounds long names', () => {
    expect(callerLabel({ uri: 'sip:1@x', displayName: 'A'.repeat(300) })).toBe(`${'A'.repeat(63)}… (1)`);
    expect(uriUser('sip:%E0%A4%A@x')).toBe('%E0%A4%A'); // undecodable escapes are shown as they are
  });
});

describe('CallNotifier: incoming calls', () => {
  it('shows Answer/Decline once while ringing; Answer answers that call and closes it', () => {
    const { notifier, created, actions } = setup();
    notifier.onCall(call('c1', 'ringing'));
    notifier.onCall(call('c1', 'early')); // still ringing: no second notification
    expect(created).toHaveLength(1);
    const n = created[0]!;
    expect(n.options).toMatchObject({
      title: 'Incoming call',
      body: 'Alice (1001)',
      actions: [
        { type: 'button', text: 'Answer' },
        { type: 'button', text: 'Decline' },
      ],
      timeoutType: 'never',
    });
    expect(n.shown).toBe(1);

    clickAction(n, 0);
    expect(actions.answer).toHaveBeenCalledExactlyOnceWith('c1');
    expect(actions.decline).not.toHaveBeenCalled();
    expect(n.closed).toBe(1);
    expect(n.listeners_).toBe(0);
    expect(notifier.open).toEqual({ incoming: 0, missed: 0 });

    notifier.onCall(call('c1', 'active')); // already closed: nothing more
    expect(n.closed).toBe(1);
  });

  it('Decline rejects the right call among several (old-style index argument too)', () => {
    const { notifier, created, actions } = setup();
    notifier.onCall(call('c1', 'ringing'));
    notifier.onCall(call('c2', 'ringing', { remote: { uri: 'sip:1002@lab.test', displayName: 'Bob' } }));
    expect(created.map((n) => n.options.body)).toEqual(['Alice (1001)', 'Bob (1002)']);
    created[1]!.emit('action', {}, 1); // Electron < 34: index as the second argument
    expect(actions.decline).toHaveBeenCalledExactlyOnceWith('c2');
    expect(actions.answer).not.toHaveBeenCalled();
    expect(created[1]!.closed).toBe(1);
    expect(created[0]!.closed).toBe(0);
    clickAction(created[0]!, 7); // an index we never offered: ignored, stays open
    expect(created[0]!.closed).toBe(0);
  });

  it('closes by itself when the call stops ringing, whatever the reason', () => {
    const { notifier, created } = setup();
    for (const [id, next] of [
      ['a', 'active'],
      ['b', 'ended'],
      ['c', 'held'],
    ] as const) {
      notifier.onCall(call(id, 'ringing'));
      notifier.onCall(call(id, next));
    }
    expect(created.map((n) => n.closed)).toEqual([1, 1, 1]);
    expect(created.every((n) => n.listeners_ === 0)).toBe(true);
  });

  it('click brings the window, close does nothing', () => {
    const { notifier, created, actions } = setup();
    notifier.onCall(call('c1', 'ringing'));
    created[0]!.emit('click', {});
    expect(actions.showWindow).toHaveBeenCalledTimes(1);
    created[0]!.emit('close', {});
    expect(actions.answer).not.toHaveBeenCalled();
    expect(actions.decline).not.toHaveBeenCalled();
    expect(notifier.open.incoming).toBe(1); // the call still rings: closed when it stops
    notifier.onCall(call('c1', 'ended'));
    expect(notifier.open.incoming).toBe(0);
  });

  it('shows nothing for outgoing calls, calls replacing ours, with Do Not Disturb, or without notification support', () => {
    const a = setup();
    a.notifier.onCall(call('o1', 'ringing', { direction: 'outgoing' }));
    a.notifier.onCall(call('o1', 'dialing', { direction: 'outgoing' }));
    // An INVITE with Replaces (we are an attended transfer's target): the phone accepts it by itself.
    a.notifier.onCall(call('t1', 'ringing', { replaces: 'c0' }));
    expect(a.created).toHaveLength(0);
    const b = setup({ dnd: true });
    b.notifier.onCall(call('c1', 'ringing'));
    b.notifier.onMissedCall({ id: 'h1', remote: { uri: 'sip:1001@lab.test' } });
    expect(b.created).toHaveLength(0);
    const c = setup({ supported: false });
    c.notifier.onCall(call('c1', 'ringing'));
    expect(c.created).toHaveLength(0);
  });
});

describe('CallNotifier: missed calls', () => {
  it('says who called; a click opens History', () => {
    const { notifier, created, actions } = setup();
    notifier.onMissedCall({ id: 'h1', remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' } });
    notifier.onMissedCall({ id: 'h1', remote: { uri: 'sip:1001@lab.test', displayName: 'Alice' } }); // same entry: once
    expect(created).toHaveLength(1);
    expect(created[0]!.options.title).toBe('Missed call from Alice (1001)');
    created[0]!.emit('click', {});
    expect(actions.openHistory).toHaveBeenCalledTimes(1);
    expect(created[0]!.listeners_).toBe(0);
    expect(notifier.open.missed).toBe(0);
  });

  it('forgets a dismissed one and closes the rest once the missed calls are seen', () => {
    const { notifier, created } = setup();
    notifier.onMissedCall({ id: 'h1', remote: { uri: 'sip:1001@lab.test' } });
    notifier.onMissedCall({ id: 'h2', remote: { uri: 'sip:1002@lab.test' } });
    notifier.onMissedCall({ id: 'h3', remote: { uri: 'sip:1003@lab.test' } });
    created[0]!.emit('close', {});
    expect(notifier.open.missed).toBe(2);
    notifier.onMissedCount(2);
    expect(notifier.open.missed).toBe(2);
    notifier.onMissedCount(0);
    expect(created.map((n) => n.closed)).toEqual([0, 1, 1]);
    expect(created.every((n) => n.listeners_ === 0)).toBe(true);
  });

  it('dispose closes everything and leaves no listener', () => {
    const { notifier, created } = setup();
    notifier.onCall(call('c1', 'ringing'));
    notifier.onMissedCall({ id: 'h1', remote: { uri: 'sip:1001@lab.test' } });
    notifier.dispose();
    expect(created.map((n) => n.closed)).toEqual([1, 1]);
    expect(created.every((n) => n.listeners_ === 0)).toBe(true);
    expect(notifier.open).toEqual({ incoming: 0, missed: 0 });
  });
});
