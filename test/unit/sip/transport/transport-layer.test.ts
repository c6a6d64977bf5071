import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type {
  MemoryHost,
  MemoryNat,
  MemoryTlsServerOptions,
  SocketAddress,
  StreamConnection,
  StreamServer,
} from '../../../../src-main/platform/index.ts';
import { SipTransportLayer } from '../../../../src-main/sip/transport/index.ts';
import type {
  FlowClosed,
  IncomingRequest,
  IncomingResponse,
  SipFlow,
  SipTransportOptions,
} from '../../../../src-main/sip/transport/index.ts';
import { createResponse, serialize } from '../../../../src-main/sip/syntax/index.ts';
import { StunMethod, decodeStunMessage, encodeStunMessage } from '../../../../src-main/media/stun/index.ts';
import { flush, parse, run, settle, simpleRequest } from './support.ts';

let clock: FakeClock;
let net: MemoryNetwork;
let layers: SipTransportLayer[];
let raw: { close(): void }[];

beforeEach(() => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock);
  layers = [];
  raw = [];
});

afterEach(async () => {
  for (const l of layers) l.close();
  for (const r of raw) r.close();
  await flush();
  clock.runAll();
  await flush();
  clock.runAll();
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

async function layer(
  host: MemoryHost,
  options: Partial<SipTransportOptions> = {},
): Promise<SipTransportLayer> {
  const t = new SipTransportLayer({
    clock,
    network: host,
    udp: { families: [4], port: 5060 },
    random: () => 0.5,
    ...options,
  });
  layers.push(t);
  await t.start();
  return t;
}

function collect<T>(subscribe: (l: (v: T) => void) => unknown): T[] {
  const out: T[] = [];
  subscribe((v) => out.push(v));
  return out;
}

async function flowTo(
  t: SipTransportLayer,
  transport: 'udp' | 'tcp' | 'tls',
  address: string,
  port = 5060,
  hostname?: string,
): Promise<SipFlow> {
  const r = await settle(
    clock,
    t.acquireFlow({ transport, address, port, family: 4, ...(hostname !== undefined && { hostname }) }),
  );
  if (!r.ok) throw new Error(r.error.reason);
  return r.flow;
}

async function sendRequest(t: SipTransportLayer, flow: SipFlow, method = 'OPTIONS', body?: string) {
  const host = flow.remote.family === 6 ? `[${flow.remote.address}]` : flow.remote.address;
  const request = simpleRequest(method, `sip:${host}`, [], body);
  t.prepareRequest(request, flow);
  expect(t.send(flow, serialize(request))).toEqual({ ok: true });
  await run(clock, 0);
  return request;
}

/** Client 10.0.0.2 behind a port-restricted NAT 198.51.100.1 (external ports from 20000), server 203.0.113.5. */
function natWorld(): { client: MemoryHost; server: MemoryHost; nat: MemoryNat } {
  const client = net.host('10.0.0.2');
  const nat = net.addNat({
    publicAddress: '198.51.100.1',
    inside: [client],
    portPreservation: false,
    firstPort: 20000,
  });
  const server = net.host('203.0.113.5');
  return { client, server, nat };
}

describe('SipTransportLayer over UDP', () => {
  it('stamps Via with the socket address and rport, and the server adds received/rport (RFC 3581)', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    const b = await layer(server);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    expect(flow.local).toEqual({ address: '10.0.0.2', port: 5060, family: 4 });
    const sent = await sendRequest(a, flow);
    expect(sent.headers.get('Via')).toBe(`SIP/2.0/UDP 10.0.0.2:5060;branch=${sent.topVia.branch};rport`);
    expect(requests).toHaveLength(1);
    const incoming = requests[0]!;
    expect(incoming.origin.source).toEqual({ address: '198.51.100.1', port: 20000, family: 4 });
    expect(incoming.request.headers.get('Via')).toBe(
      `SIP/2.0/UDP 10.0.0.2:5060;branch=${sent.topVia.branch};received=198.51.100.1;rport=20000`,
    );
  });

  it('routes the response to received:rport through the NAT and reports our public address', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    const b = await layer(server);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const responses = collect<IncomingResponse>((l) => a.onResponse(l));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    await sendRequest(a, flow);
    const incoming = requests[0]!;
    expect(await b.sendResponse(createResponse(incoming.request, 200), incoming.origin)).toEqual({
      ok: true,
    });
    await run(clock, 0);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.response.status).toBe(200);
    expect(responses[0]!.reflexive).toEqual({ address: '198.51.100.1', port: 20000, family: 4 });
    expect(flow.mappedAddress).toEqual({ address: '198.51.100.1', port: 20000, family: 4 });
  });

  it('a UAS behind the NAT receives requests over the mapping it opened, and answers them', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    const b = await layer(server);
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    const atA = collect<IncomingRequest>((l) => a.onRequest(l));
    const responsesAtB = collect<IncomingResponse>((l) => b.onResponse(l));
    await sendRequest(a, await flowTo(a, 'udp', '203.0.113.5'), 'REGISTER');
    const seen = atB[0]!.origin.source;
    // The registrar sends an INVITE to the address it saw (RFC 3581 / RFC 5626 over UDP).
    const back = await flowTo(b, 'udp', seen.address, seen.port);
    await sendRequest(b, back, 'INVITE');
    expect(atA).toHaveLength(1);
    expect(atA[0]!.request.method).toBe('INVITE');
    expect(atA[0]!.origin.source).toEqual({ address: '203.0.113.5', port: 5060, family: 4 });
    await a.sendResponse(createResponse(atA[0]!.request, 180, undefined, { toTag: 't' }), atA[0]!.origin);
    await run(clock, 0);
    expect(responsesAtB.map((r) => r.response.status)).toEqual([180]);
  });

  it('works over IPv6: bracketed sent-by, received without brackets, response back', async () => {
    const a = await layer(net.host('2001:db8::1'), { udp: { families: [6], port: 5060 } });
    const b = await layer(net.host('2001:db8::2'), { udp: { families: [6], port: 5060 } });
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    const atA = collect<IncomingResponse>((l) => a.onResponse(l));
    const r = await settle(
      clock,
      a.acquireFlow({ transport: 'udp', address: '2001:db8::2', port: 5060, family: 6 }),
    );
    if (!r.ok) throw new Error(r.error.reason);
    const sent = await sendRequest(a, r.flow);
    expect(sent.headers.get('Via')).toBe(`SIP/2.0/UDP [2001:db8::1]:5060;branch=${sent.topVia.branch};rport`);
    expect(atB[0]!.origin.via.received).toBe('2001:db8::1');
    await b.sendResponse(createResponse(atB[0]!.request, 200), atB[0]!.origin);
    await run(clock, 0);
    expect(atA[0]!.reflexive).toEqual({ address: '2001:db8::1', port: 5060, family: 6 });
  });

  it('answers a Via without rport at received and the sent-by port (RFC 3261 §18.2.2)', async () => {
    const server = net.host('203.0.113.5');
    const peer = net.host('192.0.2.7');
    const b = await layer(server);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const sock5062 = await peer.bindDatagram({ family: 4, port: 5062 });
    const sock40000 = await peer.bindDatagram({ family: 4, port: 40000 });
    raw.push(sock5062, sock40000);
    const got = collect<[Buffer, SocketAddress]>((l) => sock5062.onMessage((d, f) => l([d, f])));
    const text =
      'OPTIONS sip:b@203.0.113.5 SIP/2.0\r\nVia: SIP/2.0/UDP peer.example.net:5062;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\n' +
      'From: <sip:a@peer.example.net>;tag=1\r\nTo: <sip:b@203.0.113.5>\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    sock40000.send(Buffer.from(text), { address: '203.0.113.5', port: 5060, family: 4 });
    await run(clock, 0);
    // A domain sent-by gets received= (§18.2.1); no rport, so the answer goes to received : sent-by port.
    expect(requests[0]!.origin.via.received).toBe('192.0.2.7');
    expect(requests[0]!.origin.via.rport).toBeUndefined();
    await b.sendResponse(createResponse(requests[0]!.request, 200), requests[0]!.origin);
    await run(clock, 0);
    expect(got).toHaveLength(1);
    expect(got[0]![1]).toEqual({ address: '203.0.113.5', port: 5060, family: 4 });
    expect(parse(got[0]![0]).kind).toBe('response');
  });

  it('answers malformed requests with the parser verdict and drops what cannot be answered', async () => {
    const server = net.host('203.0.113.5');
    const peer = net.host('192.0.2.7');
    const b = await layer(server);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const sock = await peer.bindDatagram({ family: 4, port: 5060 });
    raw.push(sock);
    const got = collect<string>((l) => sock.onMessage((d) => l(d.toString('latin1'))));
    const to = { address: '203.0.113.5', port: 5060, family: 4 as const };
    const head =
      'Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-2;rport\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c2\r\n';
    sock.send(
      Buffer.from(`OPTIONS sip:b@y SIP/2.0\r\n${head}CSeq: abc OPTIONS\r\nContent-Length: 0\r\n\r\n`),
      to,
    );
    sock.send(
      Buffer.from(`OPTIONS sip:b@y SIP/3.0\r\n${head}CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`),
      to,
    );
    sock.send(Buffer.from('SIP/2.0 200 OK\r\nCSeq: x\r\n\r\n'), to); // a broken response: dropped
    sock.send(Buffer.from('\r\n\r\n'), to); // a CRLF keepalive: absorbed
    await run(clock, 0);
    expect(requests).toEqual([]);
    expect(got.map((g) => g.split('\r\n')[0])).toEqual([
      'SIP/2.0 400 Bad Request (invalid CSeq)',
      'SIP/2.0 505 Version Not Supported',
    ]);
  });

  it('drops responses whose top Via we did not send (RFC 3261 §18.1.2)', async () => {
    const client = net.host('192.0.2.1');
    const peer = net.host('192.0.2.7');
    const a = await layer(client);
    const responses = collect<IncomingResponse>((l) => a.onResponse(l));
    const sock = await peer.bindDatagram({ family: 4, port: 5060 });
    raw.push(sock);
    const text =
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-3\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\n' +
      'Call-ID: c3\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    sock.send(Buffer.from(text), { address: '192.0.2.1', port: 5060, family: 4 });
    await run(clock, 0);
    expect(responses).toEqual([]);
  });

  it('answers STUN Binding requests on the SIP socket and never hands STUN to the parser', async () => {
    const server = net.host('203.0.113.5');
    const peer = net.host('192.0.2.7');
    const b = await layer(server);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const sock = await peer.bindDatagram({ family: 4, port: 7000 });
    raw.push(sock);
    const got = collect<Buffer>((l) => sock.onMessage((d) => l(d)));
    const id = Buffer.from('0123456789ab');
    sock.send(
      encodeStunMessage({
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId: id,
        attributes: {},
      }),
      {
        address: '203.0.113.5',
        port: 5060,
        family: 4,
      },
    );
    await run(clock, 0);
    expect(requests).toEqual([]);
    const decoded = decodeStunMessage(got[0]!);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.messageClass).toBe('success');
    expect(decoded.message.attributes.xorMappedAddress).toEqual({
      address: '192.0.2.7',
      port: 7000,
      family: 4,
    });
  });

  it('sends a request over 1300 bytes over TCP to the same address (RFC 3261 §18.1.1), UDP when TCP is refused', async () => {
    const client = net.host('192.0.2.1');
    const withTcp = net.host('203.0.113.5');
    const udpOnly = net.host('203.0.113.6');
    const a = await layer(client);
    const b = await layer(withTcp, { tcpListener: { port: 5060 } });
    await layer(udpOnly);
    const requests = collect<IncomingRequest>((l) => b.onRequest(l));
    const big = await settle(
      clock,
      a.acquireFlow(
        { transport: 'udp', address: '203.0.113.5', port: 5060, family: 4 },
        { messageBytes: 1301 },
      ),
    );
    if (!big.ok) throw new Error('no flow');
    expect(big.flow.transport).toBe('tcp');
    const sent = await sendRequest(a, big.flow, 'MESSAGE', 'x'.repeat(1300));
    expect(sent.topVia.transport).toBe('TCP');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.request.body.length).toBe(1300);
    const fallback = await settle(
      clock,
      a.acquireFlow(
        { transport: 'udp', address: '203.0.113.6', port: 5060, family: 4 },
        { messageBytes: 1400 },
      ),
    );
    expect(fallback.ok && fallback.flow.transport).toBe('udp');
    const small = await settle(
      clock,
      a.acquireFlow(
        { transport: 'udp', address: '203.0.113.5', port: 5060, family: 4 },
        { messageBytes: 1300 },
      ),
    );
    expect(small.ok && small.flow.transport).toBe('udp');
  });
});

