/**
 * The accounts domain through the validating router, on a real Phone with the fake platform: accounts in
 * memory (no data folder) and in a real store, registrations against the in-test registrar.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult, PhoneEvent } from '../../../src-shared/ipc/index.ts';
import { AccountSnapshot, RegistrationSipAlg } from '../../../src-shared/model/account.ts';
import type { AccountInput } from '../../../src-shared/model/account.ts';
import { SipAlgStatus } from '../../../src-shared/model/nat.ts';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type { MemoryHost } from '../../../src-main/platform/index.ts';
import { CommandRouter, Phone } from '../../../src-main/phone/index.ts';
import type { PhoneOptions } from '../../../src-main/phone/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { makeTempDir, openTestStore } from '../store/helpers.ts';
import type { TempDir } from '../store/helpers.ts';
import { settleNow, wait, waitFor } from '../sip/registration/steps.ts';
import { TestRegistrar } from '../sip/registration/test-registrar.ts';

const T0 = 1_700_000_000_000;

let clock: FakeClock;
let net: MemoryNetwork;
let host: MemoryHost;
let registrar: TestRegistrar;
let phones: Phone[];
let temps: TempDir[];

beforeEach(async () => {
  clock = new FakeClock({ now: T0 });
  net = new MemoryNetwork(clock);
  host = net.host('192.0.2.10');
  registrar = await TestRegistrar.start(clock, net, { users: { '1000': 'secret', '1001': 'other' } });
  phones = [];
  temps = [];
});

afterEach(async () => {
  for (const phone of phones) await waitFor(clock, phone.close());
  registrar.close();
  await settleNow(clock);
  clock.runAll();
  await settleNow(clock);
  for (const t of temps) t.remove();
  // Leak check: the phones closed their user agents, monitors and timers.
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

interface TestPhone {
  readonly phone: Phone;
  readonly events: PhoneEvent[];
  readonly internal: unknown[];
  dispatch(name: string, payload: unknown): Promise<IpcResult<unknown>>;
  call<T = AccountSnapshot>(name: string, payload: unknown): Promise<T>;
  /** Registration states of one account across accounts.changed events (repeats dropped). */
  states(id: string): string[];
  last(id: string): AccountSnapshot | undefined;
}

function testPhone(store?: Store, options: Partial<PhoneOptions> = {}): TestPhone {
  const phone = new Phone({
    host: 'cli',
    dataDir: '/test-data',
    clock,
    network: host,
    resolver: new FakeResolver(),
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
    sip: { retryBaseMs: 30_000 },
    ...(store !== undefined && { store }),
    ...options,
  });
  phones.push(phone);
  const events: PhoneEvent[] = [];
  phone.events.on((e) => {
    if (e.name !== 'app.log') events.push(e);
  });
  const internal: unknown[] = [];
  const router = new CommandRouter(phone.handlers, {
    isTrustedSender: () => true,
    onInternalError: (_n, e) => internal.push(e),
  });
  const dispatch = (name: string, payload: unknown) => router.dispatch(name, payload, { kind: 'electron' });
  const snapshots = (): AccountSnapshot[][] =>
    events.filter((e) => e.name === 'accounts.changed').map((e) => e.payload as AccountSnapshot[]);
  return {
    phone,
    events,
    internal,
    dispatch,
    async call<T>(name: string, payload: unknown): Promise<T> {
      const result = await waitFor(clock, dispatch(name, payload));
      if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
      return result.value as T;
    },
    states(id) {
      const states = snapshots().flatMap((list) =>
        list.filter((a) => a.id === id).map((a) => a.registration.state),
      );
      return states.filter((s, i) => i === 0 || states[i - 1] !== s);
    },
    last(id) {
      return snapshots()
        .at(-1)
        ?.find((a) => a.id === id);
    },
  };
}

function input(overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    label: 'Office',
    aor: 'sip:1000@lab.test',
    authUser: '',
    displayName: '',
    domain: 'lab.test',
    outboundProxy: 'sip:203.0.113.5',
    transport: 'udp',
    registerExpiresSec: 300,
    enabled: true,
    iceMode: 'auto',
    stunServers: [],
    keepaliveIntervalSec: 0,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: [],
    password: 'secret',
    ...overrides,
  };
}

function storeInTemp(): Store {
  const temp = makeTempDir('softphone-accounts-');
  temps.push(temp);
  return openTestStore(temp.path, clock);
}

