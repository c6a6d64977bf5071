/**
 * ICE in calls (call/ice-media-transport.ts): two CallAgents with IceMediaTransportProviders on the
 * in-memory network, media behind MemoryNats, a STUN/TURN server — the offer/answer combinations, the
 * updated offer, restarts, consent loss, ICE failure, relayed paths. Every test ends with the lab's leak
 * check (no timer, socket or transport left).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src-main/sip/syntax/index.ts';
import type { SipResponse } from '../../../src-main/sip/syntax/index.ts';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import {
  NAT_PUBLIC,
  TONES,
  TURN_ADDRESS,
  audioAttributes,
  audioEndpoint,
  connect,
  heard,
  startIceLab,
} from './ice-support.ts';
import type { IceCallLab } from './ice-support.ts';

let lab: IceCallLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const ICE_NAMES = [
  'ice-ufrag',
  'ice-pwd',
  'ice-options',
  'candidate',
  'end-of-candidates',
  'remote-candidates',
  'ice-mismatch',
];

/** The ICE attributes of an audio line, `candidate:…` shortened to `candidate <type> <address>:<port>`. */
function iceAttributes(attributes: string[]): string[] {
  return attributes
    .filter((a) => ICE_NAMES.includes(a.split(':')[0] ?? ''))
    .map((a) => {
      const m = /^candidate:\S+ (\d) UDP \d+ (\S+) (\d+) typ (\S+)/.exec(a);
      return m === null
        ? a.replace(/^(ice-ufrag|ice-pwd):.*/, '$1')
        : `candidate ${m[4]} ${m[2]}:${m[3]} c${m[1]}`;
    });
}

function ufragOf(attributes: string[]): string | undefined {
  return attributes.find((a) => a.startsWith('ice-ufrag:'))?.slice('ice-ufrag:'.length);
}

