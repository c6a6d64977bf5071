export { default as HistoryView } from './HistoryView.vue';
export {
  partyOf,
  toneOf,
  iconOf,
  kindKeyOf,
  outcomeKeyOf,
  formatDuration,
  callBackTargetOf,
  contactSeedOf,
  type HistoryParty,
  type HistoryTone,
} from './history-entry.ts';
export { startOfLocalDay, endOfLocalDay, dayRange, localDayOf, type DayRange } from './history-dates.ts';
