/**
 * The per-account NAT auto-configuration, on a real Phone with the fake platform: an account behind a
 * MemoryNat registers at the in-test registrar; its NAT check runs in the background against the STUN/TURN
 * server its domain publishes by SRV (FakeResolver); the report is kept for the account (diagnostics.lastReport),
 * carries the registration's SIP ALG observation, sets the UDP keepalive from the binding lifetime, and
 * gives the account's calls their ICE servers and policy. Leak check after every test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcResult, PhoneEvent } from '../../../src-shared/ipc/index.ts';
import type { AccountInput, AccountSnapshot } from '../../../src-shared/model/account.ts';
import { NatReport } from '../../../src-shared/model/nat.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type { MemoryHost, MemoryNatOptions } from '../../../src-main/platform/index.ts';
import {
  CommandRouter,
  Phone,
  iceSettingsFor,
  keepaliveFromLifetime,
  natCheckRequestFor,
  reportWantsRelay,
  srvDomainOf,
} from '../../../src-main/phone/index.ts';
import type { AccountNatInput, PhoneSipOptions } from '../../../src-main/phone/index.ts';
import { StunTestServer } from '../nat/support/stun-test-server.ts';
import { settleNow, wait, waitFor } from '../sip/registration/steps.ts';
import { TestRegistrar } from '../sip/registration/test-registrar.ts';

const STUN = { address: '203.0.113.5', port: 3478 };
const STUN_ALT = { address: '203.0.113.6', port: 3479 };
const REGISTRAR = '203.0.113.40';

let clock: FakeClock;
let net: MemoryNetwork;
let registrar: TestRegistrar;
let server: StunTestServer;
let resolver: FakeResolver;
let phones: Phone[];

beforeEach(async () => {
  clock = new FakeClock({ now: 1_700_000_000_000 });
  net = new MemoryNetwork(clock);
  registrar = await TestRegistrar.start(clock, net, { address: REGISTRAR, users: { '1000': 'secret' } });
  server = await StunTestServer.start({
    host: net.host([STUN.address, STUN_ALT.address], { name: 'stun' }),
    primary: STUN,
    alternate: STUN_ALT,
    turn: { realm: 'lab.test', users: { '1000': 'secret', relay: 'relay-pw' } },
    clock,
  });
  resolver = new FakeResolver()
    .set('_stun._udp.lab.test', 'SRV', [{ name: 'stun.lab.test', port: 3478, priority: 10, weight: 1 }])
    .set('_turn._udp.lab.test', 'SRV', [{ name: 'stun.lab.test', port: 3478, priority: 10, weight: 1 }])
    .set('stun.lab.test', 'A', [STUN.address]);
  phones = [];
});

afterEach(async () => {
  for (const phone of phones) await waitFor(clock, phone.close());
  registrar.close();
  server.close();
  await settleNow(clock);
  clock.runAll();
  await settleNow(clock);
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

function behindNat(nat: Omit<MemoryNatOptions, 'publicAddress'>): MemoryHost {
  const client = net.host('10.0.0.2', { name: 'client' });
  net.addNat({ publicAddress: '198.51.100.1', inside: [client], ...nat });
  return client;
}

function account(overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    label: 'Office',
    aor: 'sip:1000@lab.test',
    authUser: '',
    displayName: '',
    domain: 'lab.test',
    outboundProxy: `sip:${REGISTRAR}`,
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: 'auto',
    stunServers: [],
    keepaliveIntervalSec: 25,
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

function start(network: MemoryHost, sip?: PhoneSipOptions) {
  const phone = new Phone({
    host: 'cli',
    dataDir: '/test-data',
    ...(sip !== undefined && { sip }),
    clock,
    network,
    resolver,
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
  });
  phones.push(phone);
  const events: PhoneEvent[] = [];
  phone.events.on((e) => {
    if (e.name.startsWith('diagnostics.')) events.push(e);
  });
  const router = new CommandRouter(phone.handlers, { isTrustedSender: () => true });
  const call = async <T>(name: string, payload: unknown): Promise<T> => {
    const result: IpcResult<unknown> = await waitFor(
      clock,
      router.dispatch(name, payload, { kind: 'electron' }),
    );
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    return result.value as T;
  };
  return { phone, events, call };
}

async function until(condition: () => boolean, maxMs = 200_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 500) {
    if (waited > maxMs) throw new Error('condition not met');
    await wait(clock, 500);
  }
}

describe('NAT auto-configuration of an account', () => {
  it('runs in the background once the account registers: SRV servers, SIP ALG, lifetime → keepalive, ICE servers', async () => {
    const { phone, events, call } = start(
      behindNat({
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
        bindingLifetimeMs: 40_000,
      }),
    );
    const added = await call<AccountSnapshot>('accounts.add', account());
    await until(() => phone.accounts.registrationOf(added.id)?.state === 'registered');
    const registers = (): number => registrar.received.filter((r) => r.request.method === 'REGISTER').length;
    const before = registers();
    expect(phone.accounts.registrationOf(added.id)?.config.keepalive?.intervalMs).toBe(25_000);
    // First pass without the (long) lifetime test: servers and verdict for calls within seconds.
    await until(() => events.some((e) => e.name === 'diagnostics.report'));
    const quick = NatReport.parse(await call('diagnostics.lastReport', { accountId: added.id }));
    expect(quick).toMatchObject({
      accountId: added.id,
      natType: 'port-restricted-cone',
      bindingLifetimeS: null,
      verdict: 'direct-possible',
    });
    expect(quick.durationMs).toBeLessThan(5_000);
    expect(phone.accounts.registrationOf(added.id)?.config.keepalive?.intervalMs).toBe(25_000);
    // Then the full check, with the binding lifetime.
    await until(() => events.filter((e) => e.name === 'diagnostics.report').length === 2);

    const report = NatReport.parse(await call('diagnostics.lastReport', { accountId: added.id }));
    expect(report).toMatchObject({
      accountId: added.id,
      domain: 'lab.test',
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      natType: 'port-restricted-cone',
      publicAddress: { address: '198.51.100.1' },
      // What the registrar echoed matched what we sent (Kamailio-style received/rport only).
      sipAlg: 'not-detected',
      // The lifetime test probes 5, 10, 15, 20, 30, 45 s: alive after 30, gone after 45.
      bindingLifetimeS: 30,
      bindingLifetimeUpperS: 45,
      verdict: 'direct-possible',
    });
    expect(report.servers.map((s) => [s.kind, s.transport, s.source, s.ok])).toEqual([
      ['stun', 'udp', 'srv', true],
      ['turn', 'udp', 'srv', true],
    ]);
    // A background check reports, but streams no progress.
    expect(events.map((e) => e.name)).toEqual(['diagnostics.report', 'diagnostics.report']);

    // 80 % of the 30 s lower bound: the binding is registered again with a 24 s keepalive.
    await until(() => phone.accounts.registrationOf(added.id)?.config.keepalive?.intervalMs === 24_000);
    await until(() => phone.accounts.registrationOf(added.id)?.state === 'registered');
    expect(registers()).toBeGreaterThan(before);

    // The account's calls: the SRV STUN and TURN servers (TURN with the SIP credentials), policy all.
    const input = phone.accounts.natInputOf(added.id);
    expect(input).toEqual({
      accountId: added.id,
      domain: 'lab.test',
      iceMode: 'auto',
      stunServers: [],
      turnServers: [],
      sipCredentials: { username: '1000', password: 'secret' },
    });
    const ice = await iceSettingsFor({ input: input!, nat: DEFAULT_SETTINGS.nat, report, resolver });
    expect(ice).toEqual({
      mode: 'auto',
      stunServers: [{ ...STUN, family: 4 }],
      turnServers: [
        { address: { ...STUN, family: 4 }, transport: 'udp', username: '1000', password: 'secret' },
      ],
      policy: 'all',
    });
    // With auto-discovery off, only configured servers count.
    expect(
      await iceSettingsFor({
        input: input!,
        nat: { ...DEFAULT_SETTINGS.nat, stunAutoDiscovery: false, turnAutoDiscovery: false },
        report,
        resolver,
      }),
    ).toEqual({
      mode: 'auto',
      stunServers: [],
      turnServers: [],
      policy: 'all',
    });
  });

  it('behind a symmetric NAT the verdict asks for the relay: ICE gets relay-only with the configured TURN server', async () => {
    const { phone, events, call } = start(
      behindNat({
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
        portPreservation: false,
      }),
    );
    const added = await call<AccountSnapshot>(
      'accounts.add',
      account({
        keepaliveIntervalSec: 0,
        turnServers: [{ uri: `turn:${STUN.address}:3478`, username: 'relay', password: 'relay-pw' }],
      }),
    );
    await until(() => events.some((e) => e.name === 'diagnostics.report'));
    const report = NatReport.parse(await call('diagnostics.lastReport', { accountId: added.id }));
    expect(report).toMatchObject({ natType: 'symmetric', verdict: 'relay-required' });
    expect(reportWantsRelay(report)).toBe(true);
    const input = phone.accounts.natInputOf(added.id);
    expect(input?.turnServers).toEqual([
      { uri: `turn:${STUN.address}:3478`, username: 'relay', password: 'relay-pw' },
    ]);
    const ice = await iceSettingsFor({ input: input!, nat: DEFAULT_SETTINGS.nat, report, resolver });
    // The configured TURN server, and the SRV one is the same server: listed once, with the account's credentials.
    expect(ice).toEqual({
      mode: 'auto',
      stunServers: [{ ...STUN, family: 4 }],
      turnServers: [
        { address: { ...STUN, family: 4 }, transport: 'udp', username: 'relay', password: 'relay-pw' },
      ],
      policy: 'relay-only',
    });
    // Keepalives are off for this account: the lifetime changes nothing.
    expect(phone.accounts.registrationOf(added.id)?.config.keepalive?.intervalMs).toBe(0);
  });

  it('the phone’s extra TLS trust anchors (SIP TLS’s) verify turns: servers in its NAT checks', async () => {
    const issuer = '-----BEGIN CERTIFICATE-----\nLAB-CA\n-----END CERTIFICATE-----\n';
    const tlsServer = await StunTestServer.start({
      host: net.host('203.0.113.7', { name: 'turns' }),
      primary: { address: '203.0.113.7', port: 3478 },
      turn: { realm: 'lab.test', users: { relay: 'relay-pw' } },
      tls: { port: 5349, names: ['turns.lab.test'], issuer },
      clock,
    });
    resolver.set('turns.lab.test', 'A', ['203.0.113.7']);
    const request = {
      turn: [{ uri: 'turns:turns.lab.test:5349', username: 'relay', password: 'relay-pw' }],
      lifetime: false,
    };
    try {
      const plain = start(net.host('198.51.100.50', { name: 'no-anchor' }));
      const refused = await plain.call<NatReport>('diagnostics.run', request);
      expect(refused.servers).toEqual([
        expect.objectContaining({
          transport: 'tls',
          ok: false,
          error: {
            code: 'tls',
            message: expect.stringContaining(
              'TLS with 203.0.113.7:5349 failed: certificate not trusted for turns.lab.test',
            ) as unknown,
          },
        }),
      ]);
      const anchored = start(net.host('198.51.100.51', { name: 'anchor' }), { tlsCa: [issuer] });
      const trusted = await anchored.call<NatReport>('diagnostics.run', request);
      expect(trusted.servers).toEqual([
        expect.objectContaining({
          transport: 'tls',
          ok: true,
          error: null,
          relayedAddress: expect.objectContaining({ address: '203.0.113.7' }) as unknown,
        }),
      ]);
    } finally {
      for (const phone of phones.splice(0)) await waitFor(clock, phone.close());
      tlsServer.close();
    }
  });

  it('a diagnostics.run is not refused while an auto-configuration runs', async () => {
    const { phone, events, call } = start(
      behindNat({ mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' }),
    );
    const added = await call<AccountSnapshot>('accounts.add', account());
    await until(() => phone.accounts.registrationOf(added.id)?.state === 'registered');
    await wait(clock, 1000);
    const manual = await call<NatReport>('diagnostics.run', {
      stun: [`stun:${STUN.address}:${STUN.port}`],
      lifetime: false,
    });
    expect(manual.accountId).toBeNull();
    expect(events.filter((e) => e.name === 'diagnostics.progress').length).toBeGreaterThan(3);
    await until(() => events.filter((e) => e.name === 'diagnostics.report').length === 3);
  });
});

describe('account-ice-settings (pure)', () => {
  const input: AccountNatInput = {
    accountId: 'a1',
    domain: 'pbx.example.com:5062',
    iceMode: 'on',
    stunServers: ['stun:192.0.2.7:3478'],
    turnServers: [{ uri: 'turns:turn.example.com?transport=tcp', username: 'u', password: 'p' }],
    sipCredentials: { username: '1000', password: 'secret' },
  };

  it('keepalive: 80 % of the lifetime lower bound, clamped to 15–120 s', () => {
    const report = (s: number | null) => ({ bindingLifetimeS: s }) as NatReport;
    expect(keepaliveFromLifetime(report(30))).toBe(24);
    expect(keepaliveFromLifetime(report(60))).toBe(48);
    expect(keepaliveFromLifetime(report(10))).toBe(15);
    expect(keepaliveFromLifetime(report(600))).toBe(120);
    expect(keepaliveFromLifetime(report(null))).toBeUndefined();
    expect(keepaliveFromLifetime(undefined)).toBeUndefined();
  });

  it('the check of an account: its domain for SRV (not for an IP literal), its servers, TURN credentials', () => {
    expect(natCheckRequestFor(input, DEFAULT_SETTINGS.nat)).toEqual({
      accountId: 'a1',
      domain: 'pbx.example.com',
      stun: ['stun:192.0.2.7:3478'],
      turn: [{ uri: 'turns:turn.example.com?transport=tcp', username: 'u', password: 'p' }],
      turnCredentials: { username: 'u', password: 'p' },
      lifetime: true,
    });
    expect(natCheckRequestFor({ ...input, turnServers: [] }, DEFAULT_SETTINGS.nat).turnCredentials).toEqual({
      username: '1000',
      password: 'secret',
    });
    expect(
      natCheckRequestFor(input, { stunAutoDiscovery: false, turnAutoDiscovery: false }).domain,
    ).toBeUndefined();
    expect(srvDomainOf('192.0.2.1:5060')).toBeUndefined();
    expect(srvDomainOf('[2001:db8::1]:5060')).toBeUndefined();
    expect(srvDomainOf('sip.example.org')).toBe('sip.example.org');
  });

  it('ICE off: no servers; --relay-only without a report; a name that does not resolve is left out', async () => {
    const none = new FakeResolver();
    expect(
      await iceSettingsFor({
        input: { ...input, iceMode: 'off' },
        nat: DEFAULT_SETTINGS.nat,
        report: undefined,
        resolver: none,
      }),
    ).toEqual({
      mode: 'off',
      stunServers: [],
      turnServers: [],
      policy: 'all',
    });
    const forced = await iceSettingsFor({
      input: { ...input, turnServers: [{ uri: 'turn:192.0.2.9:3478', username: 'u', password: 'p' }] },
      nat: DEFAULT_SETTINGS.nat,
      report: undefined,
      resolver: none,
      overrides: { relayOnly: true },
    });
    expect(forced).toEqual({
      mode: 'on',
      stunServers: [{ address: '192.0.2.7', port: 3478, family: 4 }],
      turnServers: [
        {
          address: { address: '192.0.2.9', port: 3478, family: 4 },
          transport: 'udp',
          username: 'u',
          password: 'p',
        },
      ],
      policy: 'relay-only',
    });
    // turns:turn.example.com does not resolve here: no TURN server, so relay-only cannot hold.
    const unresolved = await iceSettingsFor({
      input,
      nat: DEFAULT_SETTINGS.nat,
      report: undefined,
      resolver: none,
      overrides: { relayOnly: true },
    });
    expect(unresolved.turnServers).toEqual([]);
    expect(unresolved.policy).toBe('all');
  });

  it('turns: servers, configured or found by SRV, are verified by their host name with the phone’s extra trust anchors', async () => {
    const named = new FakeResolver().set('turn.example.com', 'A', ['192.0.2.9']);
    const report = {
      verdict: 'direct-likely',
      policy: { transportPolicy: 'all' },
      servers: [
        {
          source: 'srv',
          kind: 'turn',
          transport: 'tls',
          host: 'relay.example.com',
          ok: true,
          address: { address: '192.0.2.10', port: 5349 },
        },
      ],
    } as unknown as NatReport;
    const settings = (tlsCa?: string[]) =>
      iceSettingsFor({
        input,
        nat: DEFAULT_SETTINGS.nat,
        report,
        resolver: named,
        ...(tlsCa !== undefined && { tlsCa }),
      });
    const turn = (address: string, tls: object) => ({
      address: { address, port: 5349, family: 4 },
      transport: 'tls',
      username: 'u',
      password: 'p',
      tls,
    });
    expect((await settings(['PEM-A', 'PEM-B'])).turnServers).toEqual([
      turn('192.0.2.9', { servername: 'turn.example.com', ca: ['PEM-A', 'PEM-B'] }),
      turn('192.0.2.10', { servername: 'relay.example.com', ca: ['PEM-A', 'PEM-B'] }),
    ]);
    // No extra anchors: the system store alone (still verified: no rejectUnauthorized anywhere).
    expect((await settings()).turnServers).toEqual([
      turn('192.0.2.9', { servername: 'turn.example.com' }),
      turn('192.0.2.10', { servername: 'relay.example.com' }),
    ]);
    expect((await settings([])).turnServers).toEqual((await settings()).turnServers);
  });
});
