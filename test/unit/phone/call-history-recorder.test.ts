import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallHistorySnapshot, EndedCallSnapshot } from '../../../src-main/phone/index.ts';
import { accountInput } from '../store/helpers.ts';
import { TEST_START, phoneOn, storePhone } from './support/store-phone.ts';

let t: ReturnType<typeof storePhone>;
beforeEach(() => {
  t = storePhone();
});
afterEach(async () => {
  expect(t.internal).toEqual([]);
  await t.close();
});

function snapshot(overrides: Partial<CallHistorySnapshot> = {}): CallHistorySnapshot {
  return {
    id: 'call-1',
    direction: 'outgoing',
    accountId: null,
    remoteUri: 'sip:1000@pbx.example',
    remoteDisplayName: 'Reception',
    startedAt: TEST_START,
    answeredAt: null,
    endedAt: null,
    result: null,
    sipCode: null,
    reason: null,
    codec: null,
    mediaPath: 'unknown',
    encryption: 'none',
    ...overrides,
  };
}

function ended(
  overrides: Partial<EndedCallSnapshot> & Pick<EndedCallSnapshot, 'result' | 'endedAt'>,
): EndedCallSnapshot {
  return { ...snapshot(), ...overrides };
}

function warnings(): string[] {
  return t.phone.log
    .recent(100)
    .filter((e) => e.level !== 'info' && e.level !== 'debug')
    .map((e) => `${e.level} ${e.message}`);
}

