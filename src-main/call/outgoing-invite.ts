/**
 * Our initial INVITE from the call's point of view (RFC 3261 §13.2): the requests it takes to reach an
 * answer — digest retries (§22.2), one followed redirect (§8.1.3.4), a 422 retry (RFC 4028 §7.4) — the
 * early dialogs of its provisional responses, the ACK of every 2xx (§13.2.2.4), and the clean-up of the
 * races: a 2xx after our CANCEL, and the 2xx of other forks (ACK, then BYE).
 *
 *   ┌─────────┐ 1xx ┌────────────┐ first 2xx ┌──────────┐  later 2xx of the same dialog: ACK again;
 *   │ calling │ ──▶ │ proceeding │ ────────▶ │ accepted │  of another fork: ACK + BYE (§13.2.2.4)
 *   └─────────┘     └────────────┘           └──────────┘
 *     │ ▲ 3xx (once) / 401 / 407 / 422:  │
 *     └─┘ a new INVITE, CSeq + 1         │ cancel()
 *     │ cancel()                         ▼
 *     │                        ┌────────────┐ 487 / final / timeout   ┌────────┐
 *     └──────────────────────▶ │ cancelling │ ──────────────────────▶ │ failed │  2xx here: ACK + BYE
 *                              └────────────┘                         └────────┘
 *     final ≥ 300, timeout, transport error, auth refused ──────────────────▲
 *
 * RFC 3261 §15: "If the UAC receives a 2xx after sending the CANCEL [...] the UAC MUST [...] send an ACK
 * [...] and then a BYE" — the race is handled here, after the call itself has already ended.
 *
 * The machine keeps no timers of its own: the transaction layer's Timer B / §9.1 give-up timer end it.
 */
import type { CallReason } from '../../src-shared/model/call.ts';
import type { DigestSession } from '../sip/auth/index.ts';
import type { Dialog } from '../sip/dialog/index.ts';
import { Header, formatUri } from '../sip/syntax/index.ts';
import type { SipRequest, SipResponse, Uri } from '../sip/syntax/index.ts';
import { withNewBranch } from '../sip/transaction/index.ts';
import type { OutgoingRequest } from '../sip/transaction/index.ts';
import type { SipFlow } from '../sip/transport/index.ts';
import { stripForRequestUri } from '../sip/ua/index.ts';
import type { AuthenticatedOutcome, SendRequestOptions, SipUserAgent } from '../sip/ua/index.ts';
import { reasonForStatus } from './end-reason.ts';

export type OutgoingInviteState = 'calling' | 'proceeding' | 'cancelling' | 'accepted' | 'failed';

export interface InviteFailure {
  readonly reason: CallReason;
  readonly sipCode: number | null;
  readonly response?: SipResponse;
}

export interface OutgoingInviteListener {
  /** A 1xx (100 included); `dialog` is its early dialog when it carried a To tag. */
  provisional(response: SipResponse, dialog: Dialog | undefined): void;
  /** The first 2xx: the dialog is confirmed and its ACK is on its way. */
  answered(response: SipResponse, dialog: Dialog): void;
  failed(failure: InviteFailure): void;
}

export interface OutgoingInviteOptions {
  readonly ua: SipUserAgent;
  /** The first INVITE (From tag, Call-ID, CSeq set). */
  readonly request: SipRequest;
  /** Routing and Contact for every attempt (the account's outbound proxy, its Contact user). */
  readonly send: Omit<SendRequestOptions, 'user'>;
  /** Per attempt, once its flow is chosen: put the session description in (its address is the flow's). */
  readonly prepare?: (request: SipRequest, flow: SipFlow) => void;
  /** Answers 401/407; without it a challenge ends the call as auth-failed. */
  readonly digest?: DigestSession;
  /** RFC 4028 §7.4: the headers of the retry after a 422, or undefined to give up. */
  readonly retryAfter422?: (response: SipResponse) => readonly (readonly [string, string])[] | undefined;
  readonly listener: OutgoingInviteListener;
  readonly log?: (message: string) => void;
}