describe('offer/answer combinations', () => {
  it('ICE ↔ ICE behind port-restricted NATs: full offer and answer, srflx pair, audio both ways, no re-INVITE', async () => {
    lab = await startIceLab({ alice: { nat: 'port-restricted' }, bob: { nat: 'port-restricted' } });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);

    const offer = lab.sdpOf('alice', 'INVITE')[0];
    const answer = lab.sdpOf('bob', '200 OK')[0];
    const aliceSrflx = caller.snapshot().media.ice?.selected?.local.address ?? '';
    const bobSrflx = callee.snapshot().media.ice?.selected?.local.address ?? '';
    // c=/m= carry the default candidates (our sockets' server-reflexive addresses): RTP, and RTCP in
    // a=rtcp — two components, no rtcp-mux offered.
    expect(audioEndpoint(offer)).toBe(aliceSrflx);
    expect(aliceSrflx).toMatch(new RegExp(`^${NAT_PUBLIC.alice}:\\d+$`));
    const port = Number(aliceSrflx.split(':')[1]);
    expect(audioAttributes(offer)).toContain(`rtcp:${port + 1}`);
    expect(audioAttributes(offer)).not.toContain('rtcp-mux');
    expect(iceAttributes(audioAttributes(offer))).toEqual([
      'ice-ufrag',
      'ice-pwd',
      'ice-options:ice2',
      `candidate host 10.0.1.2:${port} c1`,
      `candidate srflx ${aliceSrflx} c1`,
      `candidate host 10.0.1.2:${port + 1} c2`,
      `candidate srflx ${NAT_PUBLIC.alice}:${port + 1} c2`,
      'end-of-candidates',
    ]);
    expect(audioEndpoint(answer)).toBe(bobSrflx);
    const bobPort = Number(bobSrflx.split(':')[1]);
    expect(audioAttributes(answer)).toContain(`rtcp:${bobPort + 1}`);
    expect(iceAttributes(audioAttributes(answer))).toEqual([
      'ice-ufrag',
      'ice-pwd',
      'ice-options:ice2',
      `candidate host 10.0.2.2:${bobPort} c1`,
      `candidate srflx ${bobSrflx} c1`,
      `candidate host 10.0.2.2:${bobPort + 1} c2`,
      `candidate srflx ${NAT_PUBLIC.bob}:${bobPort + 1} c2`,
      'end-of-candidates',
    ]);

    expect(caller.snapshot().media).toEqual({
      path: 'direct',
      local: aliceSrflx,
      remote: bobSrflx,
      transport: 'ice',
      ice: {
        state: 'connected',
        role: 'controlling',
        policy: 'all',
        selected: {
          local: { type: 'srflx', address: aliceSrflx },
          remote: { type: 'srflx', address: bobSrflx },
          transport: 'udp',
          rttMs: 0,
        },
        // The host pairs (10.0.1.2 → 10.0.2.2) cannot work: component 1's srflx pair is valid at 50 ms and
        // nominated CALL_NOMINATION_DELAY_MS (200 ms) later; component 2 follows within a Ta.
        connectMs: 300,
        restarts: 0,
      },
      encryption: 'none',
      srtpSuite: null,
    });
    expect(callee.snapshot().media.ice).toMatchObject({
      state: 'connected',
      role: 'controlled',
      selected: { local: { type: 'srflx' }, remote: { type: 'srflx' } },
    });
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    // The selected pair's local candidate is the default of our offer: no updated offer (RFC 5245 §8.1.2).
    expect(lab.trace()).toEqual([
      'alice INVITE',
      'bob 100 Trying',
      'bob 180 Ringing',
      'bob 200 OK',
      'alice ACK',
    ]);
    // A clean in-memory path: E-model MOS of G.711 with PLC, 0 % loss, jitter buffer + ptime of delay.
    expect(caller.snapshot().stats.mos).toBe(4.38);

    // Hold: the re-offer keeps the credentials (no restart), media stays on the pair.
    caller.hold();
    await lab.run(500);
    const holdOffer = lab.sdpOf('alice', 'INVITE')[1];
    expect(ufragOf(audioAttributes(holdOffer))).toBe(ufragOf(audioAttributes(offer)));
    expect(audioAttributes(holdOffer)).toContain('sendonly');
    expect(caller.snapshot().media.ice?.state).toBe('connected');
    expect(caller.snapshot().media.ice?.restarts).toBe(0);
    caller.hangup();
    await lab.run(1000);
  });

  it('ICE offer, answer without ICE (ICE off at the far end): plain RTP on the socket of our default candidate', async () => {
    lab = await startIceLab({ alice: { nat: 'port-restricted' }, bob: { mode: 'off' } });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    const answer = lab.sdpOf('bob', '200 OK')[0];
    expect(iceAttributes(audioAttributes(answer))).toEqual([]);
    expect(caller.snapshot().media).toMatchObject({
      transport: 'plain',
      ice: null,
      path: 'direct',
      remote: audioEndpoint(answer),
    });
    expect(callee.snapshot().media).toMatchObject({ transport: 'plain', ice: null, path: 'direct' });
    // bob sends to alice's server-reflexive address; alice's own RTP opened her NAT towards bob.
    expect(callee.snapshot().media.remote).toBe(audioEndpoint(lab.sdpOf('alice', 'INVITE')[0]));
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    caller.hangup();
    await lab.run(1000);
  });

  it('plain offer (ICE off here) to an ICE phone: answered without ICE, nothing gathered, plain RTP', async () => {
    lab = await startIceLab({ alice: { mode: 'off' }, bob: { nat: 'port-restricted' } });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    expect(iceAttributes(audioAttributes(lab.sdpOf('alice', 'INVITE')[0]))).toEqual([]);
    const answer = lab.sdpOf('bob', '200 OK')[0];
    expect(iceAttributes(audioAttributes(answer))).toEqual([]);
    // bob gathered nothing (no STUN request reached the server) and announced his host address.
    expect(lab.turn.log).toEqual([]);
    expect(audioEndpoint(answer)).toMatch(/^203\.0\.113\.20:\d+$/);
    expect(caller.snapshot().media.transport).toBe('plain');
    expect(callee.snapshot().media.transport).toBe('plain');
    // alice latched onto bob's NAT mapping (his private SDP address is unreachable).
    expect(caller.snapshot().media.remote).toMatch(new RegExp(`^${NAT_PUBLIC.bob}:\\d+$`));
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    caller.hangup();
    await lab.run(1000);
  });

  it('an offer whose c= is none of its candidates (an SDP-rewriting middlebox) is answered with a=ice-mismatch and plain RTP', async () => {
    lab = await startIceLab({ bob: {} });
    const peerHost = lab.net.host('203.0.113.50', { name: 'peer' });
    const socket = await peerHost.bindDatagram({ family: 4, port: 5060 });
    const rtp = await peerHost.bindDatagram({ family: 4, port: 40000 });
    const responses: SipResponse[] = [];
    socket.onMessage((data) => {
      const parsed = parseMessage(data);
      if (parsed.ok && parsed.message.kind === 'response') responses.push(parsed.message);
    });
    const sdp = [
      'v=0',
      'o=peer 1 1 IN IP4 203.0.113.50',
      's=-',
      'c=IN IP4 203.0.113.50',
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=ice-ufrag:peerUfrag',
      'a=ice-pwd:peerPasswordpeerPassword',
      // The candidate the phone really has; the ALG put its public address into c=/m= only.
      'a=candidate:1 1 UDP 2130706431 192.168.7.7 40000 typ host',
      '',
    ].join('\r\n');
    const send = (text: string): void =>
      socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), {
        address: '203.0.113.20',
        port: 5060,
        family: 4,
      });
    const head = (method: string, cseq: number, toTag?: string): string =>
      `${method} sip:bob@203.0.113.20 SIP/2.0\nVia: SIP/2.0/UDP 203.0.113.50:5060;branch=z9hG4bK-${method}${cseq};rport\nMax-Forwards: 70\nFrom: <sip:peer@203.0.113.50>;tag=pt1\nTo: <sip:bob@203.0.113.20>${toTag !== undefined ? `;tag=${toTag}` : ''}\nCall-ID: mismatch-1\nCSeq: ${cseq} ${method}\nContact: <sip:peer@203.0.113.50>\n`;
    // Two record-routing proxies on the way (RFC 3261 §12.1.1: the 18x and 2xx copy them).
    const recordRoutes = 'Record-Route: <sip:203.0.113.60;r2=on;lr>\nRecord-Route: <sip:203.0.113.61;lr>\n';
    send(
      `${head('INVITE', 1)}${recordRoutes}Content-Type: application/sdp\nContent-Length: ${Buffer.byteLength(sdp)}\n\n${sdp}`,
    );
    await lab.runUntil(() => lab!.bob.calls.length > 0 && lab!.bob.last().phase === 'ringing');
    const call = lab.bob.last();
    let answered = false;
    void call.answer().then(() => (answered = true));
    await lab.runUntil(() => answered && responses.some((r) => r.status === 200));
    const ok = responses.find((r) => r.status === 200)!;
    const ringing = responses.find((r) => r.status === 180)!;
    for (const response of [ringing, ok])
      expect(response.headers.getAll('Record-Route')).toEqual([
        '<sip:203.0.113.60;r2=on;lr>',
        '<sip:203.0.113.61;lr>',
      ]);
    const answer = parseSdp(ok.body.toString('utf8'));
    if (!answer.ok) throw new Error(answer.error.reason);
    // RFC 8839 §4.2.5: a=ice-mismatch and no other ICE attribute; media to the c=/m= address.
    expect(iceAttributes(audioAttributes(answer.sdp))).toEqual(['ice-mismatch']);
    send(`${head('ACK', 1, ok.to.tag)}Content-Length: 0\n\n`);
    await lab.run(200);
    expect(call.snapshot().media).toMatchObject({
      transport: 'plain',
      ice: null,
      remote: '203.0.113.50:40000',
    });
    // bob's audio reaches the peer's c=/m= address.
    let received = 0;
    rtp.onMessage(() => void received++);
    await lab.run(1000);
    expect(received).toBe(50);
    call.hangup();
    await lab.run(1000);
    rtp.close();
    socket.close();
  });
});

