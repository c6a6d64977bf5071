/**
 * Opening the SQLite file: connection settings, then the schema migrations.
 *
 * Durability. The database runs in WAL mode with `synchronous = NORMAL`:
 *   - If the process dies (crash, kill -9), nothing committed is lost: a commit has been written to the
 *     WAL file (in the OS page cache) before it returns, and the next open replays the WAL.
 *   - If the machine loses power, the last few transactions before the loss may be rolled back (the WAL
 *     is only fsynced at checkpoints), but the database is never corrupted.
 *   That is the right trade for a phone: a commit costs no fsync, so writing a call-log row never stalls
 *   call handling, and a power cut costs at most the last calls' log rows.
 *
 * Concurrency. `busy_timeout` makes a connection wait (up to 5 s) for another connection's write lock
 * instead of failing with SQLITE_BUSY. Every write transaction in the store is BEGIN IMMEDIATE: a
 * deferred transaction that reads before it writes fails at once with SQLITE_BUSY (the busy handler is
 * not consulted) when another connection committed in between, because its WAL snapshot is stale.
 * Migrations, too, take the write lock up front and re-check the version inside, so two processes
 * opening an old file migrate it once.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';
import type { Migration } from './migrations.ts';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

export const BUSY_TIMEOUT_MS = 5000;

export type DatabaseOpenError =
  | {
      readonly code: 'schema-too-new';
      readonly found: number;
      readonly supported: number;
      readonly message: string;
    }
  | { readonly code: 'not-a-database'; readonly file: string; readonly message: string }
  | { readonly code: 'migration-failed'; readonly version: number; readonly message: string };

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The schema version found on open (0 for a new file). */
  readonly migratedFrom: number;
  readonly version: number;
}

/**
 * Opens (creating if needed) the database at `file` and brings its schema to the newest version.
 * `migrations` is replaceable for tests; production code uses the default.
 */
export function openDatabase(
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Result<OpenedDatabase, DatabaseOpenError> {
  checkMigrationList(migrations);
  const db = new Database(file);
  try {
    configure(db);
  } catch (error) {
    db.close();
    if (isSqliteError(error, 'SQLITE_NOTADB') || isSqliteError(error, 'SQLITE_CORRUPT')) {
      return fail({ code: 'not-a-database', file, message: `${file} is not a usable SQLite database` });
    }
    throw error;
  }
  const migrated = migrate(db, migrations);
  if (!migrated.ok) {
    db.close();
    return migrated;
  }
  // Let SQLite refresh its planner statistics where they are stale (cheap; see sqlite.org/lang_analyze.html).
  db.pragma('optimize = 0x10002');
  return ok({ db, migratedFrom: migrated.value, version: migrations.length });
}

function configure(db: Database.Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`could not switch ${db.name} to WAL (journal_mode is ${String(mode)})`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Bounds the work of `PRAGMA optimize` (run on open and close) to sampling, not reading whole tables.
  db.pragma('analysis_limit = 1000');
}

export function userVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Runs the pending migrations, each in its own IMMEDIATE transaction; returns the version found. */
function migrate(db: Database.Database, migrations: readonly Migration[]): Result<number, DatabaseOpenError> {
  const found = userVersion(db);
  if (found > migrations.length) {
    return fail({
      code: 'schema-too-new',
      found,
      supported: migrations.length,
      message: `the database has schema version ${found}; this version of the app knows up to ${migrations.length}`,
    });
  }
  for (const migration of migrations) {
    const step = db.transaction(() => {
      // Re-read inside the write lock: another process may have run this step meanwhile.
      if (userVersion(db) >= migration.version) return;
      migration.up(db);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`leaves ${broken.length} broken foreign key reference(s)`);
      db.pragma(`user_version = ${migration.version}`);
    });
    if (found >= migration.version) continue;
    try {
      step.immediate();
    } catch (error) {
      return fail({
        code: 'migration-failed',
        version: migration.version,
        message: `migration ${migration.version} (${migration.description}) failed: ${errorMessage(error)}`,
      });
    }
  }
  return ok(found);
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
}

function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Database.SqliteError && error.code === code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
