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

/** When a call was: the time for calls today, the date and time otherwise. */
export function formatCallTime(epochMs: number, locale: string, now: number = Date.now()): string {
  const when = new Date(epochMs);
  const today = new Date(now);
  const sameDay =
    when.getFullYear() === today.getFullYear() &&
    when.getMonth() === today.getMonth() &&
    when.getDate() === today.getDate();
  return sameDay
    ? new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(epochMs)
    : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(epochMs);
}
