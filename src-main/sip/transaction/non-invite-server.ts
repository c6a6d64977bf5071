/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2).
 *
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             |           |
 *                             | Trying    |-------------+
 *                             |           |             |
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                                   |                   |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *             +<--------------|           |             |
 *             |Trnsprt Err    +-----------+             |
 *             |Inform TU            |                   |
 *             |                     |                   |
 *             |                     |200-699 from TU    |
 *             |                     |send response      |
 *             |  Request            V                   |
 *             |  send response+-----------+             |
 *             |      +--------|           |             |
 *             |      |        | Completed |<------------+
 *             |      +------->|           |
 *             +<--------------|           |
 *             |Trnsprt Err    +-----------+
 *             |Inform TU            |
 *             |                     |Timer J fires
 *             |                     |-
 *             |                     |
 *             |                     V
 *             |               +-----------+
 *             |               |           |
 *             +-------------->| Terminated|
 *                             |           |
 *                             +-----------+
 *
 * Timers: J belongs to Completed (64·T1 unreliable, 0 reliable).
 */
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { TransportError } from '../transport/index.ts';
import { timerJ } from './timers.ts';
import { TransactionCore } from './transaction-core.ts';
import type { ServerChannel, TransactionContext } from './transaction-core.ts';
import type { ServerTransactionUser } from './server-user.ts';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction extends TransactionCore<NonInviteServerState> {
  readonly kind = 'non-invite-server' as const;
  readonly request: SipRequest;
  readonly channel: ServerChannel;
  protected readonly finalState = 'terminated' as const;
  protected readonly moves: Readonly<Record<NonInviteServerState, readonly NonInviteServerState[]>> = {
    trying: ['proceeding', 'completed', 'terminated'],
    proceeding: ['completed', 'terminated'],
    completed: ['terminated'],
    terminated: [],
  };
  readonly #user: ServerTransactionUser;
  #lastResponse: SipResponse | undefined;

  constructor(
    ctx: TransactionContext,
    request: SipRequest,
    channel: ServerChannel,
    user: ServerTransactionUser = {},
  ) {
    super(ctx, request.topVia.branch ?? '', 'trying', 'NIST');
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new Error(`NonInviteServerTransaction for ${request.method}`);
    }
    this.request = request;
    this.channel = channel;
    this.#user = user;
  }

  /** Trying has no entry action; present so that every machine starts the same way. */
  start(): void {}

  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** True while no final response was sent. */
  get pending(): boolean {
    return this.state === 'trying' || this.state === 'proceeding';
  }

  protected enter(state: NonInviteServerState): void {
    switch (state) {
      case 'completed':
        // §17.2.2: "When the server transaction enters the "Completed" state, it MUST set Timer J to fire
        // in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
        this.stateTimer('J', timerJ(this.ctx.timers, this.channel.reliable), () =>
          this.transition('terminated', 'Timer J'),
        );
        return;
      case 'trying':
      case 'proceeding':
      case 'terminated':
        return;
    }
  }

  /**
   * The TU's response. Returns false when it was not sent: the transaction is over, or — RFC 3261 §17.2.2:
   * "Any other final responses passed by the TU to the server transaction MUST be discarded while in the
   * "Completed" state." Throws for a provisional after the final (a TU bug).
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        this.#lastResponse = response;
        if (status < 200) {
          // "While in the "Trying" state, if the TU passes a provisional response to the server
          // transaction, the server transaction MUST enter the "Proceeding" state."
          if (this.state === 'trying') this.transition('proceeding', `${status} from TU`);
        } else {
          // "If the TU passes a final response (status codes 200-699) to the server while in the
          // "Proceeding" state, the transaction MUST enter the "Completed" state" (from Trying as well).
          this.transition('completed', `${status} from TU`);
        }
        this.channel.send(response);
        return true;
      case 'completed':
        if (status < 200)
          throw new Error(`NIST ${this.branch}: provisional ${status} after the final response`);
        this.ctx.log('info', `NIST ${this.branch}: second final response ${status} discarded`);
        return false;
      case 'terminated':
        return false;
    }
  }

  /** A retransmission of the request (matched by §17.2.3). */
  receiveRequest(): void {
    switch (this.state) {
      case 'trying':
        // "Once in the "Trying" state, any further request retransmissions are discarded."
        return;
      case 'proceeding':
      case 'completed':
        // "If a retransmission of the request is received while in the "Proceeding" state, the most
        // recently sent provisional response MUST be passed to the transport layer for retransmission."
        // "While in the "Completed" state, the server transaction MUST pass the final response to the
        // transport layer for retransmission whenever a retransmission of the request is received."
        if (this.#lastResponse !== undefined) this.channel.send(this.#lastResponse);
        return;
      case 'terminated':
        return;
    }
  }

  transportError(error: TransportError): void {
    // §17.2.2: "If a transport error occurs [...] the server transaction [...] MUST inform the TU and move
    // to the "Terminated" state."
    if (this.terminated) return;
    this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
    this.#user.transportError?.(error);
  }
}