describe('the controlling agent\u2019s updated offer and relayed paths', () => {
  it('behind a symmetric NAT the relay is selected instead of the default srflx: re-INVITE with c= relay and a=remote-candidates', async () => {
    lab = await startIceLab({ alice: { nat: 'symmetric', turn: true }, bob: { nat: 'port-restricted' } });
    const { caller, callee } = await connect(lab);
    await lab.runUntil(
      () =>
        lab!.trace().filter((l) => l === 'alice INVITE').length === 2 &&
        caller.offerAnswer.state === 'stable',
    );
    await lab.run(2000);

    const [offer, updated] = lab.sdpOf('alice', 'INVITE');
    const selected = caller.snapshot().media.ice?.selected;
    expect(selected).toMatchObject({ local: { type: 'relay' }, transport: 'udp' });
    expect(selected?.local.address).toMatch(new RegExp(`^${TURN_ADDRESS.replaceAll('.', '\\.')}:\\d+$`));
    // The first offer's default is the server-reflexive candidate (our socket), the selected pair's local is the relay.
    expect(audioEndpoint(offer)).toMatch(new RegExp(`^${NAT_PUBLIC.alice}:\\d+$`));
    expect(audioEndpoint(updated)).toBe(selected?.local.address);
    const [relayAddress, relayPort] = (selected?.local.address ?? '').split(':');
    const [remoteAddress, remotePort] = (selected?.remote.address ?? '').split(':');
    expect(iceAttributes(audioAttributes(updated))).toEqual([
      'ice-ufrag',
      'ice-pwd',
      'ice-options:ice2',
      `candidate relay ${relayAddress}:${relayPort} c1`,
      `candidate relay ${relayAddress}:${Number(relayPort) + 1} c2`,
      'end-of-candidates',
      `remote-candidates:1 ${remoteAddress} ${remotePort} 2 ${remoteAddress} ${Number(remotePort) + 1}`,
    ]);
    expect(audioAttributes(updated)).toContain(`rtcp:${Number(relayPort) + 1}`);
    // Same credentials: an updated offer is no restart.
    expect(ufragOf(audioAttributes(updated))).toBe(ufragOf(audioAttributes(offer)));
    expect(caller.snapshot().media).toMatchObject({
      path: 'relayed',
      transport: 'ice',
      ice: { state: 'connected', restarts: 0 },
    });
    expect(callee.snapshot().media).toMatchObject({
      path: 'relayed',
      ice: { selected: { remote: { type: 'relay' } } },
    });
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    expect(lab.turn.relayedToPeers).toBeGreaterThan(100);
    expect(lab.turn.relayedToClients).toBeGreaterThan(100);
    caller.hangup();
    await lab.run(1000);
  });

  it('relay-only: only relayed candidates, c= the relay, the path reported relayed, no updated offer', async () => {
    lab = await startIceLab({
      alice: { nat: 'symmetric', turn: true, policy: 'relay-only' },
      bob: { nat: 'port-restricted' },
    });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    const offer = lab.sdpOf('alice', 'INVITE')[0];
    const relay = caller.snapshot().media.ice?.selected?.local.address ?? '';
    const [relayAddress, relayPort] = relay.split(':');
    expect(iceAttributes(audioAttributes(offer))).toEqual([
      'ice-ufrag',
      'ice-pwd',
      'ice-options:ice2',
      `candidate relay ${relay} c1`,
      `candidate relay ${relayAddress}:${Number(relayPort) + 1} c2`,
      'end-of-candidates',
    ]);
    expect(audioEndpoint(offer)).toBe(relay);
    expect(caller.snapshot().media).toMatchObject({
      path: 'relayed',
      local: relay,
      ice: {
        policy: 'relay-only',
        selected: { local: { type: 'relay' }, remote: { type: 'srflx' }, transport: 'udp' },
      },
    });
    expect(lab.trace().filter((l) => l === 'alice INVITE')).toHaveLength(1);
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    callee.hangup();
    await lab.run(1000);
    expect(caller.reason?.kind).toBe('remote-hangup');
  });
});

