import { afterEach, describe, expect, it } from 'vitest';
import { ADDRESSES, expectNoLeaks, peerSdp, scriptedPeer, startLab, uri } from './support.ts';
import type { Lab, ScriptedPeer } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

const PEER = ADDRESSES.proxy;

function invite(
  options: { callId?: string; cseq?: number; body?: string; extra?: string; branch?: string } = {},
): string {
  const body = options.body ?? peerSdp(PEER, 40000);
  return `INVITE sip:alice@${ADDRESSES.alice} SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=${options.branch ?? 'z9hG4bK-inv1'};rport
Max-Forwards: 70
From: "Peer" <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>
Call-ID: ${options.callId ?? 'in-1'}
CSeq: ${options.cseq ?? 1} INVITE
Contact: <sip:peer@${PEER}>
${options.extra ?? ''}${body === '' ? '' : 'Content-Type: application/sdp\n'}Content-Length: ${Buffer.byteLength(body.replace(/\r?\n/g, '\r\n'))}

${body}`;
}

function ackFor(toTag: string, options: { cseq?: number; body?: string } = {}): string {
  const body = options.body ?? '';
  return `ACK sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-ack${options.cseq ?? 1};rport
Max-Forwards: 70
From: "Peer" <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>;tag=${toTag}
Call-ID: in-1
CSeq: ${options.cseq ?? 1} ACK
${body === '' ? '' : 'Content-Type: application/sdp\n'}Content-Length: ${Buffer.byteLength(body.replace(/\r?\n/g, '\r\n'))}

${body}`;
}

async function caller(l: Lab): Promise<ScriptedPeer> {
  const peer = await scriptedPeer(l, PEER, () => {});
  const rtp = await peer.host.bindDatagram({ family: 4, port: 40000 });
  l.onClose(() => rtp.close());
  return peer;
}

