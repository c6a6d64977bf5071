import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallDirection, CallResult } from '../../../src-shared/model/history.ts';
import { TEST_START, storePhone } from './support/store-phone.ts';

let t: ReturnType<typeof storePhone>;
beforeEach(() => {
  t = storePhone();
});
afterEach(async () => {
  expect(t.internal).toEqual([]);
  await t.close();
});

/** One finished call `minutesAgo` before TEST_START + 1 h. */
function call(
  id: string,
  direction: CallDirection,
  result: CallResult,
  minute: number,
  remoteUri = 'sip:1000@pbx.example',
  remoteDisplayName = '',
): void {
  const startedAt = TEST_START + minute * 60_000;
  const base = {
    id,
    direction,
    accountId: null,
    remoteUri,
    remoteDisplayName,
    startedAt,
    answeredAt: result === 'answered' ? startedAt + 5000 : null,
    endedAt: null,
    result: null,
    sipCode: null,
    reason: null,
    codec: null,
    mediaPath: 'unknown' as const,
    encryption: 'none' as const,
  };
  expect(t.phone.callHistory.callStarted(base).recorded).toBe(true);
  expect(t.phone.callHistory.callEnded({ ...base, result, endedAt: startedAt + 65_000 }).recorded).toBe(true);
}

function seed(): void {
  call('c1', 'outgoing', 'answered', 1, 'sip:1000@pbx.example', 'Reception');
  call('c2', 'incoming', 'missed', 2, 'tel:+4930123456', 'Anna');
  call('c3', 'incoming', 'answered', 3, 'sip:2000@pbx.example');
  call('c4', 'incoming', 'missed', 4, 'sip:bob@pbx.example', 'Bob Stone');
  call('c5', 'outgoing', 'busy', 5, 'tel:+4930999');
  t.events.length = 0;
}

describe('history.page', () => {
  beforeEach(seed);

  it('pages newest first with a cursor', async () => {
    const first = await t.call('history.page', { limit: 2 });
    expect(first.entries.map((e) => e.id)).toEqual(['c5', 'c4']);
    expect(first.nextCursor).toEqual({ startedAt: TEST_START + 4 * 60_000, id: 'c4' });
    const second = await t.call('history.page', { limit: 2, cursor: first.nextCursor });
    expect(second.entries.map((e) => e.id)).toEqual(['c3', 'c2']);
    const last = await t.call('history.page', { limit: 2, cursor: second.nextCursor });
    expect(last).toMatchObject({
      entries: [{ id: 'c1', remoteDisplayName: 'Reception', durationMs: 60_000 }],
      nextCursor: null,
    });
  });

  it('filters by kind and time, and searches numbers, names and contacts', async () => {
    const ids = async (query: object) => (await t.call('history.page', query)).entries.map((e) => e.id);
    expect(await ids({ filter: { kind: 'missed' } })).toEqual(['c4', 'c2']);
    expect(await ids({ filter: { kind: 'outgoing' } })).toEqual(['c5', 'c1']);
    expect(await ids({ filter: { kind: 'incoming', from: TEST_START + 3 * 60_000 } })).toEqual(['c4', 'c3']);
    expect(await ids({ filter: { search: '+49 30' } })).toEqual(['c5', 'c2']);
    expect(await ids({ filter: { search: 'bob' } })).toEqual(['c4']);
    await t.call('contacts.add', {
      name: 'Zentrale',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'sip', value: 'sip:2000@pbx.example', label: '' }],
    });
    expect(await ids({ filter: { search: 'zentr' } })).toEqual(['c3']);
    const page = await t.call('history.page', { filter: { search: 'zentr' } });
    expect(page.entries[0]!.contact).toEqual({ id: expect.any(String), name: 'Zentrale' });
  });

  it('refuses hostile and out-of-range queries at the gate', async () => {
    for (const query of [
      { limit: 201 },
      { limit: 0 },
      { filter: { kind: 'all', from: 10, to: 5 } },
      { filter: { search: 'x'.repeat(101) } },
      { filter: { kind: 'missed; DROP TABLE call_history' } },
      { cursor: { startedAt: -1, id: 'c1' } },
      { cursor: { startedAt: 1, id: '' } },
      { filter: { accountId: '../etc' } },
      { orderBy: 'id' },
    ]) {
      expect(await t.dispatch('history.page', query), JSON.stringify(query)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    for (const search of [
      "'; DROP TABLE call_history; --",
      '"',
      'NEAR(a b)',
      'a*',
      '*',
      '%',
      '\\',
      'OR',
      '🙂',
    ]) {
      const page = await t.dispatch('history.page', { filter: { search } });
      expect(page, search).toMatchObject({ ok: true });
    }
    expect((await t.call('history.page', {})).entries).toHaveLength(5);
  });
});

