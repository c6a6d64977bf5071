import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost, SocketAddress, StreamConnection } from '../../../../src-main/platform/index.ts';
import {
  StunMethod,
  TurnAllocation,
  stunOverDatagramSocket,
  stunOverStream,
} from '../../../../src-main/media/stun/index.ts';
import type { StunEndpoint, TurnAllocateResult } from '../../../../src-main/media/stun/index.ts';
import { StunTestServer } from '../../nat/support/stun-test-server.ts';
import type { StunTestServerOptions } from '../../nat/support/stun-test-server.ts';

const SERVER: SocketAddress = { address: '203.0.113.5', port: 3478, family: 4 };

let clock: FakeClock;
let net: MemoryNetwork;
let clientHost: MemoryHost;
let serverHost: MemoryHost;
let server: StunTestServer;
const cleanups: (() => void)[] = [];

async function settle<T>(promise: Promise<T>, ms = 2_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  void promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      failure = e;
    },
  );
  for (let t = 0; t < ms && !done; t += 10) {
    clock.advance(10);
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
  if (!done) throw new Error('did not settle');
  if (failed) throw failure;
  return value as T;
}

async function startServer(extra: Partial<StunTestServerOptions> = {}): Promise<void> {
  server = await StunTestServer.start({
    host: serverHost,
    primary: SERVER,
    tcpPort: 3478,
    tls: { port: 5349, names: ['turn.example.com'] },
    turn: { realm: 'example.com', users: { alice: 'wonderland' } },
    ...extra,
  });
  cleanups.push(() => server.close());
}

async function udpEndpoint(): Promise<StunEndpoint> {
  const socket = await clientHost.bindDatagram({ family: 4 });
  const endpoint = stunOverDatagramSocket(socket, {
    clock,
    timing: { rtoMs: 100, maxSends: 3, finalWaitFactor: 4 },
  });
  cleanups.push(() => {
    endpoint.dispose();
    socket.close();
  });
  return endpoint;
}

async function streamEndpoint(
  tls: boolean,
  servername = 'turn.example.com',
): Promise<{ endpoint: StunEndpoint; connection: StreamConnection }> {
  const connection = await settle(
    clientHost.connect({
      remote: { ...SERVER, port: tls ? 5349 : 3478 },
      ...(tls ? { tls: { servername } } : {}),
    }),
  );
  const endpoint = stunOverStream(connection, { clock });
  cleanups.push(() => {
    endpoint.dispose();
    connection.close();
  });
  return { endpoint, connection };
}

beforeEach(() => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock);
  clientHost = net.host('198.51.100.10');
  serverHost = net.host('203.0.113.5');
  net.setConditions({ delayMs: 10 });
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  clock.runAll();
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

