/**
 * SDP Security Descriptions for SRTP (SDES, RFC 4568): the `a=crypto` lines of our offers and answers,
 * and what a completed exchange agreed (suite, both keys). Pure: the caller brings the keys (media/rtp's
 * `newSrtpMasterKey`); this module only chooses, checks and writes them.
 *
 *   a=crypto:<tag> <crypto-suite> inline:<base64(master key || master salt)>[|<lifetime>][|<MKI>:<length>]
 *            [<session-params>]
 *
 * Keys in the SDP are only as secret as the signalling that carries it: SDES belongs on SIP over TLS
 * (RFC 4568 §8.3: the SDP carrying the keys must be kept confidential — TLS hop by hop, in practice),
 * which is why accounts turn it on by default only for TLS (src-shared/model/account.ts).
 *
 * Two policies (the account's `srtp`; `off` means no SdesConfig at all: no a=crypto offered or answered,
 * and RTP/SAVP offers are refused):
 *   optional  "best-effort SRTP", the de facto Asterisk/Linphone/FreeSWITCH behaviour (it was
 *             draft-ietf-mmusic-best-effort-srtp; RFC 5939 capability negotiation is the standard form,
 *             which few PBXs speak): we offer RTP/AVP with a=crypto; an answer with a matching a=crypto
 *             gives SRTP, one without gives plain RTP. We accept RTP/SAVP offers (answered with SRTP) and
 *             RTP/AVP offers, with SRTP when they carry a crypto line we can use.
 *   required  we offer RTP/SAVP (the secure profile, RFC 3711 §12) with a=crypto, and take nothing that
 *             is not SRTP: an answer without a matching crypto line fails, and an offer without one we
 *             can use is refused (488). An RTP/AVP offer WITH a usable crypto line is accepted — the media
 *             is then SRTP all the same.
 *
 * Decisions:
 *  - Suites: AES_CM_128_HMAC_SHA1_80 preferred, AES_CM_128_HMAC_SHA1_32 accepted (RFC 4568 §6.2). The
 *    answerer picks by OUR preference among the offered lines it can use (RFC 4568 §7.1.2 lets it pick
 *    any one it supports), answering with the offer's tag and a key of its own.
 *  - A crypto line we cannot use is skipped, not fatal: more than one key, an MKI (we run a single key per
 *    direction; RFC 3711 §3.1's MKI only serves switching among several), a lifetime below 2^31 packets
 *    (we do not re-key when it runs out; 2^31 packets are 1.4 years of 20 ms audio), or a session
 *    parameter other than WSH and the ignorable "-" ones (RFC 4568 §6.3: KDR, UNENCRYPTED_SRTP/SRTCP,
 *    UNAUTHENTICATED_SRTP, FEC_ORDER, FEC_KEY all change the transform).
 */
import { readCrypto } from './attributes.ts';
import type { CryptoAttribute } from './attributes.ts';
import { cryptoAttributes } from './query.ts';
import type { Attribute, MediaDescription } from './model.ts';

/** The crypto-suites we negotiate, most preferred first (media/rtp's SRTP_SUITES, restated: layers). */
export const SDES_SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const;
export type SdesSuite = (typeof SDES_SUITES)[number];

/** Master key (16) || master salt (14) for both suites (RFC 4568 §6.2.1, §6.2.2). */
export const SDES_KEY_SALT_BYTES = 30;

/** Packets a key must be good for before we take it (see the header). */
const MIN_LIFETIME = 2 ** 31;

export type SrtpPolicy = 'optional' | 'required';

export interface SdesConfig {
  readonly policy: SrtpPolicy;
  /** Our key||salt per suite we offer and accept, most preferred first; one key per suite. */
  readonly keys: readonly { readonly suite: SdesSuite; readonly key: Uint8Array }[];
}

/** What an exchange agreed: the suite and the key of each direction (RFC 4568 §6.4). */
export interface NegotiatedSrtp {
  readonly suite: SdesSuite;
  /** The tag of the crypto line both descriptions carry. */
  readonly tag: number;
  /** The key in our description: what we send under. */
  readonly localKey: Uint8Array;
  /** The key in the peer's description: what we receive under. */
  readonly remoteKey: Uint8Array;
}

/** `inline:` key parameters (RFC 4568 §6.1): key||salt, and the lifetime/MKI when given. */
export interface SdesInlineKey {
  readonly keySalt: Uint8Array;
  /** Packets the key may protect; undefined: the default (2^48 for SRTP, RFC 4568 §6.1). */
  readonly lifetime: number | undefined;
  readonly mki: { readonly value: number; readonly length: number } | undefined;
}

export type SdesReading<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/**
 * RTP/SAVP (RFC 3711 §12) and RTP/SAVPF (RFC 5124): SRTP is mandatory for the stream, and over plain UDP
 * its keys come from a=crypto. (DTLS-SRTP's UDP/TLS/RTP/SAVP(F) are keyed by the DTLS handshake instead:
 * not ours to judge here.)
 */
export function isSecureProfile(protocol: string): boolean {
  return /^RTP\/SAVPF?$/i.test(protocol);
}

export function isSdesSuite(name: string): name is SdesSuite {
  return (SDES_SUITES as readonly string[]).includes(name);
}

/**
 * One `inline:` key-param (RFC 4568 §9.2):
 *   key-info = key-salt ["|" lifetime] ["|" mki] ; lifetime = ["2^"] 1*DIGIT ; mki = 1*DIGIT ":" 1*3DIGIT
 */