describe('CallHistoryRecorder', () => {
  it('writes the row at start, the answer time, then the end — each announced with the row', () => {
    const account = t.store!.accounts.add(accountInput());
    if (!account.ok) throw new Error('account');
    const call = snapshot({ accountId: account.value.id });

    const started = t.phone.callHistory.callStarted(call);
    expect(started).toMatchObject({
      recorded: true,
      entry: { id: 'call-1', completion: 'in-progress', result: null, accountId: account.value.id },
    });

    const answered = t.phone.callHistory.callAnswered({ ...call, answeredAt: TEST_START + 2000 });
    expect(answered).toMatchObject({
      recorded: true,
      entry: { answeredAt: TEST_START + 2000, completion: 'in-progress' },
    });

    const end = t.phone.callHistory.callEnded({
      ...call,
      answeredAt: TEST_START + 2000,
      endedAt: TEST_START + 62_000,
      result: 'answered',
      sipCode: 200,
      reason: 'BYE',
      codec: 'PCMU',
      mediaPath: 'relayed',
      mos: 4.1,
    });
    expect(end).toEqual({
      recorded: true,
      entry: {
        id: 'call-1',
        direction: 'outgoing',
        accountId: account.value.id,
        remoteUri: 'sip:1000@pbx.example',
        remoteDisplayName: 'Reception',
        startedAt: TEST_START,
        answeredAt: TEST_START + 2000,
        endedAt: TEST_START + 62_000,
        durationMs: 60_000,
        result: 'answered',
        completion: 'completed',
        sipCode: 200,
        reason: 'BYE',
        codec: 'PCMU',
        mediaPath: 'relayed',
        encryption: 'none',
        mos: 4.1,
        seen: true,
        contact: null,
      },
    });
    const changes = t.eventsNamed('history.changed');
    expect(changes.map((c) => [c.reason, c.ids, c.entry?.completion, c.missedUnseen])).toEqual([
      ['call-started', ['call-1'], 'in-progress', 0],
      ['call-answered', ['call-1'], 'in-progress', 0],
      ['call-ended', ['call-1'], 'completed', 0],
    ]);
    expect(changes[2]!.entry).toEqual(end.recorded ? end.entry : null);
    expect(warnings()).toEqual([]);
  });

  it('records what the call said about encryption: srtp for an SRTP call, none for a plain one', () => {
    const srtp = snapshot({ id: 'srtp-1' });
    expect(t.phone.callHistory.callStarted(srtp)).toMatchObject({ entry: { encryption: 'none' } });
    // Known from the answer on (a crash mid-call keeps it), and at the end.
    expect(
      t.phone.callHistory.callAnswered({ ...srtp, answeredAt: TEST_START + 1000, encryption: 'srtp' }),
    ).toMatchObject({ recorded: true, entry: { encryption: 'srtp' } });
    expect(
      t.phone.callHistory.callEnded(
        ended({
          ...srtp,
          answeredAt: TEST_START + 1000,
          result: 'answered',
          endedAt: TEST_START + 9000,
          encryption: 'srtp',
        }),
      ),
    ).toMatchObject({ recorded: true, entry: { id: 'srtp-1', encryption: 'srtp', completion: 'completed' } });

    const plain = snapshot({ id: 'plain-1' });
    t.phone.callHistory.callStarted(plain);
    t.phone.callHistory.callAnswered({ ...plain, answeredAt: TEST_START + 1000 });
    expect(
      t.phone.callHistory.callEnded(
        ended({ ...plain, answeredAt: TEST_START + 1000, result: 'answered', endedAt: TEST_START + 5000 }),
      ),
    ).toMatchObject({ recorded: true, entry: { id: 'plain-1', encryption: 'none' } });

    // A call whose start was never recorded gets the encryption with its whole row.
    expect(
      t.phone.callHistory.callEnded(
        ended({ id: 'late-srtp', result: 'failed', endedAt: TEST_START + 10, encryption: 'srtp' }),
      ),
    ).toMatchObject({ recorded: true, entry: { id: 'late-srtp', encryption: 'srtp' } });
    expect(t.eventsNamed('history.changed').map((c) => [c.reason, c.entry?.id, c.entry?.encryption])).toEqual(
      [
        ['call-started', 'srtp-1', 'none'],
        ['call-answered', 'srtp-1', 'srtp'],
        ['call-ended', 'srtp-1', 'srtp'],
        ['call-started', 'plain-1', 'none'],
        ['call-answered', 'plain-1', 'none'],
        ['call-ended', 'plain-1', 'none'],
        ['call-ended', 'late-srtp', 'srtp'],
      ],
    );
    expect(warnings()).toEqual([]);
  });

  it('counts a missed incoming call in the badge', () => {
    const call = snapshot({ id: 'in-1', direction: 'incoming' });
    t.phone.callHistory.callStarted(call);
    const end = t.phone.callHistory.callEnded(
      ended({ ...call, result: 'missed', endedAt: TEST_START + 30_000, sipCode: 487 }),
    );
    expect(end).toMatchObject({ recorded: true, entry: { result: 'missed', seen: false, durationMs: 0 } });
    expect(t.eventsNamed('history.changed').at(-1)).toMatchObject({ reason: 'call-ended', missedUnseen: 1 });
  });

  it('writes the whole row when a call ends whose start was never recorded', () => {
    const end = t.phone.callHistory.callEnded(
      ended({
        id: 'fast-fail',
        result: 'failed',
        endedAt: TEST_START + 10,
        sipCode: 503,
        reason: 'Service Unavailable',
      }),
    );
    expect(end).toMatchObject({
      recorded: true,
      entry: { id: 'fast-fail', result: 'failed', completion: 'completed', sipCode: 503 },
    });
    expect(t.eventsNamed('history.changed').map((c) => c.reason)).toEqual(['call-ended']);
  });

  it('logs a call of an account that is not stored without the account instead of losing it', () => {
    const started = t.phone.callHistory.callStarted(snapshot({ accountId: 'cli-only' }));
    expect(started).toMatchObject({ recorded: true, entry: { accountId: null } });
    expect(warnings()).toEqual([
      'warn call call-1: account cli-only is not stored; logging the call without an account',
    ]);
  });

  it('answers refusals as values, logs them, and announces nothing', () => {
    const call = snapshot();
    t.phone.callHistory.callStarted(call);
    const events = t.events.length;
    expect(t.phone.callHistory.callStarted(call)).toEqual({
      recorded: false,
      reason: 'duplicate',
      message: 'a call with id call-1 is already in the log',
    });
    expect(t.phone.callHistory.callAnswered({ ...call, id: 'other', answeredAt: TEST_START })).toEqual({
      recorded: false,
      reason: 'not-found',
      message: 'no call with id other in the log',
    });
    expect(t.phone.callHistory.callAnswered(call)).toEqual({
      recorded: false,
      reason: 'invalid',
      message: 'the snapshot has no answeredAt',
    });
    t.phone.callHistory.callEnded(ended({ result: 'cancelled', endedAt: TEST_START + 1 }));
    const eventsAfterEnd = t.events.length;
    expect(t.phone.callHistory.callEnded(ended({ result: 'answered', endedAt: TEST_START + 2 }))).toEqual({
      recorded: false,
      reason: 'already-ended',
      message: 'the call call-1 has already ended',
    });
    expect(t.phone.callHistory.callEnded(ended({ id: 'bad', result: 'failed', endedAt: -1 }))).toMatchObject({
      recorded: false,
      reason: 'invalid',
    });
    expect(t.events.length).toBe(eventsAfterEnd);
    expect(eventsAfterEnd).toBe(events + 1);
    expect(warnings()).toEqual([
      'warn call call-1: call-started was not recorded in the call log (duplicate: a call with id call-1 is already in the log)',
      'warn call other: call-answered was not recorded in the call log (not-found: no call with id other in the log)',
      'error call call-1: call-answered was not recorded in the call log (invalid: the snapshot has no answeredAt)',
      'warn call call-1: call-ended was not recorded in the call log (already-ended: the call call-1 has already ended)',
      expect.stringMatching(
        /^error call bad: call-ended was not recorded in the call log \(invalid: endedAt: /,
      ),
    ]);
  });

  it('answers a full disk as a `storage` refusal and lets a bug through', () => {
    const full = Object.assign(new Error('database or disk is full'), {
      name: 'SqliteError',
      code: 'SQLITE_FULL',
    });
    const spy = vi.spyOn(t.store!.history, 'recordStart').mockImplementation(() => {
      throw full;
    });
    expect(t.phone.callHistory.callStarted(snapshot())).toEqual({
      recorded: false,
      reason: 'storage',
      message: 'database or disk is full (SQLITE_FULL)',
    });
    const bug = Object.assign(new Error('UNIQUE constraint failed'), {
      name: 'SqliteError',
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    spy.mockImplementation(() => {
      throw bug;
    });
    expect(() => t.phone.callHistory.callStarted(snapshot())).toThrow(bug);
    spy.mockRestore();
    expect(t.events).toEqual([]);
  });

  it('records nothing without a store, or once the phone has closed', async () => {
    const bare = phoneOn(null);
    expect(bare.phone.callHistory.callStarted(snapshot())).toEqual({
      recorded: false,
      reason: 'no-store',
      message: 'the phone runs without a call log',
    });
    expect(bare.events).toEqual([]);
    await bare.phone.close();

    await t.phone.close();
    expect(t.phone.callHistory.callStarted(snapshot())).toMatchObject({
      recorded: false,
      reason: 'no-store',
    });
  });
});
