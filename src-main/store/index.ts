/**
 * The store: SQLite persistence for accounts, contacts, call history, settings and NAT reports.
 * Other folders import only from here.
 */
export { openStore, Store, DATABASE_FILE_NAME, LOCK_FILE_NAME } from './store.ts';
export type { StoreOptions, StoreOpenError } from './store.ts';
export { openDatabase, userVersion, BUSY_TIMEOUT_MS } from './database.ts';
export type { DatabaseOpenError, OpenedDatabase } from './database.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
export type { Migration } from './migrations.ts';
export { acquireDataDirLock, processIsAlive } from './data-dir-lock.ts';
export type { DataDirLock, StoreLockedError } from './data-dir-lock.ts';
export type { SecretCipher } from './secret-cipher.ts';
export { NodeKeyFileCipher, KEY_FILE_NAME } from './node-key-file-cipher.ts';
export { AccountRepository } from './account-repository.ts';
export type { AccountCredentials, CredentialsError, TurnCredentials } from './account-repository.ts';
export { ContactRepository } from './contact-repository.ts';
export type { VCardImportSummary } from './contact-repository.ts';
export {
  CallHistoryRepository,
  CallStartRecord,
  CallEndRecord,
  APP_CLOSED_REASON,
} from './call-history-repository.ts';
export type { CallAlreadyEndedError, DuplicateCallError } from './call-history-repository.ts';
export { SettingsRepository } from './settings-repository.ts';
export { NatReportRepository, NO_ACCOUNT_KEY } from './nat-report-repository.ts';
export type { SavedNatReport } from './nat-report-repository.ts';
export { parseVCards, serializeVCards, serializeVCard } from './vcard.ts';
export type { ParsedVCard, VCardContact, VCardSyntaxError } from './vcard.ts';
export { numberKey, uriKey, numberKeyOfNumber, parsePartyAddress, foldForSearch } from './address-keys.ts';
export type { PartyAddress } from './address-keys.ts';
export { csvField, csvRecord } from './csv.ts';
export type { Result, ValidationIssue, InvalidInputError, NotFoundError } from './result.ts';
