/**
 * The UAS core's checks of a new request, RFC 3261 §8.2, in the order the section gives them: method
 * (§8.2.1), Request-URI scheme (§8.2.2.1), merged requests (§8.2.2.2), Require (§8.2.2.3), then content
 * (§8.2.3). "If any of the checks fail, the UAS MUST generate a response. The UAS MUST not proceed
 * further." Between Require and content come Max-Forwards (a UA is the final recipient; see
 * `MaxForwardsPolicy`) and the headers this UA will read, parsed now so that a malformed one is answered
 * with 400 naming it. Dialog checks (481, out-of-order 500, §12.2.2) follow in the user agent.
 *
 * Each check is a pure function of the request and the UA's capabilities; `checkRequest` runs them in
 * order and returns the first rejection.
 */
import { Header } from '../syntax/index.ts';
import type { HeaderCodec, SipRequest } from '../syntax/index.ts';

/** Every method RFC 3261 and the extensions we meet define: unknown ones get 501, known unhandled 405. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

/**
 * Max-Forwards 0 at a UA. RFC 3261 §16.3 step 3 is a proxy rule ("If the request does not contain a
 * Max-Forwards header field, this check is passed. If the request contains a Max-Forwards header field
 * with a field value greater than zero, the check is passed. If the request contains a Max-Forwards header
 * field with a field value of zero (0), the element MUST NOT forward the request. If the request was for
 * OPTIONS, the element MAY act as the final recipient and respond per Section 11. Otherwise, the element
 * MUST return a 483 (Too many hops) response."). A UA never forwards, so by default it accepts such
 * requests ('accept'); 'reject-except-options' applies the proxy rule (a B2BUA-like loop guard).
 */
export type MaxForwardsPolicy = 'accept' | 'reject-except-options';

export interface UasCapabilities {
  /** Methods with a handler, plus those the UA core answers itself (ACK, CANCEL, OPTIONS). */
  readonly allow: readonly string[];
  /** Request-URI schemes served (lower case). */
  readonly uriSchemes: readonly string[];
  /** Option tags we support (Require check, Supported header). */
  readonly supported: readonly string[];
  /** Body types this method's handler understands ("application/sdp"), lower case. */
  readonly accept: readonly string[];
  readonly maxForwards: MaxForwardsPolicy;
}

export interface Rejection {
  readonly status: number;
  readonly reason?: string;
  readonly headers?: readonly (readonly [string, string])[];
}

/** §8.2.1: "If the UAS recognizes but does not support the method of a request, it MUST generate a 405
 * (Method Not Allowed) response. [...] The UAS MUST also add an Allow header field to the 405 response."
 * An unknown method gets 501 Not Implemented (§21.5.2), with Allow as well. */
export function checkMethod(request: SipRequest, caps: UasCapabilities): Rejection | undefined {
  if (caps.allow.includes(request.method)) return undefined;
  const headers: [string, string][] = [['Allow', caps.allow.join(', ')]];
  return KNOWN_METHODS.has(request.method) ? { status: 405, headers } : { status: 501, headers };
}

/** §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD reject the request with
 * a 416 (Unsupported URI Scheme) response." */
export function checkUriScheme(request: SipRequest, caps: UasCapabilities): Rejection | undefined {
  const uri = request.uri;
  const scheme = uri.kind === 'sip' ? uri.scheme : uri.kind === 'tel' ? 'tel' : uri.scheme;
  return caps.uriSchemes.includes(scheme) ? undefined : { status: 416 };
}

export function checkMaxForwards(request: SipRequest, caps: UasCapabilities): Rejection | undefined {
  if (caps.maxForwards === 'accept' || request.method === 'OPTIONS') return undefined;
  return request.maxForwards === 0 ? { status: 483 } : undefined;
}

/** §8.2.2.3: "If a UAS does not understand an option-tag listed in a Require header field, it MUST respond
 * by generating a response with status code 420 (Bad Extension). The UAS MUST add an Unsupported header
 * field, and list in it those options it does not understand amongst those in the Require header field of
 * the request." §8.1.1.9 keeps Require out of ACK and CANCEL, so those are not checked. */
