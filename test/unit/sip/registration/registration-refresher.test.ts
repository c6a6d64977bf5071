import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost } from '../../../../src-main/platform/index.ts';
import { RegistrationRefresher, instanceIdFor } from '../../../../src-main/sip/registration/index.ts';
import type {
  RegistrationConfig,
  RegistrationRefresherOptions,
  RegistrationSnapshot,
} from '../../../../src-main/sip/registration/index.ts';
import { Header } from '../../../../src-main/sip/syntax/index.ts';
import type { SipUri } from '../../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../../src-main/sip/ua/index.ts';
import { flush, uri } from '../transport/support.ts';
import { settleNow as settleAt, wait as waitAt } from './steps.ts';
import { TestRegistrar } from './test-registrar.ts';
import type { RegistrarOptions } from './test-registrar.ts';

const T0 = 1_700_000_000_000;
const INSTANCE = instanceIdFor('account-1');

let clock: FakeClock;
let net: MemoryNetwork;
let registrar: TestRegistrar;
let agents: SipUserAgent[];
let refreshers: RegistrationRefresher[];

beforeEach(() => {
  clock = new FakeClock({ now: T0 });
  net = new MemoryNetwork(clock);
  agents = [];
  refreshers = [];
});

afterEach(async () => {
  for (const r of refreshers) r.dispose();
  for (const a of agents) a.close();
  registrar?.close();
  await flush();
  clock.runAll();
  await flush();
  // Leak check: no timer, socket or flow hold left behind.
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

const settleNow = (): Promise<void> => settleAt(clock);
const wait = (ms: number): Promise<void> => waitAt(clock, ms);

function sipUri(text: string): SipUri {
  const u = uri(text);
  if (u.kind !== 'sip') throw new Error('not a SIP URI');
  return u;
}

async function startRegistrar(options: RegistrarOptions = {}): Promise<TestRegistrar> {
  registrar = await TestRegistrar.start(clock, net, {
    users: { '1000': 'secret', '1001': 'other' },
    ...options,
  });
  return registrar;
}

async function agent(host: MemoryHost = net.host('192.0.2.10')): Promise<SipUserAgent> {
  // Keepalive jitter pinned to 80 % of the interval (RFC 5626 §4.4.1 window) for exact schedules.
  const ua = new SipUserAgent({
    clock,
    network: host,
    resolver: new FakeResolver(),
    transport: { udp: { families: [4], port: 5060 }, random: () => 0 },
  });
  agents.push(ua);
  await ua.start();
  return ua;
}

function config(overrides: Partial<RegistrationConfig> = {}): RegistrationConfig {
  return {
    aor: sipUri('sip:1000@lab.test'),
    registrar: sipUri('sip:lab.test'),
    outboundProxy: sipUri('sip:203.0.113.5'),
    transport: 'udp',
    credentials: { username: '1000', password: 'secret' },
    expiresSec: 300,
    instanceId: INSTANCE,
    ...overrides,
  };
}

/** A jitter source that hands out `values` in order (then repeats the last). */
function sequence(values: readonly number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

interface Watched {
  readonly refresher: RegistrationRefresher;
  readonly snapshots: RegistrationSnapshot[];
  states(): string[];
  last(): RegistrationSnapshot;
}

function refresher(
  ua: SipUserAgent,
  cfg: RegistrationConfig = config(),
  options: Partial<RegistrationRefresherOptions> = {},
): Watched {
  const r = new RegistrationRefresher({
    clock,
    channel: ua,
    config: cfg,
    random: () => 0.5,
    name: 'acct',
    ...options,
  });
  refreshers.push(r);
  const snapshots: RegistrationSnapshot[] = [];
  r.onChange((s) => snapshots.push(s));
  return {
    refresher: r,
    snapshots,
    states: () => snapshots.map((s) => s.state).filter((s, i, all) => i === 0 || all[i - 1] !== s),
    last: () => r.snapshot(),
  };
}

/** Monotonic arrival times of the REGISTERs at the registrar. */
function arrivals(): number[] {
  return registrar.received.map((r) => r.at);
}

function header(i: number, name: string): string | undefined {
  return registrar.received[i]?.request.headers.get(name);
}

describe('RegistrationRefresher: registering (RFC 3261 §10.2)', () => {
  it('registers with digest: 401, then one authenticated REGISTER on the same Call-ID with CSeq + 1', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(2);
    const [first, second] = registrar.received.map((r) => r.request);
    expect(first?.headers.get('Authorization')).toBeUndefined();
    expect(second?.headers.get('Authorization')).toMatch(
      /^Digest username="1000", realm="lab.test", nonce="nonce-1", uri="sip:lab.test"/,
    );
    expect(second?.callId).toBe(first?.callId);
    expect([first?.cseq.seq, second?.cseq.seq]).toEqual([1, 2]);
    expect(first?.uri).toMatchObject({ host: 'lab.test' });
    expect(header(1, 'Contact')).toBe(`<sip:1000@192.0.2.10:5060>;+sip.instance="<${INSTANCE}>"`);
    expect(header(1, 'Expires')).toBe('300');
    expect(header(1, 'Supported')).toBeUndefined();
    expect(w.states()).toEqual(['registering', 'registered']);
    expect(w.last()).toEqual({
      state: 'registered',
      reason: null,
      expiresAt: T0 + 300_000,
      nextRetryAt: null,
      contact: 'sip:1000@192.0.2.10:5060',
      publicAddress: null,
      transport: 'udp',
      registrar: 'sip:203.0.113.5;transport=udp',
      sipAlg: 'unknown',
      outbound: false,
      requestedExpiresSec: 300,
      grantedExpiresSec: 300,
      failures: 0,
    });
    expect(registrar.bindingsOf('1000').map((b) => [b.contact, b.instance])).toEqual([
      ['sip:1000@192.0.2.10:5060', INSTANCE],
    ]);
  });

  it('refreshes at max(granted/2, granted − 40 s), exactly, with pre-emptive credentials (one REGISTER each)', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    await wait(790_000);
    expect(arrivals()).toEqual([0, 0, 260_000, 520_000, 780_000]);
    expect(registrar.received.slice(2).every((r) => r.request.headers.has('Authorization'))).toBe(true);
    expect(registrar.received.map((r) => r.request.cseq.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(w.last()).toMatchObject({ state: 'registered', expiresAt: T0 + 780_000 + 300_000 });
    expect(w.states()).toEqual(['registering', 'registered']);
  });

  it('takes the granted lifetime from our Contact in the 2xx: a shorter one refreshes at half', async () => {
    await startRegistrar({ maxExpires: 60 });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(w.last()).toMatchObject({
      requestedExpiresSec: 300,
      grantedExpiresSec: 60,
      expiresAt: T0 + 60_000,
    });
    await wait(65_000);
    expect(arrivals()).toEqual([0, 0, 30_000, 60_000]);
  });

  it('falls back to the Expires header when the Contact carries no expires parameter', async () => {
    await startRegistrar({ maxExpires: 100, expiresHeaderOnly: true });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(w.last()).toMatchObject({ grantedExpiresSec: 100, expiresAt: T0 + 100_000 });
    await wait(61_000);
    expect(arrivals()).toEqual([0, 0, 60_000]);
  });

  it('423 Interval Too Brief: asks again with Min-Expires (RFC 3261 §10.2.8)', async () => {
    await startRegistrar({ minExpires: 600 });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(registrar.received.map((r) => r.request.headers.get('Expires'))).toEqual(['300', '300', '600']);
    expect(w.last()).toMatchObject({
      state: 'registered',
      requestedExpiresSec: 600,
      grantedExpiresSec: 600,
      expiresAt: T0 + 600_000,
    });
    // The raised value sticks for refreshes: 600 − 40 s later, Expires 600 again.
    await wait(560_000);
    expect(arrivals()).toEqual([0, 0, 0, 560_000]);
    expect(header(3, 'Expires')).toBe('600');
  });

  it('a 423 without a higher Min-Expires fails instead of looping', async () => {
    await startRegistrar();
    registrar.script.push({ status: 423, headers: [['Min-Expires', '300']] });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(1);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'rejected', code: 423, text: 'Interval Too Brief' },
    });
  });

  it('stale nonce on a refresh: one silent retry with the new nonce, no state change (RFC 7616 §3.3)', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    registrar.expireNonces();
    await wait(260_000 - clock.monotonic());
    expect(arrivals()).toEqual([0, 0, 260_000, 260_000]);
    expect(header(2, 'Authorization')).toContain('nonce="nonce-1"');
    expect(header(3, 'Authorization')).toContain('nonce="nonce-2"');
    expect(w.states()).toEqual(['registering', 'registered']);
    expect(w.last()).toMatchObject({ state: 'registered', expiresAt: T0 + 260_000 + 300_000 });
  });
});

