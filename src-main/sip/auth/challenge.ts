/**
 * WWW-Authenticate / Proxy-Authenticate values (RFC 3261 §25.1, RFC 7616 §3.3, RFC 7235 §2.1).
 *
 *   challenge        = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *   other-challenge  = auth-scheme LWS auth-param *(COMMA auth-param)
 *   auth-param       = auth-param-name EQUAL ( token / quoted-string )
 *   digest-cln       = realm / domain / nonce / opaque / stale / algorithm / qop-options / auth-param
 *   quoted-string    = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
 *   quoted-pair      = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 *
 * The input is one header field value as the message parser hands it over (possibly still containing
 * folded line breaks, which count as whitespace). RFC 3261 §7.3.1 forbids joining several
 * WWW-Authenticate fields into one comma-separated value, but HTTP-minded stacks do it, so
 * `parseChallenges` also accepts a list of challenges in one value (RFC 7235 §4.1 `1#challenge`).
 *
 * Parse failures are values: which rule broke and at which character offset.
 */

export interface DigestChallenge {
  readonly kind: 'digest';
  /** The scheme as written (matched case-insensitively). */
  readonly scheme: string;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  /** RFC 7616 §3.3: only a case-insensitive "true" counts; anything else or absent is false. */
  readonly stale: boolean;
  /** The algorithm token as written; "MD5" when absent (RFC 7616 §3.3). */
  readonly algorithm: string;
  /** The offered qop values, lower-cased, in the server's order; empty = RFC 2069 style (no qop). */
  readonly qop: readonly string[];
  /** The protection space URIs of `domain` (space-separated in one quoted string). */
  readonly domain: readonly string[];
  /** RFC 7616 §3.3: the server supports (and asks for) a hashed username. */
  readonly userhash: boolean;
  /** RFC 7616 §3.3: "UTF-8" is the only allowed value; kept as written. */
  readonly charset: string | undefined;
  /** Every parameter, known or not: lower-cased name → unescaped value. */
  readonly params: ReadonlyMap<string, string>;
}

