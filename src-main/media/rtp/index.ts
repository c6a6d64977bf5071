/**
 * media/rtp — the RTP/RTCP session of a call's audio (RFC 3550), on werift's packet classes.
 *
 *  - `RtpSession`: random SSRC/sequence/timestamp, marker at talkspurt starts, slot-driven sending
 *    (`sendAudio`/`skipAudio`), RFC 4733 telephone-events out (`sendDtmf`, via the codec folder's
 *    `DtmfSender` plan) and in (`onDtmf`, via `DtmfReceiver`), §A.1 validation and §A.3/§A.8 statistics
 *    per remote source, SSRC changes, compound RTCP (SR/RR + SDES CNAME, BYE on close) at the §6.3
 *    interval with reconsideration, RTT from report blocks, RFC 6263 keepalives, `stats()`.
 *    No sockets: it sends through an `RtpTransport` (a MediaPath) and is fed by `receive()`.
 *  - Packet helpers: `parseRtpPacket`/`serializeRtpPacket` (validated werift `RtpPacket`),
 *    `parseRtcpCompound` (§A.2 validation; SR/RR/SDES through werift, BYE through `RtcpByePacket`),
 *    `serializeRtcpCompound`, NTP helpers, `RtpSourceStatistics`, `rtcpIntervalMs`.
 *  - SRTP (RFC 3711) for the SDES suites AES_CM_128_HMAC_SHA1_80/_32 (RFC 4568 §6.2; srtp-crypto.ts
 *    says why not werift's): `SrtpProtection` (what a media path applies: protect before sending,
 *    unprotect after receiving, re-keying, drop counters), `SrtpSender`/`SrtpReceiver` (one direction,
 *    §3.3 index estimate and replay list), the primitives (`deriveSrtpKey`, `aesCmKeystream`, `srtpIv`)
 *    and `newSrtpMasterKey`.
 */
export type { RtpParseError, RtpParseResult, RtpPacketFields } from './rtp-packet.ts';
export { RTP_HEADER_BYTES, parseRtpPacket, serializeRtpPacket } from './rtp-packet.ts';
export type {
  RtcpOtherPacket,
  RtcpPacketItem,
  RtcpParseError,
  RtcpParseResult,
  RtcpSendable,
} from './rtcp-packet.ts';
export {
  RtcpByePacket,
  RtcpPacketType,
  SdesItemType,
  decodeCumulativeLost,
  encodeCumulativeLost,
  parseRtcpCompound,
  sdesCname,
  serializeRtcpCompound,
  serializeSdes,
} from './rtcp-packet.ts';
export {
  COMPACT_NTP_UNITS_PER_MS,
  NTP_UNIX_OFFSET_SECONDS,
  compactFromMs,
  compactNtp,
  ntpFromUnixMs,
  roundTripMs,
} from './ntp-time.ts';
export type { ReceptionReport, ReceptionSnapshot, SequenceVerdict } from './rtp-source-statistics.ts';
export { MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL, RtpSourceStatistics } from './rtp-source-statistics.ts';
export type { RtcpIntervalInput } from './rtcp-interval.ts';
export {
  RTCP_BANDWIDTH_FRACTION,
  RTCP_COMPENSATION,
  RTCP_LOWER_LAYER_BYTES,
  RTCP_MIN_INTERVAL_MS,
  rtcpIntervalMs,
} from './rtcp-interval.ts';
export type {
  ReceivedDtmf,
  ReceivedRtpMedia,
  RtcpTimingOptions,
  RtpDtmfResult,
  RtpFormats,
  RtpRemoteReport,
  RtpSendFormat,
  RtpSessionOptions,
  RtpSessionStats,
  RtpTelephoneEventFormat,
  RtpTransport,
} from './rtp-session.ts';
export { RtpSession } from './rtp-session.ts';
export type { SrtpSessionKeys, SrtpSuite, SrtpSuiteParameters, SrtpTransform } from './srtp-crypto.ts';
export {
  AesCm,
  HmacSha1,
  SRTP_MASTER_KEY_SALT_BYTES,
  SRTP_SUITES,
  SRTP_SUITE_PARAMETERS,
  SrtpKeyLabel,
  aesCm,
  aesCmKeystream,
  deriveSessionKeys,
  deriveSrtpKey,
  hmacSha1Tag,
  isSrtpSuite,
  newSrtpMasterKey,
  srtpIv,
} from './srtp-crypto.ts';
export type { SrtpDropReason, SrtpUnprotectResult } from './srtp-context.ts';
export { SrtpReceiver, SrtpSender, estimateRoc, rtpHeaderLength } from './srtp-context.ts';
export type { ReplayVerdict } from './srtp-replay-window.ts';
export { DEFAULT_REPLAY_WINDOW, SrtpReplayWindow } from './srtp-replay-window.ts';
export type { SrtpKeys, SrtpPacketKind, SrtpProtectionStats } from './srtp-protection.ts';
export { SrtpProtection } from './srtp-protection.ts';