describe('accounts.* without a data folder (the CLI)', () => {
  it('adds an enabled account and registers it; snapshots carry no password', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input());
    expect(added).toMatchObject({
      label: 'Office',
      aor: 'sip:1000@lab.test',
      hasPassword: true,
      registration: { state: 'registering' },
    });
    expect(JSON.stringify(added)).not.toContain('secret');
    await settleNow(clock);
    expect(t.states(added.id)).toEqual(['registering', 'registered']);
    const last = t.last(added.id);
    expect(AccountSnapshot.parse(last)).toEqual(last);
    expect(last?.registration).toMatchObject({
      state: 'registered',
      expiresAt: T0 + 300_000,
      contact: expect.stringMatching(/^sip:1000@192\.0\.2\.10:\d+$/),
      registrar: 'sip:203.0.113.5;transport=udp',
      transport: 'udp',
      sipAlg: 'not-detected',
      reason: null,
    });
    expect(JSON.stringify(t.events)).not.toContain('secret');
    expect(registrar.bindingsOf('1000')).toHaveLength(1);
    expect(await t.call('accounts.list', {})).toEqual([last]);
    expect(t.internal).toEqual([]);
  });

  it('a disabled account waits for accounts.register; accounts.unregister removes the binding', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input({ enabled: false }));
    await settleNow(clock);
    expect(added.registration.state).toBe('unregistered');
    expect(registrar.received).toHaveLength(0);
    await t.call('accounts.register', { id: added.id });
    await settleNow(clock);
    expect(t.last(added.id)?.registration.state).toBe('registered');
    const un = await t.call('accounts.unregister', { id: added.id });
    expect(un.registration.state).toBe('unregistering');
    await settleNow(clock);
    expect(t.last(added.id)?.registration.state).toBe('unregistered');
    expect(registrar.bindingsOf('1000')).toEqual([]);
    expect(registrar.received.at(-1)?.request.headers.get('Expires')).toBe('0');
  });

  it('wrong password: failed with the reason, 2 REGISTERs; fixing it with accounts.update registers', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input({ password: 'wrong' }));
    await wait(clock, 3_600_000);
    expect(registrar.received).toHaveLength(2);
    expect(t.last(added.id)?.registration).toMatchObject({
      state: 'failed',
      reason: { kind: 'auth', code: 401, text: 'Unauthorized' },
      nextRetryAt: null,
    });
    await t.call('accounts.update', { id: added.id, account: input({ password: 'secret' }) });
    await settleNow(clock);
    expect(t.last(added.id)?.registration.state).toBe('registered');
    expect(registrar.received).toHaveLength(4);
  });

  it('accounts.update re-registers only when the registration depends on what changed', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input());
    await settleNow(clock);
    const before = registrar.received.length;
    const renamed = await t.call('accounts.update', {
      id: added.id,
      account: input({ label: 'Desk', password: undefined }),
    });
    await settleNow(clock);
    expect(renamed).toMatchObject({
      label: 'Desk',
      hasPassword: true,
      registration: { state: 'registered' },
    });
    expect(registrar.received.length).toBe(before);
    await t.call('accounts.update', {
      id: added.id,
      account: input({ registerExpiresSec: 600, password: undefined }),
    });
    await settleNow(clock);
    // The old binding is removed first (Expires 0), then the new registration asks for 600 s (401, answer).
    expect(registrar.received.slice(before).map((r) => r.request.headers.get('Expires'))).toEqual([
      '0',
      '600',
      '600',
    ]);
    expect(t.last(added.id)?.registration).toMatchObject({ state: 'registered', requestedExpiresSec: 600 });
    // Disabling stops it.
    await t.call('accounts.update', {
      id: added.id,
      account: input({ enabled: false, password: undefined }),
    });
    await settleNow(clock);
    expect(t.last(added.id)?.registration.state).toBe('unregistered');
    expect(registrar.bindingsOf('1000')).toEqual([]);
  });

  it('accounts.remove unregisters first, then the account is gone', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input());
    await settleNow(clock);
    expect(await t.call('accounts.remove', { id: added.id })).toBeNull();
    expect(registrar.received.at(-1)?.request.headers.get('Expires')).toBe('0');
    expect(registrar.bindingsOf('1000')).toEqual([]);
    expect(await t.call('accounts.list', {})).toEqual([]);
    expect(t.events.filter((e) => e.name === 'accounts.changed').at(-1)?.payload).toEqual([]);
    expect(await t.dispatch('accounts.remove', { id: added.id })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('several accounts register independently', async () => {
    const t = testPhone();
    const a = await t.call('accounts.add', input());
    const b = await t.call(
      'accounts.add',
      input({ label: 'Other', aor: 'sip:1001@lab.test', password: 'other', registerExpiresSec: 120 }),
    );
    const c = await t.call(
      'accounts.add',
      input({ label: 'Bad', aor: 'sip:1002@lab.test', password: 'nope' }),
    );
    await wait(clock, 100_000);
    expect([t.last(a.id), t.last(b.id), t.last(c.id)].map((s) => s?.registration.state)).toEqual([
      'registered',
      'registered',
      'failed',
    ]);
    expect(t.last(b.id)?.registration.expiresAt).toBe(T0 + 80_000 + 120_000);
    expect(t.last(a.id)?.registration.expiresAt).toBe(T0 + 300_000);
  });

  it('rejects bad input with plain messages; unknown ids are not-found', async () => {
    const t = testPhone();
    expect(await t.dispatch('accounts.add', input({ aor: 'sip:lab.test' }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.dispatch('accounts.add', input({ aor: 'sip:a@[zz' }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/^aor: /) },
    });
    expect(await t.dispatch('accounts.add', input({ outboundProxy: 'sip:a b' }))).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.dispatch('accounts.add', { ...input(), extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.dispatch('accounts.register', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await t.dispatch('accounts.update', { id: 'nope', account: input() })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(t.internal).toEqual([]);
  });
});

describe('accounts with a store', () => {
  it('registers enabled accounts at phone start and keeps the password encrypted', async () => {
    const store = storeInTemp();
    const first = testPhone(store);
    const added = await first.call('accounts.add', input());
    await settleNow(clock);
    expect(store.accounts.get(added.id)).toMatchObject({ hasPassword: true });
    expect(store.accounts.credentials(added.id)).toMatchObject({ ok: true, value: { password: 'secret' } });
    // A second phone on the same store (the first closed: it unregisters).
    await waitFor(clock, first.phone.close());
    expect(registrar.bindingsOf('1000')).toEqual([]);
    const reopened = openTestStore(temps[0]?.path ?? '', clock);
    const second = testPhone(reopened);
    await settleNow(clock);
    expect(second.last(added.id)?.registration.state).toBe('registered');
    expect(registrar.bindingsOf('1000')).toHaveLength(1);
  });
});

describe('phone lifecycle', () => {
  it('close() unregisters every account before closing the transports, waiting at most 2 s', async () => {
    const t = testPhone();
    await t.call('accounts.add', input());
    await t.call('accounts.add', input({ label: 'B', aor: 'sip:1001@lab.test', password: 'other' }));
    await settleNow(clock);
    expect(registrar.bindingsOf('1000')).toHaveLength(1);
    expect(registrar.bindingsOf('1001')).toHaveLength(1);
    await waitFor(clock, t.phone.close());
    expect(registrar.bindingsOf('1000')).toEqual([]);
    expect(registrar.bindingsOf('1001')).toEqual([]);

    // A registrar that does not answer: close() still ends, 2 s later.
    const u = testPhone();
    await u.call('accounts.add', input());
    await settleNow(clock);
    registrar.answering = false;
    const started = clock.monotonic();
    let closed = false;
    void u.phone.close().then(() => (closed = true));
    await wait(clock, 1999);
    expect(closed).toBe(false);
    await wait(clock, 1);
    expect(closed).toBe(true);
    expect(clock.monotonic() - started).toBe(2000);
  });

  it('re-registers when the interfaces change and after a sleep (NetworkMonitor)', async () => {
    const t = testPhone();
    const added = await t.call('accounts.add', input());
    await settleNow(clock);
    expect(registrar.received).toHaveLength(2);
    // A new address (Wi-Fi switch): the monitor's next poll (5 s) sees it; REGISTER from the new address.
    host.addAddress('192.0.2.20');
    host.removeAddress('192.0.2.10');
    await wait(clock, 5000);
    expect(registrar.received.map((r) => r.at)).toEqual([0, 0, 5000]);
    expect(t.last(added.id)?.registration.contact).toMatch(/^sip:1000@192\.0\.2\.20:\d+$/);
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual([
      t.last(added.id)?.registration.contact,
    ]);
    // The laptop sleeps an hour: wall time jumps, monotonic time does not; the next poll re-registers.
    clock.sleep(3_600_000);
    await wait(clock, 5000);
    expect(registrar.received.map((r) => r.at)).toEqual([0, 0, 5000, 10_000]);
    expect(t.last(added.id)?.registration).toMatchObject({
      state: 'registered',
      expiresAt: T0 + 3_600_000 + 10_000 + 300_000,
    });
  });

  it('the snapshot\u2019s SIP ALG values are the NAT model\u2019s', () => {
    expect(RegistrationSipAlg.options).toEqual(SipAlgStatus.options);
  });
});
