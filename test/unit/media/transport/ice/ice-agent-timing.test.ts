import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, formatAddress } from '../../../../../src-main/platform/index.ts';
import { IceAgent, IceMediaPath, MediaSocket } from '../../../../../src-main/media/transport/index.ts';
import type {
  IceAgentOptions,
  IceCandidate,
  IceComponent,
} from '../../../../../src-main/media/transport/index.ts';
import { StunMethod } from '../../../../../src-main/media/stun/index.ts';
import { TURN_ADDRESS, addr, createIceLab, exchange, rtpPacket, stunOf } from './support/ice-lab.ts';
import type { IceLab, Phone } from './support/ice-lab.ts';

/** Remote host candidates nobody answers from (no such hosts on the network). */
function unreachable(count: number): IceCandidate[] {
  return Array.from({ length: count }, (_, i) => ({
    foundation: `f${i}`,
    component: 1 as const,
    transport: 'udp' as const,
    priority: 2_000_000_000 - i * 1000,
    address: addr(`203.0.113.${30 + i}`, 6000),
    type: 'host' as const,
  }));
}

/** Send times of a's STUN requests, by destination, relative to `t0`. */
function requestTimes(
  lab: IceLab,
  from: string,
  t0: number,
  method: number = StunMethod.binding,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of lab.net.sent) {
    const message = stunOf(p.bytes);
    if (p.from.address !== from || message?.messageClass !== 'request' || message.method !== method) continue;
    (out[formatAddress(p.to)] ??= []).push(p.sentAt - t0);
  }
  return out;
}

async function checkingAlone(
  lab: IceLab,
  options: Partial<IceAgentOptions>,
  candidates: IceCandidate[],
  endOfCandidates = true,
): Promise<Phone> {
  const a = await lab.phone('a', options);
  await lab.settle(a.agent.gather());
  a.agent.setRemote({
    ufrag: 'peer',
    pwd: 'peerpasswordpeerpassword',
    lite: false,
    candidates,
    endOfCandidates,
  });
  return a;
}

describe('Ta pacing and check retransmissions (RFC 8445 §6.1.4.2, §14)', () => {
  it('starts one check every Ta and retransmits each at RTO = MAX(500, Ta·(waiting + in progress)), doubling', async () => {
    const lab = await createIceLab();
    const a = await checkingAlone(lab, { taMs: 200, checkingTimeoutMs: 100_000 }, unreachable(5));
    await lab.runUntil(() => a.agent.state === 'failed');
    // Five pairs, all waiting at first: RTO = 200 · 5 = 1000 ms for every check; Rc 7, Rm 16.
    const schedule = [0, 1000, 3000, 7000, 15_000, 31_000, 63_000];
    expect(requestTimes(lab, '203.0.113.10', 0)).toEqual({
      '203.0.113.30:6000': schedule,
      '203.0.113.31:6000': schedule.map((t) => t + 200),
      '203.0.113.32:6000': schedule.map((t) => t + 400),
      '203.0.113.33:6000': schedule.map((t) => t + 600),
      '203.0.113.34:6000': schedule.map((t) => t + 800),
    });
    // Each check fails at 79·RTO; with the last one the checklist fails (§7.2.5.4).
    expect(lab.clock.monotonic()).toBe(800 + 79_000);
    expect(a.agent.snapshot().failure).toEqual({ kind: 'pairs-failed', component: 1 });
    expect(a.agent.snapshot().checks).toMatchObject({ sent: 5, retransmissions: 30, failed: 5 });
    expect(a.agent.pendingTimers).toBe(0);
    await lab.close();
  });

  it('uses the 500 ms floor with the default Ta of 50 ms', async () => {
    const lab = await createIceLab();
    const a = await checkingAlone(lab, { checkingTimeoutMs: 2000 }, unreachable(3));
    await lab.runUntil(() => a.agent.state === 'failed');
    expect(requestTimes(lab, '203.0.113.10', 0)).toEqual({
      '203.0.113.30:6000': [0, 500, 1500],
      '203.0.113.31:6000': [50, 550, 1550],
      '203.0.113.32:6000': [100, 600, 1600],
    });
    await lab.close();
  });

  it('ends in failed at the overall timeout, with no timer left', async () => {
    const lab = await createIceLab();
    const a = await checkingAlone(lab, { checkingTimeoutMs: 10_000 }, unreachable(2));
    await lab.runUntil(() => a.agent.state === 'failed');
    expect(lab.clock.monotonic()).toBe(10_000);
    expect(a.agent.snapshot().failure).toEqual({ kind: 'timeout', afterMs: 10_000 });
    expect(a.logs.some((l) => l.includes('checking → failed (no pair selected within 10000 ms)'))).toBe(true);
    expect(a.agent.pendingTimers).toBe(0);
    expect(lab.clock.pendingTimers()).toBe(0);
    // A failed agent sends nothing more: media is refused.
    const path = new IceMediaPath(a.agent);
    path.send('rtp', rtpPacket(1));
    expect(path.stats.dropped.noConsent).toBe(1);
    path.dispose();
    await lab.close();
  });

  it('fails as soon as every pair failed when the peer said end-of-candidates, and waits when it did not', async () => {
    for (const [endOfCandidates, failedAt] of [
      [true, 1500],
      [false, 5000],
    ] as const) {
      const lab = await createIceLab();
      const a = await checkingAlone(
        lab,
        { checkMaxSends: 2, checkFinalWaitFactor: 2, checkingTimeoutMs: 5000 },
        unreachable(1),
        endOfCandidates,
      );
      await lab.runUntil(() => a.agent.state === 'failed');
      expect(lab.clock.monotonic()).toBe(failedAt);
      expect(a.agent.snapshot().failure?.kind).toBe(endOfCandidates ? 'pairs-failed' : 'timeout');
      await lab.close();
    }
  });
});

