/**
 * OutgoingRequest — one request from the TU's point of view, over as many client transactions as RFC 3263
 * §4.3 failover needs, plus CANCEL for INVITE (RFC 3261 §9.1).
 *
 * RFC 3263 §4.3: "failure occurs if the transaction layer reports a 503 error response or a transport
 * failure of some sort (generally, due to fatal ICMP errors in UDP or connection failures in TCP). Failure
 * also occurs if the transaction layer times out without ever having received any response, provisional
 * or final [...]. If a failure occurs, the client SHOULD create a new request, which is identical to the
 * previous, but has a different value of the Via branch ID than the previous (and therefore constitutes a
 * new SIP transaction). That request is sent to the next element in the list".
 *
 *                   target found, flow open, transaction started
 *   ┌──────────┐ ─────────────────────────────────────────────▶ ┌────────┐ final response / no
 *   │ locating │ ◀── 503, transport error, or timeout without ── │ trying │ ──  failover possible ──┐
 *   └──────────┘     any response (next target, new branch)      └────────┘                         │
 *     │ no target left,          cancel() before any 1xx │  │ cancel() after a 1xx                  │
 *     │ or cancel()                                      ▼  ▼                                       │
 *     │                                  ┌────────────────┐ 1xx ┌────────────┐ final, or 64·T1      │
 *     │                                  │ cancel-pending │ ──▶ │ cancelling │ ─────────────────┐   │
 *     │                                  └────────────────┘     └────────────┘                  │   │
 *     │                                          │ final / timeout / transport error            │   │
 *     ▼                                          ▼                                              ▼   ▼
 *   ┌──────────────────────────────────────────────────────────────────────────────────────────────────┐
 *   │ finished   (the outcome is known; an INVITE's transaction may still pass 2xx from other forks)   │
 *   └──────────────────────────────────────────────────────────────────────────────────────────────────┘
 *
 * The cancelling state owns the §9.1 give-up timer: "If there is no final response for the original
 * request in 64*T1 seconds [...], the client SHOULD then consider the original transaction cancelled and
 * SHOULD destroy the client transaction handling the original request."
 */
import type { Timer } from '../../platform/index.ts';
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { FlowTarget, SipFlow, TransportError } from '../transport/index.ts';
import { InviteClientTransaction } from './invite-client.ts';
import { createCancel } from './requests.ts';
import { transactionTimeout } from './timers.ts';
import { ensureBranch, withNewBranch } from './transaction-layer.ts';
import type { ClientTransaction, TransactionLayer } from './transaction-layer.ts';
import type { ClientTransactionUser } from './client-user.ts';

/** Where the targets come from: sip/resolve's TargetIterator fits (its ResolvedTarget is a FlowTarget). */
export interface TargetSource {
  next(): Promise<FlowTarget | undefined>;
}

/** A list of known targets as a TargetSource (an explicit flow or address; tests). */
export function targetList(targets: readonly FlowTarget[]): TargetSource {
  let i = 0;
  return { next: async () => targets[i++] };
}

export type RequestOutcome =
  /** A final response ended it (2xx: the first one; later 2xx of other forks arrive via onResponse). */
  | { readonly kind: 'final'; readonly response: SipResponse }
  /** Timer B/F without a response on the last target, or no final 64·T1 after CANCEL (§9.1). */
  | { readonly kind: 'timeout' }
  /** The last target failed at the transport level (§8.1.3.1: treat as 503). */
  | { readonly kind: 'transport-error'; readonly error: TransportError }
  /** Resolution gave no target at all. */
  | { readonly kind: 'no-target' }
  /** cancel() before the request was sent anywhere. */
  | { readonly kind: 'cancelled' }
  /** The transaction layer closed under it. */
  | { readonly kind: 'aborted'; readonly reason: string };

export type OutgoingRequestState = 'locating' | 'trying' | 'cancel-pending' | 'cancelling' | 'finished';

export interface OutgoingRequestUser {
  /**
   * Every response passed up: provisionals, the final response, and for INVITE each further 2xx (forks,
   * retransmissions) while the transaction is Accepted. A 503 that triggers failover is not passed up.
   */
  onResponse?(response: SipResponse, request: OutgoingRequest): void;
  /** Each attempt, after the flow is chosen and the Via stamped, before sending (e.g. to set Contact). */
  prepare?(request: SipRequest, flow: SipFlow): void;
}

export interface OutgoingRequestOptions {
  readonly targets: TargetSource;
  readonly user?: OutgoingRequestUser;
  /** Try the next target after a 503 (default true, RFC 3263 §4.3). */
  readonly failoverOn503?: boolean;
}

