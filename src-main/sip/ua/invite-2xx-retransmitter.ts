/**
 * The UAS core's retransmission of a 2xx to INVITE until the ACK arrives (RFC 3261 §13.3.1.4): "The 2xx
 * response is passed to the transport with an interval that starts at T1 seconds and doubles for each
 * retransmission until it reaches T2 seconds. Response retransmissions cease when an ACK request for the
 * response is received. [...] If the server retransmits the 2xx response for 64*T1 seconds without
 * receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated. This is accomplished
 * with a BYE".
 *
 *                 Timer (T1, 2·T1 … T2): send again
 *   ┌─────────────┐ ◀──┐
 *   │ waiting-ack │ ───┘      ACK ──────────▶ acknowledged
 *   └─────────────┘ ──────── 64·T1 ─────────▶ timed-out     (the call layer sends BYE)
 *                   ──────── stop() ────────▶ stopped
 *
 * The waiting-ack state owns both timers.
 */
import type { Clock, Timer } from '../../platform/index.ts';
import type { TransactionTimerValues } from '../transaction/index.ts';

export type Retransmit2xxState = 'waiting-ack' | 'acknowledged' | 'timed-out' | 'stopped';

export interface Invite2xxRetransmitterInit {
  readonly clock: Clock;
  readonly timers: TransactionTimerValues;
  /** Put the 2xx on the wire again. */
  readonly send: () => void;
  /** Called once when the machine leaves waiting-ack. */
  readonly onEnd: (state: Exclude<Retransmit2xxState, 'waiting-ack'>) => void;
}

export class Invite2xxRetransmitter {
  readonly #clock: Clock;
  readonly #timers: TransactionTimerValues;
  readonly #send: () => void;
  readonly #onEnd: Invite2xxRetransmitterInit['onEnd'];
  #state: Retransmit2xxState = 'waiting-ack';
  #interval: number;
  #retransmit: Timer | undefined;
  #giveUp: Timer | undefined;

  /** Starts in waiting-ack (the first 2xx was just sent). */
  constructor(init: Invite2xxRetransmitterInit) {
    this.#clock = init.clock;
    this.#timers = init.timers;
    this.#send = init.send;
    this.#onEnd = init.onEnd;
    this.#interval = init.timers.t1;
    this.#arm();
    this.#giveUp = this.#clock.setTimer(64 * this.#timers.t1, () => {
      this.#giveUp = undefined;
      this.#transition('timed-out');
    });
  }

  get state(): Retransmit2xxState {
    return this.#state;
  }

  /** The ACK for the 2xx arrived. */
  acknowledge(): void {
    if (this.#state === 'waiting-ack') this.#transition('acknowledged');
  }

  /** The owner no longer wants retransmissions (the call ended, shutdown). */
  stop(): void {
    if (this.#state === 'waiting-ack') this.#transition('stopped');
  }

  #arm(): void {
    this.#retransmit = this.#clock.setTimer(this.#interval, () => {
      this.#retransmit = undefined;
      this.#send();
      this.#interval = Math.min(2 * this.#interval, this.#timers.t2);
      if (this.#state === 'waiting-ack') this.#arm();
    });
  }

  #transition(to: Exclude<Retransmit2xxState, 'waiting-ack'>): void {
    if (this.#state !== 'waiting-ack')
      throw new Error(`2xx retransmitter: illegal transition ${this.#state} → ${to}`);
    this.#state = to;
    this.#retransmit?.cancel();
    this.#giveUp?.cancel();
    this.#retransmit = undefined;
    this.#giveUp = undefined;
    this.#onEnd(to);
  }
}
