/**
 * The client side of STUN on one transport (a datagram socket, possibly shared, or one stream): sends
 * requests as `StunClientTransaction`s, matches responses to them by transaction id and checks their
 * MESSAGE-INTEGRITY. It never touches a socket: it is given a `send` function and fed the STUN messages
 * the owner of the socket received (see endpoint.ts and demux.ts for the wiring).
 *
 * Matching is by transaction id only (RFC 5389 §7.3.3): an RFC 5780 response to CHANGE-REQUEST comes from
 * another address by design, and an ICE agent wants to see a response from an unexpected address to call
 * the check failed (RFC 8445 §7.2.5.2.1). The result carries `from` for both.
 *
 * Integrity (RFC 5389 §10.1.3, §10.2.3): when a request was signed, a success response must carry a
 * MESSAGE-INTEGRITY that verifies with the same key, or it "MUST be discarded, as if it was never
 * received"; an error response with a MESSAGE-INTEGRITY must verify too, and one without is accepted only
 * for the codes the caller lists (default 400, 401, 420, 438: the codes a server cannot sign because it
 * does not know or trust the key yet).
 */
import type { Clock, SocketAddress } from '../../platform/index.ts';
import { encodeStunMessage, newTransactionId, transactionKey, verifyMessageIntegrity } from './message.ts';
import type { DecodedStunMessage, StunAttributes, StunErrorCode } from './message.ts';
import { RFC5389_TIMING, StunClientTransaction } from './transaction.ts';
import type { StunTiming, StunTransactionState } from './transaction.ts';

/** How a request ended. `sends` and `elapsedMs` are always there for diagnostics. */
export type StunTransactionResult =
  | {
      outcome: 'success';
      response: DecodedStunMessage;
      from: SocketAddress;
      sends: number;
      elapsedMs: number;
      /** The round-trip time when it is unambiguous (one send, Karn's rule); undefined otherwise. */
      rttMs: number | undefined;
    }
  | {
      outcome: 'error-response';
      error: StunErrorCode;
      response: DecodedStunMessage;
      from: SocketAddress;
      sends: number;
      elapsedMs: number;
    }
  | {
      outcome: 'invalid-response';
      reason: string;
      response: DecodedStunMessage;
      from: SocketAddress;
      sends: number;
      elapsedMs: number;
    }
  | { outcome: 'timeout'; sends: number; elapsedMs: number }
  | { outcome: 'cancelled'; sends: number; elapsedMs: number }
  | { outcome: 'transport-failed'; reason: string; sends: number; elapsedMs: number };

export type StunOutcome = StunTransactionResult['outcome'];

export interface StunRequest {
  method: number;
  attributes?: StunAttributes;
  /** Default: a fresh random id. */
  transactionId?: Buffer;
}

export interface StunRequestOptions {
  /** Sign the request with MESSAGE-INTEGRITY and require authentic responses (see the file comment). */
  integrityKey?: Uint8Array;
  /** Append FINGERPRINT (default true; ICE requires it, RFC 8445 §7.2.2). */
  fingerprint?: boolean;
  /** Per-request timing (e.g. shorter timeouts for NAT tests); default: the client's. */
  timing?: Partial<StunTiming>;
  /** Error codes accepted without MESSAGE-INTEGRITY from a signed request (default 400, 401, 420, 438). */
  unauthenticatedErrorCodes?: readonly number[];
  /** Abort the transaction (it ends as `cancelled`). */
  signal?: AbortSignal;
}

export interface StunClientOptions {
  clock: Clock;
  /** Put bytes on the transport towards `to` (streams ignore `to`). */
  send: (bytes: Buffer, to: SocketAddress) => void;
  /** TCP/TLS: no retransmissions, one Ti timeout (RFC 5389 §7.2.2). */
  reliable: boolean;
  /** Default timing of this client's transactions (default RFC 5389's). */
  timing?: Partial<StunTiming>;
  /** SOFTWARE attribute for requests (RFC 5389 §15.10: SHOULD be included); default none. */
  software?: string;
  /** Transaction id source (tests inject a deterministic one); default 12 random bytes. */
  newTransactionId?: () => Buffer;
}

const DEFAULT_UNAUTHENTICATED_ERRORS = [400, 401, 420, 438] as const;

interface Pending {
  transaction: StunClientTransaction | undefined;
  integrityKey: Uint8Array | undefined;
  unauthenticatedErrorCodes: readonly number[];
  finish: (result: StunTransactionResult) => void;
  /** The response that ended the transaction, set just before answer(). */
  answer?: Exclude<StunTransactionResult, { outcome: 'timeout' | 'cancelled' | 'transport-failed' }>;
}

export class StunClient {
  readonly reliable: boolean;
  private readonly clock: Clock;
  private readonly sendBytes: StunClientOptions['send'];
  private readonly timing: StunTiming;
  private readonly software: string | undefined;
  private readonly nextId: () => Buffer;
  private readonly pending = new Map<string, Pending>();
  private closedReason: string | undefined;

  constructor(options: StunClientOptions) {
    this.clock = options.clock;
    this.sendBytes = options.send;
    this.reliable = options.reliable;
    this.timing = { ...RFC5389_TIMING, ...options.timing };
    this.software = options.software;
    this.nextId = options.newTransactionId ?? newTransactionId;
  }

