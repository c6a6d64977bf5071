/**
 * Headers with scalar, token-list, media-type or product values: Call-ID, CSeq, Max-Forwards,
 * Content-Length, Expires, Min-Expires, Content-Type, Accept, Allow, Supported, Require,
 * Proxy-Require, Unsupported, Allow-Events, User-Agent, Server, Reason (RFC 3326), Retry-After, Date.
 */
import {
  TOKEN,
  WORD,
  is,
  isDigit,
  isToken,
  parseDeltaSeconds,
  parseDigits,
  quote,
  unquote,
} from './chars.ts';
import { invalid, ok, type HeaderResult } from './errors.ts';
import { defineHeader, type HeaderCodec } from './headers.ts';
import { formatParams, NO_PARAMS, scanParams, type HeaderParams } from './params.ts';
import { quickCallId } from './quick-check.ts';
import { Scanner } from './scanner.ts';

/** Reads `*( SEMI generic-param )` to the end of the value. */
function paramsToEnd(field: string, sc: Scanner): HeaderResult<HeaderParams> {
  const params = scanParams(sc);
  if (typeof params === 'string') return invalid(field, params);
  sc.sws();
  if (!sc.done) return invalid(field, 'unexpected characters');
  return ok(params ?? NO_PARAMS);
}

// ─────────────────────────── Call-ID ───────────────────────────

function isWord(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!is(s.charCodeAt(i), WORD)) return false;
  return true;
}

/** callid = word [ "@" word ] (RFC 3261 §25.1). Compared case-sensitively (§20.8). */
export function isCallId(s: string): boolean {
  const at = s.indexOf('@');
  return at < 0 ? isWord(s) : isWord(s.slice(0, at)) && isWord(s.slice(at + 1));
}

export const CallIdHeader = defineHeader<string>({
  name: 'Call-ID',
  list: false,
  parse: (v) => (isCallId(v) ? ok(v) : invalid('Call-ID', 'Call-ID must be word [ "@" word ]')),
  format: (v) => v,
  quick: quickCallId,
  build: (v) => v,
});

// ─────────────────────────── CSeq ───────────────────────────

export interface CSeq {
  /** 0..2**31-1 (RFC 3261 §8.1.1.5: "MUST be less than 2**31"). */
  readonly seq: number;
  readonly method: string;
}

export const MAX_CSEQ = 2147483647;

export const CSeqHeader = defineHeader<CSeq>({
  name: 'CSeq',
  list: false,
  parse(value) {
    // CSeq = "CSeq" HCOLON 1*DIGIT LWS Method
    const sc = new Scanner(value);
    const start = sc.pos;
    while (isDigit(sc.peek())) sc.pos++;
    const digits = value.slice(start, sc.pos);
    const seq = digits.length > 0 && digits.length <= 10 ? parseDigits(digits) : NaN;
    if (!(seq <= MAX_CSEQ)) return invalid('CSeq', 'sequence number must be 0..2^31-1');
    if (!sc.sws()) return invalid('CSeq', 'missing method');
    const method = sc.token();
    sc.sws();
    if (method.length === 0 || !sc.done) return invalid('CSeq', 'method must be a token');
    return ok({ seq, method });
  },
  format: (v) => `${v.seq} ${v.method}`,
  quick: quickCSeq,
  build: (v) => {
    const sp = v.indexOf(' ');
    return { seq: parseDigits(v.slice(0, sp)), method: v.slice(sp + 1) };
  },
});

/** "1*DIGIT SP token" with the number in range: the plain CSeq form. */
export function quickCSeq(value: string): boolean {
  const sp = value.indexOf(' ');
  if (sp < 1 || sp > 10 || sp === value.length - 1) return false;
  let n = 0;
  for (let i = 0; i < sp; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    n = n * 10 + (c - 48);
  }
  if (n > MAX_CSEQ) return false;
  for (let i = sp + 1; i < value.length; i++) if (!is(value.charCodeAt(i), TOKEN)) return false;
  return true;
}

// ─────────────────────────── numbers ───────────────────────────

function numberCodec(name: string, max: number, what: string): HeaderCodec<number> {
  const valid = (value: string): boolean => value.length <= 10 && parseDigits(value) <= max;
  return defineHeader<number>({
    name,
    list: false,
    parse: (value) => (valid(value) ? ok(parseDigits(value)) : invalid(name, what)),
    format: (v) => String(v),
    quick: valid,
  });
}

