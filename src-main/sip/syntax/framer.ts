/**
 * SipStreamFramer: cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3: "The
 * Content-Length header field MUST be used with stream oriented transports") and recognises the
 * RFC 5626 §4.4.1 keepalives between messages: "the client [...] sends a 'ping' (a double-CRLF) and
 * the server responds with a 'pong' (a single CRLF)".
 *
 *            push(bytes)
 *   ┌─────────────┐  header section complete,   ┌──────────┐
 *   │ headers     │ ─ Content-Length usable ──▶ │ body     │
 *   │ (CRLF/CRLF  │ ◀── Content-Length bytes ── │          │
 *   │  keepalives)│     arrived: message/error  └──────────┘
 *   └─────────────┘
 *          │ no usable Content-Length, or a header block / body over the limit
 *          ▼
 *   ┌─────────────┐
 *   │ failed      │  framing is lost; the owner must close the connection (RFC 4475 §3.1.2.3:
 *   └─────────────┘  "there's almost no chance of recovery"). Later bytes are ignored.
 *
 * A malformed message whose Content-Length is readable does not lose the framing: it yields a
 * non-fatal error (answer it with 400 if error.respond) and framing goes on.
 *
 * Keepalive caveat: a pong is reported as soon as a lone CRLF is seen, without waiting, because a
 * client must learn of a pong promptly; a ping split across two reads therefore shows as two pongs.
 */
import { Buffer } from 'node:buffer';
import type { SipParseError } from './errors.ts';
import type { SipMessage } from './message.ts';
import { completeMessage, parseHead, toParseError, type ParsedHead } from './parser.ts';
import { SipHeaders } from './headers.ts';

export type FramerEvent =
  | { readonly type: 'message'; readonly message: SipMessage }
  /** A double CRLF between messages: answer with a pong (one CRLF). */
  | { readonly type: 'ping' }
  /** A single CRLF between messages: the server's answer to our ping. */
  | { readonly type: 'pong' }
  /** fatal: framing is lost, close the connection. Otherwise one message was skipped. */
  | { readonly type: 'error'; readonly error: SipParseError; readonly fatal: boolean };

export interface FramerOptions {
  /** Largest header section accepted (start line included). Default 64 KiB. */
  readonly maxHeaderBytes?: number;
  /** Largest Content-Length accepted. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Passed to the parser: Request-URI schemes accepted (else 416). */
  readonly uriSchemes?: readonly string[];
}

export type FramerState = 'headers' | 'body' | 'failed';

/** The moves the diagram above allows. */
const MOVES: Readonly<Record<FramerState, readonly FramerState[]>> = {
  headers: ['body', 'failed'],
  body: ['headers'],
  failed: [],
};

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

export class SipStreamFramer {
  readonly #maxHeaderBytes: number;
  readonly #maxBodyBytes: number;
  readonly #uriSchemes: readonly string[] | undefined;
  #state: FramerState = 'headers';
  #buf: Buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Where the search for CRLFCRLF resumes (bytes before it were searched already). */
  #scanFrom = 0;
  #head: ParsedHead | undefined;
  #bodyStart = 0;
  #bodyLength = 0;

  constructor(options: FramerOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 64 * 1024;
    this.#maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#uriSchemes = options.uriSchemes;
  }

  get state(): FramerState {
    return this.#state;
  }

