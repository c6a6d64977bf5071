/**
 * The audio examples of RFC 3264 §10 and RFC 4317, run through the parser, the builder and the
 * negotiation functions. Each example is checked from both sides where it applies: as Alice
 * (applyAnswer on the RFC's answer) and as Bob (createAnswer on the RFC's offer, compared with what the
 * RFC's answer means — our answer may differ where RFC 3264 leaves a choice, e.g. we reject video).
 */
import { describe, expect, it } from 'vitest';
import { applyAnswer, buildSdp, createAnswer, parseSdp } from '../../../src-main/sdp/index.ts';
import type {
  CreateAnswerResult,
  LocalMediaConfig,
  NegotiatedMedia,
  NegotiationResult,
  SessionDescription,
} from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

/** RFC 3264 writes `s=` empty, RFC 4317 says it "contains a single space character". */
const ALICE = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com',
  's= ',
  'c=IN IP4 host.atlanta.example.com',
  't=0 0',
];
const BOB = [
  'v=0',
  'o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com',
  's= ',
  'c=IN IP4 host.biloxi.example.com',
  't=0 0',
];

const ILBC_PCMU: LocalMediaConfig = {
  endpoint: { address: 'host.biloxi.example.com', port: 49172 },
  codecs: [
    { name: 'iLBC', clockRate: 8000, payloadType: 99 },
    { name: 'PCMU', clockRate: 8000, payloadType: 0 },
  ],
  telephoneEvent: { payloadType: 101 },
  rtcpMux: false,
  origin: { username: 'bob', sessionId: '2808844564' },
};

function negotiated(r: NegotiationResult): NegotiatedMedia {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r.media;
}

function answered(r: CreateAnswerResult): { answer: SessionDescription; media: NegotiatedMedia } {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r;
}

function mLines(d: SessionDescription): string[] {
  return d.media.map((m) => `m=${m.type} ${m.port} ${m.protocol} ${m.formats.join(' ')}`);
}

function roundTrips(text: string): void {
  const r = parseSdp(text);
  expect(r.ok && r.warnings).toEqual([]);
  expect(r.ok && buildSdp(r.sdp)).toBe(text);
}

describe('RFC 3264 §10.1 Basic Exchange', () => {
  const offer = crlf(
    'v=0',
    'o=alice 2890844526 2890844526 IN IP4 host.anywhere.com',
    's= ',
    'c=IN IP4 host.anywhere.com',
    't=0 0',
    'm=audio 49170 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'm=video 51372 RTP/AVP 31',
    'a=rtpmap:31 H261/90000',
    'm=video 53000 RTP/AVP 32',
    'a=rtpmap:32 MPV/90000',
  );
  const answer = crlf(
    'v=0',
    'o=bob 2890844730 2890844730 IN IP4 host.example.com',
    's= ',
    'c=IN IP4 host.example.com',
    't=0 0',
    'm=audio 49920 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'm=video 0 RTP/AVP 31',
    'm=video 53000 RTP/AVP 32',
    'a=rtpmap:32 MPV/90000',
  );
  const bobReoffer = crlf(
    'v=0',
    'o=bob 2890844730 2890844731 IN IP4 host.example.com',
    's= ',
    'c=IN IP4 host.example.com',
    't=0 0',
    'm=audio 65422 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    'm=video 0 RTP/AVP 31',
    'm=video 53000 RTP/AVP 32',
    'a=rtpmap:32 MPV/90000',
    'm=audio 51434 RTP/AVP 110',
    'a=rtpmap:110 telephone-events/8000',
    'a=recvonly',
  );

  it('parses and rebuilds every description unchanged', () => {
    for (const text of [offer, answer, bobReoffer]) roundTrips(text);
  });

  it('Alice: PCMU to Bob’s port 49920', () => {
    expect(negotiated(applyAnswer(sdp(offer), sdp(answer)))).toMatchObject({
      mediaIndex: 0,
      codec: { name: 'PCMU', sendPayloadType: 0, receivePayloadType: 0 },
      remoteRtp: { address: 'host.example.com', port: 49920 },
      remoteRtcp: { address: 'host.example.com', port: 49921 },
      direction: 'sendrecv',
    });
  });

  it('Bob (as us): accepts audio, rejects both video streams', () => {
    const r = answered(
      createAnswer(sdp(offer), { ...ILBC_PCMU, endpoint: { address: 'host.example.com', port: 49920 } }),
    );
    expect(mLines(r.answer)).toEqual([
      'm=audio 49920 RTP/AVP 0',
      'm=video 0 RTP/AVP 31',
      'm=video 0 RTP/AVP 32',
    ]);
  });

  it('Alice answering Bob’s re-offer (as us): new port taken, the telephone-events stream rejected', () => {
    const aliceFirst = sdp(offer);
    const alice: LocalMediaConfig = {
      ...ILBC_PCMU,
      endpoint: { address: 'host.anywhere.com', port: 49170 },
      origin: { username: 'alice', sessionId: '2890844526' },
    };
    const r = answered(createAnswer(sdp(bobReoffer), alice, aliceFirst));
    expect(mLines(r.answer)).toEqual([
      'm=audio 49170 RTP/AVP 0',
      'm=video 0 RTP/AVP 31',
      'm=video 0 RTP/AVP 32',
      'm=audio 0 RTP/AVP 110',
    ]);
    expect(r.answer.origin.sessionVersion).toBe('2890844527');
    expect(r.media.remoteRtp).toEqual({ address: 'host.example.com', port: 65422 });
  });
});

