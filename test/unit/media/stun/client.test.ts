import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type {
  DatagramSocket,
  MemoryHost,
  SocketAddress,
  StreamConnection,
} from '../../../../src-main/platform/index.ts';
import {
  RFC5389_TIMING,
  StunMethod,
  decodeStunMessage,
  encodeStunMessage,
  retransmitSchedule,
  shortTermKey,
  stunOverDatagramSocket,
  verifyMessageIntegrity,
  stunOverStream,
} from '../../../../src-main/media/stun/index.ts';
import type { DecodedStunMessage, StunEndpoint, StunMessage } from '../../../../src-main/media/stun/index.ts';
import { StunTestServer } from '../../nat/support/stun-test-server.ts';

const SERVER: SocketAddress = { address: '203.0.113.5', port: 3478, family: 4 };
const NOBODY: SocketAddress = { address: '203.0.113.5', port: 3999, family: 4 };

let clock: FakeClock;
let net: MemoryNetwork;
let client: MemoryHost;
let serverHost: MemoryHost;
let socket: DatagramSocket;
let endpoint: StunEndpoint;
const cleanups: (() => void)[] = [];

/** Let promise callbacks run (the fake clock runs timers synchronously). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Track a promise's settlement without awaiting it. */
function track<T>(promise: Promise<T>): { value: T | undefined; settled: boolean } {
  const state: { value: T | undefined; settled: boolean } = { value: undefined, settled: false };
  void promise.then((v) => {
    state.value = v;
    state.settled = true;
  });
  return state;
}

/** Advance the fake clock in steps, letting promise callbacks (socket binds, async replies) run between them. */
async function advance(ms: number, step = 10): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await flush();
  }
}

function clientSendTimes(to: SocketAddress): number[] {
  return net.sent
    .filter((p) => p.protocol === 'udp' && p.to.address === to.address && p.to.port === to.port)
    .map((p) => p.sentAt);
}

beforeEach(async () => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock);
  client = net.host('198.51.100.10');
  serverHost = net.host(['203.0.113.5', '203.0.113.6']);
  socket = await client.bindDatagram({ family: 4 });
  endpoint = stunOverDatagramSocket(socket, { clock });
});