describe('gathering (RFC 8445 §5.1.1)', () => {
  it('paces server transactions at Ta, retransmits at the gathering RTO and gives up at the deadline', async () => {
    const lab = await createIceLab();
    const stunServers = [addr(TURN_ADDRESS, 3478), addr(TURN_ADDRESS, 3479)];
    const a = await lab.phone('a', { stunServers, gatheringTimeoutMs: 3000 });
    const candidates = await lab.settle(a.agent.gather());
    expect(lab.clock.monotonic()).toBe(3000);
    // Two transactions: RTO = MAX(500, 50 · 2); the second starts Ta after the first.
    expect(requestTimes(lab, '203.0.113.10', 0)).toEqual({
      '203.0.113.5:3478': [0],
      '203.0.113.5:3479': [50, 550, 1550],
    });
    expect(candidates.map((c) => c.type)).toEqual(['host']);
    expect(a.agent.snapshot().servers).toEqual([
      {
        kind: 'stun',
        server: '203.0.113.5:3478',
        transport: 'udp',
        component: 1,
        outcome: 'redundant',
        detail: 'mapped 203.0.113.10:40000',
      },
      {
        kind: 'stun',
        server: '203.0.113.5:3479',
        transport: 'udp',
        component: 1,
        outcome: 'timeout',
        detail: 'no answer before gathering ended',
      },
    ]);
    expect(a.agent.snapshot().timings.gatheringMs).toBe(3000);
    await lab.close();
  });

  it('skips loopback and link-local IPv6 host addresses unless asked, one candidate per address', async () => {
    const clock = new FakeClock();
    const net = new MemoryNetwork(clock);
    const host = net.host(['203.0.113.10', '198.51.100.77', 'fe80::1', '2001:db8::10']);
    const v4 = new MediaSocket(await host.bindDatagram({ family: 4, port: 40_000 }), 'rtp');
    const v6 = new MediaSocket(await host.bindDatagram({ family: 6, port: 40_002 }), 'rtp');
    const gather = async (socket: MediaSocket, extra: Partial<IceAgentOptions>): Promise<string[]> => {
      const agent = new IceAgent({ clock, network: host, rtpSocket: socket, role: 'controlling', ...extra });
      const promise = agent.gather();
      clock.advance(0);
      const list = await promise;
      await agent.close();
      return list.map((c) => `${formatAddress(c.address)} ${c.priority}`);
    };
    expect(await gather(v4, {})).toEqual(['203.0.113.10:40000 2130706431', '198.51.100.77:40000 2130673663']);
    expect(await gather(v4, { includeLoopback: true })).toEqual([
      '203.0.113.10:40000 2130706431',
      '198.51.100.77:40000 2130673663',
      '127.0.0.1:40000 2130640895',
    ]);
    expect(await gather(v6, {})).toEqual(['[2001:db8::10]:40002 2130706431']);
    // IPv6 loopback when allowed (a call on [::1]): last, as the IPv4 one.
    expect(await gather(v6, { includeLoopback: true })).toEqual([
      '[2001:db8::10]:40002 2130706431',
      '[::1]:40002 2130673663',
    ]);
    expect(await gather(v6, { includeLinkLocal: true })).toEqual([
      '[2001:db8::10]:40002 2130706431',
      '[fe80::1]:40002 2130673663',
    ]);
    // A socket bound to one address gives that address only (loopback included: the caller chose it).
    const lo = new MediaSocket(
      await host.bindDatagram({ family: 4, address: '127.0.0.1', port: 40_004 }),
      'rtp',
    );
    expect(await gather(lo, {})).toEqual(['127.0.0.1:40004 2130706431']);
    for (const s of [v4, v6, lo]) {
      expect(s.listenerCount).toBe(0);
      s.close();
    }
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('consent freshness (RFC 7675)', () => {
  async function connected(lab: IceLab): Promise<{ a: Phone; b: Phone }> {
    const a = await lab.phone('a', { random: () => 0.5 });
    const b = await lab.phone('b', { random: () => 0.5 });
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    return { a, b };
  }

  it('checks every 5 s (× 0.8–1.2) and stays connected while the peer answers', async () => {
    const lab = await createIceLab();
    const { a, b } = await connected(lab);
    const t0 = lab.clock.monotonic();
    expect(t0).toBe(50);
    lab.net.clearSent();
    await lab.run(60_000);
    expect(a.agent.state).toBe('connected');
    expect(requestTimes(lab, '203.0.113.10', t0)['203.0.113.20:50000']).toEqual(
      Array.from({ length: 12 }, (_, i) => (i + 1) * 5000),
    );
    expect(a.agent.snapshot().checks).toMatchObject({ consentSent: 12, consentAnswered: 12 });
    expect(b.agent.snapshot().checks).toMatchObject({ consentSent: 12, consentAnswered: 12 });
    await lab.close();
  });

  it('draws the interval from 0.8–1.2 × 5 s', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { random: () => 0 });
    const b = await lab.phone('b', { random: () => 0.999 });
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    lab.net.clearSent();
    await lab.run(12_000);
    expect(requestTimes(lab, '203.0.113.10', 50)['203.0.113.20:50000']).toEqual([4000, 8000, 12_000]);
    expect(requestTimes(lab, '203.0.113.20', 50)['203.0.113.10:40000']).toEqual([5998, 11_996]);
    await lab.close();
  });

  it('loses consent 30 s after the last response: event, disconnected, media stops', async () => {
    const lab = await createIceLab();
    const { a, b } = await connected(lab);
    const path = new IceMediaPath(a.agent);
    a.path = path;
    const lost: [string, IceComponent][] = [];
    a.agent.onConsentLost((c) => lost.push(['a', c]));
    b.agent.onConsentLost((c) => lost.push(['b', c]));
    const t0 = lab.clock.monotonic();
    lab.net.clearSent();
    // b falls silent towards a: a's consent requests (and b's) go unanswered.
    const silence = lab.net.dropWhere((p) => p.from.address === '203.0.113.20');
    path.send('rtp', rtpPacket(1));
    await lab.runUntil(() => a.agent.state === 'disconnected');
    expect(lab.clock.monotonic() - t0).toBe(30_000);
    expect(lost.sort()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(b.agent.state).toBe('disconnected');
    expect(requestTimes(lab, '203.0.113.10', t0)['203.0.113.20:50000']).toEqual([
      5000, 10_000, 15_000, 20_000, 25_000,
    ]);
    path.send('rtp', rtpPacket(2));
    expect(path.stats.sent.rtp).toBe(1);
    expect(path.stats.dropped.noConsent).toBe(1);
    expect(a.agent.pendingTimers).toBe(0);
    silence.dispose();
    await lab.close();
  });
});
