import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import { NatReport } from '../../../src-shared/model/nat.ts';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import type { NetworkChange } from '../../../src-main/platform/index.ts';
import { CommandRouter, Phone } from '../../../src-main/phone/index.ts';
import { NAT_PUBLIC, PRIMARY, createLab, flush } from '../nat/support/nat-lab.ts';
import type { Lab } from '../nat/support/nat-lab.ts';

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
