import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeNetwork, errorCode, tlsCertificateProblemOf } from '../../../src-main/platform/index.ts';
import type {
  DatagramSocket,
  IpFamily,
  StreamConnection,
  StreamServer,
} from '../../../src-main/platform/index.ts';
import { at } from './memory-helpers.ts';
import { makeTestPki } from './test-certificates.ts';
import type { TestPki } from './test-certificates.ts';

const network = new NodeNetwork();
const LOOPBACK: Record<IpFamily, string> = { 4: '127.0.0.1', 6: '::1' };
const SOCKET_HANDLES = new Set(['UDPWrap', 'TCPSocketWrap', 'TCPServerWrap', 'TCPWrap']);

let pki: TestPki;
let baseline = 0;
const toClose: { close(): void }[] = [];

function socketHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => SOCKET_HANDLES.has(r)).length;
}

/** Wait (without asserting any duration) until `predicate` holds or we give up. */
async function eventually(predicate: () => boolean, tries = 400): Promise<void> {
  for (let i = 0; i < tries && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
}

function track<T extends { close(): void }>(thing: T): T {
  toClose.push(thing);
  return thing;
}

beforeAll(() => {
  pki = makeTestPki();
});

beforeEach(() => {
  baseline = socketHandles();
});

afterEach(async () => {
  for (const thing of toClose.splice(0)) thing.close();
  // Leak check: every real socket and server this test opened is gone.
  await eventually(() => socketHandles() <= baseline);
  expect(socketHandles()).toBe(baseline);
});

function nextMessage(socket: DatagramSocket): Promise<{ text: string; from: ReturnType<typeof at> }> {
  return new Promise((resolve) => {
    const sub = socket.onMessage((data, from) => {
      sub.dispose();
      resolve({ text: data.toString(), from });
    });
  });
}

function readUntil(conn: StreamConnection, expected: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    conn.onData((d) => {
      text += d.toString();
      if (text.length >= expected.length) resolve(text);
    });
    conn.onClose((e) => reject(e ?? new Error(`closed after "${text}"`)));
  });
}

function closed(conn: StreamConnection): Promise<Error | undefined> {
  return new Promise((resolve) => conn.onClose((e) => resolve(e)));
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    (c) => {
      if (typeof c === 'object' && c !== null && 'close' in c && typeof c.close === 'function') c.close();
      return 'connected';
    },
    (e: unknown) => errorCode(e) ?? String(e),
  );
}

/** An echo server; returns it and its accepted connections. */
async function echoServer(
  family: IpFamily,
  tls?: Parameters<NodeNetwork['listen']>[0]['tls'],
): Promise<StreamServer> {
  const server = track(await network.listen({ family, address: LOOPBACK[family], ...(tls ? { tls } : {}) }));
  server.onConnection((conn) => {
    track(conn);
    conn.onData((d) => conn.write(d));
  });
  return server;
}

