import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../../../src-shared/util/emitter.ts';
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import { NatReport } from '../../../src-shared/model/nat.ts';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import type { NetworkChange } from '../../../src-main/platform/index.ts';
import {
  CommandRouter,
  DiagnosticsService,
  Phone,
  PhoneLog,
  StorageAccess,
  StoredNatReports,
} from '../../../src-main/phone/index.ts';
import type { NatReportPersistence } from '../../../src-main/phone/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { NAT_PUBLIC, PRIMARY, createLab, flush } from '../nat/support/nat-lab.ts';
import type { Lab } from '../nat/support/nat-lab.ts';
import { accountInput, makeTempDir, openTestStore } from '../store/helpers.ts';
import type { TempDir } from '../store/helpers.ts';

let lab: Lab | undefined;
let phone: Phone | undefined;

afterEach(async () => {
  await phone?.close();
  phone = undefined;
  lab?.close();
  lab = undefined;
});

async function setup() {
  lab = await createLab({ nat: { mapping: 'endpoint-independent', filtering: 'address-dependent' } });
  const changes = new Emitter<NetworkChange>();
  phone = new Phone({
    host: 'cli',
    dataDir: '/nonexistent',
    clock: lab.clock,
    network: lab.client,
    resolver: new FakeResolver(),
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
    networkChanges: { onChange: (l) => changes.on(l) },
  });
  const events: PhoneEvent[] = [];
  phone.events.on((e) => {
    if (e.name.startsWith('diagnostics.')) events.push(e);
  });
  const router = new CommandRouter(phone.handlers, { isTrustedSender: () => true });
  return { lab, phone, router, events, changes };
}

const request = { stun: [`stun:${PRIMARY.address}:${PRIMARY.port}`], lifetime: false, accountId: 'office' };

describe('DiagnosticsService (diagnostics.run / lastReport / progress / report)', () => {
  it('runs the check, streams progress, publishes and keeps the report per account', async () => {
    const { lab, router, events } = await setup();
    const result = await lab.settle(router.dispatch('diagnostics.run', request, { kind: 'cli' }));
    expect(result.ok).toBe(true);
    const report = NatReport.parse(result.ok ? result.value : undefined);
    expect(report).toMatchObject({
      accountId: 'office',
      natType: 'restricted-cone',
      verdict: 'direct-likely',
      publicAddress: { address: NAT_PUBLIC },
    });
    expect(events.filter((e) => e.name === 'diagnostics.progress').length).toBeGreaterThan(3);
    expect(events.at(-1)).toEqual({ name: 'diagnostics.report', payload: report });
    expect(await router.dispatch('diagnostics.lastReport', { accountId: 'office' }, { kind: 'cli' })).toEqual(
      { ok: true, value: report },
    );
    expect(await router.dispatch('diagnostics.lastReport', {}, { kind: 'cli' })).toEqual({
      ok: true,
      value: null,
    });
    // Requests go out with our SOFTWARE attribute.
    expect(lab.server.log[0]?.message.attributes.software).toBe('Softphone 0.0.0-test');
  });

  it('refuses a second check while one runs, and bad requests at the gate', async () => {
    const { lab, router } = await setup();
    const first = router.dispatch('diagnostics.run', request, { kind: 'cli' });
    await flush();
    const second = await router.dispatch('diagnostics.run', request, { kind: 'cli' });
    expect(second).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'A NAT check is already running; wait for its report.' },
    });
    expect((await lab.settle(first)).ok).toBe(true);
    const bad = await router.dispatch('diagnostics.run', { stun: ['http://example.com'] }, { kind: 'cli' });
    expect(bad.ok === false && bad.error.code).toBe('invalid-request');
    const unknownField = await router.dispatch(
      'diagnostics.run',
      { stun: [], password: 'x' },
      { kind: 'cli' },
    );
    expect(unknownField.ok).toBe(false);
  });

  it('re-runs the account’s check after a network change, and stops with the phone', async () => {
    const { lab, router, events, changes } = await setup();
    await lab.settle(router.dispatch('diagnostics.run', request, { kind: 'cli' }));
    const before = events.filter((e) => e.name === 'diagnostics.report').length;
    lab.nat?.changePublicAddress('198.51.100.99');
    changes.emit({ kind: 'interfaces-changed', added: [], removed: [] });
    await lab.settle(
      new Promise<void>((resolve) => {
        const sub = phone?.events.on((e) => {
          if (e.name === 'diagnostics.report') {
            sub?.dispose();
            resolve();
          }
        });
      }),
    );
    const reports = events.filter((e) => e.name === 'diagnostics.report');
    expect(reports).toHaveLength(before + 1);
    const latest = await router.dispatch('diagnostics.lastReport', { accountId: 'office' }, { kind: 'cli' });
    expect(latest.ok && (latest.value as NatReport | null)?.publicAddress?.address).toBe('198.51.100.99');
    await phone?.close();
    changes.emit({ kind: 'resumed', sleptMs: 60_000 });
    expect(changes.listenerCount).toBe(0);
  });
});

