import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import type { DatagramSocket } from '../../../../src-main/platform/index.ts';
import { DigestSession } from '../../../../src-main/sip/auth/index.ts';
import { NO_PARAMS, createResponse, serialize } from '../../../../src-main/sip/syntax/index.ts';
import type { SipRequest, SipResponse } from '../../../../src-main/sip/syntax/index.ts';
import { Invite2xxRetransmitter, SipUserAgent } from '../../../../src-main/sip/ua/index.ts';
import type { Retransmit2xxState } from '../../../../src-main/sip/ua/index.ts';
import { flush, parse, run, settle, uri } from '../transport/support.ts';

let clock: FakeClock;
let net: MemoryNetwork;
let ua: SipUserAgent;
let socket: DatagramSocket;
let received: { at: number; message: SipRequest | SipResponse }[];

beforeEach(async () => {
  clock = new FakeClock();
  net = new MemoryNetwork(clock);
  ua = new SipUserAgent({
    clock,
    network: net.host('192.0.2.10'),
    resolver: new FakeResolver(),
    transport: { udp: { families: [4], port: 5060 } },
  });
  await ua.start();
  socket = await net.host('192.0.2.7').bindDatagram({ family: 4, port: 5060 });
  received = [];
  socket.onMessage((d) => received.push({ at: clock.monotonic(), message: parse(d) }));
});

afterEach(async () => {
  ua.close();
  socket.close();
  await flush();
  clock.runAll();
  await flush();
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

function sendRaw(text: string): void {
  socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), { address: '192.0.2.10', port: 5060, family: 4 });
}

function sendMessage(message: SipRequest | SipResponse): void {
  socket.send(serialize(message), { address: '192.0.2.10', port: 5060, family: 4 });
}

const INVITE = `INVITE sip:ua@192.0.2.10 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-inv1;rport
Max-Forwards: 70
From: <sip:carol@192.0.2.7>;tag=c1
To: <sip:ua@192.0.2.10>
Call-ID: rtx-1
CSeq: 3 INVITE
Contact: <sip:carol@192.0.2.7>
Content-Length: 0

`;

describe('2xx to INVITE retransmission until the ACK (RFC 3261 §13.3.1.4)', () => {
  function answerInvite(outcomes: string[]): void {
    ua.onRequest('INVITE', (uas) => {
      uas.onAckOutcome((o) => outcomes.push(`${o} at ${clock.monotonic()}`));
      uas.respond(200, {
        contact: [ua.contactFor(uas.flow)],
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      });
    });
  }

  it('retransmits at T1 doubling to T2 and gives up at 64·T1 without an ACK', async () => {
    const outcomes: string[] = [];
    answerInvite(outcomes);
    sendRaw(INVITE);
    await run(clock, 32_000, 100);
    const oks = received.filter((r) => r.message.kind === 'response').map((r) => r.at);
    expect(oks).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(outcomes).toEqual(['timed-out at 32000']);
  });

  it('stops at the ACK', async () => {
    const outcomes: string[] = [];
    answerInvite(outcomes);
    const acks: string[] = [];
    ua.onRequest('ACK', (uas) => acks.push(uas.request.method));
    sendRaw(INVITE);
    await run(clock, 1000, 100);
    const ok = received[0]?.message;
    if (ok?.kind !== 'response') throw new Error('no 200');
    sendRaw(`ACK sip:ua@192.0.2.10 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-ack1;rport
Max-Forwards: 70
From: <sip:carol@192.0.2.7>;tag=c1
To: <sip:ua@192.0.2.10>;tag=${ok.to.tag ?? ''}
Call-ID: rtx-1
CSeq: 3 ACK
Content-Length: 0

`);
    await run(clock, 40_000, 1000);
    expect(received.map((r) => r.at)).toEqual([0, 500]);
    expect(outcomes).toEqual(['acknowledged at 1000']);
    expect(acks).toEqual(['ACK']);
  });

  it('the retransmitter machine alone: stop() ends it without a callback storm', () => {
    const sends: number[] = [];
    const ends: Retransmit2xxState[] = [];
    const r = new Invite2xxRetransmitter({
      clock,
      timers: { t1: 500, t2: 4000, t4: 5000 },
      send: () => sends.push(clock.monotonic()),
      onEnd: (s) => ends.push(s),
    });
    clock.advance(2000);
    r.stop();
    r.acknowledge();
    clock.advance(60_000);
    expect(sends).toEqual([500, 1500]);
    expect(ends).toEqual(['stopped']);
  });
});

describe('sendAuthenticated (RFC 3261 §22.2)', () => {
  function register(): SipRequest {
    return ua.createRequest({
      method: 'REGISTER',
      uri: uri('sip:192.0.2.7'),
      from: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
      to: { uri: uri('sip:alice@example.com'), params: NO_PARAMS },
    });
  }

  function lastRequest(): SipRequest {
    const last = [...received].reverse().find((r) => r.message.kind === 'request')?.message;
    if (last?.kind !== 'request') throw new Error('no request');
    return last;
  }

  const challenge = (req: SipRequest, nonce: string) =>
    createResponse(req, 401, undefined, {
      toTag: 'reg',
      headers: [
        ['WWW-Authenticate', `Digest realm="example.com", nonce="${nonce}", qop="auth", algorithm=MD5`],
      ],
    });

  it('answers a 401 with Authorization, CSeq + 1 and a new branch; the 401 is not passed up', async () => {
    const session = new DigestSession({
      credentials: { username: 'alice', password: 'secret' },
      randomBytes: (n) => new Uint8Array(n).fill(7),
    });
    const seen: number[] = [];
    const auth = ua.sendAuthenticated(register(), session, {
      contact: { user: 'alice' },
      user: { onResponse: (r) => seen.push(r.status) },
    });
    await run(clock, 10);
    const first = lastRequest();
    sendMessage(challenge(first, 'n1'));
    await run(clock, 10);
    const second = lastRequest();
    expect(second.cseq).toEqual({ seq: 2, method: 'REGISTER' });
    expect(second.callId).toBe(first.callId);
    expect(second.from.tag).toBe(first.from.tag);
    expect(second.topVia.branch).not.toBe(first.topVia.branch);
    expect(second.headers.get('Authorization')).toMatch(
      /^Digest username="alice", realm="example.com", nonce="n1", uri="sip:192.0.2.7", response="[0-9a-f]{32}"/,
    );
    sendMessage(createResponse(second, 200, undefined, { toTag: 'reg' }));
    const outcome = await settle(clock, auth.result);
    expect(outcome.kind === 'final' && outcome.response.status).toBe(200);
    expect(seen).toEqual([200]);
    expect(auth.sends).toBe(2);
  });

  it('ends with auth-failed when the answered realm challenges again (wrong password)', async () => {
    const session = new DigestSession({ credentials: { username: 'alice', password: 'wrong' } });
    const auth = ua.sendAuthenticated(register(), session);
    await run(clock, 10);
    sendMessage(challenge(lastRequest(), 'n1'));
    await run(clock, 10);
    expect(lastRequest().cseq.seq).toBe(2);
    sendMessage(challenge(lastRequest(), 'n2'));
    const outcome = await settle(clock, auth.result);
    expect(outcome.kind).toBe('auth-failed');
    if (outcome.kind === 'auth-failed') expect(outcome.failure.kind).toBe('auth-rejected');
  });
});
