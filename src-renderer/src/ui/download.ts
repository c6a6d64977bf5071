/**
 * Saves text as a file the user downloads: a Blob, an object URL and a click on an `<a download>`. The
 * click starts a download, not a navigation, so the window's CSP (no `navigate-to`) and the main
 * process's navigation guard do not apply; `blob:` URLs of our own origin need no CSP source either.
 */

/** How long the object URL lives after the click (the download has taken the data by then). */
const REVOKE_AFTER_MS = 60_000;

export interface TextFile {
  name: string;
  text: string;
  /** MIME type, e.g. `text/vcard;charset=utf-8`. */
  type: string;
  /** Start with a UTF-8 byte order mark (spreadsheets need it to read UTF-8 CSV). */
  byteOrderMark?: boolean;
}

export function saveTextFile(file: TextFile, doc: Document = document): void {
  const win = doc.defaultView ?? window;
  const blob = new Blob([file.byteOrderMark ? '\uFEFF' : '', file.text], { type: file.type });
  const url = win.URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = file.name;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  win.setTimeout(() => win.URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** `2025-01-31`, the local date, for file names. */
export function fileDate(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
