import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, errorCode } from '../../../src-main/platform/index.ts';
import type { PacketRecord } from '../../../src-main/platform/index.ts';
import { at, endpoint, expectNoLeaks, settle } from './memory-helpers.ts';
import type { Endpoint } from './memory-helpers.ts';

let clock: FakeClock;
let net: MemoryNetwork;
let open: Endpoint[] = [];

function setup(seed = 1): void {
  clock = new FakeClock();
  net = new MemoryNetwork(clock, { seed });
  open = [];
}

async function bind(
  ...args: Parameters<typeof endpoint> extends [unknown, ...infer R] ? R : never
): Promise<Endpoint> {
  const e = await endpoint(clock, ...args);
  open.push(e);
  return e;
}

afterEach(async () => {
  for (const e of open) e.socket.close();
  clock.runAll();
  await settle();
  expectNoLeaks(net, clock);
});

describe('MemoryNetwork datagrams', () => {
  it('delivers between hosts with the sender’s address as `from`, on the next clock move', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 5060);
    const b = await bind(net.host('192.0.2.2'), 5070);
    a.send('hello', at('192.0.2.2', 5070));
    expect(b.received).toEqual([]);
    clock.advance(0);
    expect(b.received).toEqual([{ text: 'hello', from: at('192.0.2.1', 5060), at: 0 }]);
  });

  it('hands out ephemeral ports in order from 49152, per host, and frees them on close', async () => {
    setup();
    const host = net.host('192.0.2.1');
    const other = net.host('192.0.2.2');
    const s1 = await host.bindDatagram({ family: 4 });
    const s2 = await host.bindDatagram({ family: 4 });
    const s3 = await other.bindDatagram({ family: 4 });
    expect([s1.local, s2.local, s3.local]).toEqual([
      at('0.0.0.0', 49152),
      at('0.0.0.0', 49153),
      at('0.0.0.0', 49152),
    ]);
    s1.close();
    expect(s1.closed).toBe(true);
    const again = await host.bindDatagram({ family: 4, port: 49152, address: '192.0.2.1' });
    expect(again.local).toEqual(at('192.0.2.1', 49152));
    for (const s of [s2, s3, again]) s.close();
  });

  it('refuses a taken port (EADDRINUSE), a foreign address (EADDRNOTAVAIL) and a wrong family', async () => {
    setup();
    const host = net.host(['192.0.2.1', '192.0.2.9', '2001:db8::1']);
    const wildcard = await host.bindDatagram({ family: 4, port: 5060 });
    const codes = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => errorCode(e) ?? String(e),
      );
    expect(await codes(host.bindDatagram({ family: 4, port: 5060, address: '192.0.2.1' }))).toBe(
      'EADDRINUSE',
    );
    expect(await codes(host.bindDatagram({ family: 4, port: 5060 }))).toBe('EADDRINUSE');
    expect(await codes(host.bindDatagram({ family: 4, address: '192.0.2.77' }))).toBe('EADDRNOTAVAIL');
    expect(await codes(host.bindDatagram({ family: 4, address: '2001:db8::1' }))).toMatch(
      /not an IPv4 address/,
    );
    // IPv6 sockets are IPv6-only: the same port is free for IPv6.
    const v6 = await host.bindDatagram({ family: 6, port: 5060 });
    wildcard.close();
    const a = await host.bindDatagram({ family: 4, port: 5060, address: '192.0.2.1' });
    const b = await host.bindDatagram({ family: 4, port: 5060, address: '192.0.2.9' });
    expect(await codes(host.bindDatagram({ family: 4, port: 5060 }))).toBe('EADDRINUSE');
    for (const s of [v6, a, b]) s.close();
  });

  it('a socket bound to one address receives only the traffic for that address', async () => {
    setup();
    const server = net.host(['192.0.2.1', '192.0.2.9']);
    const exact = await bind(server, 5060, '192.0.2.9');
    const other = await bind(server, 5060, '192.0.2.1');
    const client = await bind(net.host('192.0.2.50'));
    client.send('to-9', at('192.0.2.9', 5060));
    client.send('to-1', at('192.0.2.1', 5060));
    clock.advance(0);
    expect(exact.received.map((r) => r.text)).toEqual(['to-9']);
    expect(other.received.map((r) => r.text)).toEqual(['to-1']);
    other.socket.close();
    client.send('to-1 again', at('192.0.2.1', 5060));
    clock.advance(0);
    expect(net.sent.at(-1)?.dropReason).toBe('port-unreachable');
  });

  it('carries IPv6, in canonical form, and keeps the families apart', async () => {
    setup();
    const a = await bind(net.host(['192.0.2.1', '2001:db8::1']), 5060, '::', 6);
    const b = await bind(net.host(['192.0.2.2', '2001:db8::2']), 5060, '::', 6);
    const b4 = await bind(net.hosts[1]!, 5060, '0.0.0.0', 4);
    a.send('v6', at('2001:DB8:0:0::2', 5060));
    clock.advance(0);
    expect(b.received).toEqual([{ text: 'v6', from: at('2001:db8::1', 5060), at: 0 }]);
    expect(b4.received).toEqual([]);
    a.send('wrong family', at('192.0.2.2', 5060));
    await settle();
    expect(a.errors.map(errorCode)).toEqual(['EAFNOSUPPORT']);
  });

  it('reports ENETUNREACH when the host has no address of the family', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 0, '::', 6);
    a.send('x', at('2001:db8::2', 5060));
    expect(a.errors).toEqual([]);
    await settle();
    expect(a.errors.map(errorCode)).toEqual(['ENETUNREACH']);
  });

  it('throws on sends that are bugs: closed socket, bad port, non-numeric address', async () => {
    setup();
    const s = await net.host('192.0.2.1').bindDatagram({ family: 4 });
    expect(() => s.send(Buffer.from('x'), at('192.0.2.2', 0))).toThrow(RangeError);
    expect(() => s.send(Buffer.from('x'), { address: 'pbx.example.com', port: 5060, family: 4 })).toThrow(
      TypeError,
    );
    s.close();
    s.close();
    expect(() => s.send(Buffer.from('x'), at('192.0.2.2', 5060))).toThrow(/closed/);
  });

  it('delivers loopback and own-address traffic inside the host only, with no delay or loss', async () => {
    setup();
    net.setConditions({ delayMs: 100, drop: 1 });
    const host = net.host(['192.0.2.1', '2001:db8::1']);
    const other = await bind(net.host('192.0.2.2'), 5060);
    const server = await bind(host, 5060);
    const server6 = await bind(host, 5060, '::1', 6);
    const client = await bind(host, 0);
    const client6 = await bind(host, 0, '::', 6);
    client.send('lo', at('127.0.0.1', 5060));
    client.send('own', at('192.0.2.1', 5060));
    client6.send('lo6', at('::1', 5060));
    clock.advance(0);
    expect(server.received).toEqual([
      { text: 'lo', from: at('127.0.0.1', 49152), at: 0 },
      { text: 'own', from: at('192.0.2.1', 49152), at: 0 },
    ]);
    // Ephemeral ports are counted per protocol, across families.
    expect(server6.received).toEqual([{ text: 'lo6', from: at('::1', 49153), at: 0 }]);
    expect(other.received).toEqual([]);
  });

  it('a socket bound to loopback cannot reach other hosts (EINVAL)', async () => {
    setup();
    net.host('192.0.2.2');
    const lo = await bind(net.host('192.0.2.1'), 0, '127.0.0.1');
    lo.send('x', at('192.0.2.2', 5060));
    await settle();
    expect(lo.errors.map(errorCode)).toEqual(['EINVAL']);
  });

  it('logs every packet with its fate, and taps it when the fate is known', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 1000);
    await bind(net.host('192.0.2.2'), 2000);
    const tapped: PacketRecord[] = [];
    const tap = net.onPacket((p) => tapped.push(p));
    a.send('ok', at('192.0.2.2', 2000));
    a.send('closed port', at('192.0.2.2', 2001));
    a.send('nobody', at('192.0.2.3', 2000));
    expect(net.sent.map((p) => [p.id, p.delivered, p.dropped, p.dropReason])).toEqual([
      [1, false, false, undefined],
      [2, false, false, undefined],
      [3, false, true, 'no-route'],
    ]);
    expect(tapped.map((p) => p.id)).toEqual([3]);
    clock.advance(0);
    expect(tapped.map((p) => [p.id, p.dropReason ?? 'delivered'])).toEqual([
      [3, 'no-route'],
      [1, 'delivered'],
      [2, 'port-unreachable'],
    ]);
    expect(net.sent[0]).toMatchObject({
      protocol: 'udp',
      sentAt: 0,
      from: at('192.0.2.1', 1000),
      to: at('192.0.2.2', 2000),
      translatedFrom: at('192.0.2.1', 1000),
      duplicate: false,
      deliveredAt: 0,
      deliveredTo: at('192.0.2.2', 2000),
    });
    expect(Buffer.from(net.sent[0]!.bytes).toString()).toBe('ok');
    tap.dispose();
    net.clearSent();
    expect(net.sent).toEqual([]);
  });

  it('copies bytes at send time and gives each receiver its own buffer', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 1000);
    const b = await net.host('192.0.2.2').bindDatagram({ family: 4, port: 2000 });
    const got: Buffer[] = [];
    b.onMessage((d) => {
      got.push(d);
      d.fill(0);
    });
    const payload = Buffer.from('abc');
    a.socket.send(payload, at('192.0.2.2', 2000));
    payload.fill(120);
    clock.advance(0);
    expect(Buffer.from(net.sent[0]!.bytes).toString()).toBe('abc');
    expect(got).toHaveLength(1);
    b.close();
  });

  it('counts open sockets per host and network', async () => {
    setup();
    const h1 = net.host('192.0.2.1');
    const h2 = net.host('192.0.2.2');
    const s1 = await h1.bindDatagram({ family: 4 });
    const s2 = await h2.bindDatagram({ family: 4 });
    const s3 = await h2.bindDatagram({ family: 6 });
    expect([h1.openSockets(), h2.openSockets(), net.openSockets()]).toEqual([1, 2, 3]);
    for (const s of [s1, s2, s3]) s.close();
    expect(net.openSockets()).toBe(0);
  });

  it('lists loopback and its addresses as interfaces, and follows address changes', async () => {
    setup();
    const host = net.host(['192.168.1.20', '2001:db8::20'], { interfaceName: 'wlan0' });
    expect(host.interfaces()).toEqual([
      { name: 'lo', address: '127.0.0.1', family: 4, internal: true },
      { name: 'lo', address: '::1', family: 6, internal: true },
      { name: 'wlan0', address: '192.168.1.20', family: 4, internal: false },
      { name: 'wlan0', address: '2001:db8::20', family: 6, internal: false },
    ]);
    host.addAddress('10.8.0.2', 'tun0');
    host.removeAddress('2001:db8::20');
    expect(host.addresses()).toEqual(['192.168.1.20', '10.8.0.2']);
    expect(host.interfaces().at(-1)).toEqual({
      name: 'tun0',
      address: '10.8.0.2',
      family: 4,
      internal: false,
    });
    expect(() => host.removeAddress('10.9.9.9')).toThrow();
    expect(() => net.host('10.8.0.2')).toThrow(/already in use/);
    expect(() => net.host('127.0.0.1')).toThrow();
    expect(() => net.host('not-an-ip')).toThrow(TypeError);
  });

  it('a removed address stops receiving, and sockets bound to it cannot send', async () => {
    setup();
    const host = net.host(['192.0.2.1', '192.0.2.5']);
    const bound = await bind(host, 5060, '192.0.2.5');
    const peer = await bind(net.host('192.0.2.2'), 5060);
    host.removeAddress('192.0.2.5');
    peer.send('x', at('192.0.2.5', 5060));
    bound.send('y', at('192.0.2.2', 5060));
    clock.advance(0);
    await settle();
    expect(bound.received).toEqual([]);
    expect(net.sent[0]?.dropReason).toBe('no-route');
    expect(bound.errors.map(errorCode)).toEqual(['EADDRNOTAVAIL']);
  });
});

