/**
 * The CLI's `SecretCipher`: `NodeKeyFileCipher` (AES-256-GCM, key in `<dataDir>/softphone.key`, mode
 * 0600), with the key file created only when a password is first stored. Commands that never store a
 * password (history, contacts, nat-check) leave no key file behind, and reading a password whose key file
 * is gone says so instead of creating a new key that cannot decrypt it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_FILE_NAME, NodeKeyFileCipher } from '../store/index.ts';
import type { SecretCipher } from '../store/index.ts';

/** `NodeKeyFileCipher.kind`, known before its key exists (a test checks that the two agree). */
export const NODE_KEY_FILE_CIPHER_KIND = 'node-key-file/aes-256-gcm/v1';

export class DeferredKeyFileCipher implements SecretCipher {
  readonly kind = NODE_KEY_FILE_CIPHER_KIND;
  readonly keyFile: string;
  private readonly dataDir: string;
  private cipher: NodeKeyFileCipher | null = null;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.keyFile = join(dataDir, KEY_FILE_NAME);
  }

  encrypt(plain: string): Buffer {
    this.cipher ??= NodeKeyFileCipher.forDataDir(this.dataDir);
    return this.cipher.encrypt(plain);
  }

  decrypt(blob: Buffer): string {
    if (this.cipher === null) {
      if (!existsSync(this.keyFile)) throw new Error(`the key file ${this.keyFile} is missing`);
      this.cipher = NodeKeyFileCipher.open(this.keyFile);
    }
    return this.cipher.decrypt(blob);
  }
}
