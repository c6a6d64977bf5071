export { useAppStore, type PhoneConnection } from './app.ts';
export { useSettingsStore } from './settings.ts';
export { useLogStore, LOG_HISTORY_LIMIT } from './log.ts';
export { LOG_CAPACITY, mergeLogEntries, filterLogEntries, type LogLevelFilter } from './log-buffer.ts';
export { useContactsStore, CONTACT_SEARCH_MAX, type ContactSeed, type VCardExport } from './contacts.ts';
export { useHistoryStore, applyHistoryChange, HISTORY_PAGE_SIZE } from './history.ts';
export {
  historyFilterOf,
  isFiltered,
  EMPTY_HISTORY_FILTER,
  HISTORY_SEARCH_MAX,
  type HistoryFilterState,
} from './history-filter.ts';
export { useMissedCallsStore } from './missed-calls.ts';
export { useNatCheckStore, NAT_PROGRESS_MAX } from './nat-check.ts';
export { useDialPadStore, type DialOrigin } from './dial-pad.ts';
export {
  useDialSuggestionsStore,
  recentNumbersOf,
  RECENT_NUMBERS_MAX,
  CONTACT_SUGGESTIONS_MAX,
  type RecentNumber,
} from './dial-suggestions.ts';
export { useAccountsStore, defaultAccountOf, accountInputOf, upsertAccount } from './accounts.ts';
export {
  useCallsStore,
  currentCallOf,
  upsertCall,
  isIncomingRinging,
  CALL_ENDED_LINGER_MS,
} from './calls.ts';
export { useSipLogStore, mergeSipLogEntries } from './siplog.ts';
