import { afterEach, describe, expect, it } from 'vitest';
import { Discovery } from '../../../src-shared/model/onboarding.ts';
import { FakeClock, FakeResolver } from '../../../src-main/platform/index.ts';
import { CommandRouter, Phone } from '../../../src-main/phone/index.ts';
import {
  DISCOVER_TIMEOUT_MS,
  OnboardingService,
  sipTargetOf,
} from '../../../src-main/phone/onboarding-service.ts';

let clock: FakeClock;
let service: OnboardingService | undefined;

afterEach(() => {
  service?.close();
  service = undefined;
});

function setup(resolver: FakeResolver, clockOptions: { clock?: FakeClock } = {}) {
  clock = clockOptions.clock ?? new FakeClock();
  service = new OnboardingService({ clock, resolver, random: () => 0 });
  return service;
}

/** A domain as a small PBX provider publishes it: UDP and TCP to one host, TLS to another, STUN and TURN. */
function providerDns(): FakeResolver {
  return new FakeResolver()
    .set('_sip._udp.example.com', 'SRV', [{ name: 'sip.example.com', port: 5060, priority: 10, weight: 0 }])
    .set('_sip._tcp.example.com', 'SRV', [{ name: 'sip.example.com', port: 5060, priority: 10, weight: 0 }])
    .set('_sips._tcp.example.com', 'SRV', [{ name: 'tls.example.com', port: 5061, priority: 10, weight: 0 }])
    .set('sip.example.com', 'A', ['192.0.2.10'])
    .set('tls.example.com', 'A', ['192.0.2.11'])
    .set('tls.example.com', 'AAAA', ['2001:db8::11'])
    .set('_stun._udp.example.com', 'SRV', [{ name: 'stun.example.com', port: 3478, priority: 0, weight: 0 }])
    .set('_turn._udp.example.com', 'SRV', [{ name: 'turn.example.com', port: 3478, priority: 0, weight: 0 }])
    .set('stun.example.com', 'A', ['192.0.2.20'])
    .set('turn.example.com', 'A', ['192.0.2.21']);
}

describe('sipTargetOf', () => {
  it('takes host, host:port, IPv4 and bracketed IPv6 literals; refuses anything else', () => {
    expect(sipTargetOf('Example.COM.')).toEqual({ host: 'example.com', secure: false });
    expect(sipTargetOf('pbx.local:5062')).toEqual({ host: 'pbx.local', port: 5062, secure: false });
    expect(sipTargetOf('192.0.2.1')).toEqual({ host: '192.0.2.1', secure: false });
    expect(sipTargetOf('[2001:DB8::1]:5080')).toEqual({ host: '2001:db8::1', port: 5080, secure: false });
    expect(sipTargetOf('[not-an-ip]')).toBeUndefined();
    expect(sipTargetOf('example.com:0')).toBeUndefined();
    expect(sipTargetOf('example.com:70000')).toBeUndefined();
    expect(sipTargetOf('user@example.com')).toBeUndefined();
    expect(sipTargetOf('')).toBeUndefined();
  });
});

