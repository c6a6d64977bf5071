import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIO_CODECS,
  DEFAULT_TELEPHONE_EVENT,
  applyAnswer,
  buildSdp,
  createAnswer,
  createOffer,
  holdOffer,
  resumeOffer,
} from '../../../src-main/sdp/index.ts';
import type {
  CreateAnswerResult,
  Direction,
  LocalMediaConfig,
  NegotiatedMedia,
  NegotiationResult,
  SessionDescription,
} from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

const CONFIG: LocalMediaConfig = {
  endpoint: { address: '192.0.2.10', port: 40000 },
  codecs: DEFAULT_AUDIO_CODECS,
  telephoneEvent: DEFAULT_TELEPHONE_EVENT,
  origin: { sessionId: '3724394400' },
};

function answered(r: CreateAnswerResult): { answer: SessionDescription; media: NegotiatedMedia } {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r;
}

function negotiated(r: NegotiationResult): NegotiatedMedia {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r.media;
}

/** A peer's offer: one audio m-line with the given lines after it. */
function peerOffer(mLine: string, ...rest: string[]): SessionDescription {
  return sdp(
    crlf('v=0', 'o=peer 7 7 IN IP4 198.51.100.5', 's=-', 'c=IN IP4 198.51.100.5', 't=0 0', mLine, ...rest),
  );
}

describe('createOffer', () => {
  it('offers our codecs in preference order, telephone-event, ptime, direction, rtcp and rtcp-mux', () => {
    expect(buildSdp(createOffer(CONFIG))).toBe(
      crlf(
        'v=0',
        'o=- 3724394400 3724394400 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        'a=rtcp:40001',
        'a=rtcp-mux',
      ),
    );
  });

  it('adds dynamic codecs with fmtp, maxptime, the caller’s session and media attributes, and RTCP elsewhere', () => {
    const offer = createOffer({
      ...CONFIG,
      endpoint: { address: '192.0.2.10', port: 40000, rtcpPort: 40101, rtcpAddress: '192.0.2.11' },
      codecs: [
        { name: 'opus', clockRate: 48000, channels: 2, payloadType: 111, parameters: 'useinbandfec=1' },
        ...DEFAULT_AUDIO_CODECS,
      ],
      maxptime: 60,
      direction: 'sendonly',
      rtcpMux: false,
      origin: { username: 'softphone', sessionId: '42', sessionVersion: '7' },
      sessionName: 'call',
      sessionAttributes: [{ name: 'ice-options', value: 'trickle' }],
      mediaAttributes: [
        { name: 'ice-ufrag', value: 'abcd' },
        { name: 'ice-pwd', value: 'abcdefghijklmnopqrstuv' },
        { name: 'candidate', value: '1 1 UDP 2130706431 192.0.2.10 40000 typ host' },
      ],
    });
    expect(buildSdp(offer)).toBe(
      crlf(
        'v=0',
        'o=softphone 42 7 IN IP4 192.0.2.10',
        's=call',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'a=ice-options:trickle',
        'm=audio 40000 RTP/AVP 111 0 8 101',
        'a=rtpmap:111 opus/48000/2',
        'a=fmtp:111 useinbandfec=1',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=maxptime:60',
        'a=sendonly',
        'a=rtcp:40101 IN IP4 192.0.2.11',
        'a=ice-ufrag:abcd',
        'a=ice-pwd:abcdefghijklmnopqrstuv',
        'a=candidate:1 1 UDP 2130706431 192.0.2.10 40000 typ host',
      ),
    );
  });

  it('uses IP6 for an IPv6 endpoint', () => {
    const text = buildSdp(createOffer({ ...CONFIG, endpoint: { address: '2001:db8::10', port: 40000 } }));
    expect(text).toContain('o=- 3724394400 3724394400 IN IP6 2001:db8::10\r\n');
    expect(text).toContain('c=IN IP6 2001:db8::10\r\n');
  });

  it('leaves out telephone-event when not configured', () => {
    const text = buildSdp(createOffer({ ...CONFIG, telephoneEvent: undefined }));
    expect(text).toContain('m=audio 40000 RTP/AVP 0 8\r\n');
    expect(text).not.toContain('telephone-event');
  });

  it('throws on configuration bugs', () => {
    expect(() => createOffer({ ...CONFIG, codecs: [] })).toThrow('LocalMediaConfig.codecs is empty');
    expect(() => createOffer({ ...CONFIG, telephoneEvent: { payloadType: 8 } })).toThrow(
      'payload type 8 is configured twice',
    );
    expect(() => createOffer({ ...CONFIG, origin: { sessionId: 'abc' } })).toThrow(
      'origin.sessionId must be decimal digits',
    );
  });
});

