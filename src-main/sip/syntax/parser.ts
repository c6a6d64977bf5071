/**
 * parseMessage: bytes → SipRequest | SipResponse, or a SipParseError saying what to answer.
 *
 * Eager work: find the end of the header section, decode it (UTF-8), split the start line and the
 * header lines (undoing folding), then validate what every layer above relies on: Via, From, To,
 * Call-ID, CSeq (and that its method matches), Max-Forwards, Content-Length, and the body length.
 * Every other header is parsed on first access (SipHeaders.first/all).
 *
 * Framing (RFC 3261 §18.3): "In the case of message-oriented transports (such as UDP), if the
 * message has a Content-Length header field, the message body is assumed to contain that many
 * bytes. If there are additional bytes in the transport packet beyond the end of the body, they
 * MUST be discarded. If the transport packet ends before the end of the message body, this is
 * considered an error. [...] If the message has no Content-Length header field, the message body is
 * assumed to end at the end of the transport packet. In the case of stream-oriented transports such
 * as TCP, [...] The Content-Length header field MUST be used with stream oriented transports."
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { isToken, isWsp, parseDigits } from './chars.ts';
import type {
  RequestHead,
  SipErrorStatus,
  SipHeaderError,
  SipParseError,
  SipParseErrorCode,
} from './errors.ts';
import { FromHeader, ToHeader } from './address-headers.ts';
import { headerKey, knownHeaderName } from './header-names.ts';
import { HeaderLine, SipHeaders, type HeaderCodec } from './headers.ts';
import { SipRequest, SipResponse, type SipMessage } from './message.ts';
import { parseUri, type Uri } from './uri.ts';
import { CallIdHeader, CSeqHeader, MaxForwardsHeader, quickCSeq } from './value-headers.ts';
import { quickCallId, quickNameAddr, quickVia } from './quick-check.ts';
import { parseViaSentBy, ViaHeader } from './via.ts';

export interface ParseOptions {
  /**
   * The bytes are one message cut from a stream (TCP/TLS) by a framer: Content-Length is
   * mandatory and the header section must end with an empty line. Default: a datagram (UDP).
   */
  readonly stream?: boolean;
  /**
   * If given, a request whose Request-URI scheme (lower case) is not in this list fails with 416
   * Unsupported URI Scheme (RFC 3261 §8.2.2.1). Without it any scheme parses (RFC 4475 §3.3.2 wants
   * the message parsed; answering 416 is then the UA's decision).
   */
  readonly uriSchemes?: readonly string[];
}

export type ParseResult =
  { readonly ok: true; readonly message: SipMessage } | { readonly ok: false; readonly error: SipParseError };

/** An error before it knows whether it can be answered. */
interface Failure {
  readonly code: SipParseErrorCode;
  readonly field: string;
  readonly reason: string;
  readonly status: SipErrorStatus;
  readonly reasonPhrase?: string;
}