afterEach(() => {
  endpoint.dispose();
  socket.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
  clock.runAll();
  // Leak check: no timers, sockets, connections or listeners left behind.
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

describe('StunClientTransaction over UDP (RFC 5389 §7.2.1)', () => {
  it('retransmits at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and fails at 39 500 ms by default', async () => {
    expect(retransmitSchedule(RFC5389_TIMING, false)).toEqual({
      sendsAt: [0, 500, 1500, 3500, 7500, 15500, 31500],
      timeoutAt: 39_500,
    });
    const result = track(endpoint.client.request({ method: StunMethod.binding }, NOBODY));
    clock.advance(39_499);
    await flush();
    expect(clientSendTimes(NOBODY)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(result.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(result.value).toEqual({ outcome: 'timeout', sends: 7, elapsedMs: 39_500 });
    expect(endpoint.client.pendingCount).toBe(0);
  });

  it('follows a configured schedule (RTO 100 ms, Rc 3, Rm 4 → sends at 0, 100, 300, fails at 700)', async () => {
    const timing = { rtoMs: 100, maxSends: 3, finalWaitFactor: 4 };
    const result = track(endpoint.client.request({ method: StunMethod.binding }, NOBODY, { timing }));
    clock.advance(699);
    await flush();
    expect(clientSendTimes(NOBODY)).toEqual([0, 100, 300]);
    expect(result.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(result.value).toEqual({ outcome: 'timeout', sends: 3, elapsedMs: 700 });
  });

  it('stops retransmitting when the response arrives; the RTT is given only for a single send (Karn)', async () => {
    const server = await StunTestServer.start({ host: serverHost, primary: SERVER });
    cleanups.push(() => server.close());
    net.setLinkConditions(client, serverHost, { delayMs: 20 });
    net.dropNext(2, (p) => p.to.port === SERVER.port);
    const result = track(endpoint.client.request({ method: StunMethod.binding }, SERVER));
    await advance(5_000);
    expect(clientSendTimes(SERVER)).toEqual([0, 500, 1500]);
    const r = result.value;
    expect(r?.outcome).toBe('success');
    if (r?.outcome !== 'success') return;
    expect(r.sends).toBe(3);
    expect(r.elapsedMs).toBe(1540);
    expect(r.rttMs).toBeUndefined();
    expect(r.from).toEqual(SERVER);
    expect(r.response.attributes.xorMappedAddress).toEqual({
      address: '198.51.100.10',
      port: socket.local.port,
      family: 4,
    });

    const second = track(endpoint.client.request({ method: StunMethod.binding }, SERVER));
    await advance(100);
    expect(second.value?.outcome === 'success' && second.value.rttMs).toBe(40);
  });

  it('matches a response by transaction id even when it comes from another address (CHANGE-REQUEST)', async () => {
    const server = await StunTestServer.start({
      host: serverHost,
      primary: SERVER,
      alternate: { address: '203.0.113.6', port: 3479 },
    });
    cleanups.push(() => server.close());
    const result = track(
      endpoint.client.request(
        { method: StunMethod.binding, attributes: { changeRequest: { changeIp: true, changePort: true } } },
        SERVER,
      ),
    );
    await advance(50);
    expect(result.value?.outcome).toBe('success');
    if (result.value?.outcome === 'success') {
      expect(result.value.from).toEqual({ address: '203.0.113.6', port: 3479, family: 4 });
      expect(result.value.response.attributes.responseOrigin).toEqual({
        address: '203.0.113.6',
        port: 3479,
        family: 4,
      });
    }
  });

  it('ignores responses to unknown transactions and counts them as discarded', async () => {
    const raw = await serverHost.bindDatagram({ family: 4, address: SERVER.address, port: SERVER.port });
    cleanups.push(() => raw.close());
    const stray: StunMessage = {
      method: StunMethod.binding,
      messageClass: 'success',
      transactionId: Buffer.alloc(12, 7),
      attributes: {},
    };
    raw.send(
      encodeStunMessage(stray),
      socket.local.port === 0 ? SERVER : { address: '198.51.100.10', port: socket.local.port, family: 4 },
    );
    raw.send(Buffer.from('not stun at all'), {
      address: '198.51.100.10',
      port: socket.local.port,
      family: 4,
    });
    await advance(10);
    expect(endpoint.discarded).toBe(2);
  });
});

describe('StunClient response checks', () => {
  let responder: DatagramSocket;
  /** What the scripted server answers to each request. */
  let answer: (request: DecodedStunMessage) => { message: StunMessage; key?: Buffer } | undefined;

  beforeEach(async () => {
    responder = await serverHost.bindDatagram({ family: 4, address: SERVER.address, port: SERVER.port });
    responder.onMessage((data, from) => {
      const decoded = decodeStunMessage(data);
      if (!decoded.ok) return;
      const reply = answer(decoded.message);
      if (reply)
        responder.send(encodeStunMessage(reply.message, reply.key ? { integrityKey: reply.key } : {}), from);
    });
    cleanups.push(() => responder.close());
  });

  const key = shortTermKey('the-password');
  const success = (request: StunMessage): StunMessage => ({
    method: request.method,
    messageClass: 'success',
    transactionId: request.transactionId,
    attributes: { xorMappedAddress: { address: '198.51.100.10', port: 1, family: 4 } },
  });
  const failure = (request: StunMessage, code: number): StunMessage => ({
    method: request.method,
    messageClass: 'error',
    transactionId: request.transactionId,
    attributes: { errorCode: { code, reason: `error ${code}` } },
  });
  const timing = { rtoMs: 100, maxSends: 2, finalWaitFactor: 2 };

  it('signs the request and discards a success response without valid MESSAGE-INTEGRITY', async () => {
    let signedRequests = 0;
    answer = (request) => {
      if (verifyMessageIntegrity(request.bytes, key) && request.hasFingerprint) signedRequests++;
      return { message: success(request) }; // unsigned
    };
    const unsigned = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(400);
    expect(signedRequests).toBe(2);
    expect(unsigned.value).toEqual({ outcome: 'timeout', sends: 2, elapsedMs: 300 });
    expect(endpoint.discarded).toBe(0);

    answer = (request) => ({ message: success(request), key: shortTermKey('wrong') });
    const wrongKey = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(400);
    expect(wrongKey.value?.outcome).toBe('timeout');

    answer = (request) => ({ message: success(request), key });
    const signed = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(20);
    expect(signed.value?.outcome).toBe('success');
  });

  it('accepts unsigned 400/401/420/438 answers to a signed request, but not others (e.g. 487)', async () => {
    answer = (request) => ({ message: failure(request, 401) });
    const r401 = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(20);
    expect(r401.value).toMatchObject({
      outcome: 'error-response',
      error: { code: 401, reason: 'error 401' },
      sends: 1,
    });

    answer = (request) => ({ message: failure(request, 487) });
    const r487 = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(400);
    expect(r487.value?.outcome).toBe('timeout');

    answer = (request) => ({ message: failure(request, 487), key });
    const signed487 = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { integrityKey: key, timing }),
    );
    await advance(20);
    expect(signed487.value).toMatchObject({ outcome: 'error-response', error: { code: 487 } });
  });

  it('fails the transaction on a response with unknown comprehension-required attributes, or an error without ERROR-CODE', async () => {
    // Hand-craft: a success with attribute 0x7f01 appended.
    responder.onMessage((data, from) => {
      const decoded = decodeStunMessage(data);
      if (!decoded.ok || decoded.message.attributes.software !== 'unknown-please') return;
      const bytes = encodeStunMessage(success(decoded.message));
      const message = Buffer.concat([bytes, Buffer.from([0x7f, 0x01, 0, 0])]);
      message.writeUInt16BE(message.length - 20, 2);
      responder.send(message, from);
    });
    answer = () => undefined;
    const unknown = track(
      endpoint.client.request(
        { method: StunMethod.binding, attributes: { software: 'unknown-please' } },
        SERVER,
        { timing },
      ),
    );
    await advance(20);
    expect(unknown.value).toMatchObject({ outcome: 'invalid-response', reason: 'unknown attributes 0x7f01' });

    answer = (request) => ({ message: { ...failure(request, 400), attributes: {} } });
    const bare = track(endpoint.client.request({ method: StunMethod.binding }, SERVER, { timing }));
    await advance(20);
    expect(bare.value).toMatchObject({
      outcome: 'invalid-response',
      reason: 'error response without ERROR-CODE',
    });
  });

  it('cancels on abort and on close; a closed client refuses new requests', async () => {
    answer = () => undefined;
    const controller = new AbortController();
    const aborted = track(
      endpoint.client.request({ method: StunMethod.binding }, SERVER, { signal: controller.signal }),
    );
    clock.advance(600);
    controller.abort();
    await flush();
    expect(aborted.value).toEqual({ outcome: 'cancelled', sends: 2, elapsedMs: 600 });

    const pending = track(endpoint.client.request({ method: StunMethod.binding }, SERVER));
    endpoint.client.close();
    await flush();
    expect(pending.value).toEqual({ outcome: 'cancelled', sends: 1, elapsedMs: 0 });
    const late = await endpoint.client.request({ method: StunMethod.binding }, SERVER);
    expect(late).toEqual({ outcome: 'transport-failed', reason: 'client closed', sends: 0, elapsedMs: 0 });
  });

  it('refuses a second pending request with the same transaction id (a bug)', () => {
    answer = () => undefined;
    const transactionId = Buffer.alloc(12, 1);
    void endpoint.client.request({ method: StunMethod.binding, transactionId }, SERVER);
    expect(() => endpoint.client.request({ method: StunMethod.binding, transactionId }, SERVER)).toThrow(
      /already pending/,
    );
  });
});

describe('STUN over TCP and TLS (RFC 5389 §7.2.2)', () => {
  let connection: StreamConnection;

  afterEach(() => {
    connection.close();
  });

  it('sends once, frames responses split over many segments, and times out at 39.5 s without retransmitting', async () => {
    const server = await StunTestServer.start({ host: serverHost, primary: SERVER, tcpPort: 3478 });
    cleanups.push(() => server.close());
    net.setConditions({ streamSegmentBytes: 7, delayMs: 5 });
    const connecting = track(client.connect({ remote: SERVER }));
    await advance(20);
    if (!connecting.value) throw new Error('no connection');
    connection = connecting.value;
    const stream = stunOverStream(connection, { clock });
    cleanups.push(() => stream.dispose());
    const first = track(stream.client.request({ method: StunMethod.binding }, SERVER));
    const second = track(stream.client.request({ method: StunMethod.binding }, SERVER));
    await advance(100);
    expect(first.value).toMatchObject({ outcome: 'success', sends: 1 });
    expect(second.value).toMatchObject({ outcome: 'success', sends: 1 });
    if (first.value?.outcome === 'success') {
      expect(first.value.response.attributes.xorMappedAddress).toEqual(connection.local);
    }
  });

  it('fails after Ti = 39.5 s with a single send when the server is silent', async () => {
    const listener = await serverHost.listen({ family: 4, address: SERVER.address, port: 3478 });
    cleanups.push(() => listener.close());
    const accepted: StreamConnection[] = [];
    listener.onConnection((c) => accepted.push(c));
    cleanups.push(() => accepted.forEach((c) => c.close()));
    const connecting = track(client.connect({ remote: SERVER }));
    await advance(10);
    if (!connecting.value) throw new Error('no connection');
    connection = connecting.value;
    const stream = stunOverStream(connection, { clock });
    cleanups.push(() => stream.dispose());
    net.clearSent();
    const result = track(stream.client.request({ method: StunMethod.binding }, SERVER));
    clock.advance(39_499);
    await flush();
    expect(result.settled).toBe(false);
    clock.advance(1);
    await flush();
    expect(result.value).toEqual({ outcome: 'timeout', sends: 1, elapsedMs: 39_500 });
    expect(
      net.sent.filter((p) => p.protocol === 'tcp' && p.from.port === connection.local.port),
    ).toHaveLength(1);
  });

  it('fails pending transactions when the connection closes, and on bytes that cannot be framed', async () => {
    const listener = await serverHost.listen({ family: 4, address: SERVER.address, port: 3478 });
    cleanups.push(() => listener.close());
    const accepted: StreamConnection[] = [];
    listener.onConnection((c) => accepted.push(c));
    const connecting = track(client.connect({ remote: SERVER }));
    await advance(10);
    if (!connecting.value) throw new Error('no connection');
    connection = connecting.value;
    const failures: string[] = [];
    const stream = stunOverStream(connection, { clock, onFailure: (r) => failures.push(r) });
    cleanups.push(() => stream.dispose());
    const result = track(stream.client.request({ method: StunMethod.binding }, SERVER));
    await advance(10);
    // A TLS record where STUN should be (a plain TCP client on a TLS port).
    accepted[0]?.write(Buffer.from('160303007a020000760303', 'hex'));
    await advance(10);
    expect(result.value).toMatchObject({ outcome: 'transport-failed', sends: 1 });
    expect(failures[0]).toBe('no STUN magic cookie');
    accepted[0]?.close();
    await advance(10);
    expect(failures[1]).toBe('connection closed');
  });
});
