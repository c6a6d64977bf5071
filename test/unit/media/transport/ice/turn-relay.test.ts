import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, formatAddress } from '../../../../../src-main/platform/index.ts';
import type { DatagramSocket, SocketAddress } from '../../../../../src-main/platform/index.ts';
import {
  CHANNEL_REFRESH_MS,
  MediaSocket,
  PERMISSION_REFRESH_MS,
  TurnRelay,
  allocationRefreshDelayMs,
} from '../../../../../src-main/media/transport/index.ts';
import type { TurnServerConfig } from '../../../../../src-main/media/transport/index.ts';
import { StunMethod, decodeStunMessage } from '../../../../../src-main/media/stun/index.ts';
import { MemoryTurnServer } from './support/memory-turn-server.ts';
import { flush } from './support/ice-lab.ts';

const SERVER = '203.0.113.5';
const CLIENT = '203.0.113.10';
const PEER = '203.0.113.20';

interface Fixture {
  clock: FakeClock;
  net: MemoryNetwork;
  server: MemoryTurnServer;
  socket: MediaSocket;
  peer: DatagramSocket;
  peerReceived: { data: Buffer; from: SocketAddress }[];
  relay: TurnRelay;
  received: string[];
  settle<T>(p: Promise<T>): Promise<T>;
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function fixture(config: Partial<TurnServerConfig> = {}, lifetimeS?: number): Promise<Fixture> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const serverHost = net.host(SERVER);
  const clientHost = net.host(CLIENT);
  const peerHost = net.host(PEER);
  const server = await MemoryTurnServer.start({
    host: serverHost,
    clock,
    address: SERVER,
    port: 3478,
    tcpPort: 3478,
    tlsPort: 5349,
    tlsNames: ['turn.lab.test'],
  });
  const socket = new MediaSocket(await clientHost.bindDatagram({ family: 4, port: 40_000 }), 'rtp');
  const peer = await peerHost.bindDatagram({ family: 4, port: 50_000 });
  const peerReceived: { data: Buffer; from: SocketAddress }[] = [];
  peer.onMessage((data, from) => peerReceived.push({ data, from }));
  const transport = config.transport ?? 'udp';
  const relay = new TurnRelay({
    clock,
    server: {
      address: { address: SERVER, port: transport === 'tls' ? 5349 : 3478, family: 4 },
      transport,
      username: 'alice',
      password: 'turn-secret',
      ...(transport === 'tls' ? { tls: { servername: 'turn.lab.test' } } : {}),
      ...config,
    },
    ...(transport === 'udp' ? { socket } : { network: clientHost }),
    ...(lifetimeS !== undefined ? { lifetimeS } : {}),
  });
  // What the ICE agent does for a UDP relay: hand over what arrives from the server on the media socket.
  socket.onStun((data, from) => {
    const decoded = decodeStunMessage(data);
    if (decoded.ok) relay.receiveStun(decoded.message, from);
  });
  socket.onChannelData((data, from) => relay.receiveChannelData(data, from));
  const received: string[] = [];
  relay.onData((data, peerAddress) => received.push(`${data.toString()} from ${formatAddress(peerAddress)}`));

  const run = async (ms: number): Promise<void> => {
    const end = clock.monotonic() + ms;
    await flush();
    for (let next = clock.nextTimerAt(); next !== undefined && next <= end; next = clock.nextTimerAt()) {
      clock.advanceTo(Math.max(next, clock.monotonic()));
      await flush();
    }
    clock.advanceTo(end);
    await flush();
  };
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    let value: T | undefined;
    void p.then((v) => {
      done = true;
      value = v;
    });
    for (let i = 0; i < 10_000 && !done; i++) {
      const next = clock.nextTimerAt();
      clock.advanceTo(next === undefined ? clock.monotonic() : Math.max(next, clock.monotonic()));
      await flush();
    }
    if (!done) throw new Error('did not settle');
    return value as T;
  };
  return {
    clock,
    net,
    server,
    socket,
    peer,
    peerReceived,
    relay,
    received,
    settle,
    run,
    async close() {
      await settle(relay.release());
      expect(relay.pendingTimers).toBe(0);
      socket.close();
      peer.close();
      server.close();
      clock.runAll();
      expect(clock.pendingTimers()).toBe(0);
      expect(net.openSockets()).toBe(0);
    },
  };
}

