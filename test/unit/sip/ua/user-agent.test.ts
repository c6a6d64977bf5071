import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { DatagramSocket, MemoryHost } from '../../../../src-main/platform/index.ts';
import { NO_PARAMS, formatUri, sipUri } from '../../../../src-main/sip/syntax/index.ts';
import type { SipRequest, SipResponse } from '../../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../../src-main/sip/ua/index.ts';
import type { SipUserAgentOptions, UasRequest } from '../../../../src-main/sip/ua/index.ts';
import type { Dialog } from '../../../../src-main/sip/dialog/index.ts';
import { flush, parse, run, settle, uri } from '../transport/support.ts';

let clock: FakeClock;
let net: MemoryNetwork;
let agents: SipUserAgent[];
let sockets: DatagramSocket[];
let resolver: FakeResolver;

beforeEach(() => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock);
  agents = [];
  sockets = [];
  resolver = new FakeResolver();
});

afterEach(async () => {
  for (const a of agents) a.close();
  for (const s of sockets) s.close();
  await flush();
  clock.runAll();
  await flush();
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

async function agent(host: MemoryHost, options: Partial<SipUserAgentOptions> = {}): Promise<SipUserAgent> {
  const ua = new SipUserAgent({
    clock,
    network: host,
    resolver,
    version: '9.9.9',
    transport: { udp: { families: [4], port: 5060 } },
    ...options,
  });
  agents.push(ua);
  await ua.start();
  return ua;
}

/** A raw SIP peer at 192.0.2.7:5060 that sends bytes and collects what comes back. */
async function peer(
  address = '192.0.2.7',
  port = 5060,
): Promise<{ send(text: string, to?: string): void; received: (SipRequest | SipResponse)[] }> {
  const socket = await net.host(address).bindDatagram({ family: 4, port });
  sockets.push(socket);
  const received: (SipRequest | SipResponse)[] = [];
  socket.onMessage((d) => received.push(parse(d)));
  return {
    received,
    send: (text, to = '192.0.2.10') =>
      socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), { address: to, port: 5060, family: 4 }),
  };
}

function responses(list: (SipRequest | SipResponse)[]): SipResponse[] {
  return list.filter((m): m is SipResponse => m.kind === 'response');
}

function firstLines(list: (SipRequest | SipResponse)[]): string[] {
  return responses(list).map((r) => `${r.status} ${r.reason}`);
}

const headers = (branch: string, callId = 'uas-test', cseq = '1 OPTIONS', extra = '') =>
  `Via: SIP/2.0/UDP 192.0.2.7:5060;branch=${branch};rport
Max-Forwards: 70
From: <sip:carol@192.0.2.7>;tag=c1
To: <sip:ua@192.0.2.10>
Call-ID: ${callId}
CSeq: ${cseq}
${extra}`;

function request(
  method: string,
  branch: string,
  extra = '',
  body = '',
  callId = 'uas-test',
  cseq = `1 ${method}`,
  ruri = 'sip:ua@192.0.2.10',
): string {
  return `${method} ${ruri} SIP/2.0
${headers(branch, callId, cseq, extra)}Content-Length: ${Buffer.byteLength(body)}

${body}`;
}

