/**
 * The INVITE client transaction: RFC 3261 §17.1.1 with the RFC 6026 §7.2 correction (the "Accepted"
 * state, Timer M), which keeps the transaction alive after a 2xx so that retransmitted and forked 2xx
 * responses still reach the TU instead of being stray responses.
 *
 *                          |INVITE from TU
 *        Timer A fires     |INVITE sent
 *        Reset A,          V                      Timer B fires
 *        INVITE sent +-----------+                or Transport Err.
 *          +---------|           |---------------+inform TU
 *          |         |  Calling  |               |
 *          +-------->|           |-------------->|
 *                    +-----------+ 2xx           |
 *                       |  |       2xx to TU     |
 *                       |  |1xx                  |
 *    300-699 +----------+  |1xx to TU            |
 *   ACK sent |             |                     |
 * resp. to TU|  1xx        V                     |
 *            |  1xx to TU -----------+           |
 *            |  +---------|           |          |
 *            |  |         |Proceeding |--------->|
 *            |  +-------->|           | 2xx      |
 *            |            +-----------+ 2xx to TU|
 *            |       300-699    |                |
 *            |       ACK sent,  |                |
 *            |       resp. to TU|                |
 *            |                  |                |      NOTE:
 *            |  300-699         V                |
 *            |  ACK sent  +-----------+Transport Err.  transitions
 *            |  +---------|           |Inform TU |  labeled with
 *            |  |         | Completed |--------->|  the event
 *            |  +-------->|           |          |  over the action
 *            |            +-----------+          |  to take
 *            |              ^   |                |
 *            |              |   | Timer D fires  |
 *            +--------------+   | -              |
 *                               |                |
 *                               V                |
 *     2xx to TU       +------------+             |
 *     +-------------- |  Accepted  |<------------+  (RFC 6026 Figure 5)
 *     |               |            |
 *     +-------------->+------------+
 *                           |   Timer M fires
 *                           V
 *                     +------------+
 *                     | Terminated |
 *                     +------------+
 *
 * Timers: A and B belong to Calling, D to Completed, M to Accepted. A and D apply to unreliable
 * transports only (D is 0 over TCP/TLS); B and M always run.
 */
