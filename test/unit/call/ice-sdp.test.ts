import { describe, expect, it } from 'vitest';
import {
  ICE_MISMATCH_ATTRIBUTE,
  chooseMediaTransport,
  defaultCandidate,
  fromSdpCandidate,
  hasIceMismatch,
  iceMediaAttributes,
  iceMediaEndpoint,
  isIceRestart,
  needsUpdatedOffer,
  remoteCandidatesAttribute,
  remoteIceDescription,
  toSdpCandidate,
  updatedOfferMedia,
  usableRemoteCandidates,
} from '../../../src-main/call/index.ts';
import type { IceSelectionView } from '../../../src-main/call/index.ts';
import { buildSdp, createOffer, parseSdp, readCandidate } from '../../../src-main/sdp/index.ts';
import type { MediaDescription, SessionDescription } from '../../../src-main/sdp/index.ts';
import type { IceCandidate, IceSelectedPair } from '../../../src-main/media/transport/index.ts';

const v4 = (address: string, port: number) => ({ address, port, family: 4 as const });

const HOST: IceCandidate = {
  foundation: 'a1b2c3d4',
  component: 1,
  transport: 'udp',
  priority: 2_130_706_431,
  address: v4('10.0.0.2', 40_000),
  type: 'host',
};
const HOST2: IceCandidate = {
  ...HOST,
  component: 2,
  priority: 2_130_706_430,
  address: v4('10.0.0.2', 40_001),
};
const SRFLX: IceCandidate = {
  foundation: 'b2c3d4e5',
  component: 1,
  transport: 'udp',
  priority: 1_694_498_815,
  address: v4('198.51.100.1', 40_000),
  type: 'srflx',
  related: v4('10.0.0.2', 40_000),
};
const RELAY: IceCandidate = {
  foundation: 'c3d4e5f6',
  component: 1,
  transport: 'udp',
  priority: 16_777_215,
  address: v4('203.0.113.5', 49_152),
  type: 'relay',
  related: v4('198.51.100.1', 40_000),
};
const RELAY2: IceCandidate = {
  ...RELAY,
  component: 2,
  priority: 16_777_214,
  address: v4('203.0.113.5', 49_153),
};
const CREDENTIALS = { ufrag: 'Ufr8', pwd: 'passwordpasswordpasswd' };

function parsed(text: string): { session: SessionDescription; media: MediaDescription } {
  const result = parseSdp(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\r\n') + '\r\n',
  );
  if (!result.ok) throw new Error(result.error.reason);
  const media = result.sdp.media[0];
  if (media === undefined) throw new Error('no media');
  return { session: result.sdp, media };
}

const ICE_OFFER = `
  v=0
  o=- 1 1 IN IP4 198.51.100.2
  s=-
  c=IN IP4 198.51.100.2
  t=0 0
  m=audio 50000 RTP/AVP 0
  a=ice-ufrag:peer
  a=ice-pwd:peerpasswordpeerpassword
  a=candidate:1 1 UDP 2130706431 10.0.2.2 50000 typ host
  a=candidate:2 1 UDP 1694498815 198.51.100.2 50000 typ srflx raddr 10.0.2.2 rport 50000
  a=candidate:3 1 TCP 1518280447 10.0.2.2 9 typ host tcptype active
  a=candidate:4 1 UDP 2122260223 peer-host.local 50000 typ host
  a=candidate:5 2 UDP 1694498814 198.51.100.2 50001 typ srflx raddr 10.0.2.2 rport 50001
  a=rtcp:50001
`;