describe('SipUserAgent UAS checks (RFC 3261 §8.2), one request each', () => {
  it('answers OPTIONS with 200, Allow, Accept, Supported, Server and a To tag (§11.2)', async () => {
    await agent(net.host('192.0.2.10'), { supported: ['replaces'] });
    const p = await peer();
    p.send(request('OPTIONS', 'z9hG4bK-o1'));
    await run(clock, 0);
    const [ok] = responses(p.received);
    expect(ok?.status).toBe(200);
    expect(ok?.headers.get('Allow')).toBe('ACK, CANCEL, OPTIONS');
    expect(ok?.headers.get('Accept')).toBe('application/sdp');
    expect(ok?.headers.get('Supported')).toBe('replaces');
    expect(ok?.headers.get('Server')).toBe('Softphone/9.9.9');
    expect(ok?.to.tag).toMatch(/^[\w-]+$/);
    expect(ok?.topVia.received).toBe('192.0.2.7');
    expect(ok?.topVia.rport).toBe(5060);
  });

  it('405 + Allow for a known method without handler, 501 for an unknown one (§8.2.1)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    ua.onRequest('INVITE', (uas) => uas.respond(486));
    const p = await peer();
    p.send(request('SUBSCRIBE', 'z9hG4bK-s1', 'Event: presence\nContact: <sip:carol@192.0.2.7>\n'));
    p.send(request('FOO', 'z9hG4bK-f1'));
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual(['405 Method Not Allowed', '501 Not Implemented']);
    expect(responses(p.received).map((r) => r.headers.get('Allow'))).toEqual([
      'INVITE, ACK, CANCEL, OPTIONS',
      'INVITE, ACK, CANCEL, OPTIONS',
    ]);
  });

  it('416 for a Request-URI scheme we do not serve (§8.2.2.1)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    ua.onRequest('INVITE', (uas) => uas.respond(486));
    const p = await peer();
    p.send(
      request(
        'INVITE',
        'z9hG4bK-t1',
        'Contact: <sip:carol@192.0.2.7>\n',
        '',
        'tel-1',
        '1 INVITE',
        'tel:+15551234',
      ),
    );
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual(['416 Unsupported URI Scheme']);
  });

  it('482 for a merged request: same From tag, Call-ID and CSeq on another branch (§8.2.2.2)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    const invites: UasRequest[] = [];
    ua.onRequest('INVITE', (uas) => {
      invites.push(uas);
      uas.respond(180);
    });
    const p = await peer();
    const contact = 'Contact: <sip:carol@192.0.2.7>\n';
    p.send(request('INVITE', 'z9hG4bK-path-1', contact, '', 'merge-1'));
    p.send(request('INVITE', 'z9hG4bK-path-2', contact, '', 'merge-1'));
    await run(clock, 0);
    expect(invites).toHaveLength(1);
    expect(firstLines(p.received)).toEqual(['180 Ringing', '482 Loop Detected']);
    invites[0]!.respond(486);
    await run(clock, 0);
  });

  it('Max-Forwards 0: accepted by default (a UA is the final recipient); 483 except for OPTIONS when configured', async () => {
    const accepting = await agent(net.host('192.0.2.10'));
    const seen: string[] = [];
    accepting.onRequest('MESSAGE', (uas) => {
      seen.push(uas.request.method);
      uas.respond(200);
    });
    const strict = await agent(net.host('192.0.2.11'), { maxForwards: 'reject-except-options' });
    strict.onRequest('MESSAGE', (uas) => uas.respond(200));
    const p = await peer();
    const zero = (method: string, branch: string) =>
      request(method, branch).replace('Max-Forwards: 70', 'Max-Forwards: 0');
    p.send(zero('MESSAGE', 'z9hG4bK-m0'));
    p.send(zero('MESSAGE', 'z9hG4bK-m1'), '192.0.2.11');
    p.send(zero('OPTIONS', 'z9hG4bK-m2'), '192.0.2.11');
    await run(clock, 0);
    expect(seen).toEqual(['MESSAGE']);
    expect(firstLines(p.received)).toEqual(['200 OK', '483 Too Many Hops', '200 OK']);
  });

  it('420 + Unsupported listing the Require tags we lack (§8.2.2.3)', async () => {
    const ua = await agent(net.host('192.0.2.10'), { supported: ['100rel'] });
    ua.onRequest('INVITE', (uas) => uas.respond(486));
    const p = await peer();
    p.send(request('INVITE', 'z9hG4bK-r1', 'Contact: <sip:carol@192.0.2.7>\nRequire: 100rel, foo, bar\n'));
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual(['420 Bad Extension']);
    expect(responses(p.received)[0]?.headers.get('Unsupported')).toBe('foo, bar');
  });

  it('400 naming a malformed header the handler would read (Contact)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    const seen: string[] = [];
    ua.onRequest('INVITE', (uas) => seen.push(uas.request.method));
    const p = await peer();
    p.send(request('INVITE', 'z9hG4bK-b1', 'Contact: <sip:carol@192.0.2.7>;expires=soon\n'));
    await run(clock, 0);
    expect(seen).toEqual([]);
    expect(firstLines(p.received)).toEqual(['400 Bad Request (invalid Contact)']);
  });

  it('415 + Accept for a body type the handler cannot read, 415 + Accept-Encoding for an encoding (§8.2.3)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    const bodies: string[] = [];
    ua.onRequest(
      'MESSAGE',
      (uas) => {
        bodies.push(uas.request.body.toString());
        uas.respond(200);
      },
      { accept: ['text/plain'] },
    );
    const p = await peer();
    p.send(request('MESSAGE', 'z9hG4bK-c1', 'Content-Type: text/html\n', '<b>hi</b>'));
    p.send(
      request(
        'MESSAGE',
        'z9hG4bK-c2',
        'Content-Type: text/plain\nContent-Encoding: gzip\n',
        'xx',
        'uas-test-2',
      ),
    );
    p.send(request('MESSAGE', 'z9hG4bK-c3', 'Content-Type: text/plain\n', 'hello', 'uas-test-3'));
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual([
      '415 Unsupported Media Type',
      '415 Unsupported Media Type',
      '200 OK',
    ]);
    const [html, gzip] = responses(p.received);
    expect(html?.headers.get('Accept')).toBe('text/plain');
    expect(gzip?.headers.get('Accept-Encoding')).toBe('identity');
    expect(bodies).toEqual(['hello']);
  });

  it('481 for a request with a To tag that matches no dialog, and for a CANCEL that matches nothing (§12.2.2, §9.2)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    ua.onRequest('BYE', (uas) => uas.respond(200));
    const p = await peer();
    p.send(
      request('BYE', 'z9hG4bK-x1').replace('To: <sip:ua@192.0.2.10>', 'To: <sip:ua@192.0.2.10>;tag=nope'),
    );
    p.send(request('CANCEL', 'z9hG4bK-x2'));
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual([
      '481 Call/Transaction Does Not Exist',
      '481 Call/Transaction Does Not Exist',
    ]);
  });

  it('500 for an in-dialog request whose CSeq is out of order (§12.2.2)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    let dialog: Dialog | undefined;
    ua.onRequest('INVITE', (uas) => {
      const d = ua.dialogs.fromUasRequest(uas.request, uas.toTag, false, 'confirmed');
      if (d.ok) dialog = d.dialog;
      uas.respond(200, {
        contact: [ua.contactFor(uas.flow)],
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      });
    });
    const infos: number[] = [];
    ua.onRequest('INFO', (uas) => {
      infos.push(uas.request.cseq.seq);
      uas.respond(200);
    });
    const p = await peer();
    p.send(request('INVITE', 'z9hG4bK-i1', 'Contact: <sip:carol@192.0.2.7>\n', '', 'dlg-1', '5 INVITE'));
    await run(clock, 0);
    const toTag = responses(p.received)[0]?.to.tag ?? '';
    expect(dialog?.id.localTag).toBe(toTag);
    const inDialog = (branch: string, seq: string) =>
      request('INFO', branch, '', '', 'dlg-1', seq).replace(
        'To: <sip:ua@192.0.2.10>',
        `To: <sip:ua@192.0.2.10>;tag=${toTag}`,
      );
    p.send(inDialog('z9hG4bK-i2', '6 INFO'));
    p.send(inDialog('z9hG4bK-i3', '4 INFO'));
    await run(clock, 0);
    expect(infos).toEqual([6]);
    expect(firstLines(p.received)).toEqual([
      '200 OK',
      '200 OK',
      '500 Server Internal Error (CSeq 4 out of order, last was 6)',
    ]);
  });

  it('CANCEL: 200 for the CANCEL, onCancel for the handler, 487 for the INVITE (§9.2)', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    const cancelled: string[] = [];
    ua.onRequest('INVITE', (uas) => {
      uas.respond(180);
      uas.onCancel((c) => cancelled.push(c.headers.get('Reason') ?? ''));
    });
    const p = await peer();
    p.send(request('INVITE', 'z9hG4bK-inv', 'Contact: <sip:carol@192.0.2.7>\n', '', 'cxl-1'));
    await run(clock, 0);
    p.send(request('CANCEL', 'z9hG4bK-inv', 'Reason: SIP;cause=487\n', '', 'cxl-1', '1 CANCEL'));
    await run(clock, 0);
    expect(cancelled).toEqual(['SIP;cause=487']);
    const got = responses(p.received).map((r) => `${r.status} ${r.cseq.method}`);
    expect(got).toEqual(['180 INVITE', '200 CANCEL', '487 INVITE']);
    const [ringing, , terminated] = responses(p.received);
    expect(terminated?.to.tag).toBe(ringing?.to.tag);
    p.send(
      request('ACK', 'z9hG4bK-inv', '', '', 'cxl-1', '1 ACK').replace(
        'To: <sip:ua@192.0.2.10>',
        `To: <sip:ua@192.0.2.10>;tag=${ringing?.to.tag ?? ''}`,
      ),
    );
    await run(clock, 0);
  });

  it('a handler that throws gets a 500 sent for it', async () => {
    const ua = await agent(net.host('192.0.2.10'));
    ua.onRequest('MESSAGE', () => {
      throw new Error('bug');
    });
    const p = await peer();
    p.send(request('MESSAGE', 'z9hG4bK-e1'));
    await run(clock, 0);
    expect(firstLines(p.received)).toEqual(['500 Server Internal Error']);
  });
});

