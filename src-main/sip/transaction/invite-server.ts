/**
 * The INVITE server transaction: RFC 3261 §17.2.1 with the RFC 6026 §7.1 correction (2xx → "Accepted",
 * Timer L), so that INVITE retransmissions that cross our 2xx are absorbed instead of looking like a new
 * INVITE.
 *
 *                               |INVITE
 *                               |pass INV to TU
 *            INVITE             V send 100 if TU won't in 200 ms
 *            send response+------------+
 *                +--------|            |--------+ 101-199 from TU
 *                |        |            |        | send response
 *                +------->|            |<-------+
 *                         | Proceeding |
 *                         |            |--------+ Transport Err.
 *                         |            |        | Inform TU
 *                         |            |<-------+
 *                         +------------+
 *            300-699 from TU |    |2xx from TU
 *            send response   |    |send response
 *             +--------------+    +------------+
 *             |                                |
 *   INVITE    V          Timer G fires         |
 *   send resp +-----------+ send response      |
 *    +--------|           |--------+           |
 *    |        | Completed |        |           |
 *    +------->|           |<-------+           V        INVITE -
 *             +-----------+             +------------+  2xx from TU
 *                |     |                |  Accepted  |  send response
 *            ACK |     |Timer H fires   |            |  ACK
 *            -   |     |or Transport Err|            |  to TU
 *                V     |Inform TU       +------------+
 *             +-----------+                    |
 *             |           |<----------+        | Timer L fires
 *             | Confirmed |           | ACK    | -
 *             |           |-----------+ -      |
 *             +-----------+                    |
 *                |  Timer I fires              |
 *                V  -                          V
 *             +-----------+              (Terminated)
 *             | Terminated|
 *             +-----------+
 *
 * Timers: the 200 ms "Trying" timer belongs to Proceeding; G (unreliable only) and H to Completed; I (T4,
 * 0 over TCP/TLS) to Confirmed; L to Accepted.
 */
import { createResponse } from '../syntax/index.ts';
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { TransportError } from '../transport/index.ts';
import { timerT4, transactionTimeout } from './timers.ts';
import { TransactionCore } from './transaction-core.ts';
import type { ServerChannel, TransactionContext } from './transaction-core.ts';
import type { ServerTransactionUser } from './server-user.ts';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/** §17.2.1: the 100 (Trying) goes out unless the TU answers within 200 ms. */
export const TRYING_DELAY_MS = 200;

export class InviteServerTransaction extends TransactionCore<InviteServerState> {
  readonly kind = 'invite-server' as const;
  /** The INVITE that created the transaction (top Via with received/rport). */
  readonly request: SipRequest;
  readonly channel: ServerChannel;
  protected readonly finalState = 'terminated' as const;
  protected readonly moves: Readonly<Record<InviteServerState, readonly InviteServerState[]>> = {
    proceeding: ['completed', 'accepted', 'terminated'],
    completed: ['confirmed', 'terminated'],
    confirmed: ['terminated'],
    accepted: ['terminated'],
    terminated: [],
  };
  readonly #user: ServerTransactionUser;
  /** The most recent provisional (Proceeding) or the final response (Completed, Accepted). */
  #lastResponse: SipResponse | undefined;
  #intervalG: number;
  #started = false;

  constructor(
    ctx: TransactionContext,
    request: SipRequest,
    channel: ServerChannel,
    user: ServerTransactionUser = {},
  ) {
    super(ctx, request.topVia.branch ?? '', 'proceeding', 'IST');
    if (request.method !== 'INVITE') throw new Error(`InviteServerTransaction for ${request.method}`);
    this.request = request;
    this.channel = channel;
    this.#user = user;
    this.#intervalG = ctx.timers.t1;
  }

  /** Run the entry actions of Proceeding (arm the 100 Trying timer). Once, after registration. */
  start(): void {
    if (this.#started) throw new Error(`IST ${this.branch} started twice`);
    this.#started = true;
    this.enter('proceeding');
  }

  /** The response the transaction last sent (its To tag decides RFC 2543 ACK matching). */
  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** True while no final response was sent (CANCEL still has an effect, §9.2). */
  get pending(): boolean {
    return this.state === 'proceeding';
  }

  protected enter(state: InviteServerState): void {
    switch (state) {
      case 'proceeding':
        // §17.2.1: "the server transaction MUST generate a 100 (Trying) response unless it knows that the
        // TU will generate a provisional or final response within 200 ms, in which case it MAY generate a
        // 100 (Trying) response."
        this.stateTimer('Trying', TRYING_DELAY_MS, () => {
          if (this.#lastResponse === undefined) this.#sendResponse(createResponse(this.request, 100));
        });
        return;
      case 'completed':
        // "When the "Completed" state is entered, timer H MUST be set to fire in 64*T1 seconds for all
        // transports. [...] If an unreliable transport is being used, timer G [is set] to fire in T1".
        this.stateTimer('H', transactionTimeout(this.ctx.timers), () => {
          // "If timer H fires while in the "Completed" state, it implies that the ACK was never received.
          // In this case, the server transaction MUST transition to the "Terminated" state, and MUST
          // indicate to the TU that a transaction failure has occurred."
          this.transition('terminated', 'Timer H', { kind: 'timeout' });
          this.#user.timeout?.();
        });
        if (!this.channel.reliable) this.#armG();
        return;
      case 'confirmed':
        // "The purpose of the "Confirmed" state is to absorb any additional ACK messages that arrive [...].
        // When this state is entered, timer I is set to fire in T4 seconds for unreliable transports, and
        // zero seconds for reliable transports."
        this.stateTimer('I', timerT4(this.ctx.timers, this.channel.reliable), () =>
          this.transition('terminated', 'Timer I'),
        );
        return;
      case 'accepted':
        // RFC 6026 §7.1: "When the INVITE server transaction enters the "Accepted" state, Timer L MUST be
        // set to fire in 64*T1 for all transports."
        this.stateTimer('L', transactionTimeout(this.ctx.timers), () =>
          this.transition('terminated', 'Timer L'),
        );
        return;
      case 'terminated':
        return;
    }
  }

  #armG(): void {
    this.stateTimer('G', this.#intervalG, () => {
      // "If timer G fires, the response is passed to the transport layer once more for retransmission, and
      // timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when timer G fires, the response is
      // passed to the transport again for transmission, and timer G is reset with a value that doubles,
      // unless that value exceeds T2, in which case it is reset with the value of T2."
      const last = this.#lastResponse;
      if (last !== undefined) this.#sendResponse(last);
      this.#intervalG = Math.min(2 * this.#intervalG, this.ctx.timers.t2);
      this.#armG();
    });
  }

