/**
 * `SrtpProtection`: SRTP for one call's media, as the media path applies it — `protect` is the last
 * step before a packet leaves, `unprotect` the first after one arrives (it returns undefined for a packet
 * to drop), so the RTP session, its statistics and the jitter buffer only ever see plain RTP/RTCP. It
 * satisfies media/transport's `MediaProtection` (structurally: this layer may not import that one).
 *
 *   configure(undefined)                 plain RTP: both directions pass through unchanged
 *   configure({ suite, localKey, remoteKey })
 *                                         SRTP; called again after every offer/answer (re-INVITE):
 *     - our key||salt and suite unchanged → the sender keeps its state (ROC, SRTCP index). A sender once
 *       used is kept for its key, so returning to an earlier key never restarts its packet index (RFC 3711
 *       §9.1: a (key, SSRC, index) must never encrypt twice).
 *     - the peer's key or suite changed (RFC 4568 §7.1.4 re-keying: a new crypto line) → a new receive
 *       context; the previous one still checks packets that fail under the new key until the first packet
 *       authenticates under the new one (the peer's last old-key packets may cross the answer on the
 *       wire). Packets that authenticate under neither are dropped.
 *
 * Drops are counted by reason (authentication, replay, malformed) and never delivered.
 */
import { SrtpReceiver, SrtpSender } from './srtp-context.ts';
import type { SrtpDropReason } from './srtp-context.ts';
import { isSrtpSuite } from './srtp-crypto.ts';
import type { SrtpSuite } from './srtp-crypto.ts';

/** What offer/answer agreed for SRTP (src-main/sdp's NegotiatedSrtp satisfies it). */
export interface SrtpKeys {
  /** An RFC 4568 crypto-suite name; only the SRTP_SUITES are accepted. */
  readonly suite: string;
  /** Our master key||salt: what we send under (the key in our a=crypto). */
  readonly localKey: Uint8Array;
  /** The peer's master key||salt: what we receive under (the key in its a=crypto). */
  readonly remoteKey: Uint8Array;
}

export type SrtpPacketKind = 'rtp' | 'rtcp';

export interface SrtpProtectionStats {
  /** The suite in use; undefined while the media is plain RTP. */
  readonly suite: SrtpSuite | undefined;
  readonly protected: { readonly rtp: number; readonly rtcp: number };
  readonly unprotected: { readonly rtp: number; readonly rtcp: number };
  /** Received packets dropped, by reason (RTP and RTCP together). */
  readonly dropped: Readonly<Record<SrtpDropReason, number>>;
  /** Receive contexts replaced by a re-key. */
  readonly rekeys: number;
}

const MAX_KEPT_SENDERS = 4;

export class SrtpProtection {
  #sender: SrtpSender | undefined;
  #receiver: SrtpReceiver | undefined;
  /** The receive context before the last re-key, until the new one authenticates a packet. */
  #previousReceiver: SrtpReceiver | undefined;
  #remoteKey: Uint8Array | undefined;
  readonly #senders = new Map<string, SrtpSender>();
  readonly #protected = { rtp: 0, rtcp: 0 };
  readonly #unprotected = { rtp: 0, rtcp: 0 };
  readonly #dropped: Record<SrtpDropReason, number> = { authentication: 0, replay: 0, malformed: 0 };
  #rekeys = 0;

  constructor(keys?: SrtpKeys) {
    this.configure(keys);
  }

  /** Whether packets are protected (SRTP) now. */
  get active(): boolean {
    return this.#sender !== undefined;
  }

  get suite(): SrtpSuite | undefined {
    return this.#sender?.suite;
  }

  get stats(): SrtpProtectionStats {
    return {
      suite: this.suite,
      protected: { ...this.#protected },
      unprotected: { ...this.#unprotected },
      dropped: { ...this.#dropped },
      rekeys: this.#rekeys,
    };
  }

  /** SRTP with these keys, or plain RTP (undefined). Keys of a suite we do not implement are a bug. */
  configure(keys: SrtpKeys | undefined): void {
    if (keys === undefined) {
      this.#sender = undefined;
      this.#receiver = undefined;
      this.#previousReceiver = undefined;
      this.#remoteKey = undefined;
      return;
    }
    const suite = keys.suite;
    if (!isSrtpSuite(suite)) throw new RangeError(`SRTP suite ${suite} is not implemented`);
    const senderId = `${suite}:${Buffer.from(keys.localKey).toString('hex')}`;
    let sender = this.#senders.get(senderId);
    if (sender === undefined) {
      sender = new SrtpSender(suite, keys.localKey);
      if (this.#senders.size >= MAX_KEPT_SENDERS) this.#senders.delete(this.#senders.keys().next().value!);
      this.#senders.set(senderId, sender);
    }
    this.#sender = sender;

    const sameRemote =
      this.#receiver !== undefined &&
      this.#receiver.suite === suite &&
      this.#remoteKey !== undefined &&
      Buffer.from(this.#remoteKey).equals(keys.remoteKey);
    if (sameRemote) return;
    if (this.#receiver !== undefined) {
      this.#previousReceiver = this.#receiver;
      this.#rekeys++;
    }
    this.#receiver = new SrtpReceiver(suite, keys.remoteKey);
    this.#remoteKey = Uint8Array.from(keys.remoteKey);
  }

  /** The packet as it goes on the wire. */
  protect(kind: SrtpPacketKind, data: Uint8Array): Uint8Array {
    const sender = this.#sender;
    if (sender === undefined) return data;
    this.#protected[kind]++;
    return kind === 'rtp' ? sender.protectRtp(data) : sender.protectRtcp(data);
  }

  /** The plain packet, or undefined when it must be dropped (it did not authenticate, a replay…). */
  unprotect(kind: SrtpPacketKind, data: Buffer): Buffer | undefined {
    const receiver = this.#receiver;
    if (receiver === undefined) return data;
    const open = (r: SrtpReceiver) => (kind === 'rtp' ? r.unprotectRtp(data) : r.unprotectRtcp(data));
    const result = open(receiver);
    if (result.ok) {
      this.#previousReceiver = undefined;
      this.#unprotected[kind]++;
      return result.packet;
    }
    if (result.reason === 'authentication' && this.#previousReceiver !== undefined) {
      const old = open(this.#previousReceiver);
      if (old.ok) {
        this.#unprotected[kind]++;
        return old.packet;
      }
    }
    this.#dropped[result.reason]++;
    return undefined;
  }
}