describe('SipUserAgent as UAC', () => {
  it('sends through a loose-routing outbound proxy: Route, Max-Forwards, User-Agent, Contact from the flow', async () => {
    const ua = await agent(net.host('192.0.2.10'), {
      outboundProxy: sipUri({ host: '192.0.2.7', params: { lr: null } }),
    });
    const p = await peer();
    const req = ua.createRequest({
      method: 'OPTIONS',
      uri: uri('sip:bob@biloxi.example.com'),
      from: { uri: uri('sip:alice@atlanta.example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:bob@biloxi.example.com'), params: NO_PARAMS },
    });
    const out = ua.sendRequest(req, { contact: { user: 'alice', params: { expires: '60' } } });
    await run(clock, 0);
    const got = p.received[0];
    if (got?.kind !== 'request') throw new Error('nothing at the proxy');
    expect(formatUri(got.uri)).toBe('sip:bob@biloxi.example.com');
    expect(got.headers.getAll('Route')).toEqual(['<sip:192.0.2.7;lr>']);
    expect(got.maxForwards).toBe(70);
    expect(got.headers.get('User-Agent')).toBe('Softphone/9.9.9');
    expect(got.headers.get('Allow')).toBe('ACK, CANCEL, OPTIONS');
    expect(got.headers.get('Contact')).toBe('<sip:alice@192.0.2.10:5060>;expires=60');
    expect(got.headers.get('Via')).toBe(`SIP/2.0/UDP 192.0.2.10:5060;branch=${got.topVia.branch};rport`);
    expect(got.from.tag).toMatch(/^[\w-]+$/);
    const ok = `SIP/2.0 200 OK\r\n${got.headers
      .getAll('Via')
      .map((v) => `Via: ${v}`)
      .join(
        '\r\n',
      )}\r\nFrom: ${got.headers.get('From')}\r\nTo: ${got.headers.get('To')};tag=b\r\nCall-ID: ${got.callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    p.send(ok);
    const outcome = await settle(clock, out.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
  });

  it('firstTarget: where sendRequest would go first (proxy, RFC 3263), sending nothing and leaving the request as it was', async () => {
    resolver.fail('pbx6.example.com', 'NAPTR', 'ENODATA');
    resolver.fail('_sip._udp.pbx6.example.com', 'SRV', 'ENODATA');
    resolver.fail('pbx6.example.com', 'A', 'ENODATA');
    resolver.set('pbx6.example.com', 'AAAA', ['2001:db8::7']);
    const host = net.host(['192.0.2.10', '2001:db8::10']);
    const ua = await agent(host, {
      transport: { udp: { families: [4, 6], port: 5060 }, transports: ['udp'] },
      outboundProxy: sipUri({ host: 'pbx6.example.com' }),
    });
    const req = ua.createRequest({
      method: 'INVITE',
      uri: uri('sip:bob@192.0.2.99'),
      from: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:bob@192.0.2.99'), params: NO_PARAMS },
    });
    const sent: string[] = [];
    net.onPacket((packet) => sent.push(packet.to.address));
    // An AAAA-only proxy: the INVITE will leave on an IPv6 flow, whatever the Request-URI's family.
    expect(await settle(clock, ua.firstTarget(req))).toEqual({
      address: '2001:db8::7',
      port: 5060,
      family: 6,
      transport: 'udp',
      source: 'aaaa',
      hostname: 'pbx6.example.com',
    });
    expect(await settle(clock, ua.firstTarget(req, { useOutboundProxy: false }))).toMatchObject({
      address: '192.0.2.99',
      family: 4,
      source: 'literal',
    });
    expect(sent).toEqual([]);
    expect(formatUri(req.uri)).toBe('sip:bob@192.0.2.99');
    expect(req.headers.getAll('Route')).toEqual([]);
  });

  it('resolves the Request-URI with RFC 3263 (SRV) when there is no proxy', async () => {
    resolver.fail('example.com', 'NAPTR', 'ENODATA');
    resolver.set('_sip._udp.example.com', 'SRV', [
      { name: 'sip1.example.com', port: 5070, priority: 10, weight: 0 },
    ]);
    resolver.set('sip1.example.com', 'A', ['192.0.2.7']);
    const ua = await agent(net.host('192.0.2.10'), {
      transport: { udp: { families: [4], port: 5060 }, transports: ['udp'] },
    });
    const p = await peer('192.0.2.7', 5070);
    const req = ua.createRequest({
      method: 'MESSAGE',
      uri: uri('sip:bob@example.com'),
      from: { uri: uri('sip:alice@atlanta.example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:bob@example.com'), params: NO_PARAMS },
      body: 'hi',
      contentType: 'text/plain',
    });
    const out = ua.sendRequest(req);
    await run(clock, 10);
    expect(p.received.map((m) => (m.kind === 'request' ? m.method : m.status))).toEqual(['MESSAGE']);
    expect(out.target).toMatchObject({ address: '192.0.2.7', port: 5070, transport: 'udp' });
    expect(out.request.headers.has('Route')).toBe(false);
    out.transaction?.abort('test over');
    await settle(clock, out.result);
  });

  it('a UA behind NAT gets the INVITE over the TCP connection it registered on, and answers on it', async () => {
    const home = net.host('10.0.0.2');
    net.addNat({ publicAddress: '198.51.100.1', inside: [home] });
    const alice = await agent(home);
    const registrar = await agent(net.host('203.0.113.5'), {
      transport: { udp: { families: [4], port: 5060 }, tcpListener: { port: 5060 } },
    });
    let registered: UasRequest | undefined;
    registrar.onRequest('REGISTER', (uas) => {
      registered = uas;
      uas.respond(200);
    });
    const ringing: string[] = [];
    alice.onRequest('INVITE', (uas) => {
      ringing.push(`${uas.request.method} over ${uas.flow.transport} ${uas.flow.direction}`);
      uas.respond(180);
    });
    const reg = alice.createRequest({
      method: 'REGISTER',
      uri: uri('sip:203.0.113.5;transport=tcp'),
      from: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
    });
    const out = alice.sendRequest(reg, { contact: { user: 'alice', uriParams: { ob: null } } });
    const outcome = await settle(clock, out.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
    const flow = registered!.flow;
    expect(flow.transport).toBe('tcp');
    const invite = registrar.createRequest({
      method: 'INVITE',
      uri: uri('sip:alice@10.0.0.2;transport=tcp;ob'),
      from: { uri: uri('sip:bob@example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
      contact: [registrar.contactFor(flow, { user: 'bob' })],
    });
    const statuses: number[] = [];
    const call = registrar.sendRequest(invite, {
      flow,
      user: { onResponse: (r) => statuses.push(r.status) },
    });
    await run(clock, 10);
    expect(call.flow).toBe(flow);
    expect(ringing).toEqual(['INVITE over tcp outgoing']);
    expect(statuses).toEqual([180]);
    call.cancel();
    await settle(clock, call.result);
    expect(alice.transport.flows().filter((f) => f.transport === 'tcp')).toHaveLength(1);
  });

  it('runs a whole dialog between two agents: INVITE/200/ACK, BYE in the dialog, ACK and BYE reach the callee with its dialog', async () => {
    const alice = await agent(net.host('192.0.2.10'));
    const bob = await agent(net.host('192.0.2.20'));
    const bobLog: string[] = [];
    let bobDialog: Dialog | undefined;
    bob.onRequest('INVITE', (uas) => {
      const d = bob.dialogs.fromUasRequest(uas.request, uas.toTag, uas.flow.secure, 'early');
      if (!d.ok) throw new Error(d.reason);
      bobDialog = d.dialog;
      uas.respond(180, { contact: [bob.contactFor(uas.flow, { user: 'bob' })] });
      d.dialog.confirm();
      uas.respond(200, {
        contact: [bob.contactFor(uas.flow, { user: 'bob' })],
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      });
    });
    bob.onRequest('ACK', (uas) =>
      bobLog.push(`ACK ${uas.dialog === bobDialog ? 'in dialog' : 'no dialog'} cseq ${uas.request.cseq.seq}`),
    );
    bob.onRequest('BYE', (uas) => {
      bobLog.push(`BYE ${uas.dialog === bobDialog ? 'in dialog' : 'no dialog'}`);
      uas.dialog?.terminate('BYE');
      uas.respond(200);
    });
    const invite = alice.createRequest({
      method: 'INVITE',
      uri: uri('sip:bob@192.0.2.20'),
      from: { displayName: 'Alice', uri: uri('sip:alice@atlanta.example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:bob@192.0.2.20'), params: NO_PARAMS },
      body: 'v=0\r\n',
      contentType: 'application/sdp',
    });
    const statuses: number[] = [];
    const out = alice.sendRequest(invite, {
      contact: { user: 'alice' },
      user: { onResponse: (r) => statuses.push(r.status) },
    });
    const outcome = await settle(clock, out.result);
    if (outcome.kind !== 'final') throw new Error(outcome.kind);
    expect(statuses).toEqual([180, 200]);
    const created = alice.dialogs.fromUacResponse(out.request, outcome.response, false);
    if (!created.ok) throw new Error(created.reason);
    const dialog = created.dialog;
    expect(dialog.state).toBe('confirmed');
    expect(formatUri(dialog.remoteTarget)).toBe('sip:bob@192.0.2.20:5060');
    const ack = await settle(clock, alice.sendAck(dialog, out.request.cseq.seq, { flow: out.flow }));
    expect(ack.result).toEqual({ ok: true });
    expect(ack.request.cseq).toEqual({ seq: 1, method: 'ACK' });
    await run(clock, 0);
    const bye = alice.sendInDialog(dialog, 'BYE');
    const byeOutcome = await settle(clock, bye.result);
    expect(byeOutcome.kind === 'final' && byeOutcome.response.status).toBe(200);
    expect(bye.request.cseq).toEqual({ seq: 2, method: 'BYE' });
    expect(bobLog).toEqual(['ACK in dialog cseq 1', 'BYE in dialog']);
    expect(bob.dialogs.size).toBe(0);
    await run(clock, 40_000, 1000);
    expect(alice.transactions.clientCount).toBe(0);
    expect(bob.transactions.serverCount).toBe(0);
  });
});
