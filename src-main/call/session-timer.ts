/**
 * Session timers (RFC 4028): a keepalive for the call's signalling. One side, the refresher, re-sends
 * the session (re-INVITE or UPDATE) before the interval runs out; the other side ends the call when no
 * refresh came in time.
 *
 *              start(interval, weRefresh=true)              start(interval, weRefresh=false)
 *   ┌─────┐ ───────────────────────────────▶ ┌────────────┐      ┌──────────┐
 *   │ off │                                  │ refreshing │      │ watching │
 *   └─────┘ ◀──────── stop() ─────────────── └────────────┘      └──────────┘
 *      ▲        every refresh (either way) re-enters refreshing/watching with the new interval
 *      └─────────────────────────── stop() ─────────────────────────────┘
 *
 *  - refreshing owns the refresh timer: §7.4 "the UAC SHOULD send a refresh request ... at half the
 *    session interval" (we are the refresher), then `onRefresh` asks the call to send one.
 *  - watching owns the expiry timer: §10 "If [the side that is not the refresher] does not receive a
 *    session refresh request before the session expiration, it SHOULD send a BYE [...] The BYE SHOULD be
 *    sent [...] at the session expiration minus the minimum of 32 seconds and one third of the session
 *    expiration" — then `onExpired`.
 *
 * The negotiation itself (which Session-Expires goes into a response, 422) is in the pure functions
 * below; this class only keeps time.
 */
import type { Clock, Timer } from '../platform/index.ts';
import { Header } from '../sip/syntax/index.ts';
import type { SipRequest, SipResponse } from '../sip/syntax/index.ts';

export type SessionTimerState = 'off' | 'refreshing' | 'watching';

/** RFC 4028 §4: "The minimum value of the Min-SE header field is 90 seconds". Ours is that minimum. */
export const MIN_SESSION_EXPIRES_SEC = 90;

export interface SessionTimerOptions {
  readonly clock: Clock;
  /** We are the refresher and half the interval has passed: send a refresh now. */
  readonly onRefresh: () => void;
  /** The peer is the refresher and did not refresh in time: end the call. */
  readonly onExpired: () => void;
  readonly log?: (message: string) => void;
}

export class SessionTimer {
  readonly #clock: Clock;
  readonly #onRefresh: () => void;
  readonly #onExpired: () => void;
  readonly #log: (message: string) => void;
  #state: SessionTimerState = 'off';
  #intervalSec = 0;
  #timer: Timer | undefined;

  constructor(options: SessionTimerOptions) {
    this.#clock = options.clock;
    this.#onRefresh = options.onRefresh;
    this.#onExpired = options.onExpired;
    this.#log = options.log ?? (() => {});
  }

  get state(): SessionTimerState {
    return this.#state;
  }

  /** The session interval in force (0 when off). */
  get intervalSec(): number {
    return this.#intervalSec;
  }

  /** A (re-)negotiated session interval: restart the clock (§7.2, §9: every 2xx to a refresh does). */
  start(intervalSec: number, weRefresh: boolean): void {
    if (!Number.isInteger(intervalSec) || intervalSec <= 0)
      throw new Error(`session timer: bad interval ${intervalSec}`);
    this.#intervalSec = intervalSec;
    this.#transition(weRefresh ? 'refreshing' : 'watching', `interval ${intervalSec} s`);
  }

  stop(): void {
    this.#intervalSec = 0;
    if (this.#state !== 'off') this.#transition('off', 'stopped');
  }

  #transition(to: SessionTimerState, cause: string): void {
    const from = this.#state;
    // Leaving any state releases its timer; re-entering the same state re-arms it (a refresh).
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#state = to;
    this.#log(`session timer: ${from} → ${to} (${cause})`);
    if (to === 'refreshing') {
      this.#timer = this.#clock.setTimer((this.#intervalSec * 1000) / 2, () => {
        this.#timer = undefined;
        this.#onRefresh();
      });
    } else if (to === 'watching') {
      const before = Math.min(32, this.#intervalSec / 3);
      this.#timer = this.#clock.setTimer((this.#intervalSec - before) * 1000, () => {
        this.#timer = undefined;
        this.#transition('off', 'no refresh in time');
        this.#onExpired();
      });
    }
  }
}

