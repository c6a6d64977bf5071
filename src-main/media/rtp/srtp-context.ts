/**
 * The SRTP and SRTCP transforms of one direction (RFC 3711 §3.3, §3.4) for the AES-CM / HMAC-SHA1
 * suites: `SrtpSender` protects what we send under our master key, `SrtpReceiver` checks and decrypts
 * what the peer sends under its key. Each keeps the per-SSRC state RFC 3711 §3.2.3 lists (rollover
 * counter, highest sequence number, replay list, SRTCP index).
 *
 *   SRTP  (§3.1):  RTP header | encrypted payload | auth tag (10 or 4 octets)
 *                  tag = HMAC-SHA1(k_a, header | encrypted payload | ROC)
 *   SRTCP (§3.4):  first 8 octets | encrypted rest | E(1) SRTCP index(31) | auth tag (10 octets)
 *                  tag = HMAC-SHA1(k_a, everything before the tag)
 *
 * Receiving, in this order (§3.3): estimate the packet index (§3.3.1), drop a replay (§3.3.2) before
 * spending an HMAC on it, authenticate (§3.3 step 5: "if the result is 'AUTHENTICATION FAILURE' ... the
 * packet MUST be discarded"), and only then update the rollover counter, the highest sequence number and
 * the replay list — so a forged packet changes nothing — and decrypt. Failures are values, never
 * exceptions: what arrives from the network is untrusted.
 */
import { timingSafeEqual } from 'node:crypto';
import { SRTP_SUITE_PARAMETERS, deriveSessionKeys, srtpIv, srtpTransform } from './srtp-crypto.ts';
import type { SrtpSuite, SrtpSuiteParameters, SrtpTransform } from './srtp-crypto.ts';
import { SrtpReplayWindow } from './srtp-replay-window.ts';

export type SrtpDropReason =
  /** Too short for its header and tag, not RTP version 2, or a header that runs past the end. */
  | 'malformed'
  /** The authentication tag does not match: forged, corrupted, or under another key. */
  | 'authentication'
  /** Its index was already received, or is older than the replay window. */
  | 'replay';

export type SrtpUnprotectResult =
  { readonly ok: true; readonly packet: Buffer } | { readonly ok: false; readonly reason: SrtpDropReason };

/** Sources (SSRCs) a receiver keeps state for; the oldest is forgotten beyond this. */
const MAX_SOURCES = 16;
const MAX_RTCP_INDEX = 0x7fffffff;

/** The header length of an RTP packet (fixed part, CSRCs, extension), or undefined when malformed. */
export function rtpHeaderLength(packet: Uint8Array): number | undefined {
  if (packet.length < 12) return undefined;
  const first = packet[0]!;
  if (first >> 6 !== 2) return undefined;
  let offset = 12 + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + 4 * ((packet[offset + 2]! << 8) | packet[offset + 3]!);
  }
  return packet.length < offset ? undefined : offset;
}

/**
 * RFC 3711 §3.3.1: the receiver's guess `v` of the rollover counter for sequence number `seq`, given its
 * ROC and highest sequence number s_l:
 *   if s_l < 2^15:  v = ROC − 1 if SEQ − s_l > 2^15, else ROC
 *   else:           v = ROC + 1 if s_l − 2^15 > SEQ, else ROC
 */