describe('RegistrationRefresher: wrong password', () => {
  it('stops after exactly 2 REGISTERs with the 401 reason and does not retry until register()', async () => {
    await startRegistrar();
    const w = refresher(await agent(), config({ credentials: { username: '1000', password: 'wrong' } }));
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(2);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'auth', code: 401, text: 'Unauthorized' },
      nextRetryAt: null,
      failures: 1,
    });
    // Hours pass: nothing is sent, nothing is scheduled by the registration.
    await wait(7_200_000);
    expect(registrar.received).toHaveLength(2);
    expect(w.states()).toEqual(['registering', 'failed']);
    // A user action tries once more: again two REGISTERs (pre-emptive, then one answer), then failed.
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(4);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'auth', code: 401 },
      nextRetryAt: null,
    });
  });

  it('403 after the answer is final as well', async () => {
    await startRegistrar({ forbidWrongPassword: true });
    const w = refresher(await agent(), config({ credentials: { username: '1000', password: 'wrong' } }));
    w.refresher.register();
    await settleNow();
    await wait(600_000);
    expect(registrar.received).toHaveLength(2);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'auth', code: 403, text: 'Forbidden' },
      nextRetryAt: null,
    });
  });
});

describe('RegistrationRefresher: failures and recovery (RFC 5626 §4.5)', () => {
  it('backs off 50–100 % of min(max, base·2^failures): exact schedule with a seeded jitter source', async () => {
    await startRegistrar();
    registrar.answering = false;
    const w = refresher(await agent(), config(), { random: sequence([0.25, 0.5, 0.75, 0]) });
    w.refresher.register();
    await settleNow();
    // Each attempt times out at Timer F (32 s); the waits: 60 s·0.625, 120 s·0.75, 240 s·0.875, 480 s·0.5.
    const expected = [0];
    let t = 0;
    for (const wait of [37_500, 90_000, 210_000, 240_000]) {
      t += 32_000 + wait;
      expected.push(t);
    }
    await wait(t + 1000);
    expect(arrivals()).toEqual(expected);
    expect(w.last()).toMatchObject({ state: 'registering', failures: 4 });
    const failed = w.snapshots.filter((s) => s.state === 'failed');
    expect(failed.map((s) => s.nextRetryAt)).toEqual(expected.slice(1).map((at) => T0 + at));
    expect(failed[0]?.reason).toEqual({
      kind: 'timeout',
      text: 'No answer from sip:203.0.113.5;transport=udp over udp',
    });
  });

  it('caps the wait at max-time', async () => {
    await startRegistrar();
    registrar.answering = false;
    const w = refresher(await agent(), config({ retry: { baseMs: 1000, maxMs: 4000 } }), {
      random: () => 0.999_999,
    });
    w.refresher.register();
    await wait(200_000);
    const gaps = arrivals()
      .slice(1)
      .map((t, i) => t - (arrivals()[i] ?? 0) - 32_000);
    expect(gaps).toEqual([2000, 4000, 4000, 4000, 4000]);
    expect(w.last().failures).toBeGreaterThanOrEqual(5);
  });

  it('registrar down → failed with nextRetryAt → up again → registered without user action', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    registrar.answering = false;
    await wait(260_000 - clock.monotonic() + 32_000);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'timeout' },
      nextRetryAt: T0 + 292_000 + 45_000,
      failures: 1,
    });
    registrar.answering = true;
    await wait(45_000);
    expect(arrivals()).toEqual([0, 0, 260_000, 337_000]);
    expect(w.states()).toEqual(['registering', 'registered', 'failed', 'registering', 'registered']);
    expect(w.last()).toMatchObject({
      state: 'registered',
      reason: null,
      failures: 0,
      expiresAt: T0 + 337_000 + 300_000,
    });
  });

  it('503 with Retry-After: retried exactly then', async () => {
    await startRegistrar();
    registrar.script.push({ status: 503, headers: [['Retry-After', '120']] });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'rejected', code: 503, text: 'Service Unavailable' },
      nextRetryAt: T0 + 120_000,
    });
    await wait(121_000);
    expect(arrivals()).toEqual([0, 120_000, 120_000]);
    expect(w.last().state).toBe('registered');
  });

  it('3xx and 5xx are failures with their code, retried with backoff', async () => {
    await startRegistrar();
    registrar.script.push({ status: 302 }, { status: 500 });
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'rejected', code: 302, text: 'Moved Temporarily' },
      nextRetryAt: T0 + 45_000,
    });
    await wait(45_000);
    expect(w.last()).toMatchObject({
      state: 'failed',
      reason: { kind: 'rejected', code: 500 },
      nextRetryAt: T0 + 45_000 + 90_000,
      failures: 2,
    });
  });
});

