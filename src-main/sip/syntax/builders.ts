/**
 * Building messages: createRequest (RFC 3261 §8.1.1) and createResponse (§8.2.6), plus the standard
 * reason phrases. Builders write full header names in the conventional order.
 */
import {
  ContactHeader,
  FromHeader,
  RouteHeader,
  ToHeader,
  type ContactValue,
  type FromTo,
} from './address-headers.ts';
import type { NameAddr } from './address.ts';
import { isToken } from './chars.ts';
import type { RequestHead } from './errors.ts';
import { SipHeaders } from './headers.ts';
import { generateTag } from './ids.ts';
import { SipRequest, SipResponse } from './message.ts';
import type { Uri } from './uri.ts';
import {
  CallIdHeader,
  ContentTypeHeader,
  CSeqHeader,
  MAX_CSEQ,
  MaxForwardsHeader,
  type MediaType,
} from './value-headers.ts';
import { ViaHeader, type Via } from './via.ts';

/** Reason phrases of RFC 3261 §21 and of the extensions a softphone meets. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  428: 'Use Identity Header',
  429: 'Provide Referrer Identity',
  430: 'Flow Failed',
  433: 'Anonymity Disallowed',
  439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
};

/** The standard phrase for a status, or a generic one for its class. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? REASON_PHRASES[Math.floor(status / 100) * 100] ?? 'Unknown';
}

export interface RequestSpec {
  readonly method: string;
  readonly uri: Uri;
  readonly from: FromTo;
  readonly to: FromTo;
  readonly callId: string;
  /** CSeq number; the method is the request's. */
  readonly cseq: number;
  /** Via values, top first. Usually one, with the branch of the client transaction (§8.1.1.7). */
  readonly via?: Via | readonly Via[];
  /** Default 70 (RFC 3261 §8.1.1.6). */
  readonly maxForwards?: number;
  /** Route set, in order (RFC 3261 §12.2.1.1). */
  readonly route?: readonly NameAddr[];
  readonly contact?: readonly ContactValue[];
  /** Further header lines, written after the standard ones, in order. */
  readonly headers?: Iterable<readonly [name: string, value: string]>;
  readonly body?: Uint8Array | string;
  /** Content-Type of the body ("application/sdp" or a MediaType); required with a non-empty body. */
  readonly contentType?: string | MediaType;
}

function contentTypeText(ct: string | MediaType): string {
  return typeof ct === 'string' ? ct : ContentTypeHeader.format(ct);
}

/**
 * A request with Via, Max-Forwards, Route, From, To, Call-ID, CSeq, Contact, the extra headers,
 * Content-Type and Content-Length, in that order. Throws on values no valid message could carry.
 */
export function createRequest(spec: RequestSpec): SipRequest {
  if (!isToken(spec.method)) throw new Error(`createRequest: invalid method ${JSON.stringify(spec.method)}`);
  if (!(Number.isInteger(spec.cseq) && spec.cseq >= 0 && spec.cseq <= MAX_CSEQ))
    throw new Error(`createRequest: invalid CSeq ${spec.cseq}`);
  if (!CallIdHeader.parse(spec.callId).ok)
    throw new Error(`createRequest: invalid Call-ID ${JSON.stringify(spec.callId)}`);
  const maxForwards = spec.maxForwards ?? 70;
  if (!(Number.isInteger(maxForwards) && maxForwards >= 0 && maxForwards <= 255))
    throw new Error(`createRequest: invalid Max-Forwards ${maxForwards}`);
  const h = new SipHeaders();
  const vias =
    spec.via === undefined ? [] : Array.isArray(spec.via) ? (spec.via as readonly Via[]) : [spec.via as Via];
  for (const via of vias) h.appendValue(ViaHeader, via);
  h.appendValue(MaxForwardsHeader, maxForwards);
  if (spec.route !== undefined && spec.route.length > 0)
    for (const r of spec.route) h.appendValue(RouteHeader, r);
  h.appendValue(FromHeader, spec.from);
  h.appendValue(ToHeader, spec.to);
  h.appendValue(CallIdHeader, spec.callId);
  h.appendValue(CSeqHeader, { seq: spec.cseq, method: spec.method });
  if (spec.contact !== undefined && spec.contact.length > 0) h.appendValue(ContactHeader, ...spec.contact);
  for (const [name, value] of spec.headers ?? []) h.append(name, value);
  const request = new SipRequest({
    method: spec.method,
    uri: spec.uri,
    headers: h,
    ...(spec.body !== undefined && { body: spec.body }),
  });
  if (spec.contentType !== undefined) h.append('Content-Type', contentTypeText(spec.contentType));
  else if (request.body.length > 0) throw new Error('createRequest: a body needs a contentType');
  h.append('Content-Length', String(request.body.length));
  return request;
}

