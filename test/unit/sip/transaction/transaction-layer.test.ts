import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { FakeClock, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { MemoryHost } from '../../../../src-main/platform/index.ts';
import { createResponse, serialize } from '../../../../src-main/sip/syntax/index.ts';
import type { SipResponse } from '../../../../src-main/sip/syntax/index.ts';
import { SipTransportLayer } from '../../../../src-main/sip/transport/index.ts';
import type { FlowTarget } from '../../../../src-main/sip/transport/index.ts';
import {
  InviteServerTransaction,
  OutgoingRequest,
  TransactionLayer,
  targetList,
} from '../../../../src-main/sip/transaction/index.ts';
import type { RequestOutcome, ServerRequest } from '../../../../src-main/sip/transaction/index.ts';
import { flush, parse, run, settle, simpleRequest } from '../transport/support.ts';

let clock: FakeClock;
let net: MemoryNetwork;
let transports: SipTransportLayer[];
let layers: TransactionLayer[];

beforeEach(() => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock, { seed: 42 });
  transports = [];
  layers = [];
});

afterEach(async () => {
  for (const l of layers) l.close();
  for (const t of transports) t.close();
  await flush();
  clock.runAll();
  await flush();
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

async function node(host: MemoryHost, tcp = false): Promise<TransactionLayer> {
  const transport = new SipTransportLayer({
    clock,
    network: host,
    udp: { families: [4], port: 5060 },
    ...(tcp && { tcpListener: { port: 5060 } }),
  });
  transports.push(transport);
  await transport.start();
  const layer = new TransactionLayer({ transport });
  layers.push(layer);
  return layer;
}

function udp(address: string): FlowTarget {
  return { transport: 'udp', address, port: 5060, family: 4 };
}

/** A server TU answering every request with `status` (INVITE: 180 first). */
function answer(
  layer: TransactionLayer,
  status: number | ((r: ServerRequest) => number | undefined),
): ServerRequest[] {
  const seen: ServerRequest[] = [];
  layer.onRequest((r) => {
    seen.push(r);
    const tx = r.transaction;
    if (tx === undefined) return;
    const code = typeof status === 'number' ? status : status(r);
    if (code === undefined) return;
    if (tx instanceof InviteServerTransaction)
      tx.respond(createResponse(r.request, 180, undefined, { toTag: 'srv' }));
    tx.respond(createResponse(r.request, code, undefined, { toTag: 'srv' }));
  });
  return seen;
}

function send(
  layer: TransactionLayer,
  method: string,
  targets: FlowTarget[],
  responses?: SipResponse[],
): OutgoingRequest {
  return new OutgoingRequest(layer, simpleRequest(method, `sip:bob@${targets[0]?.address ?? 'x'}`), {
    targets: targetList(targets),
    user: { onResponse: (r) => responses?.push(r) },
  });
}

describe('TransactionLayer end to end on the memory network', () => {
  it('completes an OPTIONS over UDP and leaves no transaction behind', async () => {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'));
    answer(b, 200);
    const responses: SipResponse[] = [];
    const out = send(a, 'OPTIONS', [udp('203.0.113.5')], responses);
    const outcome = await settle(clock, out.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(out.attempts).toBe(1);
    await run(clock, 70_000, 1000);
    expect(a.clientCount).toBe(0);
    expect(b.serverCount).toBe(0);
  });

  it('with 20 % loss (seeded) every transaction still completes through retransmissions', async () => {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'));
    const seen = answer(b, (r) => (r.request.method === 'INVITE' ? 486 : 200));
    net.setConditions({ drop: 0.2 });
    const outs: OutgoingRequest[] = [];
    for (let i = 0; i < 10; i++) outs.push(send(a, 'OPTIONS', [udp('203.0.113.5')]));
    for (let i = 0; i < 5; i++) outs.push(send(a, 'INVITE', [udp('203.0.113.5')]));
    const outcomes = await settle(clock, Promise.all(outs.map((o) => o.result)), 100);
    expect(outcomes.map((o) => (o.kind === 'final' ? o.response.status : o.kind))).toEqual([
      ...Array(10).fill(200),
      ...Array(5).fill(486),
    ]);
    // Each request reached the TU once, whatever the retransmissions.
    expect(seen.filter((s) => s.transaction !== undefined)).toHaveLength(15);
    const lost = net.sent.filter((p) => p.dropReason === 'loss').length;
    expect(lost).toBeGreaterThan(0);
    await run(clock, 70_000, 1000);
    expect(a.clientCount).toBe(0);
    expect(b.serverCount).toBe(0);
  });

  it('absorbs duplicated requests in the server transaction and answers each copy', async () => {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'));
    const seen = answer(b, 200);
    net.setConditions({ duplicate: 1 });
    const outcome = await settle(clock, send(a, 'MESSAGE', [udp('203.0.113.5')]).result);
    expect(outcome.kind).toBe('final');
    expect(seen).toHaveLength(1);
    const answers = net.sent.filter((p) => p.from.address === '203.0.113.5' && !p.duplicate);
    expect(answers.map((p) => Buffer.from(p.bytes).toString('latin1').split('\r\n')[0])).toEqual([
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
    ]);
  });

  it('fails over to the next target on timeout, with a new branch (RFC 3263 §4.3)', async () => {
    const a = await node(net.host('192.0.2.1'));
    net.host('203.0.113.9'); // no SIP socket: the first target never answers
    const b = await node(net.host('203.0.113.5'));
    answer(b, 200);
    const out = send(a, 'OPTIONS', [udp('203.0.113.9'), udp('203.0.113.5')]);
    const firstBranch = out.request.topVia.branch;
    const outcome = await settle(clock, out.result, 500);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
    expect(clock.monotonic()).toBeGreaterThanOrEqual(32_000);
    expect(out.attempts).toBe(2);
    expect(out.request.topVia.branch).not.toBe(firstBranch);
    expect(out.target?.address).toBe('203.0.113.5');
  });

  it('fails over on 503 without passing it up, and on a refused TCP connect', async () => {
    const a = await node(net.host('192.0.2.1'));
    const busy = await node(net.host('203.0.113.6'));
    answer(busy, 503);
    const b = await node(net.host('203.0.113.5'));
    answer(b, 200);
    const responses: SipResponse[] = [];
    const refused: FlowTarget = { transport: 'tcp', address: '203.0.113.6', port: 5060, family: 4 };
    const out = send(a, 'OPTIONS', [refused, udp('203.0.113.6'), udp('203.0.113.5')], responses);
    const outcome = await settle(clock, out.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(out.attempts).toBe(3);
  });

  it('reports the last failure when every target failed', async () => {
    const a = await node(net.host('192.0.2.1'));
    const busy = await node(net.host('203.0.113.6'));
    answer(busy, 503);
    const only503 = await settle(clock, send(a, 'OPTIONS', [udp('203.0.113.6')]).result);
    expect(only503.kind === 'final' && only503.response.status).toBe(503);
    const none = await settle(clock, send(a, 'OPTIONS', []).result);
    expect(none).toEqual({ kind: 'no-target' });
  });

  it('a TCP connection that closes under a transaction is a transport error (§17.1.4)', async () => {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'), true);
    const seen = answer(b, () => undefined);
    const out = send(a, 'OPTIONS', [{ transport: 'tcp', address: '203.0.113.5', port: 5060, family: 4 }]);
    await run(clock, 100);
    expect(seen).toHaveLength(1);
    seen[0]!.origin.flow.close();
    const outcome = await settle(clock, out.result);
    expect(outcome.kind).toBe('transport-error');
  });
});

describe('CANCEL (RFC 3261 §9)', () => {
  async function ringing() {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'));
    const seen: ServerRequest[] = [];
    let invite: InviteServerTransaction | undefined;
    b.onRequest((r) => {
      seen.push(r);
      const tx = r.transaction;
      if (tx instanceof InviteServerTransaction) {
        invite = tx;
        tx.respond(createResponse(r.request, 180, undefined, { toTag: 'srv' }));
      } else if (r.request.method === 'CANCEL' && tx !== undefined) {
        const target = b.findCancelTarget(r.request);
        tx.respond(createResponse(r.request, target === undefined ? 481 : 200, undefined, { toTag: 'srv' }));
        if (target instanceof InviteServerTransaction && target.pending)
          target.respond(createResponse(target.request, 487, undefined, { toTag: 'srv' }));
      }
    });
    return { a, b, seen, invite: () => invite };
  }

  it("sends CANCEL after the 180 with the INVITE's branch; the INVITE ends with 487, ACKed", async () => {
    const { a, seen, invite } = await ringing();
    const responses: SipResponse[] = [];
    const out = send(a, 'INVITE', [udp('203.0.113.5')], responses);
    await run(clock, 100);
    expect(responses.map((r) => r.status)).toEqual([180]);
    out.cancel([['Reason', 'SIP;cause=487;text="cancelled"']]);
    expect(out.state).toBe('cancelling');
    const outcome = await settle(clock, out.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(487);
    const cancel = seen.find((s) => s.request.method === 'CANCEL')!.request;
    expect(cancel.topVia.branch).toBe(out.request.topVia.branch);
    expect(cancel.cseq).toEqual({ seq: 1, method: 'CANCEL' });
    expect(cancel.headers.get('Reason')).toBe('SIP;cause=487;text="cancelled"');
    await run(clock, 10);
    expect(invite()?.state).toBe('confirmed'); // the ICT's ACK for the 487 arrived
  });

  it('waits for a provisional before sending CANCEL (§9.1)', async () => {
    const a = await node(net.host('192.0.2.1'));
    const b = await node(net.host('203.0.113.5'));
    const seen: ServerRequest[] = [];
    b.onRequest((r) => seen.push(r));
    const out = send(a, 'INVITE', [udp('203.0.113.5')]);
    await run(clock, 10);
    out.cancel();
    expect(out.state).toBe('cancel-pending');
    await run(clock, 150);
    expect(seen.map((s) => s.request.method)).toEqual(['INVITE']);
    // b's IST sends 100 Trying at 200 ms (§17.2.1); the CANCEL follows it.
    await run(clock, 100);
    expect(seen.map((s) => s.request.method)).toEqual(['INVITE', 'CANCEL']);
    expect(out.state).toBe('cancelling');
    // b never answers the INVITE: after 64·T1 the client gives up (§9.1).
    const outcome = await settle(clock, out.result, 1000);
    expect(outcome).toEqual({ kind: 'timeout' });
  });

  it('cancel() before anything was sent sends nothing', async () => {
    const a = await node(net.host('192.0.2.1'));
    const out = send(a, 'INVITE', [{ transport: 'tcp', address: '203.0.113.5', port: 5060, family: 4 }]);
    out.cancel();
    expect(await settle(clock, out.result)).toEqual({ kind: 'cancelled' } satisfies RequestOutcome);
    await run(clock, 200_000, 10_000);
  });
});

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('matches RFC 2543 requests (no magic cookie) by Request-URI, tags, Call-ID, CSeq and top Via; ACK by the response To tag', async () => {
    const b = await node(net.host('203.0.113.5'));
    const seen = answer(b, 486);
    const peer = net.host('192.0.2.7');
    const sock = await peer.bindDatagram({ family: 4, port: 5060 });
    const got: string[] = [];
    sock.onMessage((d) => got.push(d.toString('latin1').split('\r\n')[0] ?? ''));
    const to = { address: '203.0.113.5', port: 5060, family: 4 as const };
    const common =
      'Via: SIP/2.0/UDP 192.0.2.7:5060\r\nFrom: <sip:old@192.0.2.7>;tag=77\r\nCall-ID: legacy-1\r\nMax-Forwards: 70\r\n';
    const invite = `INVITE sip:b@203.0.113.5 SIP/2.0\r\n${common}To: <sip:b@203.0.113.5>\r\nCSeq: 5 INVITE\r\nContent-Length: 0\r\n\r\n`;
    sock.send(Buffer.from(invite), to);
    await run(clock, 10);
    sock.send(Buffer.from(invite), to);
    await run(clock, 10);
    expect(seen).toHaveLength(1);
    expect(got).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 486 Busy Here', 'SIP/2.0 486 Busy Here']);
    const ack = `ACK sip:b@203.0.113.5 SIP/2.0\r\n${common}To: <sip:b@203.0.113.5>;tag=srv\r\nCSeq: 5 ACK\r\nContent-Length: 0\r\n\r\n`;
    sock.send(Buffer.from(ack), to);
    await run(clock, 10);
    const tx = seen[0]!.transaction;
    expect(tx?.state).toBe('confirmed');
    expect(seen).toHaveLength(1); // the ACK for the non-2xx stayed in the transaction
    sock.close();
  });

  it('tells a merged request (same From tag, Call-ID, CSeq; other branch) from a retransmission (§8.2.2.2)', async () => {
    const b = await node(net.host('203.0.113.5'));
    const seen: ServerRequest[] = [];
    b.onRequest((r) => seen.push(r));
    const peer = net.host('192.0.2.7');
    const sock = await peer.bindDatagram({ family: 4, port: 5060 });
    const to = { address: '203.0.113.5', port: 5060, family: 4 as const };
    const invite = (branch: string) =>
      `INVITE sip:b@203.0.113.5 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=${branch}\r\nFrom: <sip:a@x>;tag=77\r\nTo: <sip:b@y>\r\n` +
      'Call-ID: fork-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
    sock.send(Buffer.from(invite('z9hG4bK-path1')), to);
    sock.send(Buffer.from(invite('z9hG4bK-path1')), to);
    sock.send(Buffer.from(invite('z9hG4bK-path2')), to);
    await run(clock, 10);
    expect(seen).toHaveLength(2);
    expect(b.isMergedRequest(seen[0]!.request, seen[0]!.transaction)).toBe(true);
    expect(b.isMergedRequest(seen[1]!.request, seen[1]!.transaction)).toBe(true);
    seen[0]!.transaction?.abort('test');
    expect(b.isMergedRequest(seen[1]!.request, seen[1]!.transaction)).toBe(false);
    sock.close();
  });

  it('discards responses that match no client transaction (RFC 6026 §8.9)', async () => {
    const log: string[] = [];
    const host = net.host('192.0.2.1');
    const transport = new SipTransportLayer({ clock, network: host, udp: { families: [4], port: 5060 } });
    transports.push(transport);
    await transport.start();
    const a = new TransactionLayer({ transport, log: (_level, m) => log.push(m) });
    layers.push(a);
    const request = simpleRequest('OPTIONS', 'sip:b@203.0.113.5');
    const flow = await settle(clock, transport.acquireFlow(udp('203.0.113.5')));
    if (!flow.ok) throw new Error('no flow');
    transport.prepareRequest(request, flow.flow);
    const stray = serialize(createResponse(parse(serialize(request)) as typeof request, 200));
    const peer = net.host('203.0.113.5');
    const sock = await peer.bindDatagram({ family: 4, port: 5060 });
    sock.send(stray, { address: '192.0.2.1', port: 5060, family: 4 });
    await run(clock, 10);
    expect(log.some((l) => l.startsWith('transactions: stray 200 OPTIONS'))).toBe(true);
    sock.close();
  });
});