describe('RegistrationRefresher: NAT', () => {
  it('rewrites Contact to the public address the 200 reports and removes the private binding in the same REGISTER', async () => {
    await startRegistrar();
    const home = net.host('10.0.0.2');
    net.addNat({ publicAddress: '198.51.100.1', inside: [home], portPreservation: false });
    const w = refresher(await agent(home));
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(3);
    expect(header(1, 'Contact')).toBe(`<sip:1000@10.0.0.2:5060>;+sip.instance="<${INSTANCE}>"`);
    expect(header(2, 'Contact')).toBe(
      `<sip:1000@198.51.100.1:20000>;+sip.instance="<${INSTANCE}>", <sip:1000@10.0.0.2:5060>;expires=0`,
    );
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual(['sip:1000@198.51.100.1:20000']);
    expect(w.states()).toEqual(['registering', 'registered']);
    expect(w.last()).toMatchObject({
      state: 'registered',
      contact: 'sip:1000@198.51.100.1:20000',
      publicAddress: '198.51.100.1:20000',
    });
    // Refreshes keep the public Contact and add nothing.
    await wait(260_000 - clock.monotonic());
    expect(header(3, 'Contact')).toBe(`<sip:1000@198.51.100.1:20000>;+sip.instance="<${INSTANCE}>"`);
  });

  it('with outbound (Require: outbound) the flow is the contact: reg-id, no rewrite', async () => {
    await startRegistrar({ outbound: true });
    const home = net.host('10.0.0.2');
    net.addNat({ publicAddress: '198.51.100.1', inside: [home], portPreservation: false });
    const w = refresher(await agent(home), config({ outbound: true }));
    w.refresher.register();
    await settleNow();
    expect(registrar.received).toHaveLength(2);
    expect(header(1, 'Contact')).toBe(`<sip:1000@10.0.0.2:5060>;+sip.instance="<${INSTANCE}>";reg-id=1`);
    expect(header(1, 'Supported')).toBe('outbound, path');
    expect(w.last()).toMatchObject({
      state: 'registered',
      outbound: true,
      contact: 'sip:1000@10.0.0.2:5060',
      publicAddress: '198.51.100.1:20000',
    });
  });

  it('a registrar without rport: the first STUN keepalive reveals the public address and Contact follows', async () => {
    await startRegistrar({ hideSource: true });
    const home = net.host('10.0.0.2');
    net.addNat({ publicAddress: '198.51.100.1', inside: [home], portPreservation: false });
    const w = refresher(await agent(home), config({ keepalive: { intervalMs: 30_000, udpMethod: 'stun' } }));
    w.refresher.register();
    await settleNow();
    expect(w.last()).toMatchObject({
      state: 'registered',
      contact: 'sip:1000@10.0.0.2:5060',
      publicAddress: null,
    });
    await wait(25_000); // the keepalive at 24 s (80 % of 30 s) learns 198.51.100.1:20000
    expect(arrivals()).toEqual([0, 0, 24_000]);
    expect(registrar.contactLines()[2]).toBe(
      `<sip:1000@198.51.100.1:20000>;+sip.instance="<${INSTANCE}>", <sip:1000@10.0.0.2:5060>;expires=0`,
    );
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual(['sip:1000@198.51.100.1:20000']);
    expect(w.last()).toMatchObject({
      state: 'registered',
      contact: 'sip:1000@198.51.100.1:20000',
      publicAddress: '198.51.100.1:20000',
    });
    expect(w.states()).toEqual(['registering', 'registered']);
  });

  it('a new NAT mapping seen by the STUN keepalive fails the flow; the new REGISTER moves the binding', async () => {
    await startRegistrar();
    const home = net.host('10.0.0.2');
    const nat = net.addNat({ publicAddress: '198.51.100.1', inside: [home], portPreservation: false });
    const w = refresher(await agent(home), config({ keepalive: { intervalMs: 30_000, udpMethod: 'stun' } }), {
      random: () => 0,
    });
    w.refresher.register();
    await settleNow();
    expect(w.last().contact).toBe('sip:1000@198.51.100.1:20000');
    await wait(30_000); // first keepalive learns the mapping
    nat.rebind();
    await wait(30_000); // the next one sees another: flow failed → REGISTER again
    // Keepalive at 24 s (learns 20000), at 48 s (sees 20001 after the rebind): flow failed, a new flow
    // registers the private Contact while removing the old public one, then rewrites to the new mapping.
    expect(arrivals().slice(3)).toEqual([48_000, 48_000]);
    const instance = `;+sip.instance="<${INSTANCE}>"`;
    expect(registrar.contactLines().slice(3)).toEqual([
      `<sip:1000@10.0.0.2:5060>${instance}, <sip:1000@198.51.100.1:20000>;expires=0`,
      `<sip:1000@198.51.100.1:20001>${instance}, <sip:1000@10.0.0.2:5060>;expires=0`,
    ]);
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual(['sip:1000@198.51.100.1:20001']);
    expect(w.last()).toMatchObject({
      state: 'registered',
      contact: 'sip:1000@198.51.100.1:20001',
      publicAddress: '198.51.100.1:20001',
    });
    expect(w.states()).toEqual(['registering', 'registered', 'registering', 'registered']);
  });
});

