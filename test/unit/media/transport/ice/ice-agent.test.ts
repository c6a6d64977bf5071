import { describe, expect, it } from 'vitest';
import { IceMediaPath } from '../../../../../src-main/media/transport/index.ts';
import type {
  IceAgentOptions,
  IceStateChange,
  MediaRoute,
  ReceivedMediaPacket,
} from '../../../../../src-main/media/transport/index.ts';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import { StunMethod } from '../../../../../src-main/media/stun/index.ts';
import {
  TURN_ADDRESS,
  createIceLab,
  exchange,
  remoteOf,
  rtcpPacket,
  rtpPacket,
  stunOf,
} from './support/ice-lab.ts';
import type { IceLab, NatKind, Phone } from './support/ice-lab.ts';
import { LiteResponder, ScriptedPeer } from './support/scripted-peer.ts';

const STUN = [{ address: TURN_ADDRESS, port: 3478, family: 4 as const }];
const TURN_UDP = [
  {
    address: { address: TURN_ADDRESS, port: 3478, family: 4 as const },
    transport: 'udp' as const,
    username: 'alice',
    password: 'turn-secret',
  },
];

function bothConnected(a: Phone, b: Phone): () => boolean {
  return () => a.agent.state === 'connected' && b.agent.state === 'connected';
}

function collect(phone: Phone): string[] {
  const path = new IceMediaPath(phone.agent);
  phone.path = path;
  const out: string[] = [];
  path.onPacket((p: ReceivedMediaPacket) =>
    out.push(`${p.kind} ${p.data.readUInt16BE(2)} from ${formatAddress(p.from)}`),
  );
  return out;
}

