/**
 * SipTransportLayer.onMessage: the diagnostic tap the SIP log uses. Every SIP message sent or received is
 * reported with its direction, transport, addresses and bytes (the parser's rejects with a reason);
 * keepalives (CRLF, STUN) never are.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost, SocketAddress } from '../../../../src-main/platform/index.ts';
import { SipTransportLayer } from '../../../../src-main/sip/transport/index.ts';
import type {
  IncomingRequest,
  SipFlow,
  SipTransportOptions,
  SipWireMessage,
} from '../../../../src-main/sip/transport/index.ts';
import { createResponse, serialize } from '../../../../src-main/sip/syntax/index.ts';
import { StunMethod, encodeStunMessage } from '../../../../src-main/media/stun/index.ts';
import { flush, run, settle, simpleRequest } from './support.ts';

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

/** What the tap reported, with the bytes as text. */
function tapped(t: SipTransportLayer): Array<Omit<SipWireMessage, 'bytes'> & { text: string }> {
  const out: Array<Omit<SipWireMessage, 'bytes'> & { text: string }> = [];
  t.onMessage(({ bytes, ...rest }) => out.push({ ...rest, text: Buffer.from(bytes).toString('latin1') }));
  return out;
}

async function flowTo(t: SipTransportLayer, transport: 'udp' | 'tcp', address: string): Promise<SipFlow> {
  const r = await settle(clock, t.acquireFlow({ transport, address, port: 5060, family: 4 }));
  if (!r.ok) throw new Error(r.error.reason);
  return r.flow;
}

const A: SocketAddress = { address: '192.0.2.1', port: 5060, family: 4 };
const B: SocketAddress = { address: '203.0.113.5', port: 5060, family: 4 };

describe('SipTransportLayer.onMessage', () => {
  it('UDP: reports the request out and the response in on one side, the request in and the response out on the other', async () => {
    const a = await layer(net.host('192.0.2.1'));
    const b = await layer(net.host('203.0.113.5'));
    const atA = tapped(a);
    const atB = tapped(b);
    b.onRequest(({ request, origin }) => void b.sendResponse(createResponse(request, 200), origin));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const request = simpleRequest('OPTIONS', 'sip:203.0.113.5');
    a.prepareRequest(request, flow);
    const bytes = serialize(request);
    a.send(flow, bytes);
    await run(clock, 0);

    expect(
      atA.map((m) => [m.direction, m.transport, m.local, m.remote, m.text.split('\r\n')[0], m.rejected]),
    ).toEqual([
      ['out', 'udp', A, B, 'OPTIONS sip:203.0.113.5 SIP/2.0', undefined],
      ['in', 'udp', A, B, 'SIP/2.0 200 OK', undefined],
    ]);
    expect(atA[0]?.text).toBe(bytes.toString('latin1')); // exactly the bytes sent
    expect(atB.map((m) => [m.direction, m.local, m.remote, m.text.split('\r\n')[0]])).toEqual([
      ['in', B, A, 'OPTIONS sip:203.0.113.5 SIP/2.0'],
      ['out', B, A, 'SIP/2.0 200 OK'],
    ]);
    // The received request is reported as it arrived: before received/rport were added to its Via.
    expect(atB[0]?.text).toBe(bytes.toString('latin1'));
  });

  it('UDP: reports a malformed datagram with the reason and the 400 sent back; CRLF and STUN keepalives are not messages', async () => {
    const b = await layer(net.host('203.0.113.5'));
    const atB = tapped(b);
    const requests: IncomingRequest[] = [];
    b.onRequest((r) => requests.push(r));
    const sock = await net.host('192.0.2.7').bindDatagram({ family: 4, port: 5060 });
    raw.push(sock);
    const head =
      'Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-2;rport\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c2\r\n';
    const broken = `OPTIONS sip:b@y SIP/2.0\r\n${head}CSeq: abc OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    sock.send(Buffer.from('\r\n\r\n'), B);
    sock.send(
      encodeStunMessage({
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId: Buffer.from('0123456789ab'),
        attributes: {},
      }),
      B,
    );
    sock.send(Buffer.from(broken), B);
    await run(clock, 0);

    const peer = { address: '192.0.2.7', port: 5060, family: 4 };
    expect(atB.map((m) => [m.direction, m.remote, m.text.split('\r\n')[0], m.rejected])).toEqual([
      ['in', peer, 'OPTIONS sip:b@y SIP/2.0', 'sequence number must be 0..2^31-1'],
      ['out', peer, 'SIP/2.0 400 Bad Request (invalid CSeq)', undefined],
    ]);
    expect(atB[0]?.text).toBe(broken);
    expect(requests).toEqual([]);
  });

  it('TCP: reports stream messages (re-serialized) and framing errors; pings and pongs are not messages', async () => {
    const b = await layer(net.host('203.0.113.5'), { tcpListener: { port: 5060 } });
    const atB = tapped(b);
    const client = net.host('192.0.2.1');
    const conn = await settle(clock, client.connect({ remote: B }));
    raw.push(conn);
    const one = serialize(simpleRequest('MESSAGE', 'sip:b@203.0.113.5', [], 'one'));
    conn.write(Buffer.concat([Buffer.from('\r\n\r\n'), one]));
    await run(clock, 0);
    conn.write(
      Buffer.from(
        'OPTIONS sip:b@y SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-9\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c9\r\nCSeq: 1 OPTIONS\r\n\r\n',
      ),
    );
    await run(clock, 0);

    expect(
      atB.map((m) => [m.direction, m.transport, m.remote.address, m.text.split('\r\n')[0], m.rejected]),
    ).toEqual([
      ['in', 'tcp', '192.0.2.1', 'MESSAGE sip:b@203.0.113.5 SIP/2.0', undefined],
      ['in', 'tcp', '192.0.2.1', '', 'Content-Length is mandatory on stream transports'],
      ['out', 'tcp', '192.0.2.1', 'SIP/2.0 400 Bad Request (missing Content-Length)', undefined],
    ]);
    expect(atB[0]?.text).toBe(one.toString('latin1'));
  });

  it('costs nothing without listeners and stops reporting when the subscription is disposed or the layer closes', async () => {
    const a = await layer(net.host('192.0.2.1'));
    await layer(net.host('203.0.113.5'));
    const seen: SipWireMessage[] = [];
    const sub = a.onMessage((m) => seen.push(m));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const send = (): void => {
      const r = simpleRequest('OPTIONS', 'sip:203.0.113.5');
      a.prepareRequest(r, flow);
      a.send(flow, serialize(r));
    };
    send();
    sub.dispose();
    send();
    a.onMessage((m) => seen.push(m));
    a.close();
    send();
    await run(clock, 0);
    expect(seen.map((m) => m.direction)).toEqual(['out']);
  });

  it('a listener that throws does not break sending or receiving', async () => {
    const a = await layer(net.host('192.0.2.1'));
    const b = await layer(net.host('203.0.113.5'));
    a.onMessage(() => {
      throw new Error('tap bug');
    });
    b.onMessage(() => {
      throw new Error('tap bug');
    });
    const got: IncomingRequest[] = [];
    b.onRequest((r) => got.push(r));
    const flow = await flowTo(a, 'udp', '203.0.113.5');
    const r = simpleRequest('OPTIONS', 'sip:203.0.113.5');
    a.prepareRequest(r, flow);
    expect(a.send(flow, serialize(r))).toEqual({ ok: true });
    await run(clock, 0);
    expect(got).toHaveLength(1);
  });
});