describe('RegistrationRefresher: network changes and flows', () => {
  it('network change: a new flow from the new address, the old Contact removed', async () => {
    await startRegistrar();
    const host = net.host('192.0.2.10');
    const w = refresher(await agent(host));
    w.refresher.register();
    await settleNow();
    host.addAddress('192.0.2.20');
    host.removeAddress('192.0.2.10');
    clock.advance(10_000);
    w.refresher.networkChanged('network interfaces changed');
    await settleNow();
    expect(header(2, 'Contact')).toBe(
      `<sip:1000@192.0.2.20:5060>;+sip.instance="<${INSTANCE}>", <sip:1000@192.0.2.10:5060>;expires=0`,
    );
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual(['sip:1000@192.0.2.20:5060']);
    expect(w.states()).toEqual(['registering', 'registered', 'registering', 'registered']);
    expect(w.last()).toMatchObject({ expiresAt: T0 + 10_000 + 300_000 });
  });

  it('a failed retry is brought forward by a network change; a refused password is not', async () => {
    await startRegistrar();
    registrar.answering = false;
    const ok = refresher(await agent());
    ok.refresher.register();
    await wait(32_000);
    expect(ok.last().state).toBe('failed');
    registrar.answering = true;
    ok.refresher.networkChanged('resumed');
    await settleNow();
    expect(ok.last().state).toBe('registered');
    const bad = refresher(
      agents[0] as SipUserAgent,
      config({ aor: sipUri('sip:1001@lab.test'), credentials: { username: '1001', password: 'nope' } }),
    );
    bad.refresher.register();
    await settleNow();
    const before = registrar.received.length;
    bad.refresher.networkChanged('resumed');
    await settleNow();
    expect(registrar.received.length).toBe(before);
    expect(bad.last().state).toBe('failed');
  });

  it('TCP: the registrar closing the connection (flow failed) re-registers on a new one', async () => {
    await startRegistrar();
    const w = refresher(await agent(), config({ transport: 'tcp' }));
    w.refresher.register();
    await wait(100);
    expect(w.last()).toMatchObject({ state: 'registered', transport: 'tcp' });
    expect(w.last().contact).toMatch(/^sip:1000@192\.0\.2\.10:\d+;transport=tcp$/);
    const first = w.last().contact;
    const serverFlow = registrar.ua.transport.flows().find((f) => f.transport === 'tcp');
    serverFlow?.close('local');
    await wait(100);
    expect(w.states()).toEqual(['registering', 'registered', 'registering', 'registered']);
    const second = w.last().contact;
    expect(second).not.toBe(first);
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual([second]);
  });

  it('STUN keepalive without an answer (pong timeout): flow failed, REGISTER again', async () => {
    await startRegistrar();
    const w = refresher(await agent(), config({ keepalive: { intervalMs: 30_000, udpMethod: 'stun' } }), {
      random: () => 0,
    });
    w.refresher.register();
    await settleNow();
    // STUN packets to the registrar vanish (first byte 0 or 1: STUN, RFC 7983).
    const rule = net.dropWhere((p) => p.to.address === '203.0.113.5' && (p.bytes[0] ?? 255) < 4);
    await wait(24_000 + 10_000 + 1000);
    rule.dispose();
    expect(w.states()).toEqual(['registering', 'registered', 'registering', 'registered']);
    expect(arrivals()).toEqual([0, 0, 34_000]);
  });
});

