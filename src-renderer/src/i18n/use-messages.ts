import { useI18n } from 'vue-i18n';
import type { WritableComputedRef } from 'vue';
import type { Messages } from './messages/en.ts';

/** Every message key, as a dotted path (`settings.appearance.dark`). */
export type MessageKey = KeyPaths<Messages>;

type KeyPaths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : KeyPaths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type MessageParams = Readonly<Record<string, string | number>>;

export interface UiMessages {
  /** The message in the current language; a key that does not exist is a compile error. */
  t(key: MessageKey, params?: MessageParams): string;
  /** The current language (vue-i18n's global locale). */
  readonly locale: WritableComputedRef<string>;
}

/** vue-i18n's global translator, with message keys checked against the English catalogue. */
export function useMessages(): UiMessages {
  const { t, locale } = useI18n({ useScope: 'global' });
  return {
    t: (key, params) => (params ? t(key, params) : t(key)),
    locale,
  };
}