describe('our ICE attributes (RFC 8839)', () => {
  it('lists credentials, ice2, every candidate and end-of-candidates — and no trickle', () => {
    expect(iceMediaAttributes(CREDENTIALS, [HOST, SRFLX, RELAY])).toEqual([
      { name: 'ice-ufrag', value: 'Ufr8' },
      { name: 'ice-pwd', value: 'passwordpasswordpasswd' },
      { name: 'ice-options', value: 'ice2' },
      { name: 'candidate', value: 'a1b2c3d4 1 UDP 2130706431 10.0.0.2 40000 typ host' },
      {
        name: 'candidate',
        value: 'b2c3d4e5 1 UDP 1694498815 198.51.100.1 40000 typ srflx raddr 10.0.0.2 rport 40000',
      },
      {
        name: 'candidate',
        value: 'c3d4e5f6 1 UDP 16777215 203.0.113.5 49152 typ relay raddr 198.51.100.1 rport 40000',
      },
      { name: 'end-of-candidates' },
    ]);
  });

  it('round-trips candidates through the SDP attribute syntax', () => {
    for (const c of [HOST, SRFLX, RELAY]) {
      const reading = readCandidate(iceMediaAttributes(CREDENTIALS, [c])[3]?.value ?? '');
      expect(reading.ok && fromSdpCandidate(reading.value)).toEqual(c);
      expect(toSdpCandidate(c).transport).toBe('UDP');
    }
  });

  it('picks the default candidate relay > srflx > host (most likely to reach a peer without ICE)', () => {
    expect(defaultCandidate([HOST, SRFLX, RELAY], 1)).toBe(RELAY);
    expect(defaultCandidate([HOST, SRFLX], 1)).toBe(SRFLX);
    expect(defaultCandidate([HOST], 1)).toBe(HOST);
    expect(defaultCandidate([HOST], 2)).toBeUndefined();
  });

  it('puts the defaults in c=/m= and a=rtcp', () => {
    expect(iceMediaEndpoint([HOST, SRFLX, RELAY, HOST2, RELAY2], false)).toEqual({
      address: '203.0.113.5',
      port: 49_152,
      rtcpPort: 49_153,
    });
    expect(iceMediaEndpoint([HOST, HOST2, SRFLX], false)).toEqual({
      address: '198.51.100.1',
      port: 40_000,
      rtcpPort: 40_001,
      rtcpAddress: '10.0.0.2',
    });
    expect(iceMediaEndpoint([HOST, HOST2], true)).toEqual({ address: '10.0.0.2', port: 40_000 });
    expect(iceMediaEndpoint([], true)).toBeUndefined();
  });

  it('gives an offer that our own reading takes back unchanged', () => {
    const candidates = [HOST, SRFLX, RELAY];
    const endpoint = iceMediaEndpoint(candidates, true);
    if (endpoint === undefined) throw new Error('no endpoint');
    const offer = createOffer({
      endpoint,
      codecs: [{ name: 'PCMU', clockRate: 8000, payloadType: 0 }],
      origin: { sessionId: '42' },
      mediaAttributes: iceMediaAttributes(CREDENTIALS, candidates),
    });
    const text = buildSdp(offer);
    expect(text).toContain('c=IN IP4 203.0.113.5\r\n');
    expect(text).toContain('m=audio 49152 RTP/AVP 0\r\n');
    expect(text).not.toContain('trickle');
    const { session, media } = parsed(text);
    expect(remoteIceDescription(media, session)).toEqual({
      ...CREDENTIALS,
      lite: false,
      candidates,
      endOfCandidates: true,
    });
    expect(hasIceMismatch(media, session)).toBe(false);
  });
});