describe('DiagnosticsService: the last reports outlive a restart (store)', () => {
  let temp: TempDir | undefined;
  let store: Store | undefined;
  const services: DiagnosticsService[] = [];

  afterEach(() => {
    for (const service of services.splice(0)) service.close();
    store?.close();
    store = undefined;
    temp?.remove();
    temp = undefined;
  });

  /** A lab, and a store in a new temporary folder on the lab's clock. */
  async function setupStore(): Promise<{ lab: Lab; store: Store; dataDir: string }> {
    lab = await createLab({ nat: { mapping: 'endpoint-independent', filtering: 'address-dependent' } });
    temp = makeTempDir('softphone-diagnostics-');
    store = openTestStore(temp.path, lab.clock);
    return { lab, store, dataDir: temp.path };
  }

  function addAccount(on: Store): string {
    const added = on.accounts.add(accountInput({ enabled: false }));
    if (!added.ok) throw new Error('accounts.add');
    return added.value.id;
  }

  function service(on: Lab, persistence: NatReportPersistence | undefined) {
    const log = new PhoneLog(on.clock);
    const diagnostics = new DiagnosticsService({
      clock: on.clock,
      network: on.client,
      resolver: new FakeResolver(),
      emit: () => undefined,
      log: log.scope('nat'),
      ...(persistence !== undefined ? { persistence } : {}),
    });
    services.push(diagnostics);
    const warnings = () =>
      log
        .recent(100)
        .filter((e) => e.level === 'warn')
        .map((e) => e.message);
    const messages = () => log.recent(100).map((e) => e.message);
    return { diagnostics, warnings, messages };
  }

  const stun = [`stun:${PRIMARY.address}:${PRIMARY.port}`];

  it('serves a saved report to lastReport after a restart, but not to reportOf until a fresh check', async () => {
    const { lab, dataDir } = await setupStore();
    const office = addAccount(store as Store);
    const before = service(lab, new StoredNatReports(new StorageAccess(store ?? null)));
    const saved = await lab.settle(before.diagnostics.run({ stun, lifetime: false, accountId: office }));
    const anonymous = await lab.settle(before.diagnostics.run({ stun, lifetime: false }));
    expect(store?.natReports.last(office)).toEqual(saved);
    expect(store?.natReports.last('')).toEqual(anonymous);
    before.diagnostics.close();
    store?.close();

    // Restart, somewhere else: the NAT now has another public address.
    lab.nat?.changePublicAddress('198.51.100.99');
    store = openTestStore(dataDir, lab.clock);
    const after = service(lab, new StoredNatReports(new StorageAccess(store)));
    expect(await after.diagnostics.handlers['diagnostics.lastReport']({ accountId: office })).toEqual(saved);
    expect(await after.diagnostics.handlers['diagnostics.lastReport']({})).toEqual(anonymous);
    expect(saved.publicAddress?.address).toBe(NAT_PUBLIC);
    // Calls do not take an earlier session's network for this one.
    expect(after.diagnostics.reportOf(office)).toBeUndefined();

    const fresh = await lab.settle(after.diagnostics.run({ stun, lifetime: false, accountId: office }));
    expect(fresh.publicAddress?.address).toBe('198.51.100.99');
    expect(after.diagnostics.reportOf(office)).toEqual(fresh);
    expect(await after.diagnostics.handlers['diagnostics.lastReport']({ accountId: office })).toEqual(fresh);
    expect(store.natReports.last(office)).toEqual(fresh);
    // The check without an account is still the earlier one, and still not for calls.
    expect(after.diagnostics.reportOf('')).toBeUndefined();
    expect(await after.diagnostics.handlers['diagnostics.lastReport']({})).toEqual(anonymous);
    expect(after.warnings()).toEqual([]);
  });

  it('saves the reports of the background auto-configuration', async () => {
    const { lab, store: opened } = await setupStore();
    const office = addAccount(opened);
    const { diagnostics, warnings } = service(lab, new StoredNatReports(new StorageAccess(opened)));
    diagnostics.autoConfigure({ accountId: office, request: { stun, lifetime: false } });
    await lab.settle(diagnostics.idle);
    const report = diagnostics.reportOf(office);
    expect(report?.accountId).toBe(office);
    expect(opened.natReports.last(office)).toEqual(report);
    expect(warnings()).toEqual([]);
  });

  it('keeps nothing of a background check whose account was removed while it ran', async () => {
    const { lab, store: opened } = await setupStore();
    const office = addAccount(opened);
    const { diagnostics, warnings, messages } = service(lab, new StoredNatReports(new StorageAccess(opened)));
    diagnostics.autoConfigure({ accountId: office, request: { stun, lifetime: false } });
    await flush();
    expect(messages()).toEqual([`NAT check started (auto-configuration of ${office})`]);
    opened.accounts.remove(office);
    diagnostics.forget(office);
    await lab.settle(diagnostics.idle);
    expect(diagnostics.reportOf(office)).toBeUndefined();
    expect(diagnostics.lastReport(office)).toBeUndefined();
    expect(opened.natReports.all()).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('logs a failure to save and still answers the check', async () => {
    const { lab } = await setupStore();
    const saves: string[] = [];
    const full: NatReportPersistence = {
      load: () => [],
      save: (key) => {
        saves.push(key);
        throw new PhoneError(
          'storage',
          'NAT reports could not be read or written: database or disk is full (SQLITE_FULL).',
        );
      },
    };
    const { diagnostics, warnings } = service(lab, full);
    const report = await lab.settle(diagnostics.run({ stun, lifetime: false, accountId: 'office' }));
    expect(report.natType).toBe('restricted-cone');
    expect(saves).toEqual(['office']);
    expect(warnings()).toEqual([
      'could not save the NAT report of office: NAT reports could not be read or written: database or disk is full (SQLITE_FULL).',
    ]);
    expect(diagnostics.reportOf('office')).toEqual(report);
    expect(await diagnostics.handlers['diagnostics.lastReport']({ accountId: 'office' })).toEqual(report);
  });

  it('logs a store it cannot load from or save to, and works from memory', async () => {
    const { lab, store: opened } = await setupStore();
    opened.close();
    const { diagnostics, warnings } = service(lab, new StoredNatReports(new StorageAccess(opened)));
    expect(await diagnostics.handlers['diagnostics.lastReport']({})).toBeNull();
    const report = await lab.settle(diagnostics.run({ stun, lifetime: false }));
    expect(await diagnostics.handlers['diagnostics.lastReport']({})).toEqual(report);
    expect(warnings()).toEqual([
      'could not load the saved NAT reports: The phone is shutting down.',
      'could not save the NAT report of checks without an account: The phone is shutting down.',
    ]);
  });

  it('does not keep a report for an account the store does not have', async () => {
    const { lab, store: opened } = await setupStore();
    const { diagnostics, warnings } = service(lab, new StoredNatReports(new StorageAccess(opened)));
    const report = await lab.settle(diagnostics.run({ stun, lifetime: false, accountId: 'not-stored' }));
    expect(diagnostics.reportOf('not-stored')).toEqual(report);
    expect(opened.natReports.all()).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('drops an account’s report when the account is removed, now and after a restart', async () => {
    const { lab, store: opened, dataDir } = await setupStore();
    const phoneOn = (on: Store): CommandRouter => {
      phone = new Phone({
        host: 'cli',
        dataDir,
        clock: lab.clock,
        network: lab.client,
        resolver: new FakeResolver(),
        app: { name: 'Softphone', version: '0.0.0-test' },
        versions: { node: '24', v8: '13', electron: null, chrome: null },
        platform: { os: 'linux', arch: 'x64' },
        store: on,
      });
      return new CommandRouter(phone.handlers, { isTrustedSender: () => true });
    };
    const call = async (router: CommandRouter, name: string, payload: unknown): Promise<unknown> => {
      const result = await lab.settle(router.dispatch(name, payload, { kind: 'cli' }));
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      return result.value;
    };
    let router = phoneOn(opened);
    const office = ((await call(router, 'accounts.add', accountInput({ enabled: false }))) as { id: string })
      .id;
    const report = await call(router, 'diagnostics.run', { stun, lifetime: false, accountId: office });
    const anonymous = await call(router, 'diagnostics.run', { stun, lifetime: false });
    expect(await call(router, 'diagnostics.lastReport', { accountId: office })).toEqual(report);
    expect(opened.natReports.last(office)).toEqual(report);

    expect(await call(router, 'accounts.remove', { id: office })).toBeNull();
    expect(await call(router, 'diagnostics.lastReport', { accountId: office })).toBeNull();
    expect(opened.natReports.all().map((s) => s.accountKey)).toEqual(['']);

    await phone?.close(); // closes the store
    store = openTestStore(dataDir, lab.clock);
    router = phoneOn(store);
    expect(await call(router, 'diagnostics.lastReport', { accountId: office })).toBeNull();
    expect(await call(router, 'diagnostics.lastReport', {})).toEqual(anonymous);
  });
});