describe('SipTransportLayer over TCP and TLS', () => {
  it('reuses one connection per remote; the server answers and sends requests over the connection the client opened', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    const b = await layer(server, { tcpListener: { port: 5060 } });
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    const atA = collect<IncomingRequest>((l) => a.onRequest(l));
    const responsesAtA = collect<IncomingResponse>((l) => a.onResponse(l));
    const [f1, f2] = await Promise.all([flowTo(a, 'tcp', '203.0.113.5'), flowTo(a, 'tcp', '203.0.113.5')]);
    expect(f1).toBe(f2);
    expect(await flowTo(a, 'tcp', '203.0.113.5')).toBe(f1);
    expect(f1.reliable).toBe(true);
    await sendRequest(a, f1, 'REGISTER');
    const origin = atB[0]!.origin;
    expect(origin.flow.transport).toBe('tcp');
    expect(origin.source).toEqual({ address: '198.51.100.1', port: 20000, family: 4 });
    await b.sendResponse(createResponse(atB[0]!.request, 200), origin);
    await run(clock, 0);
    expect(responsesAtA.map((r) => r.response.status)).toEqual([200]);
    // An incoming INVITE over the registered connection (no new connection: the NAT would block it).
    const back = await flowTo(b, 'tcp', origin.source.address, origin.source.port);
    expect(back).toBe(origin.flow);
    await sendRequest(b, back, 'INVITE');
    expect(atA.map((r) => r.request.method)).toEqual(['INVITE']);
    expect(atA[0]!.origin.flow).toBe(f1);
    expect(b.flows()).toHaveLength(1);
    expect(a.flows().filter((f) => f.transport === 'tcp')).toHaveLength(1);
  });

  it('closes a connection nobody uses after the idle timeout; the peer sees it as failed', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const a = await layer(client, { idleTimeoutMs: 300_000 });
    const b = await layer(server, { tcpListener: { port: 5060 }, idleTimeoutMs: 3_600_000 });
    const failedAtB = collect<FlowClosed>((l) => b.onFlowFailed(l));
    const flow = await flowTo(a, 'tcp', '203.0.113.5');
    await sendRequest(a, flow);
    const hold = flow.retain();
    await run(clock, 400_000, 10_000);
    expect(flow.state).toBe('active');
    hold.dispose();
    expect(flow.state).toBe('idle');
    const releasedAt = clock.monotonic();
    await run(clock, 299_999, 1000);
    expect(flow.state).toBe('idle');
    clock.advance(releasedAt + 300_000 - clock.monotonic());
    expect(flow.state).toBe('closed');
    await run(clock, 0);
    expect(failedAtB.map((e) => e.reason)).toEqual(['peer-closed']);
    expect(a.flows().filter((f) => f.transport === 'tcp')).toEqual([]);
  });

  it('frames messages split into 7-byte segments and several messages in one write, and answers pings', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const b = await layer(server, { tcpListener: { port: 5060 } });
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    net.setConditions({ streamSegmentBytes: 7 });
    const a = await layer(client);
    const flow = await flowTo(a, 'tcp', '203.0.113.5');
    await sendRequest(a, flow, 'MESSAGE', 'hello, split world');
    expect(atB.map((r) => r.request.body.toString())).toEqual(['hello, split world']);
    net.setConditions({});
    const conn = await settle(
      clock,
      client.connect({ remote: { address: '203.0.113.5', port: 5060, family: 4 } }),
    );
    raw.push(conn);
    const replies = collect<string>((l) => conn.onData((d) => l(d.toString('latin1'))));
    const one = serialize(simpleRequest('MESSAGE', 'sip:b@203.0.113.5', [], 'one'));
    const two = serialize(simpleRequest('MESSAGE', 'sip:b@203.0.113.5', [], 'two'));
    conn.write(Buffer.concat([one, two, Buffer.from('\r\n\r\n')]));
    await run(clock, 0);
    expect(atB.map((r) => r.request.body.toString())).toEqual(['hello, split world', 'one', 'two']);
    expect(replies.join('')).toBe('\r\n');
  });

  it('closes a connection whose framing is lost (no Content-Length), after answering 400', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const b = await layer(server, { tcpListener: { port: 5060 } });
    const failed = collect<FlowClosed>((l) => b.onFlowFailed(l));
    const conn = await settle(
      clock,
      client.connect({ remote: { address: '203.0.113.5', port: 5060, family: 4 } }),
    );
    raw.push(conn);
    const replies = collect<string>((l) => conn.onData((d) => l(d.toString('latin1'))));
    conn.write(
      Buffer.from(
        'OPTIONS sip:b@y SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-9\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c9\r\nCSeq: 1 OPTIONS\r\n\r\n',
      ),
    );
    await run(clock, 0);
    expect(replies.join('').split('\r\n')[0]).toBe('SIP/2.0 400 Bad Request (missing Content-Length)');
    expect(failed.map((f) => f.reason)).toEqual(['framing-error']);
    expect(conn.closed).toBe(true);
  });

  it('reopens a connection to received + sent-by port when the request connection is gone (§18.2.2)', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const a = await layer(client, { tcpListener: { port: 5070 } });
    const b = await layer(server, { tcpListener: { port: 5060 } });
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    const responses = collect<IncomingResponse>((l) => a.onResponse(l));
    const flow = await flowTo(a, 'tcp', '203.0.113.5');
    expect(flow.local.port).toBe(5070);
    const sent = await sendRequest(a, flow);
    expect(sent.topVia.port).toBe(5070);
    flow.close();
    await run(clock, 0);
    expect(atB[0]!.origin.flow.state).toBe('closed');
    const result = await settle(clock, b.sendResponse(createResponse(atB[0]!.request, 200), atB[0]!.origin));
    expect(result).toEqual({ ok: true });
    await run(clock, 0);
    expect(responses.map((r) => r.response.status)).toEqual([200]);
    expect(responses[0]!.flow.direction).toBe('incoming');
  });

  it('verifies the TLS server name (SNI = target host) unless a test turns verification off', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const tlsServer: MemoryTlsServerOptions = { cert: 'unused', key: 'unused', names: ['sip.example.com'] };
    const b = await layer(server, { tlsListener: { port: 5061, server: tlsServer } });
    const atB = collect<IncomingRequest>((l) => b.onRequest(l));
    const a = await layer(client);
    const good = await flowTo(a, 'tls', '203.0.113.5', 5061, 'sip.example.com');
    expect(good.secure).toBe(true);
    await sendRequest(a, good);
    expect(atB[0]!.origin.flow.transport).toBe('tls');
    expect(atB[0]!.request.topVia.transport).toBe('TLS');
    const bad = await settle(
      clock,
      a.acquireFlow({
        transport: 'tls',
        address: '203.0.113.5',
        port: 5061,
        family: 4,
        hostname: 'evil.example.com',
      }),
    );
    expect(bad.ok ? 'connected' : bad.error.code).toBe('tls-failed');
    const c = await layer(net.host('192.0.2.2'), { tlsClient: { insecureSkipVerify: true } });
    const skipped = await settle(
      clock,
      c.acquireFlow({
        transport: 'tls',
        address: '203.0.113.5',
        port: 5061,
        family: 4,
        hostname: 'evil.example.com',
      }),
    );
    expect(skipped.ok).toBe(true);
  });

  it('presents the configured client certificate to a server that asks for one', async () => {
    const server = net.host('203.0.113.5');
    const tlsServer: MemoryTlsServerOptions = {
      cert: 'unused',
      key: 'unused',
      requestCert: true,
      names: ['sip.example.com'],
    };
    await layer(server, { tlsListener: { port: 5061, server: tlsServer } });
    const target = {
      transport: 'tls' as const,
      address: '203.0.113.5',
      port: 5061,
      family: 4 as const,
      hostname: 'sip.example.com',
    };
    const anonymous = await layer(net.host('192.0.2.1'));
    const refused = await settle(clock, anonymous.acquireFlow(target));
    expect(refused.ok ? 'connected' : refused.error.code).toBe('tls-failed');
    const withCert = await layer(net.host('192.0.2.2'), {
      tlsClient: { cert: 'client-cert-pem', key: 'client-key-pem' },
    });
    const accepted = await settle(clock, withCert.acquireFlow(target));
    expect(accepted.ok).toBe(true);
  });

  it('reports refused and timed-out connects as values', async () => {
    const a = await layer(net.host('192.0.2.1'), { connectTimeoutMs: 5_000 });
    net.host('203.0.113.5');
    const refused = await settle(
      clock,
      a.acquireFlow({ transport: 'tcp', address: '203.0.113.5', port: 5060, family: 4 }),
    );
    expect(refused.ok ? 'ok' : refused.error.code).toBe('connect-failed');
    const nowhere = await settle(
      clock,
      a.acquireFlow({ transport: 'tcp', address: '198.18.0.1', port: 5060, family: 4 }),
      100,
    );
    expect(nowhere.ok ? 'ok' : nowhere.error.code).toBe('connect-timeout');
    expect(clock.monotonic()).toBeGreaterThanOrEqual(5_000);
  });
});

