import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, NodeKeyFileCipher } from '../../../src-main/store/index.ts';
import { makeTempDir } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.remove());

describe('NodeKeyFileCipher', () => {
  it('creates a 32-byte key file readable by the owner only', () => {
    const cipher = NodeKeyFileCipher.forDataDir(temp.path);
    expect(cipher.keyFile).toBe(join(temp.path, KEY_FILE_NAME));
    expect(statSync(cipher.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(cipher.keyFile).length).toBe(32);
    expect(cipher.kind).toBe('node-key-file/aes-256-gcm/v1');
  });

  it('round-trips text, with a fresh IV per encryption', () => {
    const cipher = NodeKeyFileCipher.forDataDir(temp.path);
    const a = cipher.encrypt('pässwörd 🔑');
    const b = cipher.encrypt('pässwörd 🔑');
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength('pässwörd 🔑'));
    expect(cipher.decrypt(a)).toBe('pässwörd 🔑');
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
  });

  it('reuses the existing key instead of replacing it', () => {
    const blob = NodeKeyFileCipher.forDataDir(temp.path).encrypt('secret');
    const key = readFileSync(join(temp.path, KEY_FILE_NAME));
    const again = NodeKeyFileCipher.forDataDir(temp.path);
    expect(readFileSync(join(temp.path, KEY_FILE_NAME)).equals(key)).toBe(true);
    expect(again.decrypt(blob)).toBe('secret');
  });

  it('refuses altered bytes and blobs made with another key', () => {
    const cipher = NodeKeyFileCipher.forDataDir(temp.path);
    const blob = cipher.encrypt('secret');
    const altered = Buffer.from(blob);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => cipher.decrypt(altered)).toThrow();
    const other = NodeKeyFileCipher.open(join(temp.path, 'other.key'));
    expect(() => other.decrypt(blob)).toThrow();
    expect(() => cipher.decrypt(Buffer.from([1, 2, 3]))).toThrow('not a secret blob of this cipher');
  });

  it('tightens a key file that others can read, and rejects a file that is not a key', () => {
    const file = join(temp.path, 'loose.key');
    writeFileSync(file, Buffer.alloc(32, 7));
    chmodSync(file, 0o644);
    NodeKeyFileCipher.open(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(join(temp.path, 'short.key'), 'hello');
    expect(() => NodeKeyFileCipher.open(join(temp.path, 'short.key'))).toThrow('(5 bytes, expected 32)');
  });
});
