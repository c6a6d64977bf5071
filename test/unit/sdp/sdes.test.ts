/**
 * SDES-SRTP in offer/answer (RFC 4568 with RFC 3264): the matrix of our policy (off / optional /
 * required) against offers (RTP/AVP or RTP/SAVP, with or without a=crypto) and against answers to our
 * offers; suite choice; crypto lines we skip; keys mirrored between the two ends; re-offers.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIO_CODECS,
  applyAnswer,
  buildSdp,
  createAnswer,
  createOffer,
  cryptoAttributes,
  formatInlineKey,
  holdOffer,
  readInlineKey,
  usableCrypto,
} from '../../../src-main/sdp/index.ts';
import type {
  CreateAnswerResult,
  LocalMediaConfig,
  SdesConfig,
  SessionDescription,
  SrtpPolicy,
} from '../../../src-main/sdp/index.ts';
import { crlf, fixture, sdp } from './helpers.ts';

const KEY_80 = Uint8Array.from({ length: 30 }, (_, i) => i);
const KEY_32 = Uint8Array.from({ length: 30 }, (_, i) => 100 + i);
const PEER_KEY = Uint8Array.from({ length: 30 }, (_, i) => 200 + i);
const PEER_INLINE = formatInlineKey(PEER_KEY);

function sdes(policy: SrtpPolicy): SdesConfig {
  return {
    policy,
    keys: [
      { suite: 'AES_CM_128_HMAC_SHA1_80', key: KEY_80 },
      { suite: 'AES_CM_128_HMAC_SHA1_32', key: KEY_32 },
    ],
  };
}

function config(policy: SrtpPolicy | 'off'): LocalMediaConfig {
  return {
    endpoint: { address: '192.0.2.10', port: 40_000 },
    codecs: DEFAULT_AUDIO_CODECS,
    origin: { sessionId: '4242' },
    ...(policy !== 'off' && { srtp: sdes(policy) }),
  };
}

/** A peer's offer: one audio stream over `protocol` with these a=crypto values. */
function offer(protocol: string, crypto: readonly string[]): SessionDescription {
  return sdp(
    crlf(
      'v=0',
      'o=peer 1 1 IN IP4 198.51.100.7',
      's=-',
      'c=IN IP4 198.51.100.7',
      't=0 0',
      `m=audio 30000 ${protocol} 0 8`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=sendrecv',
      ...crypto.map((c) => `a=crypto:${c}`),
    ),
  );
}

/** The peer's answer to our offer `ours`, over `protocol` with these a=crypto values. */
function answer(protocol: string, crypto: readonly string[]): SessionDescription {
  return sdp(
    crlf(
      'v=0',
      'o=peer 2 2 IN IP4 198.51.100.7',
      's=-',
      'c=IN IP4 198.51.100.7',
      't=0 0',
      `m=audio 30000 ${protocol} 0`,
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
      ...crypto.map((c) => `a=crypto:${c}`),
    ),
  );
}

const WITH_CRYPTO = [`1 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`];

/** What a createAnswer result amounts to: `plain m-line`, `srtp <suite> m-line`, or `488 <reason>`. */
function outcome(r: CreateAnswerResult): string {
  if (!r.ok) return `488 ${r.failure.reason}`;
  const m = r.answer.media[0]!;
  const head = `m=audio ${m.port} ${m.protocol}`;
  return r.media.srtp === undefined ? `plain ${head}` : `srtp ${r.media.srtp.suite} ${head}`;
}