export interface ResponseOptions {
  /**
   * The UAS's To tag. RFC 3261 §8.2.6.2: without a tag in the request's To, "the UAS MUST add a tag
   * to the To header field in the response (with the exception of the 100 (Trying) response, in
   * which a tag MAY be present)". A dialog-creating UAS passes the same tag for every response of
   * the transaction; when absent (and status > 100) a fresh random tag is used.
   */
  readonly toTag?: string;
  /** Further header lines (Contact, Allow, WWW-Authenticate…), after the copied ones. */
  readonly headers?: Iterable<readonly [name: string, value: string]>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string | MediaType;
}

/**
 * The response to a request (RFC 3261 §8.2.6): the Vias (all, in order), From, Call-ID and CSeq
 * copied byte for byte, To copied with a tag added when needed, Timestamp copied into a 100
 * (§8.2.6.1), then the extra headers, Content-Type and Content-Length. Works on the RequestHead of
 * a malformed request too (SipParseError.request), copying whatever of those headers it has.
 * Record-Route (copied into dialog-creating responses, §12.1.1) and Contact are the dialog layer's
 * to add, through `options.headers`.
 */
export function createResponse(
  request: SipRequest | RequestHead,
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  if (!(Number.isInteger(status) && status >= 100 && status <= 699))
    throw new Error(`createResponse: invalid status ${status}`);
  const source = request.headers;
  const h = new SipHeaders();
  for (const via of source.getAll('Via')) h.append('Via', via);
  const from = source.get('From');
  if (from !== undefined) h.append('From', from);
  const to = source.get('To');
  if (to !== undefined) h.append('To', withToTag(to, status, options.toTag));
  const callId = source.get('Call-ID');
  if (callId !== undefined) h.append('Call-ID', callId);
  const cseq = source.get('CSeq');
  if (cseq !== undefined) h.append('CSeq', cseq);
  const timestamp = status === 100 ? source.get('Timestamp') : undefined;
  if (timestamp !== undefined) h.append('Timestamp', timestamp);
  for (const [name, value] of options.headers ?? []) h.append(name, value);
  const response = new SipResponse({
    status,
    reason: reason ?? reasonPhrase(status),
    headers: h,
    ...(options.body !== undefined && { body: options.body }),
  });
  if (options.contentType !== undefined) h.append('Content-Type', contentTypeText(options.contentType));
  else if (response.body.length > 0) throw new Error('createResponse: a body needs a contentType');
  h.append('Content-Length', String(response.body.length));
  return response;
}

function withToTag(to: string, status: number, toTag: string | undefined): string {
  const parsed = ToHeader.parse(to);
  // A To we cannot read is copied as it is: the response must still match the request.
  if (!parsed.ok || parsed.value.tag !== undefined) return to;
  if (toTag === undefined && status === 100) return to;
  const tag = toTag ?? generateTag();
  if (!isToken(tag)) throw new Error(`createResponse: invalid To tag ${JSON.stringify(tag)}`);
  return `${to};tag=${tag}`;
}
