/**
 * The TU side of a client transaction (RFC 3261 §17.1): what the transaction passes up. Given when the
 * transaction is created, so nothing can arrive before someone listens.
 */
import type { SipResponse } from '../syntax/index.ts';
import type { TransportError } from '../transport/index.ts';

export interface ClientTransactionUser {
  /** Every response the machine passes up: provisionals, the final, and (INVITE) every 2xx while Accepted. */
  receiveResponse(response: SipResponse): void;
  /** Timer B or F fired without a final response (RFC 3261 §8.1.3.1: treat as a 408). */
  timeout?(): void;
  /** The transport failed (RFC 3261 §8.1.3.1: treat as a 503). */
  transportError?(error: TransportError): void;
}