/** One INVITE on the wire (with its digest retries). */
interface Attempt {
  current(): OutgoingRequest;
  readonly result: Promise<AuthenticatedOutcome>;
  cancel(): void;
}

const LEGAL: Readonly<Record<OutgoingInviteState, readonly OutgoingInviteState[]>> = {
  calling: ['proceeding', 'cancelling', 'accepted', 'failed'],
  proceeding: ['cancelling', 'accepted', 'failed'],
  cancelling: ['failed'],
  accepted: [],
  failed: [],
};

export class OutgoingInvite {
  readonly #options: OutgoingInviteOptions;
  readonly #ua: SipUserAgent;
  readonly #log: (message: string) => void;
  #state: OutgoingInviteState = 'calling';
  #attempt: Attempt;
  #redirected = false;
  #retried422 = false;
  /** Request-URIs tried so far (loop safety of redirects). */
  readonly #tried = new Set<string>();
  /** Early dialogs created by our 1xx responses (terminated unless one becomes the call's). */
  readonly #earlyDialogs = new Set<Dialog>();
  /** The ACK sent for each 2xx dialog, by To tag, for 2xx retransmissions. */
  readonly #acks = new Map<string, Promise<{ request: SipRequest; flow: SipFlow | undefined }>>();
  #answeredDialog: Dialog | undefined;
  #settle: () => void = () => {};
  /** Resolves when the INVITE got its final answer (accepted or failed). */
  readonly settled: Promise<void> = new Promise((resolve) => (this.#settle = resolve));

  constructor(options: OutgoingInviteOptions) {
    this.#options = options;
    this.#ua = options.ua;
    this.#log = options.log ?? (() => {});
    this.#tried.add(formatUri(options.request.uri));
    this.#attempt = this.#send(options.request);
  }

  get state(): OutgoingInviteState {
    return this.#state;
  }

  /** The INVITE of the current attempt as sent (Call-ID, tags, CSeq, flow). */
  get request(): SipRequest {
    return this.#attempt.current().request;
  }

  get flow(): SipFlow | undefined {
    return this.#attempt.current().flow;
  }

  /** Give up before the answer: CANCEL (§9.1; it waits for a provisional response if none came yet). */
  cancel(): void {
    if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
    this.#transition('cancelling', 'cancel()');
    this.#attempt.cancel();
  }

  #transition(to: OutgoingInviteState, cause: string): void {
    const from = this.#state;
    if (!LEGAL[from].includes(to))
      throw new Error(`outgoing INVITE: illegal transition ${from} → ${to} (${cause})`);
    this.#state = to;
    this.#log(`INVITE ${this.#options.request.callId}: ${from} → ${to} (${cause})`);
    if (to === 'accepted' || to === 'failed') this.#settle();
  }

  #send(request: SipRequest): Attempt {
    let self: Attempt | undefined;
    const options: SendRequestOptions = {
      ...this.#options.send,
      user: {
        ...(this.#options.prepare !== undefined && { prepare: this.#options.prepare }),
        onResponse: (response, out) => {
          if (self !== undefined && self === this.#attempt) this.#response(response, out);
          else if (response.status >= 200 && response.status < 300) this.#response(response, out);
        },
      },
    };
    const digest = this.#options.digest;
    if (digest !== undefined) {
      const authenticated = this.#ua.sendAuthenticated(request, digest, options);
      self = {
        current: () => authenticated.current,
        result: authenticated.result,
        cancel: () => authenticated.cancel(),
      };
    } else {
      const out = this.#ua.sendRequest(request, options);
      self = { current: () => out, result: out.result, cancel: () => out.cancel() };
    }
    const attempt = self;
    void attempt.result.then((outcome) => {
      if (attempt === this.#attempt) this.#settled(outcome);
    });
    return attempt;
  }

  /** Outcomes that come without a response (a response was handled as it arrived). */
  #settled(outcome: AuthenticatedOutcome): void {
    if (this.#state === 'accepted' || this.#state === 'failed') return;
    switch (outcome.kind) {
      case 'final':
        // Normally handled as it arrived; a 503 that ended RFC 3263 failover comes only here.
        if (outcome.response.status >= 300) this.#response(outcome.response, this.#attempt.current());
        return;
      case 'auth-failed':
        return this.#fail({
          reason: {
            kind: 'auth-failed',
            text: `${outcome.response.status} ${outcome.response.reason}: the credentials were refused`,
          },
          sipCode: outcome.response.status,
          response: outcome.response,
        });
      case 'timeout':
        // RFC 3261 §8.1.3.1: "treated as a 408 (Request Timeout)" — or, after our CANCEL, the §9.1 give-up.
        return this.#fail(
          this.#state === 'cancelling'
            ? cancelledFailure()
            : { reason: { kind: 'timeout', text: 'No answer from the network' }, sipCode: null },
        );
      case 'transport-error':
        return this.#fail({
          reason: { kind: 'network', text: `The call could not be sent: ${outcome.error.reason}` },
          sipCode: null,
        });
      case 'no-target':
        return this.#fail({
          reason: { kind: 'network', text: `No address found for ${formatUri(this.request.uri)}` },
          sipCode: null,
        });
      case 'cancelled':
        return this.#fail(cancelledFailure());
      case 'aborted':
        return this.#fail({ reason: { kind: 'shutdown', text: outcome.reason }, sipCode: null });
    }
  }

  #response(response: SipResponse, out: OutgoingRequest): void {
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#answer(response, out);
      return;
    }
    if (this.#state === 'accepted' || this.#state === 'failed') return;
    if (status < 200) {
      let dialog: Dialog | undefined;
      if (response.to.tag !== undefined && status > 100) {
        const created = this.#ua.dialogs.fromUacResponse(out.request, response, out.flow?.secure ?? false);
        if (created.ok) {
          dialog = created.dialog;
          this.#earlyDialogs.add(dialog);
        } else {
          this.#log(`INVITE ${response.callId}: no early dialog for ${status} (${created.reason})`);
        }
      }
      if (this.#state === 'calling' && status > 100)
        this.#transition('proceeding', `${status} ${response.reason}`);
      this.#options.listener.provisional(response, dialog);
      return;
    }
    if (this.#state === 'cancelling') {
      // §9.1: the INVITE "will then be responded to with a 487"; any final ends it.
      this.#fail(cancelledFailure(status));
      return;
    }
    if (status >= 300 && status < 400 && this.#redirect(response, out)) return;
    if (status === 422 && this.#retry422(response, out)) return;
    this.#fail({ reason: reasonForStatus(status, response.reason), sipCode: status, response });
  }

  /**
   * §8.1.3.4: "If a UAC receives a 3xx response [...] it SHOULD use the contacts as new targets" — we
   * follow one redirect, to the contacts in q order that were not tried yet (a redirect back to a target
   * we already called would be a loop). §8.1.3.5: "This new request constitutes a new transaction and
   * SHOULD have the same value of the Call-ID, To, and From of the previous request, but the CSeq should
   * contain a new sequence number that is one higher than the previous."
   */
  #redirect(response: SipResponse, out: OutgoingRequest): boolean {
    if (this.#redirected) return false;
    const contacts = response.headers.all(Header.Contact);
    if (!contacts.ok) return false;
    const targets = contacts.value
      .flatMap((c) => (c.kind === 'address' ? [{ uri: c.uri, q: qOf(c.params.get('q')) }] : []))
      .sort((a, b) => b.q - a.q)
      .map((c) => stripForRequestUri(c.uri))
      .filter((uri) => !this.#tried.has(formatUri(uri)));
    const target = targets[0];
    if (target === undefined) {
      this.#log(`INVITE ${response.callId}: ${response.status} names no target we have not tried (loop)`);
      return false;
    }
    this.#redirected = true;
    this.#tried.add(formatUri(target));
    this.#log(`INVITE ${response.callId}: ${response.status} ${response.reason} → ${formatUri(target)}`);
    this.#retry(out.request, target, []);
    return true;
  }

  /** RFC 4028 §7.4: "the UAC MAY retry the request with a larger Session-Expires" after a 422. */
  #retry422(response: SipResponse, out: OutgoingRequest): boolean {
    if (this.#retried422) return false;
    const headers = this.#options.retryAfter422?.(response);
    if (headers === undefined) return false;
    this.#retried422 = true;
    this.#retry(out.request, out.request.uri, headers);
    return true;
  }

  #retry(previous: SipRequest, uri: Uri, headers: readonly (readonly [string, string])[]): void {
    const next = withNewBranch(previous);
    next.uri = uri;
    next.headers.remove('Authorization');
    next.headers.remove('Proxy-Authorization');
    for (const [name] of headers) next.headers.remove(name);
    for (const [name, value] of headers) next.headers.append(name, value);
    next.headers.setValue(Header.CSeq, { seq: previous.cseq.seq + 1, method: 'INVITE' });
    this.#attempt = this.#send(next);
  }

  #answer(response: SipResponse, out: OutgoingRequest): void {
    const created = this.#ua.dialogs.fromUacResponse(out.request, response, out.flow?.secure ?? false);
    if (!created.ok) {
      this.#log(`INVITE ${response.callId}: a 2xx without a usable dialog (${created.reason})`);
      if (this.#state === 'calling' || this.#state === 'proceeding') {
        this.#fail({
          reason: {
            kind: 'rejected',
            text: `${response.status} ${response.reason} without a usable Contact`,
          },
          sipCode: response.status,
          response,
        });
      }
      return;
    }
    const dialog = created.dialog;
    if (dialog.state === 'early') dialog.confirm(response);
    this.#earlyDialogs.delete(dialog);
    this.#ack(dialog, response, out.request.cseq.seq);
    if (this.#state === 'calling' || this.#state === 'proceeding') {
      this.#answeredDialog = dialog;
      this.#transition('accepted', `${response.status} ${response.reason}`);
      // The other forks' early dialogs end here; a late 2xx of theirs gets ACK + BYE below.
      for (const early of this.#earlyDialogs) early.terminate('another fork answered');
      this.#earlyDialogs.clear();
      this.#options.listener.answered(response, dialog);
      return;
    }
    if (dialog === this.#answeredDialog) return; // a retransmission: ACKed again above
    // §13.2.2.4: "If [...] the dialog identifier in the 2xx response [does not match] the UAC [...] MUST
    // [...] ACK [...] and then a BYE" — another fork, or the 2xx that crossed our CANCEL (§15).
    this.#log(
      `INVITE ${response.callId}: 2xx from ${this.#state === 'accepted' ? 'another fork' : 'after our CANCEL'}: ACK and BYE`,
    );
    const bye = this.#ua.sendInDialog(dialog, 'BYE');
    void bye.result.then(() => dialog.terminate('BYE after an unwanted 2xx'));
    if (this.#state === 'cancelling') this.#fail(cancelledFailure(response.status));
  }

  /** The ACK for a 2xx (§13.2.2.4), and again for each retransmission of that 2xx. */
  #ack(dialog: Dialog, response: SipResponse, inviteSeq: number): void {
    const toTag = response.to.tag ?? '';
    const sent = this.#acks.get(toTag);
    if (sent !== undefined) {
      void sent.then((ack) => {
        if (ack.flow !== undefined && !ack.flow.closed)
          this.#ua.transactions.sendStateless(ack.request, ack.flow);
      });
      return;
    }
    this.#acks.set(
      toTag,
      this.#ua.sendAck(dialog, inviteSeq).then((r) => ({ request: r.request, flow: r.flow })),
    );
  }

  #fail(failure: InviteFailure): void {
    if (this.#state === 'failed' || this.#state === 'accepted') return;
    this.#transition('failed', failure.reason.text);
    for (const early of this.#earlyDialogs) early.terminate('INVITE failed');
    this.#earlyDialogs.clear();
    this.#options.listener.failed(failure);
  }
}

function cancelledFailure(status?: number): InviteFailure {
  return { reason: { kind: 'cancelled', text: 'Cancelled before the answer' }, sipCode: status ?? null };
}

function qOf(value: string | null | undefined): number {
  if (value === undefined || value === null) return 1;
  const q = Number(value);
  return Number.isFinite(q) ? q : 0;
}