  /**
   * The TU's response. Returns false when the transaction is already over (a race the TU cannot avoid,
   * e.g. answering after a transport error); throws when the TU breaks the protocol (a provisional after a
   * final, a second non-2xx final).
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    switch (this.state) {
      case 'proceeding':
        if (status < 200) {
          // "The TU passes any number of provisional responses to the server transaction. So long as the
          // server transaction is in the "Proceeding" state, each of these MUST be passed to the transport
          // layer for transmission."
          this.#sendResponse(response);
        } else if (status < 300) {
          // RFC 6026 §7.1: "If, while in the "Proceeding" state, the TU passes a 2xx response to the server
          // transaction, the server transaction MUST pass this response to the transport layer for
          // transmission. It is not retransmitted by the server transaction; retransmissions of 2xx
          // responses are handled by the TU. The server transaction MUST then transition to the
          // "Accepted" state."
          this.#lastResponse = response;
          this.transition('accepted', `${status} from TU`);
          this.#sendResponse(response);
        } else {
          // "If, while in the "Proceeding" state, the TU passes a response with status code from 300 to 699
          // to the server transaction, the response MUST be passed to the transport layer for
          // transmission, and the state machine MUST enter the "Completed" state."
          this.#lastResponse = response;
          this.transition('completed', `${status} from TU`);
          this.#sendResponse(response);
        }
        return !this.terminated;
      case 'accepted':
        // RFC 6026 §7.1: "While in the "Accepted" state, if the TU passes a 2xx response, the server
        // transaction MUST pass the response to the transport layer for transmission." (the TU's 2xx
        // retransmissions of §13.3.1.4)
        if (status >= 200 && status < 300) {
          this.#sendResponse(response);
          return true;
        }
        throw new Error(`IST ${this.branch}: ${status} after a 2xx`);
      case 'completed':
      case 'confirmed':
        throw new Error(
          `IST ${this.branch}: ${status} after the final response ${this.#lastResponse?.status ?? ''}`,
        );
      case 'terminated':
        return false;
    }
  }

  /** A retransmission of the INVITE (matched by §17.2.3). */
  receiveRequest(): void {
    switch (this.state) {
      case 'proceeding':
        // "If a request retransmission is received while in the "Proceeding" state, the most recent
        // provisional response that was received from the TU MUST be passed to the transport layer for
        // retransmission."
        if (this.#lastResponse !== undefined) this.#sendResponse(this.#lastResponse);
        return;
      case 'completed':
        // "while in the "Completed" state, if a request retransmission is received, the server SHOULD pass
        // the response to the transport for retransmission."
        if (this.#lastResponse !== undefined) this.#sendResponse(this.#lastResponse);
        return;
      case 'accepted':
        // RFC 6026 §7.1: "The purpose of the "Accepted" state is to absorb retransmissions of an accepted
        // INVITE request. Any such retransmissions are absorbed entirely within the server transaction.
        // They are not passed up to the TU"
        return;
      case 'confirmed':
      case 'terminated':
        return;
    }
  }

  /**
   * An ACK matched to this transaction. Returns true when the TU must see it: RFC 6026 §7.1 passes an ACK
   * that matches an Accepted transaction up to the TU (Figure 7: "ACK / to TU"); the ACK for a non-2xx
   * final response is the transaction's own business.
   */
  receiveAck(): boolean {
    switch (this.state) {
      case 'completed':
        // "If an ACK is received while the server transaction is in the "Completed" state, the server
        // transaction MUST transition to the "Confirmed" state."
        this.transition('confirmed', 'ACK received');
        return false;
      case 'accepted':
        return true;
      case 'proceeding':
      case 'confirmed':
      case 'terminated':
        return false;
    }
  }

  transportError(error: TransportError): void {
    // §17.2.4: "the server transaction [...] SHOULD inform the TU and [...] transition to "Terminated"."
    if (this.terminated) return;
    this.transition('terminated', `transport error: ${error.reason}`, { kind: 'transport-error', error });
    this.#user.transportError?.(error);
  }

  #sendResponse(response: SipResponse): void {
    if (response.status < 200) this.#lastResponse = response;
    this.channel.send(response);
  }
}