  /** Bytes received and not yet consumed by a message or keepalive. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Feeds bytes; returns what they completed, in order. */
  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#state === 'failed') return [];
    this.#append(chunk);
    const events: FramerEvent[] = [];
    let progressed = true;
    while (progressed) {
      const state: FramerState = this.#state;
      progressed =
        state === 'headers' ? this.#readHead(events) : state === 'body' ? this.#readBody(events) : false;
    }
    if (this.#start === this.#end) {
      this.#start = this.#end = this.#scanFrom = 0;
    }
    return events;
  }

  #append(chunk: Uint8Array): void {
    const length = chunk.byteLength;
    if (this.#end + length > this.#buf.length) {
      const live = this.#end - this.#start;
      if (live + length <= this.#buf.length && this.#start > 0) {
        this.#buf.copy(this.#buf, 0, this.#start, this.#end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(live + length, this.#buf.length * 2, 4096));
        this.#buf.copy(grown, 0, this.#start, this.#end);
        this.#buf = grown;
      }
      this.#scanFrom -= this.#start;
      this.#bodyStart -= this.#start;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += length;
  }

  /** The one place the state changes; a move the diagram does not have is a bug. */
  #moveTo(next: FramerState): void {
    if (!MOVES[this.#state].includes(next))
      throw new Error(`SipStreamFramer: illegal move ${this.#state} → ${next}`);
    this.#state = next;
  }

  #fail(events: FramerEvent[], error: SipParseError): false {
    this.#moveTo('failed');
    this.#start = this.#end = this.#scanFrom = 0;
    this.#buf = Buffer.alloc(0);
    this.#head = undefined;
    events.push({ type: 'error', error, fatal: true });
    return false;
  }

  /** Keepalives, then the header section. Returns false when more bytes are needed. */
  #readHead(events: FramerEvent[]): boolean {
    const buf = this.#buf;
    const available = this.#end - this.#start;
    if (available === 0) return false;
    if (buf[this.#start] === 13) {
      if (available < 2) return false;
      if (buf[this.#start + 1] === 10) {
        if (available >= 4 && buf[this.#start + 2] === 13 && buf[this.#start + 3] === 10) {
          this.#start += 4;
          events.push({ type: 'ping' });
          return true;
        }
        if (available === 3 && buf[this.#start + 2] === 13) return false; // could still become a ping
        this.#start += 2;
        events.push({ type: 'pong' });
        return true;
      }
    }
    const from = Math.max(this.#start, this.#scanFrom);
    const found = buf.subarray(from, this.#end).indexOf(CRLFCRLF);
    if (found < 0) {
      if (available > this.#maxHeaderBytes)
        return this.#fail(events, tooLarge(`header section larger than ${this.#maxHeaderBytes} bytes`));
      this.#scanFrom = Math.max(this.#start, this.#end - 3);
      return false;
    }
    const headEnd = from + found;
    if (headEnd - this.#start > this.#maxHeaderBytes)
      return this.#fail(events, tooLarge(`header section larger than ${this.#maxHeaderBytes} bytes`));
    const head = parseHead(buf, this.#start, headEnd);
    const cl = head.contentLength;
    if (typeof cl !== 'number') {
      const headers = SipHeaders.fromLines(head.lines);
      const failure =
        cl === 'absent'
          ? ({
              code: 'missing-content-length',
              field: 'Content-Length',
              reason: 'Content-Length is mandatory on stream transports',
              status: 400,
            } as const)
          : cl === 'duplicate'
            ? ({
                code: 'duplicate-header',
                field: 'Content-Length',
                reason: 'more than one Content-Length header',
                status: 400,
              } as const)
            : ({
                code: 'invalid-header',
                field: 'Content-Length',
                reason: 'Content-Length must be 1*DIGIT',
                status: 400,
              } as const);
      return this.#fail(events, toParseError(failure, head, headers));
    }
    if (cl > this.#maxBodyBytes)
      return this.#fail(events, tooLarge(`body of ${cl} bytes is larger than ${this.#maxBodyBytes}`));
    this.#head = head;
    this.#bodyStart = headEnd + 4;
    this.#bodyLength = cl;
    this.#moveTo('body');
    return true;
  }

  /** Waits for Content-Length bytes, then emits the message (or its error). */
  #readBody(events: FramerEvent[]): boolean {
    const head = this.#head;
    if (head === undefined) throw new Error('framer: body state without a head');
    const end = this.#bodyStart + this.#bodyLength;
    if (this.#end < end) return false;
    const options =
      this.#uriSchemes === undefined ? { stream: true } : { stream: true, uriSchemes: this.#uriSchemes };
    const result = completeMessage(head, this.#buf, this.#bodyStart, end, options);
    events.push(
      result.ok
        ? { type: 'message', message: result.message }
        : { type: 'error', error: result.error, fatal: false },
    );
    this.#start = end;
    this.#scanFrom = end;
    this.#head = undefined;
    this.#moveTo('headers');
    return true;
  }
}

function tooLarge(reason: string): SipParseError {
  return {
    code: 'message-too-large',
    field: 'message',
    reason,
    status: 513,
    reasonPhrase: 'Message Too Large',
    respond: false,
  };
}