export class OutgoingRequest {
  readonly #layer: TransactionLayer;
  readonly #targets: TargetSource;
  readonly #user: OutgoingRequestUser;
  readonly #failoverOn503: boolean;
  #state: OutgoingRequestState = 'locating';
  #request: SipRequest;
  #transaction: ClientTransaction | undefined;
  #flow: SipFlow | undefined;
  #target: FlowTarget | undefined;
  #attempts = 0;
  #gotResponse = false;
  #lastFailure: RequestOutcome | undefined;
  #cancelHeaders: readonly (readonly [string, string])[] = [];
  #giveUpTimer: Timer | undefined;
  #cancelTransaction: ClientTransaction | undefined;
  readonly #result: Promise<RequestOutcome>;
  #resolve!: (outcome: RequestOutcome) => void;
  #outcome: RequestOutcome | undefined;

  constructor(layer: TransactionLayer, request: SipRequest, options: OutgoingRequestOptions) {
    this.#layer = layer;
    this.#targets = options.targets;
    this.#user = options.user ?? {};
    this.#failoverOn503 = options.failoverOn503 ?? true;
    this.#request = request;
    ensureBranch(request);
    this.#result = new Promise((resolve) => (this.#resolve = resolve));
    void this.#nextAttempt();
  }

  get state(): OutgoingRequestState {
    return this.#state;
  }

  get method(): string {
    return this.#request.method;
  }

  /** The request of the current (or last) attempt, as sent: its Via, its Contact (for ACK, CANCEL, auth). */
  get request(): SipRequest {
    return this.#request;
  }

  get transaction(): ClientTransaction | undefined {
    return this.#transaction;
  }

  /** The flow of the current attempt (registration keeps it; in-dialog requests may reuse it). */
  get flow(): SipFlow | undefined {
    return this.#flow;
  }

  get target(): FlowTarget | undefined {
    return this.#target;
  }

  get attempts(): number {
    return this.#attempts;
  }

  /** How it ended; settles once, never rejects. */
  get result(): Promise<RequestOutcome> {
    return this.#result;
  }

  get outcome(): RequestOutcome | undefined {
    return this.#outcome;
  }

