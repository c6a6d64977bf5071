import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork, errorCode } from '../../../src-main/platform/index.ts';
import type {
  MemoryHost,
  MemoryStreamConnection,
  MemoryStreamServer,
  StreamConnection,
} from '../../../src-main/platform/index.ts';
import { at, expectNoLeaks, settle } from './memory-helpers.ts';
import { makeTestPki } from './test-certificates.ts';
import type { TestPki } from './test-certificates.ts';

const SERVER = '203.0.113.5';

let clock: FakeClock;
let net: MemoryNetwork;
let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

function setup(options: { delayMs?: number } = {}): { client: MemoryHost; server: MemoryHost } {
  clock = new FakeClock();
  net = new MemoryNetwork(clock, { conditions: { delayMs: options.delayMs ?? 0 } });
  return { client: net.host('192.0.2.10'), server: net.host(SERVER) };
}

afterEach(async () => {
  clock.runAll();
  await settle();
  expectNoLeaks(net, clock);
});

/** A connection's received text and its close, as they happen. */
function watch(conn: StreamConnection) {
  const state = {
    data: '',
    chunks: [] as string[],
    closed: false,
    error: undefined as Error | undefined,
    closedAt: -1,
  };
  conn.onData((d) => {
    state.data += d.toString();
    state.chunks.push(d.toString());
  });
  conn.onClose((e) => {
    state.closed = true;
    state.error = e;
    state.closedAt = clock.monotonic();
  });
  return state;
}

/** Connect while moving the clock until the connect settles. */
async function connectNow(
  host: MemoryHost,
  options: Parameters<MemoryHost['connect']>[0],
): Promise<MemoryStreamConnection> {
  const p = host.connect(options);
  let done = false;
  void p.finally(() => (done = true)).catch(() => undefined);
  for (let i = 0; i < 10_000 && !done; i++) {
    if (!clock.runNext()) clock.advance(0);
    await settle();
  }
  return p;
}

async function failureOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => 'connected',
    (e: unknown) => errorCode(e),
  );
}

function accept(server: MemoryStreamServer): MemoryStreamConnection[] {
  const accepted: MemoryStreamConnection[] = [];
  server.onConnection((c) => accepted.push(c));
  return accepted;
}

