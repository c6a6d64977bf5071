/**
 * media/stun — STUN (RFC 5389) pieces shared by the NAT diagnostics, the ICE agent and the SIP UDP
 * transport's keepalives:
 *  - the message codec (werift's `Message`, plus RESPONSE-PORT/PADDING, MESSAGE-INTEGRITY/FINGERPRINT
 *    placement and §15.4 tail handling), MESSAGE-INTEGRITY keys and SASLprep;
 *  - `StunClientTransaction` (RFC 5389 §7.2 retransmissions and timeouts on the Clock) and `StunClient`
 *    (matching by transaction id, integrity of responses);
 *  - `StunEndpoint` on a dedicated or shared datagram socket or on a TCP/TLS stream (framing);
 *  - RFC 7983 first-byte demultiplexing (`classifyPacket`, the one classifier: media sockets, the SIP UDP
 *    socket, relayed data) and `DatagramDemux` for sockets shared with RTP/DTLS/SIP;
 *  - Binding helpers for ICE checks (build, authenticate, answer);
 *  - `TurnRelay`, the one TURN client (RFC 5766/8656): long-term credentials (RFC 5389 §10.2),
 *    Allocate/Refresh/release, permissions, channels, Send/Data and ChannelData over UDP, TCP or TLS,
 *    refresh timers on the Clock, failures as values. The ICE agent's relayed candidates and the NAT
 *    diagnostics' TURN server test both use it.
 */
export {
  FINGERPRINT_XOR,
  MAGIC_COOKIE,
  STUN_HEADER_BYTES,
  StunAttributeType,
  StunMethod,
  TRANSPORT_UDP,
  computeFingerprint,
  computeMessageIntegrity,
  decodeStunMessage,
  encodeStunMessage,
  isStunMessage,
  messageType,
  newTransactionId,
  reflexiveAddressOf,
  transactionKey,
  verifyMessageIntegrity,
} from './message.ts';
export type {
  ChangeRequest,
  DecodedStunMessage,
  StunAttributes,
  StunClass,
  StunDecodeResult,
  StunEncodeOptions,
  StunErrorCode,
  StunMessage,
} from './message.ts';
export { CredentialError, longTermKey, saslPrep, shortTermKey } from './credentials.ts';
export type { SaslPrepResult } from './credentials.ts';
export { RFC5389_TIMING, StunClientTransaction, retransmitSchedule } from './transaction.ts';
export type {
  RetransmitSchedule,
  StunClientTransactionOptions,
  StunTiming,
  StunTransactionState,
} from './transaction.ts';
export { StunClient } from './client.ts';
export type {
  StunClientOptions,
  StunOutcome,
  StunRequest,
  StunRequestOptions,
  StunTransactionResult,
} from './client.ts';
export { StunEndpoint, stunOverDatagramSocket, stunOverStream } from './endpoint.ts';
export type { ReceivedStun, StunEndpointOptions, StunStreamOptions } from './endpoint.ts';
export { StunStreamFramer, encodeChannelData } from './stream-framer.ts';
export type { FramerResult, StreamFrame } from './stream-framer.ts';
export { DatagramDemux, PACKET_KINDS, classifyPacket } from './demux.ts';
export type { DatagramListener, PacketKind } from './demux.ts';
export { bindingSuccess, checkShortTermRequest, errorResponse, iceCheckAttributes } from './binding.ts';
export type { IceCheckParameters, IceRole, ShortTermCheckResult } from './binding.ts';
export {
  CHANNEL_REFRESH_MS,
  DEFAULT_TURN_LIFETIME_S,
  PERMISSION_REFRESH_MS,
  TurnRelay,
  allocationRefreshDelayMs,
  describeTurnFailure,
} from './turn-relay.ts';
export type {
  DatagramSender,
  TurnAllocated,
  TurnLogLevel,
  TurnLogger,
  TurnRelayAllocateResult,
  TurnRelayFailure,
  TurnRelayOptions,
  TurnRelayState,
  TurnRelayStats,
  TurnReleaseResult,
  TurnServerConfig,
  TurnTransport,
} from './turn-relay.ts';
