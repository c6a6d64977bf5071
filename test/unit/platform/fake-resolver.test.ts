import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, FakeResolver, errorCode } from '../../../src-main/platform/index.ts';

let clock: FakeClock;
let resolver: FakeResolver;

afterEach(() => {
  expect(resolver.pendingAnswers).toBe(0);
  expect(clock.pendingTimers()).toBe(0);
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return errorCode(error);
  }
  throw new Error('expected a rejection');
}

describe('FakeResolver', () => {
  it('answers each record type with what was set, as copies', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver()
      .set('example.com', 'NAPTR', [
        {
          flags: 's',
          service: 'SIP+D2U',
          regexp: '',
          replacement: '_sip._udp.example.com',
          order: 10,
          preference: 5,
        },
      ])
      .set('_sip._udp.example.com', 'SRV', [
        { name: 'pbx.example.com', port: 5060, priority: 10, weight: 100 },
      ])
      .set('pbx.example.com', 'A', ['192.0.2.10', '192.0.2.11'])
      .set('pbx.example.com', 'AAAA', ['2001:db8::10']);
    expect(await resolver.resolveNaptr('example.com')).toEqual([
      {
        flags: 's',
        service: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.com',
        order: 10,
        preference: 5,
      },
    ]);
    expect(await resolver.resolveSrv('_sip._udp.example.com')).toEqual([
      { name: 'pbx.example.com', port: 5060, priority: 10, weight: 100 },
    ]);
    const a = await resolver.resolve4('pbx.example.com');
    expect(a).toEqual(['192.0.2.10', '192.0.2.11']);
    a.push('mutated');
    expect(await resolver.resolve4('pbx.example.com')).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(await resolver.resolve6('pbx.example.com')).toEqual(['2001:db8::10']);
  });

  it('compares names case-insensitively and ignores a trailing dot', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver().set('PBX.Example.com.', 'A', ['192.0.2.1']);
    expect(await resolver.resolve4('pbx.example.COM')).toEqual(['192.0.2.1']);
    expect(await resolver.resolve4('pbx.example.com.')).toEqual(['192.0.2.1']);
  });

  it('NXDOMAIN (ENOTFOUND) for an unknown name, ENODATA for a known name without that type', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver()
      .set('pbx.example.com', 'A', ['192.0.2.1'])
      .set('empty.example.com', 'SRV', []);
    expect(await codeOf(resolver.resolve4('nothing.example.com'))).toBe('ENOTFOUND');
    expect(await codeOf(resolver.resolve6('pbx.example.com'))).toBe('ENODATA');
    expect(await codeOf(resolver.resolveSrv('empty.example.com'))).toBe('ENODATA');
  });

  it('rejects like node:dns does: code, syscall, hostname and message', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver();
    const error = await resolver.resolveSrv('_sip._tcp.nowhere.test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'ENOTFOUND',
      syscall: 'querySrv',
      hostname: '_sip._tcp.nowhere.test',
      message: 'querySrv ENOTFOUND _sip._tcp.nowhere.test',
    });
  });

  it('fails with configured codes, per type or for every type', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver()
      .set('pbx.example.com', 'A', ['192.0.2.1'])
      .fail('pbx.example.com', 'AAAA', 'ETIMEOUT')
      .fail('broken.example.com', '*', 'ESERVFAIL');
    expect(await resolver.resolve4('pbx.example.com')).toEqual(['192.0.2.1']);
    expect(await codeOf(resolver.resolve6('pbx.example.com'))).toBe('ETIMEOUT');
    expect(await codeOf(resolver.resolveNaptr('broken.example.com'))).toBe('ESERVFAIL');
    expect(await codeOf(resolver.resolve4('broken.example.com'))).toBe('ESERVFAIL');
    resolver.remove('broken.example.com', '*');
    expect(await codeOf(resolver.resolve4('broken.example.com'))).toBe('ENOTFOUND');
    resolver.remove('pbx.example.com');
    expect(await codeOf(resolver.resolve4('pbx.example.com'))).toBe('ENOTFOUND');
  });

  it('logs every query in order', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver();
    await Promise.allSettled([
      resolver.resolveNaptr('a.test'),
      resolver.resolveSrv('_sip._udp.a.test'),
      resolver.resolve4('a.test'),
    ]);
    expect(resolver.queries).toEqual([
      { name: 'a.test', type: 'NAPTR' },
      { name: '_sip._udp.a.test', type: 'SRV' },
      { name: 'a.test', type: 'A' },
    ]);
  });

  it('delays answers on the clock: default delay and per-entry delays, failures included', async () => {
    clock = new FakeClock();
    resolver = new FakeResolver({ clock, delayMs: 20 })
      .set('fast.test', 'A', ['192.0.2.1'])
      .set('slow.test', 'A', ['192.0.2.2'], { delayMs: 300 })
      .fail('dead.test', 'A', 'ETIMEOUT', { delayMs: 5_000 });
    const settled: string[] = [];
    const track = (name: string) =>
      resolver.resolve4(name).then(
        (v) => settled.push(`${name}=${v.join()}@${clock.monotonic()}`),
        (e: unknown) => settled.push(`${name}!${errorCode(e)}@${clock.monotonic()}`),
      );
    const all = Promise.all(['fast.test', 'slow.test', 'dead.test', 'unknown.test'].map(track));
    expect(resolver.pendingAnswers).toBe(4);
    clock.advance(19);
    await Promise.resolve();
    expect(settled).toEqual([]);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['fast.test=192.0.2.1@20', 'unknown.test!ENOTFOUND@20']);
    clock.advance(280);
    await new Promise((r) => setImmediate(r));
    expect(settled.at(-1)).toBe('slow.test=192.0.2.2@300');
    clock.advance(4_700);
    await all;
    expect(settled.at(-1)).toBe('dead.test!ETIMEOUT@5000');
  });

  it('needs a clock for delays and drops pending answers on dispose', () => {
    clock = new FakeClock();
    expect(() => new FakeResolver({ delayMs: 5 })).toThrow(/clock/);
    expect(() => new FakeResolver().set('a.test', 'A', ['192.0.2.1'], { delayMs: 5 })).toThrow(/clock/);
    resolver = new FakeResolver({ clock, delayMs: 100 }).set('a.test', 'A', ['192.0.2.1']);
    void resolver.resolve4('a.test');
    expect(clock.pendingTimers()).toBe(1);
    resolver.dispose();
    expect(resolver.pendingAnswers).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