describe('MemoryNetwork streams', () => {
  it('connects in one round trip: server sees the SYN after one delay, the client resolves after two', async () => {
    const { client, server } = setup({ delayMs: 25 });
    const listener = await server.listen({ family: 4, port: 5060 });
    const acceptedAt: number[] = [];
    listener.onConnection((c) => {
      acceptedAt.push(clock.monotonic());
      c.write(Buffer.from('greeting'));
    });
    let resolvedAt = -1;
    const p = client.connect({ remote: at(SERVER, 5060) }).then((c) => ((resolvedAt = clock.monotonic()), c));
    expect(net.openSockets()).toBe(2); // the listener and the connect in progress
    clock.advance(24);
    await settle();
    expect(acceptedAt).toEqual([]);
    clock.advance(1);
    expect(acceptedAt).toEqual([25]);
    clock.advance(25);
    const conn = await p;
    expect(resolvedAt).toBe(50);
    expect(conn.local).toEqual(at('192.0.2.10', 49152));
    expect(conn.remote).toEqual(at(SERVER, 5060));
    expect(conn.secure).toBe(false);
    // Data that arrived before anyone subscribed is handed to the first subscriber.
    const seen = watch(conn);
    await settle();
    expect(seen.data).toBe('greeting');
    conn.close();
    listener.close();
  });

  it('carries data both ways in order and closes gracefully', async () => {
    const { client, server } = setup({ delayMs: 10 });
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    const serverSide = accepted[0]!;
    expect(serverSide.remote).toEqual(at('192.0.2.10', 49152));
    expect(serverSide.local).toEqual(at(SERVER, 5060));
    const c = watch(conn);
    const s = watch(serverSide);
    conn.write(Buffer.from('REGISTER '));
    conn.write(Buffer.from('sip:example.com'));
    serverSide.write(Buffer.from('SIP/2.0 200 OK'));
    clock.advance(10);
    expect(s.chunks).toEqual(['REGISTER ', 'sip:example.com']);
    expect(c.data).toBe('SIP/2.0 200 OK');
    conn.write(Buffer.from('last words'));
    conn.close();
    expect(conn.closed).toBe(true);
    conn.write(Buffer.from('ignored after close'));
    await settle();
    expect(c).toMatchObject({ closed: true, error: undefined });
    expect(s.closed).toBe(false);
    clock.advance(10);
    expect(s.data).toBe('REGISTER sip:example.comlast words');
    expect(s).toMatchObject({ closed: true, error: undefined, closedAt: 40 });
    expect(serverSide.closed).toBe(true);
    expect(net.sent.filter((p) => p.protocol === 'tcp').map((p) => Buffer.from(p.bytes).toString())).toEqual([
      'REGISTER ',
      'sip:example.com',
      'SIP/2.0 200 OK',
      'last words',
    ]);
    listener.close();
  });

  it('refuses a connection to a port nobody listens on (ECONNREFUSED after a round trip)', async () => {
    const { client } = setup({ delayMs: 30 });
    let failedAt = -1;
    const p = client.connect({ remote: at(SERVER, 5061) }).catch((e: unknown) => {
      failedAt = clock.monotonic();
      throw e;
    });
    clock.advance(60);
    expect(await failureOf(p)).toBe('ECONNREFUSED');
    expect(failedAt).toBe(60);
  });

  it('times out towards an address nobody has, after timeoutMs or the default 127 s', async () => {
    const { client } = setup();
    const p = client.connect({ remote: at('203.0.113.99', 5060), timeoutMs: 2_000 });
    clock.advance(1_999);
    await settle();
    clock.advance(1);
    expect(await failureOf(p)).toBe('ETIMEDOUT');
    const q = client.connect({ remote: at('203.0.113.99', 5060) });
    clock.advance(126_999);
    await settle();
    expect(net.openSockets()).toBe(1);
    clock.advance(1);
    expect(await failureOf(q)).toBe('ETIMEDOUT');
  });

  it('a connect that gives up while the answer is on its way resets the server side', async () => {
    const { client, server } = setup({ delayMs: 100 });
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const p = client.connect({ remote: at(SERVER, 5060), timeoutMs: 150 });
    clock.advance(150);
    expect(await failureOf(p)).toBe('ETIMEDOUT');
    const s = watch(accepted[0]!);
    clock.advance(50);
    await settle();
    expect(s.closed).toBe(true);
    expect(errorCode(s.error)).toBe('ECONNRESET');
    listener.close();
  });

  it('listen: ephemeral and explicit ports, EADDRINUSE, foreign address; close keeps accepted connections', async () => {
    const { client, server } = setup();
    const l1 = await server.listen({ family: 4 });
    expect(l1.local).toEqual(at('0.0.0.0', 49152));
    const l2 = await server.listen({ family: 4, port: 5060, address: SERVER });
    await expect(server.listen({ family: 4, port: 5060 })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(server.listen({ family: 4, address: '192.0.2.10' })).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
    });
    const v6 = await server.listen({ family: 6, port: 5060, address: '::1' });
    const accepted = accept(l2);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    l2.close();
    l2.close();
    const c = watch(conn);
    accepted[0]!.write(Buffer.from('still here'));
    clock.advance(0);
    await settle();
    expect(c.data).toBe('still here');
    expect(await failureOf(connectNow(client, { remote: at(SERVER, 5060) }))).toBe('ECONNREFUSED');
    conn.close();
    for (const l of [l1, v6]) l.close();
  });

  it('reset() closes the peer with ECONNRESET; a listener nobody listens to resets its connections', async () => {
    const { client, server } = setup({ delayMs: 5 });
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    const s = watch(accepted[0]!);
    const c = watch(conn);
    conn.reset();
    clock.advance(5);
    await settle();
    expect(errorCode(s.error)).toBe('ECONNRESET');
    expect(c).toMatchObject({ closed: true, error: undefined });

    const deaf = await server.listen({ family: 4, port: 5070 });
    const orphan = await connectNow(client, { remote: at(SERVER, 5070) });
    const o = watch(orphan);
    clock.advance(5);
    await settle();
    expect(errorCode(o.error)).toBe('ECONNRESET');
    for (const l of [listener, deaf]) l.close();
  });

  it('a late onClose subscriber still hears about the close, once', async () => {
    const { client, server } = setup();
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    accepted[0]!.close();
    clock.advance(0);
    await settle();
    expect(conn.closed).toBe(true);
    const calls: (Error | undefined)[] = [];
    conn.onClose((e) => calls.push(e));
    const cancelled = conn.onClose(() => calls.push(new Error('must not run')));
    cancelled.dispose();
    await settle();
    expect(calls).toEqual([undefined]);
    listener.close();
  });

  it('loopback and own-address connections stay inside the host, with no delay', async () => {
    const { server } = setup({ delayMs: 500 });
    const listener = await server.listen({ family: 6, port: 5060, address: '::1' });
    const accepted = accept(listener);
    const p = server.connect({ remote: at('::1', 5060) });
    clock.advance(0);
    const conn = await p;
    expect(conn.local).toEqual(at('::1', 49152));
    expect(accepted[0]!.remote).toEqual(at('::1', 49152));
    conn.close();
    listener.close();
  });

  it('segments writes when streamSegmentBytes is set; jitter keeps the byte order', async () => {
    const { client, server } = setup();
    net.setConditions({ streamSegmentBytes: 4, jitterMs: 20 });
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    const s = watch(accepted[0]!);
    conn.write(Buffer.from('INVITE sip:bob'));
    conn.write(Buffer.from('@example.com'));
    clock.advance(100);
    await settle();
    expect(s.chunks).toEqual(['INVI', 'TE s', 'ip:b', 'ob', '@exa', 'mple', '.com']);
    conn.close();
    listener.close();
  });

  it('a removed address black-holes the connection’s data', async () => {
    const { client, server } = setup();
    const listener = await server.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(client, { remote: at(SERVER, 5060) });
    const s = watch(accepted[0]!);
    client.removeAddress('192.0.2.10');
    conn.write(Buffer.from('into the void'));
    clock.advance(0);
    await settle();
    expect(s.data).toBe('');
    expect(net.sent.at(-1)?.dropReason).toBe('no-route');
    conn.reset();
    clock.advance(0);
    listener.close();
  });
});

