/**
 * Calls as the renderer, the tray and the CLI see them: one `CallSnapshot` per call, sent whole on every
 * change (`calls.changed`), so a view mirrors it instead of re-deriving call state.
 *
 * `state` is what a person would say about the call:
 *   dialing      outgoing, nothing heard back yet (or only "100 Trying")
 *   ringing      outgoing: the far end rings (180); incoming: it rings here, waiting for answer/reject
 *   early        outgoing: early media (183 with SDP) — announcements, ringback from the network
 *   active       talking (the dialog is confirmed, or we answered and wait for the ACK)
 *   held         we put it on hold (our audio is sendonly/inactive)
 *   remote-held  the other side put us on hold
 *   ended        over for good; `reason`, `sipCode`, `endedAt` say how
 *
 * Times are wall-clock ms since the epoch. Addresses are `ip:port` (IPv6 in brackets).
 */
import { z } from 'zod';
import { AccountId } from './account.ts';
import { CallDirection, CallId, MediaPath } from './history.ts';

export { CallDirection, CallId, MediaPath };

export const CallState = z.enum(['dialing', 'ringing', 'early', 'active', 'held', 'remote-held', 'ended']);
export type CallState = z.infer<typeof CallState>;

/**
 * Why a call ended (or why an attempt failed), in categories a person understands:
 *   local-hangup / remote-hangup   someone hung up an answered call (BYE)
 *   cancelled          we gave up before the answer (CANCEL)
 *   remote-cancelled   the caller gave up before we answered (missed)
 *   busy               486 Busy Here / 600 Busy Everywhere
 *   declined           603 Decline (or we rejected the call)
 *   not-found          404 / 604: no such user or number
 *   unavailable        480 Temporarily Unavailable: not registered, do-not-disturb
 *   timeout            no answer from the network (Timer B) or 408
 *   no-answer          it rang too long (our ringing limit)
 *   server-error       5xx
 *   no-common-codec    488 / 606 or our own SDP negotiation failed: no audio format in common
 *   rejected           any other 4xx–6xx
 *   auth-failed        the proxy refused our credentials
 *   network            no route, connection refused, DNS gave nothing
 *   no-ack             we answered but the ACK never came (RFC 3261 §13.3.1.4)
 *   session-expired    the session timer ran out without a refresh (RFC 4028)
 *   dialog-gone        the far end forgot the dialog (481/408 to an in-dialog request, RFC 5057)
 *   replaced           another call took its place (INVITE with Replaces, RFC 3891)
 *   transferred        we transferred it and the transfer succeeded (RFC 3515)
 *   answered-elsewhere another device of ours took the call
 *   shutdown           the phone closed during the call
 *   no-media-path      no way for the audio: ICE found no working candidate pair, or the path was lost
 *                      (no consent, RFC 7675) and an ICE restart did not find a new one
 */
export const CallEndKind = z.enum([
  'local-hangup',
  'remote-hangup',
  'cancelled',
  'remote-cancelled',
  'busy',
  'declined',
  'not-found',
  'unavailable',
  'timeout',
  'no-answer',
  'server-error',
  'no-common-codec',
  'rejected',
  'auth-failed',
  'network',
  'no-ack',
  'session-expired',
  'dialog-gone',
  'replaced',
  'transferred',
  'answered-elsewhere',
  'shutdown',
  'no-media-path',
]);
export type CallEndKind = z.infer<typeof CallEndKind>;

export const CallReason = z.strictObject({
  kind: CallEndKind,
  /** Plain words: the reason phrase (`Busy Here`) or what happened (`No answer from the network`). */
  text: z.string().max(300),
});
export type CallReason = z.infer<typeof CallReason>;

/** RTP statistics of the call's audio (RFC 3550); zero/null before media flows. */
export const CallStats = z.strictObject({
  packetsSent: z.int().nonnegative(),
  packetsReceived: z.int().nonnegative(),
  /** Our measurement of lost incoming packets, percent. */
  lossPct: z.number().min(0).max(100),
  /** Interarrival jitter of what we receive (RFC 3550 §A.8), ms. */
  jitterMs: z.number().nonnegative(),
  /** From the peer's RTCP reports (§6.4.1); null until one arrived. */
  rttMs: z.number().nonnegative().nullable(),
  /**
   * Estimated mean opinion score (ITU-T G.107 E-model, 1–4.5) from the codec, the loss and the one-way
   * delay; null before audio arrives or for a codec without E-model figures.
   */
  mos: z.number().min(1).max(5).nullable().optional(),
});
export type CallStats = z.infer<typeof CallStats>;

/** ICE candidate types (RFC 8445 §5.1.1): host, server-reflexive, peer-reflexive, relayed. */
export const IceCandidateKind = z.enum(['host', 'srflx', 'prflx', 'relay']);
export type IceCandidateKind = z.infer<typeof IceCandidateKind>;

/** One end of the selected ICE pair: its candidate type and transport address. */
export const CallIceEndpoint = z.strictObject({
  type: IceCandidateKind,
  address: z.string().max(64),
});
export type CallIceEndpoint = z.infer<typeof CallIceEndpoint>;

/**
 * The ICE session of a call (RFC 8445):
 *   gathering     our candidates are being gathered (STUN/TURN servers asked)
 *   checking      connectivity checks are running
 *   connected     a pair is selected; consent freshness (RFC 7675) keeps it
 *   disconnected  consent was lost (no answer to consent checks for 30 s)
 *   restarting    our ICE restart: new candidates and credentials, re-INVITE, new checks
 *   failed        no pair worked (the call ends with no-media-path)
 *   closed        the call ended
 */
