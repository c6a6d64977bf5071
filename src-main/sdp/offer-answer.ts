/**
 * The RFC 3264 offer/answer state of one session (one SIP dialog), as its own machine, separate from the
 * INVITE/dialog machines that carry the bodies (RFC 6337 §2.2 lists which SIP messages carry offers
 * and answers; that mapping is the call layer's job).
 *
 *                      setLocalOffer                         setRemoteAnswer
 *        ┌──────────┐ ────────────────▶ ┌───────────────┐ ──────────────────┐
 *        │          │                   │  local-offer  │                   │
 *        │          │ ◀──── rollback ── └───────────────┘                   │
 *        │  stable  │ ◀─────────────────────────────────────────────────────┘
 *        │          │      setRemoteOffer                        setLocalAnswer
 *        │          │ ────────────────▶ ┌───────────────┐ ──────────────────┐
 *        │          │ ◀──── rollback ── │ remote-offer  │                   │
 *        └──────────┘ ◀──────────────── └───────────────┘ ◀─────────────────┘
 *             │ close (from any state)
 *             ▼
 *        ┌──────────┐
 *        │  closed  │  (terminal)
 *        └──────────┘
 *
 * RFC 3264 §4: "at any time, either agent MAY generate a new offer that updates the session. However,
 * it MUST NOT generate a new offer if it has received an offer which it has not yet answered or
 * rejected. Furthermore, it MUST NOT generate a new offer if it has generated a prior offer for which it
 * has not yet received an answer or a rejection." Both rules are the guards below; a move from the
 * wrong state is a bug in the caller and throws. (A remote offer arriving in `local-offer` is glare:
 * the SIP layer answers it 491 without handing it here.)
 *
 * The machine also keeps the last description we sent (`lastLocalDescription`), which is the base for
 * the next `o=` version: an offer that was sent and then rolled back still counts, so a version number
 * is never reused for different content. `setLocalOffer`/`setLocalAnswer` check that rule
 * (RFC 3264 §8) and throw when the caller broke it.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable, Listener } from '../../src-shared/util/emitter.ts';
import { buildSdp } from './build.ts';
import type { SessionDescription } from './model.ts';
import { applyAnswer, bumpVersion, negotiate } from './negotiation.ts';
import type { NegotiatedMedia, NegotiationResult } from './negotiation.ts';

export type OfferAnswerState = 'stable' | 'local-offer' | 'remote-offer' | 'closed';

export interface OfferAnswerTransition {
  readonly from: OfferAnswerState;
  readonly to: OfferAnswerState;
  readonly cause: string;
}

const ALLOWED: Readonly<Record<OfferAnswerState, readonly OfferAnswerState[]>> = {
  stable: ['local-offer', 'remote-offer', 'closed'],
  'local-offer': ['stable', 'closed'],
  'remote-offer': ['stable', 'closed'],
  closed: [],
};

export class OfferAnswer implements Disposable {
  private current: OfferAnswerState = 'stable';
  private readonly transitions = new Emitter<OfferAnswerTransition>();
  private local: SessionDescription | undefined;
  private remote: SessionDescription | undefined;
  private pendingLocal: SessionDescription | undefined;
  private pendingRemote: SessionDescription | undefined;
  private lastSent: SessionDescription | undefined;
  private media: NegotiatedMedia | undefined;

  get state(): OfferAnswerState {
    return this.current;
  }

  /** Our half of the last completed exchange. */
  get localDescription(): SessionDescription | undefined {
    return this.local;
  }

  /** The peer's half of the last completed exchange. */
  get remoteDescription(): SessionDescription | undefined {
    return this.remote;
  }

  /** Our offer awaiting an answer (state `local-offer`). */
  get pendingLocalOffer(): SessionDescription | undefined {
    return this.pendingLocal;
  }

  /** The peer's offer awaiting our answer (state `remote-offer`). */
  get pendingRemoteOffer(): SessionDescription | undefined {
    return this.pendingRemote;
  }

  /**
   * The last description we sent (offer or answer): pass it as `previous` to createOffer/createAnswer/
   * holdOffer/resumeOffer (and `remoteDescription` as createOffer's `remote`).
   */
  get lastLocalDescription(): SessionDescription | undefined {
    return this.lastSent;
  }

  /** The media agreed by the last completed exchange; undefined before one or after a failed one. */
  get negotiated(): NegotiatedMedia | undefined {
    return this.media;
  }

  /** Every state change as `from → to (cause)`, for logs and for the call machine. */
  onTransition(listener: Listener<OfferAnswerTransition>): Disposable {
    return this.transitions.on(listener);
  }

  /** We send an offer. stable → local-offer. */
  setLocalOffer(offer: SessionDescription): void {
    this.guard('setLocalOffer', 'stable');
    this.checkOurOrigin(offer);
    const before = this.lastSent;
    // RFC 3264 §8: "the offer MUST include all existing media streams" — m-lines are never removed.
    if (before !== undefined && offer.media.length < before.media.length) {
      throw new Error(
        `offer/answer: a re-offer has ${offer.media.length} m-lines, fewer than the ${before.media.length} before`,
      );
    }
    this.pendingLocal = offer;
    this.lastSent = offer;
    this.moveTo('local-offer', 'local offer sent');
  }

  /** The peer answered our offer. local-offer → stable, whether or not the answer is usable. */
  setRemoteAnswer(answer: SessionDescription): NegotiationResult {
    this.guard('setRemoteAnswer', 'local-offer');
    const offer = this.pendingLocal as SessionDescription;
    const result = applyAnswer(offer, answer);
    this.local = offer;
    this.remote = answer;
    this.pendingLocal = undefined;
    this.media = result.ok ? result.media : undefined;
    this.moveTo(
      'stable',
      result.ok ? 'remote answer applied' : `remote answer unusable: ${result.failure.reason}`,
    );
    return result;
  }

  /** The peer sent an offer. stable → remote-offer. */
  setRemoteOffer(offer: SessionDescription): void {
    this.guard('setRemoteOffer', 'stable');
    this.pendingRemote = offer;
    this.moveTo('remote-offer', 'remote offer received');
  }

  /** We answer the pending remote offer. remote-offer → stable. */
  setLocalAnswer(answer: SessionDescription): NegotiationResult {
    this.guard('setLocalAnswer', 'remote-offer');
    const offer = this.pendingRemote as SessionDescription;
    // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
    if (answer.media.length !== offer.media.length) {
      throw new Error(
        `offer/answer: the answer has ${answer.media.length} m-lines, the offer ${offer.media.length}`,
      );
    }
    this.checkOurOrigin(answer);
    const index = answer.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
    const result: NegotiationResult =
      index < 0
        ? {
            ok: false,
            failure: { reason: 'no-audio', status: 488, detail: 'our answer accepts no audio stream' },
          }
        : negotiate(answer, offer, 'answerer', index);
    this.local = answer;
    this.remote = offer;
    this.lastSent = answer;
    this.pendingRemote = undefined;
    this.media = result.ok ? result.media : undefined;
    this.moveTo('stable', 'local answer sent');
    return result;
  }

  /**
   * The pending exchange ended without an answer: our offer was refused (491 glare, 488, CANCEL, other
   * failure) or we refused the peer's (e.g. 488). The session stays as it was before the offer.
   */
  rollback(cause: string): void {
    if (this.current !== 'local-offer' && this.current !== 'remote-offer') {
      throw new Error(`offer/answer: rollback is illegal in state ${this.current}`);
    }
    this.pendingLocal = undefined;
    this.pendingRemote = undefined;
    this.moveTo('stable', `rollback: ${cause}`);
  }

  /** The session ended; every later move throws. */
  close(cause = 'session ended'): void {
    if (this.current === 'closed') return;
    this.pendingLocal = undefined;
    this.pendingRemote = undefined;
    this.moveTo('closed', cause);
  }

  dispose(): void {
    this.close('disposed');
    this.transitions.clear();
  }

  // ───────────────────────────── internals ─────────────────────────────

  private guard(move: string, required: OfferAnswerState): void {
    if (this.current !== required) {
      throw new Error(`offer/answer: ${move} is illegal in state ${this.current} (needs ${required})`);
    }
  }

  /** The one transition function: checks the move against the table, then announces it. */
  private moveTo(to: OfferAnswerState, cause: string): void {
    const from = this.current;
    if (!ALLOWED[from].includes(to)) throw new Error(`offer/answer: ${from} → ${to} is not a transition`);
    this.current = to;
    this.transitions.emit({ from, to, cause });
  }

  /**
   * RFC 3264 §8: same username, session id and address for the whole session; the version either
   * repeats with identical content or goes up by exactly one.
   */
  private checkOurOrigin(next: SessionDescription): void {
    const previous = this.lastSent;
    if (previous === undefined) return;
    const a = previous.origin;
    const b = next.origin;
    if (
      a.username !== b.username ||
      a.sessionId !== b.sessionId ||
      a.netType !== b.netType ||
      a.addressType !== b.addressType ||
      a.address !== b.address
    ) {
      throw new Error('offer/answer: the o= line changed within the session (RFC 3264 §8)');
    }
    if (b.sessionVersion === a.sessionVersion) {
      if (buildSdp(next) !== buildSdp(previous)) {
        throw new Error(
          `offer/answer: version ${b.sessionVersion} reused for different content (RFC 3264 §8)`,
        );
      }
      return;
    }
    if (b.sessionVersion !== bumpVersion(a.sessionVersion)) {
      throw new Error(
        `offer/answer: version went from ${a.sessionVersion} to ${b.sessionVersion}, not up by one (RFC 3264 §8)`,
      );
    }
  }
}