describe('o= version (RFC 3264 §8)', () => {
  it('keeps the version for an unchanged re-offer and bumps it by exactly one for each change', () => {
    const first = createOffer(CONFIG);
    const same = createOffer(CONFIG, first);
    expect(same.origin).toEqual(first.origin);
    expect(buildSdp(same)).toBe(buildSdp(first));

    const moved = createOffer({ ...CONFIG, endpoint: { address: '192.0.2.10', port: 40002 } }, same);
    expect(moved.origin).toEqual({ ...first.origin, sessionVersion: '3724394401' });
    const movedAgain = createOffer({ ...CONFIG, endpoint: { address: '192.0.2.10', port: 40002 } }, moved);
    expect(movedAgain.origin.sessionVersion).toBe('3724394401');
    const held = createOffer(
      { ...CONFIG, endpoint: { address: '192.0.2.10', port: 40002 }, direction: 'inactive' },
      movedAgain,
    );
    expect(held.origin.sessionVersion).toBe('3724394402');
  });

  it('keeps username, session id and o= address even when the media address changes', () => {
    const first = createOffer(CONFIG);
    const moved = createOffer(
      { ...CONFIG, endpoint: { address: '203.0.113.99', port: 40000 }, origin: { sessionId: '1' } },
      first,
    );
    expect(moved.origin).toEqual({ ...first.origin, sessionVersion: '3724394401' });
    expect(moved.connection?.address).toBe('203.0.113.99');
  });

  it('counts beyond 2^53 exactly', () => {
    const first = createOffer({
      ...CONFIG,
      origin: { sessionId: '1', sessionVersion: '18446744073709551615' },
    });
    const next = createOffer({ ...CONFIG, direction: 'inactive' }, first);
    expect(next.origin.sessionVersion).toBe('18446744073709551616');
  });
});

describe('createOffer after an earlier exchange (re-offer)', () => {
  // What we answered to an offer that used 96 for telephone-event and also carried video.
  const ourAnswer = sdp(
    crlf(
      'v=0',
      'o=- 3724394400 3724394400 IN IP4 192.0.2.10',
      's=-',
      'c=IN IP4 192.0.2.10',
      't=0 0',
      'm=audio 40000 RTP/AVP 8 96',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:96 telephone-event/8000',
      'a=fmtp:96 0-15',
      'a=ptime:20',
      'a=sendrecv',
      'a=rtcp-mux',
      'm=video 0 RTP/AVP 31',
    ),
  );

  it('keeps the m-line layout, the dynamic payload type mapping and bumps the version', () => {
    expect(buildSdp(createOffer(CONFIG, ourAnswer))).toBe(
      crlf(
        'v=0',
        'o=- 3724394400 3724394401 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 96',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-16',
        'a=ptime:20',
        'a=sendrecv',
        'a=rtcp:40001',
        'a=rtcp-mux',
        'm=video 0 RTP/AVP 31',
      ),
    );
  });

  it('never gives a number used for another codec in the session to a new dynamic codec', () => {
    const opus = { name: 'opus', clockRate: 48000, channels: 2, payloadType: 111 };
    const previous = sdp(
      crlf(
        'v=0',
        'o=- 5 5 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 101 0',
        'a=rtpmap:101 opus/48000/2',
        'a=rtpmap:0 PCMU/8000',
      ),
    );
    const offer = createOffer({ ...CONFIG, codecs: [opus, ...DEFAULT_AUDIO_CODECS] }, previous);
    expect(offer.media[0]?.formats).toEqual(['101', '0', '8', '96']);
    expect(offer.media[0]?.attributes.filter((a) => a.name === 'rtpmap').map((a) => a.value)).toEqual([
      '101 opus/48000/2',
      '0 PCMU/8000',
      '8 PCMA/8000',
      '96 telephone-event/8000',
    ]);
  });

  it('also keeps numbers the peer used for other codecs (RFC 3264 §8.3.2 covers both ends)', () => {
    const remoteOffer = peerOffer(
      'm=audio 5000 RTP/AVP 101 96 0',
      'a=rtpmap:101 opus/48000/2',
      'a=rtpmap:96 speex/16000',
    );
    const { answer } = answered(createAnswer(remoteOffer, CONFIG));
    expect(answer.media[0]?.formats).toEqual(['0']);
    const reoffer = createOffer(CONFIG, answer, remoteOffer);
    expect(reoffer.media[0]?.formats).toEqual(['0', '8', '97']);
    // Without the peer's description only our own numbers would be known, and 101 would be reused.
    expect(createOffer(CONFIG, answer).media[0]?.formats).toEqual(['0', '8', '101']);
    // A number the peer gave to the same codec is taken over.
    const withEvents = peerOffer('m=audio 5000 RTP/AVP 0 110', 'a=rtpmap:110 telephone-event/8000');
    const r = answered(createAnswer(withEvents, { ...CONFIG, telephoneEvent: undefined }));
    expect(createOffer(CONFIG, r.answer, withEvents).media[0]?.formats).toEqual(['0', '8', '110']);
  });

  it('reuses the slot of a rejected audio stream and keeps other rejected streams', () => {
    const previous = sdp(
      crlf(
        'v=0',
        'o=- 5 5 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=video 0 RTP/AVP 31',
        'm=audio 0 RTP/AVP 0',
      ),
    );
    const offer = createOffer(CONFIG, previous);
    expect(offer.media.map((m) => `${m.type} ${m.port}`)).toEqual(['video 0', 'audio 40000']);
    expect(offer.origin.sessionVersion).toBe('6');
  });
});