describe('IceAgent between two public hosts', () => {
  it('gathers host candidates, checks, nominates and selects the host pair', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    const changes: string[] = [];
    a.agent.onStateChange((c: IceStateChange) => changes.push(`${c.from}→${c.to}`));
    await exchange(lab, a, b);
    expect(a.agent.localCandidates).toEqual([
      {
        foundation: expect.stringMatching(/^[0-9a-f]{8}$/),
        component: 1,
        transport: 'udp',
        priority: 2_130_706_431,
        address: { address: '203.0.113.10', port: 40_000, family: 4 },
        type: 'host',
      },
    ]);
    await lab.runUntil(bothConnected(a, b));
    // The checks cross at 0 ms; the USE-CANDIDATE check goes one Ta later.
    expect(lab.clock.monotonic()).toBe(50);
    expect(changes).toEqual([
      'new→gathering',
      'gathering→gathered',
      'gathered→checking',
      'checking→connected',
    ]);
    expect(a.agent.selectedPair(1)).toEqual({
      component: 1,
      local: { type: 'host', address: { address: '203.0.113.10', port: 40_000, family: 4 }, protocol: 'udp' },
      remote: {
        type: 'host',
        address: { address: '203.0.113.20', port: 50_000, family: 4 },
        protocol: 'udp',
      },
      relayed: false,
      rttMs: 0,
    });
    const snapshot = a.agent.snapshot();
    expect(snapshot).toMatchObject({
      state: 'connected',
      role: 'controlling',
      generation: 0,
      policy: 'all',
      path: 'direct',
      localCandidates: 1,
      remoteCandidates: 1,
      timings: { gatheringMs: 0, connectMs: 50 },
      remoteLite: false,
    });
    expect(snapshot.checks).toMatchObject({
      sent: 2,
      succeeded: 2,
      failed: 0,
      answered: 1,
      refused: 0,
      roleConflicts: 0,
    });
    expect(b.agent.snapshot().checks).toMatchObject({ answered: 2 });
    // Regular nomination: exactly one request of a carried USE-CANDIDATE.
    const nominations = lab.net.sent.filter(
      (p) => p.from.address === '203.0.113.10' && stunOf(p.bytes)?.attributes.useCandidate,
    );
    expect(nominations.map((p) => p.sentAt)).toEqual([50]);
    await lab.close();
  });

  it('carries media both ways on the selected pair', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    const atA = collect(a);
    const atB = collect(b);
    const routes: MediaRoute[] = [];
    a.path?.onRouteChange((r) => routes.push(r));
    a.path?.send('rtp', rtpPacket(1));
    expect(a.path?.stats.dropped.noRoute).toBe(1);
    await exchange(lab, a, b);
    await lab.runUntil(bothConnected(a, b));
    a.path?.send('rtp', rtpPacket(2));
    a.path?.send('rtcp', rtcpPacket());
    b.path?.send('rtp', rtpPacket(3));
    await lab.run(0);
    expect(atB).toEqual(['rtp 2 from 203.0.113.10:40000', 'rtcp 1 from 203.0.113.10:40000']);
    expect(atA).toEqual(['rtp 3 from 203.0.113.20:50000']);
    expect(a.path?.route).toEqual({
      local: { address: '203.0.113.10', port: 40_000, family: 4 },
      remote: { address: '203.0.113.20', port: 50_000, family: 4 },
      remoteRtcp: { address: '203.0.113.20', port: 50_000, family: 4 },
      kind: 'ice',
      relayed: false,
      selected: true,
      localType: 'host',
      remoteType: 'host',
      protocol: 'udp',
      relayTransport: undefined,
    });
    expect(routes.map((r) => formatAddress(r.remote))).toEqual(['203.0.113.20:50000']);
    expect(a.path?.stats).toEqual({
      accepted: { rtp: 1, rtcp: 0 },
      sent: { rtp: 1, rtcp: 1 },
      dropped: { foreignSource: 0, noRoute: 1, noConsent: 0, misdirected: 0, heldForeignSource: 0 },
    });
    await lab.close();
  });

  it('uses two components without rtcp-mux, RTCP on the odd port', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { rtcpMux: false });
    const b = await lab.phone('b', { rtcpMux: false });
    const atB = collect(b);
    collect(a);
    await exchange(lab, a, b);
    expect(a.agent.localCandidates.map((c) => `${c.component} ${c.address.port} ${c.priority}`)).toEqual([
      '1 40000 2130706431',
      '2 40001 2130706430',
    ]);
    await lab.runUntil(bothConnected(a, b));
    expect(a.agent.selectedPair(2)?.remote.address.port).toBe(50_001);
    expect(b.agent.selectedPair(2)?.remote.address.port).toBe(40_001);
    a.path?.send('rtp', rtpPacket(7));
    a.path?.send('rtcp', rtcpPacket());
    await lab.run(0);
    expect(atB).toEqual(['rtp 7 from 203.0.113.10:40000', 'rtcp 1 from 203.0.113.10:40001']);
    expect(a.path?.route.remoteRtcp).toEqual({ address: '203.0.113.20', port: 50_001, family: 4 });
    await lab.close();
  });

  it('refuses remote credentials that change without a restart, and restarts in the wrong state', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    expect(() => a.agent.restart()).toThrow(/restart in state new/);
    a.agent.setRemote({ ufrag: 'abcd', pwd: 'p'.repeat(22), lite: false, candidates: [] });
    expect(() =>
      a.agent.setRemote({ ufrag: 'efgh', pwd: 'p'.repeat(22), lite: false, candidates: [] }),
    ).toThrow(/restart\(\) before setRemote/);
    await lab.settle(a.agent.gather());
    // The remote description was known: checks start when gathering ends — and with no pair at all,
    // checking ends at once.
    expect(a.agent.state).toBe('failed');
    expect(a.agent.snapshot().failure).toEqual({ kind: 'no-pairs' });
    expect(a.agent.pendingTimers).toBe(0);
    await lab.close();
  });
});

async function natScenario(
  na: NatKind | undefined,
  nb: NatKind | undefined,
  extra: { a?: Partial<IceAgentOptions>; b?: Partial<IceAgentOptions> } = {},
): Promise<{ lab: IceLab; a: Phone; b: Phone }> {
  const lab = await createIceLab({ a: na ? { nat: na } : {}, b: nb ? { nat: nb } : {} });
  const a = await lab.phone('a', { stunServers: STUN, turnServers: TURN_UDP, ...extra.a });
  const b = await lab.phone('b', { stunServers: STUN, turnServers: TURN_UDP, ...extra.b });
  await exchange(lab, a, b);
  await lab.runUntil(
    () => a.agent.state !== 'checking' && b.agent.state !== 'checking' && a.agent.state !== 'gathered',
  );
  return { lab, a, b };
}

function route(phone: Phone): string {
  const pair = phone.agent.selectedPair(1);
  return pair
    ? `${pair.local.type} ${formatAddress(pair.local.address)} → ${pair.remote.type} ${formatAddress(pair.remote.address)}`
    : 'none';
}