describe.each([4, 6] as const)('NodeNetwork on IPv%i loopback', (family) => {
  const lo = LOOPBACK[family];

  it('UDP: echoes, with `from` as the sender’s address and port', async () => {
    const server = track(await network.bindDatagram({ family, address: lo }));
    server.onMessage((data, from) => server.send(data, from));
    const client = track(await network.bindDatagram({ family, address: lo }));
    expect(server.local).toMatchObject({ address: lo, family });
    expect(server.local.port).toBeGreaterThan(0);
    const reply = nextMessage(client);
    client.send(Buffer.from('ping'), server.local);
    expect(await reply).toEqual({ text: 'ping', from: server.local });
  });

  it('UDP: a wildcard bind reports the wildcard address', async () => {
    const socket = track(await network.bindDatagram({ family }));
    expect(socket.local.address).toBe(family === 6 ? '::' : '0.0.0.0');
  });

  it('UDP: a taken port rejects with EADDRINUSE; a wrong-family address rejects', async () => {
    const first = track(await network.bindDatagram({ family, address: lo }));
    expect(await codeOf(network.bindDatagram({ family, address: lo, port: first.local.port }))).toBe(
      'EADDRINUSE',
    );
    expect(await codeOf(network.bindDatagram({ family, address: LOOPBACK[family === 4 ? 6 : 4] }))).toMatch(
      /not an IPv/,
    );
  });

  it('UDP: a send to the other family is an onError, a send after close throws', async () => {
    const socket = track(await network.bindDatagram({ family, address: lo }));
    const error = new Promise<Error>((resolve) => socket.onError(resolve));
    socket.send(Buffer.from('x'), at(LOOPBACK[family === 4 ? 6 : 4], 9));
    expect(errorCode(await error)).toBe('EAFNOSUPPORT');
    expect(() => socket.send(Buffer.from('x'), { address: 'localhost', port: 9, family })).toThrow(TypeError);
    socket.close();
    socket.close();
    expect(socket.closed).toBe(true);
    expect(() => socket.send(Buffer.from('x'), at(lo, 9))).toThrow(/closed/);
  });

  it('TCP: echoes, reports both addresses, and a close reaches the peer without an error', async () => {
    const server = track(await network.listen({ family, address: lo }));
    const accepted = new Promise<StreamConnection>((resolve) => server.onConnection(resolve));
    const conn = track(await network.connect({ remote: server.local, timeoutMs: 5_000 }));
    const serverSide = track(await accepted);
    serverSide.onData((d) => serverSide.write(d));
    expect(conn.secure).toBe(false);
    expect(conn.remote).toEqual(server.local);
    expect(serverSide.remote).toEqual(conn.local);
    expect(serverSide.local).toEqual(server.local);
    const echoed = readUntil(conn, 'OPTIONS sip:x SIP/2.0');
    conn.write(Buffer.from('OPTIONS sip:x'));
    conn.write(Buffer.from(' SIP/2.0'));
    expect(await echoed).toBe('OPTIONS sip:x SIP/2.0');
    const serverClosed = closed(serverSide);
    const clientClosed = closed(conn);
    conn.close();
    expect(conn.closed).toBe(true);
    expect(await serverClosed).toBeUndefined();
    expect(await clientClosed).toBeUndefined();
    conn.write(Buffer.from('after close is ignored'));
  });

  it('TCP: a closed port rejects with ECONNREFUSED', async () => {
    const probe = await network.listen({ family, address: lo });
    const port = probe.local.port;
    probe.close();
    await eventually(() => socketHandles() <= baseline);
    expect(await codeOf(network.connect({ remote: at(lo, port) }))).toBe('ECONNREFUSED');
  });

  it('TLS: verified with the test CA, by name and by IP address', async () => {
    const server = await echoServer(family, { cert: pki.serverCert, key: pki.serverKey });
    for (const servername of ['localhost', lo]) {
      const conn = track(
        await network.connect({ remote: server.local, tls: { servername, ca: pki.caCert } }),
      );
      expect(conn.secure).toBe(true);
      const echoed = readUntil(conn, 'secure');
      conn.write(Buffer.from('secure'));
      expect(await echoed).toBe('secure');
      conn.close();
    }
  });

  it('TLS: rejected without the CA, with another CA only, and with the wrong servername', async () => {
    const server = await echoServer(family, { cert: pki.serverCert, key: pki.serverKey });
    const tls = (extra: object) =>
      network.connect({ remote: server.local, tls: { servername: 'localhost', ...extra } });
    expect(await codeOf(tls({}))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await codeOf(tls({ ca: pki.otherCaCert, replaceCa: true }))).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    expect(await codeOf(tls({ ca: pki.caCert, servername: 'pbx.example.com' }))).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    // What these codes mean, in words (tls-certificate.ts).
    expect(tlsCertificateProblemOf(await codeOf(tls({})))).toBe('untrusted');
    expect(
      tlsCertificateProblemOf(await codeOf(tls({ ca: pki.caCert, servername: 'pbx.example.com' }))),
    ).toBe('wrong-name');
    expect(await codeOf(tls({ ca: [pki.otherCaCert, pki.caCert], replaceCa: true }))).toBe('connected');
    // Only with explicit intent.
    expect(await codeOf(tls({ rejectUnauthorized: false, servername: 'pbx.example.com' }))).toBe('connected');
  });
});