/** RFC 3261 §20.22: "an integer in the range 0-255". */
export const MaxForwardsHeader = numberCodec('Max-Forwards', 255, 'Max-Forwards must be 0..255');
export const ContentLengthHeader = numberCodec(
  'Content-Length',
  4294967295,
  'Content-Length must be 1*DIGIT',
);
/** RFC 3261 §20.19 (delta-seconds only; the SIP-date form was removed from RFC 3261). */
export const ExpiresHeader = numberCodec('Expires', 4294967295, 'Expires must be delta-seconds (0..2^32-1)');
export const MinExpiresHeader = numberCodec('Min-Expires', 4294967295, 'Min-Expires must be delta-seconds');

// ─────────────────────────── media types ───────────────────────────

/** type/subtype in lower case; parameters as written (boundary, charset…: use unquote()). */
export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly params: HeaderParams;
}

function parseMediaType(field: string, value: string, valuesRequired: boolean): HeaderResult<MediaType> {
  const sc = new Scanner(value);
  sc.sws();
  const type = sc.token();
  if (type.length === 0 || !sc.separator(47)) return invalid(field, 'expected type/subtype');
  const subtype = sc.token();
  if (subtype.length === 0) return invalid(field, 'expected type/subtype');
  const params = paramsToEnd(field, sc);
  if (!params.ok) return params;
  if (valuesRequired)
    for (const v of params.value.values())
      if (v === null) return invalid(field, 'media type parameter without value');
  return ok({ type: type.toLowerCase(), subtype: subtype.toLowerCase(), params: params.value });
}

const formatMediaType = (v: MediaType): string => `${v.type}/${v.subtype}${formatParams(v.params)}`;

/** RFC 3261 §20.15 (compact form "c"). */
export const ContentTypeHeader = defineHeader<MediaType>({
  name: 'Content-Type',
  list: false,
  parse: (v) => parseMediaType('Content-Type', v, true),
  format: formatMediaType,
});

/** RFC 3261 §20.1; "Accept:" with no value means no body format is acceptable. */
export const AcceptHeader = defineHeader<MediaType>({
  name: 'Accept',
  list: true,
  emptyAllowed: true,
  parse: (v) => parseMediaType('Accept', v, false),
  format: formatMediaType,
});

// ─────────────────────────── token lists ───────────────────────────

function tokenListCodec(name: string, emptyAllowed: boolean): HeaderCodec<string> {
  return defineHeader<string>({
    name,
    list: true,
    emptyAllowed,
    parse: (v) => (isToken(v) ? ok(v) : invalid(name, `${name} values must be tokens`)),
    format: (v) => v,
  });
}

export const AllowHeader = tokenListCodec('Allow', true);
export const SupportedHeader = tokenListCodec('Supported', true);
export const RequireHeader = tokenListCodec('Require', false);
export const ProxyRequireHeader = tokenListCodec('Proxy-Require', false);
export const UnsupportedHeader = tokenListCodec('Unsupported', false);
/** RFC 6665 §8.2.2 (compact form "u"). */
export const AllowEventsHeader = tokenListCodec('Allow-Events', false);

// ─────────────────────────── User-Agent / Server ───────────────────────────

export type ProductItem =
  | { readonly kind: 'product'; readonly name: string; readonly version?: string }
  | { readonly kind: 'comment'; readonly text: string };

/** server-val *(LWS server-val); server-val = product / comment; product = token [SLASH token]. */
export type ProductList = readonly ProductItem[];

/** comment = LPAREN *(ctext / quoted-pair / comment) RPAREN; returns the text inside, as written. */
function scanComment(sc: Scanner): string | undefined {
  const s = sc.text;
  let depth = 0;
  const start = sc.pos;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 40) depth++;
    else if (c === 41 && --depth === 0) {
      sc.pos = i + 1;
      return s.slice(start + 1, i);
    }
  }
  return undefined;
}

function productCodec(name: string): HeaderCodec<ProductList> {
  return defineHeader<ProductList>({
    name,
    list: false,
    parse(value) {
      const sc = new Scanner(value);
      const items: ProductItem[] = [];
      sc.sws();
      while (!sc.done) {
        if (sc.peek() === 40) {
          const text = scanComment(sc);
          if (text === undefined) return invalid(name, 'unbalanced comment');
          items.push({ kind: 'comment', text });
        } else {
          const product = sc.token();
          if (product.length === 0) return invalid(name, 'expected product or comment');
          if (sc.separator(47)) {
            const version = sc.token();
            if (version.length === 0) return invalid(name, 'empty product version');
            items.push({ kind: 'product', name: product, version });
          } else items.push({ kind: 'product', name: product });
        }
        const gap = sc.sws();
        if (!sc.done && !gap && sc.peek() !== 40 && items.at(-1)?.kind !== 'comment') {
          return invalid(name, 'expected LWS between products');
        }
      }
      if (items.length === 0) return invalid(name, 'empty value');
      return ok(items);
    },
    format: (items) =>
      items
        .map((i) =>
          i.kind === 'comment' ? `(${i.text})` : i.version !== undefined ? `${i.name}/${i.version}` : i.name,
        )
        .join(' '),
  });
}

