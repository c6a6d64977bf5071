/**
 * The message model: a request or a response (discriminated by `kind`), an ordered header list and
 * a body of bytes. Messages are mutable: the transport adds received/rport to the top Via, a UA
 * adds headers before sending. The accessors for the mandatory headers (vias, from, to, callId,
 * cseq) read the typed cache of the header lines; on a message from parseMessage they cannot fail,
 * because the parser validated exactly these. On a message you built or edited, reading one that
 * is missing or malformed throws: that is a bug in the code that built it.
 */
import { Buffer } from 'node:buffer';
import { FromHeader, ToHeader, type FromTo } from './address-headers.ts';
import type { HeaderResult } from './errors.ts';
import { SipHeaders, type HeaderCodec } from './headers.ts';
import type { Uri } from './uri.ts';
import { CallIdHeader, CSeqHeader, MaxForwardsHeader, type CSeq } from './value-headers.ts';
import { ViaHeader, type Via } from './via.ts';

function required<T>(result: HeaderResult<T>, name: string): T {
  if (!result.ok) throw new Error(`message has no valid ${name}: ${result.error.reason}`);
  return result.value;
}

function requiredSingle<T>(headers: SipHeaders, codec: HeaderCodec<T>): T {
  return required(headers.single(codec), codec.name);
}

export interface MessageInit {
  /** Header lines in order; a SipHeaders is taken as is (not copied). */
  readonly headers?: SipHeaders | Iterable<readonly [string, string]>;
  readonly body?: Uint8Array | string;
}

const EMPTY_BODY = Buffer.alloc(0);

function toBody(body: Uint8Array | string | undefined): Buffer {
  if (body === undefined) return EMPTY_BODY;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;

  constructor(init: MessageInit) {
    this.headers = init.headers instanceof SipHeaders ? init.headers : new SipHeaders(init.headers);
    this.body = toBody(init.body);
  }

  /** Every Via value, top (most recent hop) first. */
  get vias(): readonly Via[] {
    const all = required(this.headers.all(ViaHeader), 'Via');
    if (all.length === 0) throw new Error('message has no Via');
    return all;
  }

  /** The top Via: the one the transaction layer matches on (RFC 3261 §17.1.3, §17.2.3). */
  get topVia(): Via {
    const top = required(this.headers.first(ViaHeader), 'Via');
    if (top === undefined) throw new Error('message has no Via');
    return top;
  }

  get from(): FromTo {
    return requiredSingle(this.headers, FromHeader);
  }

  get to(): FromTo {
    return requiredSingle(this.headers, ToHeader);
  }

  get callId(): string {
    return requiredSingle(this.headers, CallIdHeader);
  }

  get cseq(): CSeq {
    return requiredSingle(this.headers, CSeqHeader);
  }

  /** Replaces the body; serialize() writes the matching Content-Length. */
  setBody(body: Uint8Array | string): void {
    this.body = toBody(body);
  }
}

export interface RequestInit extends MessageInit {
  readonly method: string;
  readonly uri: Uri;
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  /** Method as written (case-sensitive, RFC 3261 §7.1). */
  readonly method: string;
  /** Request-URI. */
  uri: Uri;

  constructor(init: RequestInit) {
    super(init);
    this.method = init.method;
    this.uri = init.uri;
  }

  /** Max-Forwards, or undefined when absent (RFC 2543 requests have none, RFC 4475 §3.4.1). */
  get maxForwards(): number | undefined {
    return required(this.headers.first(MaxForwardsHeader), 'Max-Forwards');
  }

  /** A copy with its own header list and body (typed values are immutable, so they are shared). */
  clone(): SipRequest {
    return new SipRequest({
      method: this.method,
      uri: this.uri,
      headers: this.headers.clone(),
      body: Buffer.from(this.body),
    });
  }
}

export interface ResponseInit extends MessageInit {
  readonly status: number;
  readonly reason: string;
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  /** 100..699 */
  status: number;
  /** Reason-Phrase (may be empty, RFC 4475 §3.1.1.13). */
  reason: string;

  constructor(init: ResponseInit) {
    super(init);
    this.status = init.status;
    this.reason = init.reason;
  }

  clone(): SipResponse {
    return new SipResponse({
      status: this.status,
      reason: this.reason,
      headers: this.headers.clone(),
      body: Buffer.from(this.body),
    });
  }
}

export type SipMessage = SipRequest | SipResponse;
