import { afterEach, describe, expect, it } from 'vitest';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';
import type { SipMessage, SipRequest } from '../../../src-main/sip/syntax/index.ts';
import { glareBackoffMs } from '../../../src-main/call/index.ts';
import { rms } from '../../../src-main/media/audio/index.ts';
import {
  ADDRESSES,
  TONES,
  expectNoLeaks,
  heard,
  peerSdp,
  scriptedPeer,
  seeded,
  startLab,
  uri,
} from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

function sdp(message: SipMessage): SessionDescription {
  const parsed = parseSdp(message.body.toString());
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.sdp;
}

function direction(description: SessionDescription): string | undefined {
  return description.media[0]?.attributes.find((a) =>
    ['sendrecv', 'sendonly', 'recvonly', 'inactive'].includes(a.name),
  )?.name;
}

async function connected(l: Lab) {
  const { alice, bob } = l.phones;
  const call = alice.agent.dial(alice.account, bob.uri);
  await l.run(50);
  const incoming = bob.last();
  await incoming.answer();
  await l.run(1000);
  return { call, incoming };
}

describe('hold and resume (RFC 3264 §8.4, RFC 6337)', () => {
  it('re-INVITE sendonly → recvonly answer; resume sendrecv; o= version +1 each time; audio stops and comes back', async () => {
    lab = await startLab();
    const { alice, bob } = lab.phones;
    const { call, incoming } = await connected(lab);
    const bobHears = () => heard(bob.speakers.get(incoming.id), TONES.alice, 500);
    const aliceHears = () => heard(alice.speakers.get(call.id), TONES.bob, 500);
    expect(bobHears()).toBe(true);
    expect(aliceHears()).toBe(true);
    const initialOffer = sdp(lab.sip[0]!.message);

    const mark = lab.sip.length;
    expect(call.hold().ok).toBe(true);
    await lab.run(100);
    expect(lab.trace(mark)).toEqual(['alice→bob INVITE', 'bob→alice 200 OK', 'alice→bob ACK']);
    const holdOffer = sdp(lab.sip[mark]!.message);
    const holdAnswer = sdp(lab.sip[mark + 1]!.message);
    expect(direction(holdOffer)).toBe('sendonly');
    expect(direction(holdAnswer)).toBe('recvonly');
    expect(holdOffer.origin.sessionId).toBe(initialOffer.origin.sessionId);
    expect(BigInt(holdOffer.origin.sessionVersion)).toBe(BigInt(initialOffer.origin.sessionVersion) + 1n);
    expect(call.state).toBe('held');
    expect(incoming.state).toBe('remote-held');
    expect(call.snapshot().state).toBe('held');

    await lab.run(1000);
    // bob answers recvonly and stops sending; we may send (sendonly, music on hold) but send silence.
    expect(aliceHears()).toBe(false);
    expect(bobHears()).toBe(false);
    expect(rms(alice.speakers.get(call.id)!.played().subarray(-4000))).toBeLessThan(50);

    const mark2 = lab.sip.length;
    expect(call.resume().ok).toBe(true);
    await lab.run(100);
    expect(lab.trace(mark2)).toEqual(['alice→bob INVITE', 'bob→alice 200 OK', 'alice→bob ACK']);
    const resumeOffer = sdp(lab.sip[mark2]!.message);
    expect(direction(resumeOffer)).toBe('sendrecv');
    expect(direction(sdp(lab.sip[mark2 + 1]!.message))).toBe('sendrecv');
    expect(BigInt(resumeOffer.origin.sessionVersion)).toBe(BigInt(holdOffer.origin.sessionVersion) + 1n);
    // bob's answers also bump his version once per change.
    expect(BigInt(sdp(lab.sip[mark2 + 1]!.message).origin.sessionVersion)).toBe(
      BigInt(holdAnswer.origin.sessionVersion) + 1n,
    );
    expect(call.state).toBe('active');
    expect(incoming.state).toBe('active');
    await lab.run(1000);
    expect(aliceHears()).toBe(true);
    expect(bobHears()).toBe(true);
    call.hangup();
  });

  it('holding a peer that holds us offers inactive', async () => {
    lab = await startLab();
    const { call, incoming } = await connected(lab);
    incoming.hold();
    await lab.run(100);
    expect(call.state).toBe('remote-held');
    const mark = lab.sip.length;
    call.hold();
    await lab.run(100);
    expect(direction(sdp(lab.sip[mark]!.message))).toBe('inactive');
    expect(direction(sdp(lab.sip[mark + 1]!.message))).toBe('inactive');
    expect(call.state).toBe('held');
    expect(incoming.state).toBe('held');
    call.hangup();
  });

  it('glare: both re-INVITE at once, both get 491, retry after the §14.1 back-off (owner 2.1–4 s, other 0–2 s)', async () => {
    lab = await startLab();
    const { call, incoming } = await connected(lab);
    lab.net.setConditions({ delayMs: 20 });
    const mark = lab.sip.length;
    const start = lab.clock.monotonic();
    call.hold();
    incoming.hold();
    await lab.run(200);
    expect(lab.trace(mark)).toEqual([
      'alice→bob INVITE',
      'bob→alice INVITE',
      'bob→alice 491 Request Pending',
      'alice→bob 491 Request Pending',
      'alice→bob ACK',
      'bob→alice ACK',
    ]);
    // alice placed the call: she owns the Call-ID → 2.1–4 s; bob 0–2 s. The seeded randoms decide.
    const aliceBackoff = call.sessionUpdates!.lastBackoffMs!;
    const bobBackoff = incoming.sessionUpdates!.lastBackoffMs!;
    expect(aliceBackoff).toBeGreaterThanOrEqual(2100);
    expect(aliceBackoff).toBeLessThanOrEqual(4000);
    expect(aliceBackoff % 10).toBe(0);
    expect(bobBackoff).toBeGreaterThanOrEqual(0);
    expect(bobBackoff).toBeLessThanOrEqual(2000);
    expect(bobBackoff % 10).toBe(0);
    await lab.run(5000);
    const retries = lab.sip.slice(mark + 6).filter((l) => l.line === 'INVITE');
    expect(retries.map((l) => l.from)).toEqual(['bob', 'alice']);
    // Each retry leaves when its 491 arrived (20 ms after the crossing INVITEs were sent) plus its back-off.
    expect(retries[0]!.at - start).toBe(40 + bobBackoff);
    expect(retries[1]!.at - start).toBe(40 + aliceBackoff);
    expect(call.state).toBe('held');
    expect(incoming.state).toBe('held');
    call.hangup();
  });

  it('glareBackoffMs: exact ranges in 10 ms units', () => {
    expect(glareBackoffMs(true, () => 0)).toBe(2100);
    expect(glareBackoffMs(true, () => 0.999999)).toBe(4000);
    expect(glareBackoffMs(false, () => 0)).toBe(0);
    expect(glareBackoffMs(false, () => 0.999999)).toBe(2000);
    const random = seeded(3);
    for (let i = 0; i < 200; i++) {
      const owner = glareBackoffMs(true, random);
      const other = glareBackoffMs(false, random);
      expect(owner >= 2100 && owner <= 4000 && owner % 10 === 0).toBe(true);
      expect(other >= 0 && other <= 2000 && other % 10 === 0).toBe(true);
    }
  });

  it('a re-INVITE from the peer with a new address moves our RTP there (media update)', async () => {
    lab = await startLab({ phones: ['alice'] });
    let invite: SipRequest | undefined;
    const peer = await scriptedPeer(lab, ADDRESSES.proxy, (req, p) => {
      if (req.method === 'INVITE') {
        invite = req;
        p.respond(req, 200, {
          toTag: 'pa',
          headers: [['Contact', `<sip:x@${ADDRESSES.proxy}>`]],
          body: peerSdp(ADDRESSES.proxy, 40000),
        });
      }
    });
    const counts = new Map<number, number>();
    for (const port of [40000, 40010]) {
      const socket = await peer.host.bindDatagram({ family: 4, port });
      socket.onMessage(() => counts.set(port, (counts.get(port) ?? 0) + 1));
      lab.onClose(() => socket.close());
    }
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${ADDRESSES.proxy}`));
    await lab.run(500);
    expect(call.phase).toBe('active');
    expect(counts.get(40000)).toBeGreaterThan(10);
    const body = peerSdp(ADDRESSES.proxy, 40010, 'sendrecv', 2);
    peer.sendText(`INVITE sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${ADDRESSES.proxy}:5060;branch=z9hG4bK-re1;rport
Max-Forwards: 70
From: <sip:x@${ADDRESSES.proxy}>;tag=pa
To: ${invite!.headers.get('From')}
Call-ID: ${invite!.callId}
CSeq: 7 INVITE
Contact: <sip:x@${ADDRESSES.proxy}>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(body)}

${body}`);
    await lab.run(20);
    const ok = lab.sip.at(-1)!;
    expect(ok.line).toBe('200 OK');
    expect(direction(sdp(ok.message))).toBe('sendrecv');
    counts.clear();
    await lab.run(500);
    expect(call.snapshot().media.remote).toBe(`${ADDRESSES.proxy}:40010`);
    expect(counts.get(40010)).toBeGreaterThan(10);
    expect(counts.get(40000) ?? 0).toBeLessThanOrEqual(1);
    call.hangup();
  });

  it('an UPDATE with an offer (RFC 3311) is answered in its 200: the peer holds us without a re-INVITE', async () => {
    lab = await startLab({ phones: ['alice'] });
    let invite: SipRequest | undefined;
    const peer = await scriptedPeer(lab, ADDRESSES.proxy, (req, p) => {
      if (req.method === 'INVITE') {
        invite = req;
        p.respond(req, 200, {
          toTag: 'pu',
          headers: [['Contact', `<sip:x@${ADDRESSES.proxy}>`]],
          body: peerSdp(ADDRESSES.proxy, 40000),
        });
      }
    });
    const rtp = await peer.host.bindDatagram({ family: 4, port: 40000 });
    lab.onClose(() => rtp.close());
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${ADDRESSES.proxy}`));
    await lab.run(200);
    const body = peerSdp(ADDRESSES.proxy, 40000, 'sendonly', 2);
    peer.sendText(`UPDATE sip:alice@${ADDRESSES.alice}:5060 SIP/2.0
Via: SIP/2.0/UDP ${ADDRESSES.proxy}:5060;branch=z9hG4bK-up1;rport
Max-Forwards: 70
From: <sip:x@${ADDRESSES.proxy}>;tag=pu
To: ${invite!.headers.get('From')}
Call-ID: ${invite!.callId}
CSeq: 9 UPDATE
Contact: <sip:x@${ADDRESSES.proxy}>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(body)}

${body}`);
    await lab.run(20);
    const ok = lab.sip.at(-1)!;
    expect(ok.line).toBe('200 OK');
    expect(ok.message.cseq.method).toBe('UPDATE');
    expect(direction(sdp(ok.message))).toBe('recvonly');
    expect(call.state).toBe('remote-held');
    call.hangup();
  });
});
