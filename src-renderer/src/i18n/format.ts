/** Dates and times in the UI's language (`locale` is a BCP 47 tag such as `en` or `zh-CN`). */
export function formatDateTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(epochMs);
}

/** A log line's time of day with milliseconds, 24-hour: `14:03:07.250`. */
export function formatLogTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hourCycle: 'h23',
  }).format(epochMs);
}