describe('MemoryNetwork TLS streams', () => {
  it('marks the connection secure when the servername is one of the listener’s names', async () => {
    const { client, server } = setup();
    const listener = await server.listen({
      family: 4,
      port: 5061,
      tls: { cert: 'unused', key: 'unused', names: ['pbx.example.com', '*.voip.example.com', SERVER] },
    });
    const accepted = accept(listener);
    for (const servername of ['pbx.example.com', 'PBX.example.com.', 'eu.voip.example.com', SERVER]) {
      const conn = await connectNow(client, { remote: at(SERVER, 5061), tls: { servername } });
      expect(conn.secure).toBe(true);
      conn.close();
    }
    expect(accepted.every((c) => c.secure)).toBe(true);
    for (const servername of ['other.example.com', 'a.b.voip.example.com', 'voip.example.com']) {
      expect(await failureOf(connectNow(client, { remote: at(SERVER, 5061), tls: { servername } }))).toBe(
        'ERR_TLS_CERT_ALTNAME_INVALID',
      );
    }
    // Verification off: any name goes.
    const lax = await connectNow(client, {
      remote: at(SERVER, 5061),
      tls: { servername: 'x', rejectUnauthorized: false },
    });
    lax.close();
    clock.advance(0);
    listener.close();
  });

  it('trusts a certificate from a private CA only with that anchor among the client’s `ca`, before the name check', async () => {
    const { client, server } = setup();
    const issuer = '-----BEGIN CERTIFICATE-----\nLAB-CA\n-----END CERTIFICATE-----\n';
    const listener = await server.listen({
      family: 4,
      port: 5061,
      tls: { cert: 'unused', key: 'unused', names: ['pbx.example.com'], issuer },
    });
    accept(listener);
    const connect = (tls: { servername: string; ca?: string | string[]; rejectUnauthorized?: boolean }) =>
      failureOf(connectNow(client, { remote: at(SERVER, 5061), tls }));
    expect(await connect({ servername: 'pbx.example.com' })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await connect({ servername: 'pbx.example.com', ca: 'another CA' })).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    // Node verifies the chain before the name: an untrusted certificate is reported as such.
    expect(await connect({ servername: 'other.example.com' })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await connect({ servername: 'other.example.com', ca: issuer })).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    const trusted = await connectNow(client, {
      remote: at(SERVER, 5061),
      tls: { servername: 'pbx.example.com', ca: ['another CA', issuer.trim()] },
    });
    expect(trusted.secure).toBe(true);
    trusted.close();
    const lax = await connectNow(client, {
      remote: at(SERVER, 5061),
      tls: { servername: 'pbx.example.com', rejectUnauthorized: false },
    });
    lax.close();
    clock.advance(0);
    listener.close();
  });

  it('takes the names from a real certificate when no names are given', async () => {
    const { client, server } = setup();
    const listener = await server.listen({
      family: 4,
      port: 5061,
      tls: { cert: pki.serverCert, key: pki.serverKey },
    });
    accept(listener);
    const ok = await connectNow(client, { remote: at(SERVER, 5061), tls: { servername: 'localhost' } });
    const byIp = await connectNow(client, { remote: at(SERVER, 5061), tls: { servername: '::1' } });
    expect(
      await failureOf(
        connectNow(client, { remote: at(SERVER, 5061), tls: { servername: 'pbx.example.com' } }),
      ),
    ).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await expect(
      server.listen({ family: 4, tls: { cert: 'not a certificate', key: '' } }),
    ).rejects.toMatchObject({
      code: 'EINVAL',
    });
    for (const c of [ok, byIp]) c.close();
    listener.close();
  });

  it('fails on a TLS/plain mismatch and on a missing client certificate', async () => {
    const { client, server } = setup();
    const plain = await server.listen({ family: 4, port: 5060 });
    const secure = await server.listen({
      family: 4,
      port: 5061,
      tls: { cert: '', key: '', names: ['pbx'], requestCert: true },
    });
    const serverErrors: string[] = [];
    secure.onError((e) => serverErrors.push(errorCode(e) ?? e.message));
    accept(secure);
    expect(
      await failureOf(connectNow(client, { remote: at(SERVER, 5060), tls: { servername: 'pbx' } })),
    ).toBe('EPROTO');
    expect(await failureOf(connectNow(client, { remote: at(SERVER, 5061) }))).toBe('ECONNRESET');
    expect(
      await failureOf(connectNow(client, { remote: at(SERVER, 5061), tls: { servername: 'pbx' } })),
    ).toBe('EPROTO');
    expect(serverErrors).toEqual(['EPROTO']);
    const withCert = await connectNow(client, {
      remote: at(SERVER, 5061),
      tls: { servername: 'pbx', cert: pki.clientCert, key: pki.clientKey },
    });
    expect(withCert.secure).toBe(true);
    withCert.close();
    plain.close();
    secure.close();
  });
});

