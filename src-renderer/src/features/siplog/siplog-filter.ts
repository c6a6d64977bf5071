/**
 * What the SIP log screen filters by (text, method, Call-ID, account) and how much of a long log it
 * renders: the newest SIPLOG_LIST_PAGE matching messages, more on request. Filtering uses the contract's
 * own `matchesSipLogFilter`, so the screen shows exactly what an export with the same filter writes.
 */
import {
  matchesSipLogFilter,
  type SipLogEntry,
  type SipLogFilter,
} from '../../../../src-shared/model/siplog.ts';

export interface SipLogFilterState {
  text: string;
  method: string;
  callId: string;
  accountId: string;
}

export const EMPTY_SIPLOG_FILTER: Readonly<SipLogFilterState> = {
  text: '',
  method: '',
  callId: '',
  accountId: '',
};

/** Messages rendered at first, and added by each "show older". */
export const SIPLOG_LIST_PAGE = 200;

/** The contract's filter: empty parts left out, the text trimmed and bounded. */
export function sipLogFilterOf(state: SipLogFilterState): SipLogFilter {
  const filter: SipLogFilter = {};
  const text = state.text.trim().slice(0, 200);
  if (text) filter.text = text;
  if (state.method) filter.method = state.method;
  if (state.callId) filter.callId = state.callId;
  if (state.accountId) filter.accountId = state.accountId;
  return filter;
}

export function filterSipLog(entries: readonly SipLogEntry[], state: SipLogFilterState): SipLogEntry[] {
  const filter = sipLogFilterOf(state);
  return Object.keys(filter).length === 0
    ? [...entries]
    : entries.filter((e) => matchesSipLogFilter(e, filter));
}

/** The methods in the log, for the method filter (requests' methods and responses' CSeq methods). */
export function methodsOf(entries: readonly SipLogEntry[]): string[] {
  return [...new Set(entries.map((e) => e.method.toUpperCase()).filter(Boolean))].sort();
}

/** The newest `shown` of `matching` (oldest first), and how many older ones are not rendered. */
export function visibleSipLog(
  matching: readonly SipLogEntry[],
  shown: number,
): { entries: SipLogEntry[]; hidden: number } {
  const hidden = Math.max(0, matching.length - shown);
  return { entries: matching.slice(hidden), hidden };
}
