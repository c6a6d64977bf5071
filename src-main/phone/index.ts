export { Phone, type PhoneOptions } from './phone.ts';
export { CommandRouter, type CommandHandlers, type SenderInfo, type RouterOptions } from './router.ts';
export { PhoneLog, redactSecrets, type ScopedLog } from './log.ts';
export { InMemorySettings, deepMerge, type SettingsStore } from './settings.ts';
export { createNodePhone, type NodePhoneOptions } from './node.ts';
export { packageInfo, type PackageInfo } from './package-info.ts';
export {
  DiagnosticsService,
  StoredNatReports,
  type DiagnosticsServiceOptions,
  type NatAutoConfigJob,
  type NatAutoConfiguration,
  type NatReportPersistence,
} from './diagnostics-service.ts';
export {
  KEEPALIVE_MAX_S,
  KEEPALIVE_MIN_S,
  iceSettingsFor,
  keepaliveFromLifetime,
  natCheckRequestFor,
  reportWantsRelay,
  srvDomainOf,
  type AccountNatInput,
  type IceOverrides,
  type IceSettingsInput,
} from './account-ice-settings.ts';
export { ContactsService, type ContactsServiceOptions } from './contacts-service.ts';
export { HistoryService, type HistoryServiceOptions } from './history-service.ts';
export {
  SIPLOG_MAX_BATCH,
  SiplogService,
  type SiplogAccount,
  type SiplogServiceOptions,
} from './siplog-service.ts';
export { REDACTED, redactSipMessage, redactUriPasswords, type RedactedMessage } from './siplog-redaction.ts';
export {
  CallsService,
  HANGUP_WAIT_MS,
  fileAudioProvider,
  type AudioDeviceProvider,
  type CallAccountsSource,
  type CallAudioFormat,
  type CallsIceOptions,
  type CallsServiceOptions,
  type FileAudioPlan,
} from './calls-service.ts';
export {
  CallHistoryRecorder,
  type CallHistoryRecorderOptions,
  type CallHistorySnapshot,
  type EndedCallSnapshot,
  type RecordOutcome,
  type RecordFailureReason,
} from './call-history-recorder.ts';
export { StorageAccess } from './storage-access.ts';
export { StoredSettings } from './settings.ts';
export { PhoneStartError, type PhoneStartFailure } from './start-error.ts';
export { DeferredKeyFileCipher, NODE_KEY_FILE_CIPHER_KIND } from './deferred-key-file-cipher.ts';
export {
  AccountsService,
  UNREGISTER_WAIT_MS,
  type AccountsServiceOptions,
  type PhoneSipOptions,
} from './accounts-service.ts';
