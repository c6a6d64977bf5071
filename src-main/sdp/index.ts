/**
 * SDP: parse/build (RFC 8866 / RFC 4566) and RFC 3264 offer/answer for the phone's audio stream, with
 * SDES-SRTP crypto lines (RFC 4568, sdes.ts). Pure: no I/O, no clock, no randomness (keys come in).
 */
export type {
  Attribute,
  Bandwidth,
  Connection,
  Direction,
  MediaDescription,
  Origin,
  SdpProblem,
  SessionDescription,
  Timing,
} from './model.ts';
export { DIRECTIONS } from './model.ts';

export { parseSdp } from './parse.ts';
export type { SdpParseResult } from './parse.ts';
export { buildSdp, formatConnection, formatOrigin } from './build.ts';

export {
  checkIceCredential,
  formatCandidate,
  formatEventList,
  formatFmtp,
  formatRemoteCandidates,
  formatRtcp,
  formatRtpmap,
  isDirection,
  readCandidate,
  readCrypto,
  readEventList,
  readFingerprint,
  readFmtp,
  readFmtpParameters,
  readIceCredential,
  readIceOptions,
  readMid,
  readPacketTime,
  readRemoteCandidates,
  readRtcp,
  readRtpmap,
  readSetup,
  readSsrc,
} from './attributes.ts';
export type {
  AttributeReading,
  CryptoAttribute,
  FingerprintAttribute,
  Fmtp,
  IceCandidate,
  IceCandidateType,
  IceTcpType,
  RemoteCandidate,
  RtcpAttribute,
  Rtpmap,
  SetupRole,
  SsrcAttribute,
} from './attributes.ts';

export {
  attributeValues,
  cryptoAttributes,
  directionAttribute,
  findAttribute,
  fingerprints,
  hasAttribute,
  hasRtcpMux,
  iceDescription,
  isUnspecifiedAddress,
  maxPacketTime,
  mediaConnection,
  mediaDirection,
  mediaId,
  offersIce,
  packetTime,
  rtcpAttribute,
  rtpFormats,
  setupRole,
  ssrcAttributes,
  withDirection,
} from './query.ts';
export type { IceDescription, RtpFormat } from './query.ts';

export {
  DEFAULT_TELEPHONE_EVENTS,
  STATIC_PAYLOAD_TYPES,
  isDynamicPayloadType,
  isTelephoneEvent,
  sameCodec,
} from './codecs.ts';
export type { CodecDescriptor } from './codecs.ts';

export {
  DEFAULT_AUDIO_CODECS,
  DEFAULT_PTIME,
  DEFAULT_TELEPHONE_EVENT,
  applyAnswer,
  bumpVersion,
  createAnswer,
  createOffer,
  directionFrom,
  holdOffer,
  negotiate,
  resumeOffer,
} from './negotiation.ts';
export type {
  CreateAnswerResult,
  LocalCodec,
  LocalMediaConfig,
  MediaEndpoint,
  NegotiatedCodec,
  NegotiatedMedia,
  NegotiationFailure,
  NegotiationFailureReason,
  NegotiationResult,
  TelephoneEventConfig,
  TransportAddress,
} from './negotiation.ts';

export {
  SDES_KEY_SALT_BYTES,
  SDES_SUITES,
  answerCryptoAttribute,
  cryptoLine,
  formatInlineKey,
  isSdesSuite,
  isSecureProfile,
  negotiateSrtp,
  offerCryptoAttributes,
  readInlineKey,
  usableCrypto,
} from './sdes.ts';
export type {
  NegotiatedSrtp,
  SdesConfig,
  SdesInlineKey,
  SdesReading,
  SdesSuite,
  SrtpPolicy,
} from './sdes.ts';

export { OfferAnswer } from './offer-answer.ts';
export type { OfferAnswerState, OfferAnswerTransition } from './offer-answer.ts';
