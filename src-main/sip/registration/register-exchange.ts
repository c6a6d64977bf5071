/**
 * One REGISTER as the registration sees it: the first request and its re-sends until a verdict. Each
 * re-send is a new transaction with CSeq + 1 and the same Call-ID (RFC 3261 §10.2.4, §22.2):
 *
 *   401 / 407   answered once with digest credentials (DigestExchange); a stale=true re-challenge with a
 *               new nonce is answered again without asking the user (RFC 7616 §3.3); a second refusal
 *               of the same credentials ends it: "A UAC MUST NOT re-attempt requests with the credentials
 *               that have just been rejected" (RFC 3261 §22.1).
 *   423         RFC 3261 §10.2.8: "the UA MAY retry the registration with an expiration interval at
 *               least as long as the value in the Min-Expires header field" — once per raise, and only
 *               upwards, so a confused registrar cannot make us loop.
 *
 *   ┌─────────┐  final 2xx / other final / timeout / transport error   ┌──────┐
 *   │ sending │ ─────────────────────────────────────────────────────▶ │ done │
 *   └─────────┘ ◀── 401/407 answerable, 423 with a higher Min-Expires   └──────┘
 *        │          (next REGISTER, CSeq + 1)                              ▲
 *        └──── abandon() (the refresher left the state that owned us) ─────┘  (outcome 'abandoned')
 *
 * Everything that can go wrong on the network comes back as a `RegisterOutcome` value.
 */
import type { SipResponse } from '../syntax/index.ts';
import { Header } from '../syntax/index.ts';
import type { AuthorizationHeader, DigestExchange } from '../auth/index.ts';
import type { OutgoingRequest } from '../transaction/index.ts';
import type { SipFlow, SipLogger, TransportError } from '../transport/index.ts';

export type RegisterOutcome =
  /** A 2xx: the registrar took the request (bindings in its Contact list). */
  | {
      readonly kind: 'ok';
      readonly response: SipResponse;
      readonly out: OutgoingRequest;
      readonly expiresSec: number;
    }
  /** Our credentials were refused (or no challenge we can answer): 401/407 after one answer. */
  | { readonly kind: 'auth-failed'; readonly response: SipResponse; readonly detail: string }
  /** Any other final response (3xx–6xx, a 423 we could not satisfy). */
  | { readonly kind: 'rejected'; readonly response: SipResponse }
  /** No response at all (Timer F, RFC 3261 §17.1.2.2). */
  | { readonly kind: 'timeout'; readonly flow: SipFlow | undefined }
  /** The connection or socket failed (RFC 3261 §8.1.3.1). */
  | { readonly kind: 'transport-error'; readonly error: TransportError }
  /** RFC 3263 found no address for the next hop. */
  | { readonly kind: 'no-target' }
  /** The UA core shut down under the request. */
  | { readonly kind: 'aborted'; readonly reason: string }
  /** abandon() was called: nobody is waiting for this outcome any more. */
  | { readonly kind: 'abandoned' };

export interface RegisterAttempt {
  /** The Expires to send. */
  readonly expiresSec: number;
  /** Authorization / Proxy-Authorization header values for this send. */
  readonly authorization: readonly AuthorizationHeader[];
}

export interface RegisterExchangeInit {
  /** Build and send one REGISTER (the caller owns Call-ID, CSeq, Contact and routing). */
  readonly send: (attempt: RegisterAttempt) => OutgoingRequest;
  /** Digest state for this request (absent: challenges are not answered). */
  readonly digest: DigestExchange | undefined;
  readonly expiresSec: number;
  /** An un-REGISTER (Expires 0) is not raised by a 423. */
  readonly removing: boolean;
  readonly log: SipLogger;
  readonly name: string;
}

/** Most 423 raises one REGISTER follows. */
const MAX_INTERVAL_RAISES = 2;

export type RegisterExchangeState = 'sending' | 'done';

