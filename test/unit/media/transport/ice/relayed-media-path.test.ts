/**
 * RelayedMediaPath: plain RTP (a peer without ICE) through the ICE agent's TURN relays, for a phone whose
 * policy is relay-only behind a symmetric NAT. The peer is a plain UDP endpoint on the public side; the
 * TURN server is the in-memory one (permissions 300 s, channels 600 s, relayed data only with a permission).
 */
import { describe, expect, it } from 'vitest';
import { RelayedMediaPath } from '../../../../../src-main/media/transport/index.ts';
import type { LatchingRemote, TurnServerConfig } from '../../../../../src-main/media/transport/index.ts';
import { StunMethod } from '../../../../../src-main/media/stun/index.ts';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import type { DatagramSocket, SocketAddress } from '../../../../../src-main/platform/index.ts';
import { TURN_ADDRESS, addr, createIceLab, rtcpPacket, rtpPacket } from './support/ice-lab.ts';
import type { IceLab, Phone } from './support/ice-lab.ts';

const TURN_UDP: TurnServerConfig[] = [
  { address: addr(TURN_ADDRESS, 3478), transport: 'udp', username: 'alice', password: 'turn-secret' },
];
const PEER = '203.0.113.20';

interface Setup {
  lab: IceLab;
  a: Phone;
  peerRtp: DatagramSocket;
  peerRtcp: DatagramSocket;
  atPeer: string[];
  relayedRtp: SocketAddress;
  relayedRtcp: SocketAddress;
}

/** Phone a behind a symmetric NAT, relay-only, two components, gathered; a plain peer on 203.0.113.20. */
async function setup(): Promise<Setup> {
  const lab = await createIceLab({ a: { nat: 'symmetric' } });
  const a = await lab.phone('a', { policy: 'relay-only', turnServers: TURN_UDP, rtcpMux: false });
  const candidates = await lab.settle(a.agent.gather());
  expect(candidates.map((c) => `${c.component} ${c.type}`)).toEqual(['1 relay', '2 relay']);
  const peerRtp = await lab.b.bindDatagram({ family: 4, port: 50_000 });
  const peerRtcp = await lab.b.bindDatagram({ family: 4, port: 50_001 });
  const atPeer: string[] = [];
  peerRtp.onMessage((d, from) => atPeer.push(`rtp ${d.readUInt16BE(2)} from ${formatAddress(from)}`));
  peerRtcp.onMessage((d, from) => atPeer.push(`rtcp ${d[1]} from ${formatAddress(from)}`));
  const relayedRtp = candidates[0]!.address;
  const relayedRtcp = candidates[1]!.address;
  return { lab, a, peerRtp, peerRtcp, atPeer, relayedRtp, relayedRtcp };
}

function remote(rtpPort = 50_000): LatchingRemote {
  return { rtp: addr(PEER, rtpPort), rtcp: addr(PEER, rtpPort + 1), rtcpMux: false, payloadTypes: [0] };
}

function pathOn(
  s: Setup,
  options: { remote?: LatchingRemote } = {},
): { path: RelayedMediaPath; got: string[] } {
  const rtpRelay = s.a.agent.defaultRelay(1);
  const rtcpRelay = s.a.agent.defaultRelay(2);
  if (rtpRelay === undefined || rtcpRelay === undefined) throw new Error('no relays');
  const path = new RelayedMediaPath({
    clock: s.lab.clock,
    rtpRelay,
    rtcpRelay,
    remote: options.remote ?? remote(),
  });
  const got: string[] = [];
  path.onPacket((p) =>
    got.push(
      `${p.kind} ${p.kind === 'rtp' ? p.data.readUInt16BE(2) : p.data[1]} from ${formatAddress(p.from)}`,
    ),
  );
  return { path, got };
}

async function end(s: Setup, path: RelayedMediaPath): Promise<void> {
  path.dispose();
  expect(path.listenerCount).toBe(0);
  s.peerRtp.close();
  s.peerRtcp.close();
  await s.lab.close();
  expect(s.lab.turn.allocationCount).toBe(0);
}