export interface OtherChallenge {
  readonly kind: 'other';
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

export type Challenge = DigestChallenge | OtherChallenge;

export type ChallengeErrorReason =
  | 'empty'
  | 'expected-scheme'
  | 'expected-param'
  | 'expected-equals'
  | 'expected-value'
  | 'expected-comma'
  | 'unterminated-quoted-string'
  | 'bad-quoted-pair'
  | 'duplicate-param'
  | 'missing-realm'
  | 'missing-nonce'
  | 'several-challenges';

export interface ChallengeError {
  readonly kind: 'malformed-challenge';
  readonly reason: ChallengeErrorReason;
  /** Character offset into the header value where the problem was found. */
  readonly offset: number;
  readonly detail: string;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ChallengeError };

// ───────────────────────────── character classes ─────────────────────────────

/** RFC 3261 §25.1 token characters besides alphanumerics: "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
const TOKEN_PUNCTUATION = new Set(['-', '.', '!', '%', '*', '_', '+', '`', "'", '~']);

function isTokenChar(c: string): boolean {
  return (
    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TOKEN_PUNCTUATION.has(c)
  );
}

/** LWS/SWS: spaces, tabs and the CRLF of a folded line. */
function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Characters accepted in an unquoted parameter value. The grammar says `token`, but servers in the field
 * write unquoted nonces and URIs containing "/", "=", ":" and "@"; accepting them costs nothing since a
 * value still ends at whitespace, a comma or a quote.
 */
function isBareValueChar(c: string): boolean {
  return (
    isTokenChar(c) || c === '/' || c === '=' || c === ':' || c === '@' || c === '?' || c === '[' || c === ']'
  );
}

// ───────────────────────────────── scanner ─────────────────────────────────

class ChallengeScanner {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  /** Skips whitespace; returns whether any was skipped. */
  skipWhitespace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isWhitespace(this.text.charAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isTokenChar(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  bareValue(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isBareValueChar(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  take(c: string): boolean {
    if (this.text.charAt(this.pos) !== c) return false;
    this.pos++;
    return true;
  }

  /** Reads a quoted-string at the current `"`; returns the unescaped content or an error. */
  quotedString(): ParseResult<string> {
    const open = this.pos;
    this.pos++; // the opening DQUOTE
    let value = '';
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      if (c === '"') {
        this.pos++;
        return { ok: true, value };
      }
      if (c === '\\') {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): any ASCII except CR and LF.
        const next = this.text.charCodeAt(this.pos + 1);
        if (Number.isNaN(next) || next > 0x7f || next === 0x0a || next === 0x0d) {
          return fail(
            'bad-quoted-pair',
            this.pos,
            'a backslash must escape one ASCII character other than CR or LF',
          );
        }
        value += String.fromCharCode(next);
        this.pos += 2;
        continue;
      }
      value += c;
      this.pos++;
    }
    return fail('unterminated-quoted-string', open, 'quoted string has no closing double quote');
  }

  /**
   * After a comma: does a new challenge start here? It does when a token is followed by whitespace and
   * then something other than "=" (RFC 7235 §4.1 lists challenges with the same comma as parameters).
   */
  startsNewChallenge(): boolean {
    const save = this.pos;
    const name = this.token();
    const spaced = this.skipWhitespace();
    const result = name !== '' && this.peek() !== '=' && (spaced || this.atEnd() || this.peek() === ',');
    this.pos = save;
    return result;
  }
}

function fail<T>(reason: ChallengeErrorReason, offset: number, detail: string): ParseResult<T> {
  return { ok: false, error: { kind: 'malformed-challenge', reason, offset, detail } };
}

// ───────────────────────────────── parsing ─────────────────────────────────

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
}

/** Parses one challenge starting at the scanner position; stops at the comma before a next challenge. */
function parseOne(s: ChallengeScanner): ParseResult<RawChallenge> {
  const schemeAt = s.offset;
  const scheme = s.token();
  if (scheme === '') return fail('expected-scheme', schemeAt, 'expected an auth-scheme token');
  const params = new Map<string, string>();
  const spaced = s.skipWhitespace();
  if (s.atEnd()) return { ok: true, value: { scheme, params } };
  if (!spaced) {
    if (s.peek() === ',') return { ok: true, value: { scheme, params } };
    return fail('expected-scheme', s.offset, 'the auth-scheme must be followed by whitespace');
  }

  for (;;) {
    const nameAt = s.offset;
    const name = s.token().toLowerCase();
    if (name === '') return fail('expected-param', nameAt, 'expected an auth-param name');
    s.skipWhitespace();
    if (!s.take('=')) return fail('expected-equals', s.offset, `expected "=" after "${name}"`);
    s.skipWhitespace();
    let value: string;
    if (s.peek() === '"') {
      const quoted = s.quotedString();
      if (!quoted.ok) return quoted;
      value = quoted.value;
    } else {
      value = s.bareValue();
      if (value === '')
        return fail('expected-value', s.offset, `expected a token or quoted string for "${name}"`);
    }
    // RFC 7235 §2.1: "Each parameter name MUST only occur once per challenge."
    if (params.has(name)) return fail('duplicate-param', nameAt, `parameter "${name}" appears twice`);
    params.set(name, value);

    s.skipWhitespace();
    if (s.atEnd()) return { ok: true, value: { scheme, params } };
    if (!s.take(',')) return fail('expected-comma', s.offset, 'expected "," between auth-params');
    // Empty list elements ("a=1,,b=2") are allowed by the #rule (RFC 7230 §7).
    do s.skipWhitespace();
    while (s.take(','));
    if (s.atEnd()) return { ok: true, value: { scheme, params } };
    if (s.startsNewChallenge()) return { ok: true, value: { scheme, params } };
  }
}

function toChallenge(raw: RawChallenge, endOffset: number): ParseResult<Challenge> {
  const { scheme, params } = raw;
  if (scheme.toLowerCase() !== 'digest') return { ok: true, value: { kind: 'other', scheme, params } };

  const realm = params.get('realm');
  if (realm === undefined) return fail('missing-realm', endOffset, 'a Digest challenge must carry realm');
  const nonce = params.get('nonce');
  if (nonce === undefined) return fail('missing-nonce', endOffset, 'a Digest challenge must carry nonce');

  const qop = params.get('qop');
  const domain = params.get('domain');
  return {
    ok: true,
    value: {
      kind: 'digest',
      scheme,
      realm,
      nonce,
      opaque: params.get('opaque'),
      // RFC 7616 §3.3: "If stale is false, or anything other than true, or the stale parameter is not
      // present, the username and/or password are invalid, and new values MUST be obtained."
      stale: params.get('stale')?.toLowerCase() === 'true',
      algorithm: params.get('algorithm') ?? 'MD5',
      qop: qop === undefined ? [] : splitList(qop, ',').map((q) => q.toLowerCase()),
      domain: domain === undefined ? [] : splitList(domain, ' '),
      userhash: params.get('userhash')?.toLowerCase() === 'true',
      charset: params.get('charset'),
      params,
    },
  };
}

function splitList(value: string, separator: ',' | ' '): string[] {
  const parts = separator === ',' ? value.split(',') : value.split(/[ \t\r\n]+/);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses a header value holding one or more challenges. */
export function parseChallenges(headerValue: string): ParseResult<Challenge[]> {
  const s = new ChallengeScanner(headerValue);
  s.skipWhitespace();
  if (s.atEnd()) return fail('empty', 0, 'the header value is empty');
  const challenges: Challenge[] = [];
  while (!s.atEnd()) {
    const raw = parseOne(s);
    if (!raw.ok) return raw;
    const challenge = toChallenge(raw.value, s.offset);
    if (!challenge.ok) return challenge;
    challenges.push(challenge.value);
    s.skipWhitespace();
    while (s.take(',')) s.skipWhitespace();
  }
  return { ok: true, value: challenges };
}

/** Parses a header value holding exactly one challenge (the SIP shape, RFC 3261 §20.44 / §20.27). */
export function parseChallenge(headerValue: string): ParseResult<Challenge> {
  const all = parseChallenges(headerValue);
  if (!all.ok) return all;
  const [first, ...rest] = all.value;
  if (first === undefined) return fail('empty', 0, 'the header value is empty');
  if (rest.length > 0)
    return fail('several-challenges', 0, `expected one challenge, found ${all.value.length}`);
  return { ok: true, value: first };
}
