/**
 * Which language the UI speaks: the `language` setting once it is known, unless it is `system`; before
 * that, when it is `system`, or when the phone cannot be reached, the first supported language in the
 * OS's preference list, else English.
 */
import type { Language as LanguageSetting } from '../../../src-shared/model/settings.ts';

/** A language the UI has a catalogue for: the setting's values other than `system`. */
export type Language = Exclude<LanguageSetting, 'system'>;
export type { LanguageSetting };

export const LANGUAGES = ['en', 'zh-CN'] as const satisfies readonly Language[];

/** Each language's own name for itself; shown untranslated, so people find their language. */
export const LANGUAGE_AUTONYMS: Readonly<Record<Language, string>> = {
  en: 'English',
  'zh-CN': '简体中文',
};

export const FALLBACK_LANGUAGE: Language = 'en';

/**
 * The first of the OS's preferred languages (BCP 47 tags, as in `navigator.languages`) that we have.
 * Every Chinese variant maps to Simplified Chinese, the only Chinese catalogue there is.
 */
export function languageFromPreferences(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (primary === 'zh') return 'zh-CN';
    if (primary === 'en') return 'en';
  }
  return FALLBACK_LANGUAGE;
}

/** The language to show: the setting when it names one, otherwise (`system`, or not known yet) the OS's preference. */
export function effectiveLanguage(setting: LanguageSetting | null, preferred: readonly string[]): Language {
  return setting === null || setting === 'system' ? languageFromPreferences(preferred) : setting;
}
