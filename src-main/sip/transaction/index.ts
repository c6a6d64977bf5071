/**
 * sip/transaction — the four RFC 3261 §17 machines (with the RFC 6026 corrections), the layer that
 * matches messages to them, and OutgoingRequest (RFC 3263 failover + CANCEL) for the TU.
 *
 * ## Setting up
 *
 *   const transactions = new TransactionLayer({ transport, timers: { t1: 500, t2: 4000, t4: 5000 }, log });
 *
 * ## Sending a request (the usual way: OutgoingRequest)
 *
 *   const out = new OutgoingRequest(transactions, request, {
 *     targets,                                  // sip/resolve TargetIterator, or targetList([...])
 *     user: {
 *       onResponse(response, out) { … },        // 1xx, the final, and every later 2xx of a forked INVITE
 *       prepare(request, flow) { … },           // per attempt, after Via stamping: set Contact from flow.local
 *     },
 *   });
 *   const outcome = await out.result;          // never rejects
 *   // { kind: 'final', response } | { kind: 'timeout' } | { kind: 'transport-error', error }
 *   // | { kind: 'no-target' } | { kind: 'cancelled' } | { kind: 'aborted', reason }
 *   out.cancel([['Reason', 'SIP;cause=487']]);  // INVITE only; waits for a 1xx as §9.1 requires
 *   out.request / out.flow / out.transaction   // the attempt as sent (ACK for 2xx, auth retry, registration flow)
 *
 * A 503, a transport error, or a timeout without any response moves on to the next target with a new
 * branch (RFC 3263 §4.3). The request needs no Via: a top Via with a fresh branch is added, and the
 * transport fills in sent-by/transport/rport for the flow chosen. For an auth retry, build the new
 * request (CSeq + 1, Authorization) and send a new OutgoingRequest.
 *
 * ## Lower level
 *
 *   const r = await transactions.sendRequest(request, target, user);   // one transaction to one target
 *   transactions.startClientTransaction(request, flow, user);          // on a known flow
 *   transactions.sendStateless(ack, flow);                             // ACK for a 2xx (no transaction)
 *   createCancel(invite), createNon2xxAck(invite, response)            // §9.1, §17.1.1.3
 *
 * ## Receiving requests (the UA core does this)
 *
 *   transactions.onRequest(({ request, origin, transaction }) => …)
 *     // transaction: a fresh InviteServerTransaction / NonInviteServerTransaction (retransmissions are
 *     // absorbed and answered with the last response); undefined for an ACK outside a transaction (2xx ACK)
 *   transaction.respond(createResponse(request, 180, undefined, { toTag }))   // → false if already over
 *   transactions.findCancelTarget(cancel)        // §9.2
 *   transactions.isMergedRequest(request, tx)    // §8.2.2.2 (482)
 *
 * Unmatched responses are discarded (RFC 6026 §8.9). Every machine: `state`, `onStateChange`,
 * `onTerminated(end)`, `abort(reason)`; illegal transitions throw.
 *
 * Exact schedules over UDP with the defaults: INVITE sent at 0, 500, 1500, 3500, 7500, 15500, 31500 ms,
 * Timer B at 32 000; non-INVITE at 0, 500, 1500, 3500, 7500, 11500 … every 4000 ms, Timer F at 32 000.
 */
export { TransactionLayer, ensureBranch, withNewBranch } from './transaction-layer.ts';
export type {
  ClientTransaction,
  ClientTransactionResult,
  ServerRequest,
  ServerTransaction,
  TransactionLayerOptions,
} from './transaction-layer.ts';
export { OutgoingRequest, targetList } from './outgoing-request.ts';
export type {
  OutgoingRequestOptions,
  OutgoingRequestState,
  OutgoingRequestUser,
  RequestOutcome,
  TargetSource,
} from './outgoing-request.ts';
export { InviteClientTransaction } from './invite-client.ts';
export type { InviteClientState } from './invite-client.ts';
export { NonInviteClientTransaction } from './non-invite-client.ts';
export type { NonInviteClientState } from './non-invite-client.ts';
export { InviteServerTransaction, TRYING_DELAY_MS } from './invite-server.ts';
export type { InviteServerState } from './invite-server.ts';
export { NonInviteServerTransaction } from './non-invite-server.ts';
export type { NonInviteServerState } from './non-invite-server.ts';
export type { ClientTransactionUser } from './client-user.ts';
export type { ServerTransactionUser } from './server-user.ts';
export type {
  ClientChannel,
  ServerChannel,
  TransactionContext,
  TransactionEnd,
  TransactionKind,
} from './transaction-core.ts';
export { createCancel, createNon2xxAck } from './requests.ts';
export { cancelTargetKey, clientKey, mergeKey, rfc2543Matches, serverKey } from './matching.ts';
export { RFC3261_TIMERS, timerD, timerJ, timerT4, timerValues, transactionTimeout } from './timers.ts';
export type { TransactionTimerValues } from './timers.ts';
