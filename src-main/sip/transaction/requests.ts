/**
 * The requests the transaction layer builds itself: the ACK for a non-2xx final response (RFC 3261
 * §17.1.1.3) and CANCEL (§9.1). Both copy their fields from the request as it went on the wire.
 */
import { Header, createRequest } from '../syntax/index.ts';
import type { NameAddr, SipRequest, SipResponse } from '../syntax/index.ts';

function routesOf(request: SipRequest): readonly NameAddr[] {
  const routes = request.headers.all(Header.Route);
  // We built the original request, so its Route values parse; a failure here is a bug upstream.
  if (!routes.ok) throw new Error(`request has an invalid Route: ${routes.error.reason}`);
  return routes.value;
}

/**
 * RFC 3261 §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values for the
 * Call-ID, From, and Request-URI that are equal to the values of those header fields in the request passed
 * to the transport by the client transaction [...]. The To header field in the ACK MUST equal the To header
 * field in the response being acknowledged [...]. The ACK MUST contain a single Via header field, and this
 * MUST be equal to the top Via header field of the original request. The CSeq header field in the ACK MUST
 * contain the same value for the sequence number as was present in the original request, but the method
 * parameter MUST be equal to "ACK". If the INVITE request whose response is being acknowledged had Route
 * header fields, those header fields MUST appear in the ACK."
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  return createRequest({
    method: 'ACK',
    uri: invite.uri,
    from: invite.from,
    to: response.to,
    callId: invite.callId,
    cseq: invite.cseq.seq,
    via: invite.topVia,
    route: routesOf(invite),
  });
}

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the
 * CANCEL request MUST be identical to those in the request being cancelled, including tags. A CANCEL
 * constructed by a client MUST have only a single Via header field value matching the top Via value in the
 * request being cancelled. [...] If the request being cancelled contains a Route header field, the CANCEL
 * request MUST include that Route header field's values." Extra header lines (e.g. Reason, RFC 3326) are
 * appended.
 */
export function createCancel(
  request: SipRequest,
  headers: Iterable<readonly [string, string]> = [],
): SipRequest {
  return createRequest({
    method: 'CANCEL',
    uri: request.uri,
    from: request.from,
    to: request.to,
    callId: request.callId,
    cseq: request.cseq.seq,
    via: request.topVia,
    route: routesOf(request),
    headers,
  });
}