describe('keepalives (RFC 5626 §4.4)', () => {
  it('TCP: pings every 80–100 % of the interval and treats a missing pong after 10 s as a failed flow', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    const silent: StreamServer = await server.listen({ family: 4, port: 5060 });
    raw.push(silent);
    const pings: number[] = [];
    silent.onConnection((conn: StreamConnection) => {
      raw.push(conn);
      conn.onData(() => pings.push(clock.monotonic()));
    });
    const a = await layer(client, { random: () => 0.5 });
    const failed = collect<FlowClosed>((l) => a.onFlowFailed(l));
    const flow = await flowTo(a, 'tcp', '203.0.113.5');
    const start = clock.monotonic();
    const ka = a.startKeepalive(flow, { intervalMs: 25_000 });
    expect(ka.method).toBe('crlf-pong');
    await run(clock, 22_500, 500);
    expect(pings.map((t) => t - start)).toEqual([22_500]);
    expect(ka.state).toBe('probing');
    await run(clock, 9_999 - (clock.monotonic() - start - 22_500), 1);
    expect(flow.state).not.toBe('closed');
    await run(clock, 1, 1);
    expect(flow.state).toBe('closed');
    expect(failed.map((f) => [f.reason, f.failed])).toEqual([['keepalive-timeout', true]]);
    expect(ka.state).toBe('failed');
  });

  it('TCP: a pong keeps the flow; the next ping follows a fresh jittered interval', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    await layer(server, { tcpListener: { port: 5060 } });
    const draws = [0, 1, 0.25];
    const a = await layer(client, { random: () => draws.shift() ?? 0.5 });
    const flow = await flowTo(a, 'tcp', '203.0.113.5');
    const start = clock.monotonic();
    const pingsAt: number[] = [];
    net.onPacket((p) => {
      if (
        p.protocol === 'tcp' &&
        p.from.address === '192.0.2.1' &&
        Buffer.from(p.bytes).toString() === '\r\n\r\n'
      )
        pingsAt.push(p.sentAt - start);
    });
    const ka = a.startKeepalive(flow, { intervalMs: 25_000 });
    await run(clock, 70_000, 500);
    // 80 % (20 000), then 100 % (25 000), then 85 % (21 250) of 25 s.
    expect(pingsAt).toEqual([20_000, 45_000, 66_250]);
    expect(ka.state).toBe('waiting');
    ka.stop();
    expect(flow.users).toBe(0);
  });

  it('UDP: a STUN Binding on the SIP socket reveals the public mapping', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    await layer(server);
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const ka = a.startKeepalive(flow);
    expect(ka.method).toBe('stun');
    const mapped = collect<SocketAddress>((l) => ka.onMappedAddress(l));
    await run(clock, 22_500, 500);
    expect(mapped).toEqual([{ address: '198.51.100.1', port: 20000, family: 4 }]);
    expect(flow.mappedAddress).toEqual({ address: '198.51.100.1', port: 20000, family: 4 });
    expect(await settle(clock, a.discoverMapping(flow))).toEqual({
      address: '198.51.100.1',
      port: 20000,
      family: 4,
    });
  });

  it('UDP: no STUN response within 10 s fails the flow; retransmissions at 0, 500, 1500, 3500, 7500 ms', async () => {
    const { client, server } = natWorld();
    const a = await layer(client);
    await layer(server);
    const failed = collect<FlowClosed>((l) => a.onFlowFailed(l));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const dropped: number[] = [];
    const start = clock.monotonic();
    net.dropWhere((p) => {
      const drop = p.from.address === '10.0.0.2' && p.to.port === 5060;
      if (drop) dropped.push(p.sentAt - start);
      return drop;
    });
    a.startKeepalive(flow);
    await run(clock, 32_499, 500);
    expect(dropped).toEqual([22_500, 23_000, 24_000, 26_000, 30_000]);
    expect(failed).toEqual([]);
    await run(clock, 1, 1);
    expect(failed.map((f) => f.reason)).toEqual(['keepalive-timeout']);
  });

  it('UDP: a changed STUN mapping is a flow failure (RFC 5626 §4.4.2)', async () => {
    const { client, server, nat } = natWorld();
    const a = await layer(client);
    await layer(server);
    const failed = collect<FlowClosed>((l) => a.onFlowFailed(l));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const ka = a.startKeepalive(flow);
    const mapped = collect<SocketAddress>((l) => ka.onMappedAddress(l));
    await run(clock, 22_500, 500);
    nat.rebind();
    await run(clock, 22_500, 500);
    expect(mapped.map((m) => m.port)).toEqual([20000, 20001]);
    expect(failed.map((f) => f.reason)).toEqual(['mapping-changed']);
    expect(flow.state).toBe('closed');
  });

  it('UDP CRLF keepalive: a CRLFCRLF datagram per interval, never a failure', async () => {
    const client = net.host('192.0.2.1');
    const server = net.host('203.0.113.5');
    await layer(server);
    const a = await layer(client);
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const start = clock.monotonic();
    const sends: number[] = [];
    net.onPacket((p) => {
      if (p.from.address === '192.0.2.1' && Buffer.from(p.bytes).toString() === '\r\n\r\n')
        sends.push(p.sentAt - start);
    });
    const ka = a.startKeepalive(flow, { udpMethod: 'crlf', intervalMs: 30_000 });
    expect(ka.method).toBe('crlf-datagram');
    await run(clock, 60_000, 1000);
    expect(sends).toEqual([27_000, 54_000]);
    ka.stop();
  });
});
