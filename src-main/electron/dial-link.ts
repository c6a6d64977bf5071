/**
 * `sip:`, `sips:`, `tel:` and `callto:` links → the target the dial pad is pre-filled with.
 *
 * A link comes from anywhere (a web page, a mail, another program starting us with an argument), so it is
 * parsed strictly and reduced to *whom* to call:
 *   - SIP (RFC 3261 §19.1.1): `sip:user@host[:port]`. URI headers (`?subject=…`, §19.1.1 "headers") are
 *     dropped, and so are URI parameters: `maddr`, `transport`, `lr` would let a link decide *where* the
 *     INVITE goes instead of our account's outbound route. A password in the URI is refused.
 *   - tel (RFC 3966): the global (`+1-555-0100`) or local (`7042`) number without its visual separators;
 *     parameters (`phone-context`, `ext`, `isub`) are dropped — the local digits are dialled on the account
 *     the user picks.
 *   - callto (Skype/NetMeeting style, no RFC): `callto://+15550100` as a number, `callto:alice@example.com`
 *     as `sip:alice@example.com`; bare names are refused.
 * Anything with control or format characters (raw or percent-encoded: CR/LF, NUL, bidi overrides,
 * zero-width characters) is refused, and the lengths are bounded. Never dial what this returns without the
 * user's confirmation.
 */
export const DIAL_LINK_SCHEMES = ['sip', 'sips', 'tel', 'callto'] as const;
export type DialLinkScheme = (typeof DIAL_LINK_SCHEMES)[number];

/** Longest link we look at. */
export const LINK_MAX = 2048;
/** Longest target we hand out (the `app.dialRequest` schema allows 256). */
export const TARGET_MAX = 256;
/** Longest phone number, in digits (E.164 allows 15; leave room for prefixes and local codes). */
export const NUMBER_DIGITS_MAX = 32;
const USER_MAX = 128;
const HOST_MAX = 253;

export type DialLinkRejection =
  | 'too-long'
  | 'control-characters'
  | 'unsupported-scheme'
  | 'malformed'
  | 'password-in-uri'
  | 'missing-user'
  | 'bad-host'
  | 'bad-number';

export type DialLinkResult =
  { ok: true; target: string; kind: 'sip' | 'number' } | { ok: false; reason: DialLinkRejection };

const CONTROL = /[\p{Cc}\p{Cf}]/u;
/** RFC 3261 §25.1 `user`: unreserved / escaped / user-unreserved. */
const SIP_USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_PORT = new RegExp(`^(\\[[0-9A-Fa-f:.]+\\]|${LABEL}(?:\\.${LABEL})*\\.?)(?::([0-9]{1,5}))?$`);
const GLOBAL_NUMBER = new RegExp(`^\\+[0-9]{1,${NUMBER_DIGITS_MAX}}$`);
const LOCAL_NUMBER = new RegExp(`^[0-9*#]{1,${NUMBER_DIGITS_MAX}}$`);
/** RFC 3966 visual separators, plus the space that people (and some apps) put in numbers. */
const VISUAL_SEPARATORS = /[-.() ]/g;

