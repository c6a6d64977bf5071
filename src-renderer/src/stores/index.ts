export { useAppStore, type PhoneConnection } from './app.ts';
export { useSettingsStore } from './settings.ts';
export { useLogStore, LOG_HISTORY_LIMIT } from './log.ts';
export { LOG_CAPACITY, mergeLogEntries, filterLogEntries, type LogLevelFilter } from './log-buffer.ts';