/** The header section, split and unfolded, plus what the start line said. */
export interface ParsedHead {
  readonly kind: 'request' | 'response';
  readonly method: string;
  readonly uri: Uri | undefined;
  readonly status: number;
  readonly reason: string;
  readonly lines: HeaderLine[];
  /** The first start-line or header-line failure, if any. */
  readonly failure: Failure | undefined;
  /** Content-Length: a number, or why there is none usable. */
  readonly contentLength: number | 'absent' | 'invalid' | 'duplicate';
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);
const CL_KEY = 'content-length';

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Skips CRLFs before the start line (RFC 3261 §7.5: "MUST ignore any CRLF appearing before the start-line"). */
function skipLeadingCrlf(buf: Uint8Array, start: number, end: number): number {
  while (start + 1 < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  return start;
}

export function parseMessage(data: Uint8Array, options: ParseOptions = {}): ParseResult {
  const buf = toBuffer(data);
  const end = buf.length;
  const start = skipLeadingCrlf(buf, 0, end);
  if (start >= end) {
    return {
      ok: false,
      error: {
        code: 'empty-message',
        field: 'message',
        reason: 'no start line',
        status: 400,
        reasonPhrase: 'Bad Request',
        respond: false,
      },
    };
  }
  let headEnd = buf.indexOf(CRLFCRLF, start);
  let bodyStart: number;
  let unterminated: Failure | undefined;
  if (headEnd >= 0) bodyStart = headEnd + 4;
  else if (!options.stream && end - start >= 2 && buf[end - 2] === 13 && buf[end - 1] === 10) {
    // A datagram whose header section ends with the datagram, without the empty line (RFC 5118's
    // archive has two): the boundary is unambiguous, so read it as a message without body.
    headEnd = end - 2;
    bodyStart = end;
  } else {
    headEnd = end;
    bodyStart = end;
    unterminated = {
      code: 'malformed-header-line',
      field: 'message-header',
      reason: 'the header section is not terminated by an empty line',
      status: 400,
    };
  }
  const head = parseHead(buf, start, headEnd);
  return completeMessage(head, buf, bodyStart, end, options, unterminated);
}

// ─────────────────────────── head ───────────────────────────

function isSip20(v: string): boolean {
  return v.length === 7 && (v === 'SIP/2.0' || v.toUpperCase() === 'SIP/2.0');
}

function isSipVersion(v: string): boolean {
  return /^SIP\/\d+\.\d+$/i.test(v);
}

interface StartLine {
  kind: 'request' | 'response';
  method: string;
  uri: Uri | undefined;
  status: number;
  reason: string;
  failure: Failure | undefined;
}

function malformed(field: string, reason: string): Failure {
  return { code: 'malformed-start-line', field, reason, status: 400 };
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2). */
function parseStatusLine(line: string): StartLine {
  const result: StartLine = {
    kind: 'response',
    method: '',
    uri: undefined,
    status: 0,
    reason: '',
    failure: undefined,
  };
  const sp1 = line.indexOf(' ');
  const version = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isSip20(version)) {
    result.failure = isSipVersion(version)
      ? {
          code: 'version-not-supported',
          field: 'SIP-Version',
          reason: `unsupported version ${version}`,
          status: 505,
        }
      : malformed('Status-Line', 'invalid SIP-Version');
    return result;
  }
  let sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 < 0) sp2 = line.length; // "SIP/2.0 100" without SP: tolerated, empty Reason-Phrase
  const code = line.slice(sp1 + 1, sp2);
  const c0 = code.charCodeAt(0);
  if (code.length !== 3 || !/^\d{3}$/.test(code) || c0 < 49 || c0 > 54) {
    result.failure = malformed('Status-Line', 'Status-Code must be three digits, 100-699');
    return result;
  }
  const reason = line.slice(sp2 + 1);
  for (let i = 0; i < reason.length; i++) {
    const c = reason.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) {
      result.failure = malformed('Status-Line', 'control character in Reason-Phrase');
      return result;
    }
  }
  result.status = Number(code);
  result.reason = reason;
  return result;
}

/** Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1): exactly two SPs. */
function parseRequestLine(line: string): StartLine {
  const result: StartLine = {
    kind: 'request',
    method: '',
    uri: undefined,
    status: 0,
    reason: '',
    failure: undefined,
  };
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (isToken(method)) result.method = method;
  if (sp1 <= 0 || sp2 === sp1 || !isToken(method)) {
    result.failure = malformed('Request-Line', 'expected Method SP Request-URI SP SIP-Version');
    return result;
  }
  const version = line.slice(sp2 + 1);
  if (!isSip20(version)) {
    // RFC 4475 §3.1.2.16 ("badvers"): SIP/7.0 → 505; trailing SP (§3.1.2.10, "trws") → malformed.
    result.failure = isSipVersion(version)
      ? {
          code: 'version-not-supported',
          field: 'SIP-Version',
          reason: `unsupported version ${version}`,
          status: 505,
        }
      : malformed('Request-Line', 'invalid SIP-Version (or white space after it)');
    return result;
  }
  const uriText = line.slice(sp1 + 1, sp2);
  if (uriText.length === 0 || isWsp(uriText.charCodeAt(0)) || isWsp(uriText.charCodeAt(uriText.length - 1))) {
    // RFC 4475 §3.1.2.9 ("lwsstart"): more than one SP between the elements.
    result.failure = malformed('Request-Line', 'elements must be separated by exactly one SP');
    return result;
  }
  if (uriText.includes(' ') || uriText.includes('\t')) {
    // RFC 4475 §3.1.2.8 ("lwsruri"): "sip:user@example.com; lr".
    result.failure = {
      code: 'malformed-start-line',
      field: 'Request-URI',
      reason: 'white space inside Request-URI',
      status: 400,
    };
    return result;
  }
  const uri = parseUri(uriText);
  if (!uri.ok) {
    // RFC 4475 §3.1.2.7 ("ltgtruri"): "INVITE <sip:user@example.com> SIP/2.0".
    const reason = uriText.startsWith('<') ? 'Request-URI must not be enclosed in <>' : uri.reason;
    result.failure = { code: 'malformed-start-line', field: 'Request-URI', reason, status: 400 };
    return result;
  }
  if (uri.uri.kind === 'sip' && uri.uri.headers.length > 0) {
    // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI; RFC 4475 §3.1.2.11 "escruri".
    result.failure = {
      code: 'malformed-start-line',
      field: 'Request-URI',
      reason: 'URI headers are not allowed in a Request-URI',
      status: 400,
    };
    return result;
  }
  result.uri = uri.uri;
  return result;
}

function bareLf(): Failure {
  return {
    code: 'malformed-header-line',
    field: 'message-header',
    reason: 'bare CR or LF in the header section',
    status: 400,
  };
}

