import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, formatAddress } from '../../../../src-main/platform/index.ts';
import type { DatagramSocket, MemoryHost, SocketAddress } from '../../../../src-main/platform/index.ts';
import {
  CHANNEL_REFRESH_MS,
  PERMISSION_REFRESH_MS,
  StunMethod,
  TurnRelay,
  allocationRefreshDelayMs,
  classifyPacket,
  decodeStunMessage,
  describeTurnFailure,
} from '../../../../src-main/media/stun/index.ts';
import type { TurnRelayOptions, TurnServerConfig } from '../../../../src-main/media/stun/index.ts';
import { MemoryTurnServer } from './support/memory-turn-server.ts';
import type { TurnBehaviour } from './support/memory-turn-server.ts';

const SERVER = '203.0.113.5';
const CLIENT = '203.0.113.10';
const PEER = '203.0.113.20';

interface FixtureOptions {
  config?: Partial<TurnServerConfig>;
  relay?: Partial<TurnRelayOptions>;
  server?: Partial<Omit<TurnBehaviour, 'host' | 'clock' | 'address'>> & { tlsIssuer?: string };
  /** One-way delay of every link in ms (default 0). */
  delayMs?: number;
}

interface Fixture {
  clock: FakeClock;
  net: MemoryNetwork;
  clientHost: MemoryHost;
  server: MemoryTurnServer;
  socket: DatagramSocket;
  peer: DatagramSocket;
  peerReceived: { data: Buffer; from: SocketAddress }[];
  relay: TurnRelay;
  received: string[];
  /** Another relay on the fixture's socket (or connecting from its host). */
  addRelay(config?: Partial<TurnServerConfig>, relay?: Partial<TurnRelayOptions>): TurnRelay;
  settle<T>(p: Promise<T>): Promise<T>;
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

async function fixture(options: FixtureOptions = {}): Promise<Fixture> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const serverHost = net.host(SERVER);
  const clientHost = net.host(CLIENT);
  const peerHost = net.host(PEER);
  if (options.delayMs) net.setConditions({ delayMs: options.delayMs });
  const server = await MemoryTurnServer.start({
    host: serverHost,
    clock,
    address: SERVER,
    port: 3478,
    tcpPort: 3478,
    tlsPort: 5349,
    tlsNames: ['turn.lab.test'],
    ...options.server,
  });
  const socket = await clientHost.bindDatagram({ family: 4, address: CLIENT, port: 40_000 });
  const peer = await peerHost.bindDatagram({ family: 4, port: 50_000 });
  const peerReceived: { data: Buffer; from: SocketAddress }[] = [];
  peer.onMessage((data, from) => peerReceived.push({ data, from }));
  const relays: TurnRelay[] = [];
  const addRelay = (
    config: Partial<TurnServerConfig> = {},
    extra: Partial<TurnRelayOptions> = {},
  ): TurnRelay => {
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
      ...extra,
    });
    relays.push(relay);
    return relay;
  };
  // What the owner of a socket shared by UDP relays does (the ICE agent's component transport): hand
  // over what arrives from the servers, STUN or ChannelData (RFC 7983), to the relay it belongs to.
  socket.onMessage((data, from) => {
    const kind = classifyPacket(data);
    const decoded = kind === 'stun' ? decodeStunMessage(data) : undefined;
    for (const relay of relays) {
      if (kind === 'turn-channel' && relay.receiveChannelData(data, from)) return;
      if (decoded?.ok && relay.receiveStun(decoded.message, from)) return;
    }
  });
  const relay = addRelay(options.config, options.relay);
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
    clientHost,
    server,
    socket,
    peer,
    peerReceived,
    relay,
    received,
    addRelay,
    settle,
    run,
    async close() {
      for (const each of relays) {
        await settle(each.release());
        expect(each.pendingTimers).toBe(0);
      }
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
const relayedAddress: SocketAddress = { address: SERVER, port: 49152, family: 4 };

describe('TurnRelay over UDP (from a socket its owner shares)', () => {
  it('allocates after the 401 challenge and reports relayed and mapped addresses', async () => {
    const f = await fixture();
    const result = await f.settle(f.relay.allocate());
    expect(result).toEqual({
      ok: true,
      relayed: relayedAddress,
      mapped: { address: CLIENT, port: 40_000, family: 4 },
      lifetimeS: 600,
      realm: 'lab.test',
      rttMs: 0,
      elapsedMs: 0,
      requests: 2,
    });
    expect(f.relay.state).toBe('allocated');
    expect(f.relay.local).toEqual({ address: CLIENT, port: 40_000, family: 4 });
    const allocates = f.server.requests(StunMethod.allocate);
    expect(allocates.map((r) => r.authenticated)).toEqual([false, true]);
    // Sent from the shared socket itself.
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
    expect(f.peerReceived[0]?.from).toEqual(relayedAddress);
    expect(f.relay.stats.sendIndications).toBe(2);

    f.peer.send(Buffer.from('back'), relayedAddress);
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
    f.peer.send(Buffer.from('reply'), relayedAddress);
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

  it('adopts the lifetime the server grants, and refreshes on its schedule (RFC 5766 §7)', async () => {
    const f = await fixture({ server: { maxLifetimeS: 100 } });
    const result = await f.settle(f.relay.allocate());
    expect(result.ok && result.lifetimeS).toBe(100);
    const t0 = f.clock.monotonic();
    await f.run(120_000);
    const refreshes = f.server.requests(StunMethod.refresh).filter((r) => r.authenticated);
    // Asked for 600 s each time, granted 100 s: refreshed at half of it.
    expect(refreshes.map((r) => [r.at - t0, r.lifetime])).toEqual([
      [50_000, 600],
      [100_000, 600],
    ]);
    expect(f.relay.lifetimeS).toBe(100);
    expect(f.relay.stats.allocationRefreshes).toBe(2);
    expect(f.server.allocationCount).toBe(1);
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

  it('answers a stale nonce (438) with the new one, for CreatePermission as for Allocate', async () => {
    const f = await fixture({ server: { staleNonceOnce: true } });
    const result = await f.settle(f.relay.allocate());
    expect(result.ok && result.requests).toBe(3);
    expect(f.server.requests(StunMethod.allocate).map((r) => r.nonce)).toEqual([
      undefined,
      'nonce-1',
      'nonce-2',
    ]);
    f.server.rotateNonce('nonce-9');
    f.relay.permit(peerAddress);
    await f.run(0);
    expect(f.server.requests(StunMethod.createPermission).map((r) => [r.nonce, r.authenticated])).toEqual([
      ['nonce-2', false],
      ['nonce-9', true],
    ]);
    expect(f.relay.permittedPeers).toEqual([PEER]);
    await f.close();
  });

  it('reports wrong credentials as a value, after one authenticated try', async () => {
    const f = await fixture({ config: { password: 'wrong' } });
    const result = await f.settle(f.relay.allocate());
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'wrong-credentials', reason: 'Unauthorized' },
      requests: 2,
    });
    expect(f.relay.state).toBe('failed');
    expect(f.server.allocationCount).toBe(0);
    await f.close();
  });

  it('reports 486 Allocation Quota Reached and 508 Insufficient Capacity with the server’s words', async () => {
    for (const [code, reason] of [
      [486, 'Allocation Quota Reached'],
      [508, 'Insufficient Capacity'],
    ] as const) {
      const f = await fixture({ server: { allocateError: { code, reason } } });
      const result = await f.settle(f.relay.allocate());
      expect(result).toEqual({ ok: false, failure: { kind: 'error-response', code, reason }, requests: 2 });
      expect(f.relay.state).toBe('failed');
      await f.close();
    }
  });

  it('gets 437 Allocation Mismatch for a second allocation from the same socket (same 5-tuple)', async () => {
    const f = await fixture();
    expect((await f.settle(f.relay.allocate())).ok).toBe(true);
    const second = f.addRelay();
    const result = await f.settle(second.allocate());
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'error-response', code: 437, reason: 'Allocation Mismatch' },
      requests: 2,
    });
    expect(f.server.allocationCount).toBe(1);
    await f.close();
    expect(f.server.allocationCount).toBe(0);
  });

  it('times out on a silent server with the configured schedule', async () => {
    const f = await fixture({
      config: { address: { address: SERVER, port: 3999, family: 4 } },
      relay: { timing: { rtoMs: 100, maxSends: 3, finalWaitFactor: 4 } },
    });
    const result = await f.settle(f.relay.allocate());
    // Sends at 0, 100 and 300 ms, then four RTOs of waiting.
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'timeout', sends: 3, elapsedMs: 700 },
      requests: 1,
    });
    expect(f.relay.state).toBe('failed');
    await f.close();
  });

  it('releases with LIFETIME 0, says so, and drops data afterwards', async () => {
    const f = await fixture({ delayMs: 10 });
    await f.settle(f.relay.allocate());
    expect(f.server.allocationCount).toBe(1);
    const released = await f.settle(f.relay.release());
    expect(released).toEqual({ ok: true, rttMs: 20 });
    expect(f.relay.state).toBe('released');
    expect(f.server.requests(StunMethod.refresh).map((r) => r.lifetime)).toEqual([0]);
    expect(f.server.allocationCount).toBe(0);
    // Idempotent: the same answer, no second request.
    expect(await f.settle(f.relay.release())).toEqual({ ok: true, rttMs: 20 });
    expect(f.server.requests(StunMethod.refresh)).toHaveLength(1);
    f.relay.send(Buffer.from('late'), peerAddress);
    expect(f.relay.stats.dropped).toBe(1);
    await f.close();
  });

  it('counts a release answered 437 (the allocation is gone already) as released', async () => {
    const f = await fixture();
    await f.settle(f.relay.allocate());
    // The server restarts and forgets the allocation.
    f.server.close();
    const restarted = await MemoryTurnServer.start({
      host: f.net.hosts[0]!,
      clock: f.clock,
      address: SERVER,
      port: 3478,
    });
    expect(await f.settle(f.relay.release())).toEqual({ ok: true, rttMs: 0 });
    // Same realm and nonce after the restart: the signed Refresh is accepted, and answered 437.
    expect(restarted.requests(StunMethod.refresh).map((r) => [r.lifetime, r.authenticated])).toEqual([
      [0, true],
    ]);
    restarted.close();
    await f.close();
  });

  it('cancels before the allocation is made, and refuses illegal moves', async () => {
    const f = await fixture();
    expect(await f.settle(f.relay.release())).toEqual({ ok: true, rttMs: undefined });
    expect(f.relay.state).toBe('released');
    await expect(f.relay.allocate()).rejects.toThrow(/TurnRelay.allocate in state released/);

    const pending = f.addRelay();
    const allocation = pending.allocate();
    await expect(pending.allocate()).rejects.toThrow(/TurnRelay.allocate in state allocating/);
    await f.settle(pending.release());
    expect(await f.settle(allocation)).toEqual({ ok: false, failure: { kind: 'cancelled' }, requests: 1 });
    await f.close();
  });

  it('fails when the allocation refresh is refused, and says so', async () => {
    const f = await fixture({ relay: { lifetimeS: 300 } });
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
    expect(await f.settle(f.relay.release())).toEqual({ ok: true, rttMs: undefined });
    restarted.close();
    await f.close();
  });
});

