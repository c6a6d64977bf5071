import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NatReport } from '../../../src-shared/model/nat.ts';
import { NO_ACCOUNT_KEY } from '../../../src-main/store/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { ManualClock, accountInput, makeTempDir, natReport, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
let clock: ManualClock;
let store: Store;
beforeEach(() => {
  temp = makeTempDir();
  clock = new ManualClock(1_700_000_500_000);
  store = openTestStore(temp.path, clock);
});
afterEach(() => {
  store.close();
  temp.remove();
});

function addAccount(label = 'Office'): string {
  const added = store.accounts.add(accountInput({ label }));
  if (!added.ok) throw new Error('add');
  return added.value.id;
}

/** Writes a row as some other version of the app might have, through a second connection. */
function putRaw(key: string, json: string, savedAt = 1): void {
  const db = new Database(store.file);
  try {
    db.pragma('foreign_keys = ON');
    db.prepare(
      `INSERT OR REPLACE INTO nat_reports (account_key, account_id, report, saved_at)
       VALUES (?, nullif(?, ''), ?, ?)`,
    ).run(key, key, json, savedAt);
  } finally {
    db.close();
  }
}

function rowCount(): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM nat_reports').get()?.n ?? -1;
  } finally {
    db.close();
  }
}

describe('NatReportRepository', () => {
  it('keeps the last report per account key across a restart', () => {
    const office = addAccount();
    const mine = natReport({ accountId: office, natType: 'symmetric', verdict: 'relay-required' });
    const anonymous = natReport({ accountId: null, startedAt: 1_700_000_100_000 });
    expect(store.natReports.save(office, mine)).toEqual({
      ok: true,
      value: { accountKey: office, report: mine, savedAt: 1_700_000_500_000 },
    });
    clock.time += 1000;
    expect(store.natReports.save(NO_ACCOUNT_KEY, anonymous).ok).toBe(true);
    store.close();
    store = openTestStore(temp.path, clock);

    expect(store.natReports.last(office)).toEqual(mine);
    expect(store.natReports.last(NO_ACCOUNT_KEY)).toEqual(anonymous);
    expect(store.natReports.last('no-such-key')).toBeUndefined();
    expect(store.natReports.all()).toEqual([
      { accountKey: '', report: anonymous, savedAt: 1_700_000_501_000 },
      { accountKey: office, report: mine, savedAt: 1_700_000_500_000 },
    ]);
  });

  it('replaces an account’s report with its newer one', () => {
    const office = addAccount();
    store.natReports.save(office, natReport({ accountId: office, startedAt: 1 }));
    clock.time += 60_000;
    const newer = natReport({ accountId: office, startedAt: 2, publicAddress: null, verdict: 'unknown' });
    store.natReports.save(office, newer);
    expect(store.natReports.last(office)).toEqual(newer);
    expect(store.natReports.all()).toEqual([
      { accountKey: office, report: newer, savedAt: 1_700_000_560_000 },
    ]);
  });

  it('keeps nothing for a key that names no stored account', () => {
    expect(store.natReports.save('deleted-meanwhile', natReport())).toEqual({
      ok: false,
      error: { code: 'not-found', id: 'deleted-meanwhile' },
    });
    expect(store.natReports.all()).toEqual([]);
  });

  it('refuses a report that does not match the schema, and writes nothing', () => {
    const broken = { ...natReport(), natType: 'hexagonal' } as unknown as NatReport;
    const saved = store.natReports.save(NO_ACCOUNT_KEY, broken);
    expect(saved.ok).toBe(false);
    expect(!saved.ok && saved.error.code).toBe('invalid');
    expect(!saved.ok && saved.error.code === 'invalid' && saved.error.issues[0]?.path).toBe('natType');
    expect(rowCount()).toBe(0);
  });

  it('treats a row in a shape it no longer accepts as absent, and deletes it', () => {
    const office = addAccount();
    const olderShape: Record<string, unknown> = { ...natReport({ accountId: office }) };
    delete olderShape.tests;
    putRaw(office, JSON.stringify(olderShape));
    putRaw(NO_ACCOUNT_KEY, JSON.stringify({ ...natReport(), verdict: 'excellent' }));
    expect(rowCount()).toBe(2);

    expect(store.natReports.last(office)).toBeUndefined();
    expect(rowCount()).toBe(1);
    expect(store.natReports.all()).toEqual([]);
    expect(rowCount()).toBe(0);
    // The key is usable again.
    expect(store.natReports.save(office, natReport({ accountId: office })).ok).toBe(true);
    expect(store.natReports.last(office)?.accountId).toBe(office);
  });

  it('deletes an account’s report with the account, and only that one', () => {
    const office = addAccount('Office');
    const home = addAccount('Home');
    store.natReports.save(office, natReport({ accountId: office }));
    store.natReports.save(home, natReport({ accountId: home }));
    store.natReports.save(NO_ACCOUNT_KEY, natReport());

    expect(store.accounts.remove(office)).toBe(true);
    expect(store.natReports.last(office)).toBeUndefined();
    expect(store.natReports.all().map((s) => s.accountKey)).toEqual(['', home]);
  });

  it('removes one report on request', () => {
    store.natReports.save(NO_ACCOUNT_KEY, natReport());
    expect(store.natReports.remove(NO_ACCOUNT_KEY)).toBe(true);
    expect(store.natReports.remove(NO_ACCOUNT_KEY)).toBe(false);
    expect(store.natReports.last(NO_ACCOUNT_KEY)).toBeUndefined();
  });

  it('cannot store a row whose account column disagrees with its key', () => {
    const office = addAccount();
    const db = new Database(store.file);
    try {
      const put = db.prepare(
        'INSERT INTO nat_reports (account_key, account_id, report, saved_at) VALUES (?, ?, ?, 1)',
      );
      expect(() => put.run('', office, '{}')).toThrow('CHECK constraint failed');
      expect(() => put.run(office, null, '{}')).toThrow('CHECK constraint failed');
      expect(() => put.run(office, office, 'not json')).toThrow('CHECK constraint failed');
    } finally {
      db.close();
    }
  });
});
