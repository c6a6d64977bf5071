export {
  LANGUAGES,
  LANGUAGE_AUTONYMS,
  FALLBACK_LANGUAGE,
  languageFromPreferences,
  effectiveLanguage,
  type Language,
  type LanguageSetting,
} from './languages.ts';
export { MESSAGES, createAppI18n, type AppI18n } from './create.ts';
export { en, type Messages } from './messages/en.ts';
export { zhCN } from './messages/zh-CN.ts';
export { formatDateTime, formatLogTime, formatCallTime } from './format.ts';
export { useDocumentLanguage } from './use-document-language.ts';
export { isMessageKey } from './message-keys.ts';
export {
  useMessages,
  type MessageKey,
  type MessageParams,
  type LocalizedMessage,
  type UiMessages,
} from './use-messages.ts';