describe('RFC 3264 §10.2 One of N Codec Selection', () => {
  const offer1 = crlf(
    'v=0',
    'o=alice 2890844526 2890844526 IN IP4 host.anywhere.com',
    's= ',
    'c=IN IP4 host.anywhere.com',
    't=0 0',
    'm=audio 62986 RTP/AVP 0 4 18',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:4 G723/8000',
    'a=rtpmap:18 G729/8000',
    'a=inactive',
  );
  const answer1 = crlf(
    'v=0',
    'o=bob 2890844730 2890844731 IN IP4 host.example.com',
    's= ',
    'c=IN IP4 host.example.com',
    't=0 0',
    'm=audio 54344 RTP/AVP 0 4',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:4 G723/8000',
    'a=inactive',
  );
  const offer2 = crlf(
    'v=0',
    'o=alice 2890844526 2890844527 IN IP4 host.anywhere.com',
    's= ',
    'c=IN IP4 host.anywhere.com',
    't=0 0',
    'm=audio 62986 RTP/AVP 4',
    'a=rtpmap:4 G723/8000',
    'a=sendrecv',
  );
  const answer2 = crlf(
    'v=0',
    'o=bob 2890844730 2890844732 IN IP4 host.example.com',
    's= ',
    'c=IN IP4 host.example.com',
    't=0 0',
    'm=audio 54344 RTP/AVP 4',
    'a=rtpmap:4 G723/8000',
    'a=sendrecv',
  );

  it('parses and rebuilds every description unchanged', () => {
    for (const text of [offer1, answer1, offer2, answer2]) roundTrips(text);
  });

  it('first exchange: inactive, nobody sends, nobody is holding', () => {
    expect(negotiated(applyAnswer(sdp(offer1), sdp(answer1)))).toMatchObject({
      codec: { name: 'PCMU' },
      codecs: [{ name: 'PCMU' }, { name: 'G723' }],
      direction: 'inactive',
      send: false,
      receive: false,
      remoteHold: false,
    });
  });

  it('second exchange locks G.723 and goes sendrecv', () => {
    expect(negotiated(applyAnswer(sdp(offer2), sdp(answer2)))).toMatchObject({
      codec: { name: 'G723', sendPayloadType: 4, receivePayloadType: 4 },
      direction: 'sendrecv',
      remoteRtp: { address: 'host.example.com', port: 54344 },
    });
  });

  it('Bob (as us, G.723 + PCMU): answers the inactive offer inactive in our order', () => {
    const bob: LocalMediaConfig = {
      ...ILBC_PCMU,
      codecs: [
        { name: 'G723', clockRate: 8000, payloadType: 4 },
        { name: 'PCMU', clockRate: 8000, payloadType: 0 },
      ],
      endpoint: { address: 'host.example.com', port: 54344 },
    };
    const r = answered(createAnswer(sdp(offer1), bob));
    expect(mLines(r.answer)).toEqual(['m=audio 54344 RTP/AVP 4 0']);
    expect(r.answer.media[0]?.attributes).toContainEqual({ name: 'inactive' });
  });
});

