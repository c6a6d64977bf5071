/**
 * One running softphone per data folder. The lock is a file (`softphone.lock`) holding the owner's PID:
 *
 *   acquire: create the file exclusively, with the PID already in it (written to a private temporary
 *            file, then hard-linked into place: link() fails atomically when the name exists).
 *   held:    a second instance finds the file, reads the PID, sees that process alive and gets
 *            `StoreLockedError` with that PID instead of an exception.
 *   stale:   the PID is not running (the owner crashed or was killed): the stale file is renamed away
 *            and the lock taken. The rename goes to a unique name and the renamed file's content is
 *            compared with what was judged stale; if another instance took the lock in between, its
 *            file is linked back and we retry, so a fresh lock is never silently stolen.
 *   release: delete the file if it still holds our PID.
 *
 * This lock is advisory and for the user's benefit (a clear "already running" message). The data itself
 * never depends on it: SQLite's own file locking keeps concurrent processes from corrupting the database.
 * PID reuse can make a stale lock look held (another program got the same PID); the error names the PID
 * and the file so the user can delete it.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { fail, ok } from './result.ts';
import type { Result } from './result.ts';

export interface StoreLockedError {
  readonly code: 'store-locked';
  readonly lockFile: string;
  /** The process holding the lock. */
  readonly pid: number;
  readonly message: string;
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void;
}

/** Whether a process with this PID exists (EPERM: it exists but belongs to someone else). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const MAX_ATTEMPTS = 5;

export function acquireDataDirLock(
  lockFile: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Result<DataDirLock, StoreLockedError> {
  const mine = `${process.pid}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (createWithContent(lockFile, mine)) return ok(heldLock(lockFile, mine));
    const seen = readIfExists(lockFile);
    if (seen === null) continue; // released between our attempt and the read: try again
    const pid = parsePid(seen);
    if (pid !== null && isAlive(pid)) {
      return fail({
        code: 'store-locked',
        lockFile,
        pid,
        message: `the data folder is in use by process ${pid} (lock file ${lockFile})`,
      });
    }
    removeIfUnchanged(lockFile, seen);
  }
  // Only reachable if other processes keep taking and dropping the lock faster than we can look.
  const holder = parsePid(readIfExists(lockFile) ?? '') ?? 0;
  return fail({
    code: 'store-locked',
    lockFile,
    pid: holder,
    message: `could not take the lock file ${lockFile}: other processes keep changing it`,
  });
}

function heldLock(file: string, content: string): DataDirLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      if (readIfExists(file) === content) unlinkSync(file);
    },
  };
}

function parsePid(content: string): number | null {
  const match = /^(\d+)\s*$/.exec(content);
  if (match?.[1] === undefined) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Creates `file` with `content` atomically; false if the name exists. */
function createWithContent(file: string, content: string): boolean {
  const temporary = uniqueSibling(file, 'new');
  const fd = openSync(temporary, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Removes a stale lock file unless someone replaced it after we read `staleContent`. */
function removeIfUnchanged(file: string, staleContent: string): void {
  const aside = uniqueSibling(file, 'stale');
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw error;
  }
  const moved = readIfExists(aside);
  if (moved !== staleContent) {
    // We moved a lock another instance had just taken: put it back (unless yet another one exists now).
    try {
      linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  unlinkSync(aside);
}

function uniqueSibling(file: string, purpose: string): string {
  return `${file}.${purpose}.${process.pid}.${randomBytes(6).toString('hex')}`;
}
