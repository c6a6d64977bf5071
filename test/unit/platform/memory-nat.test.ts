import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type { AddNatOptions, NatBehavior } from '../../../src-main/platform/index.ts';
import { at, endpoint, expectNoLeaks, settle } from './memory-helpers.ts';
import type { Endpoint } from './memory-helpers.ts';

const PUBLIC = '198.51.100.1';
const S1 = '203.0.113.1';
const S2 = '203.0.113.2';

let clock: FakeClock;
let net: MemoryNetwork;
let open: Endpoint[] = [];

async function bind(
  ...args: Parameters<typeof endpoint> extends [unknown, ...infer R] ? R : never
): Promise<Endpoint> {
  const e = await endpoint(clock, ...args);
  open.push(e);
  return e;
}

/** One inside host A (10.0.0.2:5000) behind a NAT, two servers with two ports each. */
async function world(nat: Partial<AddNatOptions> = {}, seed = 1) {
  clock = new FakeClock();
  net = new MemoryNetwork(clock, { seed });
  open = [];
  const hostA = net.host('10.0.0.2');
  const router = net.addNat({ publicAddress: PUBLIC, inside: ['10.0.0.2'], ...nat });
  const a = await bind(hostA, 5000);
  const s1 = await bind(net.host(S1), 3478);
  const s1b = await bind(net.hosts[1]!, 3479);
  const s2 = await bind(net.host(S2), 3478);
  return { router, hostA, a, s1, s1b, s2 };
}

afterEach(async () => {
  for (const e of open) e.socket.close();
  clock.runAll();
  await settle();
  expectNoLeaks(net, clock);
});

const behaviors: NatBehavior[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];

describe('MemoryNat mapping behaviour (RFC 4787 §4.1)', () => {
  it.each(behaviors)('%s mapping', async (mapping) => {
    const { a, s1, s1b, s2 } = await world({ mapping, portPreservation: false });
    a.send('1', at(S1, 3478));
    a.send('2', at(S1, 3479));
    a.send('3', at(S2, 3478));
    a.send('1 again', at(S1, 3478));
    clock.advance(0);
    const port = (e: Endpoint, i = 0) => e.received[i]!.from.port;
    expect([s1, s1b, s2].every((e) => e.received[0]!.from.address === PUBLIC)).toBe(true);
    const [p1, p2, p3] = [port(s1), port(s1b), port(s2)];
    // The same destination always reuses its mapping.
    expect(port(s1, 1)).toBe(p1);
    switch (mapping) {
      case 'endpoint-independent':
        expect([p1, p2, p3]).toEqual([20000, 20000, 20000]);
        break;
      case 'address-dependent':
        expect([p1, p2, p3]).toEqual([20000, 20000, 20001]);
        break;
      case 'address-and-port-dependent':
        expect([p1, p2, p3]).toEqual([20000, 20001, 20002]);
        break;
    }
  });
});

describe('MemoryNat filtering behaviour (RFC 4787 §5), for every mapping behaviour', () => {
  const combos = behaviors.flatMap((mapping) => behaviors.map((filtering) => ({ mapping, filtering })));
  it.each(combos)('$mapping mapping × $filtering filtering', async ({ mapping, filtering }) => {
    const { router, a, s1, s1b, s2 } = await world({ mapping, filtering });
    a.send('open', at(S1, 3478));
    clock.advance(0);
    const external = s1.received[0]!.from;
    expect(external).toEqual(at(PUBLIC, 5000));
    s1.send('same endpoint', external);
    s1b.send('same address, other port', external);
    s2.send('other address', external);
    clock.advance(0);
    const got = a.received.map((r) => r.text);
    const expected: Record<NatBehavior, string[]> = {
      'endpoint-independent': ['same endpoint', 'same address, other port', 'other address'],
      'address-dependent': ['same endpoint', 'same address, other port'],
      'address-and-port-dependent': ['same endpoint'],
    };
    expect(got).toEqual(expected[filtering]);
    // Whatever passes arrives from the real source, translated to A's own address.
    expect(a.received[0]).toEqual({ text: 'same endpoint', from: at(S1, 3478), at: 0 });
    expect(net.sent.filter((p) => p.dropped).map((p) => p.dropReason)).toEqual(
      new Array(3 - got.length).fill('nat-filtered'),
    );
    expect(net.sent.find((p) => p.delivered && p.deliveredTo?.address === '10.0.0.2')?.deliveredTo).toEqual(
      at('10.0.0.2', 5000),
    );
    expect(router.mappings()).toHaveLength(1);
  });

  it('drops inbound traffic to a port with no mapping', async () => {
    const { s1 } = await world();
    s1.send('unsolicited', at(PUBLIC, 5000));
    clock.advance(0);
    expect(net.sent[0]!.dropReason).toBe('nat-no-mapping');
  });
});