import { serialize } from '../syntax/index.ts';
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { TransportError } from '../transport/index.ts';
import { createNon2xxAck } from './requests.ts';
import { timerD, transactionTimeout } from './timers.ts';
import { TransactionCore } from './transaction-core.ts';
import type { ClientChannel, TransactionContext } from './transaction-core.ts';
import type { ClientTransactionUser } from './client-user.ts';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export class InviteClientTransaction extends TransactionCore<InviteClientState> {
  readonly kind = 'invite-client' as const;
  /** The INVITE as it went on the wire. */
  readonly request: SipRequest;
  readonly channel: ClientChannel;
  protected readonly finalState = 'terminated' as const;
  protected readonly moves: Readonly<Record<InviteClientState, readonly InviteClientState[]>> = {
    calling: ['proceeding', 'completed', 'accepted', 'terminated'],
    proceeding: ['completed', 'accepted', 'terminated'],
    completed: ['terminated'],
    accepted: ['terminated'],
    terminated: [],
  };
  readonly #user: ClientTransactionUser;
  readonly #bytes: Uint8Array;
  #ack: Uint8Array | undefined;
  /** Timer A's current interval. */
  #intervalA: number;

  /** The transaction starts in Calling; start() sends the INVITE (after the owner has registered it). */
  constructor(
    ctx: TransactionContext,
    request: SipRequest,
    channel: ClientChannel,
    user: ClientTransactionUser,
  ) {
    super(ctx, request.topVia.branch ?? '', 'calling', 'ICT');
    if (request.method !== 'INVITE') throw new Error(`InviteClientTransaction for ${request.method}`);
    this.request = request;
    this.channel = channel;
    this.#user = user;
    this.#bytes = serialize(request);
    this.#intervalA = ctx.timers.t1;
  }

  #started = false;

  /** Run the entry actions of Calling: send the INVITE, arm A and B. Once. */
  start(): void {
    if (this.#started) throw new Error(`ICT ${this.branch} started twice`);
    this.#started = true;
    this.enter('calling');
  }

  protected enter(state: InviteClientState): void {
    switch (state) {
      case 'calling': {
        // §17.1.1.2: "The client transaction MUST pass the request to the transport layer for
        // transmission [...]. If an unreliable transport is being used, the client transaction MUST start
        // timer A with a value of T1. [...] For any transport, the client transaction MUST start timer B
        // with a value of 64*T1 seconds"
        if (!this.#send(this.#bytes)) return;
        if (!this.channel.reliable) this.#armA();
        this.stateTimer('B', transactionTimeout(this.ctx.timers), () => {
          // "If the client transaction is still in the "Calling" state when timer B fires, the client
          // transaction SHOULD inform the TU that a timeout has occurred."
          this.transition('terminated', 'Timer B', { kind: 'timeout' });
          this.#user.timeout?.();
        });
        return;
      }
      case 'proceeding':
        // "In the "Proceeding" state, the client transaction SHOULD NOT retransmit the request any longer."
        return;
      case 'completed':
        // "The client transaction SHOULD start timer D when it enters the "Completed" state, with a value
        // of at least 32 seconds for unreliable transports, and a value of zero seconds for reliable
        // transports."
        this.stateTimer('D', timerD(this.ctx.timers, this.channel.reliable), () =>
          this.transition('terminated', 'Timer D'),
        );
        return;
      case 'accepted':
        // RFC 6026 §7.2: "When the "Accepted" state is entered, timer M MUST be set to fire in 64*T1".
        this.stateTimer('M', transactionTimeout(this.ctx.timers), () =>
          this.transition('terminated', 'Timer M'),
        );
        return;
      case 'terminated':
        return;
    }
  }

  #armA(): void {
    this.stateTimer('A', this.#intervalA, () => {
      // "When timer A fires, the client transaction MUST retransmit the request by passing it to the
      // transport layer, and MUST reset the timer with a value of 2*T1." (doubling each time, no cap)
      if (!this.#send(this.#bytes)) return;
      this.#intervalA *= 2;
      this.#armA();
    });
  }

  /** A response matched to this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          // "If the client transaction receives a provisional response while in the "Calling" state, it
          // transitions to the "Proceeding" state. [...] Furthermore, the provisional response MUST be
          // passed to the TU."
          if (this.state === 'calling') this.transition('proceeding', `${status} received`);
          this.#user.receiveResponse(response);
        } else if (status < 300) {
          // RFC 6026 §7.2: "reception of a 2xx response MUST cause the client transaction to enter the
          // "Accepted" state, and the response MUST be passed up to the TU."
          this.transition('accepted', `${status} received`);
          this.#user.receiveResponse(response);
        } else {
          // "When in either the "Calling" or "Proceeding" states, reception of a response with status code
          // from 300-699 MUST cause the client transaction to transition to "Completed". The client
          // transaction MUST pass the received response up to the TU, and the client transaction MUST
          // generate an ACK request, even if the transport is reliable"
          const ack = serialize(createNon2xxAck(this.request, response));
          this.#ack = ack;
          this.transition('completed', `${status} received`);
          this.#user.receiveResponse(response);
          this.#send(ack);
        }
        return;
      case 'completed':
        // "Any retransmissions of the final response that are received while in the "Completed" state
        // MUST cause the ACK to be re-passed to the transport layer for retransmission, but the newly
        // received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.#ack !== undefined) this.#send(this.#ack);
        return;
      case 'accepted':
        // RFC 6026 §7.2: "any 2xx responses received while in the "Accepted" state MUST be passed up to the
        // TU" (retransmissions, and 2xx from other branches of a forked INVITE).
        if (status >= 200 && status < 300) this.#user.receiveResponse(response);
        return;
      case 'terminated':
        return;
    }
  }

  /** The transport failed under this transaction (a send failed, or the connection closed). */
  transportError(error: TransportError): void {
    // §17.1.4: "the client transaction SHOULD inform the TU that a transport failure has occurred, and the
    // client transaction SHOULD transition directly to the "Terminated" state."
    if (this.terminated || this.state === 'accepted') return;
    if (this.state === 'completed') {
      // The TU has its final response; only the ACK retransmissions are lost.
      this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
      return;
    }
    this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
    this.#user.transportError?.(error);
  }

  #send(bytes: Uint8Array): boolean {
    const result = this.channel.send(bytes);
    if (result.ok) return true;
    this.transportError(result.error);
    return false;
  }
}
