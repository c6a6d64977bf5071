import { watchEffect, type WatchStopHandle } from 'vue';
import { useI18n } from 'vue-i18n';
import type { Language } from './languages.ts';

/**
 * Keeps vue-i18n's locale and `<html lang>` on the language `source` answers (screen readers and
 * fonts pick their rules from `lang`). Call from a component's setup; stops with it.
 */
export function useDocumentLanguage(
  source: () => Language,
  root: HTMLElement = document.documentElement,
): WatchStopHandle {
  const { locale } = useI18n({ useScope: 'global' });
  return watchEffect(() => {
    const language = source();
    locale.value = language;
    root.lang = language;
  });
}
