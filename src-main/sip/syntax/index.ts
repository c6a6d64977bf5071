/**
 * sip/syntax — SIP messages as data: parse, inspect, build, serialize (RFC 3261 §7, §18.3, §19, §20,
 * §25 and the headers of RFC 3326, 3515, 3581, 3891, 3892, 3966, 4028, 5626, 6665). No I/O, no
 * timers, no state beyond the stream framer's buffer. Every other SIP layer is written against this
 * surface; nothing else in this folder is public.
 *
 * ## Receiving
 *
 *   const r = parseMessage(datagram);                    // UDP: one datagram = one message
 *   if (!r.ok) {
 *     // r.error: { code, field, reason, status, reasonPhrase, respond }
 *     if (r.error.respond) send(serialize(createResponse(r.error.request, r.error.status, r.error.reasonPhrase)));
 *     return;                                           // respond: false → drop silently
 *   }
 *   const msg = r.message;                               // SipRequest | SipResponse
 *   if (msg.kind === 'request') { msg.method; msg.uri } else { msg.status; msg.reason }
 *
 *   const framer = new SipStreamFramer();                // TCP/TLS: one per connection
 *   for (const e of framer.push(bytes)) …                // 'message' | 'ping' | 'pong' | 'error'
 *                                                        // (error.fatal → close the connection)
 *
 * parseMessage validates eagerly what every layer relies on: the start line, every Via, From, To,
 * Call-ID, CSeq (its method must match the request's), Max-Forwards (when present), Content-Length
 * and the body length. So on a parsed message these accessors never fail (their values are built on
 * first read and cached):
 *
 *   msg.vias / msg.topVia   Via: transport, host, port, branch, received, rport, maddr, ttl, params
 *   msg.from / msg.to       FromTo: displayName?, uri, tag?, params
 *   msg.callId              string
 *   msg.cseq                { seq, method }
 *   msg.maxForwards         number | undefined (requests)
 *   msg.body                Buffer, exactly Content-Length bytes (a copy)
 *
 * Every other header is parsed when first read, cached, and returned as a value or an error:
 *
 *   const c = msg.headers.all(Header.Contact);           // HeaderResult<readonly ContactValue[]>
 *   if (!c.ok) → answer 400 with c.error.reasonPhrase     // e.g. "Bad Request (invalid Contact)"
 *   msg.headers.first(Header.Expires)                    // HeaderResult<number | undefined>
 *   msg.headers.get('Subject'); .getAll('v'); .values('Allow')   // raw strings, any spelling
 *
 * Header names are case-insensitive and compact forms are understood everywhere ("v" = "Via",
 * "r" = "Refer-To", …); a message keeps each header line in order with the name as written, folding
 * undone, unknown headers included, and serializes them back the same way.
 *
 * ## Sending
 *
 *   const req = createRequest({ method: 'INVITE', uri, from, to, callId: generateCallId(), cseq: 1,
 *     via: { protocol: 'SIP', version: '2.0', transport: 'UDP', host, port, branch: generateBranch(), params: NO_PARAMS },
 *     contact: [{ kind: 'address', uri: contactUri, params: NO_PARAMS }], body: sdp, contentType: 'application/sdp' });
 *   const ringing = createResponse(request, 180, undefined, { toTag });   // RFC 3261 §8.2.6
 *   socket.send(serialize(req));                          // Content-Length always right
 *
 *   msg.headers.replaceFirstValue(Header.Via, { ...msg.topVia, received: ip, rport: port });  // §18.2.1
 *   msg.headers.setValue(Header.Expires, 3600); msg.headers.append('X-Foo', 'bar');
 *
 * URIs: parseUri / formatUri / uriEquals (RFC 3261 §19.1.4) / sipUri (builder). A URI from the wire
 * formats back to its exact text unless rebuilt ({ ...uri, port } is rebuilt).
 *
 * ## Errors
 *
 * Expected failures are values: ParseResult, HeaderResult, UriResult. Functions throw only when
 * handed something no valid message could contain (a header value with CR/LF, a status of 42, an
 * accessor on a built message that lacks the header): those are bugs in the caller.
 */

// messages
export { SipRequest, SipResponse } from './message.ts';
export type { SipMessage, MessageInit, RequestInit, ResponseInit } from './message.ts';
export { parseMessage } from './parser.ts';
export type { ParseOptions, ParseResult } from './parser.ts';
export { serialize } from './serializer.ts';
export { createRequest, createResponse, reasonPhrase, REASON_PHRASES } from './builders.ts';
export type { RequestSpec, ResponseOptions } from './builders.ts';
export { SipStreamFramer } from './framer.ts';
export type { FramerEvent, FramerOptions, FramerState } from './framer.ts';
export { generateBranch, generateCallId, generateTag } from './ids.ts';
export type { RandomBytes } from './ids.ts';

// errors
export type {
  HeaderResult,
  RequestHead,
  SipErrorStatus,
  SipHeaderError,
  SipParseError,
  SipParseErrorCode,
} from './errors.ts';

// headers
export { SipHeaders, defineHeader } from './headers.ts';
export type { HeaderCodec, HeaderField } from './headers.ts';
export { Header } from './header-codecs.ts';
export { canonicalHeaderName, COMPACT_FORMS, headerKey, isListHeader, splitList } from './header-names.ts';
export { formatParams, headerParams, NO_PARAMS } from './params.ts';
export type { HeaderParams } from './params.ts';
export { MAX_DELTA_SECONDS, quote, unquote } from './chars.ts';

// header values
export { BRANCH_MAGIC_COOKIE, isRfc3261Branch, parseViaSentBy } from './via.ts';
export type { Via, ViaSentBy } from './via.ts';
export { formatNameAddr } from './address.ts';
export type { NameAddr } from './address.ts';
export type { ContactAddress, ContactValue, ContactWildcard, FromTo, InfoValue } from './address-headers.ts';
export { authParam, formatAuthParams } from './auth-headers.ts';
export type { AuthParam, AuthValue } from './auth-headers.ts';
export { isCallId, MAX_CSEQ } from './value-headers.ts';
export type {
  CSeq,
  MediaType,
  ProductItem,
  ProductList,
  ReasonValue,
  RetryAfterValue,
} from './value-headers.ts';
export type {
  EventValue,
  MinSessionExpiresValue,
  ReplacesValue,
  SessionExpiresValue,
  SubscriptionStateValue,
} from './dialog-headers.ts';

// URIs
export {
  escapeHeader,
  escapeParam,
  escapePassword,
  escapeUser,
  formatUri,
  isSipUri,
  parseUri,
  sipUri,
  unescapeUriComponent,
  uriEquals,
} from './uri.ts';
export type { AbsoluteUri, SipUri, SipUriInit, TelUri, Uri, UriParams, UriResult } from './uri.ts';
export { hostKind, isIPv4, parseIPv6 } from './host.ts';
export type { HostKind } from './host.ts';
