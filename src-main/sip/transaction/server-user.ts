/** The TU side of a server transaction (RFC 3261 §17.2): the failures it reports upward. */
import type { TransportError } from '../transport/index.ts';

export interface ServerTransactionUser {
  /** Timer H fired: the ACK for our non-2xx final response never came (§17.2.1). */
  timeout?(): void;
  /** A response could not be sent (§17.2.4). */
  transportError?(error: TransportError): void;
}