describe('MemoryNat port assignment', () => {
  it('preserves the internal port when it is free', async () => {
    const { router, a, s1 } = await world({ firstPort: 40000 });
    const a2 = await bind(net.hosts[0]!, 7000);
    a.send('a', at(S1, 3478));
    a2.send('a2', at(S1, 3478));
    clock.advance(0);
    expect(router.portPreservation).toBe(true);
    expect(s1.received.map((r) => r.from)).toEqual([at(PUBLIC, 5000), at(PUBLIC, 7000)]);
  });

  it('two inside hosts with the same port: the second gets firstPort', async () => {
    const { router, a, s1 } = await world({ firstPort: 40000 });
    const hostB = net.host('10.0.0.3', { nat: router });
    const b = await bind(hostB, 5000);
    a.send('a', at(S1, 3478));
    b.send('b', at(S1, 3478));
    clock.advance(0);
    expect(s1.received.map((r) => r.from)).toEqual([at(PUBLIC, 5000), at(PUBLIC, 40000)]);
    expect(router.mappings().map((m) => [m.internal.address, m.external.port])).toEqual([
      ['10.0.0.2', 5000],
      ['10.0.0.3', 40000],
    ]);
  });

  it('random allocation is seeded: same ports for the same seed', async () => {
    const ports = async (seed: number) => {
      const { a, s1, s1b, s2 } = await world(
        { mapping: 'address-and-port-dependent', portAllocation: 'random', portPreservation: false },
        seed,
      );
      a.send('1', at(S1, 3478));
      a.send('2', at(S1, 3479));
      a.send('3', at(S2, 3478));
      clock.advance(0);
      const result = [s1, s1b, s2].map((e) => e.received[0]!.from.port);
      for (const e of open) e.socket.close();
      open = [];
      return result;
    };
    const first = await ports(5);
    expect(new Set(first).size).toBe(3);
    for (const p of first) expect(p).toBeGreaterThanOrEqual(20000);
    expect(await ports(5)).toEqual(first);
    expect(await ports(6)).not.toEqual(first);
  });
});

describe('MemoryNat binding lifetime (RFC 4787 §4.3)', () => {
  it('expires an idle mapping after bindingLifetimeMs; outbound traffic refreshes it', async () => {
    const { router, a, s1 } = await world({ bindingLifetimeMs: 30_000, filtering: 'endpoint-independent' });
    a.send('open', at(S1, 3478));
    clock.advance(0);
    expect(router.mappings()[0]!.expiresAt).toBe(30_000);
    clock.advance(29_999);
    s1.send('in time', at(PUBLIC, 5000));
    clock.advance(0);
    expect(a.received.map((r) => r.text)).toEqual(['in time']);
    // Inbound traffic does not refresh by default.
    clock.advance(1);
    s1.send('too late', at(PUBLIC, 5000));
    clock.advance(0);
    expect(a.received).toHaveLength(1);
    expect(net.sent.at(-1)!.dropReason).toBe('nat-no-mapping');
    expect(router.mappings()).toEqual([]);
    // A keepalive every 20 s keeps it alive indefinitely.
    a.send('open again', at(S1, 3478));
    for (let i = 0; i < 5; i++) {
      clock.advance(20_000);
      a.send('keepalive', at(S1, 3478));
    }
    clock.advance(29_000);
    s1.send('still mapped', at(PUBLIC, 5000));
    clock.advance(0);
    expect(a.received.at(-1)!.text).toBe('still mapped');
  });

  it('inboundRefresh lets inbound traffic refresh the mapping', async () => {
    const { a, s1 } = await world({ bindingLifetimeMs: 10_000, inboundRefresh: true });
    a.send('open', at(S1, 3478));
    for (let i = 0; i < 3; i++) {
      clock.advance(9_000);
      s1.send(`in ${i}`, at(PUBLIC, 5000));
    }
    clock.advance(0);
    expect(a.received.map((r) => r.text)).toEqual(['in 0', 'in 1', 'in 2']);
  });

  it('after expiry a new mapping keeps the port with preservation, moves without', async () => {
    for (const portPreservation of [true, false]) {
      const { a, s1 } = await world({ bindingLifetimeMs: 1_000, portPreservation });
      a.send('1', at(S1, 3478));
      clock.advance(1_000);
      a.send('2', at(S1, 3478));
      clock.advance(0);
      expect(s1.received.map((r) => r.from.port)).toEqual(portPreservation ? [5000, 5000] : [20000, 20001]);
      for (const e of open) e.socket.close();
      open = [];
    }
  });
});