describe("the peer's description", () => {
  it('takes UDP candidates with IP addresses of components 1 and 2', () => {
    const { session, media } = parsed(ICE_OFFER);
    const remote = remoteIceDescription(media, session);
    expect(
      remote?.candidates.map((c) => `${c.component} ${c.type} ${c.address.address}:${c.address.port}`),
    ).toEqual(['1 host 10.0.2.2:50000', '1 srflx 198.51.100.2:50000', '2 srflx 198.51.100.2:50001']);
    expect(remote?.candidates[1]?.related).toEqual(v4('10.0.2.2', 50_000));
    expect(remote).toMatchObject({
      ufrag: 'peer',
      pwd: 'peerpasswordpeerpassword',
      lite: false,
      endOfCandidates: true,
    });
    expect(usableRemoteCandidates(media)).toHaveLength(3);
  });

  it('reads ice-lite, and a trickling peer without end-of-candidates as incomplete', () => {
    const lite = parsed(ICE_OFFER.replace('t=0 0', 't=0 0\na=ice-lite'));
    expect(remoteIceDescription(lite.media, lite.session)?.lite).toBe(true);
    const trickle = parsed(ICE_OFFER.replace('a=ice-pwd', 'a=ice-options:trickle\na=ice-pwd'));
    expect(remoteIceDescription(trickle.media, trickle.session)?.endOfCandidates).toBe(false);
    const done = parsed(
      ICE_OFFER.replace('a=ice-pwd', 'a=ice-options:trickle\na=end-of-candidates\na=ice-pwd'),
    );
    expect(remoteIceDescription(done.media, done.session)?.endOfCandidates).toBe(true);
  });

  it('detects an ICE mismatch (RFC 8839 §4.2.5): defaults that are no candidate', () => {
    const ok = parsed(ICE_OFFER);
    expect(hasIceMismatch(ok.media, ok.session)).toBe(false);
    // An ALG rewrote c=.
    const rewritten = parsed(ICE_OFFER.replace('c=IN IP4 198.51.100.2', 'c=IN IP4 192.0.2.99'));
    expect(hasIceMismatch(rewritten.media, rewritten.session)).toBe(true);
    // The RTCP default is no component-2 candidate …
    const rtcp = parsed(ICE_OFFER.replace('a=rtcp:50001', 'a=rtcp:50003'));
    expect(hasIceMismatch(rtcp.media, rtcp.session)).toBe(true);
    // … which does not matter with rtcp-mux.
    const muxed = parsed(ICE_OFFER.replace('a=rtcp:50001', 'a=rtcp:50003\na=rtcp-mux'));
    expect(hasIceMismatch(muxed.media, muxed.session)).toBe(false);
    // The trickle placeholder is no mismatch.
    const placeholder = parsed(
      ICE_OFFER.replace('c=IN IP4 198.51.100.2', 'c=IN IP4 0.0.0.0').replace('m=audio 50000', 'm=audio 9'),
    );
    expect(hasIceMismatch(placeholder.media, placeholder.session)).toBe(false);
  });

  it('IPv6: candidates in canonical form (RFC 5952), and no false mismatch for another spelling of c=', () => {
    const ICE6 = `
      v=0
      o=- 1 1 IN IP6 2001:db8::2
      s=-
      c=IN IP6 2001:DB8:0:0:0:0:0:2
      t=0 0
      m=audio 50000 RTP/AVP 0
      a=ice-ufrag:peer
      a=ice-pwd:peerpasswordpeerpassword
      a=candidate:1 1 UDP 2130706431 2001:db8::2 50000 typ host
      a=candidate:2 1 UDP 2130706175 0:0:0:0:0:0:0:1 50000 typ host
      a=candidate:3 1 UDP 1694498815 2001:DB8::0:7 50000 typ srflx raddr FD00:0::2 rport 50000
      a=rtcp-mux
    `;
    const { session, media } = parsed(ICE6);
    // The sockets report sources as 2001:db8::7, ::1: the agent compares these strings.
    expect(
      remoteIceDescription(media, session)?.candidates.map(
        (c) => `${c.type} ${c.address.address} ${c.address.family} ${c.related?.address ?? '-'}`,
      ),
    ).toEqual(['host 2001:db8::2 6 -', 'host ::1 6 -', 'srflx 2001:db8::7 6 fd00::2']);
    expect(hasIceMismatch(media, session)).toBe(false);
    const rewritten = parsed(ICE6.replace('c=IN IP6 2001:DB8:0:0:0:0:0:2', 'c=IN IP6 2001:db8::3'));
    expect(hasIceMismatch(rewritten.media, rewritten.session)).toBe(true);
  });

  it('decides ICE or plain RTP on the same socket', () => {
    const offer = parsed(ICE_OFFER);
    expect(chooseMediaTransport(offer.media, offer.session, 'answerer')).toMatchObject({
      transport: 'ice',
      remote: { ufrag: 'peer' },
    });
    const rewritten = parsed(ICE_OFFER.replace('c=IN IP4 198.51.100.2', 'c=IN IP4 192.0.2.99'));
    expect(chooseMediaTransport(rewritten.media, rewritten.session, 'answerer')).toEqual({
      transport: 'latching',
      reason: 'ice-mismatch',
      answerWithMismatch: true,
    });
    expect(ICE_MISMATCH_ATTRIBUTE).toEqual({ name: 'ice-mismatch' });
    const plain = parsed(
      'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0',
    );
    for (const role of ['answerer', 'offerer'] as const) {
      expect(chooseMediaTransport(plain.media, plain.session, role)).toEqual({
        transport: 'latching',
        reason: 'no-ice',
        answerWithMismatch: false,
      });
    }
    const refused = parsed(
      'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=ice-mismatch',
    );
    expect(chooseMediaTransport(refused.media, refused.session, 'offerer')).toEqual({
      transport: 'latching',
      reason: 'ice-mismatch',
      answerWithMismatch: false,
    });
  });

  it('recognises an ICE restart by new credentials', () => {
    const before = { ufrag: 'a', pwd: 'p', lite: false, candidates: [] };
    expect(isIceRestart(undefined, before)).toBe(false);
    expect(isIceRestart(before, { ...before })).toBe(false);
    expect(isIceRestart(before, { ...before, ufrag: 'b' })).toBe(true);
    expect(isIceRestart(before, { ...before, pwd: 'q' })).toBe(true);
  });
});