describe('createAnswer', () => {
  it('answers in OUR preference order with the offerer’s payload types (telephone-event 96 stays 96)', () => {
    const offer = peerOffer(
      'm=audio 5000 RTP/AVP 8 0 96',
      'a=rtpmap:96 telephone-event/8000',
      'a=fmtp:96 0-15',
      'a=ptime:30',
    );
    const { answer, media } = answered(createAnswer(offer, CONFIG));
    expect(buildSdp(answer)).toBe(
      crlf(
        'v=0',
        'o=- 3724394400 3724394400 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 96',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-15',
        'a=ptime:20',
        'a=sendrecv',
        'a=rtcp:40001',
      ),
    );
    expect(media).toEqual({
      mediaIndex: 0,
      codec: {
        name: 'PCMU',
        clockRate: 8000,
        channels: 1,
        sendPayloadType: 0,
        receivePayloadType: 0,
        remoteParameters: undefined,
      },
      codecs: [
        {
          name: 'PCMU',
          clockRate: 8000,
          channels: 1,
          sendPayloadType: 0,
          receivePayloadType: 0,
          remoteParameters: undefined,
        },
        {
          name: 'PCMA',
          clockRate: 8000,
          channels: 1,
          sendPayloadType: 8,
          receivePayloadType: 8,
          remoteParameters: undefined,
        },
      ],
      telephoneEvent: {
        sendPayloadType: 96,
        receivePayloadType: 96,
        clockRate: 8000,
        events: Array.from({ length: 16 }, (_, i) => i),
      },
      ptime: 30,
      remoteMaxptime: undefined,
      remoteRtp: { address: '198.51.100.5', port: 5000 },
      remoteRtcp: { address: '198.51.100.5', port: 5001 },
      rtcpMux: false,
      direction: 'sendrecv',
      send: true,
      receive: true,
      remoteHold: false,
      remoteIce: undefined,
      srtp: undefined,
    } satisfies NegotiatedMedia);
  });

  it('matches encoding names case-insensitively and takes static types without rtpmap', () => {
    const offer = peerOffer(
      'm=audio 5000 RTP/AVP 8 97',
      'a=rtpmap:97 TELEPHONE-EVENT/8000',
      'a=rtpmap:8 pcma/8000',
    );
    const { media } = answered(createAnswer(offer, CONFIG));
    expect(media.codec).toMatchObject({ name: 'PCMA', sendPayloadType: 8 });
    expect(media.telephoneEvent).toMatchObject({ sendPayloadType: 97, receivePayloadType: 97 });
    const bare = peerOffer('m=audio 5000 RTP/AVP 0');
    expect(answered(createAnswer(bare, CONFIG)).media.codec).toMatchObject({
      name: 'PCMU',
      sendPayloadType: 0,
    });
  });

  it('requires the same clock rate and channel count', () => {
    const stereo = { ...CONFIG, codecs: [{ name: 'L16', clockRate: 8000, payloadType: 98 }] };
    const offer = peerOffer('m=audio 5000 RTP/AVP 96 97', 'a=rtpmap:96 L16/8000/2', 'a=rtpmap:97 L16/16000');
    const r = createAnswer(offer, stereo);
    expect(r).toEqual({
      ok: false,
      failure: {
        reason: 'no-common-codec',
        status: 488,
        detail: 'no offered audio codec matches ours (RFC 3264 §6.1)',
      },
    });
  });

  it('answers telephone-event with the events both sides handle, and only at our clock rate', () => {
    const narrow = peerOffer(
      'm=audio 5000 RTP/AVP 0 101',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-11,16,66',
    );
    expect(buildSdp(answered(createAnswer(narrow, CONFIG)).answer)).toContain('a=fmtp:101 0-11,16\r\n');
    const noList = peerOffer('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000');
    expect(answered(createAnswer(noList, CONFIG)).media.telephoneEvent?.events).toEqual(
      Array.from({ length: 16 }, (_, i) => i),
    );
    const wideband = peerOffer('m=audio 5000 RTP/AVP 0 110', 'a=rtpmap:110 telephone-event/48000');
    const r = answered(createAnswer(wideband, CONFIG));
    expect(r.answer.media[0]?.formats).toEqual(['0']);
    expect(r.media.telephoneEvent).toBeUndefined();
  });

  it('drops telephone-event when we do not support it', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000');
    const r = answered(createAnswer(offer, { ...CONFIG, telephoneEvent: undefined }));
    expect(r.answer.media[0]?.formats).toEqual(['0']);
    expect(r.media.telephoneEvent).toBeUndefined();
  });

  it('rejects an unsupported video m-line with port 0, one answer m-line per offer m-line in order', () => {
    const offer = sdp(
      crlf(
        'v=0',
        'o=peer 7 7 IN IP4 198.51.100.5',
        's=-',
        'c=IN IP4 198.51.100.5',
        't=0 0',
        'm=video 6000 RTP/AVP 31 34',
        'a=rtpmap:31 H261/90000',
        'm=audio 5000 RTP/AVP 0',
        'm=application 7000 UDP/BFCP *',
      ),
    );
    const { answer, media } = answered(createAnswer(offer, CONFIG));
    expect(answer.media.map((m) => `m=${m.type} ${m.port} ${m.protocol} ${m.formats.join(' ')}`)).toEqual([
      'm=video 0 RTP/AVP 31 34',
      'm=audio 40000 RTP/AVP 0',
      'm=application 0 UDP/BFCP *',
    ]);
    expect(answer.media[0]?.attributes).toEqual([]);
    expect(media.mediaIndex).toBe(1);
  });

  it('fails with 488 when no codec is common, and when there is no audio it can take', () => {
    expect(createAnswer(peerOffer('m=audio 5000 RTP/AVP 18 97', 'a=rtpmap:97 iLBC/8000'), CONFIG)).toEqual({
      ok: false,
      failure: {
        reason: 'no-common-codec',
        status: 488,
        detail: 'no offered audio codec matches ours (RFC 3264 §6.1)',
      },
    });
    expect(createAnswer(peerOffer('m=video 5000 RTP/AVP 31'), CONFIG)).toEqual({
      ok: false,
      failure: {
        reason: 'no-audio',
        status: 488,
        detail: 'the offer has no audio stream over a transport we accept',
      },
    });
    expect(
      createAnswer(
        peerOffer('m=audio 5000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA'),
        CONFIG,
      ),
    ).toMatchObject({
      ok: false,
      failure: { reason: 'no-audio' },
    });
    expect(createAnswer(peerOffer('m=audio 0 RTP/AVP 0'), CONFIG)).toMatchObject({
      ok: false,
      failure: { reason: 'no-audio' },
    });
  });

  it('does not take a telephone-event-only stream as the audio stream', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000');
    expect(createAnswer(offer, CONFIG)).toMatchObject({ ok: false, failure: { reason: 'no-common-codec' } });
  });

  it('accepts other transport protocols only when configured', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVPF 0', 'a=rtcp-fb:* nack');
    expect(createAnswer(offer, CONFIG)).toMatchObject({ ok: false, failure: { reason: 'no-audio' } });
    const r = answered(createAnswer(offer, { ...CONFIG, protocols: ['RTP/AVP', 'RTP/AVPF'] }));
    expect(r.answer.media[0]?.protocol).toBe('RTP/AVPF');
  });

  describe('direction (RFC 3264 §6.1) combined with our own hold state', () => {
    const table: [Direction, Direction, Direction][] = [
      // offered, ours, answer
      ['sendrecv', 'sendrecv', 'sendrecv'],
      ['sendonly', 'sendrecv', 'recvonly'],
      ['recvonly', 'sendrecv', 'sendonly'],
      ['inactive', 'sendrecv', 'inactive'],
      ['sendrecv', 'sendonly', 'sendonly'],
      ['sendrecv', 'inactive', 'inactive'],
      ['sendonly', 'sendonly', 'inactive'],
      ['recvonly', 'sendonly', 'sendonly'],
      ['sendonly', 'recvonly', 'recvonly'],
      ['recvonly', 'inactive', 'inactive'],
    ];
    it.each(table)('offer %s, we want %s → answer %s', (offered, ours, expected) => {
      const { answer, media } = answered(
        createAnswer(peerOffer('m=audio 5000 RTP/AVP 0', `a=${offered}`), { ...CONFIG, direction: ours }),
      );
      expect(
        answer.media[0]?.attributes.filter((a) =>
          ['sendrecv', 'sendonly', 'recvonly', 'inactive'].includes(a.name),
        ),
      ).toEqual([{ name: expected }]);
      expect(media.direction).toBe(expected);
      expect(media.remoteHold).toBe(offered === 'sendonly' || offered === 'inactive');
    });

    it('takes a session-level direction when the m-line has none', () => {
      const offer = sdp(
        crlf(
          'v=0',
          'o=p 1 1 IN IP4 198.51.100.5',
          's=-',
          'c=IN IP4 198.51.100.5',
          't=0 0',
          'a=sendonly',
          'm=audio 5000 RTP/AVP 0',
        ),
      );
      expect(answered(createAnswer(offer, CONFIG)).media.direction).toBe('recvonly');
    });
  });

  it('treats the RFC 2543 hold (c=0.0.0.0) as the peer not receiving', () => {
    const offer = sdp(
      crlf(
        'v=0',
        'o=p 1 2 IN IP4 198.51.100.5',
        's=-',
        'c=IN IP4 0.0.0.0',
        't=0 0',
        'm=audio 5000 RTP/AVP 0',
      ),
    );
    const { answer, media } = answered(createAnswer(offer, CONFIG));
    expect(answer.media[0]?.attributes).toContainEqual({ name: 'recvonly' });
    expect(media).toMatchObject({ direction: 'recvonly', send: false, receive: true, remoteHold: true });
    expect(media.remoteRtp).toEqual({ address: '0.0.0.0', port: 5000 });
    // The same with a=inactive is inactive; with a media-level c=0.0.0.0 likewise a hold.
    const inactive = sdp(
      crlf(
        'v=0',
        'o=p 1 2 IN IP4 198.51.100.5',
        's=-',
        't=0 0',
        'm=audio 5000 RTP/AVP 0',
        'c=IN IP4 0.0.0.0',
        'a=inactive',
      ),
    );
    expect(answered(createAnswer(inactive, CONFIG)).media).toMatchObject({
      direction: 'inactive',
      remoteHold: true,
    });
  });

  it('accepts rtcp-mux when offered (no a=rtcp), and sends RTCP to the RTP address', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVP 0', 'a=rtcp:5001', 'a=rtcp-mux');
    const { answer, media } = answered(createAnswer(offer, CONFIG));
    expect(answer.media[0]?.attributes.slice(-2)).toEqual([{ name: 'sendrecv' }, { name: 'rtcp-mux' }]);
    expect(media).toMatchObject({ rtcpMux: true, remoteRtcp: { address: '198.51.100.5', port: 5000 } });
  });

  it('declines rtcp-mux when configured off, and reads the peer’s a=rtcp with address', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVP 0', 'a=rtcp:5011 IN IP4 198.51.100.6', 'a=rtcp-mux');
    const { answer, media } = answered(createAnswer(offer, { ...CONFIG, rtcpMux: false }));
    expect(answer.media[0]?.attributes.slice(-2)).toEqual([
      { name: 'sendrecv' },
      { name: 'rtcp', value: '40001' },
    ]);
    expect(media).toMatchObject({ rtcpMux: false, remoteRtcp: { address: '198.51.100.6', port: 5011 } });
  });

  it('keeps o= and applies the version rule when answering a re-offer', () => {
    const offer = peerOffer('m=audio 5000 RTP/AVP 0 8');
    const first = answered(createAnswer(offer, CONFIG)).answer;
    const again = answered(createAnswer(offer, CONFIG, first)).answer;
    expect(again.origin).toEqual(first.origin);
    const held = answered(
      createAnswer(peerOffer('m=audio 5000 RTP/AVP 0 8', 'a=sendonly'), CONFIG, again),
    ).answer;
    expect(held.origin).toEqual({ ...first.origin, sessionVersion: '3724394401' });
  });

  it('passes the peer’s ICE attributes through to the negotiated media', () => {
    const offer = sdp(
      crlf(
        'v=0',
        'o=p 1 1 IN IP4 198.51.100.5',
        's=-',
        'c=IN IP4 198.51.100.5',
        't=0 0',
        'a=ice-lite',
        'm=audio 5000 RTP/AVP 0',
        'a=ice-ufrag:8hhY',
        'a=ice-pwd:asd88fgpdd777uzjYhagZg',
        'a=candidate:1 1 UDP 2130706431 198.51.100.5 5000 typ host',
        'a=end-of-candidates',
      ),
    );
    expect(answered(createAnswer(offer, CONFIG)).media.remoteIce).toMatchObject({
      ufrag: '8hhY',
      pwd: 'asd88fgpdd777uzjYhagZg',
      lite: true,
      options: [],
      candidates: [{ foundation: '1', component: 1, address: '198.51.100.5', port: 5000, type: 'host' }],
      endOfCandidates: true,
    });
  });
});