  /**
   * Cancel an INVITE (RFC 3261 §9.1). Before anything was sent: nothing goes out and the outcome is
   * `cancelled`. Before a provisional response: "the CANCEL request MUST NOT be sent; rather, the client
   * MUST wait for the arrival of a provisional response before sending the request." After a final
   * response: "the CANCEL [...] has no effect" — nothing is sent. `headers` are added to the CANCEL
   * (e.g. Reason, RFC 3326).
   */
  cancel(headers: Iterable<readonly [string, string]> = []): void {
    if (this.#request.method !== 'INVITE')
      throw new Error(`CANCEL is for INVITE, not ${this.#request.method} (RFC 3261 §9)`);
    this.#cancelHeaders = [...headers];
    switch (this.#state) {
      case 'locating':
        this.#finish({ kind: 'cancelled' }, 'cancelled before sending');
        return;
      case 'trying':
        if (this.#gotResponse) this.#sendCancel();
        else this.#transition('cancel-pending', 'cancel() before a provisional response');
        return;
      case 'cancel-pending':
      case 'cancelling':
      case 'finished':
        return;
    }
  }

  #transition(to: OutgoingRequestState, cause: string): void {
    const from = this.#state;
    const legal: Record<OutgoingRequestState, readonly OutgoingRequestState[]> = {
      locating: ['trying', 'finished'],
      trying: ['locating', 'cancel-pending', 'cancelling', 'finished'],
      'cancel-pending': ['cancelling', 'finished'],
      cancelling: ['finished'],
      finished: [],
    };
    if (!legal[from].includes(to))
      throw new Error(`outgoing ${this.#request.method}: illegal transition ${from} → ${to} (${cause})`);
    // Leaving cancelling: its give-up timer goes.
    if (from === 'cancelling') {
      this.#giveUpTimer?.cancel();
      this.#giveUpTimer = undefined;
    }
    this.#state = to;
    this.#layer.log(
      'debug',
      `outgoing ${this.#request.method} ${this.#request.callId}: ${from} → ${to} (${cause})`,
    );
    if (to === 'cancelling') {
      this.#giveUpTimer = this.#layer.clock.setTimer(transactionTimeout(this.#layer.timers), () => {
        this.#giveUpTimer = undefined;
        const tx = this.#transaction;
        this.#finish({ kind: 'timeout' }, 'no final response 64·T1 after CANCEL');
        tx?.abort('no final response 64·T1 after CANCEL (RFC 3261 §9.1)');
      });
    }
  }

  #finish(outcome: RequestOutcome, cause: string): void {
    if (this.#state === 'finished') return;
    this.#transition('finished', cause);
    this.#outcome = outcome;
    this.#resolve(outcome);
  }

  async #nextAttempt(): Promise<void> {
    for (;;) {
      if (this.#state !== 'locating') return;
      let target: FlowTarget | undefined;
      try {
        target = await this.#targets.next();
      } catch (error) {
        this.#finish(
          this.#lastFailure ?? { kind: 'no-target' },
          `target lookup failed: ${(error as Error).message}`,
        );
        return;
      }
      if ((this.#state as OutgoingRequestState) !== 'locating') return;
      if (target === undefined) {
        this.#finish(this.#lastFailure ?? { kind: 'no-target' }, 'no more targets');
        return;
      }
      // RFC 3263 §4.3: every retry is a new transaction with a new branch.
      if (this.#attempts > 0) this.#request = withNewBranch(this.#request);
      this.#attempts++;
      this.#target = target;
      this.#gotResponse = false;
      const request = this.#request;
      const started = await this.#layer.sendRequest(
        request,
        target,
        this.#transactionUser(),
        this.#user.prepare,
      );
      if ((this.#state as OutgoingRequestState) !== 'locating') {
        // cancel() or close while connecting: drop what we started.
        if (started.ok) started.transaction.abort('request cancelled while connecting');
        return;
      }
      if (!started.ok) {
        this.#lastFailure = { kind: 'transport-error', error: started.error };
        continue;
      }
      this.#transaction = started.transaction;
      this.#flow = started.flow;
      if (started.transaction.terminated) {
        // Failed on its first send; its user callbacks already recorded why.
        if (started.transaction.end?.kind === 'aborted') {
          this.#finish({ kind: 'aborted', reason: started.transaction.end.reason }, 'aborted');
          return;
        }
        continue;
      }
      this.#transition('trying', `sent to ${target.transport}:${target.address}:${target.port}`);
      started.transaction.onTerminated((end) => {
        if (end.kind === 'aborted' && this.#transaction === started.transaction) {
          this.#finish({ kind: 'aborted', reason: end.reason }, 'transaction aborted');
        }
      });
      return;
    }
  }

  /** Callbacks of one attempt: they act only while that attempt is the current one. */
  #transactionUser(): ClientTransactionUser {
    const attempt = this.#attempts;
    const current = (): boolean => attempt === this.#attempts;
    return {
      receiveResponse: (response) => {
        if (current()) this.#response(response);
      },
      timeout: () => {
        if (current()) this.#failed({ kind: 'timeout' }, !this.#gotResponse);
      },
      transportError: (error) => {
        if (current()) this.#failed({ kind: 'transport-error', error }, true);
      },
    };
  }

  #response(response: SipResponse): void {
    const status = response.status;
    this.#gotResponse = true;
    if (this.#state === 'finished') {
      // An INVITE transaction in Accepted passes further 2xx (forks): the TU must ACK them.
      this.#user.onResponse?.(response, this);
      return;
    }
    if (status < 200) {
      this.#user.onResponse?.(response, this);
      if (this.#state === 'cancel-pending') this.#sendCancel();
      return;
    }
    if (status === 503 && this.#failoverOn503 && this.#state === 'trying') {
      // RFC 3263 §4.3: a 503 is a failure of this target; try the next one.
      this.#lastFailure = { kind: 'final', response };
      this.#transition('locating', '503 → next target');
      void this.#nextAttempt();
      return;
    }
    this.#finish({ kind: 'final', response }, `${status} received`);
    this.#user.onResponse?.(response, this);
  }

  #failed(outcome: RequestOutcome, mayFailOver: boolean): void {
    if (this.#state === 'finished') return;
    this.#lastFailure = outcome;
    // The first send failed inside sendRequest: the locating loop goes on by itself.
    if (this.#state === 'locating') return;
    if (this.#state === 'trying' && mayFailOver) {
      this.#transition('locating', `${outcome.kind} → next target`);
      void this.#nextAttempt();
      return;
    }
    this.#finish(outcome, outcome.kind);
  }

  #sendCancel(): void {
    const invite = this.#transaction;
    const flow = this.#flow;
    if (!(invite instanceof InviteClientTransaction) || flow === undefined) return;
    this.#transition('cancelling', 'CANCEL sent');
    // §9.1: the CANCEL goes where the INVITE went — same flow, same top Via (and so the same branch).
    const cancel = createCancel(invite.request, this.#cancelHeaders);
    this.#cancelTransaction = this.#layer.startClientTransaction(cancel, flow, {
      receiveResponse: () => {},
    });
  }

  /** The CANCEL's own transaction, once sent. */
  get cancelTransaction(): ClientTransaction | undefined {
    return this.#cancelTransaction;
  }
}
