export { default as SipLogView } from './SipLogView.vue';
export { default as SipLogLadder } from './SipLogLadder.vue';
export {
  EMPTY_SIPLOG_FILTER,
  SIPLOG_LIST_PAGE,
  filterSipLog,
  methodsOf,
  sipLogFilterOf,
  visibleSipLog,
  type SipLogFilterState,
} from './siplog-filter.ts';
export {
  LADDER_GEOMETRY,
  ladderGeometry,
  offsetText,
  shortLabel,
  type LadderArrowGeometry,
  type LadderColumn,
  type LadderGeometry,
} from './ladder-layout.ts';
