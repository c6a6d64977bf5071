import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountRepository, DATABASE_FILE_NAME, openDatabase } from '../../../src-main/store/index.ts';
import type { SecretCipher, Store } from '../../../src-main/store/index.ts';
import { ManualClock, accountInput, makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

const SIP_PASSWORD = 'Sip-Pa55word-8c41f0e2';
const TURN_PASSWORD = 'Turn-Pa55word-5d9b3a77';

let temp: TempDir;
let store: Store;
let clock: ManualClock;
beforeEach(() => {
  temp = makeTempDir();
  clock = new ManualClock(5000);
  store = openTestStore(temp.path, clock);
});
afterEach(() => {
  store.close();
  temp.remove();
});

/** A second kind of cipher, standing in for Electron's safeStorage. */
class ReversingCipher implements SecretCipher {
  readonly kind = 'test/reversing';
  encrypt(plain: string): Buffer {
    return Buffer.from([...plain].reverse().join(''), 'utf8');
  }
  decrypt(blob: Buffer): string {
    return [...blob.toString('utf8')].reverse().join('');
  }
}

describe('AccountRepository', () => {
  it('stores every setting and returns the account without its password', () => {
    const added = store.accounts.add(
      accountInput({
        transport: 'tls',
        outboundProxy: 'sip:edge.example.com;lr',
        iceMode: 'on',
        mediaPorts: { min: 30000, max: 30100 },
        codecs: ['opus', 'PCMU'],
        dtmfMode: 'info',
        autoAnswer: true,
        srtp: 'required',
        password: SIP_PASSWORD,
        turnServers: [
          { uri: 'turn:turn.example.com?transport=tcp', username: 'alice', password: TURN_PASSWORD },
        ],
      }),
    );
    if (!added.ok) throw new Error(JSON.stringify(added.error));
    const { id, ...rest } = added.value;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rest).toEqual({
      label: 'Office',
      aor: 'sip:alice@example.com',
      authUser: 'alice',
      displayName: 'Alice',
      domain: 'example.com',
      outboundProxy: 'sip:edge.example.com;lr',
      transport: 'tls',
      registerExpiresSec: 600,
      enabled: true,
      iceMode: 'on',
      stunServers: ['stun:stun.example.com:3478'],
      keepaliveIntervalSec: 25,
      mediaPorts: { min: 30000, max: 30100 },
      codecs: ['opus', 'PCMU'],
      dtmfMode: 'info',
      autoAnswer: true,
      srtp: 'required',
      turnServers: [{ uri: 'turn:turn.example.com?transport=tcp', username: 'alice', hasPassword: true }],
      hasPassword: true,
    });
    expect(JSON.stringify(store.accounts.list())).not.toContain('Pa55word');
    expect(store.accounts.credentials(id)).toEqual({
      ok: true,
      value: {
        accountId: id,
        password: SIP_PASSWORD,
        turnServers: [
          { uri: 'turn:turn.example.com?transport=tcp', username: 'alice', password: TURN_PASSWORD },
        ],
      },
    });
  });

  it('never writes a password in plain text to the database files (main file and WAL)', () => {
    const added = store.accounts.add(
      accountInput({
        password: SIP_PASSWORD,
        turnServers: [{ uri: 'turn:turn.example.com', username: 'alice', password: TURN_PASSWORD }],
      }),
    );
    if (!added.ok) throw new Error('add failed');
    store.accounts.update(added.value.id, accountInput({ label: 'Changed', password: `${SIP_PASSWORD}-2` }));
    const file = join(temp.path, DATABASE_FILE_NAME);
    const walBefore = readFileSync(`${file}-wal`);
    // The test is meaningful only if the account rows really are in the WAL at this point.
    expect(walBefore.includes(Buffer.from('sip:alice@example.com'))).toBe(true);
    const scan = (bytes: Buffer): void => {
      for (const secret of [SIP_PASSWORD, `${SIP_PASSWORD}-2`, TURN_PASSWORD, 'Pa55word']) {
        expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      }
    };
    scan(walBefore);
    scan(readFileSync(file));
    store.close(); // checkpoints the WAL into the main file
    scan(readFileSync(file));
    expect(readFileSync(file).includes(Buffer.from('sip:alice@example.com'))).toBe(true);
    if (existsSync(`${file}-wal`)) scan(readFileSync(`${file}-wal`));
    store = openTestStore(temp.path, clock);
    const credentials = store.accounts.credentials(added.value.id);
    expect(credentials.ok && credentials.value.password).toBe(`${SIP_PASSWORD}-2`);
  });

  it('keeps, replaces or removes passwords on update as AccountInput documents', () => {
    const added = store.accounts.add(
      accountInput({
        password: 'first',
        turnServers: [
          { uri: 'turn:a.example.com', username: 'u1', password: 'turn-a' },
          { uri: 'turn:b.example.com', username: 'u2', password: 'turn-b' },
        ],
      }),
    );
    if (!added.ok) throw new Error('add failed');
    const id = added.value.id;
    const passwords = (): unknown => {
      const c = store.accounts.credentials(id);
      return c.ok ? [c.value.password, c.value.turnServers.map((t) => `${t.uri}=${t.password}`)] : c.error;
    };

    // password absent → kept; TURN entries without password keep theirs when uri+username still match
    store.accounts.update(
      id,
      accountInput({
        turnServers: [
          { uri: 'turn:b.example.com', username: 'u2' },
          { uri: 'turn:a.example.com', username: 'other-user' },
        ],
      }),
    );
    expect(passwords()).toEqual(['first', ['turn:b.example.com=turn-b', 'turn:a.example.com=null']]);

    store.accounts.update(
      id,
      accountInput({
        password: 'second',
        turnServers: [{ uri: 'turn:b.example.com', username: 'u2', password: null }],
      }),
    );
    expect(passwords()).toEqual(['second', ['turn:b.example.com=null']]);

    const cleared = store.accounts.update(id, accountInput({ password: null, turnServers: [] }));
    expect(cleared.ok && cleared.value.hasPassword).toBe(false);
    expect(passwords()).toEqual([null, []]);
  });

  it('returns validation issues as values and stores nothing', () => {
    const result = store.accounts.add(
      accountInput({ aor: 'alice@example.com', registerExpiresSec: 5, label: 'x'.repeat(101) }),
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid',
        issues: [
          { path: 'label', message: 'Too big: expected string to have <=100 characters' },
          { path: 'aor', message: 'expected a sip: or sips: URI' },
          { path: 'aor', message: 'expected sip:user@domain' },
          { path: 'registerExpiresSec', message: 'Too small: expected number to be >=30' },
        ],
      },
    });
    expect(store.accounts.list()).toEqual([]);
    // extra fields are refused (strict schema), e.g. a renderer trying to set the id
    const extra = store.accounts.add({ ...accountInput(), id: 'mine' } as never);
    expect(!extra.ok && extra.error.code).toBe('invalid');
  });

  it('lists in insertion order, updates, removes, and reports unknown ids', () => {
    const ids = ['a1', 'a2', 'a3'];
    const repo = new AccountRepository(
      (() => {
        const opened = openDatabase(join(temp.path, 'other.sqlite'));
        if (!opened.ok) throw new Error('open');
        return opened.value.db;
      })(),
      new ReversingCipher(),
      clock,
      () => ids.shift() ?? 'none',
    );
    repo.add(accountInput({ label: 'One' }));
    repo.add(accountInput({ label: 'Two' }));
    repo.add(accountInput({ label: 'Three' }));
    expect(repo.list().map((a) => [a.id, a.label])).toEqual([
      ['a1', 'One'],
      ['a2', 'Two'],
      ['a3', 'Three'],
    ]);
    expect(repo.update('a2', accountInput({ label: 'Deux', enabled: false })).ok).toBe(true);
    expect(repo.get('a2')?.enabled).toBe(false);
    expect(repo.remove('a1')).toBe(true);
    expect(repo.remove('a1')).toBe(false);
    expect(repo.list().map((a) => a.label)).toEqual(['Deux', 'Three']);
    expect(repo.update('nope', accountInput())).toEqual({
      ok: false,
      error: { code: 'not-found', id: 'nope' },
    });
    expect(repo.credentials('nope')).toEqual({ ok: false, error: { code: 'not-found', id: 'nope' } });
    expect(repo.get('nope')).toBeNull();
  });

  it('reports passwords written by another cipher, or with another key, as values', () => {
    const added = store.accounts.add(accountInput({ password: SIP_PASSWORD }));
    if (!added.ok) throw new Error('add failed');
    store.close();
    const opened = openDatabase(join(temp.path, DATABASE_FILE_NAME));
    if (!opened.ok) throw new Error('open');
    const viaOther = new AccountRepository(opened.value.db, new ReversingCipher(), clock);
    expect(viaOther.credentials(added.value.id)).toEqual({
      ok: false,
      error: { code: 'cipher-mismatch', stored: 'node-key-file/aes-256-gcm/v1', current: 'test/reversing' },
    });
    // same kind, different key
    const sameKindOtherKey: SecretCipher = {
      kind: 'node-key-file/aes-256-gcm/v1',
      encrypt: () => Buffer.alloc(0),
      decrypt: () => {
        throw new Error('Unsupported state or unable to authenticate data');
      },
    };
    expect(
      new AccountRepository(opened.value.db, sameKindOtherKey, clock).credentials(added.value.id),
    ).toEqual({
      ok: false,
      error: { code: 'undecryptable', message: 'Unsupported state or unable to authenticate data' },
    });
    opened.value.db.close();
    store = openTestStore(temp.path, clock);
  });

  it('keeps call-log rows when their account is removed, with the account cleared', () => {
    const added = store.accounts.add(accountInput());
    if (!added.ok) throw new Error('add failed');
    store.history.recordStart({
      id: 'c1',
      direction: 'outgoing',
      accountId: added.value.id,
      remoteUri: 'sip:1@x',
      startedAt: 1,
    });
    store.accounts.remove(added.value.id);
    expect(store.history.get('c1')?.accountId).toBeNull();
  });
});