export function readInlineKey(keyParam: string): SdesReading<SdesInlineKey> {
  const m = /^inline:([^|]+)(?:\|(2\^)?([0-9]{1,20}))?(?:\|([0-9]{1,20}):([0-9]{1,3}))?$/.exec(keyParam);
  if (m === null)
    return { ok: false, reason: `"${keyParam}" is not inline:<key||salt>[|lifetime][|MKI:length]` };
  const encoded = m[1]!;
  if (!BASE64.test(encoded)) return { ok: false, reason: 'the key is not base64' };
  const keySalt = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const lifetime =
    m[3] === undefined ? undefined : m[2] !== undefined ? 2 ** Math.min(Number(m[3]), 64) : Number(m[3]);
  const mki = m[4] === undefined ? undefined : { value: Number(m[4]), length: Number(m[5]) };
  if (mki !== undefined && (mki.length < 1 || mki.length > 128))
    return { ok: false, reason: `MKI length ${mki.length} is not 1-128` };
  return { ok: true, value: { keySalt, lifetime, mki } };
}

/** `inline:<base64 key||salt>` (no lifetime, no MKI: what we write). */
export function formatInlineKey(keySalt: Uint8Array): string {
  return `inline:${btoa(String.fromCharCode(...keySalt))}`;
}

/** Our `a=crypto` line. */
export function cryptoLine(tag: number, suite: SdesSuite, key: Uint8Array): Attribute {
  return { name: 'crypto', value: `${tag} ${suite} ${formatInlineKey(key)}` };
}

/** The crypto lines of our offer: one per configured suite, tags 1, 2, … in preference order. */
export function offerCryptoAttributes(config: SdesConfig): Attribute[] {
  return config.keys.map((k, i) => cryptoLine(i + 1, k.suite, k.key));
}

/** The suite and key of a crypto line we can run, or why not. */
export function usableCrypto(c: CryptoAttribute): SdesReading<{ suite: SdesSuite; key: Uint8Array }> {
  if (!isSdesSuite(c.suite)) return { ok: false, reason: `suite ${c.suite} is not supported` };
  const params = c.keyParams.split(';');
  if (params.length !== 1) return { ok: false, reason: 'several keys (MKI-switched) are not supported' };
  const inline = readInlineKey(params[0]!);
  if (!inline.ok) return inline;
  const { keySalt, lifetime, mki } = inline.value;
  if (keySalt.length !== SDES_KEY_SALT_BYTES)
    return { ok: false, reason: `the key||salt has ${keySalt.length} octets, ${c.suite} needs 30` };
  if (mki !== undefined) return { ok: false, reason: 'an MKI is not supported' };
  if (lifetime !== undefined && lifetime < MIN_LIFETIME)
    return {
      ok: false,
      reason: `a key lifetime of ${lifetime} packets is too short (we never re-key on it)`,
    };
  for (const p of c.sessionParams) {
    if (p.startsWith('-') || /^WSH=[0-9]{1,9}$/.test(p)) continue;
    return { ok: false, reason: `session parameter ${p} is not supported` };
  }
  return { ok: true, value: { suite: c.suite, key: keySalt } };
}

/**
 * Our answer's crypto line for an offered stream: the offered line we can use whose suite we prefer most,
 * with its tag and our key for that suite (RFC 4568 §7.1.2); undefined when none fits.
 */
export function answerCryptoAttribute(offered: MediaDescription, config: SdesConfig): Attribute | undefined {
  const lines = cryptoAttributes(offered);
  for (const ours of config.keys) {
    const line = lines.find((c) => c.suite === ours.suite && usableCrypto(c).ok);
    if (line !== undefined) return cryptoLine(line.tag, ours.suite, ours.key);
  }
  return undefined;
}

/**
 * What the two descriptions of a completed exchange agree on for SRTP: nothing (plain RTP), the suite and
 * keys, or a failure (an answer whose crypto does not match the offer; a secure profile without crypto).
 * RFC 4568 §7.1.3: the offerer checks that the answer's tag is one it offered, with the same suite.
 */
export function negotiateSrtp(
  local: MediaDescription,
  remote: MediaDescription,
  role: 'offerer' | 'answerer',
): SdesReading<NegotiatedSrtp | undefined> {
  const answer = role === 'offerer' ? remote : local;
  const offer = role === 'offerer' ? local : remote;
  const answerLines = answer.attributes
    .filter((a) => a.name === 'crypto')
    .map((a) => readCrypto(a.value ?? ''));
  const secure = isSecureProfile(local.protocol) || isSecureProfile(remote.protocol);
  if (answerLines.length === 0) {
    return secure
      ? { ok: false, reason: `the ${answer.protocol} answer carries no a=crypto (RFC 4568 §7.1.3)` }
      : { ok: true, value: undefined };
  }
  if (answerLines.length !== 1)
    return { ok: false, reason: 'the answer must carry exactly one a=crypto (RFC 4568 §7.1.2)' };
  const chosen = answerLines[0]!;
  if (!chosen.ok) return { ok: false, reason: `the answer's a=crypto is malformed: ${chosen.reason}` };
  const offered = cryptoAttributes(offer).find((c) => c.tag === chosen.value.tag);
  if (offered === undefined || offered.suite !== chosen.value.suite)
    return {
      ok: false,
      reason: `the answer's a=crypto (tag ${chosen.value.tag}, ${chosen.value.suite}) was not offered`,
    };
  const answerKey = usableCrypto(chosen.value);
  const offerKey = usableCrypto(offered);
  if (!answerKey.ok) return { ok: false, reason: `the answer's a=crypto: ${answerKey.reason}` };
  if (!offerKey.ok) return { ok: false, reason: `the offer's a=crypto: ${offerKey.reason}` };
  const localKey = role === 'offerer' ? offerKey.value.key : answerKey.value.key;
  const remoteKey = role === 'offerer' ? answerKey.value.key : offerKey.value.key;
  return { ok: true, value: { suite: answerKey.value.suite, tag: chosen.value.tag, localKey, remoteKey } };
}
