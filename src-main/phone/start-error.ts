/**
 * Why a phone could not start on a data folder, in words a user can act on. Hosts show `message` as it is
 * (the CLI prints it and exits 1; the app shows it in an error box and quits).
 */
import { assertNever } from '../../src-shared/util/emitter.ts';
import type { StoreOpenError } from '../store/index.ts';
import { sqliteCodeOf } from './storage-access.ts';

export type PhoneStartFailure = StoreOpenError['code'] | 'data-dir-unusable';

export class PhoneStartError extends Error {
  readonly code: PhoneStartFailure;
  readonly dataDir: string;

  constructor(code: PhoneStartFailure, dataDir: string, message: string) {
    super(message);
    this.name = 'PhoneStartError';
    this.code = code;
    this.dataDir = dataDir;
  }
}

export function storeOpenFailure(dataDir: string, error: StoreOpenError): PhoneStartError {
  switch (error.code) {
    case 'store-locked':
      return new PhoneStartError(
        error.code,
        dataDir,
        `Another softphone (process ${error.pid}) is using the data folder ${dataDir}. ` +
          `Close it first, or use another data folder. (If no softphone is running, delete ${error.lockFile}.)`,
      );
    case 'schema-too-new':
      return new PhoneStartError(
        error.code,
        dataDir,
        `The data folder ${dataDir} was written by a newer version of the softphone ` +
          `(database schema ${error.found}; this version knows up to ${error.supported}). Update the softphone.`,
      );
    case 'not-a-database':
      return new PhoneStartError(
        error.code,
        dataDir,
        `${error.file} is not a softphone database (it is damaged or belongs to another program). ` +
          'Move it elsewhere to start with an empty one.',
      );
    case 'migration-failed':
      return new PhoneStartError(
        error.code,
        dataDir,
        `The database in ${dataDir} could not be upgraded: ${error.message}`,
      );
    default:
      return assertNever(error, 'store open error');
  }
}

/** File-system errors that make a data folder unusable (not bugs): permissions, read-only, full, not a folder. */
const UNUSABLE = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'ENOTDIR',
  'EEXIST',
  'ELOOP',
  'ENAMETOOLONG',
  'EDQUOT',
]);

/**
 * A PhoneStartError for a file-system or SQLite failure on the data folder (a read-only disk fails in
 * SQLite as well as in `fs`), or null when `error` is something else (a bug).
 */
export function dataDirFailure(dataDir: string, error: unknown): PhoneStartError | null {
  const code: unknown = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const unusable = (typeof code === 'string' && UNUSABLE.has(code)) || sqliteCodeOf(error) !== null;
  if (!unusable) return null;
  return new PhoneStartError(
    'data-dir-unusable',
    dataDir,
    `The data folder ${dataDir} cannot be used: ${(error as Error).message}`,
  );
}