function reject(reason: DialLinkRejection): DialLinkResult {
  return { ok: false, reason };
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** RFC 3986 §6.2.2: decode escapes of unreserved characters, upper-case the hex of the others. */
function normaliseEscapes(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-_.!~*'()]$/.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

function stripSlashes(rest: string): string {
  return rest.replace(/^\/\//, '').replace(/\/$/, '');
}

function sipTarget(scheme: 'sip' | 'sips', rest: string): DialLinkResult {
  const withoutHeaders = rest.split('?', 1)[0]!;
  const at = withoutHeaders.lastIndexOf('@');
  if (at < 0) return reject(withoutHeaders === '' ? 'malformed' : 'missing-user');
  const userinfo = withoutHeaders.slice(0, at);
  const hostAndParams = withoutHeaders.slice(at + 1);
  // userinfo = user [ ":" password ] — the user part may itself contain ";" (user-unreserved)
  if (userinfo.includes(':')) return reject('password-in-uri');
  if (userinfo === '') return reject('missing-user');
  if (userinfo.length > USER_MAX * 3 || !SIP_USER.test(userinfo)) return reject('malformed');
  const user = normaliseEscapes(userinfo);
  const decodedUser = decode(user);
  if (decodedUser === null) return reject('malformed');
  if (CONTROL.test(decodedUser)) return reject('control-characters');
  if (decodedUser.length > USER_MAX) return reject('too-long');

  const hostPort = hostAndParams.split(';', 1)[0]!;
  const match = HOST_PORT.exec(hostPort);
  if (!match) return reject('bad-host');
  const host = match[1]!.toLowerCase();
  if (host.length > HOST_MAX) return reject('bad-host');
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return reject('bad-host');

  const target = `${scheme}:${user}@${host}${port !== undefined ? `:${Number(port)}` : ''}`;
  return target.length > TARGET_MAX ? reject('too-long') : { ok: true, target, kind: 'sip' };
}

function numberTarget(raw: string): DialLinkResult {
  const decoded = decode(raw);
  if (decoded === null) return reject('malformed');
  if (CONTROL.test(decoded)) return reject('control-characters');
  const number = decoded.replace(VISUAL_SEPARATORS, '');
  if (GLOBAL_NUMBER.test(number) || LOCAL_NUMBER.test(number))
    return { ok: true, target: number, kind: 'number' };
  return reject(number.replace(/^\+/, '').length > NUMBER_DIGITS_MAX ? 'too-long' : 'bad-number');
}

export function dialTargetFromLink(link: string): DialLinkResult {
  if (link.length > LINK_MAX) return reject('too-long');
  if (CONTROL.test(link)) return reject('control-characters');
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(link);
  if (!schemeMatch) return reject('malformed');
  const scheme = schemeMatch[1]!.toLowerCase();
  const rest = link.slice(schemeMatch[0].length);
  // Escaped control characters (%0D%0A, %00, %E2%80%AE) are as hostile as raw ones, wherever they are.
  const decodedWhole = decode(rest);
  if (decodedWhole !== null && CONTROL.test(decodedWhole)) return reject('control-characters');

  switch (scheme) {
    case 'sip':
    case 'sips':
      if (/\s/.test(rest)) return reject('malformed');
      return sipTarget(scheme, stripSlashes(rest));
    case 'tel': {
      // RFC 3966: telephone-subscriber = number *( ";" par ); no "?" is defined, drop anything after one
      const number = stripSlashes(rest).split('?', 1)[0]!.split(';', 1)[0]!;
      return numberTarget(number);
    }
    case 'callto': {
      const body = stripSlashes(rest).split('?', 1)[0]!;
      if (body.includes('@')) {
        if (/\s/.test(body)) return reject('malformed');
        return sipTarget('sip', body);
      }
      return numberTarget(body.split(';', 1)[0]!);
    }
    default:
      return reject('unsupported-scheme');
  }
}

/** Most arguments we look through for a link (Chromium adds its own switches to argv). */
const ARGV_SCAN_MAX = 64;

/**
 * The first dial link in a command line (Windows and Linux hand a clicked link to the program as an
 * argument), skipping the executable and switches. Only the scheme is checked here; parse the result
 * with `dialTargetFromLink`.
 */
export function findDialLinkInArgv(argv: readonly string[]): string | undefined {
  for (const arg of argv.slice(1, ARGV_SCAN_MAX)) {
    if (arg.startsWith('-')) continue;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(arg)?.[1]?.toLowerCase();
    if (scheme && (DIAL_LINK_SCHEMES as readonly string[]).includes(scheme)) return arg;
  }
  return undefined;
}

/** A link as it may appear in our log: bounded, control characters escaped (it may be hostile). */
export function linkForLog(link: string): string {
  const shown = link
    .slice(0, 80)
    .replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return link.length > 80 ? `${shown}…` : shown;
}
