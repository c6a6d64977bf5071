import { afterEach, describe, expect, it } from 'vitest';
import { Header } from '../../../src-main/sip/syntax/index.ts';
import type { SipRequest } from '../../../src-main/sip/syntax/index.ts';
import { ADDRESSES, digestFor, expectNoLeaks, peerSdp, scriptedPeer, startLab, uri } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

const PEER = ADDRESSES.proxy;

describe('our INVITE against a scripted far end', () => {
  it.each([
    [404, 'Not Found', 'not-found'],
    [480, 'Temporarily Unavailable', 'unavailable'],
    [408, 'Request Timeout', 'timeout'],
    [500, 'Server Internal Error', 'server-error'],
    [503, 'Service Unavailable', 'server-error'],
    [488, 'Not Acceptable Here', 'no-common-codec'],
    [600, 'Busy Everywhere', 'busy'],
    [403, 'Forbidden', 'rejected'],
  ] as const)('%i %s → reason %s, sipCode kept', async (status, phrase, kind) => {
    lab = await startLab({ phones: ['alice'] });
    await scriptedPeer(lab, PEER, (req, peer) => {
      if (req.method === 'INVITE') peer.respond(req, status, { toTag: 'p1' });
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(100);
    expect(call.reason).toEqual({ kind, text: `${status} ${phrase}` });
    expect(call.sipCode).toBe(status);
    expect(lab.trace()).toEqual([`alice→proxy INVITE`, `proxy→alice ${status} ${phrase}`, 'alice→proxy ACK']);
    expect(alice.ua.dialogs.size).toBe(0);
  });

  it('no response at all: INVITE at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, Timer B at 32 s → timeout', async () => {
    lab = await startLab({ phones: ['alice'] });
    const peer = await scriptedPeer(lab, PEER, () => {});
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(31_990, 10);
    expect(call.phase).toBe('dialing');
    await lab.run(20);
    expect(call.reason).toEqual({ kind: 'timeout', text: 'No answer from the network' });
    expect(call.sipCode).toBeNull();
    expect(peer.requests.map((r) => r.method)).toEqual(Array(7).fill('INVITE'));
    expect(lab.sip.map((l) => l.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
  });

  it('answers a 407 with Proxy-Authorization: same Call-ID, CSeq + 1, new branch (RFC 3261 §22.2)', async () => {
    lab = await startLab({ phones: ['alice'], account: { alice: { digest: digestFor('alice', 'secret') } } });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method !== 'INVITE') return;
      if (!req.headers.has('Proxy-Authorization')) {
        p.respond(req, 407, {
          toTag: 'c1',
          headers: [['Proxy-Authenticate', 'Digest realm="lab.test", nonce="n1", qop="auth", algorithm=MD5']],
        });
      } else {
        p.respond(req, 200, {
          toTag: 'ok',
          headers: [['Contact', `<sip:x@${PEER}>`]],
          body: peerSdp(PEER, 40000),
        });
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    expect(call.phase).toBe('active');
    expect(lab.trace()).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 407 Proxy Authentication Required',
      'alice→proxy ACK',
      'alice→proxy INVITE',
      'proxy→alice 200 OK',
      'alice→proxy ACK',
    ]);
    const [first, second] = peer.requests.filter((r) => r.method === 'INVITE');
    expect(second!.callId).toBe(first!.callId);
    expect(second!.from.tag).toBe(first!.from.tag);
    expect(second!.cseq.seq).toBe(first!.cseq.seq + 1);
    expect(second!.topVia.branch).not.toBe(first!.topVia.branch);
    expect(second!.headers.get('Proxy-Authorization')).toMatch(
      /^Digest username="alice", realm="lab.test", nonce="n1", uri="sip:x@203\.0\.113\.5", response="[0-9a-f]{32}"/,
    );
    // The same offer both times (same o= version: one session).
    expect(second!.body.toString()).toBe(first!.body.toString());
    const ack = peer.requests.at(-1)!;
    expect(ack.method).toBe('ACK');
    expect(ack.cseq).toEqual({ seq: second!.cseq.seq, method: 'ACK' });
    call.hangup();
  });

  it('a refused password ends as auth-failed with the code', async () => {
    lab = await startLab({ phones: ['alice'], account: { alice: { digest: digestFor('alice', 'wrong') } } });
    await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE')
        p.respond(req, 401, {
          toTag: 'c1',
          headers: [['WWW-Authenticate', `Digest realm="lab.test", nonce="n${req.cseq.seq}", algorithm=MD5`]],
        });
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    expect(call.reason?.kind).toBe('auth-failed');
    expect(call.sipCode).toBe(401);
    expect(lab.trace().filter((l) => l.endsWith('INVITE'))).toHaveLength(2);
  });

  it('follows one 302 to its Contact: same Call-ID and From tag, CSeq + 1, To unchanged (§8.1.3.4)', async () => {
    lab = await startLab({ account: { bob: { autoAnswer: true } } });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE')
        p.respond(req, 302, {
          toTag: 'r1',
          headers: [['Contact', `<sip:bob@${ADDRESSES.bob}>;q=0.5, <sip:nobody@${ADDRESSES.carol}>;q=0.1`]],
        });
    });
    const { alice, bob } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:bob@${PEER}`));
    await lab.run(200);
    expect(call.phase).toBe('active');
    expect(lab.trace()).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 302 Moved Temporarily',
      'alice→proxy ACK',
      'alice→bob INVITE',
      'bob→alice 100 Trying',
      'bob→alice 180 Ringing',
      'bob→alice 200 OK',
      'alice→bob ACK',
    ]);
    const first = peer.requests[0]!;
    const second = lab.sip[3]!.message;
    expect(second.kind === 'request' && second.uri).toEqual(uri(`sip:bob@${ADDRESSES.bob}`));
    expect(second.callId).toBe(first.callId);
    expect(second.from.tag).toBe(first.from.tag);
    expect(second.cseq.seq).toBe(first.cseq.seq + 1);
    expect(second.headers.get('To')).toBe(first.headers.get('To'));
    expect(bob.last().phase).toBe('active');
    call.hangup();
  });

  it('is loop-safe: a redirect back to a target already tried, or a second redirect, ends the call', async () => {
    lab = await startLab({ phones: ['alice'] });
    await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method !== 'INVITE') return;
      // First: to ourselves again (a loop: not followed); the test below redirects once then again.
      p.respond(req, 302, { toTag: `r${req.cseq.seq}`, headers: [['Contact', `<sip:x@${PEER}>`]] });
    });
    const { alice } = lab.phones;
    const looped = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    expect(looped.reason).toEqual({ kind: 'rejected', text: '302 Moved Temporarily' });
    expect(lab.trace()).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 302 Moved Temporarily',
      'alice→proxy ACK',
    ]);

    const mark = lab.sip.length;
    const twice = alice.agent.dial(alice.account, uri(`sip:y@${PEER}`));
    await lab.run(200);
    // sip:y → 302 to sip:x (followed once) → 302 to sip:x again: no second redirect.
    expect(lab.trace(mark)).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 302 Moved Temporarily',
      'alice→proxy ACK',
      'alice→proxy INVITE',
      'proxy→alice 302 Moved Temporarily',
      'alice→proxy ACK',
    ]);
    expect(twice.reason?.kind).toBe('rejected');
    expect(twice.sipCode).toBe(302);
  });

  it('the 200 that crosses our CANCEL is ACKed and then ended with BYE (RFC 3261 §15)', async () => {
    lab = await startLab({ phones: ['alice'] });
    let invite: SipRequest | undefined;
    await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE') {
        invite = req;
        p.respond(req, 180, { toTag: 't1', headers: [['Contact', `<sip:x@${PEER}>`]] });
      } else if (req.method === 'CANCEL' && invite !== undefined) {
        // The far end answered just before our CANCEL reached it.
        p.respond(invite, 200, {
          toTag: 't1',
          headers: [['Contact', `<sip:x@${PEER}>`]],
          body: peerSdp(PEER, 40000),
        });
        p.respond(req, 200, { toTag: 't1' });
      } else if (req.method === 'BYE') {
        p.respond(req, 200);
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(100);
    expect(call.state).toBe('ringing');
    call.hangup();
    await lab.run(200);
    expect(call.reason?.kind).toBe('cancelled');
    expect(lab.trace()).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 180 Ringing',
      'alice→proxy CANCEL',
      'proxy→alice 200 OK',
      'proxy→alice 200 OK',
      'alice→proxy ACK',
      'alice→proxy BYE',
      'proxy→alice 200 OK',
    ]);
    expect(lab.sip[5]!.message.cseq.method).toBe('ACK');
    expect(lab.sip[6]!.message.to.tag).toBe('t1');
    await lab.run(1000);
    expect(alice.ua.dialogs.size).toBe(0);
  });

  it('forked 2xx: the first answer is the call; the other fork gets ACK and BYE (§13.2.2.4)', async () => {
    lab = await startLab({ phones: ['alice'] });
    await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE') {
        p.respond(req, 180, { toTag: 'fa', headers: [['Contact', `<sip:a@${PEER}>`]] });
        p.respond(req, 180, { toTag: 'fb', headers: [['Contact', `<sip:b@${PEER}>`]] });
        p.respond(req, 200, {
          toTag: 'fa',
          headers: [['Contact', `<sip:a@${PEER}>`]],
          body: peerSdp(PEER, 40000),
        });
        p.respond(req, 200, {
          toTag: 'fb',
          headers: [['Contact', `<sip:b@${PEER}>`]],
          body: peerSdp(PEER, 40002),
        });
      } else if (req.method === 'BYE') {
        p.respond(req, 200);
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    expect(call.phase).toBe('active');
    expect(call.dialog?.id.remoteTag).toBe('fa');
    const tail = lab.sip.slice(5).map((l) => `${l.line} ${l.message.to.tag ?? ''}`);
    expect(tail).toEqual(['ACK fa', 'ACK fb', 'BYE fb', '200 OK fb']);
    const bye = lab.sip.find((l) => l.line === 'BYE')!.message;
    expect(bye.kind === 'request' ? bye.uri : undefined).toEqual(uri(`sip:b@${PEER}`));
    expect(alice.ua.dialogs.size).toBe(1);
    call.hangup();
  });

  it('ACKs every retransmission of the 2xx (§13.2.2.4)', async () => {
    lab = await startLab({ phones: ['alice'] });
    await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE') {
        const ok = {
          toTag: 'ok',
          headers: [['Contact', `<sip:x@${PEER}>`]] as [string, string][],
          body: peerSdp(PEER, 40000),
        };
        p.respond(req, 200, ok);
        p.respond(req, 200, ok);
        p.respond(req, 200, ok);
      }
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    expect(lab.trace()).toEqual([
      'alice→proxy INVITE',
      'proxy→alice 200 OK',
      'proxy→alice 200 OK',
      'proxy→alice 200 OK',
      'alice→proxy ACK',
      'alice→proxy ACK',
      'alice→proxy ACK',
    ]);
    expect(call.phase).toBe('active');
    call.hangup();
  });

  it('early media: a 183 with SDP starts the audio before the answer; the 2xx repeats it', async () => {
    lab = await startLab({ phones: ['alice'] });
    let invite: SipRequest | undefined;
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method === 'INVITE') {
        invite = req;
        p.respond(req, 183, {
          toTag: 'e1',
          reason: 'Session Progress',
          headers: [['Contact', `<sip:x@${PEER}>`]],
          body: peerSdp(PEER, 40000),
        });
      }
    });
    const sink = await peer.host.bindDatagram({ family: 4, port: 40000 });
    lab.onClose(() => sink.close());
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(500);
    expect(call.state).toBe('early');
    expect(call.snapshot().stats.packetsSent).toBeGreaterThan(10);
    expect(call.snapshot().codec).toBe('PCMU');
    peer.respond(invite!, 200, {
      toTag: 'e1',
      headers: [['Contact', `<sip:x@${PEER}>`]],
      body: peerSdp(PEER, 40000),
    });
    await lab.run(100);
    expect(call.state).toBe('active');
    call.hangup();
  });

  it('retries a 422 with the Session-Expires and Min-SE it names (RFC 4028 §7.4)', async () => {
    lab = await startLab({ phones: ['alice'], timing: { sessionExpiresSec: 120 } });
    const peer = await scriptedPeer(lab, PEER, (req, p) => {
      if (req.method !== 'INVITE') return;
      const se = req.headers.first(Header.SessionExpires);
      if (se.ok && se.value !== undefined && se.value.seconds < 300)
        p.respond(req, 422, { toTag: 's1', headers: [['Min-SE', '300']] });
      else
        p.respond(req, 200, {
          toTag: 's2',
          headers: [
            ['Contact', `<sip:x@${PEER}>`],
            ['Session-Expires', '300;refresher=uac'],
            ['Require', 'timer'],
          ],
          body: peerSdp(PEER, 40000),
        });
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(200);
    const invites = peer.requests.filter((r) => r.method === 'INVITE');
    expect(invites.map((r) => r.headers.get('Session-Expires'))).toEqual(['120', '300']);
    expect(invites[1]!.headers.get('Min-SE')).toBe('300');
    expect(invites[1]!.cseq.seq).toBe(invites[0]!.cseq.seq + 1);
    expect(call.phase).toBe('active');
    expect(call.sessionTimer?.state).toBe('refreshing');
    expect(call.sessionTimer?.intervalSec).toBe(300);
    call.hangup();
  });
});