describe('the updated offer of the controlling agent', () => {
  const selected = (
    component: 1 | 2,
    local: IceCandidate,
    remoteAddress: string,
    remotePort: number,
  ): IceSelectedPair => ({
    component,
    local: { type: local.type, address: local.address, protocol: 'udp' },
    remote: { type: 'srflx', address: v4(remoteAddress, remotePort), protocol: 'udp' },
    relayed: false,
    rttMs: 10,
  });
  const agent = (
    pairs: IceSelectedPair[],
    role: 'controlling' | 'controlled' = 'controlling',
    state: IceSelectionView['state'] = 'connected',
  ) => ({
    role,
    state,
    components: pairs.map((p) => p.component),
    selectedPair: (component: 1 | 2) => pairs.find((p) => p.component === component),
    credentials: CREDENTIALS,
    localCandidates: [HOST, SRFLX, RELAY],
  });
  const lastOffer = parsed(`
    v=0
    o=- 1 1 IN IP4 203.0.113.5
    s=-
    c=IN IP4 203.0.113.5
    t=0 0
    m=audio 49152 RTP/AVP 0
    a=rtcp-mux
  `);

  it('is needed when the selected local candidate is not the offered default', () => {
    expect(needsUpdatedOffer(agent([selected(1, RELAY, '198.51.100.2', 50_000)]), lastOffer)).toBe(false);
    expect(needsUpdatedOffer(agent([selected(1, SRFLX, '198.51.100.2', 50_000)]), lastOffer)).toBe(true);
    expect(
      needsUpdatedOffer(agent([selected(1, SRFLX, '198.51.100.2', 50_000)], 'controlled'), lastOffer),
    ).toBe(false);
    expect(
      needsUpdatedOffer(
        agent([selected(1, SRFLX, '198.51.100.2', 50_000)], 'controlling', 'checking'),
        lastOffer,
      ),
    ).toBe(false);
  });

  it('carries the selected candidates in c=/m= and a=remote-candidates', () => {
    const view = agent([
      selected(1, SRFLX, '198.51.100.2', 50_000),
      selected(2, HOST2, '198.51.100.2', 50_001),
    ]);
    expect(remoteCandidatesAttribute(view)).toEqual({
      name: 'remote-candidates',
      value: '1 198.51.100.2 50000 2 198.51.100.2 50001',
    });
    const updated = updatedOfferMedia(view);
    expect(updated?.endpoint).toEqual({
      address: '198.51.100.1',
      port: 40_000,
      rtcpPort: 40_001,
      rtcpAddress: '10.0.0.2',
    });
    expect(updated?.attributes.at(-1)).toEqual({
      name: 'remote-candidates',
      value: '1 198.51.100.2 50000 2 198.51.100.2 50001',
    });
    expect(updated?.attributes.filter((a) => a.name === 'candidate')).toHaveLength(3);
    expect(remoteCandidatesAttribute(agent([]))).toBeUndefined();
  });
});
