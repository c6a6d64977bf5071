/**
 * sip/transport — SIP over UDP, TCP and TLS (RFC 3261 §18, RFC 3581 rport, RFC 5626 §4.4 keepalives) on
 * the platform's Network port. Everything above (transactions, UA core, registration) talks to the
 * network only through a `SipTransportLayer` and the `SipFlow`s it hands out.
 *
 * ## Setting up
 *
 *   const transport = new SipTransportLayer({ clock, network, log,
 *     udp: { families: [4, 6], portRange: { min: 5060, max: 5080 } },     // one socket per family
 *     tcpListener: { port: 5060 },                                          // optional
 *     tlsListener: { port: 5061, server: { cert, key } },                   // optional
 *     tlsClient: { ca },                       // verification is always on unless insecureSkipVerify
 *     idleTimeoutMs: 300_000, connectTimeoutMs: 10_000, udpMaxBytes: 1300 });
 *   await transport.start();
 *   transport.listening();                      // [{ transport: 'udp', local: {address, port, family} }, …]
 *
 * ## Flows
 *
 * A `SipFlow` is one path: a TCP/TLS connection, or our UDP socket + one remote address. Flows are
 * reused per (transport, remote) and counted: hold `flow.retain()` while you depend on one (a
 * registration binding does); a flow nobody holds closes after `idleTimeoutMs`.
 *
 *   const r = await transport.acquireFlow(target, { messageBytes });   // target: sip/resolve's ResolvedTarget
 *   if (!r.ok) r.error.code … ('connect-failed' | 'connect-timeout' | 'tls-failed' | 'no-socket' | …)
 *   r.flow.transport / .reliable / .secure / .local (goes into Via and Contact) / .remote / .mappedAddress
 *
 * `messageBytes` > udpMaxBytes on a UDP target switches to TCP (RFC 3261 §18.1.1), falling back to UDP
 * when TCP cannot connect. The transaction layer does acquire → prepareRequest → send for you.
 *
 *   transport.prepareRequest(request, flow);    // top Via: SIP/2.0/<T> <flow.local>;branch=…;rport
 *   transport.send(flow, serialize(request));   // SendResult, never throws
 *   await transport.sendResponse(response, origin);   // RFC 3261 §18.2.2 + RFC 3581 (origin: see below)
 *
 * ## Receiving
 *
 *   transport.onRequest(({ request, origin }) => …)   // top Via already has received/rport (§18.2.1)
 *                                                     // origin = { flow, source, via } for sendResponse
 *   transport.onResponse(({ response, flow, reflexive }) => …)
 *       // only responses whose top Via is one we sent (§18.1.2); reflexive = Via received:rport — our
 *       // public address as the server saw it (compare with your Contact to detect a NAT)
 *
 * Malformed requests are answered with the parser's status (400 naming the field, 505, 416, 513) when
 * possible and dropped otherwise; malformed responses are dropped. STUN on the UDP socket goes to the
 * STUN endpoint (keepalive responses; Binding requests are answered), CRLF keepalives are absorbed, CRLF
 * pings on streams are answered with a pong.
 *
 *   transport.onMessage((m) => …)   // every SIP message sent or received (SipWireMessage), also the ones
 *                                   // the parser refused; keepalives excluded — the phone's SIP log taps this
 *
 * ## Keepalives and flow failure (RFC 5626 §4.4)
 *
 *   const ka = transport.startKeepalive(flow, { intervalMs: 25_000, pongTimeoutMs: 10_000, udpMethod: 'stun' });
 *   ka.onMappedAddress((a) => …)                // STUN keepalive: our public mapping
 *   transport.onFlowFailed(({ flow, reason }) => reRegister())
 *       // 'peer-closed' | 'error' | 'keepalive-timeout' | 'mapping-changed' | 'framing-error' | …
 *   ka.stop();
 *   await transport.discoverMapping(flow);      // one STUN Binding on the SIP socket
 *
 * `close()` closes every flow, socket and listener (no timers left).
 */
export { SipTransportLayer } from './transport-layer.ts';
export type {
  ListeningAddress,
  SipTransportOptions,
  StreamListenerOptions,
  TlsClientConfig,
  TlsListenerOptions,
  TransportLayerState,
  UdpOptions,
} from './transport-layer.ts';
export { SipFlow, StreamFlow, UdpFlow } from './flow.ts';
export type { FlowCloseReason, FlowClosed, FlowState } from './flow.ts';
export {
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  FlowKeepalive,
  jitteredInterval,
  keepaliveStunTiming,
} from './keepalive.ts';
export type { KeepaliveFailure, KeepaliveOptions, KeepaliveState, UdpKeepaliveMethod } from './keepalive.ts';
export { reflexiveAddress, receivedVia, responseDestination, sentByHost, stampVia } from './via.ts';
export type { ResponseDestination } from './via.ts';
export { silentLogger } from './types.ts';
export type {
  FlowResult,
  FlowTarget,
  IncomingRequest,
  IncomingResponse,
  RequestOrigin,
  SendResult,
  SipLogLevel,
  SipLogger,
  SipTransport,
  SipWireMessage,
  TransportError,
  TransportErrorCode,
} from './types.ts';