describe('relay-only with a peer without ICE: plain RTP through our TURN relay (RelayedMediaPath)', () => {
  it('our ICE offer answered without ICE: media goes through the relay our c= named, reported relayed', async () => {
    lab = await startIceLab({
      alice: { nat: 'symmetric', turn: true, policy: 'relay-only' },
      bob: { mode: 'off' },
    });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    const offer = lab.sdpOf('alice', 'INVITE')[0];
    const answer = lab.sdpOf('bob', '200 OK')[0];
    const relay = audioEndpoint(offer);
    expect(relay).toMatch(new RegExp(`^${TURN_ADDRESS.replace(/\./g, '\\.')}:\\d+$`));
    expect(iceAttributes(audioAttributes(answer))).toEqual([]);
    expect(caller.snapshot().media).toMatchObject({
      transport: 'plain',
      ice: null,
      path: 'relayed',
      local: relay,
      remote: audioEndpoint(answer),
    });
    // bob sends to the relayed address and hears us from it (symmetric RTP through the relay).
    expect(callee.snapshot().media).toMatchObject({ transport: 'plain', path: 'direct', remote: relay });
    // RFC 5766 §9: a permission for bob's SDP address on the RTP allocation (and on the RTCP one).
    expect(lab.turn.permissionsOf(relay)).toEqual(['203.0.113.20']);
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    expect(lab.turn.relayedToPeers).toBeGreaterThan(100);
    expect(lab.turn.relayedToClients).toBeGreaterThan(100);
    expect(lab.alice.logs.some((l) => l.includes(`plain RTP through our TURN relay ${relay}`))).toBe(true);
    caller.hangup();
    await lab.run(1000);
    // The call log keeps the path; the allocations are released with the call.
    expect(caller.snapshot().media.path).toBe('relayed');
    await lab.run(5000);
    expect(lab.turn.allocationCount).toBe(0);
  });

  it('answering an offer without ICE: relays gathered for the answer, c= the relay, audio both ways', async () => {
    lab = await startIceLab({
      alice: { mode: 'off' },
      bob: { nat: 'symmetric', turn: true, policy: 'relay-only' },
    });
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    const answer = lab.sdpOf('bob', '200 OK')[0];
    const relay = audioEndpoint(answer);
    expect(relay).toMatch(new RegExp(`^${TURN_ADDRESS.replace(/\./g, '\\.')}:\\d+$`));
    expect(iceAttributes(audioAttributes(answer))).toEqual([]);
    expect(callee.snapshot().media).toMatchObject({ transport: 'plain', path: 'relayed', local: relay });
    expect(caller.snapshot().media.remote).toBe(relay);
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice)).toBe(true);
    callee.hangup();
    await lab.run(1000);
  });

  it('policy all (not relay-only): the fallback stays on the host socket, reported direct', async () => {
    lab = await startIceLab({ alice: { turn: true }, bob: { mode: 'off' } });
    const { caller } = await connect(lab);
    await lab.run(3000);
    expect(caller.snapshot().media).toMatchObject({ transport: 'plain', path: 'direct' });
    expect(lab.turn.relayedToPeers).toBe(0);
    caller.hangup();
    await lab.run(1000);
  });
});