describe('RFC 4317', () => {
  it('§2.1 Audio and Video 1: Alice ends up with PCMU; we as Bob reject the video', () => {
    const offer = crlf(
      ...ALICE,
      'm=audio 49170 RTP/AVP 0 8 97',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:97 iLBC/8000',
      'm=video 51372 RTP/AVP 31 32',
      'a=rtpmap:31 H261/90000',
      'a=rtpmap:32 MPV/90000',
    );
    const answer = crlf(
      ...BOB,
      'm=audio 49174 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'm=video 49170 RTP/AVP 32',
      'a=rtpmap:32 MPV/90000',
    );
    roundTrips(offer);
    roundTrips(answer);
    expect(negotiated(applyAnswer(sdp(offer), sdp(answer)))).toMatchObject({
      codec: { name: 'PCMU', sendPayloadType: 0 },
      remoteRtp: { address: 'host.biloxi.example.com', port: 49174 },
    });
    const ours = answered(createAnswer(sdp(offer), ILBC_PCMU));
    expect(mLines(ours.answer)).toEqual(['m=audio 49172 RTP/AVP 97 0', 'm=video 0 RTP/AVP 31 32']);
    expect(ours.media.codec).toMatchObject({ name: 'iLBC', sendPayloadType: 97, receivePayloadType: 97 });
  });

  it('§2.2 Audio and Video 2: two codecs accepted, then locked to PCMU with both versions bumped', () => {
    const offer = crlf(
      ...ALICE,
      'm=audio 49170 RTP/AVP 0 8 97',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:97 iLBC/8000',
      'm=video 51372 RTP/AVP 31 32',
      'a=rtpmap:31 H261/90000',
      'a=rtpmap:32 MPV/90000',
    );
    const answer = crlf(
      ...BOB,
      'm=audio 49172 RTP/AVP 0 8',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'm=video 0 RTP/AVP 31',
      'a=rtpmap:31 H261/90000',
    );
    const first = negotiated(applyAnswer(sdp(offer), sdp(answer)));
    expect(first.codecs.map((c) => c.name)).toEqual(['PCMU', 'PCMA']);

    const offer2 = sdp(
      crlf(
        'v=0',
        'o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com',
        's= ',
        'c=IN IP4 host.atlanta.example.com',
        't=0 0',
        'm=audio 51372 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'm=video 0 RTP/AVP 31',
        'a=rtpmap:31 H261/90000',
      ),
    );
    // As Bob: the answer to the second offer keeps Bob's o= and bumps it by one, like the RFC's.
    const bobFirst = answered(
      createAnswer(sdp(offer), {
        ...ILBC_PCMU,
        codecs: [
          { name: 'PCMU', clockRate: 8000, payloadType: 0 },
          { name: 'PCMA', clockRate: 8000, payloadType: 8 },
        ],
      }),
    );
    expect(bobFirst.answer.origin.sessionVersion).toBe('2808844564');
    const bobSecond = answered(
      createAnswer(
        offer2,
        {
          ...ILBC_PCMU,
          codecs: [
            { name: 'PCMU', clockRate: 8000, payloadType: 0 },
            { name: 'PCMA', clockRate: 8000, payloadType: 8 },
          ],
        },
        bobFirst.answer,
      ),
    );
    expect(bobSecond.answer.origin.sessionVersion).toBe('2808844565');
    expect(mLines(bobSecond.answer)).toEqual(['m=audio 49172 RTP/AVP 0', 'm=video 0 RTP/AVP 31']);
    expect(bobSecond.media.remoteRtp).toEqual({ address: 'host.atlanta.example.com', port: 51372 });
  });

  it('§2.3 Audio and Video 3: the answer renumbers iLBC 97 → 99; we send 99 and receive 97', () => {
    const offer = crlf(
      ...ALICE,
      'm=audio 49170 RTP/AVP 0 8 97',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:97 iLBC/8000',
      'm=video 51372 RTP/AVP 31 32',
      'a=rtpmap:31 H261/90000',
      'a=rtpmap:32 MPV/90000',
    );
    const answer = crlf(
      ...BOB,
      'm=audio 49172 RTP/AVP 99',
      'a=rtpmap:99 iLBC/8000',
      'm=video 51374 RTP/AVP 31',
      'a=rtpmap:31 H261/90000',
    );
    expect(negotiated(applyAnswer(sdp(offer), sdp(answer))).codec).toEqual({
      name: 'iLBC',
      clockRate: 8000,
      channels: 1,
      sendPayloadType: 99,
      receivePayloadType: 97,
      remoteParameters: undefined,
    });
  });

  it('§2.4 Two Audio Streams: the first audio stream is ours; the tone-only stream is rejected', () => {
    const offer = crlf(
      ...ALICE,
      'm=audio 49170 RTP/AVP 0 97',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:97 iLBC/8000',
      'm=audio 49172 RTP/AVP 98',
      'a=rtpmap:98 telephone-event/8000',
      'a=sendonly',
    );
    const answer = crlf(
      ...BOB,
      'm=audio 49172 RTP/AVP 97',
      'a=rtpmap:97 iLBC/8000',
      'm=audio 49174 RTP/AVP 98',
      'a=rtpmap:98 telephone-event/8000',
      'a=recvonly',
    );
    roundTrips(offer);
    roundTrips(answer);
    expect(negotiated(applyAnswer(sdp(offer), sdp(answer)))).toMatchObject({
      mediaIndex: 0,
      codec: { name: 'iLBC', sendPayloadType: 97 },
      telephoneEvent: undefined,
      remoteRtp: { port: 49172 },
    });
    expect(mLines(answered(createAnswer(sdp(offer), ILBC_PCMU)).answer)).toEqual([
      'm=audio 49172 RTP/AVP 97 0',
      'm=audio 0 RTP/AVP 98',
    ]);
  });

  it('§2.6 Audio Only 1: with iLBC only, we decline the PCMU stream and accept iLBC with telephone-event', () => {
    const offer = sdp(
      crlf(
        ...ALICE,
        'm=audio 49170 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'm=audio 51372 RTP/AVP 97 101',
        'a=rtpmap:97 iLBC/8000',
        'a=rtpmap:101 telephone-event/8000',
      ),
    );
    const r = answered(
      createAnswer(offer, {
        ...ILBC_PCMU,
        codecs: [{ name: 'iLBC', clockRate: 8000, payloadType: 99 }],
        endpoint: { address: 'host.biloxi.example.com', port: 49170 },
      }),
    );
    // The RFC's answer: "m=audio 0 RTP/AVP 0" and "m=audio 49170 RTP/AVP 97 101".
    expect(mLines(r.answer)).toEqual(['m=audio 0 RTP/AVP 0', 'm=audio 49170 RTP/AVP 97 101']);
    expect(r.media).toMatchObject({
      mediaIndex: 1,
      telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
      remoteRtp: { address: 'host.atlanta.example.com', port: 51372 },
    });
    // The RFC's answer, seen by Alice: the first stream rejected, the second one carries the call.
    const rfcAnswer = sdp(
      crlf(
        ...BOB,
        'm=audio 0 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'm=audio 49170 RTP/AVP 97 101',
        'a=rtpmap:97 iLBC/8000',
        'a=rtpmap:101 telephone-event/8000',
      ),
    );
    expect(negotiated(applyAnswer(offer, rfcAnswer))).toMatchObject({
      mediaIndex: 1,
      codec: { name: 'iLBC', sendPayloadType: 97 },
      telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101 },
      remoteRtp: { address: 'host.biloxi.example.com', port: 49170 },
    });
  });

  it('§3.1 Hold and Unhold 1: Bob answers sendonly (hold), re-offers sendrecv; Alice’s answer bumps her version', () => {
    const offer = sdp(
      crlf(...ALICE, 'm=audio 49170 RTP/AVP 0 97', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:97 iLBC/8000'),
    );
    const answer = sdp(
      crlf(
        'v=0',
        'o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com',
        's= ',
        'c=IN IP4 placeholder.biloxi.example.com',
        't=0 0',
        'm=audio 49172 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
        'a=sendonly',
      ),
    );
    expect(negotiated(applyAnswer(offer, answer))).toMatchObject({
      codec: { name: 'iLBC' },
      direction: 'recvonly',
      send: false,
      receive: true,
      remoteHold: true,
      remoteRtp: { address: 'placeholder.biloxi.example.com', port: 49172 },
    });
    const secondOffer = sdp(
      crlf(
        'v=0',
        'o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com',
        's= ',
        'c=IN IP4 host.biloxi.example.com',
        't=0 0',
        'm=audio 49170 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
      ),
    );
    const alice: LocalMediaConfig = {
      ...ILBC_PCMU,
      endpoint: { address: 'host.atlanta.example.com', port: 49178 },
      origin: { username: 'alice', sessionId: '2890844526' },
    };
    const r = answered(createAnswer(secondOffer, alice, offer));
    // The RFC's second answer: "o=alice 2890844526 2890844527 …".
    expect(r.answer.origin).toEqual({ ...offer.origin, sessionVersion: '2890844527' });
    expect(mLines(r.answer)).toEqual(['m=audio 49178 RTP/AVP 97']);
    expect(r.media).toMatchObject({
      direction: 'sendrecv',
      remoteHold: false,
      remoteRtp: { address: 'host.biloxi.example.com', port: 49170 },
    });
  });

  it('§3.2 Hold with Two Streams: Bob holds the audio stream (sendonly) → we answer recvonly', () => {
    const secondOffer = sdp(
      crlf(
        'v=0',
        'o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com',
        's= ',
        'c=IN IP4 host.biloxi.example.com',
        't=0 0',
        'm=audio 49172 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
        'a=sendonly',
        'm=audio 49174 RTP/AVP 98',
        'a=rtpmap:98 telephone-event/8000',
        'a=recvonly',
      ),
    );
    const r = answered(
      createAnswer(secondOffer, {
        ...ILBC_PCMU,
        endpoint: { address: 'host.atlanta.example.com', port: 49170 },
      }),
    );
    expect(r.answer.media[0]?.attributes).toContainEqual({ name: 'recvonly' });
    expect(r.media).toMatchObject({ direction: 'recvonly', remoteHold: true });
  });

  it('§4.1 Second Audio Stream Added: a media-level c= for the media server is read', () => {
    const secondOffer = sdp(
      crlf(
        'v=0',
        'o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com',
        's= ',
        'c=IN IP4 host.biloxi.example.com',
        't=0 0',
        'm=audio 49170 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
        'm=audio 48282 RTP/AVP 98',
        'c=IN IP4 mediaserver.biloxi.example.com',
        'a=rtpmap:98 telephone-event/8000',
        'a=recvonly',
      ),
    );
    expect(secondOffer.media[1]?.connections[0]?.address).toBe('mediaserver.biloxi.example.com');
    const r = answered(
      createAnswer(secondOffer, {
        ...ILBC_PCMU,
        endpoint: { address: 'host.atlanta.example.com', port: 49170 },
      }),
    );
    expect(mLines(r.answer)).toEqual(['m=audio 49170 RTP/AVP 97', 'm=audio 0 RTP/AVP 98']);
  });

  it('§5.2 Hold and Unhold 2: an offer with c=0.0.0.0 ("black holed") is a hold; the next one resumes', () => {
    const offer = sdp(
      crlf(
        'v=0',
        'o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com',
        's= ',
        'c=IN IP4 0.0.0.0',
        't=0 0',
        'm=audio 23442 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
      ),
    );
    const first = answered(
      createAnswer(offer, { ...ILBC_PCMU, endpoint: { address: 'host.biloxi.example.com', port: 49170 } }),
    );
    expect(first.media).toMatchObject({ direction: 'recvonly', send: false, remoteHold: true });
    const secondOffer = sdp(
      crlf(
        ...ALICE.slice(0, 1),
        'o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com',
        ...ALICE.slice(2),
        'm=audio 49170 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
      ),
    );
    const second = answered(
      createAnswer(
        secondOffer,
        { ...ILBC_PCMU, endpoint: { address: 'host.biloxi.example.com', port: 49170 } },
        first.answer,
      ),
    );
    expect(second.media).toMatchObject({ direction: 'sendrecv', send: true, remoteHold: false });
    expect(second.answer.origin.sessionVersion).toBe('2808844565');
  });

  it('§5.3 Hold and Unhold 3: an answer with c=0.0.0.0 means we must not send', () => {
    const offer = sdp(crlf(...ALICE, 'm=audio 49170 RTP/AVP 97', 'a=rtpmap:97 iLBC/8000'));
    const answer = sdp(
      crlf(
        'v=0',
        'o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com',
        's= ',
        'c=IN IP4 0.0.0.0',
        't=0 0',
        'm=audio 9322 RTP/AVP 97',
        'a=rtpmap:97 iLBC/8000',
      ),
    );
    expect(negotiated(applyAnswer(offer, answer))).toMatchObject({
      send: false,
      receive: true,
      remoteHold: true,
      direction: 'recvonly',
    });
  });
});