describe('MemoryNat hairpinning (RFC 4787 §6)', () => {
  for (const hairpinning of [true, false]) {
    it(`hairpinning ${hairpinning ? 'on' : 'off'}`, async () => {
      const { router, a, s1 } = await world({ hairpinning, filtering: 'endpoint-independent' });
      const b = await bind(net.host('10.0.0.3', { nat: router }), 6000);
      a.send('srflx A', at(S1, 3478));
      b.send('srflx B', at(S1, 3478));
      clock.advance(0);
      const [externalA, externalB] = s1.received.map((r) => r.from);
      expect([externalA, externalB]).toEqual([at(PUBLIC, 5000), at(PUBLIC, 6000)]);
      a.send('via the public address', externalB!);
      clock.advance(0);
      if (hairpinning) {
        // The hairpinned packet carries A's external address as its source.
        expect(b.received).toEqual([{ text: 'via the public address', from: externalA, at: 0 }]);
      } else {
        expect(b.received).toEqual([]);
        expect(net.sent.at(-1)!.dropReason).toBe('hairpin-disabled');
      }
      // Private addresses work directly inside the same NAT either way.
      a.send('direct', at('10.0.0.3', 6000));
      clock.advance(0);
      expect(b.received.at(-1)).toEqual({ text: 'direct', from: at('10.0.0.2', 5000), at: 0 });
    });
  }

  it('hairpinned packets are filtered like any other inbound packet', async () => {
    const { router, a, s1 } = await world({ hairpinning: true, filtering: 'address-and-port-dependent' });
    const b = await bind(net.host('10.0.0.3', { nat: router }), 6000);
    a.send('srflx A', at(S1, 3478));
    b.send('srflx B', at(S1, 3478));
    a.send('before B opened a hole', at(PUBLIC, 6000));
    clock.advance(0);
    expect(b.received).toEqual([]);
    expect(net.sent.at(-1)!.dropReason).toBe('nat-filtered');
    b.send('hole towards A', at(PUBLIC, 5000));
    a.send('after', at(PUBLIC, 6000));
    clock.advance(0);
    expect(b.received.map((r) => r.text)).toEqual(['after']);
    expect(a.received.map((r) => r.text)).toEqual(['hole towards A']);
    expect(s1.received).toHaveLength(2);
  });
});

describe('MemoryNat rebinding and reboots', () => {
  it('rebind() gives every flow a new external port, even with port preservation', async () => {
    const { router, a, s1 } = await world({ filtering: 'endpoint-independent' });
    a.send('before', at(S1, 3478));
    clock.advance(0);
    router.rebind();
    expect(router.mappings()).toEqual([]);
    s1.send('to the old port', at(PUBLIC, 5000));
    a.send('after', at(S1, 3478));
    clock.advance(0);
    expect(net.sent[1]!.dropReason).toBe('nat-no-mapping');
    expect(s1.received.map((r) => r.from)).toEqual([at(PUBLIC, 5000), at(PUBLIC, 20000)]);
    s1.send('to the new port', at(PUBLIC, 20000));
    clock.advance(0);
    expect(a.received.map((r) => r.text)).toEqual(['to the new port']);
  });

  it('flush() forgets every mapping; with port preservation the port may come back', async () => {
    for (const portPreservation of [true, false]) {
      const { router, a, s1 } = await world({ portPreservation });
      a.send('before', at(S1, 3478));
      clock.advance(0);
      router.flush();
      s1.send('lost', s1.received[0]!.from);
      clock.advance(0);
      a.send('after', at(S1, 3478));
      clock.advance(0);
      expect(net.sent[1]!.dropReason).toBe('nat-no-mapping');
      expect(s1.received.map((r) => r.from.port)).toEqual(portPreservation ? [5000, 5000] : [20000, 20001]);
      for (const e of open) e.socket.close();
      open = [];
    }
  });

  it('changePublicAddress() moves the NAT: new source address, the old one no longer routes', async () => {
    const { router, a, s1 } = await world();
    a.send('before', at(S1, 3478));
    clock.advance(0);
    router.changePublicAddress('198.51.100.77');
    expect(router.publicAddress).toBe('198.51.100.77');
    a.send('after', at(S1, 3478));
    s1.send('old address', at(PUBLIC, 5000));
    clock.advance(0);
    expect(s1.received.map((r) => r.from)).toEqual([at(PUBLIC, 5000), at('198.51.100.77', 5000)]);
    expect(net.sent.at(-1)!.dropReason).toBe('no-route');
    expect(() => router.changePublicAddress(S1)).toThrow(/in use/);
    expect(() => router.changePublicAddress('2001:db8::1')).toThrow(/family/);
  });
});

