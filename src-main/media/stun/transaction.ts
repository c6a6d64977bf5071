/**
 * One STUN client transaction: its retransmissions and its timeout (RFC 5389 §7.2).
 *
 *                 response matched by the client (StunClient checks id and integrity)
 *     ┌─────────┐ ─────────────────────────────────────────────────────────────────▶ answered
 *     │ waiting │ ── Ti passes without a response ────────────────────────────────▶ timed-out
 *     └─────────┘ ── the owner gives up (close, abort) ───────────────────────────▶ cancelled
 *        │  ▲     ── the stream carrying it closed ───────────────────────────────▶ transport-failed
 *        └──┘ retransmit timer (unreliable transports only): send again, RTO doubles
 *
 * Over UDP (§7.2.1): "the client SHOULD retransmit a STUN request message starting with an interval of
 * RTO ('Retransmission TimeOut'), doubling after each retransmission"; "Retransmissions continue until a
 * response is received, or until a total of Rc requests have been sent"; "If, after the last request, a
 * duration equal to Rm times the RTO has passed without a response [...] the client SHOULD consider the
 * transaction to have failed." With the defaults (RTO 500 ms, Rc 7, Rm 16) the sends go at 0, 500, 1500,
 * 3500, 7500, 15500 and 31500 ms and the transaction fails at 39 500 ms.
 *
 * Over TCP/TLS (§7.2.2): "the client SHOULD NOT retransmit"; the transaction fails when Ti (39.5 s) passes.
 *
 * The waiting state owns the only timer; every exit cancels it.
 */
import type { Clock, Timer } from '../../platform/index.ts';

export interface StunTiming {
  /** Initial retransmission timeout in ms (RFC 5389: 500). */
  rtoMs: number;
  /** Rc: how many times the request is sent in all, the first send included (RFC 5389: 7). */
  maxSends: number;
  /** Rm: after the last send, wait this many initial RTOs (RFC 5389: 16). */
  finalWaitFactor: number;
  /** Ti for reliable transports, in ms (RFC 5389: 39 500). */
  streamTimeoutMs: number;
}

/** RFC 5389's recommended values. */
export const RFC5389_TIMING: Readonly<StunTiming> = {
  rtoMs: 500,
  maxSends: 7,
  finalWaitFactor: 16,
  streamTimeoutMs: 39_500,
};

export type StunTransactionState = 'waiting' | 'answered' | 'timed-out' | 'cancelled' | 'transport-failed';

/** When the sends go and when the transaction gives up, in ms after the first send. */
export interface RetransmitSchedule {
  sendsAt: number[];
  timeoutAt: number;
}

/** The schedule a transaction with `timing` follows (reliable: one send, then Ti). */
export function retransmitSchedule(timing: StunTiming, reliable: boolean): RetransmitSchedule {
  checkTiming(timing);
  if (reliable) return { sendsAt: [0], timeoutAt: timing.streamTimeoutMs };
  const sendsAt: number[] = [];
  let at = 0;
  let interval = timing.rtoMs;
  for (let i = 0; i < timing.maxSends; i++) {
    sendsAt.push(at);
    at += interval;
    interval *= 2;
  }
  const last = sendsAt[sendsAt.length - 1] ?? 0;
  return { sendsAt, timeoutAt: last + timing.finalWaitFactor * timing.rtoMs };
}

function checkTiming(timing: StunTiming): void {
  if (!(timing.rtoMs > 0) || !Number.isFinite(timing.rtoMs))
    throw new RangeError(`rtoMs must be > 0, got ${timing.rtoMs}`);
  if (!Number.isInteger(timing.maxSends) || timing.maxSends < 1)
    throw new RangeError(`maxSends must be >= 1, got ${timing.maxSends}`);
  if (!(timing.finalWaitFactor >= 0))
    throw new RangeError(`finalWaitFactor must be >= 0, got ${timing.finalWaitFactor}`);
  if (!(timing.streamTimeoutMs > 0))
    throw new RangeError(`streamTimeoutMs must be > 0, got ${timing.streamTimeoutMs}`);
}

export interface StunClientTransactionOptions {
  clock: Clock;
  timing: StunTiming;
  /** TCP/TLS: no retransmissions (§7.2.2). */
  reliable: boolean;
  /** Put the request on the wire (called for the first send and every retransmission). */
  send: () => void;
  /** Called once, on the move out of `waiting`. */
  onEnd: (state: Exclude<StunTransactionState, 'waiting'>, cause: string) => void;
}

export class StunClientTransaction {
  private current: StunTransactionState = 'waiting';
  private timer: Timer | undefined;
  private sendCount = 0;
  private readonly startedAt: number;
  private readonly schedule: RetransmitSchedule;
  private readonly options: StunClientTransactionOptions;

  /** Sends the request at once and arms the first timer. */
  constructor(options: StunClientTransactionOptions) {
    this.options = options;
    this.schedule = retransmitSchedule(options.timing, options.reliable);
    this.startedAt = options.clock.monotonic();
    this.transmit();
    this.armNext();
  }

  get state(): StunTransactionState {
    return this.current;
  }

  /** How many times the request went out. */
  get sends(): number {
    return this.sendCount;
  }

  /** ms since the first send. */
  get elapsedMs(): number {
    return this.options.clock.monotonic() - this.startedAt;
  }

  /** A matching, acceptable response arrived (the client has checked it). */
  answer(): void {
    this.moveTo('answered', 'response');
  }

  cancel(cause = 'cancelled'): void {
    if (this.current === 'waiting') this.moveTo('cancelled', cause);
  }

  /** The stream carrying the request failed (§7.2.2: the transaction fails with it). */
  transportFailed(cause: string): void {
    if (this.current === 'waiting') this.moveTo('transport-failed', cause);
  }

  /** The one transition function: only `waiting` can be left, and only once. */
  private moveTo(next: Exclude<StunTransactionState, 'waiting'>, cause: string): void {
    if (this.current !== 'waiting') {
      throw new Error(`STUN transaction: illegal move ${this.current} → ${next} (${cause})`);
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.current = next;
    this.options.onEnd(next, cause);
  }

  private transmit(): void {
    this.sendCount++;
    this.options.send();
  }

  /** Arm the timer for the next retransmission or, after the last send, for the timeout. */
  private armNext(): void {
    const nextSendAt = this.schedule.sendsAt[this.sendCount];
    const due = nextSendAt ?? this.schedule.timeoutAt;
    this.timer = this.options.clock.setTimer(this.startedAt + due - this.options.clock.monotonic(), () => {
      this.timer = undefined;
      if (this.current !== 'waiting') return;
      if (nextSendAt === undefined) {
        this.moveTo('timed-out', `no response after ${this.sendCount} send(s)`);
        return;
      }
      this.transmit();
      this.armNext();
    });
  }
}