describe('RelayedMediaPath: plain RTP through our TURN relay', () => {
  it('permits the SDP addresses at once, relays both ways on each component, and reports a relayed route', async () => {
    const s = await setup();
    const { lab, a } = s;
    const { path, got } = pathOn(s);
    const permissions = (): string[] =>
      lab.turn
        .requests(StunMethod.createPermission)
        .filter((r) => r.authenticated)
        .map((r) => `${r.from} → ${r.peer}`);
    expect(path.route).toEqual({
      local: s.relayedRtp,
      remote: addr(PEER, 50_000),
      remoteRtcp: addr(PEER, 50_001),
      kind: 'latched',
      relayed: true,
    });
    await lab.run(0);
    // RFC 5766 §9: one CreatePermission per allocation, before anything was sent.
    const natted = formatAddress({ ...a.rtp.local, address: '198.51.100.1' }).replace(/:\d+$/, '');
    expect(permissions().map((p) => p.replace(/:\d+ →/, ' →'))).toEqual([
      `${natted} → ${PEER}:50000`,
      `${natted} → ${PEER}:50001`,
    ]);
    expect(lab.turn.permissionsOf(formatAddress(s.relayedRtp))).toEqual([PEER]);
    expect(lab.turn.permissionsOf(formatAddress(s.relayedRtcp))).toEqual([PEER]);

    // The peer sends first (it has our SDP's relayed addresses): it reaches the path with its own address.
    s.peerRtp.send(rtpPacket(1), s.relayedRtp);
    s.peerRtcp.send(rtcpPacket(), s.relayedRtcp);
    await lab.run(0);
    expect(got).toEqual([`rtp 1 from ${PEER}:50000`, `rtcp 201 from ${PEER}:50001`]);
    expect(path.latchState).toBe('latched');

    path.send('rtp', rtpPacket(2));
    path.send('rtcp', rtcpPacket());
    await lab.run(0);
    // From the relayed addresses, never from the NAT's mapping of the host socket.
    expect(s.atPeer).toEqual([
      `rtp 2 from ${formatAddress(s.relayedRtp)}`,
      `rtcp 201 from ${formatAddress(s.relayedRtcp)}`,
    ]);
    // RFC 5766 §11: a channel per destination; later media goes as ChannelData.
    const channels = lab.turn
      .requests(StunMethod.channelBind)
      .filter((r) => r.authenticated)
      .map((r) => r.peer);
    expect(channels).toEqual([`${PEER}:50000`, `${PEER}:50001`]);
    path.send('rtp', rtpPacket(3));
    await lab.run(0);
    expect(s.atPeer.at(-1)).toBe(`rtp 3 from ${formatAddress(s.relayedRtp)}`);
    expect(a.agent.defaultRelay(1)?.stats).toMatchObject({ sendIndications: 1, channelDataSent: 1 });
    await end(s, path);
  });

  it('latches to the peer’s real source as the relay reports it, and drops a stranger at the server', async () => {
    const s = await setup();
    const { lab } = s;
    const { path, got } = pathOn(s);
    await lab.run(0);
    const stranger = await lab.attacker.bindDatagram({ family: 4, port: 7000 });
    stranger.send(rtpPacket(666), s.relayedRtp);
    await lab.run(0);
    // No permission for the stranger's IP: the TURN server drops it (RFC 5766 §10.3), the path sees nothing.
    expect(lab.turn.droppedWithoutPermission).toBe(1);
    expect(got).toEqual([]);

    // The peer's media comes from another port than its SDP names (same IP, so the permission admits it).
    const elsewhere = await lab.b.bindDatagram({ family: 4, port: 50_010 });
    elsewhere.send(rtpPacket(10), s.relayedRtp);
    await lab.run(0);
    expect(got).toEqual([`rtp 10 from ${PEER}:50010`]);
    expect(path.route.remote).toEqual(addr(PEER, 50_010));
    const atElsewhere: number[] = [];
    elsewhere.onMessage((d) => atElsewhere.push(d.readUInt16BE(2)));
    path.send('rtp', rtpPacket(11));
    await lab.run(0);
    expect(atElsewhere).toEqual([11]);
    expect(path.stats).toMatchObject({ latches: 1, accepted: { rtp: 1, rtcp: 0 }, notMedia: 0 });
    stranger.close();
    elsewhere.close();
    await end(s, path);
  });

  it('keeps the permission and channel of the peer fresh for a long call', async () => {
    const s = await setup();
    const { lab } = s;
    const { path } = pathOn(s);
    await lab.run(0);
    s.peerRtp.send(rtpPacket(1), s.relayedRtp);
    await lab.run(0);
    path.send('rtp', rtpPacket(2));
    await lab.run(0);
    const boundAt = lab.clock.monotonic();
    // Twenty minutes of a call: media both ways (a packet a second here) keeps the NAT's mapping alive.
    for (let second = 1; second <= 20 * 60; second++) {
      s.peerRtp.send(rtpPacket(second), s.relayedRtp);
      path.send('rtp', rtpPacket(second));
      await lab.run(1000);
    }
    const rtpRelayed = formatAddress(s.relayedRtp);
    expect(lab.turn.permissionsOf(rtpRelayed)).toEqual([PEER]);
    const refreshes = lab.turn
      .requests(StunMethod.channelBind)
      .filter((r) => r.authenticated && r.peer === `${PEER}:50000`)
      .map((r) => r.at - boundAt);
    // RFC 5766 §11: bound at 0, refreshed every 540 s.
    expect(refreshes).toEqual([0, 540_000, 1_080_000]);
    s.peerRtp.send(rtpPacket(3), s.relayedRtp);
    path.send('rtp', rtpPacket(4));
    await lab.run(0);
    expect(s.atPeer.at(-1)).toBe(`rtp 4 from ${rtpRelayed}`);
    await end(s, path);
  });

  it('a re-INVITE moving the peer gets permissions for the new address', async () => {
    const s = await setup();
    const { lab } = s;
    const { path, got } = pathOn(s);
    await lab.run(0);
    const moved = await lab.attacker.bindDatagram({ family: 4, port: 9000 });
    path.updateRemote({
      rtp: addr('203.0.113.66', 9000),
      rtcp: addr('203.0.113.66', 9001),
      rtcpMux: false,
      payloadTypes: [0],
    });
    await lab.run(0);
    expect(lab.turn.permissionsOf(formatAddress(s.relayedRtp)).sort()).toEqual([
      '203.0.113.20',
      '203.0.113.66',
    ]);
    moved.send(rtpPacket(5), s.relayedRtp);
    await lab.run(0);
    expect(got).toEqual(['rtp 5 from 203.0.113.66:9000']);
    moved.close();
    await end(s, path);
  });

  it('refuses RTCP without mux and without an RTCP relay (a bug in the caller)', async () => {
    const s = await setup();
    const rtpRelay = s.a.agent.defaultRelay(1)!;
    expect(() => new RelayedMediaPath({ clock: s.lab.clock, rtpRelay, remote: remote() })).toThrow(
      /RTCP relay/,
    );
    expect(
      () => new RelayedMediaPath({ clock: s.lab.clock, rtpRelay, rtcpRelay: rtpRelay, remote: remote() }),
    ).toThrow(/rtcp-mux/);
    s.peerRtp.close();
    s.peerRtcp.close();
    await s.lab.close();
  });
});

describe('IceAgent.defaultRelay', () => {
  it('is the allocation behind the best relayed candidate while it is allocated, none without TURN', async () => {
    const lab = await createIceLab({ a: { nat: 'symmetric' } });
    const a = await lab.phone('a', { policy: 'relay-only', turnServers: TURN_UDP });
    const b = await lab.phone('b', {});
    expect(a.agent.defaultRelay(1)).toBeUndefined();
    const candidates = await lab.settle(Promise.all([a.agent.gather(), b.agent.gather()]));
    expect(a.agent.defaultRelay(1)?.relayed).toEqual(candidates[0][0]?.address);
    expect(a.agent.defaultRelay(2)).toBeUndefined();
    expect(b.agent.defaultRelay(1)).toBeUndefined();
    const relay = a.agent.defaultRelay(1)!;
    await lab.settle(relay.release());
    expect(a.agent.defaultRelay(1)).toBeUndefined();
    await lab.close();
  });
});