  /** Transactions still waiting for a response. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Send a request to `to` and wait for its outcome. Never rejects: failures are outcomes. */
  request(
    request: StunRequest,
    to: SocketAddress,
    options: StunRequestOptions = {},
  ): Promise<StunTransactionResult> {
    const transactionId = request.transactionId ?? this.nextId();
    const key = transactionKey(transactionId);
    if (this.pending.has(key)) throw new Error(`STUN transaction ${key} is already pending`);
    if (this.closedReason !== undefined) {
      return Promise.resolve({
        outcome: 'transport-failed',
        reason: this.closedReason,
        sends: 0,
        elapsedMs: 0,
      });
    }
    if (options.signal?.aborted) return Promise.resolve({ outcome: 'cancelled', sends: 0, elapsedMs: 0 });

    const attributes: StunAttributes = { ...request.attributes };
    if (this.software !== undefined && attributes.software === undefined) attributes.software = this.software;
    const bytes = encodeStunMessage(
      { method: request.method, messageClass: 'request', transactionId, attributes },
      {
        ...(options.integrityKey ? { integrityKey: options.integrityKey } : {}),
        fingerprint: options.fingerprint ?? true,
      },
    );

    return new Promise((resolve) => {
      const onAbort = (): void => entry.transaction?.cancel('aborted');
      const entry: Pending = {
        transaction: undefined,
        integrityKey: options.integrityKey,
        unauthenticatedErrorCodes: options.unauthenticatedErrorCodes ?? DEFAULT_UNAUTHENTICATED_ERRORS,
        finish: (result) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      this.pending.set(key, entry);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      entry.transaction = new StunClientTransaction({
        clock: this.clock,
        timing: { ...this.timing, ...options.timing },
        reliable: this.reliable,
        send: () => this.sendBytes(bytes, to),
        onEnd: (state, cause) => this.ended(key, entry, state, cause),
      });
    });
  }

  /**
   * Offer a received STUN message. Returns true when it answered (or was discarded for) one of our
   * transactions, false when it is not ours (a request, an indication, an unknown transaction id).
   */
  receive(message: DecodedStunMessage, from: SocketAddress): boolean {
    if (message.messageClass !== 'success' && message.messageClass !== 'error') return false;
    const key = transactionKey(message.transactionId);
    const entry = this.pending.get(key);
    const transaction = entry?.transaction;
    if (entry === undefined || transaction === undefined || transaction.state !== 'waiting') return false;

    const base = { response: message, from, sends: transaction.sends, elapsedMs: transaction.elapsedMs };
    if (!this.authentic(entry, message)) return true; // "as if it was never received"

    if (message.unknownRequired.length > 0) {
      // §7.3.3 / §7.3.4: unknown comprehension-required attributes in a response fail the transaction.
      entry.answer = {
        outcome: 'invalid-response',
        reason: `unknown attributes ${hexList(message.unknownRequired)}`,
        ...base,
      };
    } else if (message.messageClass === 'success') {
      entry.answer = {
        outcome: 'success',
        ...base,
        rttMs: transaction.sends === 1 ? transaction.elapsedMs : undefined,
      };
    } else if (message.attributes.errorCode === undefined) {
      entry.answer = { outcome: 'invalid-response', reason: 'error response without ERROR-CODE', ...base };
    } else {
      entry.answer = { outcome: 'error-response', error: message.attributes.errorCode, ...base };
    }
    transaction.answer();
    return true;
  }

  /** Cancel every pending transaction (they end as `cancelled`). */
  cancelAll(cause = 'cancelled'): void {
    for (const entry of [...this.pending.values()]) entry.transaction?.cancel(cause);
  }

  /** The transport died: fail every pending transaction, and any later request at once. */
  transportFailed(reason: string): void {
    this.closedReason ??= reason;
    for (const entry of [...this.pending.values()]) entry.transaction?.transportFailed(reason);
  }

  /** Cancel everything and refuse new requests. Idempotent. */
  close(): void {
    this.closedReason ??= 'client closed';
    this.cancelAll('client closed');
  }

  private authentic(entry: Pending, message: DecodedStunMessage): boolean {
    const key = entry.integrityKey;
    if (key === undefined) return true;
    if (message.messageIntegrity !== undefined) return verifyMessageIntegrity(message.bytes, key);
    const code = message.attributes.errorCode?.code;
    return (
      message.messageClass === 'error' && code !== undefined && entry.unauthenticatedErrorCodes.includes(code)
    );
  }

  private ended(
    key: string,
    entry: Pending,
    state: Exclude<StunTransactionState, 'waiting'>,
    cause: string,
  ): void {
    this.pending.delete(key);
    const transaction = entry.transaction;
    const sends = transaction?.sends ?? 1;
    const elapsedMs = transaction?.elapsedMs ?? 0;
    switch (state) {
      case 'answered':
        if (entry.answer === undefined) throw new Error('STUN transaction answered without a response');
        entry.finish(entry.answer);
        return;
      case 'timed-out':
        entry.finish({ outcome: 'timeout', sends, elapsedMs });
        return;
      case 'cancelled':
        entry.finish({ outcome: 'cancelled', sends, elapsedMs });
        return;
      case 'transport-failed':
        entry.finish({ outcome: 'transport-failed', reason: cause, sends, elapsedMs });
        return;
    }
  }
}

function hexList(types: number[]): string {
  return types.map((t) => `0x${t.toString(16).padStart(4, '0')}`).join(', ');
}
