import { useI18n } from 'vue-i18n';
import type { WritableComputedRef } from 'vue';
import type { Messages } from './messages/en.ts';

/** Every message key, as a dotted path (`settings.appearance.dark`). */
export type MessageKey = KeyPaths<Messages>;

type KeyPaths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : KeyPaths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type MessageParams = Readonly<Record<string, string | number>>;

/** A message to show later (a validation result, a notice): its key and parameters. */
export interface LocalizedMessage {
  readonly key: MessageKey;
  readonly params?: MessageParams;
}

export interface UiMessages {
  /** The message in the current language; a key that does not exist is a compile error. */
  t(key: MessageKey, params?: MessageParams): string;
  /** A `LocalizedMessage` in the current language. */
  tm(message: LocalizedMessage): string;
  /** The current language (vue-i18n's global locale). */
  readonly locale: WritableComputedRef<string>;
}

/** vue-i18n's global translator, with message keys checked against the English catalogue. */
export function useMessages(): UiMessages {
  const { t, locale } = useI18n({ useScope: 'global' });
  const translate = (key: MessageKey, params?: MessageParams): string => (params ? t(key, params) : t(key));
  return {
    t: translate,
    tm: (message) => translate(message.key, message.params),
    locale,
  };
}
