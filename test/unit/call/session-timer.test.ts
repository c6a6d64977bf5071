import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src-main/platform/index.ts';
import { SessionTimer } from '../../../src-main/call/index.ts';
import { ADDRESSES, expectNoLeaks, peerSdp, scriptedPeer, startLab } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

const PEER = ADDRESSES.proxy;

function invite(extra: string): string {
  const body = peerSdp(PEER, 40000).replace(/\r\n/g, '\n');
  return `INVITE sip:alice@${ADDRESSES.alice} SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-st1;rport
Max-Forwards: 70
From: <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>
Call-ID: st-1
CSeq: 1 INVITE
Contact: <sip:peer@${PEER}>
Allow: INVITE, ACK, BYE, CANCEL, UPDATE
${extra}Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(body.replace(/\n/g, '\r\n'))}

${body}`;
}

describe('session timers (RFC 4028)', () => {
  it('the peer refreshes (refresher=uac): we answer with Session-Expires + Require: timer and BYE when no refresh comes', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'BYE') p.respond(req, 200);
    });
    const rtp = await peer.host.bindDatagram({ family: 4, port: 40000 });
    lab.onClose(() => rtp.close());
    peer.sendText(invite('Supported: timer\nSession-Expires: 120;refresher=uac\n'));
    await lab.run(10);
    const call = lab.phones.alice.last();
    await call.answer();
    await lab.run(10);
    const ok = lab.sip.find((l) => l.line === '200 OK')!;
    expect(ok.message.headers.get('Session-Expires')).toBe('120;refresher=uac');
    expect(ok.message.headers.get('Require')).toBe('timer');
    peer.sendText(`ACK sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-st1a;rport
Max-Forwards: 70
From: <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>;tag=${ok.message.to.tag}
Call-ID: st-1
CSeq: 1 ACK
Content-Length: 0

`);
    const acked = lab.clock.monotonic();
    await lab.run(10);
    expect(call.sessionTimer?.state).toBe('watching');
    // §10: BYE at expiry − min(32, 120 / 3) = 88 s.
    await lab.run(87_900, 100);
    expect(call.phase).toBe('active');
    await lab.run(200, 10);
    expect(call.reason).toEqual({
      kind: 'session-expired',
      text: 'The session timer ran out (no refresh from the other side)',
    });
    const bye = lab.sip.find((l) => l.line === 'BYE')!;
    expect(bye.at - acked).toBe(88_000);
  });

  it('no refresher named: we refresh at half the interval with UPDATE (the peer allows it)', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'UPDATE' || req.method === 'BYE')
        p.respond(req, 200, { headers: [['Session-Expires', '120;refresher=uac']] });
    });
    const rtp = await peer.host.bindDatagram({ family: 4, port: 40000 });
    lab.onClose(() => rtp.close());
    peer.sendText(invite('Supported: timer\nSession-Expires: 120\n'));
    await lab.run(10);
    const call = lab.phones.alice.last();
    await call.answer();
    await lab.run(10);
    const ok = lab.sip.find((l) => l.line === '200 OK')!;
    expect(ok.message.headers.get('Session-Expires')).toBe('120;refresher=uas');
    peer.sendText(`ACK sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${PEER}:5060;branch=z9hG4bK-st2a;rport
Max-Forwards: 70
From: <sip:peer@${PEER}>;tag=pt1
To: <sip:alice@${ADDRESSES.alice}>;tag=${ok.message.to.tag}
Call-ID: st-1
CSeq: 1 ACK
Content-Length: 0

`);
    const acked = lab.clock.monotonic();
    // Steps of 100 ms from the ACK: timers fire on step boundaries, so sends happen at their exact time.
    await lab.run(100, 100);
    expect(call.sessionTimer?.state).toBe('refreshing');
    await lab.run(189_900, 100);
    const updates = lab.sip.filter((l) => l.line === 'UPDATE');
    expect(updates.map((l) => l.at - acked)).toEqual([60_000, 120_000, 180_000]);
    expect(updates[0]!.message.headers.get('Session-Expires')).toBe('120;refresher=uac');
    expect(updates[0]!.message.body.length).toBe(0);
    expect(call.phase).toBe('active');
    call.hangup();
  });

  it('between two phones: the caller asks for 90 s, the callee refreshes with UPDATE every 45 s, nobody hangs up', async () => {
    lab = await startLab({ timing: { sessionExpiresSec: 90 } });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, bob.uri);
    await lab.run(50);
    await bob.last().answer();
    await lab.run(50);
    expect(lab.sip[0]!.message.headers.get('Session-Expires')).toBe('90');
    expect(lab.sip.find((l) => l.line === '200 OK')!.message.headers.get('Session-Expires')).toBe(
      '90;refresher=uas',
    );
    expect(call.sessionTimer?.state).toBe('watching');
    expect(bob.last().sessionTimer?.state).toBe('refreshing');
    const mark = lab.sip.length;
    await lab.run(200_000, 100);
    expect(lab.trace(mark)).toEqual(Array(4).fill(['bob→alice UPDATE', 'alice→bob 200 OK']).flat());
    expect(call.phase).toBe('active');
    call.hangup();
  });

  it('SessionTimer: refresh at half, expiry at SE − min(32, SE/3), restart on every refresh', () => {
    const clock = new FakeClock();
    const events: string[] = [];
    const timer = new SessionTimer({
      clock,
      onRefresh: () => events.push(`refresh@${clock.monotonic()}`),
      onExpired: () => events.push(`expired@${clock.monotonic()}`),
    });
    timer.start(90, true);
    clock.advance(44_999);
    expect(events).toEqual([]);
    clock.advance(1);
    expect(events).toEqual(['refresh@45000']);
    timer.start(90, false);
    clock.advance(60_000);
    expect(events).toEqual(['refresh@45000', 'expired@105000']);
    expect(timer.state).toBe('off');
    timer.start(1800, false);
    clock.advance(1_767_999);
    expect(events).toHaveLength(2);
    clock.advance(1);
    expect(events.at(-1)).toBe(`expired@${105_000 + 1_768_000}`);
    timer.start(90, true);
    timer.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
