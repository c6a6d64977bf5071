/**
 * What the four transaction machines share: the ports they use (a channel to send on, the clock, the
 * timer values, a logger), their identity, and the mechanics of one guarded transition function with
 * timers owned by states. Each machine declares its own states, its table of legal moves and what
 * entering a state does; this class only enforces that table and keeps the timers honest.
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { Clock, Timer } from '../../platform/index.ts';
import type { SipResponse } from '../syntax/index.ts';
import type { SendResult, SipLogger, TransportError } from '../transport/index.ts';
import type { TransactionTimerValues } from './timers.ts';

/** How a client transaction puts its request (and the ACK for a non-2xx) on the wire. */
export interface ClientChannel {
  /** TCP/TLS: no retransmissions, Timers D and K are 0 (RFC 3261 §17.1.1.2, §17.1.2.2). */
  readonly reliable: boolean;
  send(bytes: Uint8Array): SendResult;
}

/** How a server transaction sends its responses (RFC 3261 §18.2.2 is the channel's business). */
export interface ServerChannel {
  /** TCP/TLS: no response retransmissions, Timers I and J are 0. */
  readonly reliable: boolean;
  /** Failures come back later through the transaction's transportError(). */
  send(response: SipResponse): void;
}

export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TransactionTimerValues;
  readonly log: SipLogger;
}

export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

/** The way a transaction ended. */
export type TransactionEnd =
  /** A final response was sent or received and the wait states ran out (the normal end). */
  | { readonly kind: 'completed' }
  /** Timer B or F (client: no final response), or Timer H (server: no ACK). */
  | { readonly kind: 'timeout' }
  /** RFC 3261 §17.1.4 / §17.2.4. */
  | { readonly kind: 'transport-error'; readonly error: TransportError }
  /** The TU or the layer ended it (shutdown, abandoned after CANCEL). */
  | { readonly kind: 'aborted'; readonly reason: string };

export abstract class TransactionCore<S extends string> {
  abstract readonly kind: TransactionKind;
  /** The branch of the top Via: the transaction id (RFC 3261 §17.1.3, §17.2.3). */
  readonly branch: string;
  protected readonly ctx: TransactionContext;
  #state: S;
  /** Timers armed by the current state; every exit cancels them. */
  #stateTimers: Timer[] = [];
  #end: TransactionEnd | undefined;
  readonly #stateChanges = new Emitter<{ from: S; to: S; cause: string }>();
  readonly #terminated = new Emitter<TransactionEnd>();
  readonly #label: string;

  protected constructor(ctx: TransactionContext, branch: string, initial: S, label: string) {
    this.ctx = ctx;
    this.branch = branch;
    this.#state = initial;
    this.#label = label;
  }

  get state(): S {
    return this.#state;
  }

  /** How it ended; undefined while it runs. */
  get end(): TransactionEnd | undefined {
    return this.#end;
  }

  /** The final state (every machine has one). */
  protected abstract readonly finalState: S;
  /** Legal moves: from → the states it may go to. */
  protected abstract readonly moves: Readonly<Record<S, readonly S[]>>;
  /** Entry actions of `state` (arm its timers, send). */
  protected abstract enter(state: S): void;

  get terminated(): boolean {
    return this.#state === this.finalState;
  }

  onStateChange(listener: (change: { from: S; to: S; cause: string }) => void): Disposable {
    return this.#stateChanges.on(listener);
  }

  /** Fires once when the machine reaches its final state. */
  onTerminated(listener: (end: TransactionEnd) => void): Disposable {
    return this.#terminated.on(listener);
  }

  /** The one place a machine changes state. Throws on a move its table does not allow (a bug). */
  protected transition(to: S, cause: string, end?: TransactionEnd): void {
    const from = this.#state;
    if (!this.moves[from].includes(to)) {
      throw new Error(`${this.#label} ${this.branch}: illegal transition ${from} → ${to} (${cause})`);
    }
    for (const t of this.#stateTimers) t.cancel();
    this.#stateTimers = [];
    this.#state = to;
    this.ctx.log('debug', `${this.#label} ${this.branch}: ${from} → ${to} (${cause})`);
    this.#stateChanges.emit({ from, to, cause });
    if (to === this.finalState) {
      this.#end = end ?? { kind: 'completed' };
      this.#stateChanges.clear();
      this.#terminated.emit(this.#end);
      this.#terminated.clear();
      return;
    }
    this.enter(to);
  }

  /** Arm a timer owned by the current state: it is cancelled when the state is left. */
  protected stateTimer(name: string, ms: number, fire: () => void): void {
    const owner = this.#state;
    const timer = this.ctx.clock.setTimer(ms, () => {
      const i = this.#stateTimers.indexOf(timer);
      if (i >= 0) this.#stateTimers.splice(i, 1);
      if (this.#state !== owner)
        throw new Error(`${this.#label}: timer ${name} of ${owner} fired in ${this.#state}`);
      this.ctx.log('debug', `${this.#label} ${this.branch}: timer ${name} fired in ${owner}`);
      fire();
    });
    this.#stateTimers.push(timer);
  }

  /** End the transaction now from any live state (shutdown, or the TU abandoning it). */
  abort(reason: string): void {
    if (this.terminated) return;
    this.transition(this.finalState, reason, { kind: 'aborted', reason });
  }
}