describe('MemoryNat topology', () => {
  it('private addresses may repeat behind different NATs and are not reachable from outside', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    const home1 = net.addNat({ publicAddress: '198.51.100.1', filtering: 'endpoint-independent' });
    const home2 = net.addNat({ publicAddress: '198.51.100.2', filtering: 'endpoint-independent' });
    const alice = await bind(net.host('192.168.1.2', { nat: home1 }), 5000);
    const bob = await bind(net.host('192.168.1.2', { nat: home2 }), 5000);
    const server = await bind(net.host(S1), 3478);
    alice.send('alice', at(S1, 3478));
    bob.send('bob', at(S1, 3478));
    server.send('to a private address', at('192.168.1.2', 5000));
    // Alice's "host candidate" is not Bob: it leaves through home1 and finds nothing.
    alice.send('host candidate', at('192.168.1.2', 5001));
    clock.advance(0);
    expect(server.received.map((r) => `${r.text} from ${r.from.address}:${r.from.port}`)).toEqual([
      'alice from 198.51.100.1:5000',
      'bob from 198.51.100.2:5000',
    ]);
    expect(net.sent[2]!.dropReason).toBe('no-route');
    expect(net.sent[3]!.dropReason).toBe('port-unreachable');
    // Reaching each other through the public addresses works (endpoint-independent filtering).
    alice.send('hi bob', at('198.51.100.2', 5000));
    clock.advance(0);
    expect(bob.received).toEqual([{ text: 'hi bob', from: at('198.51.100.1', 5000), at: 0 }]);
    expect(() => net.host('192.168.1.2', { nat: home1 })).toThrow(/already in use/);
  });

  it('nests NATs (carrier-grade NAT): the server sees the outer address, replies come back in', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    const cgn = net.addNat({ publicAddress: '203.0.113.100', firstPort: 30000, portPreservation: false });
    const home = net.addNat({
      publicAddress: '100.64.0.7',
      behind: cgn,
      firstPort: 40000,
      portPreservation: false,
    });
    const phone = await bind(net.host('192.168.1.2', { nat: home }), 5060);
    const server = await bind(net.host(S1), 5060);
    phone.send('REGISTER', at(S1, 5060));
    clock.advance(0);
    expect(server.received[0]!.from).toEqual(at('203.0.113.100', 30000));
    expect(net.sent[0]!.translatedFrom).toEqual(at('203.0.113.100', 30000));
    expect(home.mappings()[0]!.external).toEqual(at('100.64.0.7', 40000));
    server.send('200 OK', server.received[0]!.from);
    clock.advance(0);
    expect(phone.received).toEqual([{ text: '200 OK', from: at(S1, 5060), at: 0 }]);
    expect(net.sent[1]!.deliveredTo).toEqual(at('192.168.1.2', 5060));
  });

  it('a NAT handles its own family only: IPv6 from a dual-stack home is not translated', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    const home = net.addNat({ publicAddress: PUBLIC });
    const laptop = net.host(['192.168.1.2', '2001:db8:1::2'], { nat: home });
    const server = net.host([S1, '2001:db8:2::1']);
    const v4 = await bind(laptop, 5060, '0.0.0.0', 4);
    const v6 = await bind(laptop, 5060, '::', 6);
    const s4 = await bind(server, 5060, '0.0.0.0', 4);
    const s6 = await bind(server, 5060, '::', 6);
    v4.send('v4', at(S1, 5060));
    v6.send('v6', at('2001:db8:2::1', 5060));
    s6.send('v6 back unsolicited', at('2001:db8:1::2', 5060));
    clock.advance(0);
    expect(s4.received[0]!.from).toEqual(at(PUBLIC, 5060));
    expect(s6.received[0]!.from).toEqual(at('2001:db8:1::2', 5060));
    expect(v6.received.map((r) => r.text)).toEqual(['v6 back unsolicited']);
    expect(home.mappings()).toHaveLength(1);
  });

  it('validates its setup', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    net.host(S1);
    expect(() => net.addNat({ publicAddress: S1 })).toThrow(/in use/);
    expect(() => net.addNat({ publicAddress: PUBLIC, inside: ['10.9.9.9'] })).toThrow(/no host or NAT/);
    const v4 = net.addNat({ publicAddress: '198.51.100.9' });
    expect(() => net.addNat({ publicAddress: '2001:db8::1', behind: v4 })).toThrow(/family/);
    expect(() => net.addNat({ publicAddress: '198.51.100.10', firstPort: 0 })).toThrow(RangeError);
    expect(() => net.addNat({ publicAddress: '198.51.100.11', bindingLifetimeMs: 0 })).toThrow(RangeError);
    const other = new MemoryNetwork(clock);
    expect(() => other.host('10.0.0.1', { nat: v4 })).toThrow(/another MemoryNetwork/);
  });

  it('moves a NAT inside another one by its public address', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    const inner = net.addNat({ publicAddress: '100.64.0.9' });
    const outer = net.addNat({ publicAddress: '203.0.113.200', inside: ['100.64.0.9'] });
    const host = await bind(net.host('192.168.0.2', { nat: inner }), 4000);
    const server = await bind(net.host(S1), 3478);
    host.send('x', at(S1, 3478));
    clock.advance(0);
    expect(server.received[0]!.from.address).toBe('203.0.113.200');
    expect(outer.mappings()[0]!.internal).toEqual(at('100.64.0.9', 4000));
  });
});

