import { describe, expect, it } from 'vitest';
import {
  acceptsDtmf,
  callElapsedMs,
  callKeyActionOf,
  dtmfKeyOf,
  endReasonOf,
  icePairOf,
  iceStateOf,
  isTypingTarget,
  pathKindOf,
  qualityOf,
  ratingOfMos,
  remoteIdentityOf,
  stateKeyOf,
} from '../../../../src-renderer/src/features/calls/index.ts';
import type { CallMedia } from '../../../../src-shared/model/call.ts';
import { FAKE_CALLS_NOW, callSnapshot } from '../../support/fake-calls.ts';

const key = (
  fields: Partial<{
    key: string;
    code: string;
    altKey: boolean;
    ctrlKey: boolean;
    metaKey: boolean;
    shiftKey: boolean;
  }>,
) => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...fields,
});

describe('call view', () => {
  it('names the other party: the contact, else the display name, else the address', () => {
    const call = callSnapshot({
      id: 'c',
      remote: { uri: 'sip:+4930123456@pbx.example.com', displayName: 'Reception' },
    });
    expect(remoteIdentityOf(call, 'Anna Müller')).toEqual({
      title: 'Anna Müller',
      address: '+49 3012 3456',
      anonymous: false,
    });
    expect(remoteIdentityOf(call, null)).toEqual({
      title: 'Reception',
      address: '+49 3012 3456',
      anonymous: false,
    });
    expect(remoteIdentityOf(callSnapshot({ id: 'c', remote: { uri: 'sip:bob@lab.test' } }), null)).toEqual({
      title: 'bob@lab.test',
      address: null,
      anonymous: false,
    });
    expect(
      remoteIdentityOf(callSnapshot({ id: 'c', remote: { uri: 'sip:anonymous@anonymous.invalid' } }), null)
        .anonymous,
    ).toBe(true);
  });

  it('says the state, the time and why it ended', () => {
    expect(stateKeyOf(callSnapshot({ id: 'c', state: 'ringing' }))).toBe('calls.states.ringing');
    expect(stateKeyOf(callSnapshot({ id: 'c', state: 'ringing', direction: 'incoming' }))).toBe(
      'calls.states.incoming',
    );
    expect(stateKeyOf(callSnapshot({ id: 'c', state: 'remote-held' }))).toBe('calls.states.remoteHeld');
    const talking = callSnapshot({ id: 'c', state: 'active', answeredAt: FAKE_CALLS_NOW + 5000 });
    expect(callElapsedMs(talking, FAKE_CALLS_NOW + 65_000)).toBe(60_000);
    expect(callElapsedMs(callSnapshot({ id: 'c' }), FAKE_CALLS_NOW + 3000)).toBe(3000);
    expect(
      callElapsedMs(
        { ...talking, state: 'ended', endedAt: FAKE_CALLS_NOW + 15_000 },
        FAKE_CALLS_NOW + 99_000,
      ),
    ).toBe(10_000);
    expect(endReasonOf(talking)).toBeNull();
    expect(
      endReasonOf(
        callSnapshot({ id: 'c', state: 'ended', reason: { kind: 'busy', text: 'Busy Here' }, sipCode: 486 }),
      ),
    ).toEqual({ key: 'calls.endReasons.busy', code: 486 });
    expect(
      endReasonOf(
        callSnapshot({
          id: 'c',
          state: 'ended',
          reason: { kind: 'remote-hangup', text: 'Bye' },
          sipCode: 200,
        }),
      ),
    ).toEqual({
      key: 'calls.endReasons.remote-hangup',
      code: null,
    });
    expect(acceptsDtmf(talking)).toBe(true);
    expect(acceptsDtmf(callSnapshot({ id: 'c', state: 'held' }))).toBe(false);
  });

  it('rates the quality from the MOS in G.107 bands; nothing received means still measuring', () => {
    expect([4.4, 4.1, 3.7, 3.2, 2.0].map(ratingOfMos)).toEqual(['excellent', 'good', 'fair', 'poor', 'bad']);
    expect(
      qualityOf({ packetsSent: 50, packetsReceived: 0, lossPct: 0, jitterMs: 0, rttMs: null }),
    ).toMatchObject({ measuring: true, mos: null, rating: null });
    expect(
      qualityOf({ packetsSent: 50, packetsReceived: 49, lossPct: 2, jitterMs: 3.5, rttMs: 40, mos: 4.1 }),
    ).toEqual({
      rttMs: 40,
      lossPct: 2,
      jitterMs: 3.5,
      mos: 4.1,
      rating: 'good',
      packetsSent: 50,
      packetsReceived: 49,
      measuring: false,
    });
  });

  it('reads the ICE selected pair and says direct or relayed', () => {
    const plain: CallMedia = { path: 'direct', local: '192.168.1.20:16384', remote: '203.0.113.5:4000' };
    expect(icePairOf(plain)).toBeNull();
    expect(pathKindOf(plain)).toBe('direct');
    const relayed: CallMedia = {
      path: 'unknown',
      local: null,
      remote: null,
      transport: 'ice',
      ice: {
        state: 'connected',
        role: 'controlling',
        policy: 'all',
        selected: {
          local: { type: 'relay', address: '198.51.100.7:50000' },
          remote: { type: 'srflx', address: '203.0.113.9:41000' },
          transport: 'tcp',
          rttMs: 31,
        },
        connectMs: 120,
        restarts: 0,
      },
    };
    expect(icePairOf(relayed)).toEqual({
      local: { type: 'relay', address: '198.51.100.7:50000' },
      remote: { type: 'srflx', address: '203.0.113.9:41000' },
      transport: 'tcp',
      relayed: true,
      rttMs: 31,
    });
    expect(pathKindOf(relayed)).toBe('relayed');
    expect(iceStateOf(relayed)).toBeNull();
    expect(iceStateOf({ ...relayed, ice: { ...relayed.ice!, state: 'checking', selected: null } })).toBe(
      'checking',
    );
  });
});

describe('call keys', () => {
  it('maps Alt+A/D/H/M by physical key, and nothing else', () => {
    expect(callKeyActionOf(key({ code: 'KeyA', key: 'å', altKey: true }))).toBe('answer');
    expect(callKeyActionOf(key({ code: 'KeyD', altKey: true }))).toBe('decline');
    expect(callKeyActionOf(key({ code: 'KeyH', altKey: true }))).toBe('hangup');
    expect(callKeyActionOf(key({ code: 'KeyM', altKey: true }))).toBe('mute');
    expect(callKeyActionOf(key({ code: 'KeyA' }))).toBeNull();
    expect(callKeyActionOf(key({ code: 'KeyA', altKey: true, ctrlKey: true }))).toBeNull();
    expect(callKeyActionOf(key({ code: 'KeyX', altKey: true }))).toBeNull();
  });

  it('takes DTMF digits only without modifiers, and not from text fields', () => {
    expect(['5', '*', '#', 'a', '+'].map((k) => dtmfKeyOf(key({ key: k })))).toEqual([
      '5',
      '*',
      '#',
      null,
      null,
    ]);
    expect(dtmfKeyOf(key({ key: '5', ctrlKey: true }))).toBeNull();
    const input = document.createElement('input');
    const dialog = document.createElement('dialog');
    const inDialog = document.createElement('button');
    dialog.append(inDialog);
    document.body.append(dialog);
    expect([
      isTypingTarget(input),
      isTypingTarget(inDialog),
      isTypingTarget(document.body),
      isTypingTarget(null),
    ]).toEqual([true, true, false, false]);
    dialog.remove();
  });
});
