/**
 * How a call-log entry reads: who (the contact's name, else the name the caller sent, and the number or
 * address), which way and how it ended (icon, colour, words), how long, and what calling back or
 * saving the caller puts in the dial pad or the contact form.
 */
import type { HistoryEntry } from '../../../../src-shared/model/history.ts';
import { assertNever } from '../../../../src-shared/util/emitter.ts';
import { addressKindOf, dialStringOfUri, displayAddressOfUri, isAnonymousUri } from '../../address/index.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { ContactSeed } from '../../stores/index.ts';
import type { IconName } from '../../ui/index.ts';

export interface HistoryParty {
  /** The contact's name, else the display name the remote sent; null when neither. */
  name: string | null;
  /** The number (formatted) or SIP address. */
  address: string;
  anonymous: boolean;
}

export function partyOf(entry: HistoryEntry): HistoryParty {
  const anonymous = isAnonymousUri(entry.remoteUri);
  const name = entry.contact?.name || entry.remoteDisplayName.trim() || null;
  return { name, address: anonymous ? '' : displayAddressOfUri(entry.remoteUri), anonymous };
}

/** How the row is coloured: missed calls stand out (red), failed ones are muted. */
export type HistoryTone = 'missed' | 'unsuccessful' | 'normal';

export function toneOf(entry: HistoryEntry): HistoryTone {
  switch (entry.result) {
    case 'missed':
      return 'missed';
    case 'rejected':
    case 'busy':
    case 'failed':
    case 'cancelled':
      return 'unsuccessful';
    case 'answered':
    case null:
      return 'normal';
    default:
      return assertNever(entry.result, 'call result');
  }
}

export function iconOf(entry: HistoryEntry): IconName {
  if (entry.result === 'missed') return 'callMissed';
  return entry.direction === 'incoming' ? 'callIncoming' : 'callOutgoing';
}

/** Words for the kind of call ("Missed call", "Outgoing call"). */
export function kindKeyOf(entry: HistoryEntry): MessageKey {
  if (entry.result === 'missed') return 'history.kinds.missedCall';
  return entry.direction === 'incoming' ? 'history.kinds.incomingCall' : 'history.kinds.outgoingCall';
}

/** Words for how it ended; null for an ordinary answered call (its duration says enough). */
export function outcomeKeyOf(entry: HistoryEntry): MessageKey | null {
  if (entry.completion === 'in-progress') return 'history.outcomes.inProgress';
  if (entry.completion === 'ended-unknown') return 'history.outcomes.endedUnknown';
  switch (entry.result) {
    case 'answered':
    case null:
      return null;
    case 'missed':
      return 'history.outcomes.missed';
    case 'rejected':
      return 'history.outcomes.rejected';
    case 'busy':
      return 'history.outcomes.busy';
    case 'failed':
      return 'history.outcomes.failed';
    case 'cancelled':
      return 'history.outcomes.cancelled';
    default:
      return assertNever(entry.result, 'call result');
  }
}

/** Talk time as a clock: `0:42`, `12:05`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the dial pad gets to call this party back; empty for an anonymous caller. */
export function callBackTargetOf(entry: HistoryEntry): string {
  return dialStringOfUri(entry.remoteUri);
}

/** A new contact for this party: the name they sent, their number or SIP address. */
export function contactSeedOf(entry: HistoryEntry): ContactSeed {
  const value = dialStringOfUri(entry.remoteUri) || entry.remoteUri;
  return { name: entry.remoteDisplayName.trim(), address: { kind: addressKindOf(value), value } };
}
