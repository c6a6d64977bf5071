/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2).
 *
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 *                 200-699         |  |                         |
 *                 resp. to TU     |  |1xx                      |
 *                 +---------------+  |resp. to TU              |
 *                 |                  |                         |
 *                 |   Timer E        V       Timer F           |
 *                 |   send req +-----------+ or Transport Err. |
 *                 |  +---------|           | inform TU         |
 *                 |  |         |Proceeding |------------------>|
 *                 |  +-------->|           |-----+             |
 *                 |            +-----------+     |1xx          |
 *                 |              |      ^        |resp to TU   |
 *                 | 200-699      |      +--------+             |
 *                 | resp. to TU  |                             |
 *                 |              |                             |
 *                 |              V                             |
 *                 |            +-----------+                   |
 *                 |            |           |                   |
 *                 |            | Completed |                   |
 *                 |            |           |                   |
 *                 |            +-----------+                   |
 *                 |              ^   |                         |
 *                 |              |   | Timer K                 |
 *                 +--------------+   | -                       |
 *                                    |                         |
 *                                    V                         |
 *              NOTE:           +-----------+                   |
 *                              |           |                   |
 *          transitions         | Terminated|<------------------+
 *          labeled with        |           |
 *          the event           +-----------+
 *          over the action
 *          to take
 *
 * Timers: E (retransmit; unreliable only) and F (timeout) run through Trying and Proceeding; each state
 * owns its own copies, and Proceeding re-arms them at the instants they were due, so the schedule is the
 * RFC's: sends at 0, T1, 3·T1, 7·T1 … with the interval doubling up to T2 (and T2 once in Proceeding),
 * timeout at 64·T1. K belongs to Completed (T4 unreliable, 0 reliable).
 */
import { serialize } from '../syntax/index.ts';
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { TransportError } from '../transport/index.ts';
import { timerT4, transactionTimeout } from './timers.ts';
import { TransactionCore } from './transaction-core.ts';
import type { ClientChannel, TransactionContext } from './transaction-core.ts';
import type { ClientTransactionUser } from './client-user.ts';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteClientTransaction extends TransactionCore<NonInviteClientState> {
  readonly kind = 'non-invite-client' as const;
  readonly request: SipRequest;
  readonly channel: ClientChannel;
  protected readonly finalState = 'terminated' as const;
  protected readonly moves: Readonly<Record<NonInviteClientState, readonly NonInviteClientState[]>> = {
    trying: ['proceeding', 'completed', 'terminated'],
    proceeding: ['completed', 'terminated'],
    completed: ['terminated'],
    terminated: [],
  };
  readonly #user: ClientTransactionUser;
  readonly #bytes: Uint8Array;
  /** Timer E's current interval. */
  #intervalE: number;
  /** Monotonic instants at which E and F are due (carried from Trying into Proceeding). */
  #dueE = 0;
  #dueF = 0;
  #started = false;

  constructor(
    ctx: TransactionContext,
    request: SipRequest,
    channel: ClientChannel,
    user: ClientTransactionUser,
  ) {
    super(ctx, request.topVia.branch ?? '', 'trying', 'NICT');
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new Error(`NonInviteClientTransaction for ${request.method}`);
    }
    this.request = request;
    this.channel = channel;
    this.#user = user;
    this.#bytes = serialize(request);
    this.#intervalE = ctx.timers.t1;
  }

  /** Run the entry actions of Trying: send the request, arm E and F. Once. */
  start(): void {
    if (this.#started) throw new Error(`NICT ${this.branch} started twice`);
    this.#started = true;
    this.enter('trying');
  }

  protected enter(state: NonInviteClientState): void {
    const now = this.ctx.clock.monotonic();
    switch (state) {
      case 'trying':
        // §17.1.2.2: "The "Trying" state is entered when the TU initiates a new client transaction with a
        // request. When entering this state, the client transaction SHOULD set timer F to fire in 64*T1
        // seconds. The request MUST be passed to the transport layer for transmission. If an unreliable
        // transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
        if (!this.#send()) return;
        this.#dueF = now + transactionTimeout(this.ctx.timers);
        this.#armF();
        if (!this.channel.reliable) {
          this.#dueE = now + this.#intervalE;
          this.#armE();
        }
        return;
      case 'proceeding':
        // E and F keep their deadlines across the move (they are the same RFC timers).
        this.#armF();
        if (!this.channel.reliable) this.#armE();
        return;
      case 'completed':
        // "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in T4
        // seconds for unreliable transports, and zero seconds for reliable transports."
        this.stateTimer('K', timerT4(this.ctx.timers, this.channel.reliable), () =>
          this.transition('terminated', 'Timer K'),
        );
        return;
      case 'terminated':
        return;
    }
  }

  #armF(): void {
    this.stateTimer('F', this.#dueF - this.ctx.clock.monotonic(), () => {
      // "If Timer F fires while the client transaction is still in the "Trying" state, the client
      // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the "Terminated"
      // state." — the same in "Proceeding".
      this.transition('terminated', 'Timer F', { kind: 'timeout' });
      this.#user.timeout?.();
    });
  }

  #armE(): void {
    this.stateTimer('E', this.#dueE - this.ctx.clock.monotonic(), () => {
      if (!this.#send()) return;
      // Trying: "If timer E fires while still in this state, the timer is reset, but this time with a value
      // of MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1, T2)."
      // Proceeding: "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the
      // transport layer for retransmission, and Timer E MUST be reset with a value of T2 seconds."
      this.#intervalE =
        this.state === 'proceeding' ? this.ctx.timers.t2 : Math.min(2 * this.#intervalE, this.ctx.timers.t2);
      this.#dueE = this.ctx.clock.monotonic() + this.#intervalE;
      this.#armE();
    });
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        if (status < 200) {
          // "If a provisional response is received while in the "Trying" state, the response MUST be passed
          // to the TU, and then the client transaction SHOULD move to the "Proceeding" state."
          if (this.state === 'trying') this.transition('proceeding', `${status} received`);
          this.#user.receiveResponse(response);
        } else {
          // "If a final response (status codes 200-699) is received while in the "Trying" [or "Proceeding"]
          // state, the response MUST be passed to the TU, and the client transaction MUST transition to the
          // "Completed" state."
          this.transition('completed', `${status} received`);
          this.#user.receiveResponse(response);
        }
        return;
      case 'completed':
        // Retransmitted finals are absorbed: "the client transaction [...] buffer[s] any additional
        // response retransmissions that may be received".
        return;
      case 'terminated':
        return;
    }
  }

  transportError(error: TransportError): void {
    // §17.1.4 (and the figure: "Timer F or Transport Err. inform TU" from Trying and Proceeding).
    if (this.terminated) return;
    if (this.state === 'completed') {
      this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
      return;
    }
    this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
    this.#user.transportError?.(error);
  }

  #send(): boolean {
    const result = this.channel.send(this.#bytes);
    if (result.ok) return true;
    this.transportError(result.error);
    return false;
  }
}