describe('OnboardingService (onboarding.discover)', () => {
  it('finds every SIP transport in RFC 3263 order (no NAPTR: SRV per transport) and the STUN/TURN servers', async () => {
    const resolver = providerDns();
    const discovery = await setup(resolver).discover('example.com');
    expect(Discovery.parse(discovery)).toEqual({
      domain: 'example.com',
      sipTargets: [
        { transport: 'udp', address: '192.0.2.10', port: 5060, hostname: 'sip.example.com', source: 'srv' },
        { transport: 'tcp', address: '192.0.2.10', port: 5060, hostname: 'sip.example.com', source: 'srv' },
        { transport: 'tls', address: '192.0.2.11', port: 5061, hostname: 'tls.example.com', source: 'srv' },
        { transport: 'tls', address: '2001:db8::11', port: 5061, hostname: 'tls.example.com', source: 'srv' },
      ],
      stunTurn: [
        {
          uri: 'stun:stun.example.com:3478',
          kind: 'stun',
          transport: 'udp',
          host: 'stun.example.com',
          port: 3478,
          addresses: ['192.0.2.20:3478'],
        },
        {
          uri: 'turn:turn.example.com:3478',
          kind: 'turn',
          transport: 'udp',
          host: 'turn.example.com',
          port: 3478,
          addresses: ['192.0.2.21:3478'],
        },
      ],
      problems: [],
    });
    // RFC 3263 §4.1: NAPTR first, then an SRV query per transport.
    const sipQueries = resolver.queries.filter((q) => q.type === 'NAPTR' || q.name.startsWith('_sip'));
    expect(sipQueries).toEqual([
      { name: 'example.com', type: 'NAPTR' },
      { name: '_sip._udp.example.com', type: 'SRV' },
      { name: '_sip._tcp.example.com', type: 'SRV' },
      { name: '_sips._tcp.example.com', type: 'SRV' },
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('follows NAPTR when the domain publishes it (TCP preferred by the provider)', async () => {
    const resolver = providerDns().set('example.com', 'NAPTR', [
      {
        flags: 's',
        service: 'SIP+D2T',
        regexp: '',
        replacement: '_sip._tcp.example.com',
        order: 10,
        preference: 10,
      },
      {
        flags: 's',
        service: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.com',
        order: 20,
        preference: 10,
      },
    ]);
    const discovery = await setup(resolver).discover('example.com');
    expect(discovery.sipTargets.map((t) => [t.transport, t.source])).toEqual([['tcp', 'naptr']]);
  });

  it('falls back to the address of the domain with UDP 5060 when there are no SRV records', async () => {
    const resolver = new FakeResolver().set('lab.test', 'A', ['127.0.0.1']);
    const discovery = await setup(resolver).discover('lab.test');
    expect(discovery.sipTargets).toEqual([
      { transport: 'udp', address: '127.0.0.1', port: 5060, hostname: 'lab.test', source: 'a' },
    ]);
    expect(discovery.stunTurn).toEqual([]);
    expect(discovery.problems).toEqual([]);
  });

  it('uses a port given with the domain (A/AAAA only, no SRV: RFC 3263 §4.2)', async () => {
    const resolver = providerDns().set('pbx.example.com', 'A', ['192.0.2.30']);
    const discovery = await setup(resolver).discover('pbx.example.com:5062');
    expect(discovery.sipTargets).toEqual([
      { transport: 'udp', address: '192.0.2.30', port: 5062, hostname: 'pbx.example.com', source: 'a' },
    ]);
    expect(resolver.queries.filter((q) => q.type === 'SRV' && q.name.startsWith('_sip'))).toEqual([]);
  });

  it('asks no DNS for an IP literal', async () => {
    const resolver = new FakeResolver();
    const discovery = await setup(resolver).discover('192.0.2.1');
    expect(discovery).toEqual({
      domain: '192.0.2.1',
      sipTargets: [{ transport: 'udp', address: '192.0.2.1', port: 5060, hostname: null, source: 'literal' }],
      stunTurn: [],
      problems: [],
    });
    expect(resolver.queries).toEqual([]);
  });

  it('reports a domain that does not exist, and DNS failures, but not missing SRV records', async () => {
    const resolver = new FakeResolver().fail('_stun._udp.nowhere.test', 'SRV', 'ESERVFAIL');
    const discovery = await setup(resolver).discover('nowhere.test');
    expect(discovery.sipTargets).toEqual([]);
    expect(discovery.problems).toEqual([
      { step: 'sip', name: 'nowhere.test', code: 'ENOTFOUND' },
      { step: 'stun-turn', name: '_stun._udp.nowhere.test', code: 'ESERVFAIL' },
    ]);
  });

  it('gives up on a resolver that does not answer after DISCOVER_TIMEOUT_MS, with what it has', async () => {
    const fake = new FakeClock();
    const resolver = new FakeResolver({ clock: fake, delayMs: 60_000 });
    const pending = setup(resolver, { clock: fake }).discover('slow.test');
    fake.advance(DISCOVER_TIMEOUT_MS - 1);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    fake.advance(1);
    expect(await pending).toEqual({
      domain: 'slow.test',
      sipTargets: [],
      stunTurn: [],
      problems: [
        { step: 'sip', name: 'slow.test', code: 'ETIMEOUT' },
        { step: 'stun-turn', name: 'slow.test', code: 'ETIMEOUT' },
      ],
    });
    expect(fake.pendingTimers()).toBeGreaterThan(0);
    resolver.dispose();
    expect(fake.pendingTimers()).toBe(0);
  });

  it('refuses after close and cancels its timers', async () => {
    const fake = new FakeClock();
    const resolver = new FakeResolver({ clock: fake, delayMs: 60_000 });
    const s = setup(resolver, { clock: fake });
    void s.discover('slow.test');
    s.close();
    resolver.dispose();
    expect(fake.pendingTimers()).toBe(0);
    await expect(s.discover('example.com')).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('onboarding.discover through the phone', () => {
  it('is served by the Phone and validated by the router', async () => {
    const phoneClock = new FakeClock();
    const phone = new Phone({
      host: 'cli',
      dataDir: '/nonexistent',
      clock: phoneClock,
      network: {} as never,
      resolver: providerDns(),
      app: { name: 'Softphone', version: '0.0.0-test' },
      versions: { node: '24', v8: '13', electron: null, chrome: null },
      platform: { os: 'linux', arch: 'x64' },
    });
    try {
      const router = new CommandRouter(phone.handlers, { isTrustedSender: () => true });
      const ok = await router.dispatch('onboarding.discover', { domain: 'example.com' }, { kind: 'cli' });
      expect(ok.ok && Discovery.parse(ok.value).sipTargets.length).toBe(4);
      const bad = await router.dispatch('onboarding.discover', { domain: 'not a domain' }, { kind: 'cli' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    } finally {
      await phone.close();
    }
    expect(phoneClock.pendingTimers()).toBe(0);
  });
});
