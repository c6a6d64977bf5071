/**
 * The vocabulary of the SIP transport layer: where a message goes (FlowTarget), what went wrong
 * (TransportError, a value), what arrived (IncomingRequest / IncomingResponse) and the logger every SIP
 * layer shares.
 */
import type { IpFamily, SocketAddress } from '../../platform/index.ts';
import type { SipTransport } from '../resolve/index.ts';
import type { SipRequest, SipResponse, Via } from '../syntax/index.ts';
import type { SipFlow } from './flow.ts';

export type { SipTransport };

export type SipLogLevel = 'debug' | 'info' | 'warn';

/** One line per event; SIP layers never throw for what the network did, they log it. */
export type SipLogger = (level: SipLogLevel, message: string) => void;

export const silentLogger: SipLogger = () => {};

/**
 * One SIP message as it crossed the wire, for diagnostics (the phone's SIP log; `onMessage`). Keepalives
 * (CRLF pings and pongs, STUN) are not SIP messages and are never reported.
 */
export interface SipWireMessage {
  readonly direction: 'in' | 'out';
  readonly transport: SipTransport;
  /** Our address on the flow, as it goes into Via and Contact. */
  readonly local: SocketAddress;
  readonly remote: SocketAddress;
  /**
   * Sent messages and UDP datagrams: the exact bytes. A message received on a stream: the parsed message
   * serialized again (its header lines in order; the framer keeps no copy of the raw bytes). Empty for a
   * stream message that could not be parsed.
   */
  readonly bytes: Uint8Array;
  /** Set when the parser refused an incoming message (it was answered with an error or dropped): why. */
  readonly rejected?: string;
}

/** A resolved next hop (sip/resolve's ResolvedTarget fits), or a known flow. */
export interface FlowTarget {
  readonly transport: SipTransport;
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
  /** The DNS name the address was found under: TLS SNI and the name the certificate must carry. */
  readonly hostname?: string;
}

export type TransportErrorCode =
  /** No socket or listener of that transport/family is open (not started, closed, family not bound). */
  | 'no-socket'
  /** TCP/TLS connect refused, reset or unreachable. */
  | 'connect-failed'
  | 'connect-timeout'
  /** The TLS handshake or the certificate check failed. */
  | 'tls-failed'
  /** The flow closed before or while the message was sent. */
  | 'flow-closed'
  /** The transport layer is closed. */
  | 'shut-down';

/** RFC 3261 §8.1.3.1 / §17.1.4: a transport failure is an outcome, never an exception. */
export interface TransportError {
  readonly code: TransportErrorCode;
  readonly reason: string;
}

export type FlowResult =
  { readonly ok: true; readonly flow: SipFlow } | { readonly ok: false; readonly error: TransportError };

export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: TransportError };

/**
 * Where a request came from, as the server transaction needs it to answer (RFC 3261 §18.2.2): the flow
 * it arrived on, its source address, and its top Via after received/rport were added (§18.2.1).
 */
export interface RequestOrigin {
  readonly flow: SipFlow;
  readonly source: SocketAddress;
  readonly via: Via;
}

export interface IncomingRequest {
  readonly request: SipRequest;
  readonly origin: RequestOrigin;
}

export interface IncomingResponse {
  readonly response: SipResponse;
  readonly flow: SipFlow;
  readonly source: SocketAddress;
  /**
   * Our address as the next hop saw it: the top Via's `received` and `rport` (RFC 3581 §4), when the
   * server filled them in. The registration layer compares it with its Contact to detect a NAT.
   */
  readonly reflexive: SocketAddress | undefined;
}
