import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import { IceMediaPath } from '../../../../../src-main/media/transport/index.ts';
import type { TurnServerConfig } from '../../../../../src-main/media/transport/index.ts';
import { StunMethod } from '../../../../../src-main/media/stun/index.ts';
import { TURN_ADDRESS, addr, createIceLab, exchange, rtpPacket } from './support/ice-lab.ts';

const TURN_UDP: TurnServerConfig[] = [
  { address: addr(TURN_ADDRESS, 3478), transport: 'udp', username: 'alice', password: 'turn-secret' },
];

describe('IceAgent with a TURN relay', () => {
  it('keeps the allocation, the permission and the channel of the selected pair fresh, and releases on close', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { policy: 'relay-only', turnServers: TURN_UDP, random: () => 0.5 });
    const b = await lab.phone('b', { random: () => 0.5 });
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    const atB: string[] = [];
    b.path = new IceMediaPath(b.agent);
    b.path.onPacket((p) => atB.push(`${p.data.readUInt16BE(2)} from ${formatAddress(p.from)}`));
    a.path = new IceMediaPath(a.agent);

    const authenticated = (
      method: number,
    ): { at: number; peer?: string | undefined; lifetime?: number | undefined }[] =>
      lab.turn.requests(method).filter((r) => r.authenticated);
    const allocatedAt = authenticated(StunMethod.allocate)[0]?.at ?? NaN;
    const permittedAt = authenticated(StunMethod.createPermission)[0]?.at ?? NaN;
    const boundAt = authenticated(StunMethod.channelBind)[0]?.at ?? NaN;
    expect(authenticated(StunMethod.createPermission).map((r) => r.peer)).toEqual(['203.0.113.20:50000']);
    expect(authenticated(StunMethod.channelBind).map((r) => r.peer)).toEqual(['203.0.113.20:50000']);

    await lab.run(20 * 60_000);
    expect(a.agent.state).toBe('connected');
    const times = (method: number, from: number): number[] => authenticated(method).map((r) => r.at - from);
    // RFC 5766: allocation refreshed 60 s before its 600 s lifetime, permissions (300 s) every 240 s,
    // channels (600 s) every 540 s.
    expect(times(StunMethod.refresh, allocatedAt)).toEqual([540_000, 1_080_000]);
    expect(times(StunMethod.createPermission, permittedAt)).toEqual([
      0, 240_000, 480_000, 720_000, 960_000, 1_200_000,
    ]);
    expect(times(StunMethod.channelBind, boundAt)).toEqual([0, 540_000, 1_080_000]);

    a.path.send('rtp', rtpPacket(5));
    await lab.run(0);
    expect(atB).toEqual(['5 from 203.0.113.5:49152']);
    expect(lab.turn.allocationCount).toBe(1);
    await lab.close();
    // Released with LIFETIME 0 (RFC 5766 §7.1), not left to expire.
    expect(authenticated(StunMethod.refresh).map((r) => r.lifetime)).toEqual([600, 600, 0]);
    expect(lab.turn.allocationCount).toBe(0);
  });

  it('releases its allocations when ICE fails, leaving no timer', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { policy: 'relay-only', turnServers: TURN_UDP, checkingTimeoutMs: 8000 });
    await lab.settle(a.agent.gather());
    a.agent.setRemote({
      ufrag: 'peerUfrag',
      pwd: 'peerPasswordPeerPassword',
      lite: false,
      candidates: [
        {
          foundation: 'x',
          component: 1,
          transport: 'udp',
          priority: 2_000_000_000,
          address: addr('203.0.113.30', 6000),
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    await lab.runUntil(() => a.agent.state === 'failed');
    await lab.run(100);
    expect(lab.turn.allocationCount).toBe(0);
    expect(a.agent.pendingTimers).toBe(0);
    await lab.close();
  });

  it('closing while an allocation is under way leaves nothing behind', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { turnServers: TURN_UDP });
    const gathering = a.agent.gather();
    const closing = a.agent.close();
    expect(await lab.settle(gathering)).toEqual([]);
    await lab.settle(closing);
    expect(a.agent.state).toBe('closed');
    expect(lab.turn.allocationCount).toBe(0);
    await lab.close();
  });
});
