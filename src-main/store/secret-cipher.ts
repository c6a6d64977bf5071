/**
 * How the store protects secrets (SIP and TURN passwords) at rest. The store never writes a password to
 * the database in plain text: it stores `encrypt(password)` and the cipher's `kind`, and asks the same
 * kind of cipher to decrypt it later.
 *
 * Implementations:
 *   - Electron: the OS keychain through `safeStorage` (src-main/electron).
 *   - Headless CLI: `NodeKeyFileCipher`, a random key in a file beside the database.
 */
export interface SecretCipher {
  /** Names the scheme and key source, e.g. `electron-safe-storage`; stored beside every blob. */
  readonly kind: string;
  encrypt(plain: string): Buffer;
  /** Throws when the blob was not produced by this cipher with this key (tampered, other key). */
  decrypt(blob: Buffer): string;
}