describe('MemoryNetwork link conditions', () => {
  it('delays by delayMs; pair conditions override the global ones; oneWay and dispose work', async () => {
    setup();
    net.setConditions({ delayMs: 10 });
    const a = await bind(net.host('192.0.2.1'), 1);
    const b = await bind(net.host('192.0.2.2'), 2);
    const c = await bind(net.host('192.0.2.3'), 3);
    const slow = net.setLinkConditions('192.0.2.1', net.hosts[1]!, { delayMs: 200 });
    a.send('a→b', at('192.0.2.2', 2));
    b.send('b→a', at('192.0.2.1', 1));
    a.send('a→c', at('192.0.2.3', 3));
    clock.advance(200);
    expect(b.received.map((r) => r.at)).toEqual([200]);
    expect(a.received.map((r) => r.at)).toEqual([200]);
    expect(c.received.map((r) => r.at)).toEqual([10]);
    slow.dispose();
    const oneWay = net.setLinkConditions('192.0.2.1', '192.0.2.2', { delayMs: 50 }, { oneWay: true });
    a.send('a→b', at('192.0.2.2', 2));
    b.send('b→a', at('192.0.2.1', 1));
    clock.advance(50);
    expect(a.received.map((r) => r.at)).toEqual([200, 210]);
    expect(b.received.map((r) => r.at)).toEqual([200, 250]);
    oneWay.dispose();
  });

  it('jitter stays within [delay, delay + jitter], never reorders a flow, and repeats with the seed', async () => {
    const run = async (seed: number) => {
      setup(seed);
      net.setConditions({ delayMs: 20, jitterMs: 30 });
      const a = await bind(net.host('192.0.2.1'), 1);
      const b = await bind(net.host('192.0.2.2'), 2);
      for (let i = 0; i < 50; i++) {
        a.send(String(i), at('192.0.2.2', 2));
        clock.advance(5);
      }
      clock.advance(100);
      const result = b.received.map((r) => ({ i: Number(r.text), at: r.at }));
      for (const e of open) e.socket.close();
      open = [];
      return result;
    };
    const first = await run(7);
    expect(first.map((r) => r.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let k = 1; k < first.length; k++) expect(first[k]!.at).toBeGreaterThanOrEqual(first[k - 1]!.at);
    for (const { i, at: t } of first) {
      expect(t).toBeGreaterThanOrEqual(i * 5 + 20);
      expect(Number.isInteger(t)).toBe(true);
    }
    // The jitter is there (not every packet at exactly delayMs)…
    expect(first.some(({ i, at: t }) => t > i * 5 + 20)).toBe(true);
    // …and exactly the same again with the same seed, different with another.
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('drops with the given probability, the same packets for the same seed', async () => {
    const run = async (seed: number) => {
      setup(seed);
      net.setConditions({ drop: 0.3 });
      const a = await bind(net.host('192.0.2.1'), 1);
      const b = await bind(net.host('192.0.2.2'), 2);
      for (let i = 0; i < 200; i++) a.send(String(i), at('192.0.2.2', 2));
      clock.advance(0);
      const got = b.received.map((r) => Number(r.text));
      expect(net.sent.filter((p) => p.dropped).every((p) => p.dropReason === 'loss')).toBe(true);
      for (const e of open) e.socket.close();
      open = [];
      return got;
    };
    const first = await run(42);
    expect(first.length).toBeGreaterThan(110);
    expect(first.length).toBeLessThan(170);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('duplicates: the copy arrives right after the original and is marked', async () => {
    setup();
    net.setConditions({ duplicate: 1, delayMs: 5 });
    const a = await bind(net.host('192.0.2.1'), 1);
    const b = await bind(net.host('192.0.2.2'), 2);
    a.send('once', at('192.0.2.2', 2));
    clock.advance(5);
    expect(b.received).toEqual([
      { text: 'once', from: at('192.0.2.1', 1), at: 5 },
      { text: 'once', from: at('192.0.2.1', 1), at: 5 },
    ]);
    expect(net.sent.map((p) => [p.id, p.duplicate, p.delivered])).toEqual([
      [1, false, true],
      [2, true, true],
    ]);
  });

  it('reorder: a held packet goes right after its successor, or alone after reorderHoldMs', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 1);
    const b = await bind(net.host('192.0.2.2'), 2);
    net.setConditions({ delayMs: 10, reorder: 1, reorderHoldMs: 40 });
    a.send('1', at('192.0.2.2', 2));
    clock.advance(2);
    a.send('2', at('192.0.2.2', 2));
    a.send('3', at('192.0.2.2', 2));
    clock.advance(100);
    // 1 is held and follows 2; 3 is held again and, with no successor, goes 40 ms late.
    expect(b.received.map((r) => `${r.text}@${r.at}`)).toEqual(['2@12', '1@12', '3@52']);
  });

  it('reorder probability is deterministic per seed', async () => {
    const run = async (seed: number) => {
      setup(seed);
      net.setConditions({ reorder: 0.2 });
      const a = await bind(net.host('192.0.2.1'), 1);
      const b = await bind(net.host('192.0.2.2'), 2);
      for (let i = 0; i < 40; i++) {
        a.send(String(i), at('192.0.2.2', 2));
        clock.advance(1);
      }
      clock.advance(100);
      const order = b.received.map((r) => Number(r.text));
      for (const e of open) e.socket.close();
      open = [];
      return order;
    };
    const first = await run(3);
    expect([...first].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(first).not.toEqual([...first].sort((x, y) => x - y));
    expect(await run(3)).toEqual(first);
  });

  it('dropNext drops exactly N packets (matching a predicate if given); dropWhere until disposed', async () => {
    setup();
    const a = await bind(net.host('192.0.2.1'), 1);
    const b = await bind(net.host('192.0.2.2'), 2);
    net.dropNext(2);
    for (const t of ['1', '2', '3']) a.send(t, at('192.0.2.2', 2));
    net.dropNext(1, (p) => Buffer.from(p.bytes).toString().startsWith('INVITE'));
    for (const t of ['OPTIONS', 'INVITE 1', 'INVITE 2']) a.send(t, at('192.0.2.2', 2));
    const rule = net.dropWhere((p) => p.to.port === 2 && p.from.port === 1);
    a.send('blocked', at('192.0.2.2', 2));
    b.send('other way', at('192.0.2.1', 1));
    rule.dispose();
    a.send('free', at('192.0.2.2', 2));
    clock.advance(0);
    expect(b.received.map((r) => r.text)).toEqual(['3', 'OPTIONS', 'INVITE 2', 'free']);
    expect(a.received.map((r) => r.text)).toEqual(['other way']);
    expect(net.sent.filter((p) => p.dropped).map((p) => p.dropReason)).toEqual([
      'rule',
      'rule',
      'rule',
      'rule',
    ]);
    expect(() => net.dropNext(0)).toThrow(RangeError);
  });

  it('the same seed gives the same packet log under every condition at once', async () => {
    const run = async () => {
      setup(99);
      net.setConditions({ drop: 0.1, delayMs: 15, jitterMs: 10, duplicate: 0.1, reorder: 0.1 });
      const a = await bind(net.host('192.0.2.1'), 1);
      const b = await bind(net.host('192.0.2.2'), 2);
      for (let i = 0; i < 100; i++) {
        a.send(`a${i}`, at('192.0.2.2', 2));
        b.send(`b${i}`, at('192.0.2.1', 1));
        clock.advance(3);
      }
      clock.advance(200);
      const log = net.sent.map((p) => ({ ...p, bytes: Buffer.from(p.bytes).toString() }));
      for (const e of open) e.socket.close();
      open = [];
      return log;
    };
    const first = await run();
    expect(first.some((p) => p.dropped)).toBe(true);
    expect(first.some((p) => p.duplicate)).toBe(true);
    expect(await run()).toEqual(first);
  });
});