// ───────────────────────────── negotiation (pure) ─────────────────────────────

function hasOptionTag(
  message: SipRequest | SipResponse,
  header: 'Supported' | 'Require',
  tag: string,
): boolean {
  const values = message.headers.all(header === 'Supported' ? Header.Supported : Header.Require);
  return values.ok && values.value.some((v) => v.toLowerCase() === tag);
}

/** What we answer to a request that may carry Session-Expires (RFC 4028 §9). */
export type UasSessionTimerDecision =
  /** The request asks for no session timer. */
  | { readonly kind: 'none' }
  /** §9: "If the Session-Expires is less than the Min-SE [...], the UAS MUST reject it with 422". */
  | { readonly kind: 'too-small'; readonly minSec: number }
  /** Put `Session-Expires: seconds;refresher=…` (and Require: timer when `require`) in the 2xx. */
  | {
      readonly kind: 'use';
      readonly seconds: number;
      readonly refresher: 'uac' | 'uas';
      readonly require: boolean;
    };

export function uasSessionTimer(
  request: SipRequest,
  ourMinSec = MIN_SESSION_EXPIRES_SEC,
): UasSessionTimerDecision {
  const se = request.headers.first(Header.SessionExpires);
  if (!se.ok || se.value === undefined) return { kind: 'none' };
  const uacSupports =
    hasOptionTag(request, 'Supported', 'timer') || hasOptionTag(request, 'Require', 'timer');
  if (se.value.seconds < ourMinSec) return { kind: 'too-small', minSec: ourMinSec };
  // §9: "If the request doesn't contain a refresher parameter [...] If the UAC supports the extension
  // [...] the UAS MAY choose who refreshes"; without support in the UAC "the refresher parameter MUST be
  // uas". We refresh ourselves when the choice is ours: we then need nobody else's timing.
  const refresher = se.value.refresher ?? 'uas';
  const chosen = uacSupports ? refresher : 'uas';
  // §9: "If the refresher parameter in the Session-Expires header field in the 2xx response has a value
  // of 'uac', the UAS MUST place a Require header field into the response with the value 'timer'. [...]
  // If [it] has a value of 'uas' and the Supported header field in the request contained the value
  // 'timer', the UAS SHOULD place a Require header field into the response with the value 'timer'."
  return { kind: 'use', seconds: se.value.seconds, refresher: chosen, require: uacSupports };
}

/** The Session-Expires lines of a 2xx we send for `decision`. */
export function sessionTimerHeaders(decision: UasSessionTimerDecision): [string, string][] {
  if (decision.kind !== 'use') return [];
  const lines: [string, string][] = [
    ['Session-Expires', `${decision.seconds};refresher=${decision.refresher}`],
  ];
  if (decision.require) lines.push(['Require', 'timer']);
  return lines;
}

/**
 * The session interval a 2xx to our INVITE/UPDATE sets, and whether we refresh (RFC 4028 §7.2: "the
 * UAC [...] if the response contains a Session-Expires header field [...] the refresher parameter
 * indicates who is doing the refreshing"; "uac" is the sender of the request, that is us).
 */
export function uacSessionTimer(
  response: SipResponse,
): { readonly seconds: number; readonly weRefresh: boolean } | undefined {
  const se = response.headers.first(Header.SessionExpires);
  if (!se.ok || se.value === undefined || se.value.seconds <= 0) return undefined;
  // §7.2: "If the refresher parameter [is missing], the UAC [...] MUST be the refresher" — as a 2xx
  // without it can only come from a UAS that did not pick, we take the job.
  return { seconds: se.value.seconds, weRefresh: (se.value.refresher ?? 'uac') === 'uac' };
}

/** §7.4 / §6: a 422 names the Min-SE the retry must use. */
export function minSessionExpiresOf(response: SipResponse): number | undefined {
  const m = response.headers.first(Header.MinSE);
  return m.ok && m.value !== undefined ? m.value.seconds : undefined;
}