const peerAddress: SocketAddress = { address: PEER, port: 50_000, family: 4 };

describe('TurnRelay over UDP (from the media socket)', () => {
  it('allocates after the 401 challenge and reports relayed and mapped addresses', async () => {
    const f = await fixture();
    const result = await f.settle(f.relay.allocate());
    expect(result).toEqual({
      ok: true,
      relayed: { address: SERVER, port: 49152, family: 4 },
      mapped: { address: CLIENT, port: 40_000, family: 4 },
      lifetimeS: 600,
    });
    expect(f.relay.state).toBe('allocated');
    const allocates = f.server.requests(StunMethod.allocate);
    expect(allocates.map((r) => r.authenticated)).toEqual([false, true]);
    // Sent from the media socket itself.
    expect(allocates.every((r) => r.from === `${CLIENT}:40000`)).toBe(true);
    await f.close();
  });

  it('holds data until the permission exists, then relays both ways with the peer address', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    f.relay.send(Buffer.from('one'), peerAddress);
    f.relay.send(Buffer.from('two'), peerAddress);
    expect(f.server.requests(StunMethod.createPermission)).toHaveLength(0);
    await f.run(0);
    expect(f.server.requests(StunMethod.createPermission).map((r) => r.peer)).toEqual([`${PEER}:50000`]);
    expect(f.peerReceived.map((p) => p.data.toString())).toEqual(['one', 'two']);
    expect(f.peerReceived[0]?.from).toEqual({ address: SERVER, port: 49152, family: 4 });
    expect(f.relay.stats.sendIndications).toBe(2);

    f.peer.send(Buffer.from('back'), { address: SERVER, port: 49152, family: 4 });
    await f.run(0);
    expect(f.received).toEqual([`back from ${PEER}:50000`]);
    expect(f.relay.stats.dataIndications).toBe(1);
    await f.close();
  });

  it('switches to ChannelData once a channel is bound, and receives ChannelData', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    f.relay.bindChannel(peerAddress);
    await f.run(0);
    expect(f.server.requests(StunMethod.channelBind).map((r) => [r.channel, r.peer])).toEqual([
      [0x4000, `${PEER}:50000`],
    ]);
    expect(f.relay.boundChannels).toEqual({ [`${PEER}:50000`]: 0x4000 });
    f.relay.send(Buffer.from('via channel'), peerAddress);
    f.peer.send(Buffer.from('reply'), { address: SERVER, port: 49152, family: 4 });
    await f.run(0);
    expect(f.peerReceived.map((p) => p.data.toString())).toEqual(['via channel']);
    expect(f.received).toEqual([`reply from ${PEER}:50000`]);
    expect(f.relay.stats).toMatchObject({ channelDataSent: 1, channelDataReceived: 1, sendIndications: 0 });
    await f.close();
  });

  it('refreshes permissions every 240 s, channels every 540 s and the allocation 60 s before expiry', async () => {
    expect(PERMISSION_REFRESH_MS).toBe(240_000);
    expect(CHANNEL_REFRESH_MS).toBe(540_000);
    expect(allocationRefreshDelayMs(600)).toBe(540_000);
    expect(allocationRefreshDelayMs(100)).toBe(50_000);
    const f = await fixture();
    await f.settle(f.relay.allocate());
    const t0 = f.clock.monotonic();
    f.relay.bindChannel(peerAddress);
    await f.run(1_200_000);
    const times = (method: number): number[] =>
      f.server
        .requests(method)
        .filter((r) => r.authenticated)
        .map((r) => r.at - t0);
    expect(times(StunMethod.createPermission)).toEqual([0, 240_000, 480_000, 720_000, 960_000, 1_200_000]);
    expect(times(StunMethod.channelBind)).toEqual([0, 540_000, 1_080_000]);
    expect(times(StunMethod.refresh)).toEqual([540_000, 1_080_000]);
    expect(f.server.requests(StunMethod.refresh).map((r) => r.lifetime)).toEqual([600, 600]);
    // Everything still alive on the server after 20 minutes.
    f.relay.send(Buffer.from('still here'), peerAddress);
    await f.run(0);
    expect(f.peerReceived.map((p) => p.data.toString())).toEqual(['still here']);
    expect(f.server.permissionsOf(`${SERVER}:49152`)).toEqual([PEER]);
    await f.close();
  });

  it('stops refreshing the peers it no longer retains', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    f.relay.permit(peerAddress);
    f.relay.permit({ address: '203.0.113.30', port: 1, family: 4 });
    await f.run(0);
    f.relay.retainPeers([peerAddress]);
    await f.run(300_000);
    expect(
      f.server
        .requests(StunMethod.createPermission)
        .filter((r) => r.authenticated)
        .map((r) => r.peer),
    ).toEqual([`${PEER}:50000`, '203.0.113.30:1', `${PEER}:50000`]);
    expect(f.relay.permittedPeers).toEqual([PEER]);
    await f.close();
  });

  it('answers a stale nonce (438) with the new one', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    f.server.rotateNonce('nonce-2');
    f.relay.permit(peerAddress);
    await f.run(0);
    expect(f.server.requests(StunMethod.createPermission).map((r) => r.authenticated)).toEqual([false, true]);
    expect(f.relay.permittedPeers).toEqual([PEER]);
    await f.close();
  });

  it('reports wrong credentials as a value', async () => {
    const f = await fixture({ password: 'wrong' });
    const result = await f.settle(f.relay.allocate());
    expect(result).toEqual({ ok: false, failure: { kind: 'wrong-credentials', reason: 'Unauthorized' } });
    expect(f.relay.state).toBe('failed');
    await f.close();
  });

  it('releases with LIFETIME 0 and drops data afterwards', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    expect(f.server.allocationCount).toBe(1);
    await f.settle(f.relay.release());
    expect(f.relay.state).toBe('released');
    expect(f.server.requests(StunMethod.refresh).map((r) => r.lifetime)).toEqual([0]);
    expect(f.server.allocationCount).toBe(0);
    f.relay.send(Buffer.from('late'), peerAddress);
    expect(f.relay.stats.dropped).toBe(1);
    await f.close();
  });

  it('fails when the allocation refresh is refused, and says so', async () => {
    const f = await fixture({}, 300);
    await f.settle(f.relay.allocate());
    const failures: string[] = [];
    f.relay.onFailure((reason) => failures.push(reason));
    // The server forgets the allocation (a restart): the refresh at 240 s gets 437.
    f.server.close();
    const restarted = await MemoryTurnServer.start({
      host: f.net.hosts[0]!,
      clock: f.clock,
      address: SERVER,
      port: 3478,
    });
    await f.run(240_000);
    expect(f.relay.state).toBe('failed');
    expect(failures).toEqual(['allocation refresh failed (437 Allocation Mismatch)']);
    restarted.close();
    await f.settle(f.relay.release());
    f.socket.close();
    f.peer.close();
    f.clock.runAll();
    expect(f.net.openSockets()).toBe(0);
  });
});

describe('TurnRelay over TCP and TLS', () => {
  for (const transport of ['tcp', 'tls'] as const) {
    it(`allocates over ${transport}, relays with ChannelData framing and releases`, async () => {
      const f = await fixture({ transport });
      const result = await f.settle(f.relay.allocate());
      expect(result.ok).toBe(true);
      expect(f.server.requests(StunMethod.allocate).map((r) => r.transport)).toEqual([transport, transport]);
      f.relay.bindChannel(peerAddress);
      await f.run(10);
      f.relay.send(Buffer.from('odd'), peerAddress);
      f.peer.send(Buffer.from('reply!'), { address: SERVER, port: 49152, family: 4 });
      await f.run(10);
      expect(f.peerReceived.map((p) => p.data.toString())).toEqual(['odd']);
      expect(f.received).toEqual([`reply! from ${PEER}:50000`]);
      await f.close();
      expect(f.server.allocationCount).toBe(0);
    });
  }

  it('fails cleanly when the TLS name does not match', async () => {
    const f = await fixture({ transport: 'tls', tls: { servername: 'other.test' } });
    const result = await f.settle(f.relay.allocate());
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.failure.kind).toBe('connect');
    await f.close();
  });
});
