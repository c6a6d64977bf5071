import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE_NAME,
  MIGRATIONS,
  NodeKeyFileCipher,
  SCHEMA_VERSION,
  openDatabase,
  userVersion,
} from '../../../src-main/store/index.ts';
import type { Migration } from '../../../src-main/store/index.ts';
import { createV1Database } from './fixtures/schema-v1.ts';
import { createV2Database } from './fixtures/schema-v2.ts';
import { createV3Database } from './fixtures/schema-v3.ts';
import { ManualClock, makeTempDir, natReport, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

/**
 * One way to build the database as each earlier version of the app left it. Adding migration N+1
 * requires adding a fixture for version N here (the coverage test below fails otherwise).
 */
const EARLIER_VERSIONS: Record<number, (dataDir: string) => void> = {
  // Version 0: the file exists but is empty (created, nothing written yet) — SQLite treats it as new.
  0: (dataDir) => closeSync(openSync(join(dataDir, DATABASE_FILE_NAME), 'w')),
  1: (dataDir) => createV1Database(join(dataDir, DATABASE_FILE_NAME), NodeKeyFileCipher.forDataDir(dataDir)),
  2: (dataDir) => createV2Database(join(dataDir, DATABASE_FILE_NAME), NodeKeyFileCipher.forDataDir(dataDir)),
  3: (dataDir) =>
    createV3Database(
      join(dataDir, DATABASE_FILE_NAME),
      NodeKeyFileCipher.forDataDir(dataDir),
      JSON.stringify(V3_NAT_REPORT),
    ),
};

/** The NAT report the version 3 fixture saved for acc-1. */
const V3_NAT_REPORT = natReport({ accountId: 'acc-1', domain: 'example.com' });

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.remove());

function schemaOf(file: string): Array<{ type: string; name: string; sql: string | null }> {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { type: string; name: string; sql: string | null }>(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
      )
      .all();
  } finally {
    db.close();
  }
}