export const CallIceState = z.enum([
  'gathering',
  'checking',
  'connected',
  'disconnected',
  'restarting',
  'failed',
  'closed',
]);
export type CallIceState = z.infer<typeof CallIceState>;

export const CallIce = z.strictObject({
  state: CallIceState,
  role: z.enum(['controlling', 'controlled']),
  /** `relay-only`: only relayed candidates were gathered and checked (the NAT check asked for it). */
  policy: z.enum(['all', 'relay-only']),
  /** The pair the audio (RTP, component 1) flows on; null until one is valid. */
  selected: z
    .strictObject({
      local: CallIceEndpoint,
      remote: CallIceEndpoint,
      /**
       * How our end reaches the network: `udp` from our socket, or — for a relayed local candidate — the
       * transport to the TURN server (udp, tcp or tls).
       */
      transport: z.enum(['udp', 'tcp', 'tls']),
      /** Round trip of the pair's connectivity checks. */
      rttMs: z.number().nonnegative().nullable(),
    })
    .nullable(),
  /** From the first check to the selected pair (this ICE generation), ms. */
  connectMs: z.number().nonnegative().nullable(),
  /** ICE restarts so far (ours and the peer's). */
  restarts: z.int().nonnegative(),
});
export type CallIce = z.infer<typeof CallIce>;

export const CallEncryption = z.enum(['none', 'srtp']);
export type CallEncryption = z.infer<typeof CallEncryption>;

/** Where the audio goes. `direct`: plain RTP or a host/srflx ICE pair; `relayed`: through TURN. */
export const CallMedia = z.strictObject({
  path: MediaPath,
  /** Our media socket (RTP). */
  local: z.string().max(64).nullable(),
  /** Where our RTP goes now (the latched source, or the selected ICE pair's remote). */
  remote: z.string().max(64).nullable(),
  /**
   * How the audio was set up: `ice` (connectivity checks, RFC 8445) or `plain` (RTP to the address in
   * the peer's SDP, latching to where its audio comes from); null before the first negotiation.
   */
  transport: z.enum(['ice', 'plain']).nullable().optional(),
  /** The ICE session, when the call uses ICE. */
  ice: CallIce.nullable().optional(),
  /**
   * `srtp`: the audio is encrypted and authenticated (SDES-SRTP, RFC 4568 / RFC 3711 — as private as the
   * SIP signalling that carried the keys); `none`: plain RTP. Absent before SRTP existed: none.
   */
  encryption: CallEncryption.optional(),
  /** The SRTP crypto-suite (`AES_CM_128_HMAC_SHA1_80`), null without SRTP. */
  srtpSuite: z.string().max(64).nullable().optional(),
});
export type CallMedia = z.infer<typeof CallMedia>;

export const TransferRole = z.enum(['transferor', 'transferee']);
export const TransferState = z.enum(['pending', 'trying', 'succeeded', 'failed']);

/** A transfer (RFC 3515) this call takes part in. */
export const CallTransfer = z.strictObject({
  /** transferor: we sent the REFER; transferee: the peer asked us to call `target`. */
  role: TransferRole,
  target: z.string().max(1024),
  /** pending: REFER sent/accepted; trying: the new call is on its way; then how it ended. */
  state: TransferState,
  /** The final status of the new call (from the NOTIFY's sipfrag, or of our own call). */
  sipCode: z.int().min(100).max(699).nullable(),
});
export type CallTransfer = z.infer<typeof CallTransfer>;

export const CallSnapshot = z.strictObject({
  id: CallId,
  /** The account the call belongs to (null: none stored, e.g. a CLI account). */
  accountId: AccountId.nullable(),
  direction: CallDirection,
  remote: z.strictObject({ uri: z.string().max(512), displayName: z.string().max(256).optional() }),
  state: CallState,
  /** Why it ended (null while it is up). */
  reason: CallReason.nullable(),
  /** The SIP status that decided the outcome, when one did. */
  sipCode: z.int().min(100).max(699).nullable(),
  startedAt: z.int().nonnegative(),
  answeredAt: z.int().nonnegative().nullable(),
  endedAt: z.int().nonnegative().nullable(),
  /** The codec we send with (`PCMU`), once negotiated. */
  codec: z.string().max(32).nullable(),
  muted: z.boolean(),
  stats: CallStats,
  media: CallMedia,
  /** DTMF keys received from the far end so far (RFC 4733 or SIP INFO), the last 64. */
  dtmfReceived: z.string().max(64),
  transfer: CallTransfer.nullable(),
  /**
   * The call this incoming one takes the place of (an INVITE with Replaces, RFC 3891 — we are the target
   * of an attended transfer): the phone accepts it by itself and ends the replaced call (`replaced`), so
   * it is not offered for answering. Absent for other calls.
   */
  replaces: CallId.optional(),
});
export type CallSnapshot = z.infer<typeof CallSnapshot>;

/** Most calls listed at once (a phone holds a handful). */
export const CALL_LIST_MAX = 32;

/** A dial target: a SIP URI, `user@host`, or a number/user on the account's domain. */
export const DialTarget = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .regex(/^[^\s<>"]+$/, 'a SIP address or number without spaces');

/** DTMF keys to send. */
export const DtmfDigits = z.string().regex(/^[0-9*#A-Da-d]{1,32}$/, 'DTMF keys: 0-9, *, #, A-D (at most 32)');

/** Which devices a call's audio uses (the renderer's device ids; null = the system default). */
export const CallAudioOptions = z.strictObject({
  inputDeviceId: z.string().max(256).nullable().optional(),
  outputDeviceId: z.string().max(256).nullable().optional(),
});
export type CallAudioOptions = z.infer<typeof CallAudioOptions>;

export const RejectReason = z.enum(['busy', 'decline']);
export type RejectReason = z.infer<typeof RejectReason>;
