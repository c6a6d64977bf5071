/**
 * IPv6 calls (call.ts, media-family.ts): the media sockets follow the signalling — the family of the flow
 * the INVITE leaves on, found by resolving the first hop as sending will (a name with only AAAA records
 * used to get IPv4 sockets under an IPv6 c=) — or, when we answer, the family of the offer's c=, with an
 * address of ours of that family in our answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';
import { ADDRESSES, TONES, expectNoLeaks, heard, scriptedPeer, startLab, uri } from './support.ts';
import type { Lab } from './support.ts';

let lab: Lab | undefined;

afterEach(async () => {
  if (lab !== undefined) await expectNoLeaks(lab);
  lab = undefined;
});

const V6 = { alice: '2001:db8::10', bob: '2001:db8::20', peer: '2001:db8::99' } as const;

function sdpOf(l: Lab, from: string, line: string): SessionDescription {
  const entry = l.sip.find((s) => s.from === from && s.line === line && s.message.body.length > 0);
  if (entry === undefined) throw new Error(`no ${line} with SDP from ${from}`);
  const parsed = parseSdp(entry.message.body.toString('utf8'));
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.sdp;
}

function connectionOf(sdp: SessionDescription): string {
  const media = sdp.media.find((m) => m.type === 'audio');
  const c = media?.connections[0] ?? sdp.connection;
  return `${c?.addressType ?? '?'} ${c?.address ?? '?'}`;
}

/** Dual-stack phones whose UAs listen on UDP for both families. */
async function dualStackLab(resolver: FakeResolver): Promise<Lab> {
  const l = await startLab({ ua: { resolver, transport: { udp: { families: [4, 6], port: 5060 } } } });
  l.phones.alice.host.addAddress(V6.alice);
  l.phones.bob.host.addAddress(V6.bob);
  return l;
}

describe('IPv6: media follows the signalling family', () => {
  it('a target whose name has only AAAA records: IPv6 sockets like the flow, c=IN IP6 both ways, audio', async () => {
    const resolver = new FakeResolver()
      .set('bob6.lab.test', 'NAPTR', [])
      .set('_sip._udp.bob6.lab.test', 'SRV', [])
      .set('_sip._tcp.bob6.lab.test', 'SRV', [])
      .set('_sips._tcp.bob6.lab.test', 'SRV', [])
      .set('bob6.lab.test', 'A', [])
      .set('bob6.lab.test', 'AAAA', [V6.bob]);
    lab = await dualStackLab(resolver);
    const { alice, bob } = lab.phones;
    const caller = alice.agent.dial(alice.account, uri('sip:bob@bob6.lab.test'));
    await lab.run(200);
    const callee = bob.last();
    await callee.answer();
    await lab.run(2000);
    expect(caller.phase).toBe('active');
    expect(connectionOf(sdpOf(lab, V6.alice, 'INVITE'))).toBe(`IP6 ${V6.alice}`);
    expect(connectionOf(sdpOf(lab, V6.bob, '200 OK'))).toBe(`IP6 ${V6.bob}`);
    const media = caller.snapshot().media;
    expect(media.local).toMatch(/^\[2001:db8::10\]:\d+$/);
    expect(media.remote).toMatch(/^\[2001:db8::20\]:\d+$/);
    expect(heard(alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    caller.hangup();
    await lab.run(1000);
  });

  it('an IPv6 offer over an IPv4 SIP flow: IPv6 sockets, our IPv6 address in the answer, RTP both ways', async () => {
    lab = await dualStackLab(new FakeResolver());
    const { bob } = lab.phones;
    const peer = await scriptedPeer(lab, ADDRESSES.proxy, () => {});
    peer.host.addAddress(V6.peer);
    const peerRtp = await peer.host.bindDatagram({ family: 6, port: 40_000 });
    const elsewhere = await peer.host.bindDatagram({ family: 6, port: 40_002 });
    const atPeer: string[] = [];
    peerRtp.onMessage((data, from) => atPeer.push(`${data[1]! & 0x7f} from ${from.address}`));
    lab.onClose(() => {
      peerRtp.close();
      elsewhere.close();
    });
    const sdp = [
      'v=0',
      `o=peer 1 1 IN IP6 ${V6.peer}`,
      's=-',
      // Not the canonical form on purpose (RFC 5952 §4): our sockets report 2001:db8::99.
      'c=IN IP6 2001:DB8:0:0:0:0:0:99',
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
      '',
    ].join('\r\n');
    peer.sendText(
      `INVITE sip:bob@${ADDRESSES.bob} SIP/2.0
Via: SIP/2.0/UDP ${ADDRESSES.proxy}:5060;branch=z9hG4bK-v6offer;rport
Max-Forwards: 70
From: <sip:peer@${ADDRESSES.proxy}>;tag=p6
To: <sip:bob@${ADDRESSES.bob}>
Call-ID: v6-offer
CSeq: 1 INVITE
Contact: <sip:peer@${ADDRESSES.proxy}>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(sdp)}

${sdp}`,
      ADDRESSES.bob,
    );
    await lab.run(20);
    const call = bob.last();
    await call.answer();
    await lab.run(20);
    const answer = sdpOf(lab, 'bob', '200 OK');
    expect(connectionOf(answer)).toBe(`IP6 ${V6.bob}`);
    const port = answer.media[0]?.port ?? 0;
    const rtp = Buffer.alloc(172);
    rtp[0] = 0x80;
    // The first packets come from another port (bob latches there), then from the SDP's address, which
    // always wins (LatchingMediaPath) — recognisable only with the SDP's address in canonical form.
    for (let seq = 1; seq <= 50; seq++) {
      rtp.writeUInt16BE(seq, 2);
      rtp.writeUInt32BE(seq * 160, 4);
      (seq <= 10 ? elsewhere : peerRtp).send(rtp, { address: V6.bob, port, family: 6 });
      await lab.run(20);
    }
    expect(call.snapshot().media.remote).toBe(`[${V6.peer}]:40000`);
    expect(call.snapshot().stats.packetsReceived).toBe(50);
    expect(atPeer.length).toBeGreaterThan(40);
    expect(atPeer.every((line) => line === `0 from ${V6.bob}`)).toBe(true);
    call.hangup();
    await lab.run(1000);
  });
});