describe('openDatabase', () => {
  it('creates a new database at the newest version with the documented connection settings', () => {
    const opened = openDatabase(join(temp.path, 'new.sqlite'));
    if (!opened.ok) throw new Error(opened.error.message);
    const { db } = opened.value;
    expect(opened.value.migratedFrom).toBe(0);
    expect(opened.value.version).toBe(SCHEMA_VERSION);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('has a fixture for every earlier schema version', () => {
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(Object.keys(EARLIER_VERSIONS).map(Number)).toEqual([...Array(SCHEMA_VERSION).keys()]);
  });

  for (const [version, create] of Object.entries(EARLIER_VERSIONS)) {
    it(`migrates a version ${version} database to the newest version`, () => {
      create(temp.path);
      const file = join(temp.path, DATABASE_FILE_NAME);
      const opened = openDatabase(file);
      if (!opened.ok) throw new Error(opened.error.message);
      expect(opened.value.migratedFrom).toBe(Number(version));
      expect(userVersion(opened.value.db)).toBe(SCHEMA_VERSION);
      expect(opened.value.db.pragma('foreign_key_check')).toEqual([]);
      expect(opened.value.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // Calls logged before version 4 cannot say whether their audio was encrypted.
      expect(opened.value.db.prepare('SELECT DISTINCT encryption FROM call_history').pluck().all()).toEqual(
        Number(version) === 0 ? [] : ['unknown'],
      );
      opened.value.db.close();
      // Migrating an old file must give exactly the schema a new installation gets.
      const fresh = openDatabase(join(temp.path, 'fresh.sqlite'));
      if (!fresh.ok) throw new Error(fresh.error.message);
      fresh.value.db.close();
      expect(schemaOf(file)).toEqual(schemaOf(join(temp.path, 'fresh.sqlite')));
    });
  }

  it('keeps every version 1 row usable after migrating to the newest version', () => {
    EARLIER_VERSIONS[1]?.(temp.path);
    const clock = new ManualClock(100_000);
    const store = openTestStore(temp.path, clock);
    try {
      expect(store.accounts.get('acc-1')).toEqual({
        id: 'acc-1',
        label: 'Office',
        aor: 'sip:alice@example.com',
        authUser: 'alice',
        displayName: 'Alice A.',
        domain: 'example.com',
        outboundProxy: 'sip:proxy.example.com;lr',
        transport: 'tls',
        registerExpiresSec: 300,
        enabled: true,
        iceMode: 'on',
        stunServers: ['stun:stun.example.com'],
        keepaliveIntervalSec: 15,
        mediaPorts: { min: 20000, max: 20100 },
        codecs: ['PCMA', 'PCMU'],
        dtmfMode: 'info',
        autoAnswer: true,
        srtp: 'off',
        turnServers: [
          { uri: 'turn:turn.example.com:3478?transport=udp', username: 'alice-turn', hasPassword: true },
        ],
        hasPassword: true,
      });
      expect(store.accounts.credentials('acc-1')).toEqual({
        ok: true,
        value: {
          accountId: 'acc-1',
          password: 'v1-sip-password',
          turnServers: [
            {
              uri: 'turn:turn.example.com:3478?transport=udp',
              username: 'alice-turn',
              password: 'v1-turn-password',
            },
          ],
        },
      });

      const juergen = store.contacts.get('c-1');
      expect(juergen?.notes).toBe('line 1\nline 2');
      expect(juergen?.favourite).toBe(true);
      expect(juergen?.addresses).toEqual([
        { kind: 'tel', value: '+49 30 1234567', label: 'work' },
        { kind: 'sip', value: 'sip:juergen@example.com', label: '' },
      ]);
      expect(store.contacts.search({ text: 'MULL' }).map((c) => c.id)).toEqual(['c-1']);
      expect(store.contacts.search({ text: '100' }).map((c) => c.id)).toEqual(['c-2']);

      // The unfinished v1 call was repaired on open; v2 columns have their defaults.
      expect(store.repairedCalls).toBe(1);
      const page = store.history.page();
      if (!page.ok) throw new Error('page');
      expect(
        page.value.entries.map((e) => [
          e.id,
          e.result,
          e.completion,
          e.mediaPath,
          e.mos,
          e.encryption,
          e.contact?.name ?? null,
        ]),
      ).toEqual([
        ['call-3', 'failed', 'ended-unknown', 'unknown', null, 'unknown', null],
        ['call-2', 'missed', 'completed', 'unknown', null, 'unknown', 'Jürgen Müller'],
        ['call-1', 'answered', 'completed', 'unknown', null, 'unknown', 'Bob'],
      ]);
      expect(page.value.entries[0]?.answeredAt).toBe(31000);
      expect(page.value.entries[0]?.reason).toBe('app closed during call');
      expect(store.history.unseenMissedCount()).toBe(1);
      // The v1 name index still answers, and the contact name finds calls by the contact's number.
      const byName = store.history.page({ filter: { search: 'zoe' } });
      expect(byName.ok && byName.value.entries.map((e) => e.id)).toEqual(['call-3']);
      const byContact = store.history.page({ filter: { search: 'jürgen' } });
      expect(byContact.ok && byContact.value.entries.map((e) => e.id)).toEqual(['call-2']);

      // The new columns take values.
      store.history.recordStart({
        id: 'call-4',
        direction: 'outgoing',
        accountId: 'acc-1',
        remoteUri: 'sip:1000@pbx.local',
        startedAt: 50_000,
      });
      const ended = store.history.recordEnd({
        id: 'call-4',
        endedAt: 60_000,
        answeredAt: 51_000,
        result: 'answered',
        mediaPath: 'relayed',
        mos: 4.2,
        encryption: 'srtp',
      });
      expect(
        ended.ok && [ended.value.mediaPath, ended.value.mos, ended.value.encryption, ended.value.durationMs],
      ).toEqual(['relayed', 4.2, 'srtp', 9000]);

      expect(store.settings.get().app).toEqual({
        startMinimized: true,
        startAtLogin: false,
        language: 'zh-CN',
        theme: 'dark',
      });
    } finally {
      store.close();
    }
  });

  it('keeps every version 2 row usable after migrating, and starts keeping NAT reports', () => {
    EARLIER_VERSIONS[2]?.(temp.path);
    const clock = new ManualClock(100_000);
    const store = openTestStore(temp.path, clock);
    try {
      expect(store.accounts.get('acc-1')?.label).toBe('Office');
      expect(store.contacts.get('c-1')?.name).toBe('Jürgen Müller');
      const page = store.history.page();
      if (!page.ok) throw new Error('page');
      expect(page.value.entries.map((e) => [e.id, e.mediaPath, e.mos, e.encryption])).toEqual([
        ['call-3', 'unknown', null, 'unknown'],
        ['call-2', 'unknown', null, 'unknown'],
        ['call-1', 'direct', 4.1, 'unknown'],
      ]);
      expect(store.settings.get().app.language).toBe('zh-CN');

      // The new table starts empty, keeps reports for the migrated account and drops them with it.
      expect(store.natReports.all()).toEqual([]);
      const report = natReport({ accountId: 'acc-1' });
      expect(store.natReports.save('acc-1', report).ok).toBe(true);
      expect(store.natReports.save('', natReport()).ok).toBe(true);
      expect(store.natReports.last('acc-1')).toEqual(report);
      expect(store.accounts.remove('acc-1')).toBe(true);
      expect(store.natReports.last('acc-1')).toBeUndefined();
      expect(store.natReports.all().map((s) => s.accountKey)).toEqual(['']);
    } finally {
      store.close();
    }
  });

  it('keeps every version 3 row usable after migrating, and starts recording encryption', () => {
    EARLIER_VERSIONS[3]?.(temp.path);
    const clock = new ManualClock(100_000);
    const store = openTestStore(temp.path, clock);
    try {
      expect(store.accounts.get('acc-1')?.label).toBe('Office');
      expect(store.natReports.last('acc-1')).toEqual(V3_NAT_REPORT);
      expect(store.repairedCalls).toBe(1);
      const page = store.history.page();
      if (!page.ok) throw new Error('page');
      expect(
        page.value.entries.map((e) => [e.id, e.result, e.codec, e.mediaPath, e.mos, e.encryption]),
      ).toEqual([
        ['call-4', 'answered', 'opus', 'relayed', 3.9, 'unknown'],
        ['call-3', 'failed', 'opus', 'unknown', null, 'unknown'],
        ['call-2', 'missed', null, 'unknown', null, 'unknown'],
        ['call-1', 'answered', 'PCMA', 'direct', 4.1, 'unknown'],
      ]);

      // New calls record it: given at the start, updated at the answer, kept or replaced at the end.
      const started = store.history.recordStart({
        id: 'call-5',
        direction: 'incoming',
        accountId: 'acc-1',
        remoteUri: 'sip:carol@example.org',
        startedAt: 100_000,
        encryption: 'none',
      });
      expect(started.ok && started.value.encryption).toBe('none');
      expect(store.history.recordAnswered('call-5', 101_000, 'srtp')).toEqual({ ok: true, value: undefined });
      expect(store.history.get('call-5')?.encryption).toBe('srtp');
      const ended = store.history.recordEnd({ id: 'call-5', endedAt: 130_000, result: 'answered' });
      expect(ended.ok && [ended.value.encryption, ended.value.durationMs]).toEqual(['srtp', 29_000]);
      // Filters still answer as before, old rows and new ones alike.
      const relayedOutgoing = store.history.page({ filter: { kind: 'outgoing', accountId: 'acc-1' } });
      expect(relayedOutgoing.ok && relayedOutgoing.value.entries.map((e) => e.id)).toEqual([
        'call-4',
        'call-1',
      ]);
      const bySearch = store.history.page({ filter: { search: 'carol' } });
      expect(bySearch.ok && bySearch.value.entries.map((e) => [e.id, e.encryption])).toEqual([
        ['call-5', 'srtp'],
        ['call-3', 'unknown'],
      ]);
    } finally {
      store.close();
    }
  });

  it('opens an up-to-date database without running any migration again', () => {
    const file = join(temp.path, 'x.sqlite');
    const first = openDatabase(file);
    if (!first.ok) throw new Error(first.error.message);
    first.value.db.close();
    let ran = 0;
    const counting: Migration[] = MIGRATIONS.map((m) => ({ ...m, up: (db) => (ran++, m.up(db)) }));
    const second = openDatabase(file, counting);
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value.migratedFrom).toBe(SCHEMA_VERSION);
    expect(ran).toBe(0);
    second.value.db.close();
  });

  it('rolls a failing migration back completely and reports it as a value', () => {
    const file = join(temp.path, 'x.sqlite');
    const first = openDatabase(file);
    if (!first.ok) throw new Error(first.error.message);
    first.value.db.close();
    const failing: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'breaks half way',
      up: (db) => {
        db.exec('CREATE TABLE half_done (x INTEGER); ALTER TABLE contacts ADD COLUMN extra TEXT;');
        db.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    const result = openDatabase(file, [...MIGRATIONS, failing]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('migration-failed');
    expect(result.error).toMatchObject({ version: SCHEMA_VERSION + 1 });
    expect(result.error.message).toContain('no such table: no_such_table');

    const db = new Database(file, { readonly: true });
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({
      n: 0,
    });
    expect(
      db.prepare("SELECT count(*) AS n FROM pragma_table_info('contacts') WHERE name = 'extra'").get(),
    ).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer version of the app', () => {
    const file = join(temp.path, 'x.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const result = openDatabase(file);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'schema-too-new',
        found: 99,
        supported: SCHEMA_VERSION,
        message: `the database has schema version 99; this version of the app knows up to ${SCHEMA_VERSION}`,
      },
    });
  });

  it('refuses a file that is not a SQLite database', () => {
    const file = join(temp.path, 'x.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 'not a database '));
    const result = openDatabase(file);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('not-a-database');
  });

  it('rejects a migration list with gaps (a programming error)', () => {
    const [first] = MIGRATIONS;
    if (first === undefined) throw new Error('no migrations');
    expect(() => openDatabase(join(temp.path, 'x.sqlite'), [{ ...first, version: 2 }])).toThrow(
      'migration #0 has version 2, expected 1',
    );
  });
});
