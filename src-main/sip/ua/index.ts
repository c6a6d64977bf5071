/**
 * sip/ua — the SIP user agent core: one `SipUserAgent` owns the transport, the transaction layer and the
 * dialog table; the registration and call layers send through it and register request handlers on it.
 *
 * ## Setting up
 *
 *   const ua = new SipUserAgent({ clock, network, resolver, log, version: '1.2.3',   // User-Agent: Softphone/1.2.3
 *     transport: { udp: { families: [4, 6] }, tlsClient: { ca } },
 *     outboundProxy: sipUri({ host: 'proxy.example.com', params: { lr: null } }),   // optional
 *     supported: ['replaces', 'timer'], accept: ['application/sdp'] });
 *   await ua.start();
 *   ua.transport / ua.transactions / ua.dialogs             // the layers, for what this surface lacks
 *
 * ## Sending (UAC)
 *
 *   const req = ua.createRequest({ method: 'OPTIONS', uri, from, to });  // tag, Call-ID, CSeq 1, Max-Forwards 70,
 *                                                                       // User-Agent, Allow/Supported
 *   const out = ua.sendRequest(req, {
 *     contact: { user: 'alice', params: { '+sip.instance': '"<urn:uuid:…>"', 'reg-id': '1' } },  // from the flow
 *     routeSet,                      // pre-existing route (Service-Route), optional
 *     flow,                          // bind to a known flow (RFC 5626) instead of resolving
 *     user: { onResponse(res, out) { … }, prepare(req, flow) { … } },
 *   });
 *   const outcome = await out.result;   // 'final' | 'timeout' | 'transport-error' | 'no-target' | 'cancelled' | 'aborted'
 *   out.flow.mappedAddress / incoming reflexive: see sip/transport (NAT detection)
 *   out.cancel();                    // INVITE: CANCEL per §9.1
 *
 * Routing: the outbound proxy with `;lr` becomes `Route: <proxy;lr>` (RFC 3261 §8.1.2 pre-existing route
 * set), without `lr` it is only the next hop; the next hop is resolved with RFC 3263 and failed over on
 * 503 / transport error / timeout (new branch each time). Digest auth: on 401/407 build the retry (CSeq+1,
 * Authorization from sip/auth) and send a new request.
 *
 * ## Dialogs
 *
 *   const d = ua.dialogs.fromUacResponse(out.request, response, out.flow?.secure ?? false);   // see sip/dialog
 *   ua.sendInDialog(dialog, 'BYE');                         // CSeq+1, route set, Contact on target refreshes
 *   const { request: ack } = await ua.sendAck(dialog, out.request.cseq.seq, { flow: out.flow, body, contentType });
 *
 * ## Receiving (UAS)
 *
 *   ua.onRequest('INVITE', (uas) => {            // one handler per method; Allow follows the handlers
 *     uas.request / uas.dialog / uas.flow / uas.transaction / uas.toTag
 *     uas.respond(180);
 *     uas.onCancel(() => …);                     // the UA answers 200 to the CANCEL and 487 to the INVITE
 *     const ok = uas.respond(200, { contact: [ua.contactFor(uas.flow, { user: 'alice' })], body, contentType: 'application/sdp' });
 *   }, { accept: ['application/sdp'] });
 *   ua.onRequest('ACK', (uas) => …)              // ACKs for 2xx (uas.dialog when it matches)
 *   // A 2xx to INVITE sent through uas.respond/send is retransmitted (T1 doubling to T2) until its ACK
 *   // arrives (§13.3.1.4): uas.onAckOutcome((o) => o === 'timed-out' && sendBye())
 *
 * ## Digest authentication
 *
 *   const auth = ua.sendAuthenticated(request, digestSession, sendOptions);   // answers 401/407 (§22.2)
 *   const outcome = await auth.result;   // RequestOutcome | { kind: 'auth-failed', failure, response }
 *   auth.current                         // the attempt in flight (CSeq + 1 per challenge); auth.cancel()
 *
 * Before a handler runs, the request passed RFC 3261 §8.2 in this order: 405/501 + Allow (no handler),
 * 416 (scheme), 482 (merged request), 483 (only with maxForwards: 'reject-except-options'), 420 +
 * Unsupported (Require), 400 naming a malformed header the handler will read (Contact, Content-Type,
 * Event, Refer-To…), 415 + Accept (body type or encoding), then §12.2.2: 481 for a To tag without a
 * dialog, 500 for a CSeq out of order. CANCEL (§9.2) and OPTIONS without a handler (§11.2: 200 with
 * Allow, Accept, Supported) are answered by the UA itself. A handler that throws gets a 500 sent for it.
 */
export { DEFAULT_VERSION, SipUserAgent, UasRequest, flowTarget } from './user-agent.ts';
export type {
  ContactTemplate,
  OutOfDialogRequestSpec,
  RequestHandlerOptions,
  ResponseOptions,
  SendRequestOptions,
  SipUserAgentOptions,
  UserAgentState,
} from './user-agent.ts';
export { AuthenticatedRequest } from './authenticated-request.ts';
export type { AuthenticatedOutcome } from './authenticated-request.ts';
export { Invite2xxRetransmitter } from './invite-2xx-retransmitter.ts';
export type { Invite2xxRetransmitterInit, Retransmit2xxState } from './invite-2xx-retransmitter.ts';
export {
  outboundProxyConfig,
  routableOf,
  routeDialogRequest,
  routeWith,
  sipTargetOf,
  stripForRequestUri,
} from './routing.ts';
export {
  KNOWN_METHODS,
  checkContent,
  checkHeaders,
  checkMaxForwards,
  checkMethod,
  checkRequest,
  checkRequire,
  checkUriScheme,
} from './uas-checks.ts';
export type { MaxForwardsPolicy, Rejection, UasCapabilities } from './uas-checks.ts';
