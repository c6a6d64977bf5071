/**
 * Media that reaches our socket after we sent the offer and before the answer that starts our session
 * (the callee's first RTP takes the direct path, its 200 OK or 183 the proxies): held by the media
 * sockets and delivered when the session starts — only from the address the answer names.
 *
 * The far end sends two packets in sequence. The media paths validate the source (answer address,
 * latch, ICE pair), so the session skips RFC 3550 §A.1 probation and counts a source from its first
 * packet: both held packets count.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IceMediaTransportProvider } from '../../../src-main/call/index.ts';
import type { MediaTransportProvider } from '../../../src-main/call/index.ts';
import type { DatagramSocket, SocketAddress } from '../../../src-main/platform/index.ts';
import type { SipRequest } from '../../../src-main/sip/syntax/index.ts';
import { ADDRESSES, expectNoLeaks, peerSdp, scriptedPeer, startLab, uri } from './support.ts';
import type { Lab, ScriptedPeer } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

const PEER = ADDRESSES.proxy;
const PEER_MEDIA_PORT = 40_000;
const ATTACKER = '203.0.113.66';

/** PCMU, 20 ms of a constant non-silent level: whatever the speaker plays besides zeros came from it. */
function rtp(seq: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 160, 0x10);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(seq * 160, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

/** Where alice's offer asks for media (c= and m=audio). */
function offeredMedia(invite: SipRequest): SocketAddress {
  const sdp = invite.body.toString('utf8');
  const address = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
  const port = /^m=audio (\d+)/m.exec(sdp)?.[1];
  if (address === undefined || port === undefined) throw new Error(`no audio in the offer:\n${sdp}`);
  return { address, port: Number(port), family: 4 };
}

interface FarEnd {
  readonly peer: ScriptedPeer;
  /** The far end's media socket, at the address its SDP names. */
  readonly media: DatagramSocket;
  readonly attacker: DatagramSocket;
}

/**
 * A far end that, on the INVITE, runs `onInvite` (send media, schedule its answer), answers BYE with 200,
 * and ignores everything else.
 */
async function farEnd(
  lab: Lab,
  onInvite: (invite: SipRequest, far: FarEnd, ours: SocketAddress) => void,
): Promise<FarEnd> {
  // `far` is complete before anyone can send the INVITE (the test dials after this returns).
  const peer = await scriptedPeer(lab, PEER, (request, p) => {
    if (request.method === 'INVITE') onInvite(request, far, offeredMedia(request));
    else if (request.method === 'BYE') p.respond(request, 200);
  });
  const media = await peer.host.bindDatagram({ family: 4, port: PEER_MEDIA_PORT });
  const attackerHost = lab.net.host(ATTACKER, { name: 'attacker' });
  const attacker = await attackerHost.bindDatagram({ family: 4, port: PEER_MEDIA_PORT });
  lab.onClose(() => {
    media.close();
    attacker.close();
  });
  const far: FarEnd = { peer, media, attacker };
  return far;
}

const answerHeaders: [string, string][] = [['Contact', `<sip:x@${PEER}>`]];

describe('media that arrives before the answer', () => {
  it('plays the callee’s RTP that beat its 200 OK, and not a third party’s from before it', async () => {
    lab = await startLab({ phones: ['alice'] });
    const clock = lab.clock;
    await farEnd(lab, (invite, far, ours) => {
      far.attacker.send(rtp(900, 0x666), ours);
      far.attacker.send(rtp(901, 0x666), ours);
      far.media.send(rtp(1, 0xb0b), ours);
      far.media.send(rtp(2, 0xb0b), ours);
      clock.setTimer(5, () =>
        far.peer.respond(invite, 200, {
          toTag: 'f1',
          headers: answerHeaders,
          body: peerSdp(PEER, PEER_MEDIA_PORT),
        }),
      );
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(10);
    expect(call.phase).toBe('active');
    const snapshot = call.snapshot();
    // Only the far end's packets: the attacker's came first but are not from the answer's address.
    expect(snapshot.stats.packetsReceived).toBe(2);
    expect(snapshot.media.remote).toBe(`${PEER}:${PEER_MEDIA_PORT}`);
    await lab.run(300);
    const played = alice.speakers.get(call.id)?.played() ?? new Int16Array();
    expect(played.some((sample) => sample !== 0)).toBe(true);
    expect(call.snapshot().stats.packetsReceived).toBe(2);
    call.hangup();
    await lab.run(100);
  });

  it('plays nothing when all that came before the answer was a third party’s', async () => {
    lab = await startLab({ phones: ['alice'] });
    const clock = lab.clock;
    await farEnd(lab, (invite, far, ours) => {
      far.attacker.send(rtp(900, 0x666), ours);
      far.attacker.send(rtp(901, 0x666), ours);
      clock.setTimer(5, () =>
        far.peer.respond(invite, 200, {
          toTag: 'f1',
          headers: answerHeaders,
          body: peerSdp(PEER, PEER_MEDIA_PORT),
        }),
      );
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(300);
    expect(call.phase).toBe('active');
    expect(call.snapshot().stats.packetsReceived).toBe(0);
    expect(call.snapshot().media.remote).toBe(`${PEER}:${PEER_MEDIA_PORT}`);
    const played = alice.speakers.get(call.id)?.played() ?? new Int16Array();
    expect(played.every((sample) => sample === 0)).toBe(true);
    call.hangup();
    await lab.run(100);
  });

  it('plays the RTP that beat a 183 with SDP when early media starts', async () => {
    lab = await startLab({ phones: ['alice'] });
    const clock = lab.clock;
    let invite: SipRequest | undefined;
    const far = await farEnd(lab, (request, f, ours) => {
      invite = request;
      f.media.send(rtp(1, 0xb0b), ours);
      f.media.send(rtp(2, 0xb0b), ours);
      clock.setTimer(5, () =>
        f.peer.respond(request, 183, {
          toTag: 'f1',
          reason: 'Session Progress',
          headers: answerHeaders,
          body: peerSdp(PEER, PEER_MEDIA_PORT),
        }),
      );
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(10);
    expect(call.phase).toBe('early');
    expect(call.snapshot().stats.packetsReceived).toBe(2);
    far.peer.respond(invite!, 200, {
      toTag: 'f1',
      headers: answerHeaders,
      body: peerSdp(PEER, PEER_MEDIA_PORT),
    });
    await lab.run(10);
    expect(call.phase).toBe('active');
    expect(call.snapshot().stats.packetsReceived).toBe(2);
    call.hangup();
    await lab.run(100);
  });

  it('delivers at most the newest 5 packets', async () => {
    lab = await startLab({ phones: ['alice'] });
    const clock = lab.clock;
    await farEnd(lab, (invite, far, ours) => {
      // Media every 10 ms from the moment the INVITE arrived (seq 1 at 0 ms … seq 12 at 110 ms), the
      // 200 OK at 115 ms: the hold keeps seq 8–12, all younger than its 100 ms.
      let seq = 0;
      far.media.send(rtp(++seq, 0xb0b), ours);
      const sending = clock.setInterval(10, () => {
        far.media.send(rtp(++seq, 0xb0b), ours);
        if (seq === 12) sending.cancel();
      });
      clock.setTimer(115, () =>
        far.peer.respond(invite, 200, {
          toTag: 'f1',
          headers: answerHeaders,
          body: peerSdp(PEER, PEER_MEDIA_PORT),
        }),
      );
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(120, 5);
    expect(call.phase).toBe('active');
    // the newest five held packets (8–12) all count: no probation on a validated path
    expect(call.snapshot().stats.packetsReceived).toBe(5);
    call.hangup();
    await lab.run(100);
  });

  it('does the same on the ICE transport’s socket when the answer has no ICE (plain RTP fallback)', async () => {
    // The account's media is the ICE provider, made once the lab (its clock, alice's host) exists.
    const media: MediaTransportProvider = { open: (request) => ice.open(request) };
    lab = await startLab({ phones: ['alice'], account: { alice: { media } } });
    const clock = lab.clock;
    const ice = new IceMediaTransportProvider({
      clock,
      network: lab.phones.alice.host,
      settings: () => ({ mode: 'on', stunServers: [], turnServers: [], policy: 'all' }),
    });
    let offer = '';
    await farEnd(lab, (invite, far, ours) => {
      offer = invite.body.toString('utf8');
      far.attacker.send(rtp(900, 0x666), ours);
      far.attacker.send(rtp(901, 0x666), ours);
      far.media.send(rtp(1, 0xb0b), ours);
      far.media.send(rtp(2, 0xb0b), ours);
      clock.setTimer(5, () =>
        far.peer.respond(invite, 200, {
          toTag: 'f1',
          headers: answerHeaders,
          body: peerSdp(PEER, PEER_MEDIA_PORT),
        }),
      );
    });
    const { alice } = lab.phones;
    const call = alice.agent.dial(alice.account, uri(`sip:x@${PEER}`));
    await lab.run(20);
    expect(offer).toMatch(/^a=ice-ufrag:/m);
    expect(call.phase).toBe('active');
    expect(call.snapshot().media).toMatchObject({ transport: 'plain', remote: `${PEER}:${PEER_MEDIA_PORT}` });
    expect(call.snapshot().stats.packetsReceived).toBe(2);
    call.hangup();
    await lab.run(100);
  });
});
