/**
 * A mirror of the phone's SIP accounts with their registration state: `accounts.list` on start, then
 * every `accounts.changed` (each carries all accounts, in the order they were added). The renderer never
 * decides a registration state; it shows the snapshots and sends the user's commands.
 *
 * The default account is the one calls go out from when none is chosen — the phone's own rule
 * (src-main/phone/calls-service.ts): the first registered account; until one is, the first enabled one.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { IpcError, IpcResult } from '../../../src-shared/ipc/index.ts';
import type { AccountConfig, AccountInput, AccountSnapshot } from '../../../src-shared/model/account.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

/** The account calls go out from by default, or null when there is none. */
export function defaultAccountOf(accounts: readonly AccountSnapshot[]): AccountSnapshot | null {
  return (
    accounts.find((a) => a.registration.state === 'registered') ??
    accounts.find((a) => a.enabled) ??
    accounts[0] ??
    null
  );
}

/**
 * What `accounts.update` needs to store an account unchanged: its settings without the id, the
 * registration and the password flags. Passwords are left out, which keeps the stored ones (the
 * account's and each TURN server's).
 */
export function accountInputOf(account: AccountConfig): AccountInput {
  return {
    label: account.label,
    aor: account.aor,
    authUser: account.authUser,
    displayName: account.displayName,
    domain: account.domain,
    outboundProxy: account.outboundProxy,
    transport: account.transport,
    registerExpiresSec: account.registerExpiresSec,
    enabled: account.enabled,
    iceMode: account.iceMode,
    stunServers: [...account.stunServers],
    turnServers: account.turnServers.map((t) => ({ uri: t.uri, username: t.username })),
    keepaliveIntervalSec: account.keepaliveIntervalSec,
    mediaPorts: account.mediaPorts === null ? null : { ...account.mediaPorts },
    codecs: account.codecs === null ? null : [...account.codecs],
    dtmfMode: account.dtmfMode,
    autoAnswer: account.autoAnswer,
    srtp: account.srtp,
  };
}

/** `accounts` with `snapshot` in place of the account of the same id (added at the end when new). */
export function upsertAccount(
  accounts: readonly AccountSnapshot[],
  snapshot: AccountSnapshot,
): AccountSnapshot[] {
  const at = accounts.findIndex((a) => a.id === snapshot.id);
  if (at < 0) return [...accounts, snapshot];
  const next = [...accounts];
  next[at] = snapshot;
  return next;
}

export const useAccountsStore = defineStore('accounts', () => {
  const api = usePhoneApi();
  const accounts = shallowRef<readonly AccountSnapshot[]>([]);
  /** True once a list has arrived (the first-run card waits for it). */
  const loaded = ref(false);
  const failure = shallowRef<IpcError | null>(null);
  /** Events seen since start: a list answer older than an event must not overwrite it. */
  let changes = 0;
  let unsubscribe: (() => void) | null = null;

  const defaultAccount = computed(() => defaultAccountOf(accounts.value));

  function byId(id: string | null | undefined): AccountSnapshot | null {
    return id ? (accounts.value.find((a) => a.id === id) ?? null) : null;
  }

  async function start(): Promise<void> {
    unsubscribe ??= api.on('accounts.changed', (list) => {
      changes++;
      accounts.value = list;
      loaded.value = true;
    });
    const before = changes;
    try {
      const list = await api.call('accounts.list', {});
      if (changes === before) accounts.value = list;
      loaded.value = true;
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  /** Runs a command that answers an account snapshot; the snapshot is shown at once (the event follows). */
  async function withSnapshot(run: () => Promise<AccountSnapshot>): Promise<IpcResult<AccountSnapshot>> {
    try {
      const snapshot = await run();
      accounts.value = upsertAccount(accounts.value, snapshot);
      return { ok: true, value: snapshot };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  const add = (input: AccountInput) => withSnapshot(() => api.call('accounts.add', input));
  const update = (id: string, input: AccountInput) =>
    withSnapshot(() => api.call('accounts.update', { id, account: input }));
  const register = (id: string) => withSnapshot(() => api.call('accounts.register', { id }));
  const unregister = (id: string) => withSnapshot(() => api.call('accounts.unregister', { id }));
  /** Enabled accounts register (at once, and whenever the phone starts); disabled ones do not. */
  const setEnabled = (account: AccountSnapshot, enabled: boolean) =>
    update(account.id, { ...accountInputOf(account), enabled });

  async function remove(id: string): Promise<IpcResult<null>> {
    try {
      await api.call('accounts.remove', { id });
      accounts.value = accounts.value.filter((a) => a.id !== id);
      return { ok: true, value: null };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return {
    accounts,
    loaded,
    failure,
    defaultAccount,
    byId,
    start,
    add,
    update,
    register,
    unregister,
    setEnabled,
    remove,
    stop,
  };
});
