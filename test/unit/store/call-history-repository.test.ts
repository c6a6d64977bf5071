import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry, HistoryFilter, HistoryQuery } from '../../../src-shared/model/history.ts';
import type { CallStartRecord, Store } from '../../../src-main/store/index.ts';
import { ManualClock, accountInput, makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
let store: Store;
let accountA: string;
let accountB: string;
beforeEach(() => {
  temp = makeTempDir();
  store = openTestStore(temp.path, new ManualClock(1_000_000));
  const a = store.accounts.add(accountInput({ label: 'A' }));
  const b = store.accounts.add(accountInput({ label: 'B' }));
  if (!a.ok || !b.ok) throw new Error('accounts');
  accountA = a.value.id;
  accountB = b.value.id;
});
afterEach(() => {
  store.close();
  temp.remove();
});

function start(overrides: Partial<CallStartRecord> & { id: string; startedAt: number }): HistoryEntry {
  const result = store.history.recordStart({
    direction: 'incoming',
    accountId: accountA,
    remoteUri: 'sip:1000@pbx.local',
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function page(query: HistoryQuery = {}): { ids: string[]; next: HistoryQuery['cursor'] } {
  const result = store.history.page(query);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return { ids: result.value.entries.map((e) => e.id), next: result.value.nextCursor };
}

function ids(filter: HistoryFilter): string[] {
  return page({ filter, limit: 200 }).ids;
}

describe('CallHistoryRepository: writing', () => {
  it('records a call from start to end', () => {
    expect(start({ id: 'c1', startedAt: 10_000, remoteDisplayName: 'Bob' })).toEqual({
      id: 'c1',
      direction: 'incoming',
      accountId: accountA,
      remoteUri: 'sip:1000@pbx.local',
      remoteDisplayName: 'Bob',
      startedAt: 10_000,
      answeredAt: null,
      endedAt: null,
      durationMs: null,
      result: null,
      completion: 'in-progress',
      sipCode: null,
      reason: null,
      codec: null,
      mediaPath: 'unknown',
      encryption: 'unknown',
      mos: null,
      seen: true,
      contact: null,
    });
    expect(store.history.recordAnswered('c1', 12_000)).toEqual({ ok: true, value: undefined });
    const ended = store.history.recordEnd({
      id: 'c1',
      endedAt: 72_500,
      result: 'answered',
      sipCode: 200,
      codec: 'opus',
      mediaPath: 'direct',
      encryption: 'srtp',
      mos: 4.3,
    });
    expect(ended.ok && ended.value).toMatchObject({
      answeredAt: 12_000,
      endedAt: 72_500,
      durationMs: 60_500,
      result: 'answered',
      completion: 'completed',
      sipCode: 200,
      codec: 'opus',
      mediaPath: 'direct',
      encryption: 'srtp',
      mos: 4.3,
      seen: true,
    });
    expect(store.history.get('c1')?.encryption).toBe('srtp');
  });

  it('records the encryption like the media path: at the start, at the answer, kept or replaced at the end', () => {
    const encryptionOf = (id: string) => store.history.get(id)?.encryption;
    // An SRTP call: none while it rings, srtp from the answer on; an end that does not say keeps it.
    expect(start({ id: 'srtp', startedAt: 1, encryption: 'none' }).encryption).toBe('none');
    expect(store.history.recordAnswered('srtp', 2, 'srtp').ok).toBe(true);
    expect(encryptionOf('srtp')).toBe('srtp');
    const kept = store.history.recordEnd({ id: 'srtp', endedAt: 10, result: 'answered' });
    expect(kept.ok && kept.value.encryption).toBe('srtp');
    // An answer that does not say keeps what the start said; the end replaces it.
    start({ id: 'plain', startedAt: 3, encryption: 'none' });
    expect(store.history.recordAnswered('plain', 4).ok).toBe(true);
    expect(encryptionOf('plain')).toBe('none');
    const replaced = store.history.recordEnd({
      id: 'plain',
      endedAt: 9,
      result: 'answered',
      encryption: 'srtp',
    });
    expect(replaced.ok && replaced.value.encryption).toBe('srtp');
    // A call left unfinished keeps what was known when the app stopped.
    start({ id: 'crashed', startedAt: 5, encryption: 'none' });
    store.history.recordAnswered('crashed', 6, 'srtp');
    expect(store.history.repairUnfinished(100)).toBe(1);
    expect(store.history.get('crashed')).toMatchObject({ completion: 'ended-unknown', encryption: 'srtp' });
    // Refused as values: not one of the three.
    const badStart = store.history.recordStart({
      id: 'bad',
      direction: 'incoming',
      accountId: null,
      remoteUri: 'sip:x@y',
      startedAt: 7,
      encryption: 'aes' as never,
    });
    expect(!badStart.ok && badStart.error).toMatchObject({
      code: 'invalid',
      issues: [{ path: 'encryption' }],
    });
    const badEnd = store.history.recordEnd({
      id: 'srtp',
      endedAt: 11,
      result: 'answered',
      encryption: 'dtls' as never,
    });
    expect(!badEnd.ok && badEnd.error.code).toBe('invalid');
    // Filters are unaffected: every row is still found.
    expect(ids({ kind: 'incoming' })).toEqual(['crashed', 'plain', 'srtp']);
  });

  it('reports duplicates, unknown calls, unknown accounts and calls already ended as values', () => {
    start({ id: 'c1', startedAt: 1 });
    expect(
      store.history.recordStart({
        id: 'c1',
        direction: 'outgoing',
        accountId: null,
        remoteUri: 'sip:x@y',
        startedAt: 2,
      }),
    ).toEqual({
      ok: false,
      error: { code: 'duplicate', id: 'c1' },
    });
    expect(
      store.history.recordStart({
        id: 'c2',
        direction: 'outgoing',
        accountId: 'ghost',
        remoteUri: 'sip:x@y',
        startedAt: 2,
      }),
    ).toEqual({
      ok: false,
      error: { code: 'invalid', issues: [{ path: 'accountId', message: 'no account ghost' }] },
    });
    expect(store.history.recordEnd({ id: 'nope', endedAt: 5, result: 'failed' })).toEqual({
      ok: false,
      error: { code: 'not-found', id: 'nope' },
    });
    expect(store.history.recordAnswered('nope', 5)).toEqual({
      ok: false,
      error: { code: 'not-found', id: 'nope' },
    });
    expect(store.history.recordEnd({ id: 'c1', endedAt: 5, result: 'busy', sipCode: 486 }).ok).toBe(true);
    expect(store.history.recordEnd({ id: 'c1', endedAt: 6, result: 'failed' })).toEqual({
      ok: false,
      error: { code: 'already-ended', id: 'c1' },
    });
    expect(store.history.recordAnswered('c1', 6)).toEqual({
      ok: false,
      error: { code: 'already-ended', id: 'c1' },
    });
    const bad = store.history.recordEnd({ id: 'c1', endedAt: 6, result: 'failed', sipCode: 99 });
    expect(!bad.ok && bad.error.code).toBe('invalid');
  });

  it('computes durations from the answer time, 0 when unanswered, never negative; cuts long texts', () => {
    start({ id: 'unanswered', startedAt: 100, remoteDisplayName: 'x'.repeat(300) });
    const a = store.history.recordEnd({
      id: 'unanswered',
      endedAt: 5000,
      result: 'cancelled',
      reason: 'r'.repeat(300),
    });
    expect(a.ok && [a.value.durationMs, a.value.remoteDisplayName.length, a.value.reason?.length]).toEqual([
      0, 256, 256,
    ]);
    start({ id: 'clock-stepped', startedAt: 100 });
    const b = store.history.recordEnd({
      id: 'clock-stepped',
      endedAt: 50,
      answeredAt: 200,
      result: 'answered',
    });
    expect(b.ok && b.value.durationMs).toBe(0);
  });

  it('repairs calls left unfinished by a previous run: failed, end unknown, answer time kept', () => {
    start({ id: 'ringing', startedAt: 100 });
    start({ id: 'talking', startedAt: 200 });
    store.history.recordAnswered('talking', 300);
    start({ id: 'done', startedAt: 50 });
    store.history.recordEnd({ id: 'done', endedAt: 60, result: 'rejected', sipCode: 603 });
    start({ id: 'future', startedAt: 10_000 });
    expect(store.history.repairUnfinished(5000)).toBe(2);
    expect(store.history.repairUnfinished(5000)).toBe(0);
    const byId = (id: string): HistoryEntry | null => store.history.get(id);
    expect(byId('talking')).toMatchObject({
      result: 'failed',
      completion: 'ended-unknown',
      reason: 'app closed during call',
      answeredAt: 300,
      endedAt: null,
      durationMs: null,
    });
    expect(byId('ringing')?.completion).toBe('ended-unknown');
    expect(byId('done')?.completion).toBe('completed');
    expect(byId('future')?.completion).toBe('in-progress');
  });

  it('counts unseen missed calls and marks them seen', () => {
    for (const [id, at] of [
      ['m1', 1],
      ['m2', 2],
      ['m3', 3],
    ] as const) {
      start({ id, startedAt: at });
      store.history.recordEnd({ id, endedAt: at + 10, result: 'missed', sipCode: 487 });
    }
    start({ id: 'answered', startedAt: 4 });
    store.history.recordEnd({ id: 'answered', endedAt: 14, result: 'answered' });
    expect(store.history.unseenMissedCount()).toBe(3);
    expect(store.history.get('m1')?.seen).toBe(false);
    expect(store.history.markSeen(['m1', 'answered', 'ghost'])).toBe(1);
    expect(store.history.unseenMissedCount()).toBe(2);
    expect(store.history.markSeen()).toBe(2);
    expect(store.history.unseenMissedCount()).toBe(0);
    expect(store.history.get('m2')?.seen).toBe(true);
  });

  it('deletes one call or all of them', () => {
    start({ id: 'a', startedAt: 1, remoteDisplayName: 'Anna' });
    start({ id: 'b', startedAt: 2, remoteDisplayName: 'Anna' });
    expect(store.history.remove('a')).toBe(true);
    expect(store.history.remove('a')).toBe(false);
    expect(ids({ search: 'anna' })).toEqual(['b']);
    expect(store.history.clear()).toBe(1);
    expect(page().ids).toEqual([]);
    expect(ids({ search: 'anna' })).toEqual([]);
  });
});

describe('CallHistoryRepository: reading', () => {
  beforeEach(() => {
    const calls: Array<
      [string, number, 'incoming' | 'outgoing', string, string, string, 'answered' | 'missed' | 'busy']
    > = [
      ['c01', 1000, 'incoming', 'A', 'sip:1000@pbx.local', 'Desk', 'answered'],
      ['c02', 2000, 'outgoing', 'A', 'sip:+4930123456@gw.example;user=phone', '', 'busy'],
      ['c03', 3000, 'incoming', 'B', 'sip:alice@example.com', 'Alice Liddell', 'missed'],
      ['c04', 3000, 'incoming', 'A', 'tel:+49-30-999', 'Jürgen Müller', 'missed'],
      ['c05', 3000, 'outgoing', 'B', 'sip:2000@pbx.local', '', 'answered'],
      ['c06', 4000, 'incoming', 'A', 'sip:zoe@example.fr', 'Zoë Durand', 'answered'],
      ['c07', 5000, 'outgoing', 'A', 'sip:1000@pbx.local', '', 'answered'],
    ];
    for (const [id, at, direction, account, remoteUri, remoteDisplayName, result] of calls) {
      start({
        id,
        startedAt: at,
        direction,
        accountId: account === 'A' ? accountA : accountB,
        remoteUri,
        remoteDisplayName,
      });
      store.history.recordEnd({ id, endedAt: at + 500, result, ...(id === 'c02' && { encryption: 'none' }) });
    }
  });

  it('pages newest first by (started_at, id), including ties, each call exactly once', () => {
    const first = page({ limit: 3 });
    expect(first).toEqual({ ids: ['c07', 'c06', 'c05'], next: { startedAt: 3000, id: 'c05' } });
    // A call logged between two page requests does not shift the following pages.
    start({ id: 'c08', startedAt: 6000 });
    const second = page({ limit: 3, cursor: first.next });
    expect(second).toEqual({ ids: ['c04', 'c03', 'c02'], next: { startedAt: 2000, id: 'c02' } });
    expect(page({ limit: 3, cursor: second.next })).toEqual({ ids: ['c01'], next: null });
    expect(page({ limit: 8 }).next).toBeNull();
    expect(page({ limit: 7 }).next).toEqual({ startedAt: 2000, id: 'c02' }); // 8 calls now
  });

  it('filters by kind, account and time range, combined with AND', () => {
    expect(ids({ kind: 'missed' })).toEqual(['c04', 'c03']);
    expect(ids({ kind: 'incoming' })).toEqual(['c06', 'c04', 'c03', 'c01']);
    expect(ids({ kind: 'outgoing' })).toEqual(['c07', 'c05', 'c02']);
    expect(ids({ accountId: accountB })).toEqual(['c05', 'c03']);
    expect(ids({ from: 2000, to: 4000 })).toEqual(['c05', 'c04', 'c03', 'c02']);
    expect(ids({ kind: 'missed', accountId: accountA, from: 3000 })).toEqual(['c04']);
    expect(ids({ kind: 'all' })).toHaveLength(7);
  });

  it('searches by the start of a number on normalized numbers', () => {
    expect(ids({ search: '1000' })).toEqual(['c07', 'c01']);
    expect(ids({ search: '+49 30' })).toEqual(['c04', 'c02']);
    expect(ids({ search: '4930 1' })).toEqual(['c02']);
    expect(ids({ search: '(030)' })).toEqual([]);
    expect(ids({ search: '2' })).toEqual(['c05']);
  });

  it('searches names and SIP users by word prefix, case- and accent-insensitively', () => {
    expect(ids({ search: 'mül' })).toEqual(['c04']);
    expect(ids({ search: 'ZOE' })).toEqual(['c06']);
    expect(ids({ search: 'alice lid' })).toEqual(['c03']);
    expect(ids({ search: 'ali' })).toEqual(['c03']);
    expect(ids({ search: 'desk' })).toEqual(['c01']);
    // FTS5 syntax in the text is inert
    for (const text of ['"', 'a AND', 'NEAR(x', '*', 'alice OR zoe', '-', "o'brien"]) {
      expect(store.history.page({ filter: { search: text } }).ok).toBe(true);
    }
    expect(ids({ search: 'alice OR zoe' })).toEqual([]);
  });

  it('shows the contact whose number or SIP address matches, and finds calls by contact name', () => {
    store.contacts.add({
      name: 'Bob Desk',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'tel', value: '1000', label: '' }],
    });
    store.contacts.add({
      name: 'Alice (work)',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'sip', value: 'Alice@Example.com', label: '' }],
    });
    store.contacts.add({
      name: 'Gateway',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'tel', value: '+49 30 123456', label: '' }],
    });
    const all = store.history.page({ limit: 10 });
    if (!all.ok) throw new Error('page');
    expect(all.value.entries.map((e) => [e.id, e.contact?.name ?? null])).toEqual([
      ['c07', 'Bob Desk'],
      ['c06', null],
      ['c05', null],
      ['c04', null],
      ['c03', 'Alice (work)'],
      ['c02', 'Gateway'],
      ['c01', 'Bob Desk'],
    ]);
    expect(ids({ search: 'bob' })).toEqual(['c07', 'c01']);
    expect(ids({ search: 'gateway' })).toEqual(['c02']);
    expect(ids({ search: 'work' })).toEqual(['c03']);
  });

  it('refuses invalid queries as values', () => {
    const tooMany = store.history.page({ limit: 201 });
    expect(!tooMany.ok && tooMany.error.issues).toEqual([
      { path: 'limit', message: 'Too big: expected number to be <=200' },
    ]);
    const extra = store.history.page({ filter: { kind: 'missed', sql: '1=1' } } as never);
    expect(!extra.ok && extra.error.code).toBe('invalid');
    const backwards = store.history.page({ filter: { from: 10, to: 5 } });
    expect(!backwards.ok && backwards.error.issues).toEqual([
      { path: 'filter.to', message: '`from` is after `to`' },
    ]);
  });

  it('serves every filter from an index, never by scanning the whole log', () => {
    const plans: Record<string, string[]> = {
      all: store.history.explainPage({}),
      next: store.history.explainPage({ cursor: { startedAt: 3000, id: 'c05' } }),
      missed: store.history.explainPage({ filter: { kind: 'missed' } }),
      incoming: store.history.explainPage({ filter: { kind: 'incoming' } }),
      account: store.history.explainPage({ filter: { accountId: accountA } }),
      number: store.history.explainPage({ filter: { search: '+49 30' } }),
      name: store.history.explainPage({ filter: { search: 'zoe' } }),
    };
    for (const [what, plan] of Object.entries(plans)) {
      const scans = plan.filter((step) => /^SCAN h\b/.test(step) && !/USING (COVERING )?INDEX/.test(step));
      expect({ what, scans }).toEqual({ what, scans: [] });
    }
    expect(plans.missed?.join('\n')).toContain('call_history_missed');
    expect(plans.number?.join('\n')).toContain('call_history_by_number');
    expect(plans.name?.join('\n')).toContain('call_history_fts');
  });

  it('answers searches with many matches by walking the time index, with the same results', () => {
    // 1200 matching calls interleaved with 1200 others: "dense" by the repository's rule (≥ 1000).
    store.batch(() => {
      for (let i = 0; i < 2400; i++) {
        const match = i % 2 === 0;
        start({
          id: `d${String(i).padStart(4, '0')}`,
          startedAt: 100_000 + Math.floor(i / 3),
          remoteUri: match ? `sip:+4455${i}@gw.example` : `sip:77${i}@pbx.local`,
          remoteDisplayName: match ? 'Dense Dora' : 'Other Otto',
        });
      }
    });
    const expected = Array.from({ length: 2400 }, (_, i) => i)
      .filter((i) => i % 2 === 0)
      .sort((a, b) => Math.floor(b / 3) - Math.floor(a / 3) || b - a)
      .map((i) => `d${String(i).padStart(4, '0')}`);
    for (const search of ['+4455', 'dora']) {
      const plan = store.history.explainPage({ filter: { search } }).join('\n');
      expect(plan).toContain('SCAN h USING INDEX call_history_by_time');
      // every page, walked to the end, in exactly the order of (started_at, id) descending
      const seen: string[] = [];
      let cursor: HistoryQuery['cursor'] = null;
      do {
        const next = page({ filter: { search }, cursor, limit: 200 });
        seen.push(...next.ids);
        cursor = next.next;
      } while (cursor !== null);
      expect(seen).toEqual(expected);
    }
    // a narrow search still starts from its matches
    expect(store.history.explainPage({ filter: { search: '+44552' } }).join('\n')).toContain(
      'call_history_by_number',
    );
    expect(ids({ search: '+4455238' })).toEqual(['d2388', 'd2386', 'd2384', 'd2382', 'd2380', 'd0238']);
  });

  it('exports RFC 4180 CSV with quoting, ISO times and formula neutralising', () => {
    start({
      id: 'tricky',
      startedAt: 9000,
      remoteUri: 'sip:+4930@x',
      remoteDisplayName: '=HYPERLINK("x"), "quoted"\nname',
    });
    store.history.recordEnd({
      id: 'tricky',
      endedAt: 9000 + 61_400,
      answeredAt: 9000,
      result: 'answered',
      reason: 'a,b',
      codec: 'PCMU',
      mos: 3.5,
      encryption: 'srtp',
    });
    const csv = store.history.exportCsv({ search: '+4930' });
    if (!csv.ok) throw new Error('csv');
    const text = [...csv.value].join('');
    expect(text).toBe(
      'id,direction,account_id,remote_uri,remote_display_name,contact_name,started_at,answered_at,ended_at,duration_s,result,sip_code,reason,codec,media_path,mos,encryption\r\n' +
        `tricky,incoming,${accountA},sip:+4930@x,"'=HYPERLINK(""x""), ""quoted""\nname",,1970-01-01T00:00:09.000Z,1970-01-01T00:00:09.000Z,1970-01-01T00:01:10.400Z,61,answered,,"a,b",PCMU,unknown,3.5,srtp\r\n` +
        `c04,incoming,${accountA},tel:+49-30-999,Jürgen Müller,,1970-01-01T00:00:03.000Z,,1970-01-01T00:00:03.500Z,0,missed,,,,unknown,,unknown\r\n` +
        `c02,outgoing,${accountA},sip:+4930123456@gw.example;user=phone,,,1970-01-01T00:00:02.000Z,,1970-01-01T00:00:02.500Z,0,busy,,,,unknown,,none\r\n`,
    );
    const everything = store.history.exportCsv();
    expect(everything.ok && [...everything.value].length).toBe(1 + 8);
  });

  it('exports more calls than one read batch', () => {
    store.batch(() => {
      for (let i = 0; i < 1234; i++)
        start({ id: `bulk-${String(i).padStart(4, '0')}`, startedAt: 10_000 + (i % 100) });
    });
    const csv = store.history.exportCsv();
    if (!csv.ok) throw new Error('csv');
    const ids = [...csv.value].slice(1).map((line) => line.split(',')[0]);
    expect(ids.length).toBe(1234 + 7);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
