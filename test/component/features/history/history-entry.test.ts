import { describe, expect, it } from 'vitest';
import {
  callBackTargetOf,
  contactSeedOf,
  dayRange,
  endOfLocalDay,
  formatDuration,
  iconOf,
  kindKeyOf,
  localDayOf,
  outcomeKeyOf,
  partyOf,
  startOfLocalDay,
  toneOf,
} from '../../../../src-renderer/src/features/history/index.ts';
import { historyEntry } from '../../support/fake-history.ts';

describe('history entries', () => {
  it('name the party: contact, then the name sent, then the number', () => {
    expect(
      partyOf(
        historyEntry({ id: '1', remoteUri: 'sip:+14155552671@pbx', contact: { id: 'c', name: 'Zed' } }),
      ),
    ).toEqual({
      name: 'Zed',
      address: '+1 415 555 2671',
      anonymous: false,
    });
    expect(
      partyOf(historyEntry({ id: '2', remoteUri: 'sip:bob@example.com', remoteDisplayName: ' Bob ' })).name,
    ).toBe('Bob');
    expect(partyOf(historyEntry({ id: '3', remoteUri: 'sip:1000@pbx' }))).toEqual({
      name: null,
      address: '1000',
      anonymous: false,
    });
    expect(partyOf(historyEntry({ id: '4', remoteUri: 'sip:anonymous@anonymous.invalid' })).anonymous).toBe(
      true,
    );
  });

  it('colour missed calls red and unsuccessful ones muted, with icon and words', () => {
    const missed = historyEntry({ id: 'm', result: 'missed' });
    const busy = historyEntry({ id: 'b', direction: 'outgoing', result: 'busy', sipCode: 486 });
    const talked = historyEntry({
      id: 'a',
      direction: 'outgoing',
      result: 'answered',
      answeredAt: 1,
      durationMs: 62_000,
    });
    expect([toneOf(missed), toneOf(busy), toneOf(talked)]).toEqual(['missed', 'unsuccessful', 'normal']);
    expect([iconOf(missed), iconOf(busy), iconOf(historyEntry({ id: 'i', result: 'answered' }))]).toEqual([
      'callMissed',
      'callOutgoing',
      'callIncoming',
    ]);
    expect([kindKeyOf(missed), kindKeyOf(busy)]).toEqual([
      'history.kinds.missedCall',
      'history.kinds.outgoingCall',
    ]);
    expect([outcomeKeyOf(missed), outcomeKeyOf(busy), outcomeKeyOf(talked)]).toEqual([
      'history.outcomes.missed',
      'history.outcomes.busy',
      null,
    ]);
    expect(outcomeKeyOf(historyEntry({ id: 'p', completion: 'in-progress', result: null }))).toBe(
      'history.outcomes.inProgress',
    );
    expect(outcomeKeyOf(historyEntry({ id: 'u', completion: 'ended-unknown', result: 'failed' }))).toBe(
      'history.outcomes.endedUnknown',
    );
  });

  it('format talk time as a clock', () => {
    expect([0, 999, 42_000, 62_000, 725_400, 3_723_000].map(formatDuration)).toEqual([
      '0:00',
      '0:01',
      '0:42',
      '1:02',
      '12:05',
      '1:02:03',
    ]);
  });

  it('call back or save the number, never an anonymous caller', () => {
    expect(callBackTargetOf(historyEntry({ id: '1', remoteUri: 'tel:+49-30-1234' }))).toBe('+49301234');
    expect(callBackTargetOf(historyEntry({ id: '2', remoteUri: 'sip:anonymous@anonymous.invalid' }))).toBe(
      '',
    );
    expect(
      contactSeedOf(
        historyEntry({ id: '3', remoteUri: 'sip:carol@example.com', remoteDisplayName: 'Carol' }),
      ),
    ).toEqual({
      name: 'Carol',
      address: { kind: 'sip', value: 'sip:carol@example.com' },
    });
    expect(contactSeedOf(historyEntry({ id: '4', remoteUri: 'sip:+15550100@pbx' }))).toEqual({
      name: '',
      address: { kind: 'tel', value: '+15550100' },
    });
  });
});

describe('history date range', () => {
  it('turns date inputs into local-midnight bounds with the last day included', () => {
    expect(startOfLocalDay('2025-03-09')).toBe(new Date(2025, 2, 9).getTime());
    expect(endOfLocalDay('2025-03-09')).toBe(new Date(2025, 2, 10).getTime());
    expect(endOfLocalDay('2024-12-31')).toBe(new Date(2025, 0, 1).getTime());
    expect(startOfLocalDay('')).toBeNull();
    expect(startOfLocalDay('2025-02-30')).toBeNull();
    expect(dayRange('2025-03-01', '2025-03-09')).toEqual({
      ok: true,
      from: new Date(2025, 2, 1).getTime(),
      to: new Date(2025, 2, 10).getTime(),
    });
    expect(dayRange('', '2025-03-09')).toEqual({ ok: true, from: null, to: new Date(2025, 2, 10).getTime() });
    expect(dayRange('2025-03-09', '2025-03-09').ok).toBe(true);
    expect(dayRange('2025-03-10', '2025-03-09')).toEqual({ ok: false });
    expect(localDayOf(new Date(2025, 2, 9, 23, 59).getTime())).toBe('2025-03-09');
  });
});