/** Splits and unfolds the header section buf[start, end) (no trailing empty line). */
export function parseHead(buf: Buffer, start: number, end: number): ParsedHead {
  const section = buf.subarray(start, end);
  let text: string;
  let failure: Failure | undefined;
  if (isAscii(section)) text = buf.toString('latin1', start, end);
  else {
    text = buf.toString('utf8', start, end);
    if (!isUtf8(section))
      failure = {
        code: 'invalid-encoding',
        field: 'message-header',
        reason: 'header section is not valid UTF-8',
        status: 400,
      };
  }
  // Lines end at LF; the character before each LF must be CR (else: a bare LF), and no other CR may
  // appear in a line (a bare CR). A header with a bare CR is dropped, so that nothing copied from
  // this head (createResponse on the error) can carry one.
  const len = text.length;
  let eol = text.indexOf('\n');
  let lineEnd = eol < 0 ? len : Math.max(eol - 1, 0);
  if (eol < 0) eol = len;
  else if (text.charCodeAt(lineEnd) !== 13) failure ??= bareLf();
  const firstCr = text.indexOf('\r');
  if (firstCr >= 0 && firstCr < lineEnd) failure ??= bareLf();
  const startLine = text.slice(0, lineEnd);
  const isStatusLine =
    (startLine.charCodeAt(0) | 0x20) === 115 &&
    (startLine.charCodeAt(1) | 0x20) === 105 &&
    (startLine.charCodeAt(2) | 0x20) === 112 &&
    startLine.charCodeAt(3) === 47;
  const first = isStatusLine ? parseStatusLine(startLine) : parseRequestLine(startLine);
  failure ??= first.failure;

  const lines: HeaderLine[] = [];
  let name = '';
  let key = '';
  let value: string | undefined; // the header being read (continuation lines extend it)
  let pos = eol + 1;
  while (pos < len) {
    eol = text.indexOf('\n', pos);
    if (eol < 0) lineEnd = eol = len;
    else {
      lineEnd = eol - 1;
      if (text.charCodeAt(lineEnd) !== 13) {
        failure ??= bareLf();
        lineEnd = eol;
      }
    }
    const cr = text.indexOf('\r', pos);
    if (cr >= 0 && cr < lineEnd) {
      failure ??= bareLf();
      if (value !== undefined && !isWsp(text.charCodeAt(pos))) lines.push(new HeaderLine(name, key, value));
      value = undefined;
      pos = eol + 1;
      continue;
    }
    let a = pos;
    let b = lineEnd;
    if (isWsp(text.charCodeAt(pos))) {
      // Folding (RFC 3261 §7.3.1): the continuation joins the previous value with one SP.
      while (a < b && isWsp(text.charCodeAt(a))) a++;
      while (b > a && isWsp(text.charCodeAt(b - 1))) b--;
      if (value === undefined) {
        failure ??= {
          code: 'malformed-header-line',
          field: 'message-header',
          reason: 'continuation line before any header',
          status: 400,
        };
      } else if (a < b) value = value.length > 0 ? `${value} ${text.slice(a, b)}` : text.slice(a, b);
    } else {
      if (value !== undefined) lines.push(new HeaderLine(name, key, value));
      value = undefined;
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > lineEnd) {
        failure ??= {
          code: 'malformed-header-line',
          field: 'message-header',
          reason: 'header line without ":"',
          status: 400,
        };
      } else {
        let nameEnd = colon;
        while (nameEnd > pos && isWsp(text.charCodeAt(nameEnd - 1))) nameEnd--;
        const known = knownHeaderName(text, pos, nameEnd);
        if (known !== undefined) {
          name = known.name;
          key = known.key;
        } else {
          name = text.slice(pos, nameEnd);
          key = isToken(name) ? headerKey(name) : '';
        }
        if (key.length === 0) {
          failure ??= {
            code: 'malformed-header-line',
            field: 'message-header',
            reason: `invalid header name ${JSON.stringify(name)}`,
            status: 400,
          };
        } else {
          a = colon + 1;
          while (a < b && isWsp(text.charCodeAt(a))) a++;
          while (b > a && isWsp(text.charCodeAt(b - 1))) b--;
          value = text.slice(a, b);
        }
      }
    }
    pos = eol + 1;
  }
  if (value !== undefined) lines.push(new HeaderLine(name, key, value));

  let contentLength: ParsedHead['contentLength'] = 'absent';
  for (const line of lines) {
    if (line.key !== CL_KEY) continue;
    if (contentLength !== 'absent') contentLength = 'duplicate';
    else {
      const v = line.value;
      const n = v.length <= 10 ? parseDigits(v) : NaN;
      contentLength = n <= 4294967295 ? n : 'invalid';
    }
  }
  return {
    kind: first.kind,
    method: first.method,
    uri: first.uri,
    status: first.status,
    reason: first.reason,
    lines,
    failure,
    contentLength,
  };
}

// ─────────────────────────── validation and body ───────────────────────────

function fromHeaderError(e: SipHeaderError): Failure {
  return { code: e.code, field: e.field, reason: e.reason, status: 400, reasonPhrase: e.reasonPhrase };
}

/**
 * Validates one line for `codec`: `quick` is the codec's fast check already applied to the value
 * (each call site below calls its own check directly, which keeps those calls monomorphic); when it
 * failed, the full parser decides and caches the value.
 */
function checkLine<T>(line: HeaderLine, codec: HeaderCodec<T>, quick: boolean): Failure | undefined {
  if (quick) {
    line.checked = codec as HeaderCodec<unknown>;
    return undefined;
  }
  const r = line.parse(codec);
  return r.ok ? undefined : fromHeaderError(r.error);
}

/** A single-valued mandatory header: present once (RFC 4475 §3.3.8, "multi01"). */
function presence(line: HeaderLine | undefined, count: number, name: string): Failure | undefined {
  if (line === undefined)
    return { code: 'missing-header', field: name, reason: `no ${name} header`, status: 400 };
  if (count > 1)
    return { code: 'duplicate-header', field: name, reason: `more than one ${name} header`, status: 400 };
  return undefined;
}

