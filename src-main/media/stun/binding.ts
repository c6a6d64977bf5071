/**
 * Binding requests and responses for the three users of STUN on our sockets:
 *
 *  - NAT tests and keepalives (RFC 5389 §7, RFC 5780, RFC 5626 §4.4.1): a bare Binding request;
 *  - ICE connectivity checks (RFC 8445 §7.2.2): USERNAME "rfrag:lfrag", PRIORITY, ICE-CONTROLLING or
 *    ICE-CONTROLLED with the tie-breaker, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the
 *    remote password, FINGERPRINT;
 *  - answering checks (RFC 8445 §7.3, RFC 5389 §10.1.2): verify USERNAME and MESSAGE-INTEGRITY with our
 *    password, reply with XOR-MAPPED-ADDRESS signed with the same key, or with 400/401/420/487.
 */
import type { SocketAddress } from '../../platform/index.ts';
import { StunMethod, verifyMessageIntegrity } from './message.ts';
import type { DecodedStunMessage, StunAttributes, StunMessage } from './message.ts';

export type IceRole = 'controlling' | 'controlled';

export interface IceCheckParameters {
  /** Our username fragment. */
  localUfrag: string;
  /** The peer's username fragment. */
  remoteUfrag: string;
  /** PRIORITY: the priority a peer-reflexive candidate learned from this check would get (§7.2.2). */
  priority: number;
  role: IceRole;
  /** Our 64-bit tie-breaker (§7.3.1.1). */
  tieBreaker: bigint;
  /** Nominate the pair (§8.1.1). */
  useCandidate?: boolean;
}

/**
 * The attributes of an ICE check. Sign the request with `shortTermKey(remotePassword)` and keep
 * FINGERPRINT on (the StunClient default). RFC 8445 §7.2.2: "The username is formed by concatenating the
 * username fragment provided by the peer with the username fragment of the ICE agent sending the
 * request, separated by a colon".
 */
export function iceCheckAttributes(p: IceCheckParameters): StunAttributes {
  if (p.priority < 1 || p.priority > 0xffffffff || !Number.isInteger(p.priority))
    throw new RangeError(`ICE priority ${p.priority}`);
  return {
    username: `${p.remoteUfrag}:${p.localUfrag}`,
    priority: p.priority,
    ...(p.role === 'controlling' ? { iceControlling: p.tieBreaker } : { iceControlled: p.tieBreaker }),
    ...(p.useCandidate ? { useCandidate: true } : {}),
  };
}

/** A Binding success response to `request`, reporting `reflexive` (the request's source as we saw it). */
export function bindingSuccess(
  request: StunMessage,
  reflexive: SocketAddress,
  extra: StunAttributes = {},
): StunMessage {
  return {
    method: StunMethod.binding,
    messageClass: 'success',
    transactionId: request.transactionId,
    attributes: { xorMappedAddress: reflexive, ...extra },
  };
}

/** An error response to `request` (RFC 5389 §7.3.1.1). */
export function errorResponse(
  request: StunMessage,
  code: number,
  reason: string,
  extra: StunAttributes = {},
): StunMessage {
  return {
    method: request.method,
    messageClass: 'error',
    transactionId: request.transactionId,
    attributes: { errorCode: { code, reason }, ...extra },
  };
}

export type ShortTermCheckResult =
  | { ok: true; username: string; remoteUfrag: string }
  | { ok: false; code: 400 | 401 | 420; reason: string; unknownAttributes?: number[] };

/**
 * Authenticate a request signed with short-term credentials (RFC 5389 §10.1.2, RFC 8445 §7.3):
 *
 *   unknown comprehension-required attributes     → 420 (with UNKNOWN-ATTRIBUTES)
 *   no MESSAGE-INTEGRITY and no USERNAME, or one
 *   without the other                             → 400 Bad Request
 *   USERNAME not "<localUfrag>:<remote ufrag>"     → 401 Unauthorized
 *   MESSAGE-INTEGRITY wrong for `key`              → 401 Unauthorized
 *
 * `key` is `shortTermKey(localPassword)`. The response to an authentic request is signed with that key.
 */
export function checkShortTermRequest(
  request: DecodedStunMessage,
  localUfrag: string,
  key: Uint8Array,
): ShortTermCheckResult {
  if (request.unknownRequired.length > 0) {
    return {
      ok: false,
      code: 420,
      reason: 'Unknown Attribute',
      unknownAttributes: [...request.unknownRequired],
    };
  }
  const username = request.attributes.username;
  if (request.messageIntegrity === undefined || username === undefined) {
    return { ok: false, code: 400, reason: 'Bad Request' };
  }
  const colon = username.indexOf(':');
  if (colon < 0 || username.slice(0, colon) !== localUfrag)
    return { ok: false, code: 401, reason: 'Unauthorized' };
  if (!verifyMessageIntegrity(request.bytes, key)) return { ok: false, code: 401, reason: 'Unauthorized' };
  return { ok: true, username, remoteUfrag: username.slice(colon + 1) };
}