describe('history.markSeen / missedCount / remove / clear', () => {
  beforeEach(seed);

  it('marks missed calls seen, one or all, and announces the new badge count', async () => {
    expect(await t.call('history.missedCount', {})).toEqual({ missedUnseen: 2 });
    expect(await t.call('history.markSeen', { ids: ['c2', 'c1', 'nope'] })).toEqual({
      changed: 1,
      missedUnseen: 1,
    });
    expect(await t.call('history.markSeen', { ids: ['c2'] })).toEqual({ changed: 0, missedUnseen: 1 });
    expect(await t.call('history.markSeen', {})).toEqual({ changed: 1, missedUnseen: 0 });
    expect(await t.call('history.missedCount', {})).toEqual({ missedUnseen: 0 });
    expect(t.eventsNamed('history.changed')).toEqual([
      { reason: 'seen', ids: ['c2', 'c1', 'nope'], entry: null, missedUnseen: 1 },
      { reason: 'seen', ids: null, entry: null, missedUnseen: 0 },
    ]);
    expect(await t.dispatch('history.markSeen', { ids: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('removes one entry (not-found the second time) and clears the log', async () => {
    expect(await t.dispatch('history.remove', { id: 'c4' })).toEqual({ ok: true, value: null });
    expect(await t.dispatch('history.remove', { id: 'c4' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no call "c4" in the call log.' },
    });
    expect(await t.call('history.clear', {})).toEqual({ removed: 4 });
    expect(await t.call('history.page', {})).toEqual({ entries: [], nextCursor: null });
    expect(t.eventsNamed('history.changed')).toEqual([
      { reason: 'removed', ids: ['c4'], entry: null, missedUnseen: 1 },
      { reason: 'cleared', ids: null, entry: null, missedUnseen: 0 },
    ]);
  });
});

describe('history.exportCsv', () => {
  it('exports the header only for an empty log', async () => {
    expect(await t.call('history.exportCsv', {})).toEqual({
      rows: 0,
      text: 'id,direction,account_id,remote_uri,remote_display_name,contact_name,started_at,answered_at,ended_at,duration_s,result,sip_code,reason,codec,media_path,mos,encryption\r\n',
    });
  });

  it('exports the matching calls newest first, defusing formulas in names', async () => {
    seed();
    call('c6', 'incoming', 'missed', 6, 'sip:evil@x.example', '=HYPERLINK("http://x")');
    const { text, rows } = await t.call('history.exportCsv', { filter: { kind: 'missed' } });
    expect(rows).toBe(3);
    const lines = text.split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(
      `c6,incoming,,sip:evil@x.example,"'=HYPERLINK(""http://x"")",,${new Date(TEST_START + 6 * 60_000).toISOString()},,${new Date(TEST_START + 6 * 60_000 + 65_000).toISOString()},0,missed,,,,unknown,,none`,
    );
    expect(lines.slice(2, 4).map((l) => l.split(',')[0])).toEqual(['c4', 'c2']);
    expect(lines[4]).toBe('');
    expect(await t.dispatch('history.exportCsv', { filter: { from: 5, to: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });
});

describe('storage failures', () => {
  it('answers a full disk or a locked database as `storage`, and a bug as `internal`', async () => {
    const spy = vi.spyOn(t.store!.history, 'clear').mockImplementation(() => {
      throw Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
    });
    expect(await t.dispatch('history.clear', {})).toEqual({
      ok: false,
      error: {
        code: 'storage',
        message: 'The call log could not be read or written: database is locked (SQLITE_BUSY).',
      },
    });
    spy.mockImplementation(() => {
      throw Object.assign(new Error('no such column: x'), { name: 'SqliteError', code: 'SQLITE_ERROR' });
    });
    expect(await t.dispatch('history.clear', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'history.clear failed unexpectedly' },
    });
    expect(t.internal.map((i) => i.name)).toEqual(['history.clear']);
    t.internal.length = 0;
    spy.mockRestore();
    expect(t.events).toEqual([]);
  });
});
