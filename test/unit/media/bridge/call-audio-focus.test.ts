/**
 * CallAudioFocus: the device follows the call being talked in, from the calls' snapshots.
 */
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../../../src-shared/util/emitter.ts';
import type { PhoneEvent } from '../../../../src-shared/ipc/index.ts';
import type { CallState } from '../../../../src-shared/model/call.ts';
import { CallAudioFocus, followCallAudioFocus } from '../../../../src-main/media/bridge/index.ts';

function recorder() {
  const calls: (string | null)[] = [];
  return { calls, focus: (callId: string | null) => calls.push(callId) };
}

describe('CallAudioFocus', () => {
  it('gives the device to the call that most recently started talking, and back when it stops', () => {
    const target = recorder();
    const focus = new CallAudioFocus(target);
    const step = (id: string, state: CallState) => focus.update({ id, state });

    step('a', 'dialing');
    step('a', 'ringing');
    step('a', 'early');
    step('a', 'active');
    expect(target.calls).toEqual([null, 'a']);

    // a second call is answered before the first is put on hold: it takes the device at once
    step('b', 'ringing');
    step('b', 'active');
    step('a', 'held');
    expect(target.calls).toEqual([null, 'a', 'b']);

    // b is held and a resumed; then a hangs up while b stays held: nobody hears the microphone
    step('b', 'held');
    step('a', 'active');
    step('a', 'ended');
    expect(target.calls).toEqual([null, 'a', 'b', null, 'a', null]);
    expect(focus.focused).toBeNull();

    // the far end holding us still plays its music on hold to us
    step('b', 'active');
    step('b', 'remote-held');
    expect(target.calls.at(-1)).toBe('b');
    expect(target.calls).toHaveLength(7);
  });

  it('falls back to the previous talking call when the newest ends', () => {
    const target = recorder();
    const focus = new CallAudioFocus(target);
    focus.update({ id: 'a', state: 'active' });
    focus.update({ id: 'b', state: 'early' });
    focus.update({ id: 'b', state: 'ended' });
    expect(target.calls).toEqual(['a', 'b', 'a']);
  });

  it('follows calls.changed among the phone’s events and stops on dispose', () => {
    const events = new Emitter<PhoneEvent>();
    const target = recorder();
    const following = followCallAudioFocus(events, target);
    const changed = (id: string, state: CallState) =>
      events.emit({ name: 'calls.changed', payload: { id, state } } as unknown as PhoneEvent);
    changed('a', 'active');
    events.emit({ name: 'settings.changed', payload: {} } as unknown as PhoneEvent);
    following.dispose();
    changed('a', 'held');
    expect(target.calls).toEqual(['a']);
    expect(events.listenerCount).toBe(0);
  });
});