export function checkRequire(request: SipRequest, caps: UasCapabilities): Rejection | undefined {
  if (request.method === 'ACK' || request.method === 'CANCEL') return undefined;
  const require = request.headers.all(Header.Require);
  if (!require.ok) return { status: 400, reason: require.error.reasonPhrase };
  const unsupported = require.value.filter(
    (tag) => !caps.supported.some((s) => s.toLowerCase() === tag.toLowerCase()),
  );
  if (unsupported.length === 0) return undefined;
  return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
}

/** The headers a UA reads, by method; a malformed one is a 400 naming it. */
const COMMON_HEADERS: readonly HeaderCodec<unknown>[] = [
  Header.ContentType,
  Header.Supported,
  Header.Allow,
  Header.Accept,
  Header.Expires,
];
const METHOD_HEADERS: Readonly<Record<string, readonly HeaderCodec<unknown>[]>> = {
  INVITE: [Header.Contact, Header.RecordRoute, Header.SessionExpires, Header.MinSE, Header.Replaces],
  UPDATE: [Header.Contact, Header.SessionExpires, Header.MinSE],
  SUBSCRIBE: [Header.Contact, Header.RecordRoute, Header.Event],
  NOTIFY: [Header.Contact, Header.Event, Header.SubscriptionState],
  REFER: [Header.Contact, Header.RecordRoute, Header.ReferTo, Header.ReferredBy],
  BYE: [Header.Reason],
  CANCEL: [Header.Reason],
};

/** Parse the headers the handler of this method will read: "Bad Request (invalid Contact)". */
export function checkHeaders(request: SipRequest): Rejection | undefined {
  for (const codec of [...COMMON_HEADERS, ...(METHOD_HEADERS[request.method] ?? [])]) {
    if (!request.headers.has(codec.name)) continue;
    const parsed = request.headers.all(codec);
    if (!parsed.ok) return { status: 400, reason: parsed.error.reasonPhrase };
  }
  return undefined;
}

/**
 * §8.2.3: "If a UAS does not understand the type of body [...], it MUST reject the request with a 415
 * (Unsupported Media Type) response. The response MUST contain an Accept header field listing the types of
 * all bodies it understands [...]. If the request contained content encodings not understood by the UAS,
 * the response MUST contain an Accept-Encoding header field listing the encodings understood by the UAS."
 * A body-less request passes.
 */
export function checkContent(request: SipRequest, caps: UasCapabilities): Rejection | undefined {
  if (request.body.length === 0) return undefined;
  const accept: [string, string] = ['Accept', caps.accept.join(', ')];
  const encoding = request.headers.values('Content-Encoding').filter((e) => e.toLowerCase() !== 'identity');
  if (encoding.length > 0) return { status: 415, headers: [accept, ['Accept-Encoding', 'identity']] };
  const type = request.headers.first(Header.ContentType);
  if (!type.ok) return { status: 400, reason: type.error.reasonPhrase };
  // RFC 3261 §20.15: "The Content-Type header field MUST be present if the body is not empty."
  if (type.value === undefined) return { status: 400, reason: 'Bad Request (missing Content-Type)' };
  const mediaType = `${type.value.type}/${type.value.subtype}`;
  if (caps.accept.includes(mediaType)) return undefined;
  return { status: 415, headers: [accept] };
}

/**
 * The §8.2 checks in order (405/501, 416, 483, 420, 400, 415) — 482 (merged requests) needs the
 * transaction layer and runs in the user agent between 416 and 483. Undefined when the request passes.
 */
export function checkRequest(
  request: SipRequest,
  caps: UasCapabilities,
  merged: () => boolean,
): Rejection | undefined {
  return (
    checkMethod(request, caps) ??
    checkUriScheme(request, caps) ??
    (merged() ? { status: 482 } : undefined) ??
    checkMaxForwards(request, caps) ??
    checkRequire(request, caps) ??
    checkHeaders(request) ??
    checkContent(request, caps)
  );
}