describe('hold with ICE', () => {
  it('holding a peer that holds us: our snapshots go remote-held → held, never active in between', async () => {
    lab = await startIceLab({});
    const { caller, callee } = await connect(lab);
    await lab.run(3000);
    caller.hold();
    await lab.run(1000);
    expect(callee.state).toBe('remote-held');
    // The ICE transport reports the re-INVITE's update as it applies it: that snapshot already says held.
    const states: string[] = [];
    const watching = callee.onChange((c) => states.push(c.state));
    callee.hold();
    await lab.run(1000);
    watching.dispose();
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['held']));
    expect(caller.state).toBe('held');
    caller.hangup();
    await lab.run(1000);
  });
});

describe('ICE restarts', () => {
  it('our restart after a network change (bob) is a peer restart for alice: new credentials both ways, audio again', async () => {
    lab = await startIceLab({ alice: { nat: 'port-restricted' }, bob: { nat: 'port-restricted' } });
    const { caller, callee } = await connect(lab);
    await lab.run(2000);
    const firstOffer = audioAttributes(lab.sdpOf('alice', 'INVITE')[0]);
    const firstAnswer = audioAttributes(lab.sdpOf('bob', '200 OK')[0]);
    const mark = lab.sip.length;

    lab.bob.provider.networkChanged({ kind: 'resumed', sleptMs: 60_000 });
    expect(callee.snapshot().media.ice?.state).toBe('restarting');
    await lab.runUntil(
      () =>
        caller.snapshot().media.ice?.restarts === 1 &&
        callee.snapshot().media.ice?.state === 'connected' &&
        caller.snapshot().media.ice?.state === 'connected',
    );
    await lab.run(2000);

    expect(lab.trace(mark)).toEqual(['bob INVITE', 'alice 200 OK', 'bob ACK']);
    const restartOffer = audioAttributes(lab.sdpOf('bob', 'INVITE')[0]);
    const restartAnswer = audioAttributes(lab.sdpOf('alice', '200 OK')[0]);
    expect(ufragOf(restartOffer)).not.toBe(ufragOf(firstAnswer));
    expect(ufragOf(restartAnswer)).not.toBe(ufragOf(firstOffer));
    // The restart's offerer is controlling now.
    expect(callee.snapshot().media.ice).toMatchObject({
      state: 'connected',
      role: 'controlling',
      restarts: 1,
    });
    expect(caller.snapshot().media.ice).toMatchObject({
      state: 'connected',
      role: 'controlled',
      restarts: 1,
    });
    expect(heard(lab.alice.speakers.get(caller.id), TONES.bob, 1000)).toBe(true);
    expect(heard(lab.bob.speakers.get(callee.id), TONES.alice, 1000)).toBe(true);
    caller.hangup();
    await lab.run(1000);
  });

  it('a network change that leaves our addresses alone restarts nothing', async () => {
    lab = await startIceLab({ alice: {}, bob: {} });
    const { caller } = await connect(lab);
    await lab.run(1500);
    const mark = lab.sip.length;
    lab.alice.provider.networkChanged({
      kind: 'interfaces-changed',
      added: [{ name: 'tun0', address: '10.8.0.2', family: 4, internal: false }],
      removed: [],
    });
    await lab.run(2000);
    expect(lab.trace(mark)).toEqual([]);
    expect(caller.snapshot().media.ice?.restarts).toBe(0);
    caller.hangup();
    await lab.run(1000);
  });
});