describe('RegistrationRefresher: unregister', () => {
  it('sends Expires 0 for our Contact only (not *), and ends unregistered', async () => {
    await startRegistrar();
    registrar.bindings.set(
      '1000',
      new Map([
        [
          'sip:1000@192.0.2.99:5060',
          {
            contact: 'sip:1000@192.0.2.99:5060',
            expiresAt: 10_000_000,
            instance: undefined,
            regId: undefined,
            callId: 'other',
            cseq: 1,
          },
        ],
      ]),
    );
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    const done = w.refresher.unregister();
    await settleNow();
    await done;
    const last = registrar.received.at(-1)?.request;
    expect(last?.headers.get('Expires')).toBe('0');
    expect(last?.headers.get('Contact')).toBe(`<sip:1000@192.0.2.10:5060>;+sip.instance="<${INSTANCE}>"`);
    expect(registrar.bindingsOf('1000').map((b) => b.contact)).toEqual(['sip:1000@192.0.2.99:5060']);
    expect(w.states()).toEqual(['registering', 'registered', 'unregistering', 'unregistered']);
    expect(w.last()).toMatchObject({ state: 'unregistered', contact: null, expiresAt: null, reason: null });
  });

  it('Contact: * only when asked for', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    const done = w.refresher.unregister({ all: true });
    await settleNow();
    await done;
    expect(registrar.received.at(-1)?.request.headers.get('Contact')).toBe('*');
    expect(registrar.bindingsOf('1000')).toEqual([]);
  });

  it('resolves even without an answer (after Timer F), and a failed account with nothing bound goes straight to unregistered', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    registrar.answering = false;
    let resolved = false;
    void w.refresher.unregister().then(() => (resolved = true));
    await wait(31_000);
    expect(resolved).toBe(false);
    await wait(2000);
    expect(resolved).toBe(true);
    expect(w.last().state).toBe('unregistered');

    const bad = refresher(
      agents[0] as SipUserAgent,
      config({ credentials: { username: '1000', password: 'x' } }),
    );
    registrar.answering = true;
    bad.refresher.register();
    await settleNow();
    const sent = registrar.received.length;
    await bad.refresher.unregister();
    expect(registrar.received.length).toBe(sent);
    expect(bad.states()).toEqual(['registering', 'failed', 'unregistered']);
  });
});