export class RegisterExchange {
  readonly result: Promise<RegisterOutcome>;
  readonly #init: RegisterExchangeInit;
  #state: RegisterExchangeState = 'sending';
  #resolve!: (outcome: RegisterOutcome) => void;
  #sent = 0;
  #raises = 0;
  #expiresSec: number;
  #current: OutgoingRequest | undefined;

  constructor(init: RegisterExchangeInit) {
    this.#init = init;
    this.#expiresSec = init.expiresSec;
    this.result = new Promise((resolve) => (this.#resolve = resolve));
    this.#send(init.digest?.initialHeaders() ?? []);
  }

  get state(): RegisterExchangeState {
    return this.#state;
  }

  /** REGISTER requests sent so far (re-sends included). */
  get sent(): number {
    return this.#sent;
  }

  /** The Expires of the latest send (raised by a 423). */
  get expiresSec(): number {
    return this.#expiresSec;
  }

  /** The request in flight (or the last one). */
  get current(): OutgoingRequest | undefined {
    return this.#current;
  }

  /** Stop caring: later responses are ignored (a non-INVITE cannot be cancelled, RFC 3261 §9.1). */
  abandon(): void {
    this.#finish({ kind: 'abandoned' });
  }

  #finish(outcome: RegisterOutcome): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#resolve(outcome);
  }

  #send(authorization: readonly AuthorizationHeader[]): void {
    this.#sent++;
    const out = this.#init.send({ expiresSec: this.#expiresSec, authorization });
    this.#current = out;
    void out.result.then((outcome) => {
      if (this.#state === 'done' || this.#current !== out) return;
      switch (outcome.kind) {
        case 'final':
          this.#final(outcome.response, out);
          return;
        case 'timeout':
          this.#finish({ kind: 'timeout', flow: out.flow });
          return;
        case 'transport-error':
          this.#finish({ kind: 'transport-error', error: outcome.error });
          return;
        case 'no-target':
          this.#finish({ kind: 'no-target' });
          return;
        case 'aborted':
          this.#finish({ kind: 'aborted', reason: outcome.reason });
          return;
        case 'cancelled':
          // Only INVITE can be cancelled; a REGISTER never ends this way.
          this.#finish({ kind: 'aborted', reason: 'cancelled' });
          return;
      }
    });
  }

  #final(response: SipResponse, out: OutgoingRequest): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#finish({ kind: 'ok', response, out, expiresSec: this.#expiresSec });
      return;
    }
    if (status === 401 || status === 407) {
      this.#challenged(response);
      return;
    }
    if (status === 423 && !this.#init.removing) {
      const min = response.headers.first(Header.MinExpires);
      const minExpires = min.ok ? min.value : undefined;
      if (minExpires !== undefined && minExpires > this.#expiresSec && this.#raises < MAX_INTERVAL_RAISES) {
        this.#raises++;
        this.#init.log(
          'info',
          `registration ${this.#init.name}: 423 Interval Too Brief, asking for ${minExpires} s instead of ${this.#expiresSec} s`,
        );
        this.#expiresSec = minExpires;
        // The credentials of the last send answer the same challenge again (with the next nonce count).
        this.#send(this.#init.digest?.initialHeaders() ?? []);
        return;
      }
    }
    this.#finish({ kind: 'rejected', response });
  }

  #challenged(response: SipResponse): void {
    const digest = this.#init.digest;
    if (digest === undefined) {
      this.#finish({ kind: 'auth-failed', response, detail: 'no credentials configured' });
      return;
    }
    const answer = digest.answer({
      status: response.status,
      wwwAuthenticate: response.headers.getAll('WWW-Authenticate'),
      proxyAuthenticate: response.headers.getAll('Proxy-Authenticate'),
    });
    if (answer.kind === 'failed') {
      this.#finish({ kind: 'auth-failed', response, detail: answer.failure.kind });
      return;
    }
    this.#send(answer.headers);
  }
}
