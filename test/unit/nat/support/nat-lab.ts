/**
 * The in-memory NAT lab of the nat/ unit tests: a client host (10.0.0.2) behind a MemoryNat with the
 * behaviours under test (public address 198.51.100.1), an RFC 5780 STUN server on 203.0.113.5/.6, and a
 * probe context on a FakeClock. `settle` drives fake time until a promise settles.
 */
import { expect } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type {
  MemoryHost,
  MemoryNat,
  MemoryNatOptions,
  SocketAddress,
} from '../../../../src-main/platform/index.ts';
import { NAT_TEST_TIMING } from '../../../../src-main/nat/index.ts';
import type { ProbeContext } from '../../../../src-main/nat/index.ts';
import type { NatTestRecord } from '../../../../src-shared/model/nat.ts';
import { StunTestServer } from './stun-test-server.ts';
import type { StunTestServerOptions } from './stun-test-server.ts';

export const PRIMARY: SocketAddress = { address: '203.0.113.5', port: 3478, family: 4 };
export const ALTERNATE: SocketAddress = { address: '203.0.113.6', port: 3479, family: 4 };
export const NAT_PUBLIC = '198.51.100.1';
export const CLIENT = '10.0.0.2';

export interface Lab {
  clock: FakeClock;
  net: MemoryNetwork;
  client: MemoryHost;
  serverHost: MemoryHost;
  nat: MemoryNat | undefined;
  server: StunTestServer;
  records: NatTestRecord[];
  ctx: ProbeContext;
  /** Advance fake time until `promise` settles (fails the test after `limitMs`). */
  settle<T>(promise: Promise<T>, limitMs?: number): Promise<T>;
  /** Close everything and check that nothing was left behind. */
  close(): void;
}

export interface LabOptions {
  /** Absent: the client has a public address (no NAT). */
  nat?: Omit<MemoryNatOptions, 'publicAddress'>;
  server?: Partial<StunTestServerOptions>;
  /** One-way delay of every link in ms (default 0). */
  delayMs?: number;
}

export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock);
  const serverHost = net.host([PRIMARY.address, ALTERNATE.address], { name: 'stun-server' });
  const client = net.host(options.nat ? CLIENT : '198.51.100.20', { name: 'client' });
  const nat = options.nat
    ? net.addNat({ publicAddress: NAT_PUBLIC, inside: [client], ...options.nat })
    : undefined;
  if (options.delayMs) net.setConditions({ delayMs: options.delayMs });
  const server = await StunTestServer.start({
    host: serverHost,
    primary: { address: PRIMARY.address, port: PRIMARY.port },
    alternate: { address: ALTERNATE.address, port: ALTERNATE.port },
    clock,
    ...options.server,
  });
  const records: NatTestRecord[] = [];
  const ctx: ProbeContext = {
    clock,
    network: client,
    timing: NAT_TEST_TIMING,
    connectTimeoutMs: 5_000,
    tls: {},
    startedAt: clock.monotonic(),
    record: (r) => records.push(r),
  };
  return {
    clock,
    net,
    client,
    serverHost,
    nat,
    server,
    records,
    ctx,
    settle: (promise, limitMs) => settle(clock, promise, limitMs),
    close: () => {
      server.close();
      clock.runAll();
      expect(clock.pendingTimers()).toBe(0);
      expect(net.openSockets()).toBe(0);
    },
  };
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export async function settle<T>(clock: FakeClock, promise: Promise<T>, limitMs = 700_000): Promise<T> {
  let done = false;
  let failed = false;
  let value: T | undefined;
  let failure: unknown;
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
  await flush();
  const start = clock.monotonic();
  while (!done) {
    if (clock.monotonic() - start > limitMs)
      throw new Error(`did not settle within ${limitMs} ms of fake time`);
    const next = clock.nextTimerAt();
    // Jump straight to the next timer (all the waiting is timers), then let promise callbacks run.
    clock.advanceTo(next === undefined ? clock.monotonic() : Math.max(next, clock.monotonic()));
    await flush();
    if (next === undefined && !done) {
      await flush();
      if (!done && clock.nextTimerAt() === undefined)
        throw new Error('nothing left to wait for, and the promise is still pending');
    }
  }
  if (failed) throw failure;
  return value as T;
}