describe('incoming INVITEs (RFC 3261 §13.3)', () => {
  it('retransmits our 2xx at T1, 2·T1 … T2 until the ACK, then stops (§13.3.1.4)', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite());
    await lab.run(10);
    const call = lab.phones.alice.last();
    expect(call.state).toBe('ringing');
    const start = lab.clock.monotonic();
    await call.answer();
    await lab.run(8000, 10);
    const oks = lab.sip.filter((l) => l.line === '200 OK').map((l) => l.at - start);
    expect(oks).toEqual([0, 500, 1500, 3500, 7500]);
    expect(call.phase).toBe('connecting');
    const toTag = lab.sip.find((l) => l.line === '200 OK')!.message.to.tag!;
    peer.sendText(ackFor(toTag));
    await lab.run(20_000, 100);
    expect(call.phase).toBe('active');
    expect(lab.sip.filter((l) => l.line === '200 OK')).toHaveLength(5);
    call.hangup();
  });

  it('gives up at 64·T1 without an ACK: BYE, reason no-ack', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite());
    await lab.run(10);
    const call = lab.phones.alice.last();
    const start = lab.clock.monotonic();
    await call.answer();
    await lab.run(33_000, 10);
    const oks = lab.sip
      .filter((l) => l.line === '200 OK' && l.message.cseq.method === 'INVITE')
      .map((l) => l.at - start);
    expect(oks).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(call.reason).toEqual({ kind: 'no-ack', text: 'The caller never confirmed the answer (no ACK)' });
    const bye = lab.sip.find((l) => l.line === 'BYE')!;
    expect(bye.at - start).toBe(32_000);
    expect(call.answered).toBe(true);
  });

  it('refuses an offer without a codec in common with 488, before ringing', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    const g729 = [
      'v=0',
      `o=peer 1 1 IN IP4 ${PEER}`,
      's=-',
      `c=IN IP4 ${PEER}`,
      't=0 0',
      'm=audio 40000 RTP/AVP 18',
      'a=rtpmap:18 G729/8000',
      '',
    ].join('\r\n');
    peer.sendText(invite({ body: g729 }));
    await lab.run(50);
    expect(lab.trace()).toEqual(['proxy→alice INVITE', 'alice→proxy 488 Not Acceptable Here']);
    const call = lab.phones.alice.calls[0]!;
    expect(call.reason?.kind).toBe('no-common-codec');
    expect(call.sipCode).toBe(488);
    expect(lab.phones.alice.agent.calls).toEqual([]);
  });

  it('an INVITE without SDP gets our offer in the 2xx and its answer in the ACK (§13.3.1.4)', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite({ body: '' }));
    await lab.run(10);
    const call = lab.phones.alice.last();
    await call.answer();
    await lab.run(10);
    const ok = lab.sip.find((l) => l.line === '200 OK')!;
    expect(ok.message.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 0 8 9 101\r$/m);
    expect(call.offerAnswer.state).toBe('local-offer');
    peer.sendText(ackFor(ok.message.to.tag!, { body: peerSdp(PEER, 40000) }));
    await lab.run(500);
    expect(call.phase).toBe('active');
    expect(call.offerAnswer.state).toBe('stable');
    expect(call.snapshot().codec).toBe('PCMU');
    expect(call.snapshot().stats.packetsSent).toBeGreaterThan(10);
    call.hangup();
  });

  it('auto-answers after the Call-Info answer-after delay', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite({ extra: `Call-Info: <sip:${PEER}>;answer-after=2\n` }));
    await lab.run(1990);
    const call = lab.phones.alice.last();
    expect(call.state).toBe('ringing');
    await lab.run(20);
    expect(call.state).toBe('active');
    expect(lab.sip.find((l) => l.line === '200 OK')!.at).toBe(2000);
    call.hangup();
  });

  it('a CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, call missed', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite());
    await lab.run(10);
    peer.sendText(`CANCEL sip:alice@${ADDRESSES.alice} SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-inv1;rport
Max-Forwards: 70
From: "Peer" <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>
Call-ID: in-1
CSeq: 1 CANCEL
Content-Length: 0

`);
    await lab.run(10);
    const call = lab.phones.alice.calls[0]!;
    expect(call.reason).toEqual({ kind: 'remote-cancelled', text: 'The caller hung up before the answer' });
    expect(lab.trace()).toEqual([
      'proxy→alice INVITE',
      'alice→proxy 100 Trying',
      'alice→proxy 180 Ringing',
      'proxy→alice CANCEL',
      'alice→proxy 200 OK',
      'alice→proxy 487 Request Terminated',
    ]);
    expect((await call.answer()).ok).toBe(false);
  });

  it('a too-short Session-Expires gets 422 with our Min-SE (RFC 4028 §9)', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite({ extra: 'Supported: timer\nSession-Expires: 30\n' }));
    await lab.run(10);
    expect(lab.trace()).toEqual(['proxy→alice INVITE', 'alice→proxy 422 Session Interval Too Small']);
    expect(lab.sip[1]!.message.headers.get('Min-SE')).toBe('90');
  });

  it('answers 481 to a BYE for a dialog it does not know', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(`BYE sip:alice@${ADDRESSES.alice} SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-bye9;rport
Max-Forwards: 70
From: <sip:peer@${PEER}>;tag=pt9
To: <sip:alice@${ADDRESSES.alice}>;tag=nope
Call-ID: unknown-1
CSeq: 5 BYE
Content-Length: 0

`);
    await lab.run(10);
    expect(lab.trace()).toEqual(['proxy→alice BYE', 'alice→proxy 481 Call/Transaction Does Not Exist']);
  });
});

describe('hanging up before the ACK (RFC 3261 §15)', () => {
  it('the BYE waits for the ACK of our 2xx', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite());
    await lab.run(10);
    const call = lab.phones.alice.last();
    await call.answer();
    await lab.run(100);
    call.hangup();
    expect(call.state).toBe('ended');
    await lab.run(700);
    expect(lab.trace().filter((l) => l.includes('BYE'))).toEqual([]);
    const toTag = lab.sip.find((l) => l.line === '200 OK')!.message.to.tag!;
    peer.sendText(ackFor(toTag));
    await lab.run(10);
    expect(lab.trace().slice(-2)).toEqual(['proxy→alice ACK', 'alice→proxy BYE']);
  });
});

