/**
 * call — one phone call = its SIP dialog + its offer/answer exchange + its media session, and the
 * agent that keeps the calls of one user agent.
 *
 *   const agent = new CallAgent({
 *     ua, clock,
 *     media: new PlainRtpTransportProvider({ clock, network, range: { min: 16384, max: 32767 } }), // media hook
 *     // or ICE: new IceMediaTransportProvider({ clock, network, settings: () => ({ mode: 'auto',
 *     //           stunServers, turnServers, policy: 'all' }) })   — plain RTP fallback on the same socket
 *     openAudio: (call) => new ToneGenerator({ sampleRate: 8000, frequencyHz: 440 }),          // AudioPort
 *     accountFor: (invite) => account,                  // which account an incoming INVITE is for
 *     timing: { noAnswerMs: 180_000, ringTimeoutMs: 180_000, sessionExpiresSec: 1800 },
 *   });
 *   agent.onCall((call) => call.onChange((c) => render(c.snapshot())));    // incoming and transfer calls
 *   const call = agent.dial(account, parseUri('sip:bob@example.com').uri);  // INVITE with our offer
 *   await call.answer();  call.reject('busy');  call.hangup();
 *   call.hold();  call.resume();  call.setMuted(true);  call.sendDtmf('123#');
 *   call.transferTo(uri);  call.transferReplacing(consultationCall);
 *   call.snapshot()        // the CallSnapshot of src-shared/model/call.ts
 *   agent.dispose();       // BYE/CANCEL every call, stop serving requests
 *
 * The machines, each in its own file: `Call` (call.ts: dialing/ringing/early/connecting/active/ended),
 * `OutgoingInvite` (our INVITE: auth, redirect, CANCEL race, forks), `SessionUpdateClient` (our
 * re-INVITE/UPDATE with the RFC 3261 §14.1 glare back-off), `SessionTimer` (RFC 4028),
 * `OutgoingTransfer` / `IncomingTransfer` (RFC 3515). Offer/answer is sdp's `OfferAnswer`; the dialog is
 * sip/dialog's `Dialog`.
 */
export {
  Call,
  CALL_OPTION_TAGS,
  CONSULTATION_END_WAIT_MS,
  DEFAULT_CALL_TIMING,
  dialTargetUri,
  routeFor,
} from './call.ts';
export type {
  CallAccount,
  CallCommandResult,
  CallEnvironment,
  CallLogLevel,
  CallPhase,
  CallTiming,
  DialOptions,
} from './call.ts';
export { CallAgent } from './call-agent.ts';
export type { CallAgentOptions } from './call-agent.ts';
export { CallMedia, PlainRtpTransportProvider, localCodecsFor } from './call-media.ts';
export type {
  CallMediaEncryption,
  CallMediaHost,
  CallMediaOptions,
  CallMediaState,
  CallMediaTransport,
  CallSrtpMode,
  DescriptionPurpose,
  MediaTransportProvider,
  MediaTransportRequest,
  MediaTransportResult,
  MediaTransportView,
  NegotiatedDescriptions,
  TransportDescription,
} from './call-media.ts';
export {
  CALL_NOMINATION_DELAY_MS,
  DEFAULT_RESTART_TIMEOUT_MS,
  IceMediaTransport,
  IceMediaTransportProvider,
} from './ice-media-transport.ts';
export type {
  IceAgentTuning,
  IceMediaTransportProviderOptions,
  IceMode,
  IceTransportLogLevel,
  IceTransportSettings,
  IceTransportState,
} from './ice-media-transport.ts';
export {
  G711_IMPAIRMENT,
  R_DEFAULT,
  codecImpairment,
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateMos,
  mosFromR,
  rFactor,
} from './e-model.ts';
export type { CallQualityInput, CodecImpairment } from './e-model.ts';
export { OutgoingInvite } from './outgoing-invite.ts';
export type {
  InviteFailure,
  OutgoingInviteListener,
  OutgoingInviteOptions,
  OutgoingInviteState,
} from './outgoing-invite.ts';
export { SessionUpdateClient, glareBackoffMs } from './session-update-client.ts';
export type {
  SessionUpdateClientOptions,
  SessionUpdateHost,
  SessionUpdateOutcome,
  SessionUpdateState,
} from './session-update-client.ts';
export {
  MIN_SESSION_EXPIRES_SEC,
  SessionTimer,
  minSessionExpiresOf,
  sessionTimerHeaders,
  uacSessionTimer,
  uasSessionTimer,
} from './session-timer.ts';
export type { SessionTimerOptions, SessionTimerState, UasSessionTimerDecision } from './session-timer.ts';
export { IncomingTransfer, OutgoingTransfer, TRANSFER_WAIT_MS } from './transfer.ts';
export type { IncomingTransferState, OutgoingTransferListener, OutgoingTransferState } from './transfer.ts';
export { endedNormally, historyResultOf, reasonForStatus } from './end-reason.ts';
export {
  DTMF_PLAIN,
  DTMF_RELAY,
  SIPFRAG,
  dtmfRelayBody,
  parseDtmfBody,
  parseSipfragStatus,
  sipfragBody,
} from './message-bodies.ts';

// ICE in the offer/answer (RFC 8839) — ice-sdp.ts, owned by the ICE work.
export {
  DEFAULT_CANDIDATE_ORDER,
  ICE_MISMATCH_ATTRIBUTE,
  chooseMediaTransport,
  defaultCandidate,
  fromSdpCandidate,
  hasIceMismatch,
  iceMediaAttributes,
  iceMediaEndpoint,
  isIceRestart,
  needsUpdatedOffer,
  remoteCandidatesAttribute,
  remoteIceDescription,
  toSdpCandidate,
  updatedOfferMedia,
  usableRemoteCandidates,
} from './ice-sdp.ts';
export type { IceSelectionView, MediaTransportDecision } from './ice-sdp.ts';
// IPv4 or IPv6 for a call's media, and the address our SDP names for it.
export { mediaAddressFor, offeredMediaAddress, offeredMediaFamily } from './media-family.ts';