describe('MemoryNat inspection and link conditions through NAT', () => {
  it('mappings() shows internal, external, remote and permissions', async () => {
    const { router, a } = await world({
      mapping: 'address-and-port-dependent',
      filtering: 'address-dependent',
      bindingLifetimeMs: 60_000,
    });
    clock.advance(100);
    a.send('x', at(S1, 3478));
    expect(router.mappings()).toEqual([
      {
        protocol: 'udp',
        internal: at('10.0.0.2', 5000),
        external: at(PUBLIC, 5000),
        remote: { address: S1, port: 3478 },
        expiresAt: 60_100,
        permissions: [{ address: S1, port: 3478 }],
      },
    ]);
    expect(router.mappings('tcp')).toEqual([]);
    clock.advance(0);
  });

  it('conditions set for the inside host also apply to replies sent to its NAT address', async () => {
    const { a, s1, hostA } = await world({ filtering: 'endpoint-independent' });
    net.setLinkConditions(hostA, S1, { delayMs: 40 });
    a.send('out', at(S1, 3478));
    clock.advance(40);
    s1.send('back', s1.received[0]!.from);
    clock.advance(39);
    expect(a.received).toEqual([]);
    clock.advance(1);
    expect(a.received).toEqual([{ text: 'back', from: at(S1, 3478), at: 80 }]);
  });

  it('conditions can name a NAT as a link end', async () => {
    const { router, a, s1 } = await world();
    net.setLinkConditions(router, S1, { drop: 1 });
    a.send('lost', at(S1, 3478));
    clock.advance(0);
    expect(s1.received).toEqual([]);
    expect(net.sent[0]!.dropReason).toBe('loss');
  });

  it('inbound packets are filtered when they arrive, so simultaneous hole punching works', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    open = [];
    net.setConditions({ delayMs: 30 });
    const n1 = net.addNat({ publicAddress: '198.51.100.1' });
    const n2 = net.addNat({ publicAddress: '198.51.100.2' });
    const x = await bind(net.host('10.0.0.2', { nat: n1 }), 5000);
    const y = await bind(net.host('10.0.0.2', { nat: n2 }), 6000);
    x.send('punch from x', at('198.51.100.2', 6000));
    y.send('punch from y', at('198.51.100.1', 5000));
    clock.advance(30);
    expect(x.received.map((r) => r.text)).toEqual(['punch from y']);
    expect(y.received.map((r) => r.text)).toEqual(['punch from x']);
  });
});