describe('applyAnswer', () => {
  const offer = createOffer(CONFIG);
  const answerTo = (...lines: string[]): SessionDescription =>
    sdp(crlf('v=0', 'o=peer 9 9 IN IP4 198.51.100.5', 's=-', 'c=IN IP4 198.51.100.5', 't=0 0', ...lines));

  it('takes the answer’s first common codec; send with the answer’s numbers, receive with ours', () => {
    const media = negotiated(
      applyAnswer(
        offer,
        answerTo(
          'm=audio 6000 RTP/AVP 8 0 100',
          'a=rtpmap:100 telephone-event/8000',
          'a=fmtp:100 0-15',
          'a=ptime:30',
          'a=maxptime:40',
        ),
      ),
    );
    expect(media).toMatchObject({
      mediaIndex: 0,
      codec: { name: 'PCMA', sendPayloadType: 8, receivePayloadType: 8 },
      telephoneEvent: { sendPayloadType: 100, receivePayloadType: 101, clockRate: 8000 },
      ptime: 30,
      remoteMaxptime: 40,
      remoteRtp: { address: '198.51.100.5', port: 6000 },
      remoteRtcp: { address: '198.51.100.5', port: 6001 },
      rtcpMux: false,
      direction: 'sendrecv',
      remoteHold: false,
    });
    expect(media.codecs.map((c) => c.name)).toEqual(['PCMA', 'PCMU']);
    expect(media.telephoneEvent?.events).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('uses rtcp-mux only when the answer has it too', () => {
    const media = negotiated(applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 0', 'a=rtcp-mux')));
    expect(media).toMatchObject({ rtcpMux: true, remoteRtcp: { address: '198.51.100.5', port: 6000 } });
  });

  it('reports a hold by the answerer (sendonly / inactive / c=0.0.0.0)', () => {
    expect(negotiated(applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 0', 'a=sendonly')))).toMatchObject({
      direction: 'recvonly',
      send: false,
      receive: true,
      remoteHold: true,
    });
    expect(negotiated(applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 0', 'a=inactive')))).toMatchObject({
      direction: 'inactive',
      remoteHold: true,
    });
    expect(
      negotiated(applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 0', 'c=IN IP4 0.0.0.0'))),
    ).toMatchObject({
      direction: 'recvonly',
      remoteHold: true,
    });
  });

  it('fails typed: m-line count, rejected audio, no codec of ours', () => {
    expect(applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 0', 'm=video 0 RTP/AVP 31'))).toEqual({
      ok: false,
      failure: { reason: 'answer-mismatch', status: 488, detail: 'the answer has 2 m-lines, the offer 1' },
    });
    expect(applyAnswer(offer, answerTo('m=audio 0 RTP/AVP 0'))).toEqual({
      ok: false,
      failure: { reason: 'media-rejected', status: 488, detail: 'the audio stream was rejected (port 0)' },
    });
    expect(
      applyAnswer(offer, answerTo('m=audio 6000 RTP/AVP 18 101', 'a=rtpmap:101 telephone-event/8000')),
    ).toEqual({
      ok: false,
      failure: {
        reason: 'no-common-codec',
        status: 488,
        detail: 'the answer lists no codec of the offer (RFC 3264 §6.1)',
      },
    });
    expect(applyAnswer(offer, answerTo('m=video 6000 RTP/AVP 0'))).toEqual({
      ok: false,
      failure: {
        reason: 'answer-mismatch',
        status: 488,
        detail: 'm-line 0 is audio in the offer but video in the answer',
      },
    });
  });
});

describe('hold and resume re-offers', () => {
  const offer = createOffer({
    ...CONFIG,
    mediaAttributes: [
      { name: 'ice-ufrag', value: 'abcd' },
      { name: 'ice-pwd', value: 'abcdefghijklmnopqrstuv' },
    ],
  });

  it('changes only the direction and bumps the version by one', () => {
    const held = holdOffer(offer, 'sendonly');
    expect(buildSdp(held)).toBe(
      buildSdp(offer)
        .replace('3724394400 3724394400', '3724394400 3724394401')
        .replace('a=sendrecv', 'a=sendonly'),
    );
    expect(holdOffer(held, 'sendonly').origin.sessionVersion).toBe('3724394401');
    const inactive = holdOffer(held, 'inactive');
    expect(inactive.origin.sessionVersion).toBe('3724394402');
    const resumed = resumeOffer(inactive);
    expect(resumed.origin.sessionVersion).toBe('3724394403');
    expect(buildSdp(resumed)).toBe(buildSdp(offer).replace('3724394400 3724394400', '3724394400 3724394403'));
  });

  it('adds a direction where the previous description had none', () => {
    const previous = sdp(
      crlf(
        'v=0',
        'o=- 1 1 IN IP4 192.0.2.10',
        's=-',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 4000 RTP/AVP 0',
        'a=ptime:20',
      ),
    );
    expect(holdOffer(previous, 'inactive').media[0]?.attributes).toEqual([
      { name: 'ptime', value: '20' },
      { name: 'inactive' },
    ]);
  });

  it('negotiates our hold: sendonly answered recvonly sends but does not receive; the peer is not holding', () => {
    const held = holdOffer(offer, 'sendonly');
    const answer = sdp(
      crlf(
        'v=0',
        'o=peer 9 10 IN IP4 198.51.100.5',
        's=-',
        'c=IN IP4 198.51.100.5',
        't=0 0',
        'm=audio 6000 RTP/AVP 0',
        'a=recvonly',
      ),
    );
    expect(negotiated(applyAnswer(held, answer))).toMatchObject({
      direction: 'sendonly',
      send: true,
      receive: false,
      remoteHold: false,
    });
    const quiet = holdOffer(offer, 'inactive');
    const inactiveAnswer = sdp(
      crlf(
        'v=0',
        'o=peer 9 10 IN IP4 198.51.100.5',
        's=-',
        'c=IN IP4 198.51.100.5',
        't=0 0',
        'm=audio 6000 RTP/AVP 0',
        'a=inactive',
      ),
    );
    expect(negotiated(applyAnswer(quiet, inactiveAnswer))).toMatchObject({
      direction: 'inactive',
      remoteHold: false,
    });
  });

  it('throws when there is no audio stream to hold', () => {
    const noAudio = sdp(
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 0 RTP/AVP 0'),
    );
    expect(() => holdOffer(noAudio, 'sendonly')).toThrow('no active audio stream');
  });
});
