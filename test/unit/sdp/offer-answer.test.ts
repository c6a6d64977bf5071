import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIO_CODECS,
  DEFAULT_TELEPHONE_EVENT,
  OfferAnswer,
  createAnswer,
  createOffer,
  holdOffer,
} from '../../../src-main/sdp/index.ts';
import type {
  LocalMediaConfig,
  OfferAnswerTransition,
  SessionDescription,
} from '../../../src-main/sdp/index.ts';
import { crlf, sdp } from './helpers.ts';

const CONFIG: LocalMediaConfig = {
  endpoint: { address: '192.0.2.10', port: 40000 },
  codecs: DEFAULT_AUDIO_CODECS,
  telephoneEvent: DEFAULT_TELEPHONE_EVENT,
  origin: { sessionId: '100' },
};

const peer = (version: number, ...media: string[]): SessionDescription =>
  sdp(
    crlf('v=0', `o=peer 9 ${version} IN IP4 198.51.100.5`, 's=-', 'c=IN IP4 198.51.100.5', 't=0 0', ...media),
  );

function watch(oa: OfferAnswer): { log: string[]; dispose(): void } {
  const log: string[] = [];
  const sub = oa.onTransition((t: OfferAnswerTransition) => log.push(`${t.from} → ${t.to} (${t.cause})`));
  return { log, dispose: () => sub.dispose() };
}

