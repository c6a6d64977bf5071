/**
 * Offers shaped like those of the user agents the phone meets (fixtures/README.md): each must parse
 * without warnings, rebuild unchanged, and be answered the way we intend.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIO_CODECS,
  DEFAULT_TELEPHONE_EVENT,
  buildSdp,
  createAnswer,
  cryptoAttributes,
  fingerprints,
  iceDescription,
  mediaId,
  parseSdp,
  rtcpAttribute,
  setupRole,
  ssrcAttributes,
} from '../../../src-main/sdp/index.ts';
import type {
  CreateAnswerResult,
  LocalMediaConfig,
  NegotiatedMedia,
  SessionDescription,
} from '../../../src-main/sdp/index.ts';
import { fixture, sdp, toCrlf } from './helpers.ts';

const CONFIG: LocalMediaConfig = {
  endpoint: { address: '192.0.2.10', port: 40000 },
  codecs: DEFAULT_AUDIO_CODECS,
  telephoneEvent: DEFAULT_TELEPHONE_EVENT,
  origin: { sessionId: '3724394400' },
};

const FIXTURES = [
  'baresip-1.0-offer.sdp',
  'baresip-1.0-ice-offer.sdp',
  'linphone-5.1-offer.sdp',
  'asterisk-pjsip-offer.sdp',
  'asterisk-pjsip-ice-offer.sdp',
  'asterisk-pjsip-hold-reoffer.sdp',
  'freeswitch-offer.sdp',
  'freeswitch-srtp-optional-offer.sdp',
  'zoiper-5-offer.sdp',
  'chrome-webrtc-offer.sdp',
];

function answered(r: CreateAnswerResult): { answer: SessionDescription; media: NegotiatedMedia } {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r;
}

function answerLines(
  name: string,
  config: LocalMediaConfig = CONFIG,
): { lines: string[]; media: NegotiatedMedia } {
  const r = answered(createAnswer(sdp(fixture(name)), config));
  return { lines: buildSdp(r.answer).split('\r\n').slice(5, -1), media: r.media };
}

describe.each(FIXTURES)('%s', (name) => {
  it('parses without warnings (LF as stored, and CRLF) and rebuilds byte for byte with CRLF', () => {
    const text = fixture(name);
    for (const variant of [text, toCrlf(text)]) {
      const r = parseSdp(variant);
      expect(r.ok && r.warnings).toEqual([]);
      expect(r.ok && buildSdp(r.sdp)).toBe(toCrlf(text));
    }
  });
});

describe('answers to real-world offers', () => {
  it('baresip 1.0: G.711 in our order under its numbers, telephone-event 101 0-15, rtcp-mux accepted', () => {
    const { lines, media } = answerLines('baresip-1.0-offer.sdp');
    expect(lines).toEqual([
      'm=audio 40000 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      'a=sendrecv',
      'a=rtcp-mux',
    ]);
    expect(media).toMatchObject({
      ptime: 20,
      rtcpMux: true,
      remoteRtp: { address: '10.0.0.2', port: 10560 },
      remoteIce: undefined,
    });
    const offer = sdp(fixture('baresip-1.0-offer.sdp'));
    expect(ssrcAttributes(offer.media[0] as SessionDescription['media'][0])).toEqual([
      { ssrc: 1827457890, attribute: 'cname', value: 'fa4c1c2e-66b1-4ce4-b6b1-6b8a8a0d1234' },
    ]);
  });

  it('baresip 1.0 with ICE: credentials and all five candidates reach the ICE layer', () => {
    const { media } = answerLines('baresip-1.0-ice-offer.sdp');
    expect(media.rtcpMux).toBe(false);
    expect(media.remoteRtcp).toEqual({ address: '10.0.0.2', port: 10561 });
    const ice = media.remoteIce;
    expect(ice).toMatchObject({
      ufrag: 'Xs3d',
      pwd: 'xB9tq8k3YtX6h0kz1wP2cV',
      lite: false,
      options: ['trickle'],
      endOfCandidates: false,
    });
    expect(ice?.candidates.map((c) => `${c.component} ${c.type} ${c.address}:${c.port}`)).toEqual([
      '1 host 10.0.0.2:10560',
      '2 host 10.0.0.2:10561',
      '1 srflx 203.0.113.20:10560',
      '2 srflx 203.0.113.20:10561',
      '1 relay 198.51.100.50:49152',
    ]);
  });

  it('Linphone 5.1: telephone-event/8000 (PT 100) chosen among three rates; video rejected', () => {
    const { lines, media } = answerLines('linphone-5.1-offer.sdp');
    expect(lines).toEqual([
      'm=audio 40000 RTP/AVP 0 8 100',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:100 telephone-event/8000',
      'a=fmtp:100 0-15',
      'a=ptime:20',
      'a=sendrecv',
      'a=rtcp:40001',
      'm=video 0 RTP/AVP 96 97',
    ]);
    expect(media.telephoneEvent).toEqual({
      sendPayloadType: 100,
      receivePayloadType: 100,
      clockRate: 8000,
      events: Array.from({ length: 16 }, (_, i) => i),
    });
    expect(media.remoteRtcp).toEqual({ address: '192.168.1.30', port: 7079 });
  });

  it('Asterisk: G.711 under static numbers, telephone-event 0-16, maxptime read', () => {
    const { lines, media } = answerLines('asterisk-pjsip-offer.sdp');
    expect(lines[0]).toBe('m=audio 40000 RTP/AVP 0 8 101');
    expect(lines).toContain('a=fmtp:101 0-16');
    expect(media).toMatchObject({
      remoteMaxptime: 150,
      ptime: 20,
      remoteRtcp: { address: '203.0.113.10', port: 14563 },
    });
  });

  it('Asterisk with ICE: foundations, two components and srflx related addresses', () => {
    const offer = sdp(fixture('asterisk-pjsip-ice-offer.sdp'));
    const ice = iceDescription(offer.media[0] as SessionDescription['media'][0], offer);
    expect(ice.ufrag).toBe('3c2a6f6e1b0d4e5f');
    expect(
      ice.candidates.map((c) => [c.foundation, c.component, c.type, c.relatedAddress, c.relatedPort]),
    ).toEqual([
      ['Hcb00710a', 1, 'host', undefined, undefined],
      ['Hcb00710a', 2, 'host', undefined, undefined],
      ['Sc6337114', 1, 'srflx', '203.0.113.10', 14562],
      ['Sc6337114', 2, 'srflx', '203.0.113.10', 14563],
    ]);
  });

  it('Asterisk hold re-offer: sendonly is answered recvonly and reported as a remote hold', () => {
    const { lines, media } = answerLines('asterisk-pjsip-hold-reoffer.sdp');
    expect(lines).toContain('a=recvonly');
    expect(media).toMatchObject({ direction: 'recvonly', send: false, receive: true, remoteHold: true });
  });

  it('FreeSWITCH: CN and opus left out, RTCP address from a=rtcp with address', () => {
    const { lines, media } = answerLines('freeswitch-offer.sdp');
    expect(lines[0]).toBe('m=audio 40000 RTP/AVP 0 8 101');
    expect(media.codecs.map((c) => c.name)).toEqual(['PCMU', 'PCMA']);
    expect(media.remoteRtcp).toEqual({ address: '198.51.100.7', port: 24581 });
    const offer = sdp(fixture('freeswitch-offer.sdp'));
    expect(rtcpAttribute(offer.media[0] as SessionDescription['media'][0])).toEqual({
      port: 24581,
      netType: 'IN',
      addressType: 'IP4',
      address: '198.51.100.7',
    });
  });

  it('FreeSWITCH optional SRTP: the RTP/SAVP stream is rejected, the RTP/AVP one accepted', () => {
    const { lines, media } = answerLines('freeswitch-srtp-optional-offer.sdp');
    expect(lines[0]).toBe('m=audio 0 RTP/SAVP 0 8 101');
    expect(lines[1]).toBe('m=audio 40000 RTP/AVP 0 8 101');
    expect(media).toMatchObject({ mediaIndex: 1, remoteRtp: { address: '198.51.100.7', port: 24582 } });
    const offer = sdp(fixture('freeswitch-srtp-optional-offer.sdp'));
    expect(
      cryptoAttributes(offer.media[0] as SessionDescription['media'][0]).map((c) => [c.tag, c.suite]),
    ).toEqual([
      [1, 'AES_CM_128_HMAC_SHA1_80'],
      [2, 'AES_CM_128_HMAC_SHA1_32'],
    ]);
  });

  it('Zoiper: telephone-event/8000 is PT 101, not the 48000 one; rtcp-mux accepted', () => {
    const { lines, media } = answerLines('zoiper-5-offer.sdp');
    expect(lines[0]).toBe('m=audio 40000 RTP/AVP 0 8 101');
    expect(media).toMatchObject({ telephoneEvent: { sendPayloadType: 101, clockRate: 8000 }, rtcpMux: true });
  });

  it('Chrome: a WebRTC offer (UDP/TLS/RTP/SAVPF) is refused with 488 but every attribute reads', () => {
    const offer = sdp(fixture('chrome-webrtc-offer.sdp'));
    expect(createAnswer(offer, CONFIG)).toEqual({
      ok: false,
      failure: {
        reason: 'no-audio',
        status: 488,
        detail: 'the offer has no audio stream over a transport we accept',
      },
    });
    const audio = offer.media[0] as SessionDescription['media'][0];
    const ice = iceDescription(audio, offer);
    expect(ice).toMatchObject({ ufrag: 'EsAw', pwd: 'bP+XJMM09aR8AiX1jdukzR6Y', options: ['trickle'] });
    expect(ice.candidates.map((c) => `${c.transport} ${c.type} ${c.address} ${c.tcpType ?? '-'}`)).toEqual([
      'udp host 192.168.1.5 -',
      'udp host 2001:db8::5 -',
      'udp host 9b36eaac-bb2e-49bb-bb78-21c41c499900.local -',
      'udp srflx 203.0.113.7 -',
      'tcp host 192.168.1.5 active',
      'udp relay 198.51.100.1 -',
    ]);
    expect(mediaId(audio)).toBe('0');
    expect(setupRole(audio, offer)).toBe('actpass');
    expect(fingerprints(audio, offer)[0]?.hashFunction).toBe('sha-256');
    expect(ssrcAttributes(audio).map((s) => s.attribute)).toEqual(['cname', 'msid']);
  });

  it('accepts a WebRTC-style stream when its profile is configured (ICE hooks supply the rest)', () => {
    const offer = sdp(fixture('chrome-webrtc-offer.sdp'));
    const r = answered(createAnswer(offer, { ...CONFIG, protocols: ['UDP/TLS/RTP/SAVPF'] }));
    expect(r.answer.media[0]?.formats).toEqual(['0', '8', '126']);
    expect(r.media).toMatchObject({ rtcpMux: true, remoteRtp: { address: '203.0.113.7', port: 56143 } });
  });
});
