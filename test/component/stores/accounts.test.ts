import { describe, expect, it } from 'vitest';
import { AccountInput } from '../../../src-shared/model/account.ts';
import {
  accountInputOf,
  defaultAccountOf,
  upsertAccount,
  useAccountsStore,
} from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';
import { accountSnapshot, registered } from '../support/fake-accounts.ts';

const OFFICE = accountSnapshot({ id: 'acc-1', label: 'Office' });
const HOME = accountSnapshot({ id: 'acc-2', label: 'Home', aor: 'sip:55@home.example' });

describe('accounts store helpers', () => {
  it('picks the default account the way the phone does: first registered, else first enabled, else first', () => {
    expect(defaultAccountOf([])).toBeNull();
    const off = { ...OFFICE, enabled: false };
    expect(defaultAccountOf([off, HOME])?.id).toBe('acc-2');
    expect(defaultAccountOf([off, { ...HOME, enabled: false }])?.id).toBe('acc-1');
    const homeRegistered = accountSnapshot({ id: 'acc-2', registration: registered() });
    expect(defaultAccountOf([OFFICE, homeRegistered])?.id).toBe('acc-2');
  });

  it('turns an account back into the input that stores it unchanged (passwords left out: kept)', () => {
    const account = accountSnapshot({
      id: 'acc-1',
      turnServers: [{ uri: 'turn:turn.example.com:3478', username: 'u', hasPassword: true }],
      mediaPorts: { min: 20000, max: 20100 },
      codecs: ['PCMU'],
      registration: registered(),
    });
    const input = accountInputOf(account);
    expect(AccountInput.parse(input)).toEqual(input);
    expect(input).not.toHaveProperty('password');
    expect(input.turnServers).toEqual([{ uri: 'turn:turn.example.com:3478', username: 'u' }]);
    expect(input).not.toHaveProperty('id');
    expect(input).not.toHaveProperty('registration');
  });

  it('replaces an account in place or appends a new one', () => {
    const changed = { ...OFFICE, label: 'Work' };
    expect(upsertAccount([OFFICE, HOME], changed).map((a) => a.label)).toEqual(['Work', 'Home']);
    expect(upsertAccount([OFFICE], HOME).map((a) => a.id)).toEqual(['acc-1', 'acc-2']);
  });
});

describe('useAccountsStore', () => {
  it('mirrors accounts.list and every accounts.changed, and sends the user’s commands', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.accounts.seed(OFFICE);
    const store = useAccountsStore(pinia);
    expect(store.loaded).toBe(false);
    await store.start();
    expect(store.loaded).toBe(true);
    expect(store.accounts.map((a) => a.id)).toEqual(['acc-1']);
    expect(store.defaultAccount?.id).toBe('acc-1');

    bridge.accounts.setRegistration('acc-1', registered());
    expect(store.accounts[0]?.registration.state).toBe('registered');

    const added = await store.add({ ...accountInputOf(HOME), password: 'secret' });
    expect(added.ok && added.value.registration.state).toBe('registering');
    expect(store.accounts.map((a) => a.label)).toEqual(['Office', 'Home']);
    expect(bridge.accounts.passwords.get('acc-2')).toBe('secret');

    expect((await store.setEnabled(store.accounts[1]!, false)).ok).toBe(true);
    expect(store.byId('acc-2')?.enabled).toBe(false);
    expect(bridge.callsOf('accounts.update')).toEqual([
      { id: 'acc-2', account: { ...accountInputOf(HOME), label: 'Home', enabled: false } },
    ]);

    expect((await store.register('acc-1')).ok).toBe(true);
    expect(store.byId('acc-1')?.registration.state).toBe('registering');
    expect(await store.remove('acc-2')).toEqual({ ok: true, value: null });
    expect(store.accounts.map((a) => a.id)).toEqual(['acc-1']);

    bridge.fail('accounts.remove', { code: 'not-found', message: 'There is no account with id "x".' });
    expect(await store.remove('x')).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no account with id "x".' },
    });
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('keeps an event that overtook the list answer', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.accounts.seed(OFFICE);
    const held = bridge.hold('accounts.list');
    const store = useAccountsStore(pinia);
    const starting = store.start();
    bridge.accounts.setRegistration('acc-1', registered());
    held.release();
    await starting;
    expect(store.accounts[0]?.registration.state).toBe('registered');
    store.stop();
  });

  it('says why the accounts could not be read', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.fail('accounts.list', { code: 'storage', message: 'database is locked' });
    const store = useAccountsStore(pinia);
    await store.start();
    expect(store.failure).toEqual({ code: 'storage', message: 'database is locked' });
    expect(store.loaded).toBe(false);
    store.stop();
  });
});