describe('IceAgent through NATs (in-memory NAT models)', () => {
  it('gathers host, server-reflexive and relayed candidates behind a NAT', async () => {
    const lab = await createIceLab({ a: { nat: 'cone' } });
    const a = await lab.phone('a', { stunServers: STUN, turnServers: TURN_UDP });
    const candidates = await lab.settle(a.agent.gather());
    expect(
      candidates.map(
        (c) =>
          `${c.type} ${formatAddress(c.address)} ${c.priority}${c.related ? ` raddr ${formatAddress(c.related)}` : ''}`,
      ),
    ).toEqual([
      'host 10.0.1.2:40000 2130706431',
      'srflx 198.51.100.1:40000 1694498815 raddr 10.0.1.2:40000',
      'relay 203.0.113.5:49152 16777215 raddr 198.51.100.1:40000',
    ]);
    expect(a.agent.snapshot().servers.map((s) => `${s.kind} ${s.transport} ${s.outcome}`)).toEqual([
      'stun udp ok',
      'turn udp ok',
    ]);
    // The TURN allocation's mapped address equals the STUN one: not a second srflx (§5.1.3).
    expect(candidates.filter((c) => c.type === 'srflx')).toHaveLength(1);
    // Gathering paced at Ta: the Binding request at 0, the Allocate at 50 ms; done when both answered.
    expect(a.agent.snapshot().timings.gatheringMs).toBe(50);
    await lab.close();
  });

  it('both behind endpoint-independent ("cone") NATs: server-reflexive pair', async () => {
    const { lab, a, b } = await natScenario('cone', 'cone');
    expect(route(a)).toBe('srflx 198.51.100.1:40000 → srflx 198.51.100.2:50000');
    expect(route(b)).toBe('srflx 198.51.100.2:50000 → srflx 198.51.100.1:40000');
    expect(a.agent.snapshot().path).toBe('direct');
    // The host pairs towards private addresses never answer: nomination waits nominationDelayMs (1 s)
    // after the first valid pair.
    expect(a.agent.snapshot().timings.connectMs).toBe(1050);
    await lab.close();
  });

  it('both behind port-restricted NATs: hole punching gives the server-reflexive pair', async () => {
    const { lab, a, b } = await natScenario('port-restricted', 'port-restricted');
    expect(route(a)).toBe('srflx 198.51.100.1:40000 → srflx 198.51.100.2:50000');
    expect(route(b)).toBe('srflx 198.51.100.2:50000 → srflx 198.51.100.1:40000');
    await lab.close();
  });

  it('symmetric ↔ port-restricted: relayed, with a peer-reflexive candidate learned on the way', async () => {
    const { lab, a, b } = await natScenario('symmetric', 'port-restricted');
    expect(a.agent.state).toBe('connected');
    expect(b.agent.state).toBe('connected');
    expect(a.agent.snapshot().path).toBe('relayed');
    expect(b.agent.snapshot().path).toBe('relayed');
    expect(b.agent.selectedPair(1)?.local.type).toBe('relay');
    // The symmetric NAT gave a's checks a new mapping: b learned it as a peer-reflexive candidate (§7.3.1.3).
    expect(
      b.agent.remoteCandidates.some((c) => c.type === 'prflx' && c.address.address === '198.51.100.1'),
    ).toBe(true);
    const atA = collect(a);
    const atB = collect(b);
    const before = lab.turn.relayedToPeers + lab.turn.relayedToClients;
    a.path?.send('rtp', rtpPacket(11));
    b.path?.send('rtp', rtpPacket(12));
    await lab.run(0);
    expect(atB).toEqual([expect.stringMatching(/^rtp 11 from 198\.51\.100\.1:\d+$/)]);
    expect(atA).toEqual(['rtp 12 from 203.0.113.5:49153']);
    expect(lab.turn.relayedToPeers + lab.turn.relayedToClients - before).toBe(2);
    await lab.close();
  });

  it('symmetric with the relay-only policy: only relayed candidates, media through our own relay', async () => {
    const { lab, a, b } = await natScenario('symmetric', 'port-restricted', { a: { policy: 'relay-only' } });
    expect(a.agent.localCandidates.map((c) => c.type)).toEqual(['relay']);
    expect(a.agent.selectedPair(1)?.local).toMatchObject({
      type: 'relay',
      relayTransport: 'udp',
      relayServer: { address: TURN_ADDRESS, port: 3478, family: 4 },
    });
    expect(a.agent.snapshot().path).toBe('relayed');
    expect(b.agent.state).toBe('connected');
    // The relay carries the selected peer on a channel (RFC 5766 §11).
    expect(lab.turn.requests(StunMethod.channelBind).length).toBeGreaterThanOrEqual(1);
    const atB = collect(b);
    collect(a);
    a.path?.send('rtp', rtpPacket(21));
    await lab.run(0);
    expect(atB).toEqual(['rtp 21 from 203.0.113.5:49152']);
    await lab.close();
  });

  it('symmetric ↔ symmetric: relayed', async () => {
    const { lab, a, b } = await natScenario('symmetric', 'symmetric');
    expect(a.agent.state).toBe('connected');
    expect(b.agent.state).toBe('connected');
    expect(a.agent.snapshot().path).toBe('relayed');
    expect(b.agent.snapshot().path).toBe('relayed');
    await lab.close();
  });

  it('over TURN/TCP and TURN/TLS with the relay-only policy', async () => {
    for (const transport of ['tcp', 'tls'] as const) {
      const server = {
        address: { address: TURN_ADDRESS, port: transport === 'tcp' ? 3478 : 5349, family: 4 as const },
        transport,
        username: 'alice',
        password: 'turn-secret',
        ...(transport === 'tls' ? { tls: { servername: 'turn.lab.test' } } : {}),
      };
      const { lab, a, b } = await natScenario('symmetric', 'port-restricted', {
        a: { policy: 'relay-only', turnServers: [server] },
      });
      expect(a.agent.selectedPair(1)?.local).toMatchObject({ type: 'relay', relayTransport: transport });
      const atB = collect(b);
      const atA = collect(a);
      a.path?.send('rtp', rtpPacket(31));
      b.path?.send('rtp', rtpPacket(32));
      await lab.run(10);
      expect(atB).toHaveLength(1);
      expect(atA).toEqual([expect.stringMatching(/^rtp 32 from 198\.51\.100\.2:/)]);
      expect(a.path?.route).toMatchObject({ relayed: true, localType: 'relay', relayTransport: transport });
      await lab.close();
    }
  });
});

