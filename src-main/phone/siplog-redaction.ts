/**
 * Redaction of SIP messages for the SIP log. Everything a log entry shows passes through here first, so a
 * password, a digest response (an offline-guessable proof of the password) or a media key never reaches
 * the ring, the renderer or an export.
 *
 * - Authorization / Proxy-Authorization (RFC 3261 §22.4, RFC 7616 §3.4): Digest keeps what debugging an
 *   authentication needs — username, realm, nonce, uri, algorithm, qop, nc, opaque, userhash — and every
 *   other parameter's value (`response`, `cnonce`, anything unknown) becomes "<redacted>". Other schemes
 *   (Basic, Bearer…) carry the secret itself: everything after the scheme goes. A value that does not
 *   tokenize is redacted from the point where it stops making sense (fail closed).
 * - Authentication-Info / Proxy-Authentication-Info (RFC 7615): `rspauth` is computed from the password
 *   like `response`; only nextnonce, qop and nc stay.
 * - `sip:user:password@host` (RFC 3261 §19.1.1 — "the use of passwords in the userinfo is NOT
 *   RECOMMENDED") anywhere: the password goes.
 * - SDP: `a=crypto … inline:<key>` (RFC 4568), `a=ice-pwd:`, `k=` and `a=key-mgmt:` values go.
 * - Bodies other than application/sdp, message/sipfrag (whose header lines get the same treatment as the
 *   message's) and application/dtmf-relay: the first SIPLOG_BODY_PREVIEW bytes and a note.
 * WWW-Authenticate / Proxy-Authenticate are challenges (nonce, realm, opaque): not secrets, kept.
 *
 * Line ends come out as "\n"; folded header lines are unfolded first, so that a folded Authorization
 * cannot hide a parameter on a continuation line.
 */
import { Buffer } from 'node:buffer';
import { SIPLOG_BODY_PREVIEW, SIPLOG_TEXT_MAX } from '../../src-shared/model/siplog.ts';

export const REDACTED = '<redacted>';
const QUOTED_REDACTED = `"${REDACTED}"`;

/** Digest credential parameters a debugger needs; every other value is redacted. */
const DIGEST_KEEP: ReadonlySet<string> = new Set([
  'username',
  'realm',
  'nonce',
  'uri',
  'algorithm',
  'qop',
  'nc',
  'opaque',
  'userhash',
]);
const AUTH_INFO_KEEP: ReadonlySet<string> = new Set(['nextnonce', 'qop', 'nc']);
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);
const AUTH_INFO_HEADERS: ReadonlySet<string> = new Set(['authentication-info', 'proxy-authentication-info']);
/** Bodies shown whole. */
const FULL_BODIES: ReadonlySet<string> = new Set([
  'application/sdp',
  'message/sipfrag',
  'application/dtmf-relay',
]);

const decoder = new TextDecoder('utf-8');

export interface RedactedMessage {
  /** The redacted message, "\n" line ends, at most SIPLOG_TEXT_MAX characters. */
  readonly text: string;
  /** The first line, redacted (a URI password in the Request-URI goes too). */
  readonly startLine: string;
  /** The body's media type, lower case, without parameters; null when there is no body. */
  readonly contentType: string | null;
}

/** Redact one message as it crossed the wire (any bytes: an unparseable message is redacted the same way). */
export function redactSipMessage(bytes: Uint8Array): RedactedMessage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headEnd = buffer.indexOf('\r\n\r\n');
  let bodyStart = headEnd + 4;
  if (headEnd < 0) {
    headEnd = buffer.indexOf('\n\n');
    bodyStart = headEnd + 2;
  }
  if (headEnd < 0) {
    headEnd = buffer.length;
    bodyStart = buffer.length;
  }
  const lines = redactHeaderLines(decoder.decode(buffer.subarray(0, headEnd)));
  const startLine = lines[0] ?? '';
  const body = buffer.subarray(bodyStart);
  const contentType = body.length === 0 ? null : contentTypeOf(lines.slice(1));
  let text = lines.join('\n');
  if (headEnd < buffer.length) text += `\n\n${redactBody(body, contentType)}`;
  return { text: clip(text, SIPLOG_TEXT_MAX), startLine, contentType };
}

/**
 * `sip:user:password@` → `sip:user:<redacted>@` (also sips:), anywhere in `text`. userinfo = user
 * [ ":" password ] "@" (RFC 3261 §25.1), and the user part may hold ; , ? & = + $ / — so everything
 * between the first ":" after the scheme and the "@" goes. One pass: each character is looked at once,
 * whatever a hostile message repeats.
 */
export function redactUriPasswords(text: string): string {
  const scheme = /\bsips?:/gi;
  let out = '';
  let copied = 0;
  for (let m = scheme.exec(text); m !== null; m = scheme.exec(text)) {
    const userStart = m.index + m[0].length;
    let end = userStart;
    while (end < text.length && !URI_STOP.has(text.charAt(end))) end++;
    if (text.charAt(end) === '@') {
      const colon = text.indexOf(':', userStart);
      if (colon > userStart && colon < end) {
        out += `${text.slice(copied, colon + 1)}${REDACTED}`;
        copied = end;
      }
    }
    scheme.lastIndex = Math.max(end, userStart);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Characters that end a userinfo candidate (whitespace, delimiters of a name-addr or quoted string, "@"). */
const URI_STOP: ReadonlySet<string> = new Set([' ', '\t', '\r', '\n', '<', '>', '"', '@']);

/** Unfold, then redact each header line; the first line is the start line. */
function redactHeaderLines(head: string): string[] {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n/)
    .map((line, index) => printable(index === 0 ? redactUriPasswords(line) : redactHeaderLine(line)));
}

function redactHeaderLine(line: string): string {
  const colon = line.indexOf(':');
  if (colon < 0) return redactUriPasswords(line);
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1);
  let redacted = value;
  if (CREDENTIAL_HEADERS.has(name)) redacted = redactCredentials(value);
  else if (AUTH_INFO_HEADERS.has(name)) redacted = redactParams(value, 0, AUTH_INFO_KEEP);
  return redactUriPasswords(line.slice(0, colon + 1) + redacted);
}

