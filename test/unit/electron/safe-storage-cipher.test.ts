/**
 * The app's password cipher against a mocked Electron `safeStorage`: it encrypts through the keychain
 * when one is there, and refuses — with a typed, user-readable error, writing nothing — when encryption
 * is unavailable or Linux has only the `basic_text` fallback.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import {
  SafeStorageCipher,
  SecretStorageUnavailableError,
  type SafeStorageApi,
} from '../../../src-main/electron/safe-storage-cipher.ts';
import { openStore, type Store } from '../../../src-main/store/index.ts';
import { accountInput, makeTempDir, type TempDir } from '../store/helpers.ts';

/** A fake keychain: "encrypts" by XOR with a byte and a marker, and records what it was asked. */
function fakeSafeStorage(state: { available: boolean; backend: string }) {
  const api = {
    isEncryptionAvailable: vi.fn(() => state.available),
    getSelectedStorageBackend: vi.fn(() => state.backend),
    encryptString: vi.fn((plain: string) =>
      Buffer.concat([Buffer.from('KC'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]),
    ),
    decryptString: vi.fn((blob: Buffer) => {
      if (blob.subarray(0, 2).toString() !== 'KC')
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(blob.subarray(2).map((b) => b ^ 0x5a)).toString('utf8');
    }),
  } satisfies SafeStorageApi;
  return api;
}

const NO_KEYRING =
  'Passwords cannot be stored: no keyring (such as GNOME Keyring or KWallet) is running, so the system cannot encrypt them. ' +
  'Start your desktop’s keyring service and restart the softphone.';
const UNAVAILABLE = 'Passwords cannot be stored: the system’s secure storage (keychain) is not available.';

describe('SafeStorageCipher', () => {
  it('encrypts and decrypts through safeStorage when the keychain is available', () => {
    const state = { available: true, backend: 'gnome_libsecret' };
    const api = fakeSafeStorage(state);
    const cipher = new SafeStorageCipher(api, 'linux');
    expect(cipher.kind).toBe('electron-safe-storage/v1');
    expect(cipher.state()).toBe('available');
    const blob = cipher.encrypt('s3cret ü');
    expect(blob.includes(Buffer.from('s3cret'))).toBe(false);
    expect(api.encryptString).toHaveBeenCalledWith('s3cret ü');
    expect(cipher.decrypt(blob)).toBe('s3cret ü');
  });

  it('refuses when encryption is not available (any platform)', () => {
    const state = { available: false, backend: 'unknown' };
    const api = fakeSafeStorage(state);
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const cipher = new SafeStorageCipher(api, platform);
      expect(cipher.state()).toBe('unavailable');
      const error = catchError(() => cipher.encrypt('pw'));
      expect(error).toBeInstanceOf(SecretStorageUnavailableError);
      expect(error).toBeInstanceOf(PhoneError);
      expect(error).toMatchObject({ code: 'unavailable', reason: 'unavailable', message: UNAVAILABLE });
      expect(() => cipher.decrypt(Buffer.from('KCxx'))).toThrow(UNAVAILABLE);
    }
    expect(api.encryptString).not.toHaveBeenCalled();
    expect(api.decryptString).not.toHaveBeenCalled();
  });

  it('refuses on Linux with the basic_text backend (no keyring) instead of pretending', () => {
    const state = { available: true, backend: 'basic_text' };
    const api = fakeSafeStorage(state);
    const cipher = new SafeStorageCipher(api, 'linux');
    expect(cipher.state()).toBe('no-keyring');
    expect(catchError(() => cipher.encrypt('pw'))).toMatchObject({
      code: 'unavailable',
      reason: 'no-keyring',
      message: NO_KEYRING,
    });
    expect(api.encryptString).not.toHaveBeenCalled();
    // The backend is only asked on Linux: elsewhere the name means nothing.
    expect(new SafeStorageCipher(api, 'darwin').state()).toBe('available');
  });

  it('checks at each use: a keyring that starts later is used', () => {
    const state = { available: true, backend: 'basic_text' };
    const cipher = new SafeStorageCipher(fakeSafeStorage(state), 'linux');
    expect(cipher.state()).toBe('no-keyring');
    state.backend = 'kwallet6';
    expect(cipher.decrypt(cipher.encrypt('later'))).toBe('later');
  });
});

describe('SafeStorageCipher in the store', () => {
  let temp: TempDir;
  let store: Store | undefined;
  beforeEach(() => {
    temp = makeTempDir('softphone-safe-storage-');
  });
  afterEach(() => {
    store?.close();
    temp.remove();
  });

  function open(state: { available: boolean; backend: string }): Store {
    const opened = openStore({
      dataDir: temp.path,
      cipher: new SafeStorageCipher(fakeSafeStorage(state), 'linux'),
    });
    if (!opened.ok) throw new Error(opened.error.message);
    return opened.value;
  }

  it('stores an account password encrypted, and reads it back', () => {
    store = open({ available: true, backend: 'gnome_libsecret' });
    const added = store.accounts.add(accountInput({ password: 'pbx-secret' }));
    if (!added.ok) throw new Error('add');
    expect(added.value.hasPassword).toBe(true);
    expect(store.accounts.credentials(added.value.id)).toEqual({
      ok: true,
      value: { accountId: added.value.id, password: 'pbx-secret', turnServers: [] },
    });
  });

  it('writes nothing when there is no keyring: the account add fails with the typed error', () => {
    store = open({ available: true, backend: 'basic_text' });
    expect(() => store!.accounts.add(accountInput({ password: 'pbx-secret' }))).toThrow(
      SecretStorageUnavailableError,
    );
    expect(store.accounts.list()).toEqual([]);
    // an account without a password needs no keyring
    expect(store.accounts.add(accountInput({ password: null })).ok).toBe(true);
  });

  it('reports a stored password as undecryptable, with the reason, once the keyring is gone', () => {
    const state = { available: true, backend: 'gnome_libsecret' };
    store = open(state);
    const added = store.accounts.add(accountInput({ password: 'pbx-secret' }));
    if (!added.ok) throw new Error('add');
    state.backend = 'basic_text';
    expect(store.accounts.credentials(added.value.id)).toEqual({
      ok: false,
      error: { code: 'undecryptable', message: NO_KEYRING },
    });
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
