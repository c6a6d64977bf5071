/**
 * media/stun — STUN (RFC 5389) pieces shared by the NAT diagnostics, the ICE agent and the SIP UDP
 * transport's keepalives:
 *  - the message codec (werift's `Message`, plus RESPONSE-PORT/PADDING, MESSAGE-INTEGRITY/FINGERPRINT
 *    placement and §15.4 tail handling), MESSAGE-INTEGRITY keys and SASLprep;
 *  - `StunClientTransaction` (RFC 5389 §7.2 retransmissions and timeouts on the Clock) and `StunClient`
 *    (matching by transaction id, integrity of responses);
 *  - `StunEndpoint` on a dedicated or shared datagram socket or on a TCP/TLS stream (framing);
 *  - RFC 7983 first-byte demultiplexing for sockets shared with RTP/DTLS/SIP;
 *  - Binding helpers for ICE checks (build, authenticate, answer);
 *  - long-term credentials and a TURN allocation control client (Allocate/Refresh/release).
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
export { DatagramDemux, PACKET_KINDS, classifyPacket, isRtcpPacket } from './demux.ts';
export type { DatagramListener, PacketKind } from './demux.ts';
export { bindingSuccess, checkShortTermRequest, errorResponse, iceCheckAttributes } from './binding.ts';
export type { IceCheckParameters, IceRole, ShortTermCheckResult } from './binding.ts';
export { LongTermCredentials } from './long-term-auth.ts';
export type { ChallengeDecision, LongTermAuthState, SignedAttributes } from './long-term-auth.ts';
export { TurnAllocation } from './turn-allocation.ts';
export type {
  TurnAllocateResult,
  TurnAllocated,
  TurnAllocationOptions,
  TurnAllocationState,
  TurnFailure,
  TurnReleaseResult,
} from './turn-allocation.ts';
