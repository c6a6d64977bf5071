/**
 * How the phone's services reach the store. The store may be absent (a phone built for unit tests, or a
 * host without a data folder) or already closed (the phone is shutting down); both answer `unavailable`.
 * SQLite failures that are not bugs — the disk is full, the file is read-only, another process held the
 * write lock past the busy timeout — answer `storage` with SQLite's own words; anything else is a bug and
 * propagates (the router reports it as `internal`).
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { ValidationIssue } from '../store/index.ts';
import type { Store } from '../store/index.ts';

export class StorageAccess {
  private readonly store: Store | null;

  constructor(store: Store | null) {
    this.store = store;
  }

  /** Whether a store is attached (open or not). */
  get present(): boolean {
    return this.store !== null;
  }

  /**
   * Runs `work` on the open store. `what` names the data for the user ("contacts", "the call log") in
   * the `unavailable` and `storage` messages.
   */
  use<T>(what: string, work: (store: Store) => T): T {
    if (this.store === null) {
      throw new PhoneError(
        'unavailable',
        `${capitalized(what)} cannot be used: this phone runs without a data folder.`,
      );
    }
    if (!this.store.open) throw new PhoneError('unavailable', 'The phone is shutting down.');
    try {
      return work(this.store);
    } catch (error) {
      const code = sqliteCodeOf(error);
      if (code === null) throw error; // a bug: the router reports it as `internal`
      throw new PhoneError(
        'storage',
        `${capitalized(what)} could not be read or written: ${(error as Error).message} (${code}).`,
      );
    }
  }
}

/**
 * SQLite result codes (and their extended forms, `SQLITE_IOERR_WRITE`, …) that describe the disk or the
 * file rather than our SQL. Constraint violations, SQL errors and misuse are bugs and are not listed.
 */
const STORAGE_FAILURES =
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB|PERM|NOMEM|PROTOCOL|NOLFS)(_|$)/;

/** The SQLite code of a storage failure thrown by better-sqlite3 (`SQLITE_FULL`, …), else null. */
export function sqliteCodeOf(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return null;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && STORAGE_FAILURES.test(code) ? code : null;
}

/** The store's validation issues as one line: `addresses.0.value: number has no digits; name: …`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`))
    .join('; ');
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