export const UserAgentHeader = productCodec('User-Agent');
export const ServerHeader = productCodec('Server');

// ─────────────────────────── Reason (RFC 3326) ───────────────────────────

/** reason-value = protocol *(SEMI reason-params); protocol = "SIP" / "Q.850" / token. */
export interface ReasonValue {
  readonly protocol: string;
  readonly cause?: number;
  /** reason-text, unquoted. */
  readonly text?: string;
  readonly params: HeaderParams;
}

export const ReasonHeader = defineHeader<ReasonValue>({
  name: 'Reason',
  list: true,
  parse(value) {
    const sc = new Scanner(value);
    sc.sws();
    const protocol = sc.token();
    if (protocol.length === 0) return invalid('Reason', 'missing protocol');
    const params = paramsToEnd('Reason', sc);
    if (!params.ok) return params;
    const p = new Map(params.value);
    const rawCause = p.get('cause');
    const rawText = p.get('text');
    let cause: number | undefined;
    if (rawCause !== undefined) {
      cause = rawCause === null || rawCause.length > 10 ? NaN : parseDigits(rawCause);
      if (Number.isNaN(cause)) return invalid('Reason', 'cause must be digits');
    }
    let text: string | undefined;
    if (rawText !== undefined) {
      if (rawText === null || !rawText.startsWith('"'))
        return invalid('Reason', 'text must be a quoted string');
      text = unquote(rawText);
    }
    p.delete('cause');
    p.delete('text');
    return ok({ protocol, cause, text, params: p.size === 0 ? NO_PARAMS : p });
  },
  format: (v) =>
    v.protocol +
    (v.cause !== undefined ? `;cause=${v.cause}` : '') +
    (v.text !== undefined ? `;text=${quote(v.text)}` : '') +
    formatParams(v.params),
});

// ─────────────────────────── Retry-After ───────────────────────────

/** Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (RFC 3261 §20.33). */
export interface RetryAfterValue {
  readonly seconds: number;
  readonly comment?: string;
  readonly duration?: number;
  readonly params: HeaderParams;
}

export const RetryAfterHeader = defineHeader<RetryAfterValue>({
  name: 'Retry-After',
  list: false,
  parse(value) {
    const sc = new Scanner(value);
    sc.sws();
    const start = sc.pos;
    while (isDigit(sc.peek())) sc.pos++;
    const seconds = parseDeltaSeconds(value.slice(start, sc.pos));
    if (Number.isNaN(seconds)) return invalid('Retry-After', 'must start with delta-seconds (0..2^32-1)');
    sc.sws();
    let comment: string | undefined;
    if (sc.peek() === 40) {
      comment = scanComment(sc);
      if (comment === undefined) return invalid('Retry-After', 'unbalanced comment');
    }
    const params = paramsToEnd('Retry-After', sc);
    if (!params.ok) return params;
    const p = new Map(params.value);
    const rawDuration = p.get('duration');
    let duration: number | undefined;
    if (rawDuration !== undefined) {
      duration = rawDuration === null ? NaN : parseDeltaSeconds(rawDuration);
      if (Number.isNaN(duration)) return invalid('Retry-After', 'duration must be delta-seconds');
      p.delete('duration');
    }
    return ok({
      seconds,
      ...(comment !== undefined && { comment }),
      ...(duration !== undefined && { duration }),
      params: p.size === 0 ? NO_PARAMS : p,
    });
  },
  format: (v) =>
    String(v.seconds) +
    (v.comment !== undefined ? ` (${v.comment})` : '') +
    (v.duration !== undefined ? `;duration=${v.duration}` : '') +
    formatParams(v.params),
});

// ─────────────────────────── Date ───────────────────────────

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Date = "Date" HCOLON SIP-date; SIP-date = rfc1123-date = wkday "," SP date1 SP time SP "GMT"
 * (RFC 3261 §20.17: "only the GMT time zone is allowed"; RFC 4475 §3.1.2.12 "baddate" uses EST).
 */
export const DateHeader = defineHeader<Date>({
  name: 'Date',
  list: false,
  parse(value) {
    const m = DATE.exec(value);
    if (!m || !WEEKDAYS.includes(m[1]!)) return invalid('Date', 'Date must be an RFC 1123 date in GMT');
    const month = MONTHS.indexOf(m[3]!);
    const [day, year, hour, minute, second] = [m[2], m[4], m[5], m[6], m[7]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
      return invalid('Date', 'Date out of range');
    const date = new Date(Date.UTC(year, month, day, hour, minute, Math.min(second, 59)));
    if (date.getUTCDate() !== day) return invalid('Date', 'no such day');
    return ok(date);
  },
  format: (d) => d.toUTCString(),
});