describe('requests inside the dialog', () => {
  it('OPTIONS in the dialog: 200 with Accept and Supported; an unknown INFO body: 415', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await caller(lab);
    peer.sendText(invite());
    await lab.run(10);
    const call = lab.phones.alice.last();
    await call.answer();
    await lab.run(10);
    const toTag = lab.sip.find((l) => l.line === '200 OK')!.message.to.tag!;
    peer.sendText(ackFor(toTag));
    await lab.run(10);
    const inDialog = (
      method: string,
      cseq: number,
      extra = '',
      body = '',
    ) => `${method} sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-d${cseq};rport
Max-Forwards: 70
From: "Peer" <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>;tag=${toTag}
Call-ID: in-1
CSeq: ${cseq} ${method}
${extra}Content-Length: ${body.length}

${body}`;
    const mark = lab.sip.length;
    peer.sendText(inDialog('OPTIONS', 2));
    await lab.run(10);
    peer.sendText(inDialog('INFO', 3, 'Content-Type: application/x-custom\n', 'hello'));
    await lab.run(10);
    peer.sendText(
      inDialog('INFO', 4, 'Content-Type: application/dtmf-relay\n', 'Signal=9\r\nDuration=100\r\n'),
    );
    await lab.run(10);
    expect(lab.trace(mark)).toEqual([
      'proxy→alice OPTIONS',
      'alice→proxy 200 OK',
      'proxy→alice INFO',
      'alice→proxy 415 Unsupported Media Type',
      'proxy→alice INFO',
      'alice→proxy 200 OK',
    ]);
    expect(lab.sip[mark + 1]!.message.headers.get('Accept')).toBe('application/sdp');
    expect(lab.sip[mark + 1]!.message.headers.get('Supported')).toBe('replaces, timer');
    expect(call.snapshot().dtmfReceived).toBe('9');
    call.hangup();
  });

  it('ACKs every retransmission of the 2xx to our re-INVITE', async () => {
    lab = await startLab({ phones: ['alice'] });
    await scriptedPeer(lab, PEER, (req, p) => {
      const ok = {
        toTag: 'rr',
        headers: [['Contact', `<sip:x@${PEER}>`]] as [string, string][],
        body: peerSdp(PEER, 40000, req.body.toString().includes('a=sendonly') ? 'recvonly' : 'sendrecv'),
      };
      if (req.method === 'INVITE') {
        p.respond(req, 200, ok);
        if (req.cseq.seq > 1) p.respond(req, 200, ok);
      } else if (req.method === 'BYE') p.respond(req, 200);
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(100);
    const mark = lab.sip.length;
    call.hold();
    await lab.run(100);
    expect(lab.trace(mark)).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 200 OK',
      'proxy→alice 200 OK',
      'alice→proxy ACK',
      'alice→proxy ACK',
    ]);
    expect(call.state).toBe('held');
    call.hangup();
  });

  it('refreshes with a re-INVITE (same SDP, same o= version) when the peer does not allow UPDATE', async () => {
    lab = await startLab({ phones: ['alice'], timing: { sessionExpiresSec: 90 } });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      const ok = {
        toTag: 'st',
        headers: [
          ['Contact', `<sip:x@${PEER}>`],
          ['Session-Expires', '90;refresher=uac'],
          ['Allow', 'INVITE, ACK, BYE, CANCEL'],
        ] as [string, string][],
        body: peerSdp(PEER, 40000),
      };
      if (req.method === 'INVITE') p.respond(req, 200, ok);
      else if (req.method === 'BYE') p.respond(req, 200);
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(100, 100);
    expect(call.sessionTimer?.state).toBe('refreshing');
    await lab.run(100_000, 100);
    const invites = peer.requests.filter((r) => r.method === 'INVITE');
    // Refreshes at 45 s and 90 s (half the interval after each 2xx).
    expect(invites.map((r) => r.headers.get('Session-Expires'))).toEqual([
      '90',
      '90;refresher=uac',
      '90;refresher=uac',
    ]);
    expect(invites[1]!.body.toString()).toBe(invites[0]!.body.toString());
    expect(peer.requests.filter((r) => r.method === 'UPDATE')).toEqual([]);
    call.hangup();
  });
});
