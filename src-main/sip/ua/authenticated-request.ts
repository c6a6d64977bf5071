/**
 * A request that answers Digest challenges by itself (RFC 3261 §22.2): on a 401 or 407 it asks the
 * account's DigestSession for credentials and re-sends "with the same Call-ID, To tag and From tag [...]
 * as the original request" but "the CSeq header field value [...] incremented" — a new request with a new
 * branch. A second challenge for a realm already answered ends it (wrong password), as the DigestExchange
 * decides.
 *
 *   ┌─────────┐ 401/407, credentials ┌───────────────┐
 *   │ sending │ ───────────────────▶ │ sending (n+1) │ ─── … ───▶ done (final response, failure)
 *   └─────────┘                      └───────────────┘
 *
 * Used by the registration layer (REGISTER) and the call layer (INVITE, with cancel()).
 */
import { formatUri, Header } from '../syntax/index.ts';
import type { SipRequest, SipResponse } from '../syntax/index.ts';
import type { AuthFailure, DigestExchange, DigestSession } from '../auth/index.ts';
import { withNewBranch } from '../transaction/index.ts';
import type { OutgoingRequest, RequestOutcome } from '../transaction/index.ts';
import type { SendRequestOptions, SipUserAgent } from './user-agent.ts';

export type AuthenticatedOutcome =
  | RequestOutcome
  /** The challenge could not be answered, or our answer was refused: `response` is the last 401/407. */
  | { readonly kind: 'auth-failed'; readonly failure: AuthFailure; readonly response: SipResponse };

export class AuthenticatedRequest {
  readonly #ua: SipUserAgent;
  readonly #exchange: DigestExchange;
  readonly #options: SendRequestOptions;
  #current: OutgoingRequest;
  #cancelled = false;
  #resolve!: (outcome: AuthenticatedOutcome) => void;
  readonly #result: Promise<AuthenticatedOutcome>;
  #sends = 0;

  constructor(
    ua: SipUserAgent,
    request: SipRequest,
    session: DigestSession,
    options: SendRequestOptions = {},
  ) {
    this.#ua = ua;
    this.#options = options;
    this.#exchange = session.begin({
      method: request.method,
      uri: formatUri(request.uri),
      body: request.body,
      callId: request.callId,
    });
    // Pre-emptive credentials for protection spaces the session already knows (its `preemptive` option).
    for (const h of this.#exchange.initialHeaders()) request.headers.append(h.name, h.value);
    this.#result = new Promise((resolve) => (this.#resolve = resolve));
    this.#current = this.#send(request);
  }

  /** The attempt in flight (or the last one): its request as sent, its flow, its transaction. */
  get current(): OutgoingRequest {
    return this.#current;
  }

  /** How many times the request was sent (1 + answered challenges). */
  get sends(): number {
    return this.#sends;
  }

  get result(): Promise<AuthenticatedOutcome> {
    return this.#result;
  }

  /** INVITE: cancel the current attempt (§9.1); no further challenge is answered. */
  cancel(headers: Iterable<readonly [string, string]> = []): void {
    this.#cancelled = true;
    this.#current.cancel(headers);
  }

  #send(request: SipRequest): OutgoingRequest {
    this.#sends++;
    const userResponse = this.#options.user?.onResponse;
    const out = this.#ua.sendRequest(request, {
      ...this.#options,
      user: {
        ...(this.#options.user?.prepare && { prepare: this.#options.user.prepare }),
        onResponse: (response, o) => {
          // A challenge we are about to answer is not the TU's business.
          if ((response.status === 401 || response.status === 407) && !this.#cancelled) return;
          userResponse?.(response, o);
        },
      },
    });
    void out.result.then((outcome) => this.#settled(out, outcome));
    return out;
  }

  #settled(out: OutgoingRequest, outcome: RequestOutcome): void {
    if (out !== this.#current) return;
    if (
      outcome.kind !== 'final' ||
      (outcome.response.status !== 401 && outcome.response.status !== 407) ||
      this.#cancelled
    ) {
      this.#resolve(outcome);
      return;
    }
    const response = outcome.response;
    const answer = this.#exchange.answer({
      status: response.status,
      wwwAuthenticate: response.headers.getAll('WWW-Authenticate'),
      proxyAuthenticate: response.headers.getAll('Proxy-Authenticate'),
    });
    if (answer.kind === 'failed') {
      this.#resolve({ kind: 'auth-failed', failure: answer.failure, response });
      return;
    }
    // §22.2: the same request with new credentials, CSeq + 1 and (being a new transaction) a new branch.
    const retry = withNewBranch(out.request);
    retry.headers.remove('Authorization');
    retry.headers.remove('Proxy-Authorization');
    for (const h of answer.headers) retry.headers.append(h.name, h.value);
    const cseq = retry.cseq;
    retry.headers.setValue(Header.CSeq, { seq: cseq.seq + 1, method: cseq.method });
    this.#current = this.#send(retry);
  }
}
