/**
 * A `SecretCipher` for the headless CLI, where no OS keychain is available: AES-256-GCM with a random
 * 256-bit key kept in a file beside the database, readable by the owner only (mode 0600).
 *
 * What this protects against: the database file on its own — a copied or backed-up `softphone.sqlite`,
 * a database attached to a bug report, someone glancing at it with a SQLite browser — does not reveal
 * passwords. What it does NOT protect against: anyone who can read the user's files, because the key file
 * sits next to the database. Against that, only an OS keychain (the Electron build) helps.
 *
 * Blob layout: version (1 byte, = 1) | IV (12 bytes, random per encryption) | GCM tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SecretCipher } from './secret-cipher.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BLOB_VERSION = 1;
const OWNER_ONLY = 0o600;

/** The key file's name inside a data folder. */
export const KEY_FILE_NAME = 'softphone.key';

export class NodeKeyFileCipher implements SecretCipher {
  readonly kind = 'node-key-file/aes-256-gcm/v1';
  readonly keyFile: string;
  private readonly key: Buffer;

  private constructor(keyFile: string, key: Buffer) {
    this.keyFile = keyFile;
    this.key = key;
  }

  /**
   * Uses the key in `keyFile`, creating the file with a new random key (mode 0600) if it does not exist.
   * A key file readable by others is tightened to 0600. Throws if the file exists but is not a key.
   */
  static open(keyFile: string): NodeKeyFileCipher {
    const created = createKeyFileIfMissing(keyFile);
    if (!created && process.platform !== 'win32' && (statSync(keyFile).mode & 0o077) !== 0) {
      chmodSync(keyFile, OWNER_ONLY);
    }
    const key = readFileSync(keyFile);
    if (key.length !== KEY_BYTES) {
      throw new Error(`${keyFile} is not a softphone key file (${key.length} bytes, expected ${KEY_BYTES})`);
    }
    return new NodeKeyFileCipher(keyFile, key);
  }

  /** The cipher for a data folder (created, owner-only, if missing): key in `<dataDir>/softphone.key`. */
  static forDataDir(dataDir: string): NodeKeyFileCipher {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return NodeKeyFileCipher.open(join(dataDir, KEY_FILE_NAME));
  }

  encrypt(plain: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(BLOB_VERSION), iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer): string {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== BLOB_VERSION) {
      throw new Error('not a secret blob of this cipher');
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    // final() throws when the tag does not verify: wrong key or altered bytes.
    return Buffer.concat([
      decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/**
 * Creates the key file if there is none, never overwriting a key. The key is written to a private
 * temporary file first and then linked into place, so another process never sees a half-written key
 * file (link fails with EEXIST when the name exists, atomically). Returns false if it already existed.
 */
function createKeyFileIfMissing(keyFile: string): boolean {
  const temporary = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', OWNER_ONLY);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, keyFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}