describe('RegistrationRefresher: several accounts', () => {
  it('runs independent machines on one user agent', async () => {
    await startRegistrar();
    const ua = await agent();
    const a = refresher(ua, config({ instanceId: instanceIdFor('a') }));
    const b = refresher(
      ua,
      config({
        aor: sipUri('sip:1001@lab.test'),
        credentials: { username: '1001', password: 'other' },
        expiresSec: 120,
        instanceId: instanceIdFor('b'),
      }),
    );
    const c = refresher(
      ua,
      config({
        aor: sipUri('sip:1002@lab.test'),
        credentials: { username: '1002', password: 'x' },
        instanceId: instanceIdFor('c'),
      }),
    );
    a.refresher.register();
    b.refresher.register();
    c.refresher.register();
    await settleNow();
    expect([a.last().state, b.last().state, c.last().state]).toEqual(['registered', 'registered', 'failed']);
    expect(c.last().reason).toMatchObject({ kind: 'auth', code: 401 });
    await wait(261_000);
    const byUser = (user: string) =>
      registrar.received
        .filter((r) => r.request.from.uri.kind === 'sip' && r.request.from.uri.user === user)
        .map((r) => r.at);
    expect(byUser('1000')).toEqual([0, 0, 260_000]);
    expect(byUser('1001')).toEqual([0, 0, 80_000, 160_000, 240_000]);
    expect(byUser('1002')).toEqual([0, 0]);
    expect(new Set(registrar.received.map((r) => r.request.callId)).size).toBe(3);
  });
});

describe('RegistrationRefresher: contract', () => {
  it('illegal use throws; dispose() leaves nothing behind and sends nothing', async () => {
    await startRegistrar();
    const w = refresher(await agent());
    w.refresher.register();
    await settleNow();
    const sent = registrar.received.length;
    w.refresher.dispose();
    expect(() => w.refresher.register()).toThrow(/after dispose/);
    await wait(600_000);
    expect(registrar.received.length).toBe(sent);
  });

  it('the instance id is a stable RFC 4122 version-5 URN per name', () => {
    expect(instanceIdFor('account-1')).toBe(instanceIdFor('account-1'));
    expect(instanceIdFor('account-1')).not.toBe(instanceIdFor('account-2'));
    expect(instanceIdFor('account-1')).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(Header.Contact.parse(`<sip:a@b>;+sip.instance="<${INSTANCE}>"`)).toMatchObject({
      ok: true,
      value: { instance: INSTANCE },
    });
  });
});
