/**
 * The store as the phone uses it: one data folder, one SQLite file, five repositories.
 *
 *   <dataDir>/softphone.sqlite (+ -wal, -shm)   the database (owner-only permissions)
 *   <dataDir>/softphone.lock                    the running instance's PID (see data-dir-lock.ts)
 *   <dataDir>/softphone.key                     NodeKeyFileCipher's key, when the CLI uses that cipher
 *
 * Opening takes the data-folder lock, opens and migrates the database, and repairs call-log rows left
 * unfinished by a previous run that stopped during a call (that run cannot still be writing them: it
 * would hold the lock).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Clock } from '../platform/ports.ts';
import { AccountRepository } from './account-repository.ts';
import { CallHistoryRepository } from './call-history-repository.ts';
import { ContactRepository } from './contact-repository.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import type { DataDirLock, StoreLockedError } from './data-dir-lock.ts';
import { openDatabase } from './database.ts';
import { NatReportRepository } from './nat-report-repository.ts';
import type { DatabaseOpenError } from './database.ts';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { SettingsRepository } from './settings-repository.ts';

export const DATABASE_FILE_NAME = 'softphone.sqlite';
export const LOCK_FILE_NAME = 'softphone.lock';

export interface StoreOptions {
  readonly dataDir: string;
  readonly cipher: SecretCipher;
  /** Timestamps for created/updated/saved fields and the crash repair; default: the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
}

export type StoreOpenError = StoreLockedError | DatabaseOpenError;

const systemTime: Pick<Clock, 'now'> = { now: () => Date.now() };

export class Store {
  readonly file: string;
  readonly accounts: AccountRepository;
  readonly contacts: ContactRepository;
  readonly history: CallHistoryRepository;
  readonly settings: SettingsRepository;
  readonly natReports: NatReportRepository;
  /** Call-log rows of calls that were in progress when the previous run stopped, repaired on open. */
  readonly repairedCalls: number;
  private readonly db: Database.Database;
  private readonly lock: DataDirLock;

  /** Use `openStore`. */
  constructor(
    file: string,
    db: Database.Database,
    lock: DataDirLock,
    cipher: SecretCipher,
    clock: Pick<Clock, 'now'>,
  ) {
    this.file = file;
    this.db = db;
    this.lock = lock;
    this.accounts = new AccountRepository(db, cipher, clock);
    this.contacts = new ContactRepository(db, clock);
    this.history = new CallHistoryRepository(db);
    this.settings = new SettingsRepository(db);
    this.natReports = new NatReportRepository(db, clock);
    this.repairedCalls = this.history.repairUnfinished(clock.now());
  }

  get open(): boolean {
    return this.db.open;
  }

  /** Runs several repository calls as one transaction: all of them take effect, or none. */
  batch<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Closes the database (checkpointing the WAL into the main file) and releases the data-folder lock. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize');
    } finally {
      try {
        this.db.close();
      } finally {
        this.lock.release();
      }
    }
  }
}

export function openStore(options: StoreOptions): Result<Store, StoreOpenError> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDataDirLock(join(options.dataDir, LOCK_FILE_NAME));
  if (!lock.ok) return lock;
  const file = join(options.dataDir, DATABASE_FILE_NAME);
  try {
    // Create the file owner-only before SQLite does; SQLite gives -wal and -shm the same permissions.
    closeSync(openSync(file, 'a', 0o600));
    const opened = openDatabase(file);
    if (!opened.ok) {
      lock.value.release();
      return fail(opened.error);
    }
    return ok(new Store(file, opened.value.db, lock.value, options.cipher, options.clock ?? systemTime));
  } catch (error) {
    lock.value.release();
    throw error;
  }
}