/** Validates the mandatory headers of a parsed head; the first failure in a fixed order. */
function validate(head: ParsedHead): Failure | undefined {
  let vias = 0;
  let from: HeaderLine | undefined;
  let to: HeaderLine | undefined;
  let callId: HeaderLine | undefined;
  let cseq: HeaderLine | undefined;
  let maxForwards: HeaderLine | undefined;
  let fromCount = 0;
  let toCount = 0;
  let callIdCount = 0;
  let cseqCount = 0;
  let maxForwardsCount = 0;
  const lines = head.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    switch (line.key) {
      case 'via': {
        vias++;
        const v = line.value;
        const f = checkLine(line, ViaHeader, !v.includes(',') && quickVia(v));
        if (f !== undefined) return f;
        break;
      }
      case 'from':
        from ??= line;
        fromCount++;
        break;
      case 'to':
        to ??= line;
        toCount++;
        break;
      case 'call-id':
        callId ??= line;
        callIdCount++;
        break;
      case 'cseq':
        cseq ??= line;
        cseqCount++;
        break;
      case 'max-forwards':
        maxForwards ??= line;
        maxForwardsCount++;
        break;
    }
  }
  if (vias === 0) return { code: 'missing-header', field: 'Via', reason: 'no Via header', status: 400 };
  const failure =
    presence(from, fromCount, 'From') ??
    checkLine(from!, FromHeader, quickNameAddr(from!.value)) ??
    presence(to, toCount, 'To') ??
    checkLine(to!, ToHeader, quickNameAddr(to!.value)) ??
    presence(callId, callIdCount, 'Call-ID') ??
    checkLine(callId!, CallIdHeader, quickCallId(callId!.value)) ??
    presence(cseq, cseqCount, 'CSeq') ??
    checkLine(cseq!, CSeqHeader, quickCSeq(cseq!.value));
  if (failure !== undefined) return failure;
  if (head.kind === 'request') {
    if (!cseqMethodIs(cseq!, head.method)) {
      // RFC 4475 §3.1.2.17 ("mismatch01") and §3.1.2.18 ("mismatch02").
      return {
        code: 'method-mismatch',
        field: 'CSeq',
        reason: `CSeq method does not match request method ${head.method}`,
        status: 400,
        reasonPhrase: 'Bad Request (CSeq method does not match)',
      };
    }
    // Absent Max-Forwards is accepted: RFC 2543 requests have none (RFC 4475 §3.4.1, "inv2543").
    if (maxForwards !== undefined) {
      const f =
        presence(maxForwards, maxForwardsCount, 'Max-Forwards') ??
        checkLine(maxForwards, MaxForwardsHeader, false);
      if (f !== undefined) return f;
    }
  }
  switch (head.contentLength) {
    case 'duplicate':
      // RFC 4475 §3.3.9 ("mcl01"): two different Content-Length values; no way to frame the body.
      return {
        code: 'duplicate-header',
        field: 'Content-Length',
        reason: 'more than one Content-Length header',
        status: 400,
      };
    case 'invalid':
      // RFC 4475 §3.1.2.3 ("ncl"): "Content-Length: -999".
      return {
        code: 'invalid-header',
        field: 'Content-Length',
        reason: 'Content-Length must be 1*DIGIT',
        status: 400,
      };
    default:
      return undefined;
  }
}

/** Compares the CSeq method with the request method without building the CSeq when possible. */
function cseqMethodIs(line: HeaderLine, method: string): boolean {
  if (line.checked === CSeqHeader) {
    // quick-checked form "digits SP method": the method is the tail after the only SP
    const v = line.value;
    return v.length - v.indexOf(' ') - 1 === method.length && v.endsWith(method);
  }
  const parsed = line.parse(CSeqHeader);
  return parsed.ok && parsed.value[0]!.method === method;
}

/** Can a response reach the sender? Only if the top Via's sent-by is readable (RFC 3261 §18.2.2). */
function usableVia(headers: SipHeaders): boolean {
  const top = headers.get('via');
  if (top === undefined) return false;
  const comma = top.indexOf(',');
  return parseViaSentBy(comma < 0 ? top : top.slice(0, comma)) !== undefined;
}

