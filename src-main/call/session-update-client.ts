/**
 * The client side of session modifications in a confirmed dialog — our re-INVITEs and UPDATEs for hold,
 * resume and session refresh — one at a time, with the glare back-off of RFC 3261 §14.1.
 *
 *            kick() and the host may start        the request ended (2xx or failure)
 *   ┌──────┐ ────────────────────────────▶ ┌─────────────┐ ─────────────────────────────▶ idle (kick again)
 *   │ idle │                               │ in-progress │
 *   └──────┘ ◀──── back-off timer ──────── └─────────────┘
 *       ▲                  ┌─────────────┐        │ 491 Request Pending
 *       └──────────────────│ backing-off │ ◀──────┘
 *                          └─────────────┘
 *   close() from any state ──▶ closed
 *
 * §14.1: "Note that a UAC MUST NOT initiate a new INVITE transaction within a dialog while another INVITE
 * transaction is in progress in either direction" — so `kick()` waits while the host reports the other
 * direction busy (`canStart()` false) and the host calls `kick()` again when that transaction ends.
 *
 * §14.1: "If a UAC receives a 491 response to a re-INVITE, it SHOULD start a timer with a value T
 * chosen as follows: 1. If the UAC is the owner of the Call-ID of the dialog ID (meaning it generated
 * the value), T has a randomly chosen value between 2.1 and 4 seconds in units of 10 ms. 2. If the UAC
 * is not the owner of the Call-ID of the dialog ID, T has a randomly chosen value of between 0 and 2
 * seconds in units of 10 ms. When the timer fires, the UAC SHOULD attempt the re-INVITE once more, if
 * it still desires for that session modification to take place." The backing-off state owns that timer.
 *
 * What to send is the host's business (the call knows whether a hold, resume or refresh is still
 * wanted); this machine only decides when.
 */
import type { Clock, Timer } from '../platform/index.ts';

export type SessionUpdateState = 'idle' | 'in-progress' | 'backing-off' | 'closed';

/** How one modification request ended. */
export type SessionUpdateOutcome = 'done' | 'glare' | 'failed';

export interface SessionUpdateHost {
  /** No INVITE transaction is in progress the other way (and the dialog is confirmed). */
  canStart(): boolean;
  /** Send the next wanted modification; undefined when nothing is wanted any more. */
  start(): Promise<SessionUpdateOutcome> | undefined;
}

export interface SessionUpdateClientOptions {
  readonly clock: Clock;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** We generated the dialog's Call-ID (we placed the call). */
  readonly callIdOwner: boolean;
  readonly host: SessionUpdateHost;
  readonly log?: (message: string) => void;
}

/** The §14.1 back-off after a 491, in ms (a multiple of 10). */
export function glareBackoffMs(callIdOwner: boolean, random: () => number): number {
  // Owner: 2.10 … 4.00 s → 191 steps of 10 ms; not owner: 0.00 … 2.00 s → 201 steps.
  return callIdOwner ? 2100 + 10 * Math.floor(random() * 191) : 10 * Math.floor(random() * 201);
}

const LEGAL: Readonly<Record<SessionUpdateState, readonly SessionUpdateState[]>> = {
  idle: ['in-progress', 'closed'],
  'in-progress': ['idle', 'backing-off', 'closed'],
  'backing-off': ['idle', 'closed'],
  closed: [],
};

export class SessionUpdateClient {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #owner: boolean;
  readonly #host: SessionUpdateHost;
  readonly #log: (message: string) => void;
  #state: SessionUpdateState = 'idle';
  #backoff: Timer | undefined;
  /** The back-off chosen after the last 491 (for logs and tests). */
  lastBackoffMs: number | undefined;

  constructor(options: SessionUpdateClientOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#owner = options.callIdOwner;
    this.#host = options.host;
    this.#log = options.log ?? (() => {});
  }

  get state(): SessionUpdateState {
    return this.#state;
  }

  /** Something may need sending: start it now if nothing else is in the way. */
  kick(): void {
    if (this.#state !== 'idle' || !this.#host.canStart()) return;
    const running = this.#host.start();
    if (running === undefined) return;
    this.#transition('in-progress', 'modification sent');
    void running.then((outcome) => this.#ended(outcome));
  }

  close(): void {
    if (this.#state !== 'closed') this.#transition('closed', 'dialog over');
  }

  #ended(outcome: SessionUpdateOutcome): void {
    if (this.#state !== 'in-progress') return;
    if (outcome === 'glare') {
      const delay = glareBackoffMs(this.#owner, this.#random);
      this.lastBackoffMs = delay;
      this.#transition('backing-off', `491 Request Pending: retry in ${delay} ms (RFC 3261 §14.1)`);
      this.#backoff = this.#clock.setTimer(delay, () => {
        this.#backoff = undefined;
        this.#transition('idle', 'back-off over');
        this.kick();
      });
      return;
    }
    this.#transition('idle', outcome === 'done' ? 'modification done' : 'modification failed');
    this.kick();
  }

  #transition(to: SessionUpdateState, cause: string): void {
    const from = this.#state;
    if (!LEGAL[from].includes(to))
      throw new Error(`session update: illegal transition ${from} → ${to} (${cause})`);
    if (from === 'backing-off') {
      this.#backoff?.cancel();
      this.#backoff = undefined;
    }
    this.#state = to;
    this.#log(`session update: ${from} → ${to} (${cause})`);
  }
}