describe('IceAgent roles and nomination', () => {
  it('repairs a role conflict when both think they are controlling (487 and tie-breakers, §7.3.1.1)', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { role: 'controlling', tieBreaker: 2n });
    const b = await lab.phone('b', { role: 'controlling', tieBreaker: 1n });
    await exchange(lab, a, b);
    await lab.runUntil(bothConnected(a, b));
    expect(a.agent.role).toBe('controlling');
    expect(b.agent.role).toBe('controlled');
    expect(
      a.agent.snapshot().checks.roleConflicts + b.agent.snapshot().checks.roleConflicts,
    ).toBeGreaterThanOrEqual(1);
    // a answered b's ICE-CONTROLLING with 487 (its tie-breaker is larger).
    const conflicts = lab.net.sent.filter(
      (p) => p.from.address === '203.0.113.10' && stunOf(p.bytes)?.attributes.errorCode?.code === 487,
    );
    expect(conflicts).toHaveLength(1);
    expect(route(a)).toBe('host 203.0.113.10:40000 → host 203.0.113.20:50000');
    await lab.close();
  });

  it('repairs a role conflict when both think they are controlled', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { role: 'controlled', tieBreaker: 2n });
    const b = await lab.phone('b', { role: 'controlled', tieBreaker: 1n });
    await exchange(lab, a, b);
    await lab.runUntil(bothConnected(a, b));
    expect(a.agent.role).toBe('controlling');
    expect(b.agent.role).toBe('controlled');
    const conflicts = lab.net.sent.filter(
      (p) => p.from.address === '203.0.113.20' && stunOf(p.bytes)?.attributes.errorCode?.code === 487,
    );
    expect(conflicts).toHaveLength(1);
    await lab.close();
  });

  it('accepts aggressive nomination from an RFC 5245 peer', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { nomination: 'aggressive' });
    const b = await lab.phone('b', {});
    await exchange(lab, a, b);
    await lab.runUntil(bothConnected(a, b));
    // Every check of a carries USE-CANDIDATE: both sides are done with the first exchange.
    expect(lab.clock.monotonic()).toBe(0);
    const fromA = lab.net.sent.filter(
      (p) => p.from.address === '203.0.113.10' && stunOf(p.bytes)?.messageClass === 'request',
    );
    expect(fromA.every((p) => stunOf(p.bytes)?.attributes.useCandidate === true)).toBe(true);
    expect(route(b)).toBe('host 203.0.113.20:50000 → host 203.0.113.10:40000');
    await lab.close();
  });

  it('takes the controlling role against an ICE-lite peer and nominates on its host candidate', async () => {
    const lab = await createIceLab();
    const lite = await LiteResponder.start(lab.b, 50_000, () => lab.clock.monotonic());
    const a = await lab.phone('a', { role: 'controlled', random: () => 0.5 });
    const candidates = await lab.settle(a.agent.gather());
    expect(candidates).toHaveLength(1);
    a.agent.setRemote({
      ufrag: lite.ufrag,
      pwd: lite.pwd,
      lite: true,
      candidates: [
        {
          foundation: 'L1',
          component: 1,
          transport: 'udp',
          priority: 2_130_706_431,
          address: lite.address,
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    expect(a.agent.role).toBe('controlling');
    await lab.runUntil(() => a.agent.state === 'connected');
    expect(lab.clock.monotonic()).toBe(50);
    expect(
      lite.requests.map((r) => [
        r.at,
        r.message.attributes.useCandidate === true,
        r.message.attributes.iceControlling !== undefined,
      ]),
    ).toEqual([
      [0, false, true],
      [50, true, true],
    ]);
    expect(a.agent.snapshot().remoteLite).toBe(true);
    // Consent keeps the lite peer's pair: one request every 5 s (random fixed at the middle).
    await lab.run(61_000);
    expect(a.agent.state).toBe('connected');
    expect(lite.requests.slice(2).map((r) => r.at)).toEqual([
      5050, 10_050, 15_050, 20_050, 25_050, 30_050, 35_050, 40_050, 45_050, 50_050, 55_050, 60_050,
    ]);
    lite.close();
    await lab.close();
  });
});

describe('IceAgent races', () => {
  it('a late answer to a check cancelled by a triggered check does not swallow the nomination', async () => {
    const lab = await createIceLab();
    // The peer answers the first check only after 60 ms, and checks us at once: our first transaction is
    // cancelled (§7.3.1.4), the triggered check at 50 ms is answered at once, the cancelled one at 60 ms.
    const peer = await ScriptedPeer.start(lab.b, 50_000, lab.clock, 60);
    const a = await lab.phone('a', {});
    await lab.settle(a.agent.gather());
    peer.peerOf(a.agent.credentials);
    a.agent.setRemote({
      ufrag: peer.ufrag,
      pwd: peer.pwd,
      lite: false,
      candidates: [
        {
          foundation: 'P',
          component: 1,
          transport: 'udp',
          priority: 2_130_706_431,
          address: peer.address,
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    await lab.runUntil(() => a.agent.state === 'connected', 5000);
    expect(peer.requests).toEqual([
      { at: 0, useCandidate: false },
      { at: 50, useCandidate: false },
      { at: 100, useCandidate: true },
    ]);
    expect(lab.clock.monotonic()).toBe(100);
    peer.close();
    await lab.close();
  });
});

describe('IceAgent restart (RFC 8445 §9)', () => {
  it('keeps media on the old pair until the new checks select one', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    const atB = collect(b);
    collect(a);
    await exchange(lab, a, b);
    await lab.runUntil(bothConnected(a, b));
    const old = a.agent.credentials;
    const routes: string[] = [];
    a.path?.onRouteChange((r) => routes.push(formatAddress(r.remote)));

    const fresh = a.agent.restart();
    expect(fresh.ufrag).not.toBe(old.ufrag);
    expect(fresh.pwd).not.toBe(old.pwd);
    expect(a.agent.state).toBe('gathered');
    expect(a.agent.generation).toBe(1);
    // The peer sees new credentials in the re-offer and restarts too (its answer has new ones).
    b.agent.restart();
    a.path?.send('rtp', rtpPacket(41));
    await lab.run(0);
    expect(atB).toEqual(['rtp 41 from 203.0.113.10:40000']);

    b.agent.setRemote(remoteOf(a.agent, a.agent.localCandidates));
    a.agent.setRemote(remoteOf(b.agent, b.agent.localCandidates));
    expect(a.agent.state).toBe('checking');
    a.path?.send('rtp', rtpPacket(42));
    await lab.runUntil(bothConnected(a, b));
    a.path?.send('rtp', rtpPacket(43));
    await lab.run(0);
    expect(atB).toEqual([
      'rtp 41 from 203.0.113.10:40000',
      'rtp 42 from 203.0.113.10:40000',
      'rtp 43 from 203.0.113.10:40000',
    ]);
    expect(routes).toEqual(['203.0.113.20:50000']);
    expect(a.agent.snapshot()).toMatchObject({ generation: 1, state: 'connected' });
    // The new checks used the new credentials.
    const lastCheck = lab.net.sent
      .filter((p) => p.from.address === '203.0.113.10' && stunOf(p.bytes)?.messageClass === 'request')
      .at(-1);
    expect(stunOf(lastCheck?.bytes ?? new Uint8Array())?.attributes.username).toBe(
      `${b.agent.credentials.ufrag}:${fresh.ufrag}`,
    );
    await lab.close();
  });
});