describe('losing the path', () => {
  it('consent lost: one ICE restart, which finds nothing either; the call ends with no-media-path', async () => {
    lab = await startIceLab({ alice: { restartTimeoutMs: 10_000 }, bob: {} });
    const { caller, callee } = await connect(lab);
    await lab.run(2000);
    // From now on bob's STUN Binding success responses on his media socket get lost (his RTP, his own
    // requests and SIP still arrive): alice's consent requests go unanswered, bob's are answered.
    const cut = lab.clock.monotonic();
    lab.net.dropWhere(
      (p) =>
        p.protocol === 'udp' &&
        p.from.address === '203.0.113.20' &&
        p.from.port !== 5060 &&
        p.bytes[0] === 0x01 &&
        p.bytes[1] === 0x01,
    );
    const mark = lab.sip.length;
    await lab.runUntil(() => caller.phase === 'ended' && callee.phase === 'ended', 100_000, 50);
    // RFC 7675 §5.1: consent expires 30 s after the last answered request (sent every 5 s ± 20 %).
    const restartedAt = Number(
      lab.alice.logs.find((l) => l.includes('media transport: ice → restarting'))?.split(' ')[0],
    );
    expect(restartedAt - cut).toBeGreaterThan(24_000);
    expect(restartedAt - cut).toBeLessThanOrEqual(30_000);

    // The restart's re-INVITE carries new credentials and is answered; its checks get no answer either,
    // and the restart's deadline ends the call.
    expect(lab.trace(mark)).toEqual(['alice INVITE', 'bob 200 OK', 'alice ACK', 'alice BYE', 'bob 200 OK']);
    const [first, restart] = lab.sdpOf('alice', 'INVITE');
    expect(ufragOf(audioAttributes(restart))).not.toBe(ufragOf(audioAttributes(first)));
    expect(caller.reason).toEqual({
      kind: 'no-media-path',
      text: 'No audio path: the ICE restart found no path within 10 s',
    });
    const endedAt = Number(
      lab.alice.logs.find((l) => l.includes('media transport: restarting → failed'))?.split(' ')[0],
    );
    expect(endedAt - restartedAt).toBe(10_000);
    expect(callee.reason?.kind).toBe('remote-hangup');
    expect(caller.snapshot().media.ice).toMatchObject({ state: 'failed', restarts: 1 });
    // bob restarted in place (the peer's restart), kept consent all along and never restarted himself.
    expect(callee.snapshot().media.ice).toMatchObject({ state: 'closed', role: 'controlled', restarts: 1 });
  });

  it('ICE failure from the start (media blocked both ways): the call ends after the checks, with no-media-path', async () => {
    lab = await startIceLab({ alice: { stun: false }, bob: { stun: false } });
    lab.net.dropWhere((p) => p.protocol === 'udp' && p.from.port !== 5060 && p.to.port !== 5060);
    const { caller, callee } = await connect(lab);
    await lab.runUntil(() => caller.phase === 'ended' && callee.phase === 'ended', 60_000, 50);
    const text = 'No audio path: ICE selected no pair within 15 s';
    expect(caller.reason).toEqual({ kind: 'no-media-path', text });
    expect(callee.reason).toEqual({ kind: 'no-media-path', text });
    // Both agents started checking on the 200 (bob) and its arrival (alice): ICE's overall timeout.
    const ended = caller.snapshot();
    expect((ended.endedAt ?? 0) - (ended.answeredAt ?? 0)).toBe(15_000);
    await lab.run(500);
    expect(lab.trace().slice(5).sort()).toEqual(['alice 200 OK', 'alice BYE', 'bob 200 OK', 'bob BYE']);
    expect(caller.snapshot().media).toMatchObject({
      path: 'unknown',
      transport: 'ice',
      ice: { state: 'failed', selected: null },
    });
  });
});
