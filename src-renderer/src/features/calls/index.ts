export { default as CallsPanel } from './CallsPanel.vue';
export { default as CallsIncomingBanner } from './CallsIncomingBanner.vue';
export { default as CallsOngoingBar } from './CallsOngoingBar.vue';
export { useDialer, type Dialer } from './use-dialer.ts';
export { useCallShortcuts } from './use-call-shortcuts.ts';
export {
  remoteIdentityOf,
  stateKeyOf,
  endReasonOf,
  callElapsedMs,
  acceptsDtmf,
  ratingOfMos,
  qualityOf,
  icePairOf,
  iceStateOf,
  pathKindOf,
  type RemoteIdentity,
  type QualityRating,
  type QualityView,
  type IcePairView,
  type IceEndView,
  type PathKind,
} from './call-view.ts';
export {
  callKeyActionOf,
  dtmfKeyOf,
  isTypingTarget,
  CALL_KEY_SHORTCUTS,
  type CallKeyAction,
  type KeyLike,
} from './call-keys.ts';