export function estimateRoc(roc: number, highestSeq: number, seq: number): number {
  if (highestSeq < 0x8000) return seq - highestSeq > 0x8000 ? roc - 1 : roc;
  return highestSeq - 0x8000 > seq ? roc + 1 : roc;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** One direction's session keys and suite, derived from its master key||salt (RFC 3711 §4.3). */
abstract class SrtpKeys {
  readonly suite: SrtpSuite;
  protected readonly params: SrtpSuiteParameters;
  protected readonly rtp: SrtpTransform;
  protected readonly rtcp: SrtpTransform;

  constructor(suite: SrtpSuite, masterKeySalt: Uint8Array) {
    this.suite = suite;
    this.params = SRTP_SUITE_PARAMETERS[suite];
    const keys = deriveSessionKeys(suite, masterKeySalt);
    this.rtp = srtpTransform(keys.rtp);
    this.rtcp = srtpTransform(keys.rtcp);
  }
}

interface SendState {
  roc: number;
  highestSeq: number;
}

/** Protects our RTP and RTCP under our master key||salt. */
export class SrtpSender extends SrtpKeys {
  readonly #sources = new Map<number, SendState>();
  /** The next SRTCP index per SSRC (§3.4: starts at 0, "incremented by one, modulo 2^31"). */
  readonly #rtcpIndex = new Map<number, number>();

  /** One of our RTP packets as SRTP. A malformed packet is a bug here (we built it) and throws. */
  protectRtp(packet: Uint8Array): Buffer {
    const headerLength = rtpHeaderLength(packet);
    if (headerLength === undefined) throw new Error('SrtpSender: not an RTP packet');
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const seq = view.readUInt16BE(2);
    const ssrc = view.readUInt32BE(8);
    let state = this.#sources.get(ssrc);
    if (state === undefined) {
      state = { roc: 0, highestSeq: seq };
      this.#sources.set(ssrc, state);
    }
    // §3.3.1: the sender's ROC counts the wraps of the sequence numbers it sends.
    const roc = estimateRoc(state.roc, state.highestSeq, seq);
    if (roc > state.roc) {
      state.roc = roc;
      state.highestSeq = seq;
    } else if (roc === state.roc && seq > state.highestSeq) state.highestSeq = seq;
    const index = Math.max(roc, 0) * 0x10000 + seq;
    const header = view.subarray(0, headerLength);
    const encrypted = this.rtp.cipher.apply(srtpIv(this.rtp.salt, ssrc, index), view.subarray(headerLength));
    const tag = this.rtp.auth.tag([header, encrypted, u32(Math.max(roc, 0))], this.params.rtpTagBytes);
    return Buffer.concat([header, encrypted, tag]);
  }

  /** One of our RTCP compound packets as SRTCP (always encrypted: E = 1). */
  protectRtcp(packet: Uint8Array): Buffer {
    if (packet.length < 8) throw new Error('SrtpSender: not an RTCP packet');
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const ssrc = view.readUInt32BE(4);
    const index = this.#rtcpIndex.get(ssrc) ?? 0;
    this.#rtcpIndex.set(ssrc, (index + 1) % (MAX_RTCP_INDEX + 1));
    const encrypted = this.rtcp.cipher.apply(srtpIv(this.rtcp.salt, ssrc, index), view.subarray(8));
    const trailer = u32(0x80000000 | index);
    const tag = this.rtcp.auth.tag([view.subarray(0, 8), encrypted, trailer], this.params.rtcpTagBytes);
    return Buffer.concat([view.subarray(0, 8), encrypted, trailer, tag]);
  }
}

interface ReceiveState {
  roc: number;
  highestSeq: number;
  readonly window: SrtpReplayWindow;
}

/** Authenticates and decrypts the peer's SRTP and SRTCP under its master key||salt. */
export class SrtpReceiver extends SrtpKeys {
  readonly #sources = new Map<number, ReceiveState>();
  readonly #rtcpSources = new Map<number, SrtpReplayWindow>();

  unprotectRtp(packet: Uint8Array): SrtpUnprotectResult {
    const tagBytes = this.params.rtpTagBytes;
    const headerLength = rtpHeaderLength(packet);
    if (headerLength === undefined || packet.length < headerLength + tagBytes)
      return { ok: false, reason: 'malformed' };
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const seq = view.readUInt16BE(2);
    const ssrc = view.readUInt32BE(8);
    const state = this.#sources.get(ssrc);
    // A new source starts at ROC 0 with s_l = its first SEQ (SDES signals no ROC; RFC 4568 §6.4).
    const roc = estimateRoc(state?.roc ?? 0, state?.highestSeq ?? seq, seq);
    // Before the first packet of the stream (a late packet across the very first wrap): nothing to accept.
    if (roc < 0) return { ok: false, reason: 'replay' };
    const index = roc * 0x10000 + seq;
    if (state !== undefined && state.window.check(index) !== 'fresh') return { ok: false, reason: 'replay' };

    const authenticated = view.subarray(0, view.length - tagBytes);
    const expected = this.rtp.auth.tag([authenticated, u32(roc)], tagBytes);
    if (!timingSafeEqual(expected, view.subarray(view.length - tagBytes)))
      return { ok: false, reason: 'authentication' };

    const source = state ?? this.#newSource(ssrc, seq);
    if (roc === source.roc + 1) {
      source.roc = roc;
      source.highestSeq = seq;
    } else if (roc === source.roc && seq > source.highestSeq) source.highestSeq = seq;
    source.window.accept(index);
    const payload = this.rtp.cipher.apply(
      srtpIv(this.rtp.salt, ssrc, index),
      authenticated.subarray(headerLength),
    );
    return { ok: true, packet: Buffer.concat([authenticated.subarray(0, headerLength), payload]) };
  }

  unprotectRtcp(packet: Uint8Array): SrtpUnprotectResult {
    const tagBytes = this.params.rtcpTagBytes;
    if (packet.length < 8 + 4 + tagBytes || packet[0]! >> 6 !== 2) return { ok: false, reason: 'malformed' };
    const view = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const trailerAt = view.length - tagBytes - 4;
    const word = view.readUInt32BE(trailerAt);
    const encrypted = word >>> 31 === 1;
    const index = word & MAX_RTCP_INDEX;
    const ssrc = view.readUInt32BE(4);
    const window = this.#rtcpSources.get(ssrc);
    if (window !== undefined && window.check(index) !== 'fresh') return { ok: false, reason: 'replay' };

    const authenticated = view.subarray(0, view.length - tagBytes);
    const expected = this.rtcp.auth.tag([authenticated], tagBytes);
    if (!timingSafeEqual(expected, view.subarray(view.length - tagBytes)))
      return { ok: false, reason: 'authentication' };

    let accepted = window;
    if (accepted === undefined) {
      accepted = new SrtpReplayWindow();
      if (this.#rtcpSources.size >= MAX_SOURCES)
        this.#rtcpSources.delete(this.#rtcpSources.keys().next().value!);
      this.#rtcpSources.set(ssrc, accepted);
    }
    accepted.accept(index);
    const body = view.subarray(8, trailerAt);
    // §3.4: E = 0 means the sender left this packet unencrypted (authenticated only).
    const plain = encrypted ? this.rtcp.cipher.apply(srtpIv(this.rtcp.salt, ssrc, index), body) : body;
    return { ok: true, packet: Buffer.concat([view.subarray(0, 8), plain]) };
  }

  #newSource(ssrc: number, seq: number): ReceiveState {
    if (this.#sources.size >= MAX_SOURCES) this.#sources.delete(this.#sources.keys().next().value!);
    const state: ReceiveState = { roc: 0, highestSeq: seq, window: new SrtpReplayWindow() };
    this.#sources.set(ssrc, state);
    return state;
  }
}
