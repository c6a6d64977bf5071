/**
 * The app's `SecretCipher`: SIP and TURN passwords are encrypted with the OS keychain through Electron's
 * `safeStorage` (macOS Keychain, Windows DPAPI, on Linux the Secret Service or KWallet).
 *
 * It refuses rather than pretends. When encryption is not available, or when Linux has no keyring and
 * Chromium would fall back to its `basic_text` backend (a hard-coded key: obfuscation, not encryption),
 * storing a password fails with `SecretStorageUnavailableError` — a `PhoneError('unavailable')` whose
 * message tells the user what to do — and the store's transaction writes nothing.
 *
 * The check runs at each use, not at construction: on Linux the backend is only known after the app's
 * `ready` event, and a keyring can start later.
 *
 * The synchronous `encryptString`/`decryptString` are used (Electron now marks them deprecated in favour
 * of async ones) because the store encrypts inside its SQLite transactions, which are synchronous.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { SecretCipher } from '../store/index.ts';

/** The part of Electron's `safeStorage` this cipher uses. */
export interface SafeStorageApi {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: `basic_text`, `gnome_libsecret`, `kwallet`, …, or `unknown` before `ready`. */
  getSelectedStorageBackend(): string;
}

export type SecretStorageState = 'available' | 'unavailable' | 'no-keyring';

export class SecretStorageUnavailableError extends PhoneError {
  readonly reason: Exclude<SecretStorageState, 'available'>;

  constructor(reason: Exclude<SecretStorageState, 'available'>) {
    super(
      'unavailable',
      reason === 'no-keyring'
        ? 'Passwords cannot be stored: no keyring (such as GNOME Keyring or KWallet) is running, so the system ' +
            'cannot encrypt them. Start your desktop’s keyring service and restart the softphone.'
        : 'Passwords cannot be stored: the system’s secure storage (keychain) is not available.',
    );
    this.name = 'SecretStorageUnavailableError';
    this.reason = reason;
  }
}

export class SafeStorageCipher implements SecretCipher {
  readonly kind = 'electron-safe-storage/v1';
  private readonly safeStorage: SafeStorageApi;
  private readonly platform: NodeJS.Platform;

  constructor(safeStorage: SafeStorageApi, platform: NodeJS.Platform = process.platform) {
    this.safeStorage = safeStorage;
    this.platform = platform;
  }

  /** Whether passwords can be stored now (for a settings screen to explain before the user types one). */
  state(): SecretStorageState {
    if (!this.safeStorage.isEncryptionAvailable()) return 'unavailable';
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text')
      return 'no-keyring';
    return 'available';
  }

  encrypt(plain: string): Buffer {
    this.requireAvailable();
    return this.safeStorage.encryptString(plain);
  }

  /** Throws when unavailable too: the store reports such a password as undecryptable, with this message. */
  decrypt(blob: Buffer): string {
    this.requireAvailable();
    return this.safeStorage.decryptString(blob);
  }

  private requireAvailable(): void {
    const state = this.state();
    if (state !== 'available') throw new SecretStorageUnavailableError(state);
  }
}
