/**
 * What the History screen filters by, and how that becomes the contract's `HistoryFilter`: empty parts
 * are left out (the phone treats an absent field as "any"), the search is trimmed and bounded.
 */
import type { HistoryFilter, HistoryKind } from '../../../src-shared/model/history.ts';

export interface HistoryFilterState {
  kind: HistoryKind;
  search: string;
  /** Calls started at or after this time (ms since the epoch), or any. */
  from: number | null;
  /** Calls started before this time, or any. */
  to: number | null;
  accountId: string | null;
}

export const HISTORY_SEARCH_MAX = 100;

export const EMPTY_HISTORY_FILTER: Readonly<HistoryFilterState> = {
  kind: 'all',
  search: '',
  from: null,
  to: null,
  accountId: null,
};

export function historyFilterOf(state: HistoryFilterState): HistoryFilter {
  const filter: HistoryFilter = {};
  if (state.kind !== 'all') filter.kind = state.kind;
  const search = state.search.trim().slice(0, HISTORY_SEARCH_MAX);
  if (search) filter.search = search;
  if (state.from !== null) filter.from = state.from;
  if (state.to !== null) filter.to = state.to;
  if (state.accountId !== null) filter.accountId = state.accountId;
  return filter;
}

/** Whether anything narrows the list (the empty state then says "no calls match" instead of "no calls"). */
export function isFiltered(state: HistoryFilterState): boolean {
  return Object.keys(historyFilterOf(state)).length > 0;
}
