/**
 * Transaction matching (RFC 3261 §17.1.3 for responses, §17.2.3 for requests) as keys and predicates.
 */
import { formatUri, isRfc3261Branch, uriEquals } from '../syntax/index.ts';
import type { SipRequest, SipResponse, Via } from '../syntax/index.ts';

function sentBy(via: Via): string {
  const host = via.host.startsWith('[') ? via.host.slice(1, -1) : via.host;
  return `${host.toLowerCase()}:${via.port ?? ''}`;
}

/**
 * §17.1.3: a response matches a client transaction "1. If the response has the same value of the branch
 * parameter in the top Via header field as the branch parameter in the top Via header field of the request
 * that created the transaction. 2. If the method parameter in the CSeq header field matches the method of
 * the request that created the transaction. The method is needed since a CANCEL request constitutes a
 * different transaction, but shares the same value of the branch parameter."
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

export function responseKey(response: SipResponse): string | undefined {
  const branch = response.topVia.branch;
  return branch === undefined ? undefined : clientKey(branch, response.cseq.method);
}

/**
 * §17.2.3, for a request whose branch starts with the magic cookie: "1. the branch parameter in the request
 * is equal to the one in the top Via header field of the request that created the transaction, and 2. the
 * sent-by value in the top Via of the request is equal to the one in the request that created the
 * transaction, and 3. the method of the request matches the one that created the transaction, except for
 * ACK, where the method of the request that created the transaction is INVITE." Undefined for a request
 * without an RFC 3261 branch (RFC 2543 matching applies).
 */
export function serverKey(request: SipRequest): string | undefined {
  const via = request.topVia;
  if (!isRfc3261Branch(via.branch)) return undefined;
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  return `${via.branch ?? ''}\n${sentBy(via)}\n${method}`;
}

/** The key of the transaction a CANCEL targets (§9.2: "assuming that the request method is anything but CANCEL or ACK"). */
export function cancelTargetKey(cancel: SipRequest): string | undefined {
  const via = cancel.topVia;
  if (!isRfc3261Branch(via.branch)) return undefined;
  return `${via.branch ?? ''}\n${sentBy(via)}\nINVITE`;
}

/** The top Via as the RFC 2543 rules compare it: sent-protocol, sent-by and branch (not received/rport). */
function viaIdentity(via: Via): string {
  return `${via.transport} ${sentBy(via)} ${via.branch ?? ''}`;
}

function toTagOf(message: SipRequest | SipResponse): string | undefined {
  return message.to.tag;
}

/**
 * §17.2.3 for requests from RFC 2543 elements (no magic cookie):
 *
 * "The INVITE request matches a transaction if the Request-URI, To tag, From tag, Call-ID, CSeq, and top
 * Via header field match those of the INVITE request which created the transaction. [...] The ACK request
 * matches a transaction if the Request-URI, From tag, Call-ID, CSeq number (not the method), and top Via
 * header field match those of the INVITE request which created the transaction, and the To tag of the ACK
 * matches the To tag of the response sent by the server transaction. [...] For all other request methods,
 * a request is matched to a transaction if the Request-URI, To tag, From tag, Call-ID, CSeq (including the
 * method), and top Via header field match those of the request that created the transaction."
 *
 * `asMethod` lets CANCEL look for the request it cancels (§9.2). `responseToTag` is the To tag of the
 * response the server transaction sent (for ACK).
 */
export function rfc2543Matches(
  original: SipRequest,
  request: SipRequest,
  responseToTag: string | undefined,
  asMethod: string = request.method,
): boolean {
  if (!uriEquals(original.uri, request.uri) && formatUri(original.uri) !== formatUri(request.uri))
    return false;
  if (original.from.tag !== request.from.tag || original.callId !== request.callId) return false;
  if (original.cseq.seq !== request.cseq.seq) return false;
  if (viaIdentity(original.topVia) !== viaIdentity(request.topVia)) return false;
  if (asMethod === 'ACK')
    return original.method === 'INVITE' && responseToTag !== undefined && toTagOf(request) === responseToTag;
  return (
    original.cseq.method === asMethod &&
    original.method === asMethod &&
    toTagOf(original) === toTagOf(request)
  );
}

/** §8.2.2.2: the identity a merged request shares with an ongoing transaction. */
export function mergeKey(request: SipRequest): string {
  const cseq = request.cseq;
  return `${request.from.tag ?? ''}\n${request.callId}\n${cseq.seq} ${cseq.method}`;
}
