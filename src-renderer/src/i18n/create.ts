import { createI18n } from 'vue-i18n';
import { en, type Messages } from './messages/en.ts';
import { zhCN } from './messages/zh-CN.ts';
import { FALLBACK_LANGUAGE, type Language } from './languages.ts';

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, 'zh-CN': zhCN };

export function createAppI18n(locale: Language) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: FALLBACK_LANGUAGE,
    messages: MESSAGES,
    // every catalogue is complete (checked by type and by test), so a miss is a bug worth seeing in tests
    missingWarn: true,
    fallbackWarn: false,
  });
}

export type AppI18n = ReturnType<typeof createAppI18n>;