describe('NodeNetwork specifics', () => {
  it('binds IPv6 sockets IPv6-only: the same port is free for IPv4', async () => {
    const v6 = track(await network.bindDatagram({ family: 6 }));
    const v4 = track(await network.bindDatagram({ family: 4, port: v6.local.port }));
    expect(v4.local.port).toBe(v6.local.port);
    const s6 = track(await network.listen({ family: 6 }));
    const s4 = track(await network.listen({ family: 4, port: s6.local.port }));
    expect(s4.local.port).toBe(s6.local.port);
  });

  it('a listen on a taken port rejects with EADDRINUSE', async () => {
    const first = track(await network.listen({ family: 4, address: '127.0.0.1' }));
    expect(await codeOf(network.listen({ family: 4, address: '127.0.0.1', port: first.local.port }))).toBe(
      'EADDRINUSE',
    );
  });

  it('times out a connect whose TLS handshake never completes (ETIMEDOUT)', async () => {
    const silent = track(await network.listen({ family: 4, address: '127.0.0.1' }));
    silent.onConnection((c) => track(c));
    expect(
      await codeOf(
        network.connect({ remote: silent.local, tls: { servername: 'localhost' }, timeoutMs: 100 }),
      ),
    ).toBe('ETIMEDOUT');
  });

  it('TLS with requestCert: a client with a certificate from the CA gets in, one without does not', async () => {
    const server = await echoServer(4, {
      cert: pki.serverCert,
      key: pki.serverKey,
      ca: pki.caCert,
      requestCert: true,
    });
    const serverErrors: Error[] = [];
    server.onError((e) => serverErrors.push(e));
    const tls = { servername: 'localhost', ca: pki.caCert };
    const good = track(
      await network.connect({
        remote: server.local,
        tls: { ...tls, cert: pki.clientCert, key: pki.clientKey },
      }),
    );
    const echoed = readUntil(good, 'hello');
    good.write(Buffer.from('hello'));
    expect(await echoed).toBe('hello');
    // TLS 1.3: the client may finish its handshake before the server refuses, so the refusal shows up
    // either as a rejected connect or as a close with an error.
    const outcome = await network.connect({ remote: server.local, tls }).then(
      async (conn) => {
        track(conn);
        conn.write(Buffer.from('let me in'));
        return (await closed(conn)) === undefined ? 'closed cleanly' : 'closed with error';
      },
      () => 'rejected',
    );
    expect(['rejected', 'closed with error']).toContain(outcome);
    await eventually(() => serverErrors.length > 0);
    expect(serverErrors.length).toBeGreaterThan(0);
  });

  it('closes connections nobody subscribed to instead of leaving them open', async () => {
    const server = track(await network.listen({ family: 4, address: '127.0.0.1' }));
    const conn = track(await network.connect({ remote: server.local }));
    expect(await closed(conn)).toBeUndefined();
  });

  it('keeps data that arrives before the first onData subscriber', async () => {
    const server = track(await network.listen({ family: 4, address: '127.0.0.1' }));
    server.onConnection((c) => {
      track(c);
      c.write(Buffer.from('welcome'));
    });
    const conn = track(await network.connect({ remote: server.local }));
    await new Promise((r) => setTimeout(r, 50));
    expect(await readUntil(conn, 'welcome')).toBe('welcome');
  });

  it('lists interfaces with numeric families, loopback included', () => {
    const list = network.interfaces();
    expect(list).toContainEqual({
      name: expect.any(String),
      address: '127.0.0.1',
      family: 4,
      internal: true,
    });
    for (const a of list) expect([4, 6]).toContain(a.family);
  });

  it('rejects a connect to a non-numeric address', async () => {
    expect(
      await codeOf(network.connect({ remote: { address: 'localhost', port: 5060, family: 4 } })),
    ).toMatch(/not a numeric IP/);
  });
});
