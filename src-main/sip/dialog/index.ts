/**
 * sip/dialog — dialog state (RFC 3261 §12) and in-dialog request builders. Pure: no I/O, no timers; the
 * call layer owns the INVITE session and drives dialogs with these calls, sip/ua sends what they build.
 *
 * ## Creating
 *
 *   const dialogs = ua.dialogs;                                  // a DialogTable with the UA's router
 *   // UAC, on each 1xx/2xx with a To tag (one dialog per To tag: forking gives several early dialogs)
 *   const r = dialogs.fromUacResponse(invite, response, flow.secure);   // out.request is the INVITE as sent
 *   if (!r.ok) r.reason …                                        // e.g. a 2xx without Contact
 *   r.dialog.confirm(response2xx);                              // early → confirmed, route set from the 2xx
 *   // UAS, when answering with a To tag
 *   const d = dialogs.fromUasRequest(invite, toTag, origin.flow.secure, 'early');
 *
 * ## State
 *
 *   dialog.id { callId, localTag, remoteTag } · dialog.state 'early' | 'confirmed' | 'terminated'
 *   dialog.remoteTarget · dialog.routeSet · dialog.localSeq · dialog.remoteSeq · dialog.secure
 *   dialog.local / dialog.remote (From/To of our requests, without tags)
 *
 * ## Requests in the dialog
 *
 *   const { request, nextHop } = dialog.createRequest('BYE', { headers, body, contentType, contact });
 *       // CSeq = localSeq + 1, Request-URI/Route by loose or strict routing; resolve nextHop (RFC 3263)
 *       // — or simply ua.sendInDialog(dialog, 'BYE', options)
 *   const ack = dialog.createAck(invite.cseq.seq);               // ACK for a 2xx: the INVITE's CSeq number
 *
 * ## Incoming
 *
 *   dialog.receiveRequest(request)  → { ok } | { ok: false, status: 500 | 400, reason }
 *       // §12.2.2: CSeq ≤ remoteSeq → 500; target refresh (INVITE/UPDATE/SUBSCRIBE/NOTIFY) → remote target
 *   dialog.receiveResponse(response) // 2xx to a target refresh → remote target from Contact (§12.2.1.2)
 *   dialogs.findForRequest(request) / findForResponse(response) / earlyDialogs(callId, localTag)
 *   dialog.terminate(cause)          // leaves the table
 *
 * sip/ua answers 481 to requests with a To tag that match no dialog (§12.2.2) before the call layer sees
 * them, and checks the CSeq order with receiveRequest.
 */
export { Dialog, TARGET_REFRESH_METHODS, dialogKey, nameAddrOf } from './dialog.ts';
export type {
  DialogCreateResult,
  DialogId,
  DialogInit,
  DialogRequest,
  DialogRequestOptions,
  DialogRequestVerdict,
  DialogRole,
  DialogRouter,
  DialogRouting,
  DialogState,
} from './dialog.ts';
export { DialogTable } from './dialog-table.ts';
