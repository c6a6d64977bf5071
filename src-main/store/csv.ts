/**
 * RFC 4180 CSV: fields separated by commas, records ended by CRLF; a field containing a comma, a double
 * quote, CR or LF is enclosed in double quotes with inner quotes doubled.
 *
 * Spreadsheet formula injection: a call log holds text chosen by strangers (the caller's display name).
 * A field that a spreadsheet would evaluate as a formula (starting with =, @, tab or CR, or with + or -
 * when it is not a plain number such as "+4930123") gets a leading apostrophe, which spreadsheets show
 * as text (OWASP "CSV injection").
 */
export type CsvValue = string | number | null;

const FORMULA_START = /^[=@\t\r]/;
const SIGNED_NUMBER = /^[+-][\d\s().-]*$/;

export function csvField(value: CsvValue): string {
  if (value === null) return '';
  let text = String(value);
  if (
    typeof value === 'string' &&
    (FORMULA_START.test(text) || (/^[+-]/.test(text) && !SIGNED_NUMBER.test(text)))
  ) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
