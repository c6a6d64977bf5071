/**
 * `createNodePhone` opens the store in the data folder and turns every way that can fail into a
 * `PhoneStartError` a user can act on; the CLI's key-file cipher creates its key only when needed.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CommandRouter,
  DeferredKeyFileCipher,
  NODE_KEY_FILE_CIPHER_KIND,
  PhoneStartError,
  createNodePhone,
} from '../../../src-main/phone/index.ts';
import {
  DATABASE_FILE_NAME,
  KEY_FILE_NAME,
  LOCK_FILE_NAME,
  NodeKeyFileCipher,
  SCHEMA_VERSION,
} from '../../../src-main/store/index.ts';
import { makeTempDir, type TempDir } from '../store/helpers.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('softphone-node-phone-');
});
afterEach(() => temp.remove());

function startError(run: () => unknown): PhoneStartError {
  try {
    run();
  } catch (error) {
    if (error instanceof PhoneStartError) return error;
    throw error;
  }
  throw new Error('expected a PhoneStartError');
}

describe('createNodePhone', () => {
  it('opens the store in the data folder, without a key file until a password is stored', async () => {
    const dataDir = join(temp.path, 'data');
    const phone = createNodePhone({ host: 'cli', dataDir });
    const router = new CommandRouter(phone.handlers, { isTrustedSender: () => true });
    expect(await router.dispatch('app.info', {}, { kind: 'cli' })).toMatchObject({
      ok: true,
      value: { dataDir },
    });
    expect(await router.dispatch('history.missedCount', {}, { kind: 'cli' })).toEqual({
      ok: true,
      value: { missedUnseen: 0 },
    });
    expect(readdirSync(dataDir).sort()).toEqual(
      [DATABASE_FILE_NAME, `${DATABASE_FILE_NAME}-shm`, `${DATABASE_FILE_NAME}-wal`, LOCK_FILE_NAME].sort(),
    );
    await phone.close();
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  });

  it('refuses a second phone on the same data folder with store-locked, naming the holder; then opens after close', async () => {
    const first = createNodePhone({ host: 'cli', dataDir: temp.path });
    const error = startError(() => createNodePhone({ host: 'cli', dataDir: temp.path }));
    expect(error.code).toBe('store-locked');
    expect(error.dataDir).toBe(temp.path);
    expect(error.message).toBe(
      `Another softphone (process ${process.pid}) is using the data folder ${temp.path}. ` +
        `Close it first, or use another data folder. (If no softphone is running, delete ${join(temp.path, LOCK_FILE_NAME)}.)`,
    );
    await first.close();
    const third = createNodePhone({ host: 'cli', dataDir: temp.path });
    await third.close();
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const file = join(temp.path, DATABASE_FILE_NAME);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    const error = startError(() => createNodePhone({ host: 'cli', dataDir: temp.path }));
    expect(error.code).toBe('schema-too-new');
    expect(error.message).toBe(
      `The data folder ${temp.path} was written by a newer version of the softphone ` +
        `(database schema ${SCHEMA_VERSION + 7}; this version knows up to ${SCHEMA_VERSION}). Update the softphone.`,
    );
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 7);
    after.close();
    expect(existsSync(join(temp.path, LOCK_FILE_NAME))).toBe(false);
  });

  it('refuses a file that is not a database', () => {
    writeFileSync(join(temp.path, DATABASE_FILE_NAME), 'this is a text file, not SQLite'.repeat(100));
    const error = startError(() => createNodePhone({ host: 'cli', dataDir: temp.path }));
    expect(error.code).toBe('not-a-database');
    expect(error.message).toMatch(
      /is not a softphone database \(it is damaged or belongs to another program\)/,
    );
  });

  it('refuses a data folder that cannot be created', () => {
    const blocker = join(temp.path, 'a-file');
    writeFileSync(blocker, '');
    const error = startError(() => createNodePhone({ host: 'cli', dataDir: join(blocker, 'data') }));
    expect(error.code).toBe('data-dir-unusable');
    expect(error.message).toMatch(
      new RegExp(`^The data folder ${join(blocker, 'data')} cannot be used: ENOTDIR`),
    );
  });
});

describe('DeferredKeyFileCipher', () => {
  it('has the kind of NodeKeyFileCipher, so passwords stored by either read with the other', () => {
    const eager = NodeKeyFileCipher.forDataDir(join(temp.path, 'eager'));
    expect(NODE_KEY_FILE_CIPHER_KIND).toBe(eager.kind);
    const deferred = new DeferredKeyFileCipher(join(temp.path, 'eager'));
    expect(deferred.kind).toBe(eager.kind);
    expect(deferred.decrypt(eager.encrypt('s3cret'))).toBe('s3cret');
    expect(eager.decrypt(deferred.encrypt('hunter2'))).toBe('hunter2');
  });

  it('creates the key file (mode 0600) on the first encryption only; decrypting without one says so', () => {
    const cipher = new DeferredKeyFileCipher(temp.path);
    expect(cipher.keyFile).toBe(join(temp.path, KEY_FILE_NAME));
    expect(existsSync(cipher.keyFile)).toBe(false);
    expect(() => cipher.decrypt(Buffer.alloc(40))).toThrow(`the key file ${cipher.keyFile} is missing`);
    expect(existsSync(cipher.keyFile)).toBe(false);
    const blob = cipher.encrypt('pw');
    expect(statSync(cipher.keyFile).mode & 0o777).toBe(0o600);
    expect(cipher.decrypt(blob)).toBe('pw');
    expect(new DeferredKeyFileCipher(temp.path).decrypt(blob)).toBe('pw');
  });
});
