import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNatLab,
  listNetns,
  measureUdpLoss,
  referenceNatDiscovery,
  referenceStunClient,
  referenceTurnAllocation,
  startCoturn,
  type CoturnServer,
  type NatLab,
} from '../support/index.ts';

let lab: NatLab;
let turn: CoturnServer;
let server: { address: string; port: number };

beforeAll(async () => {
  lab = await createNatLab({
    nats: [
      { name: 'cone', kind: 'port-restricted' },
      { name: 'sym', kind: 'symmetric' },
    ],
    publicHosts: ['open'],
  });
  turn = await startCoturn({
    users: [{ user: 'alice', password: 'turn-secret' }],
    address: lab.serverAddresses[0] ?? '',
    altAddress: lab.serverAddresses[1] ?? '',
    netns: lab.publicNs,
  });
  server = { address: turn.address, port: turn.port };
});

afterAll(async () => {
  await turn?.dispose();
  await lab?.destroy();
});

describe('NAT lab in network namespaces', () => {
  it('builds the topology: homes behind routers, servers on two public addresses', async () => {
    expect(lab.serverAddresses).toEqual(['203.0.113.1', '203.0.113.2']);
    const cone = lab.nat('cone');
    expect(cone).toMatchObject({
      kind: 'port-restricted',
      publicAddress: '203.0.113.11',
      homeAddress: '10.1.0.2',
      gateway: '10.1.0.1',
    });
    expect(lab.nat('sym')).toMatchObject({
      kind: 'symmetric',
      publicAddress: '203.0.113.12',
      homeAddress: '10.2.0.2',
    });
    expect(lab.hosts.open?.address).toBe('203.0.113.101');
    const route = await lab.exec(cone.homeNs, 'ip', ['route', 'get', '203.0.113.1']);
    expect(route.stdout).toMatch(/via 10\.1\.0\.1 dev eth0/);
    const present = listNetns();
    for (const ns of lab.namespaces) expect(present).toContain(ns);
  });

  it('stun (RFC 3489): port-restricted cone, symmetric, and open', async () => {
    const [cone, sym, open] = await Promise.all([
      referenceStunClient(lab, lab.nat('cone').homeNs, server),
      referenceStunClient(lab, lab.nat('sym').homeNs, server),
      referenceStunClient(lab, lab.hosts.open?.ns, server),
    ]);
    console.log(
      `stun cone: "${cone.summary}" (${cone.durationMs} ms) | sym: "${sym.summary}" (${sym.durationMs} ms) | open: "${open.summary}"`,
    );
    expect(cone.verdict).toBe('port-dependent-filter');
    expect(cone.natType).toBe('port-restricted-cone');
    expect(cone.summary).toMatch(/^Independent Mapping, Port Dependent Filter, /);
    for (const mapped of cone.mappedAddresses) expect(mapped.startsWith('203.0.113.11:')).toBe(true);
    expect(sym.verdict).toBe('dependent-mapping');
    expect(sym.natType).toBe('symmetric');
    expect(sym.summary).toMatch(/^Dependent Mapping, random port/);
    expect(open.verdict).toBe('open');
  });

  it('turnutils_natdiscovery (RFC 5780): endpoint-independent vs address-and-port-dependent mapping', async () => {
    const [cone, sym] = await Promise.all([
      referenceNatDiscovery(lab, lab.nat('cone').homeNs, server),
      referenceNatDiscovery(lab, lab.nat('sym').homeNs, server),
    ]);
    console.log(`natdiscovery cone: "${cone.mappingLine}" / "${cone.filteringLine}" (${cone.durationMs} ms)`);
    console.log(`natdiscovery sym: "${sym.mappingLine}" / "${sym.filteringLine}" (${sym.durationMs} ms)`);
    expect(cone.mappingLine).toBe('NAT with Endpoint Independent Mapping!');
    expect(cone.mapping).toBe('endpoint-independent');
    expect(cone.filtering).toBe('address-and-port-dependent');
    expect(sym.mappingLine).toBe('NAT with Address and Port Dependent Mapping!');
    expect(sym.mapping).toBe('address-and-port-dependent');
    expect(sym.filtering).toBe('address-and-port-dependent');
    expect(new Set(sym.reflexiveAddresses).size).toBeGreaterThan(1);
  });

  it('a TURN allocation works from behind the symmetric NAT', async () => {
    const result = await referenceTurnAllocation(lab, lab.nat('sym').homeNs, server, {
      user: 'alice',
      password: 'turn-secret',
    });
    expect(result.ok, result.output).toBe(true);
    expect(result.relayAddresses.every((a) => a.startsWith('203.0.113.1:'))).toBe(true);
  });

  it('routers silently drop unsolicited inbound packets', async () => {
    const cone = lab.nat('cone');
    const result = await measureUdpLoss(lab, {
      fromNs: lab.hosts.open?.ns ?? '',
      toNs: cone.routerNs,
      toAddress: cone.publicAddress,
      count: 200,
    });
    expect(result.received).toBe(0);
  });

  it('iptables statistic loss at 20 % drops about a fifth of the packets, and is removable', async () => {
    const cone = lab.nat('cone');
    const target = {
      fromNs: cone.homeNs,
      toNs: lab.publicNs,
      toAddress: lab.serverAddresses[0] ?? '',
      count: 2000,
    };
    const before = await measureUdpLoss(lab, target);
    expect(before.lossRatio).toBeLessThan(0.01);
    const rule = await lab.loss(cone.routerNs, 'wan', 0.2, 'out');
    const during = await measureUdpLoss(lab, target);
    await rule.remove();
    const after = await measureUdpLoss(lab, target);
    console.log(
      `udp loss before ${before.lossRatio}, with 20 % rule ${during.lossRatio}, after removal ${after.lossRatio}`,
    );
    // 2000 Bernoulli(0.2) trials: σ ≈ 0.009, so 0.15–0.25 is > 5σ either side
    expect(during.lossRatio).toBeGreaterThan(0.15);
    expect(during.lossRatio).toBeLessThan(0.25);
    expect(after.lossRatio).toBeLessThan(0.01);
  });

  it('destroy removes every namespace of the lab', async () => {
    const names = [...lab.namespaces];
    await turn.dispose();
    await lab.destroy();
    const present = listNetns();
    for (const ns of names) expect(present).not.toContain(ns);
  });
});
