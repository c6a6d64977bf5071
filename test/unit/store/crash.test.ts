import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE_NAME,
  LOCK_FILE_NAME,
  SCHEMA_VERSION,
  userVersion,
} from '../../../src-main/store/index.ts';
import { runChild } from './child/run.ts';
import { makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

const COMPLETIONS_BEFORE_KILL = 300;

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.remove());

describe('kill -9 while logging calls', () => {
  it('loses no committed call, leaves a sound database, and repairs the call that was up', async () => {
    const child = runChild('churn-calls.ts', [temp.path]);
    await child.waitForLine((line) => line === 'ready');
    await child.waitForLine((line) => line === `done call-${COMPLETIONS_BEFORE_KILL - 1}`);
    child.process.kill('SIGKILL');
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
    const completed = child.lines.filter((l) => l.startsWith('done ')).map((l) => l.slice('done '.length));
    expect(completed.length).toBeGreaterThanOrEqual(COMPLETIONS_BEFORE_KILL);

    // The dead process's lock file is still there…
    expect(readFileSync(join(temp.path, LOCK_FILE_NAME), 'utf8')).toBe(`${child.process.pid}\n`);

    // …and the file is sound before anything repairs it.
    const raw = new Database(join(temp.path, DATABASE_FILE_NAME));
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    const unfinished = raw
      .prepare<[], { id: string }>('SELECT id FROM call_history WHERE result IS NULL')
      .all();
    expect(unfinished.map((r) => r.id)).toContain('held-call');
    raw.close();

    // Reopening takes over the stale lock, runs the migrations and repairs what was in progress.
    const store = openTestStore(temp.path);
    try {
      expect(store.repairedCalls).toBe(unfinished.length);
      const db = new Database(store.file, { readonly: true });
      expect(userVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT count(*) AS n FROM call_history WHERE result IS NULL').get()).toEqual({
        n: 0,
      });
      db.close();

      for (const id of completed) {
        const entry = store.history.get(id);
        const i = Number(id.slice('call-'.length));
        expect({ id, completion: entry?.completion, result: entry?.result }).toEqual({
          id,
          completion: 'completed',
          result: i % 3 === 0 ? 'missed' : 'answered',
        });
      }
      expect(store.history.get('held-call')).toMatchObject({
        result: 'failed',
        completion: 'ended-unknown',
        reason: 'app closed during call',
        answeredAt: 1500,
        endedAt: null,
      });
      // The name index survived too.
      const found = store.history.page({ filter: { search: 'caller 7' }, limit: 200 });
      expect(found.ok && found.value.entries.length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