describe('answering: our policy × the offer', () => {
  const offers = {
    'RTP/AVP': offer('RTP/AVP', []),
    'RTP/AVP + crypto': offer('RTP/AVP', WITH_CRYPTO),
    'RTP/SAVP + crypto': offer('RTP/SAVP', WITH_CRYPTO),
    'RTP/SAVP': offer('RTP/SAVP', []),
  };
  const expected: Record<'off' | SrtpPolicy, Record<keyof typeof offers, string>> = {
    off: {
      'RTP/AVP': 'plain m=audio 40000 RTP/AVP',
      'RTP/AVP + crypto': 'plain m=audio 40000 RTP/AVP',
      'RTP/SAVP + crypto': '488 no-audio',
      'RTP/SAVP': '488 no-audio',
    },
    optional: {
      'RTP/AVP': 'plain m=audio 40000 RTP/AVP',
      'RTP/AVP + crypto': 'srtp AES_CM_128_HMAC_SHA1_80 m=audio 40000 RTP/AVP',
      'RTP/SAVP + crypto': 'srtp AES_CM_128_HMAC_SHA1_80 m=audio 40000 RTP/SAVP',
      'RTP/SAVP': '488 no-common-crypto',
    },
    required: {
      'RTP/AVP': '488 no-common-crypto',
      'RTP/AVP + crypto': 'srtp AES_CM_128_HMAC_SHA1_80 m=audio 40000 RTP/AVP',
      'RTP/SAVP + crypto': 'srtp AES_CM_128_HMAC_SHA1_80 m=audio 40000 RTP/SAVP',
      'RTP/SAVP': '488 no-common-crypto',
    },
  };
  for (const policy of ['off', 'optional', 'required'] as const) {
    for (const [name, remote] of Object.entries(offers) as [keyof typeof offers, SessionDescription][]) {
      it(`${policy} × ${name} → ${expected[policy][name]}`, () => {
        expect(outcome(createAnswer(remote, config(policy)))).toBe(expected[policy][name]);
      });
    }
  }

  it('answers with the offer\u2019s tag and suite and our own key; the negotiation holds both keys', () => {
    const r = createAnswer(
      offer('RTP/SAVP', [`7 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`]),
      config('optional'),
    );
    if (!r.ok) expect.fail(r.failure.detail);
    expect(cryptoAttributes(r.answer.media[0]!)).toEqual([
      {
        tag: 7,
        suite: 'AES_CM_128_HMAC_SHA1_80',
        keyParams: formatInlineKey(KEY_80),
        sessionParams: [],
      },
    ]);
    expect(r.media.srtp).toEqual({
      suite: 'AES_CM_128_HMAC_SHA1_80',
      tag: 7,
      localKey: KEY_80,
      remoteKey: PEER_KEY,
    });
  });

  it('refusals say why', () => {
    const r = createAnswer(offer('RTP/AVP', []), config('required'));
    expect(r).toEqual({
      ok: false,
      failure: {
        reason: 'no-common-crypto',
        status: 488,
        detail: 'SRTP is required and the offer has no a=crypto we can use',
      },
    });
    const savp = createAnswer(
      offer('RTP/SAVP', ['1 F8_128_HMAC_SHA1_80 ' + PEER_INLINE]),
      config('optional'),
    );
    expect(savp.ok ? '' : savp.failure.detail).toBe(
      "the offer's a=crypto lines name no suite and key we can use (RFC 4568 \u00a77.1.2)",
    );
  });

  it('FreeSWITCH\u2019s two-stream optional offer: the RTP/SAVP stream is taken with SRTP, the other rejected', () => {
    const remote = sdp(fixture('freeswitch-srtp-optional-offer.sdp'));
    const r = createAnswer(remote, config('optional'));
    if (!r.ok) expect.fail(r.failure.detail);
    const text = buildSdp(r.answer);
    expect(text).toContain('m=audio 40000 RTP/SAVP 0 8\r\n');
    expect(text).toContain('m=audio 0 RTP/AVP 0 8 101\r\n');
    expect(r.media).toMatchObject({ mediaIndex: 0, srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', tag: 1 } });
    // Without SRTP the same offer gets the plain second stream (as before).
    const plain = createAnswer(remote, config('off'));
    expect(plain.ok && plain.media).toMatchObject({ mediaIndex: 1, srtp: undefined });
  });
});

describe('suite choice (AES_CM_128_HMAC_SHA1_80 preferred, _32 accepted)', () => {
  const chosen = (lines: string[]): string => {
    const r = createAnswer(offer('RTP/SAVP', lines), config('optional'));
    return r.ok ? `${r.media.srtp?.tag} ${r.media.srtp?.suite}` : r.failure.reason;
  };

  it('takes _32 when that is all, _80 over _32 whatever the order, and skips suites we lack', () => {
    expect(chosen([`1 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`])).toBe('1 AES_CM_128_HMAC_SHA1_32');
    expect(
      chosen([`1 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`, `2 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`]),
    ).toBe('2 AES_CM_128_HMAC_SHA1_80');
    expect(
      chosen([`1 AEAD_AES_256_GCM inline:${'A'.repeat(60)}`, `2 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`]),
    ).toBe('2 AES_CM_128_HMAC_SHA1_32');
  });

  it('answers _32 with our _32 key', () => {
    const r = createAnswer(
      offer('RTP/SAVP', [`3 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`]),
      config('optional'),
    );
    expect(r.ok && r.media.srtp).toEqual({
      suite: 'AES_CM_128_HMAC_SHA1_32',
      tag: 3,
      localKey: KEY_32,
      remoteKey: PEER_KEY,
    });
  });

  it('skips lines it cannot run: MKI, several keys, short lifetime, transform-changing session parameters, wrong key size', () => {
    const skipped = [
      `1 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}|2^31|1:4`,
      `2 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE};${PEER_INLINE}`,
      `3 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}|2^20`,
      `4 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE} UNENCRYPTED_SRTP`,
      `5 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE} KDR=23`,
      `6 AES_CM_128_HMAC_SHA1_80 inline:${formatInlineKey(new Uint8Array(24)).slice(7)}`,
    ];
    for (const line of skipped) expect(chosen([line])).toBe('no-common-crypto');
    // What it takes: a long lifetime (both notations), WSH, and parameters marked ignorable with "-".
    expect(chosen([`8 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}|2^31 WSH=64 -FOO=1`])).toBe(
      '8 AES_CM_128_HMAC_SHA1_80',
    );
    expect(chosen([...skipped, `9 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}|2147483648`])).toBe(
      '9 AES_CM_128_HMAC_SHA1_80',
    );
  });
});

describe('offering: our policy × the answer', () => {
  it('offers RTP/AVP + a=crypto (optional), RTP/SAVP + a=crypto (required), plain RTP/AVP (off)', () => {
    const lines = (policy: SrtpPolicy | 'off'): string[] =>
      buildSdp(createOffer(config(policy)))
        .split('\r\n')
        .filter((l) => l.startsWith('m=') || l.startsWith('a=crypto'));
    expect(lines('off')).toEqual(['m=audio 40000 RTP/AVP 0 8']);
    const crypto = [
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${formatInlineKey(KEY_80)}`,
      `a=crypto:2 AES_CM_128_HMAC_SHA1_32 ${formatInlineKey(KEY_32)}`,
    ];
    expect(lines('optional')).toEqual(['m=audio 40000 RTP/AVP 0 8', ...crypto]);
    expect(lines('required')).toEqual(['m=audio 40000 RTP/SAVP 0 8', ...crypto]);
  });

  const answers: Record<string, SessionDescription> = {
    'RTP/AVP': answer('RTP/AVP', []),
    'RTP/AVP + tag 1': answer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`]),
    'RTP/SAVP + tag 2': answer('RTP/SAVP', [`2 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`]),
    'RTP/SAVP': answer('RTP/SAVP', []),
    'tag 3 (never offered)': answer('RTP/AVP', [`3 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`]),
    'tag 1 with the other suite': answer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`]),
    'two crypto lines': answer('RTP/AVP', [
      `1 AES_CM_128_HMAC_SHA1_80 ${PEER_INLINE}`,
      `2 AES_CM_128_HMAC_SHA1_32 ${PEER_INLINE}`,
    ]),
  };
  const expected: Record<'optional' | 'required', Record<string, string>> = {
    optional: {
      'RTP/AVP': 'plain',
      'RTP/AVP + tag 1': 'srtp AES_CM_128_HMAC_SHA1_80',
      'RTP/SAVP + tag 2': 'srtp AES_CM_128_HMAC_SHA1_32',
      'RTP/SAVP': 'no-common-crypto',
      'tag 3 (never offered)': 'no-common-crypto',
      'tag 1 with the other suite': 'no-common-crypto',
      'two crypto lines': 'no-common-crypto',
    },
    required: {
      'RTP/AVP': 'no-common-crypto',
      'RTP/AVP + tag 1': 'srtp AES_CM_128_HMAC_SHA1_80',
      'RTP/SAVP + tag 2': 'srtp AES_CM_128_HMAC_SHA1_32',
      'RTP/SAVP': 'no-common-crypto',
      'tag 3 (never offered)': 'no-common-crypto',
      'tag 1 with the other suite': 'no-common-crypto',
      'two crypto lines': 'no-common-crypto',
    },
  };
  for (const policy of ['optional', 'required'] as const) {
    for (const [name, remote] of Object.entries(answers)) {
      it(`${policy} offer, answer ${name} → ${expected[policy][name]}`, () => {
        const r = applyAnswer(createOffer(config(policy)), remote);
        const got = r.ok ? (r.media.srtp ? `srtp ${r.media.srtp.suite}` : 'plain') : r.failure.reason;
        expect(got).toBe(expected[policy][name]);
      });
    }
  }

  it('an answer with crypto to our plain offer fails (we could not read its media)', () => {
    const r = applyAnswer(createOffer(config('off')), answer('RTP/AVP', WITH_CRYPTO));
    expect(r.ok ? 'ok' : r.failure.reason).toBe('no-common-crypto');
  });
});

describe('both ends ours', () => {
  it('the keys mirror: the offerer sends under what the answerer receives under, and back', () => {
    const peerConfig: LocalMediaConfig = {
      ...config('optional'),
      endpoint: { address: '192.0.2.20', port: 50_000 },
      srtp: { policy: 'required', keys: [{ suite: 'AES_CM_128_HMAC_SHA1_80', key: PEER_KEY }] },
    };
    const ours = createOffer(config('optional'));
    const theirs = createAnswer(ours, peerConfig);
    if (!theirs.ok) expect.fail(theirs.failure.detail);
    const applied = applyAnswer(ours, theirs.answer);
    if (!applied.ok) expect.fail(applied.failure.detail);
    expect(applied.media.srtp).toEqual({
      suite: 'AES_CM_128_HMAC_SHA1_80',
      tag: 1,
      localKey: KEY_80,
      remoteKey: PEER_KEY,
    });
    expect(theirs.media.srtp).toEqual({ ...applied.media.srtp, localKey: PEER_KEY, remoteKey: KEY_80 });
  });
});

describe('re-offers', () => {
  it('a hold re-offer keeps the crypto line (same context, RFC 4568 \u00a77.1.4); an unchanged re-offer keeps the version', () => {
    const first = createOffer(config('required'));
    const hold = holdOffer(first, 'sendonly');
    expect(cryptoAttributes(hold.media[0]!)).toEqual(cryptoAttributes(first.media[0]!));
    expect(hold.origin.sessionVersion).toBe('4243');
    const again = createOffer(config('required'), first);
    expect(buildSdp(again)).toBe(buildSdp(first));
  });

  it('required SRTP never re-offers RTP/AVP, even for a stream that began as the peer\u2019s RTP/AVP + crypto', () => {
    const answered = createAnswer(offer('RTP/AVP', WITH_CRYPTO), config('required'));
    if (!answered.ok) expect.fail(answered.failure.detail);
    expect(answered.answer.media[0]!.protocol).toBe('RTP/AVP');
    expect(createOffer(config('required'), answered.answer).media[0]!.protocol).toBe('RTP/SAVP');
    expect(createOffer(config('optional'), answered.answer).media[0]!.protocol).toBe('RTP/AVP');
  });

  it('the peer\u2019s re-offer with a new key re-keys what we receive; our key stays', () => {
    const first = createAnswer(offer('RTP/AVP', WITH_CRYPTO), config('optional'));
    if (!first.ok) expect.fail(first.failure.detail);
    const newKey = Uint8Array.from({ length: 30 }, () => 9);
    const reoffer = offer('RTP/AVP', [`1 AES_CM_128_HMAC_SHA1_80 ${formatInlineKey(newKey)}`]);
    const second = createAnswer(reoffer, config('optional'), first.answer);
    expect(second.ok && second.media.srtp).toEqual({
      suite: 'AES_CM_128_HMAC_SHA1_80',
      tag: 1,
      localKey: KEY_80,
      remoteKey: newKey,
    });
    // Our answer did not change: same o= version (RFC 3264 §8).
    expect(second.ok && second.answer.origin.sessionVersion).toBe(first.answer.origin.sessionVersion);
  });
});

describe('inline key parameters (RFC 4568 \u00a79.2)', () => {
  it('reads key||salt, both lifetime notations and an MKI', () => {
    expect(readInlineKey(`${PEER_INLINE}`)).toEqual({
      ok: true,
      value: { keySalt: PEER_KEY, lifetime: undefined, mki: undefined },
    });
    expect(readInlineKey(`${PEER_INLINE}|2^20|1:4`)).toEqual({
      ok: true,
      value: { keySalt: PEER_KEY, lifetime: 1_048_576, mki: { value: 1, length: 4 } },
    });
    expect(readInlineKey(`${PEER_INLINE}|1048576`)).toMatchObject({
      ok: true,
      value: { lifetime: 1_048_576 },
    });
  });

  it('refuses what is not an inline key', () => {
    expect(readInlineKey('uri:https://example.com/key').ok).toBe(false);
    expect(readInlineKey('inline:not*base64').ok).toBe(false);
    expect(readInlineKey(`${PEER_INLINE}|2^31|1:200`)).toEqual({
      ok: false,
      reason: 'MKI length 200 is not 1-128',
    });
    expect(
      usableCrypto({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: 'inline:AAAA', sessionParams: [] }),
    ).toEqual({ ok: false, reason: 'the key||salt has 3 octets, AES_CM_128_HMAC_SHA1_80 needs 30' });
  });

  it('writes base64 of the 30 octets: 40 characters', () => {
    expect(formatInlineKey(KEY_80)).toBe('inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd');
  });
});
