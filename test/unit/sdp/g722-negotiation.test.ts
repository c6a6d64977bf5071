/**
 * G.722 in offer/answer: static payload type 9 with the RTP clock rate RFC 3551 §4.5.2 fixes at 8000
 * (`a=rtpmap:9 G722/8000`, for 16 kHz audio), chosen when both sides have it and our preference order
 * puts it first (RFC 3264 §6.1: the answerer may order by its own preference, which we do).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TELEPHONE_EVENT,
  applyAnswer,
  buildSdp,
  createAnswer,
  createOffer,
} from '../../../src-main/sdp/index.ts';
import type {
  CreateAnswerResult,
  LocalCodec,
  LocalMediaConfig,
  NegotiatedMedia,
  NegotiationResult,
  SessionDescription,
} from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

const G722: LocalCodec = { name: 'G722', clockRate: 8000, payloadType: 9 };
const PCMU: LocalCodec = { name: 'PCMU', clockRate: 8000, payloadType: 0 };
const PCMA: LocalCodec = { name: 'PCMA', clockRate: 8000, payloadType: 8 };

function config(codecs: readonly LocalCodec[]): LocalMediaConfig {
  return {
    endpoint: { address: '192.0.2.10', port: 40000 },
    codecs,
    telephoneEvent: DEFAULT_TELEPHONE_EVENT,
    origin: { sessionId: '3724394400' },
  };
}

function answered(r: CreateAnswerResult): { answer: SessionDescription; media: NegotiatedMedia } {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r;
}

function negotiated(r: NegotiationResult): NegotiatedMedia {
  if (!r.ok) expect.fail(`${r.failure.reason}: ${r.failure.detail}`);
  return r.media;
}

function peerOffer(mLine: string, ...rest: string[]): SessionDescription {
  return sdp(
    crlf('v=0', 'o=pbx 7 7 IN IP4 198.51.100.5', 's=-', 'c=IN IP4 198.51.100.5', 't=0 0', mLine, ...rest),
  );
}

describe('G.722 in offer/answer', () => {
  it('is offered first at payload type 9 as G722/8000 when our order puts it first', () => {
    const text = buildSdp(createOffer(config([G722, PCMU, PCMA])));
    expect(text).toContain(
      crlf('m=audio 40000 RTP/AVP 9 0 8 101', 'a=rtpmap:9 G722/8000', 'a=rtpmap:0 PCMU/8000'),
    );
    expect(text).toContain('a=rtpmap:101 telephone-event/8000\r\n');
    expect(text).not.toContain('G722/16000');
  });

  it('answering a PBX that lists G.722 last: our order wins and G.722 is chosen', () => {
    const offer = peerOffer(
      'm=audio 5004 RTP/AVP 0 8 9 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
    );
    const { answer, media } = answered(createAnswer(offer, config([G722, PCMU, PCMA])));
    expect(media.codec).toMatchObject({
      name: 'G722',
      clockRate: 8000,
      sendPayloadType: 9,
      receivePayloadType: 9,
    });
    expect(media.codecs.map((c) => c.name)).toEqual(['G722', 'PCMU', 'PCMA']);
    expect(media.telephoneEvent).toMatchObject({ clockRate: 8000, sendPayloadType: 101 });
    expect(buildSdp(answer)).toContain(crlf('m=audio 40000 RTP/AVP 9 0 8 101', 'a=rtpmap:9 G722/8000'));
  });

  it('recognises payload type 9 without an rtpmap (RFC 3551 Table 4: static)', () => {
    const offer = peerOffer('m=audio 5004 RTP/AVP 9 0');
    const { media } = answered(createAnswer(offer, config([G722, PCMU])));
    expect(media.codec).toMatchObject({ name: 'G722', clockRate: 8000, sendPayloadType: 9 });
  });

  it('follows our order when it puts G.711 first, although both sides have G.722', () => {
    const offer = peerOffer('m=audio 5004 RTP/AVP 9 0', 'a=rtpmap:9 G722/8000', 'a=rtpmap:0 PCMU/8000');
    expect(answered(createAnswer(offer, config([PCMU, G722]))).media.codec.name).toBe('PCMU');
  });

  it('takes G.722 from an answer to our offer', () => {
    const offer = createOffer(config([G722, PCMU, PCMA]));
    const answer = peerOffer(
      'm=audio 6000 RTP/AVP 9 101',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:101 telephone-event/8000',
    );
    const media = negotiated(applyAnswer(offer, answer));
    expect(media.codec).toMatchObject({ name: 'G722', clockRate: 8000, sendPayloadType: 9 });
    expect(media.telephoneEvent?.clockRate).toBe(8000);
  });

  it('does not take "G722/16000" (the sampling rate where RFC 3551 wants 8000) for G.722: G.711 instead', () => {
    const offer = peerOffer('m=audio 5004 RTP/AVP 96 0', 'a=rtpmap:96 G722/16000', 'a=rtpmap:0 PCMU/8000');
    expect(answered(createAnswer(offer, config([G722, PCMU]))).media.codec.name).toBe('PCMU');
  });

  it('a peer with G.722 only and us with G.711 only: no codec in common', () => {
    const offer = peerOffer('m=audio 5004 RTP/AVP 9', 'a=rtpmap:9 G722/8000');
    const result = createAnswer(offer, config([PCMU, PCMA]));
    expect(result.ok).toBe(false);
  });
});