describe('TurnRelay over TCP and TLS', () => {
  for (const transport of ['tcp', 'tls'] as const) {
    it(`allocates over ${transport}, relays with ChannelData framing and releases`, async () => {
      const f = await fixture({ config: { transport } });
      const result = await f.settle(f.relay.allocate());
      expect(result.ok).toBe(true);
      expect(f.server.requests(StunMethod.allocate).map((r) => r.transport)).toEqual([transport, transport]);
      f.relay.bindChannel(peerAddress);
      await f.run(10);
      f.relay.send(Buffer.from('odd'), peerAddress);
      f.peer.send(Buffer.from('reply!'), relayedAddress);
      await f.run(10);
      expect(f.peerReceived.map((p) => p.data.toString())).toEqual(['odd']);
      expect(f.received).toEqual([`reply! from ${PEER}:50000`]);
      await f.close();
      expect(f.server.allocationCount).toBe(0);
    });

    it(`measures the allocation over ${transport} (round trip, requests, realm) and its release`, async () => {
      const f = await fixture({ config: { transport }, relay: { lifetimeS: 300 }, delayMs: 10 });
      const result = await f.settle(f.relay.allocate());
      const local = f.relay.local;
      expect(local?.address).toBe(CLIENT);
      expect(result).toEqual({
        ok: true,
        relayed: relayedAddress,
        mapped: local,
        lifetimeS: 300,
        realm: 'lab.test',
        rttMs: 20,
        elapsedMs: 40,
        requests: 2,
      });
      expect(await f.settle(f.relay.release())).toEqual({ ok: true, rttMs: 20 });
      expect(f.server.requests(StunMethod.refresh).map((r) => [r.transport, r.lifetime])).toEqual([
        [transport, 0],
      ]);
      expect(f.server.allocationCount).toBe(0);
      await f.close();
    });
  }

  it('fails with the platform’s error code when the TLS name does not match, before any STUN', async () => {
    const f = await fixture({ config: { transport: 'tls', tls: { servername: 'other.test' } } });
    const result = await f.settle(f.relay.allocate());
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'connect', code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      requests: 0,
    });
    expect(f.relay.state).toBe('failed');
    expect(f.server.log).toEqual([]);
    await f.close();
  });

  it('trusts a certificate from a private CA only with that CA among the extra anchors, and says so in words', async () => {
    const issuer = '-----BEGIN CERTIFICATE-----\nLAB-CA\n-----END CERTIFICATE-----\n';
    const untrusted = await fixture({ server: { tlsIssuer: issuer }, config: { transport: 'tls' } });
    const refused = await untrusted.settle(untrusted.relay.allocate());
    expect(refused).toEqual({
      ok: false,
      failure: {
        kind: 'connect',
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        reason: `certificate of ${SERVER}:5349: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
      },
      requests: 0,
    });
    expect(refused.ok ? '' : describeTurnFailure(refused.failure)).toBe(
      `TLS certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE: certificate of ${SERVER}:5349: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE))`,
    );
    expect(untrusted.server.log).toEqual([]);
    await untrusted.close();

    const otherCa = await fixture({
      server: { tlsIssuer: issuer },
      config: { transport: 'tls', tls: { servername: 'turn.lab.test', ca: ['another CA'] } },
    });
    expect(await otherCa.settle(otherCa.relay.allocate())).toMatchObject({
      ok: false,
      failure: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
    await otherCa.close();

    const trusted = await fixture({
      server: { tlsIssuer: issuer },
      config: { transport: 'tls', tls: { servername: 'turn.lab.test', ca: ['another CA', issuer] } },
    });
    expect(await trusted.settle(trusted.relay.allocate())).toMatchObject({
      ok: true,
      relayed: relayedAddress,
    });
    await trusted.settle(trusted.relay.release());
    expect(trusted.server.allocationCount).toBe(0);
    await trusted.close();
  });
});
