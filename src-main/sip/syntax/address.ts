/**
 * name-addr / addr-spec (RFC 3261 §25.1):
 *
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   addr-spec    = SIP-URI / SIPS-URI / absoluteURI
 *   display-name = *(token LWS) / quoted-string
 *
 * Two liberal readings, both asked for by RFC 4475: no LWS is needed between a token display name
 * and "<" (§3.1.1.6, "lwsdisp"), and URIs of unknown schemes are kept opaque (§3.3.2).
 */
import { TOKEN, is, isWsp, quote, trimWsp, unquote } from './chars.ts';
import { formatParams, type HeaderParams } from './params.ts';
import type { Scanner } from './scanner.ts';
import { formatUri, parseUri, type Uri } from './uri.ts';

/** An address with its header parameters (names lower case, values as written). */
export interface NameAddr {
  /** Display name with quotes and quoted-pairs resolved; undefined when there is none. */
  readonly displayName?: string;
  readonly uri: Uri;
  readonly params: HeaderParams;
}

export interface ScannedAddress {
  readonly displayName?: string;
  readonly uri: Uri;
  /** True when the URI was in angle brackets (name-addr form). */
  readonly bracketed: boolean;
}

/**
 * Reads ( name-addr / addr-spec ) at the cursor and leaves the cursor after it (before any header
 * parameters). Returns an error reason string on failure.
 */
export function scanAddress(sc: Scanner): ScannedAddress | string {
  sc.sws();
  let displayName: string | undefined;
  const first = sc.peek();
  if (first === 34) {
    const q = sc.quotedString();
    if (q === undefined) return 'unterminated quoted string in display name';
    displayName = unquote(q);
    sc.sws();
    if (sc.peek() !== 60) return 'display name not followed by <URI>';
  } else if (first !== 60) {
    // *(token LWS) followed by "<" is a display name; anything else must be an addr-spec.
    const start = sc.pos;
    let end = start;
    while (sc.token().length > 0) {
      end = sc.pos;
      sc.sws();
    }
    if (end > start && sc.peek() === 60) displayName = sc.text.slice(start, end);
    else sc.pos = start;
  }

  if (sc.char(60)) {
    const close = sc.text.indexOf('>', sc.pos);
    if (close < 0) return 'unterminated <URI>';
    const text = sc.text.slice(sc.pos, close);
    const parsed = parseUri(text);
    if (!parsed.ok) return text.length !== trimWsp(text).length ? 'white space inside <URI>' : parsed.reason;
    sc.pos = close + 1;
    return { displayName, uri: parsed.uri, bracketed: true };
  }

  // addr-spec: RFC 3261 §20.10 "If the URI contains a comma, question mark or semicolon, the URI
  // MUST be enclosed in angle brackets", so here the URI ends at the first ";" (header params).
  const start = sc.pos;
  let end = start;
  while (end < sc.text.length) {
    const c = sc.text.charCodeAt(end);
    if (c === 59 || isWsp(c)) break;
    if (c === 63 || c === 44 || c === 60 || c === 62 || c === 34) {
      // RFC 4475 §3.1.2.15 ("baddn"): From: Bell, Alexander <sip:…>
      if (sc.text.includes('<', end)) return 'display name must be tokens or a quoted string';
      return c === 63 || c === 44
        ? 'URI with "?" or "," must be enclosed in <>'
        : 'unexpected character in address';
    }
    end++;
  }
  if (end === start) return 'missing URI';
  const parsed = parseUri(sc.text.slice(start, end));
  if (!parsed.ok) return parsed.reason;
  sc.pos = end;
  return { displayName: undefined, uri: parsed.uri, bracketed: false };
}

/** `"Display" <uri>` or `<uri>` (always the name-addr form: safe for any URI). */
export function formatAddress(displayName: string | undefined, uri: Uri): string {
  const u = `<${formatUri(uri)}>`;
  return displayName === undefined ? u : `${formatDisplayName(displayName)} ${u}`;
}

/** A display name as written: bare when it is a sequence of tokens, quoted otherwise. */
function formatDisplayName(name: string): string {
  if (name.length > 0 && isTokenSequence(name)) return name;
  return quote(name);
}

function isTokenSequence(s: string): boolean {
  let previousSpace = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if (is(c, TOKEN)) previousSpace = false;
    else return false;
  }
  return !previousSpace;
}

export function formatNameAddr(value: NameAddr): string {
  return formatAddress(value.displayName, value.uri) + formatParams(value.params);
}