const PHRASES: Record<Exclude<SipErrorStatus, 400>, string> = {
  416: 'Unsupported URI Scheme',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

function phraseFor(f: Failure): string {
  if (f.reasonPhrase !== undefined) return f.reasonPhrase;
  if (f.status !== 400) return PHRASES[f.status];
  switch (f.code) {
    case 'malformed-start-line':
      return `Bad Request (malformed ${f.field})`;
    case 'malformed-header-line':
      return 'Bad Request (malformed header line)';
    case 'invalid-encoding':
      return 'Bad Request (header section not UTF-8)';
    case 'missing-header':
      return `Bad Request (missing ${f.field})`;
    case 'duplicate-header':
      return `Bad Request (duplicate ${f.field})`;
    case 'body-truncated':
      return 'Bad Request (body shorter than Content-Length)';
    case 'missing-content-length':
      return 'Bad Request (missing Content-Length)';
    default:
      return `Bad Request (invalid ${f.field})`;
  }
}

/** Turns a failure into the public error, deciding whether it can be answered. */
export function toParseError(f: Failure, head: ParsedHead, headers: SipHeaders): SipParseError {
  const base = {
    code: f.code,
    field: f.field,
    reason: f.reason,
    status: f.status,
    reasonPhrase: phraseFor(f),
  };
  if (head.kind === 'request' && usableVia(headers)) {
    const request: RequestHead = { method: head.method, headers };
    return { ...base, respond: true, request };
  }
  return { ...base, respond: false };
}

/** A copy of buf[start, end): the caller may reuse its buffer (the framer does). */
function copyBytes(buf: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  buf.copy(out, 0, start, end);
  return out;
}

/**
 * Validates a parsed head and attaches the body buf[bodyStart, end). For a stream, `end` is where the
 * framer cut (bodyStart + Content-Length).
 */
export function completeMessage(
  head: ParsedHead,
  buf: Buffer,
  bodyStart: number,
  end: number,
  options: ParseOptions,
  extraFailure?: Failure,
): ParseResult {
  const headers = SipHeaders.fromLines(head.lines);
  let failure = head.failure ?? extraFailure ?? validate(head);
  let body: Buffer = EMPTY;
  if (failure === undefined) {
    const available = end - bodyStart;
    const cl = head.contentLength;
    if (typeof cl === 'number') {
      if (cl > available) {
        // RFC 4475 §3.1.2.2 ("clerr"): Content-Length 9999 on a short datagram.
        failure = {
          code: 'body-truncated',
          field: 'Content-Length',
          reason: `Content-Length ${cl} but only ${available} body bytes`,
          status: 400,
        };
      } else if (cl > 0) body = copyBytes(buf, bodyStart, bodyStart + cl);
    } else if (options.stream) {
      failure = {
        code: 'missing-content-length',
        field: 'Content-Length',
        reason: 'Content-Length is mandatory on stream transports',
        status: 400,
      };
    } else if (available > 0) body = copyBytes(buf, bodyStart, end);
  }
  if (
    failure === undefined &&
    head.kind === 'request' &&
    options.uriSchemes !== undefined &&
    head.uri !== undefined
  ) {
    const scheme = head.uri.kind === 'tel' ? 'tel' : head.uri.scheme;
    if (!options.uriSchemes.includes(scheme)) {
      failure = {
        code: 'unsupported-uri-scheme',
        field: 'Request-URI',
        reason: `URI scheme ${scheme} is not supported`,
        status: 416,
      };
    }
  }
  if (failure !== undefined) return { ok: false, error: toParseError(failure, head, headers) };
  const message =
    head.kind === 'request'
      ? new SipRequest({ method: head.method, uri: head.uri!, headers, body })
      : new SipResponse({ status: head.status, reason: head.reason, headers, body });
  return { ok: true, message };
}
