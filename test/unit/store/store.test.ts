import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE_NAME,
  LOCK_FILE_NAME,
  NodeKeyFileCipher,
  acquireDataDirLock,
  openDatabase,
  openStore,
} from '../../../src-main/store/index.ts';
import { runChild } from './child/run.ts';
import { makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.remove());

/** The PID of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('openStore', () => {
  it('creates the data folder, an owner-only database and a lock file with our PID; close removes the lock', () => {
    const dataDir = join(temp.path, 'nested', 'data');
    const store = openTestStore(dataDir);
    expect(store.file).toBe(join(dataDir, DATABASE_FILE_NAME));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\n`);
    expect(store.open).toBe(true);
    store.close();
    expect(store.open).toBe(false);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
    store.close(); // closing twice is harmless
  });

  it('gives a second opener in the same process a store-locked value', () => {
    const store = openTestStore(temp.path);
    const second = openStore({ dataDir: temp.path, cipher: NodeKeyFileCipher.forDataDir(temp.path) });
    expect(second).toEqual({
      ok: false,
      error: {
        code: 'store-locked',
        lockFile: join(temp.path, LOCK_FILE_NAME),
        pid: process.pid,
        message: `the data folder is in use by process ${process.pid} (lock file ${join(temp.path, LOCK_FILE_NAME)})`,
      },
    });
    store.close();
    const third = openStore({ dataDir: temp.path, cipher: NodeKeyFileCipher.forDataDir(temp.path) });
    expect(third.ok).toBe(true);
    if (third.ok) third.value.close();
  });

  it('takes over a stale lock left by a process that no longer runs, or an unreadable one', () => {
    const lockFile = join(temp.path, LOCK_FILE_NAME);
    writeFileSync(lockFile, `${deadPid()}\n`);
    const store = openTestStore(temp.path);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    store.close();
    writeFileSync(lockFile, 'garbage');
    openTestStore(temp.path).close();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('releases the lock when the database cannot be opened', () => {
    writeFileSync(join(temp.path, DATABASE_FILE_NAME), Buffer.alloc(4096, 'not sqlite '));
    const result = openStore({ dataDir: temp.path, cipher: NodeKeyFileCipher.forDataDir(temp.path) });
    expect(!result.ok && result.error.code).toBe('not-a-database');
    expect(existsSync(join(temp.path, LOCK_FILE_NAME))).toBe(false);
  });

  it('judges a lock stale by the liveness check it is given', () => {
    const lockFile = join(temp.path, LOCK_FILE_NAME);
    writeFileSync(lockFile, '4242\n');
    let checks = 0;
    // The "holder" is alive at the first check and gone at the second.
    const result = acquireDataDirLock(lockFile, () => ++checks === 1);
    expect(result.ok).toBe(false);
    const retried = acquireDataDirLock(lockFile, () => ++checks === 1);
    expect(retried.ok).toBe(true);
    if (retried.ok) retried.value.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('batches repository calls into one transaction', () => {
    const store = openTestStore(temp.path);
    expect(() =>
      store.batch(() => {
        store.history.recordStart({
          id: 'a',
          direction: 'incoming',
          accountId: null,
          remoteUri: 'sip:a@x',
          startedAt: 1,
        });
        store.settings.patch({ app: { theme: 'dark' } });
        throw new Error('undo');
      }),
    ).toThrow('undo');
    expect(store.history.get('a')).toBeNull();
    expect(store.settings.get().app.theme).toBe('system');
    store.close();
  });
});

describe('two processes on one data folder', () => {
  it('a second instance gets store-locked naming the first, and opens once the first has closed', async () => {
    const first = runChild('open-store.ts', [temp.path, 'hold'], 'pipe');
    const firstResult = JSON.parse(await first.waitForLine((l) => l.startsWith('{'))) as {
      ok: boolean;
      pid: number;
    };
    expect(firstResult).toEqual({ ok: true, pid: first.process.pid });

    const second = runChild('open-store.ts', [temp.path, 'try']);
    const secondResult: unknown = JSON.parse(await second.waitForLine((l) => l.startsWith('{')));
    expect(secondResult).toEqual({
      ok: false,
      error: {
        code: 'store-locked',
        lockFile: join(temp.path, LOCK_FILE_NAME),
        pid: first.process.pid,
        message: `the data folder is in use by process ${first.process.pid} (lock file ${join(temp.path, LOCK_FILE_NAME)})`,
      },
    });
    expect((await second.exited).code).toBe(0);

    first.process.stdin?.end();
    await first.waitForLine((l) => l === 'closed');
    expect((await first.exited).code).toBe(0);

    const third = runChild('open-store.ts', [temp.path, 'try']);
    const thirdResult: unknown = JSON.parse(await third.waitForLine((l) => l.startsWith('{')));
    expect(thirdResult).toEqual({ ok: true, pid: third.process.pid });
    expect((await third.exited).code).toBe(0);
  });

  it("SQLite's own locking keeps concurrent writers from corrupting the file (no lock file involved)", async () => {
    const file = join(temp.path, 'shared.sqlite');
    const created = openDatabase(file);
    if (!created.ok) throw new Error('open');
    created.value.db.close();
    const writers = [
      runChild('write-calls.ts', [file, 'left', '400']),
      runChild('write-calls.ts', [file, 'right', '400']),
    ];
    const exits = await Promise.all(writers.map((w) => w.exited));
    expect(exits.map((e) => [e.code, e.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) AS n FROM call_history WHERE result = 'answered'").get()).toEqual({
      n: 800,
    });
    db.close();
  });
});