function contentTypeOf(headerLines: readonly string[]): string | null {
  for (const line of headerLines) {
    const m = /^\s*(?:content-type|c)\s*:\s*([^;\s]*)/i.exec(line);
    if (m !== null) return (m[1] ?? '').toLowerCase() || null;
  }
  return 'application/octet-stream';
}

function redactBody(body: Buffer, contentType: string | null): string {
  if (contentType !== null && FULL_BODIES.has(contentType)) {
    const text = decoder.decode(body);
    if (contentType === 'application/sdp') return printable(redactSdp(text)).replace(/\r\n/g, '\n');
    if (contentType === 'message/sipfrag') return redactHeaderLines(text).join('\n');
    return printable(redactUriPasswords(text)).replace(/\r\n/g, '\n');
  }
  const preview = printable(
    redactUriPasswords(decoder.decode(body.subarray(0, SIPLOG_BODY_PREVIEW))),
  ).replace(/\r\n/g, '\n');
  const rest = body.length - Math.min(body.length, SIPLOG_BODY_PREVIEW);
  return rest > 0 ? `${preview}\n[… ${rest} more bytes of ${contentType ?? 'body'} not shown]` : preview;
}

function redactSdp(sdp: string): string {
  return redactUriPasswords(
    sdp
      .replace(/(\binline:)[^\s|;]+/gi, `$1${REDACTED}`)
      .replace(/^(a=ice-pwd:)[^\r\n]*/gim, `$1${REDACTED}`)
      .replace(/^(a=key-mgmt:\S+[ \t]+)[^\r\n]*/gim, `$1${REDACTED}`)
      .replace(/^(k=[^:\r\n]*:)[^\r\n]*/gim, `$1${REDACTED}`),
  );
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * Credentials = auth-scheme (LWS auth-param *("," auth-param) / token68) (RFC 3261 §25.1, RFC 7235 §2.1).
 * Digest: parameters outside DIGEST_KEEP lose their values; any other scheme: everything after it.
 */
function redactCredentials(value: string): string {
  const start = skipSpace(value, 0);
  const scheme = tokenAt(value, start);
  if (scheme === undefined) return value.trim() === '' ? value : ` ${REDACTED}`;
  const afterScheme = start + scheme.length;
  if (scheme.toLowerCase() !== 'digest') return `${value.slice(0, afterScheme)} ${REDACTED}`;
  return redactParams(value, afterScheme, DIGEST_KEEP);
}

/**
 * Redact the values of `name=value` parameters from `from` on, except `keep`. Anything that is not a
 * parameter list from some point on is redacted from there to the end.
 */
function redactParams(value: string, from: number, keep: ReadonlySet<string>): string {
  let out = value.slice(0, from);
  let i = from;
  for (;;) {
    const next = skipSeparators(value, i);
    out += value.slice(i, next);
    i = next;
    if (i >= value.length) return out;
    const name = tokenAt(value, i);
    if (name === undefined) return `${out}${REDACTED}`;
    let j = skipSpace(value, i + name.length);
    if (value[j] !== '=') {
      // A second scheme ("…, Digest username=…") starts another credential: go on only for Digest.
      if (name.toLowerCase() === 'digest' && keep === DIGEST_KEEP) {
        out += value.slice(i, j);
        i = j;
        continue;
      }
      return `${out}${REDACTED}`;
    }
    j = skipSpace(value, j + 1);
    const valueEnd = paramValueEnd(value, j);
    if (valueEnd === undefined) return `${out}${value.slice(i, j)}${QUOTED_REDACTED}`;
    out += value.slice(i, j) + (keep.has(name.toLowerCase()) ? value.slice(j, valueEnd) : QUOTED_REDACTED);
    i = valueEnd;
  }
}

/** End of a quoted-string or token value starting at `i`; undefined for an unterminated quote. */
function paramValueEnd(value: string, i: number): number | undefined {
  if (value[i] === '"') {
    for (let k = i + 1; k < value.length; k++) {
      if (value[k] === '\\') k++;
      else if (value[k] === '"') return k + 1;
    }
    return undefined;
  }
  let k = i;
  while (k < value.length && value[k] !== ',' && value[k] !== ' ' && value[k] !== '\t') k++;
  return k;
}

function tokenAt(value: string, i: number): string | undefined {
  TOKEN.lastIndex = i;
  return TOKEN.exec(value)?.[0];
}

function skipSpace(value: string, i: number): number {
  let k = i;
  while (value[k] === ' ' || value[k] === '\t') k++;
  return k;
}

function skipSeparators(value: string, i: number): number {
  let k = i;
  while (value[k] === ' ' || value[k] === '\t' || value[k] === ',') k++;
  return k;
}

/** Control characters other than tab and line ends shown as U+FFFD (binary garbage stays readable). */
function printable(text: string): string {
  return text.replace(/[^\P{Cc}\t\n\r]/gu, '\ufffd');
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 80;
  // Never split a surrogate pair.
  if (/[\uDC00-\uDFFF]/.test(text.charAt(cut))) cut--;
  return `${text.slice(0, cut)}\n[… ${text.length - cut} more characters not shown]`;
}