describe('MemoryNetwork streams through NAT', () => {
  it('maps the source; the mapping lives as long as the connection', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    const nat = net.addNat({ publicAddress: '198.51.100.1', portPreservation: false, firstPort: 30000 });
    const phone = net.host('10.0.0.2', { nat });
    const pbx = net.host(SERVER);
    const listener = await pbx.listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const conn = await connectNow(phone, { remote: at(SERVER, 5060) });
    expect(conn.local).toEqual(at('10.0.0.2', 49152));
    expect(accepted[0]!.remote).toEqual(at('198.51.100.1', 30000));
    expect(nat.mappings('tcp').map((m) => [m.internal, m.external])).toEqual([
      [at('10.0.0.2', 49152), at('198.51.100.1', 30000)],
    ]);
    // UDP and TCP mappings are separate; a long idle time does not expire a TCP mapping.
    clock.advance(3_600_000);
    expect(nat.mappings('udp')).toEqual([]);
    expect(nat.mappings('tcp')).toHaveLength(1);
    conn.close();
    expect(nat.mappings('tcp')).toEqual([]);
    clock.advance(0);
    listener.close();
  });

  it('a NAT losing its state resets the connections through it (both ends ECONNRESET)', async () => {
    for (const lose of ['flush', 'rebind', 'changePublicAddress'] as const) {
      clock = new FakeClock();
      net = new MemoryNetwork(clock);
      const nat = net.addNat({ publicAddress: '198.51.100.1' });
      const phone = net.host('10.0.0.2', { nat });
      const listener = await net.host(SERVER).listen({ family: 4, port: 5060 });
      const accepted = accept(listener);
      const conn = await connectNow(phone, { remote: at(SERVER, 5060) });
      const c = watch(conn);
      const s = watch(accepted[0]!);
      if (lose === 'changePublicAddress') nat.changePublicAddress('198.51.100.2');
      else nat[lose]();
      clock.advance(0);
      await settle();
      expect([errorCode(c.error), errorCode(s.error)]).toEqual(['ECONNRESET', 'ECONNRESET']);
      expect(nat.mappings()).toEqual([]);
      listener.close();
      expectNoLeaks(net, clock);
    }
  });

  it('a NAT losing its state between the SYN and the answer resets both sides', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock, { conditions: { delayMs: 50 } });
    const nat = net.addNat({ publicAddress: '198.51.100.1' });
    const phone = net.host('10.0.0.2', { nat });
    const listener = await net.host(SERVER).listen({ family: 4, port: 5060 });
    const accepted = accept(listener);
    const p = phone.connect({ remote: at(SERVER, 5060), timeoutMs: 1_000 });
    clock.advance(50);
    const s = watch(accepted[0]!);
    nat.flush();
    clock.advance(50);
    expect(await failureOf(p)).toBe('ECONNRESET');
    await settle();
    expect(errorCode(s.error)).toBe('ECONNRESET');
    listener.close();
  });

  it('there is no port forwarding: a connect to the NAT’s public address times out', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock);
    const nat = net.addNat({ publicAddress: '198.51.100.1' });
    const inside = net.host('10.0.0.2', { nat });
    const listener = await inside.listen({ family: 4, port: 5060 });
    const outsider = net.host(SERVER);
    const p = outsider.connect({ remote: at('198.51.100.1', 5060), timeoutMs: 1_000 });
    clock.advance(1_000);
    expect(await failureOf(p)).toBe('ETIMEDOUT');
    listener.close();
  });

  it('a NAT losing its state while the SYN is on its way makes the connect time out', async () => {
    clock = new FakeClock();
    net = new MemoryNetwork(clock, { conditions: { delayMs: 50 } });
    const nat = net.addNat({ publicAddress: '198.51.100.1' });
    const phone = net.host('10.0.0.2', { nat });
    const listener = await net.host(SERVER).listen({ family: 4, port: 5060 });
    const p = phone.connect({ remote: at(SERVER, 5060), timeoutMs: 1_000 });
    clock.advance(10);
    nat.flush();
    clock.advance(990);
    expect(await failureOf(p)).toBe('ETIMEDOUT');
    listener.close();
  });
});