describe('TurnAllocation (RFC 5766 §6–7, long-term credentials RFC 5389 §10.2)', () => {
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    it(`allocates over ${transport} after the 401 challenge, then releases with LIFETIME 0`, async () => {
      await startServer();
      const endpoint =
        transport === 'udp' ? await udpEndpoint() : (await streamEndpoint(transport === 'tls')).endpoint;
      const allocation = new TurnAllocation({
        endpoint,
        server: SERVER,
        username: 'alice',
        password: 'wonderland',
      });
      const result: TurnAllocateResult = await settle(allocation.allocate({ lifetimeS: 300 }));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.requests).toBe(2);
      expect(result.relayedAddress.address).toBe('203.0.113.5');
      expect(result.mappedAddress?.address).toBe('198.51.100.10');
      expect(result.lifetimeS).toBe(300);
      expect(result.realm).toBe('example.com');
      expect(result.rttMs).toBe(20);
      expect(result.elapsedMs).toBe(40);
      expect(allocation.state).toBe('allocated');
      expect(server.allocations.size).toBe(1);

      const refreshed = await settle(allocation.refresh(120));
      expect(refreshed).toEqual({ ok: true, lifetimeS: 120 });

      const released = await settle(allocation.release());
      expect(released).toEqual({ ok: true, rttMs: 20 });
      expect(allocation.state).toBe('released');
      expect(server.allocations.size).toBe(0);
      const lastRefresh = server.requests(StunMethod.refresh).at(-1);
      expect(lastRefresh?.message.attributes.lifetime).toBe(0);
      expect(lastRefresh?.transport).toBe(transport);
    });
  }

  it('reports wrong credentials as the server’s 401 after one authenticated try', async () => {
    await startServer();
    const allocation = new TurnAllocation({
      endpoint: await udpEndpoint(),
      server: SERVER,
      username: 'alice',
      password: 'guess',
    });
    const result = await settle(allocation.allocate());
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'wrong-credentials', code: 401, reason: 'Unauthorized' },
      requests: 2,
    });
    expect(allocation.state).toBe('failed');
    expect(server.allocations.size).toBe(0);
  });

  it('retries with the new nonce after 438 Stale Nonce', async () => {
    await startServer({
      turn: { realm: 'example.com', users: { alice: 'wonderland' }, staleNonceOnce: true },
    });
    const allocation = new TurnAllocation({
      endpoint: await udpEndpoint(),
      server: SERVER,
      username: 'alice',
      password: 'wonderland',
    });
    const result = await settle(allocation.allocate());
    expect(result.ok && result.requests).toBe(3);
    const nonces = server.requests(StunMethod.allocate).map((r) => r.message.attributes.nonce);
    expect(nonces).toEqual([undefined, 'nonce-0', 'nonce-1']);
    await settle(allocation.release());
  });

  it('reports 486 Allocation Quota Reached and 508 Insufficient Capacity with the server’s words', async () => {
    for (const [code, reason] of [
      [486, 'Allocation Quota Reached'],
      [508, 'Insufficient Capacity'],
    ] as const) {
      await startServer({
        turn: { realm: 'example.com', users: { alice: 'wonderland' }, allocateError: { code, reason } },
      });
      const allocation = new TurnAllocation({
        endpoint: await udpEndpoint(),
        server: SERVER,
        username: 'alice',
        password: 'wonderland',
      });
      const result = await settle(allocation.allocate());
      expect(result).toEqual({ ok: false, failure: { kind: 'error-response', code, reason }, requests: 2 });
      server.close();
    }
  });

  it('gets 437 Allocation Mismatch for a second Allocate on the same 5-tuple', async () => {
    await startServer();
    const endpoint = await udpEndpoint();
    const first = new TurnAllocation({ endpoint, server: SERVER, username: 'alice', password: 'wonderland' });
    expect((await settle(first.allocate())).ok).toBe(true);
    const second = new TurnAllocation({
      endpoint,
      server: SERVER,
      username: 'alice',
      password: 'wonderland',
    });
    const result = await settle(second.allocate());
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'error-response', code: 437, reason: 'Allocation Mismatch' },
    });
    await settle(first.release());
  });

  it('times out on a silent server with the configured schedule', async () => {
    const allocation = new TurnAllocation({
      endpoint: await udpEndpoint(),
      server: SERVER,
      username: 'alice',
      password: 'wonderland',
    });
    const result = await settle(allocation.allocate(), 3_000);
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'timeout', sends: 3, elapsedMs: 700 },
      requests: 1,
    });
  });

  it('fails a TLS connection whose certificate does not match, before any STUN', async () => {
    await startServer();
    await expect(
      settle(
        clientHost.connect({ remote: { ...SERVER, port: 5349 }, tls: { servername: 'other.example.org' } }),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('refuses illegal moves (release before allocate)', async () => {
    const allocation = new TurnAllocation({
      endpoint: await udpEndpoint(),
      server: SERVER,
      username: 'a',
      password: 'b',
    });
    await expect(allocation.release()).rejects.toThrow(/illegal move idle → releasing/);
    await expect(allocation.refresh(10)).rejects.toThrow(/refresh in state idle/);
  });
});