describe('OfferAnswer', () => {
  it('runs an outgoing call, a remote re-offer and our hold re-offer, logging every move', () => {
    const oa = new OfferAnswer();
    const w = watch(oa);
    expect(oa.state).toBe('stable');

    const offer = createOffer(CONFIG, oa.lastLocalDescription);
    oa.setLocalOffer(offer);
    expect(oa.state).toBe('local-offer');
    expect(oa.pendingLocalOffer).toBe(offer);
    const result = oa.setRemoteAnswer(
      peer(1, 'm=audio 6000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=rtcp-mux'),
    );
    expect(result.ok).toBe(true);
    expect(oa.negotiated).toMatchObject({
      codec: { name: 'PCMA' },
      rtcpMux: true,
      remoteRtp: { port: 6000 },
    });
    expect(oa.localDescription).toBe(offer);
    expect(oa.pendingLocalOffer).toBeUndefined();

    // The peer holds us (sendonly); our answer follows the version rule from our offer (100 → 101).
    oa.setRemoteOffer(
      peer(2, 'm=audio 6000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendonly'),
    );
    expect(oa.state).toBe('remote-offer');
    const a = createAnswer(oa.pendingRemoteOffer as SessionDescription, CONFIG, oa.lastLocalDescription);
    if (!a.ok) return expect.fail(a.failure.reason);
    expect(a.answer.origin.sessionVersion).toBe('101');
    const answered = oa.setLocalAnswer(a.answer);
    expect(answered.ok && answered.media).toEqual(a.media);
    expect(oa.negotiated).toMatchObject({ remoteHold: true, send: false, receive: true });

    // We hold in turn: 101 → 102.
    const hold = holdOffer(oa.lastLocalDescription as SessionDescription, 'inactive');
    expect(hold.origin.sessionVersion).toBe('102');
    oa.setLocalOffer(hold);
    oa.setRemoteAnswer(peer(3, 'm=audio 6000 RTP/AVP 8', 'a=inactive'));
    expect(oa.negotiated).toMatchObject({ direction: 'inactive', remoteHold: false });

    expect(w.log).toEqual([
      'stable → local-offer (local offer sent)',
      'local-offer → stable (remote answer applied)',
      'stable → remote-offer (remote offer received)',
      'remote-offer → stable (local answer sent)',
      'stable → local-offer (local offer sent)',
      'local-offer → stable (remote answer applied)',
    ]);
    w.dispose();
    oa.dispose();
  });

  it('throws on illegal moves (RFC 3264 §4)', () => {
    const oa = new OfferAnswer();
    const offer = createOffer(CONFIG);
    const remote = peer(1, 'm=audio 6000 RTP/AVP 0');
    expect(() => oa.setRemoteAnswer(remote)).toThrow(
      'offer/answer: setRemoteAnswer is illegal in state stable (needs local-offer)',
    );
    expect(() => oa.setLocalAnswer(remote)).toThrow(
      'offer/answer: setLocalAnswer is illegal in state stable (needs remote-offer)',
    );
    expect(() => oa.rollback('x')).toThrow('offer/answer: rollback is illegal in state stable');

    oa.setLocalOffer(offer);
    // Glare: no second offer either way while ours is pending.
    expect(() => oa.setLocalOffer(offer)).toThrow(
      'offer/answer: setLocalOffer is illegal in state local-offer (needs stable)',
    );
    expect(() => oa.setRemoteOffer(remote)).toThrow(
      'offer/answer: setRemoteOffer is illegal in state local-offer (needs stable)',
    );
    oa.rollback('491 Request Pending');

    oa.setRemoteOffer(remote);
    expect(() => oa.setLocalOffer(offer)).toThrow(
      'offer/answer: setLocalOffer is illegal in state remote-offer (needs stable)',
    );
    expect(() => oa.setRemoteAnswer(remote)).toThrow(
      'offer/answer: setRemoteAnswer is illegal in state remote-offer (needs local-offer)',
    );

    oa.close();
    expect(oa.state).toBe('closed');
    expect(() => oa.setRemoteOffer(remote)).toThrow(
      'offer/answer: setRemoteOffer is illegal in state closed (needs stable)',
    );
    expect(() => oa.rollback('late')).toThrow('offer/answer: rollback is illegal in state closed');
    oa.dispose();
  });

  it('glare: after a 491 rollback the retried offer bumps from the refused one, never reusing its version', () => {
    const oa = new OfferAnswer();
    const w = watch(oa);
    oa.setLocalOffer(createOffer(CONFIG));
    oa.setRemoteAnswer(peer(1, 'm=audio 6000 RTP/AVP 0'));

    const hold = holdOffer(oa.lastLocalDescription as SessionDescription, 'sendonly');
    expect(hold.origin.sessionVersion).toBe('101');
    oa.setLocalOffer(hold);
    oa.rollback('491 Request Pending');
    expect(oa.state).toBe('stable');
    expect(oa.localDescription?.origin.sessionVersion).toBe('100');
    expect(oa.lastLocalDescription).toBe(hold);

    // The peer's offer won the race; we answer it (still sendrecv) — different content from 101 → 102.
    oa.setRemoteOffer(peer(2, 'm=audio 6000 RTP/AVP 0'));
    const a = createAnswer(oa.pendingRemoteOffer as SessionDescription, CONFIG, oa.lastLocalDescription);
    if (!a.ok) return expect.fail(a.failure.reason);
    expect(a.answer.origin.sessionVersion).toBe('102');
    oa.setLocalAnswer(a.answer);

    // Our retried hold: 103, one above the last description the peer saw from us.
    const retry = holdOffer(oa.lastLocalDescription as SessionDescription, 'sendonly');
    expect(retry.origin.sessionVersion).toBe('103');
    oa.setLocalOffer(retry);
    expect(w.log).toContain('local-offer → stable (rollback: 491 Request Pending)');
    w.dispose();
    oa.dispose();
  });

  it('an identical retry after a rollback keeps the refused offer’s version', () => {
    const oa = new OfferAnswer();
    oa.setLocalOffer(createOffer(CONFIG));
    oa.setRemoteAnswer(peer(1, 'm=audio 6000 RTP/AVP 0'));
    const hold = holdOffer(oa.lastLocalDescription as SessionDescription, 'sendonly');
    oa.setLocalOffer(hold);
    oa.rollback('408 Request Timeout');
    const retry = holdOffer(oa.lastLocalDescription as SessionDescription, 'sendonly');
    expect(retry.origin.sessionVersion).toBe('101');
    expect(() => oa.setLocalOffer(retry)).not.toThrow();
    oa.dispose();
  });

  it('rejects our own descriptions that break RFC 3264 §8', () => {
    const oa = new OfferAnswer();
    const first = createOffer(CONFIG);
    oa.setLocalOffer(first);
    oa.setRemoteAnswer(peer(1, 'm=audio 6000 RTP/AVP 0'));

    const changedSameVersion = { ...createOffer({ ...CONFIG, direction: 'inactive' }), origin: first.origin };
    expect(() => oa.setLocalOffer(changedSameVersion)).toThrow(
      'offer/answer: version 100 reused for different content (RFC 3264 §8)',
    );
    const skipped = { ...first, origin: { ...first.origin, sessionVersion: '102' } };
    expect(() => oa.setLocalOffer(skipped)).toThrow(
      'offer/answer: version went from 100 to 102, not up by one (RFC 3264 §8)',
    );
    const otherSession = createOffer({ ...CONFIG, origin: { sessionId: '555' } });
    expect(() => oa.setLocalOffer(otherSession)).toThrow(
      'offer/answer: the o= line changed within the session (RFC 3264 §8)',
    );
    const fewer = { ...first, origin: { ...first.origin, sessionVersion: '101' }, media: [] };
    expect(() => oa.setLocalOffer(fewer)).toThrow(
      'offer/answer: a re-offer has 0 m-lines, fewer than the 1 before',
    );
    expect(oa.state).toBe('stable');
    oa.dispose();
  });

  it('checks that our answer has one m-line per offered one', () => {
    const oa = new OfferAnswer();
    oa.setRemoteOffer(peer(1, 'm=audio 6000 RTP/AVP 0', 'm=video 7000 RTP/AVP 31'));
    expect(() => oa.setLocalAnswer(createOffer(CONFIG))).toThrow(
      'offer/answer: the answer has 1 m-lines, the offer 2',
    );
    oa.dispose();
  });

  it('an unusable remote answer still completes the exchange and clears the negotiated media', () => {
    const oa = new OfferAnswer();
    oa.setLocalOffer(createOffer(CONFIG));
    oa.setRemoteAnswer(peer(1, 'm=audio 6000 RTP/AVP 0'));
    expect(oa.negotiated).toBeDefined();
    oa.setLocalOffer(createOffer({ ...CONFIG, direction: 'sendonly' }, oa.lastLocalDescription));
    const w = watch(oa);
    const r = oa.setRemoteAnswer(peer(2, 'm=audio 0 RTP/AVP 0'));
    expect(r).toMatchObject({ ok: false, failure: { reason: 'media-rejected', status: 488 } });
    expect(oa.state).toBe('stable');
    expect(oa.negotiated).toBeUndefined();
    expect(w.log).toEqual(['local-offer → stable (remote answer unusable: media-rejected)']);
    w.dispose();
    oa.dispose();
  });

  it('our answer rejecting every stream yields no negotiated media', () => {
    const oa = new OfferAnswer();
    const offer = peer(1, 'm=video 7000 RTP/AVP 31');
    oa.setRemoteOffer(offer);
    const rejectAll = {
      ...createOffer(CONFIG),
      media: [{ ...offer.media[0], port: 0 } as SessionDescription['media'][0]],
    };
    expect(oa.setLocalAnswer(rejectAll)).toMatchObject({ ok: false, failure: { reason: 'no-audio' } });
    expect(oa.negotiated).toBeUndefined();
    oa.dispose();
  });

  it('leaves no listener behind after dispose', () => {
    const oa = new OfferAnswer();
    const seen: string[] = [];
    oa.onTransition((t) => seen.push(t.to));
    oa.onTransition((t) => seen.push(t.to));
    oa.dispose();
    expect(seen).toEqual(['closed', 'closed']);
    expect((oa as unknown as { transitions: { listenerCount: number } }).transitions.listenerCount).toBe(0);
    expect(oa.state).toBe('closed');
  });
});
