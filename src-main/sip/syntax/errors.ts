/**
 * Parse failures are values. A message-level failure says which field failed, which response the
 * UAS must send, and whether a response is possible at all; a header-level failure (from the lazy
 * typed accessors) says which header failed and why, and always maps to 400 Bad Request.
 */
import type { SipHeaders } from './headers.ts';

export type SipParseErrorCode =
  /** Only CRLFs (a keepalive) or nothing. */
  | 'empty-message'
  /** Request-Line / Status-Line does not follow RFC 3261 §7.1 / §7.2. */
  | 'malformed-start-line'
  /** SIP-Version other than SIP/2.0 (answered with 505, RFC 3261 §21.5.7). */
  | 'version-not-supported'
  /** Request-URI scheme outside the caller's list (RFC 3261 §8.2.2.1, 416). */
  | 'unsupported-uri-scheme'
  /** A header line without a colon, with a bad name, with a bare CR/LF, or the header section cut off. */
  | 'malformed-header-line'
  /** The header section is not valid UTF-8 (RFC 3261 §7.3.1: TEXT-UTF8). */
  | 'invalid-encoding'
  /** A mandatory header (Via, From, To, Call-ID, CSeq) is absent. */
  | 'missing-header'
  /** A header that may appear once appears more than once (RFC 4475 §3.3.8). */
  | 'duplicate-header'
  /** A header value does not follow its grammar. */
  | 'invalid-header'
  /** CSeq method differs from the request method (RFC 4475 §3.1.2.17). */
  | 'method-mismatch'
  /** The datagram ends before Content-Length bytes of body (RFC 3261 §18.3). */
  | 'body-truncated'
  /** A stream message without Content-Length (RFC 3261 §18.3). */
  | 'missing-content-length'
  /** Header block or body larger than the configured limit (stream framing). */
  | 'message-too-large';

/** The response statuses a parse failure can call for. */
export type SipErrorStatus = 400 | 416 | 505 | 513;

/** What createResponse needs from a request that could not be fully parsed. */
export interface RequestHead {
  readonly method: string;
  readonly headers: SipHeaders;
}

interface SipParseErrorBase {
  readonly code: SipParseErrorCode;
  /** The element that failed: 'Request-Line', 'Request-URI', 'SIP-Version', a header's full name… */
  readonly field: string;
  /** One sentence for logs. */
  readonly reason: string;
  /** The response status a UAS sends for this failure. */
  readonly status: SipErrorStatus;
  /** The Reason-Phrase to send with `status`, naming the field: "Bad Request (invalid CSeq)". */
  readonly reasonPhrase: string;
}

/**
 * `respond: true` — a request with a usable top Via: answer it with
 * `createResponse(error.request, error.status, error.reasonPhrase)`.
 * `respond: false` — a response, or a request without a usable Via: drop it silently
 * (RFC 3261 §18.3: "If the message is a response, it MUST be discarded").
 */
export type SipParseError =
  | (SipParseErrorBase & { readonly respond: true; readonly request: RequestHead })
  | (SipParseErrorBase & { readonly respond: false });

/** A typed header that failed to parse (lazy accessors). Answer a request carrying it with 400. */
export interface SipHeaderError {
  readonly code: 'invalid-header' | 'missing-header' | 'duplicate-header';
  readonly field: string;
  readonly reason: string;
  readonly status: 400;
  readonly reasonPhrase: string;
}

export type HeaderResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SipHeaderError };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** A failed header parse: `field` is the header's full name, `reason` a short sentence. */
export function invalid(
  field: string,
  reason: string,
): { readonly ok: false; readonly error: SipHeaderError } {
  return { ok: false, error: headerError('invalid-header', field, reason) };
}

export function headerError(code: SipHeaderError['code'], field: string, reason: string): SipHeaderError {
  const what = code === 'missing-header' ? 'missing' : code === 'duplicate-header' ? 'duplicate' : 'invalid';
  return { code, field, reason, status: 400, reasonPhrase: `Bad Request (${what} ${field})` };
}
