/**
 * A call snapshot as the call view shows it: who (the contact's name when main matched one, else the
 * display name, else the address), what state in words, for how long, why it ended, the audio path
 * (direct or relayed; the ICE selected pair when the snapshot has one) and the quality (RTT, loss,
 * jitter, and a rating from the MOS when the phone estimates one).
 */
import type {
  CallIceState,
  CallMedia,
  CallSnapshot,
  CallStats,
  IceCandidateKind,
} from '../../../../src-shared/model/call.ts';
import { assertNever } from '../../../../src-shared/util/emitter.ts';
import { displayAddressOfUri, isAnonymousUri } from '../../address/index.ts';
import type { MessageKey } from '../../i18n/index.ts';

export interface RemoteIdentity {
  /** The name to show first (a contact, the caller's display name, or the address). */
  title: string;
  /** The address under the name, when the title is a name. */
  address: string | null;
  anonymous: boolean;
}

export function remoteIdentityOf(call: CallSnapshot, contactName: string | null): RemoteIdentity {
  const anonymous = isAnonymousUri(call.remote.uri);
  const address = anonymous ? null : displayAddressOfUri(call.remote.uri);
  const name = contactName ?? (call.remote.displayName?.trim() || null);
  if (name) return { title: name, address, anonymous };
  return { title: address ?? '', address: null, anonymous };
}

export function stateKeyOf(call: CallSnapshot): MessageKey {
  switch (call.state) {
    case 'dialing':
      return 'calls.states.dialing';
    case 'ringing':
      return call.direction === 'incoming' ? 'calls.states.incoming' : 'calls.states.ringing';
    case 'early':
      return 'calls.states.early';
    case 'active':
      return 'calls.states.active';
    case 'held':
      return 'calls.states.held';
    case 'remote-held':
      return 'calls.states.remoteHeld';
    case 'ended':
      return 'calls.states.ended';
    default:
      return assertNever(call.state, 'call state');
  }
}

/** Why the call ended (words, and the SIP status when one decided it: "Busy (486)"); null while it is up. */
export function endReasonOf(call: CallSnapshot): { key: MessageKey; code: number | null } | null {
  if (call.state !== 'ended') return null;
  const kind = call.reason?.kind ?? 'local-hangup';
  return {
    key: `calls.endReasons.${kind}`,
    code: call.sipCode !== null && call.sipCode >= 300 ? call.sipCode : null,
  };
}

/** The timer: talk time once answered, else time since the call started; frozen when it ended. */
export function callElapsedMs(call: CallSnapshot, now: number): number {
  const from = call.answeredAt ?? call.startedAt;
  const to = call.endedAt ?? now;
  return Math.max(0, to - from);
}

/** True while keys pressed are sent as DTMF (the call is talking). */
export function acceptsDtmf(call: CallSnapshot): boolean {
  return call.state === 'active' || call.state === 'remote-held';
}

// ───────────────────────────── quality ─────────────────────────────

export type QualityRating = 'excellent' | 'good' | 'fair' | 'poor' | 'bad';

/**
 * ITU-T G.107 Annex B's MOS bands (R ≥ 90 "very satisfied" ≈ MOS 4.3, R 80 ≈ 4.0, R 70 ≈ 3.6,
 * R 60 ≈ 3.1): the words people use for them.
 */
export function ratingOfMos(mos: number): QualityRating {
  if (mos >= 4.3) return 'excellent';
  if (mos >= 4.0) return 'good';
  if (mos >= 3.6) return 'fair';
  if (mos >= 3.1) return 'poor';
  return 'bad';
}

export interface QualityView {
  rttMs: number | null;
  lossPct: number;
  jitterMs: number;
  mos: number | null;
  rating: QualityRating | null;
  packetsSent: number;
  packetsReceived: number;
  /** Nothing received yet: the numbers mean nothing so far. */
  measuring: boolean;
}

export function qualityOf(stats: CallStats): QualityView {
  const mos = typeof stats.mos === 'number' ? stats.mos : null;
  return {
    rttMs: stats.rttMs,
    lossPct: stats.lossPct,
    jitterMs: stats.jitterMs,
    mos,
    rating: mos === null ? null : ratingOfMos(mos),
    packetsSent: stats.packetsSent,
    packetsReceived: stats.packetsReceived,
    measuring: stats.packetsReceived === 0,
  };
}

// ───────────────────────────── media path ─────────────────────────────

/** One end of the ICE selected pair. */
export interface IceEndView {
  /** host, srflx, prflx or relay (RFC 8445 §5.1.1). */
  type: IceCandidateKind;
  address: string;
}

export interface IcePairView {
  local: IceEndView;
  remote: IceEndView;
  /** How our end reaches the network (for a relayed candidate: the transport to the TURN server). */
  transport: 'udp' | 'tcp' | 'tls';
  relayed: boolean;
  rttMs: number | null;
}

/** The ICE selected pair of the call's audio, when it uses ICE and a pair is selected. */
export function icePairOf(media: CallMedia): IcePairView | null {
  const selected = media.ice?.selected;
  if (!selected) return null;
  return {
    local: { ...selected.local },
    remote: { ...selected.remote },
    transport: selected.transport,
    relayed: selected.local.type === 'relay' || selected.remote.type === 'relay',
    rttMs: selected.rttMs,
  };
}

/** The ICE session's state while it is not simply connected (checking, restarting…), for the path line. */
export function iceStateOf(media: CallMedia): Exclude<CallIceState, 'connected' | 'closed'> | null {
  const state = media.ice?.state;
  return state === undefined || state === 'connected' || state === 'closed' ? null : state;
}

export type PathKind = 'direct' | 'relayed' | 'unknown';

/** The path in words: "direct" / "relayed" (the ICE pair decides when there is one). */
export function pathKindOf(media: CallMedia): PathKind {
  const pair = icePairOf(media);
  if (pair) return pair.relayed ? 'relayed' : 'direct';
  return media.path;
}

// ───────────────────────────── encryption ─────────────────────────────

/** The SRTP suite when the call's audio is encrypted (SDES-SRTP), null for plain RTP. */
export function encryptionOf(media: CallMedia): { suite: string } | null {
  if (media.encryption !== 'srtp') return null;
  return { suite: media.srtpSuite ?? 'SRTP' };
}
