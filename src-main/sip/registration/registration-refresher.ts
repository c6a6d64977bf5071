/**
 * RegistrationRefresher — one account's binding at its registrar (RFC 3261 §10.2), kept alive: REGISTER
 * with digest auth, refresh before expiry, recovery with backoff (RFC 5626 §4.5), re-registration when the
 * network changes under it, Contact rewriting behind a NAT, and un-REGISTER of our Contact only.
 *
 *                 register()                  2xx for our Contact
 *  ┌──────────────┐ ───────▶ ┌─────────────┐ ───────────────────────▶ ┌────────────┐ ◀─┐ refresh timer:
 *  │ unregistered │          │ registering │ ◀─ network change, ───── │ registered │ ──┘ REGISTER again,
 *  └──────────────┘          └─────────────┘    flow failed           └────────────┘     2xx re-arms it
 *        ▲   ▲                 │    ▲  │ NAT: 2xx shows another public            │   │
 *        │   │ nothing bound   │    │  └─ address → same state, new REGISTER    │   │ refresh failed
 *        │   └──────────┐      │    │                                           │   ▼
 *        │              │      │    │ retry timer (backoff), network      ┌────────┐
 *        │              │      │    └──── change, register() ──────────── │ failed │ ◀─ final error,
 *        │              │      └────────── error / timeout ─────────────▶ └────────┘    timeout, transport
 *        │              │                                                      │
 *        │  un-REGISTER │ unregister() (from registering, registered, failed)  │
 *        │  answered or ▼                                                      │
 *        │  failed  ┌───────────────┐ ◀────────────────────────────────────────┘
 *        └───────── │ unregistering │ ── register() ──▶ registering
 *                   └───────────────┘
 *
 * Timers and requests belong to states: `registering` owns its REGISTER exchange; `registered` owns the
 * refresh timer, a refresh exchange while one runs, the keepalive and a hold on the binding's flow;
 * `failed` owns the retry timer; `unregistering` owns the un-REGISTER. Leaving a state releases all of
 * it, so no path can leave a timer or a flow behind. Every REGISTER of one refresher shares one Call-ID
 * and counts CSeq up (RFC 3261 §10.2.4: "A UA SHOULD use the same Call-ID for all registrations during a
 * single boot cycle"), so the registrar applies them in order even when an abandoned one lands late
 * (§10.3 step 7).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type {
  RegistrationReason,
  RegistrationSnapshot,
  RegistrationState,
} from '../../../src-shared/model/account.ts';
import type { Clock, SocketAddress, Timer } from '../../platform/index.ts';
import { DigestSession } from '../auth/index.ts';
import type { DigestExchange } from '../auth/index.ts';
import { Header, NO_PARAMS, formatUri, generateCallId, generateTag, reasonPhrase } from '../syntax/index.ts';
import type { ContactAddress, ContactValue, SipRequest, SipResponse, SipUri } from '../syntax/index.ts';
import type { OutgoingRequest } from '../transaction/index.ts';
import { silentLogger } from '../transport/index.ts';
import type { FlowClosed, FlowKeepalive, SipFlow, SipLogger, SipTransport } from '../transport/index.ts';
import { RegisterExchange } from './register-exchange.ts';
import type { RegisterAttempt, RegisterOutcome } from './register-exchange.ts';
import {
  addressText,
  contactFor,
  contactHostPorts,
  contactText,
  findOwnBinding,
  grantedExpires,
  reportedAddress,
  sameHostPort,
  unbracket,
  withTransport,
} from './register-message.ts';
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, refreshDelayMs, retryDelayMs } from './schedule.ts';
import type {
  RegisterEcho,
  RegisterSendOptions,
  RegistrarChannel,
  RegistrationConfig,
  RegistrationRefresherOptions,
  SipAlgStatusValue,
} from './types.ts';

export type { RegistrationState };

/** How many times in a row one operation may rewrite Contact for a NAT before it takes what it has. */
const MAX_NAT_REWRITES = 2;

const LEGAL: Record<RegistrationState, readonly RegistrationState[]> = {
  unregistered: ['registering'],
  registering: ['registering', 'registered', 'failed', 'unregistering'],
  registered: ['registering', 'registered', 'failed', 'unregistering'],
  failed: ['registering', 'unregistering', 'unregistered'],
  unregistering: ['unregistered', 'registering'],
};

export interface UnregisterOptions {
  /** `Contact: *` — remove every binding of the AOR, other devices' too (RFC 3261 §10.2.2). Default false. */
  readonly all?: boolean;
}

export class RegistrationRefresher implements Disposable {
  readonly config: RegistrationConfig;
  readonly #clock: Clock;
  readonly #channel: RegistrarChannel;
  readonly #random: () => number;
  readonly #log: SipLogger;
  readonly #name: string;
  readonly #localAddresses: () => readonly string[];
  readonly #detectSipAlg: ((echo: RegisterEcho) => SipAlgStatusValue) | undefined;
  readonly #digest: DigestSession | undefined;
  readonly #changes = new Emitter<RegistrationSnapshot>();
  readonly #subscriptions: Disposable[] = [];
  readonly #callId = generateCallId();
  readonly #fromTag = generateTag();
  #cseq = 0;
  #disposed = false;

  #state: RegistrationState = 'unregistered';
  // ── owned by the current state (released by #leave) ──
  /** registered: the refresh timer; failed: the retry timer. */
  #timer: Timer | undefined;
  /** registering / unregistering: the REGISTER; registered: a refresh while it runs. */
  #exchange: RegisterExchange | undefined;
  /** registered: keepalives on the binding's flow (RFC 5626 §4.4). */
  #keepalive: FlowKeepalive | undefined;
  #keepaliveSubscription: Disposable | undefined;
  /** registered: keeps the binding's flow open. */
  #flowHold: Disposable | undefined;
  #heldFlow: SipFlow | undefined;

  // ── what we know about the binding ──
  /** The flow the last 2xx came on (refreshes and the un-REGISTER go on it while it is open). */
  #flow: SipFlow | undefined;
  /** The Contact the registrar holds for us (last 2xx with expires > 0). */
  #bound: ContactAddress | undefined;
  /** The Contact of the REGISTER in progress or of the binding. */
  #contact: string | undefined;
  /** Our public address on `#publicFlow` (Via received/rport or STUN), used in Contact when rewriting. */
  #publicAddress: SocketAddress | undefined;
  #publicFlow: SipFlow | undefined;
  /** The address the registrar reported for us, shown when it differs from our local one. */
  #reported: SocketAddress | undefined;
  #outbound = false;
  #requestedSec: number;
  #grantedSec: number | undefined;
  #expiresAt: number | undefined;
  #nextRetryAt: number | undefined;
  #reason: RegistrationReason | undefined;
  #failures = 0;
  #sipAlg: SipAlgStatusValue = 'unknown';
  /** Rewrites for a NAT in the current operation (reset when a REGISTER stands). */
  #natRewrites = 0;
  /** The credentials were refused: no automatic retries until register() or a new refresher. */
  #authBlocked = false;
  /** A Retry-After the failure came with: the next retry waits exactly that long. */
  #retryAfterMs: number | undefined;
  /** unregister() with Contact: * */
  #removeAll = false;
  #unregisterWaiters: (() => void)[] = [];

  constructor(options: RegistrationRefresherOptions) {
    this.config = options.config;
    this.#clock = options.clock;
    this.#channel = options.channel;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? silentLogger;
    this.#name = options.name ?? formatUri(options.config.aor);
    this.#localAddresses = options.localAddresses ?? (() => []);
    this.#detectSipAlg = options.detectSipAlg;
    this.#requestedSec = options.config.expiresSec;
    const credentials = options.config.credentials;
    this.#digest =
      credentials === undefined
        ? undefined
        : new DigestSession({
            credentials,
            // Refreshes carry the last nonce's credentials (next nonce count) and save a round trip.
            preemptive: true,
            ...(options.randomBytes !== undefined && { randomBytes: options.randomBytes }),
          });
    this.#subscriptions.push(options.channel.transport.onFlowFailed((event) => this.#flowFailed(event)));
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** The flow our binding lives on (calls from this account go out on it too, RFC 5626 §5). */
  get flow(): SipFlow | undefined {
    return this.#flow !== undefined && !this.#flow.closed ? this.#flow : undefined;
  }

  /** The registered Contact, when registered. */
  get boundContact(): ContactAddress | undefined {
    return this.#state === 'registered' ? this.#bound : undefined;
  }

  onChange(listener: (snapshot: RegistrationSnapshot) => void): Disposable {
    return this.#changes.on(listener);
  }

  snapshot(): RegistrationSnapshot {
    return {
      state: this.#state,
      reason: this.#reason ?? null,
      expiresAt: this.#state === 'registered' || this.#state === 'failed' ? (this.#expiresAt ?? null) : null,
      nextRetryAt: this.#state === 'failed' ? (this.#nextRetryAt ?? null) : null,
      contact: this.#contact ?? null,
      publicAddress: this.#reported !== undefined ? addressText(this.#reported) : null,
      transport: this.#flow?.transport ?? this.#configuredTransport() ?? null,
      registrar: formatUri(this.#nextHopUri()),
      sipAlg: this.#sipAlg,
      outbound: this.#outbound,
      requestedExpiresSec: this.#requestedSec,
      grantedExpiresSec: this.#grantedSec ?? null,
      failures: this.#failures,
    };
  }

  // ───────────────────────────── commands ─────────────────────────────

  /**
   * Register (from unregistered or failed — a user action also lifts the stop after a wrong password),
   * or refresh now (registered). Does nothing while a REGISTER is already on its way.
   */
  register(): void {
    this.#assertLive();
    this.#authBlocked = false;
    switch (this.#state) {
      case 'unregistered':
      case 'failed':
      case 'unregistering':
        this.#transition('registering', 'register()');
        return;
      case 'registered':
        this.#refresh('register() while registered');
        return;
      case 'registering':
        return;
    }
  }

  /**
   * Remove our binding: a REGISTER with Expires 0 for our Contact only (RFC 3261 §10.2.2) — never `*`
   * unless `all` is asked for. Resolves once unregistered, whatever the registrar answered (or did not).
   */
  unregister(options: UnregisterOptions = {}): Promise<void> {
    this.#assertLive();
    this.#removeAll = options.all === true;
    const done = new Promise<void>((resolve) => this.#unregisterWaiters.push(resolve));
    switch (this.#state) {
      case 'unregistered':
        this.#settleUnregister();
        break;
      case 'registering':
      case 'registered':
        this.#transition('unregistering', 'unregister()');
        break;
      case 'failed': {
        const mayBeBound = this.#bound !== undefined && (this.#expiresAt ?? 0) > this.#clock.now();
        this.#transition(mayBeBound || this.#removeAll ? 'unregistering' : 'unregistered', 'unregister()');
        break;
      }
      case 'unregistering':
        break;
    }
    return done;
  }

  /**
   * The network under us changed (interfaces, resume from sleep): the flow and the address in our Contact
   * may be gone. RFC 5626 §4.4 asks to re-register as soon as a flow may have failed; so: drop the flow
   * and REGISTER again at once (a failed registration retries now instead of waiting for its backoff; a
   * refused password still waits for the user).
   */
  networkChanged(cause: string): void {
    this.#assertLive();
    switch (this.#state) {
      case 'registering':
      case 'registered':
        this.#dropFlow(cause);
        this.#transition('registering', cause);
        return;
      case 'failed':
        if (this.#authBlocked) return;
        this.#dropFlow(cause);
        this.#transition('registering', cause);
        return;
      case 'unregistered':
      case 'unregistering':
        return;
    }
  }

  /** Stop everything without a word to the registrar (close() of the UA follows, or a test ends). */
  dispose(): void {
    if (this.#disposed) return;
    this.#leave(this.#state);
    this.#disposed = true;
    for (const s of this.#subscriptions.splice(0)) s.dispose();
    this.#changes.clear();
    this.#settleUnregister();
  }

  #assertLive(): void {
    if (this.#disposed) throw new Error(`registration ${this.#name}: used after dispose()`);
  }

  // ───────────────────────────── the machine ─────────────────────────────

  /** The only place the state changes: leave `from` (its timers and requests go), enter `to`. */
  #transition(to: RegistrationState, cause: string): void {
    const from = this.#state;
    if (!LEGAL[from].includes(to))
      throw new Error(`registration ${this.#name}: illegal transition ${from} → ${to} (${cause})`);
    this.#leave(from);
    this.#state = to;
    this.#log(to === 'failed' ? 'warn' : 'info', `registration ${this.#name}: ${from} → ${to} (${cause})`);
    this.#enter(to);
    this.#emit();
  }

  #leave(state: RegistrationState): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#exchange?.abandon();
    this.#exchange = undefined;
    if (state === 'registered') {
      this.#keepaliveSubscription?.dispose();
      this.#keepaliveSubscription = undefined;
      this.#keepalive?.stop();
      this.#keepalive = undefined;
      this.#flowHold?.dispose();
      this.#flowHold = undefined;
      this.#heldFlow = undefined;
    }
    // Whoever waited for unregister() learns that it ended (unregistered, or register() overtook it).
    if (state === 'unregistering') this.#settleUnregister();
  }

  #enter(state: RegistrationState): void {
    switch (state) {
      case 'registering':
        this.#natRewrites = 0;
        this.#startExchange(false);
        return;
      case 'registered':
        this.#enterRegistered();
        return;
      case 'failed':
        this.#enterFailed();
        return;
      case 'unregistering':
        this.#startExchange(true);
        return;
      case 'unregistered':
        this.#bound = undefined;
        this.#contact = undefined;
        this.#expiresAt = undefined;
        this.#grantedSec = undefined;
        this.#nextRetryAt = undefined;
        this.#reason = undefined;
        this.#failures = 0;
        this.#outbound = false;
        this.#flow = undefined;
        this.#settleUnregister();
        return;
    }
  }

  #emit(): void {
    if (!this.#disposed) this.#changes.emit(this.snapshot());
  }

  #settleUnregister(): void {
    for (const resolve of this.#unregisterWaiters.splice(0)) resolve();
  }

  // ── registered ──

  #enterRegistered(): void {
    const granted = this.#grantedSec ?? this.#requestedSec;
    this.#armRefresh(granted);
    const flow = this.flow;
    if (flow === undefined) return;
    this.#flowHold = flow.retain();
    this.#heldFlow = flow;
    const keepalive = this.config.keepalive;
    if (keepalive !== undefined && keepalive.intervalMs > 0) {
      const configured = keepalive.udpMethod ?? 'auto';
      const udpMethod = configured === 'auto' ? (this.#outbound ? 'stun' : 'crlf') : configured;
      const ka = this.#channel.transport.startKeepalive(flow, {
        intervalMs: keepalive.intervalMs,
        udpMethod,
      });
      this.#keepalive = ka;
      this.#keepaliveSubscription = ka.onMappedAddress((mapped) => this.#mappedByKeepalive(flow, mapped));
    }
  }

  #armRefresh(grantedSec: number): void {
    this.#timer?.cancel();
    const delay = refreshDelayMs(grantedSec);
    this.#timer = this.#clock.setTimer(delay, () => {
      this.#timer = undefined;
      this.#refresh(`refresh ${delay / 1000} s after the 2xx`);
    });
  }

  /** A REGISTER while registered: the refresh timer, register(), or a new public address. */
  #refresh(cause: string): void {
    if (this.#state !== 'registered') return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#log('info', `registration ${this.#name}: refreshing (${cause})`);
    this.#startExchange(false);
  }

  /**
   * RFC 5626 §4.4.2: a STUN keepalive told us our public mapping; one that differs from our Contact goes
   * into Contact. A mapping that changed since the last keepalive fails the flow right after this report
   * ("the UA MUST treat this event as a failure on the flow"): the flow failure re-registers then, so
   * the decision waits a microtask to see whether the flow survived.
   */
  #mappedByKeepalive(flow: SipFlow, mapped: SocketAddress): void {
    queueMicrotask(() => {
      if (this.#disposed || this.#state !== 'registered' || flow !== this.#flow || flow.closed) return;
      this.#reported = sameHostPort(mapped, flow.local) ? undefined : mapped;
      if (!this.#mayRewrite() || this.#bound === undefined) return;
      if (sameHostPort(this.#contactAddress(this.#bound), mapped)) return;
      this.#publicAddress = mapped;
      this.#publicFlow = flow;
      this.#refresh(`STUN keepalive reports ${addressText(mapped)}`);
    });
  }

  // ── failed ──

  #enterFailed(): void {
    this.#nextRetryAt = undefined;
    if (this.#authBlocked) return;
    const delay =
      this.#retryAfterMs ??
      retryDelayMs(
        this.#failures,
        this.#random(),
        this.config.retry?.baseMs ?? DEFAULT_RETRY_BASE_MS,
        this.config.retry?.maxMs ?? DEFAULT_RETRY_MAX_MS,
      );
    this.#retryAfterMs = undefined;
    this.#nextRetryAt = this.#clock.now() + delay;
    this.#timer = this.#clock.setTimer(delay, () => {
      this.#timer = undefined;
      this.#transition('registering', `retry after ${delay} ms (failure ${this.#failures})`);
    });
  }

  #fail(
    reason: RegistrationReason,
    options: { readonly auth?: boolean; readonly retryAfterMs?: number } = {},
  ): void {
    this.#reason = reason;
    this.#failures++;
    this.#authBlocked = options.auth === true;
    this.#retryAfterMs = options.retryAfterMs;
    this.#transition('failed', reason.code !== undefined ? `${reason.code} ${reason.text}` : reason.text);
  }

  // ───────────────────────────── REGISTER ─────────────────────────────

  /** Start a REGISTER (or un-REGISTER) owned by the current state. */
  #startExchange(removing: boolean): void {
    this.#exchange?.abandon();
    const digest: DigestExchange | undefined = this.#digest?.begin({
      method: 'REGISTER',
      uri: formatUri(this.config.registrar),
      callId: this.#callId,
    });
    const exchange = new RegisterExchange({
      send: (attempt) => this.#send(attempt, removing),
      digest,
      expiresSec: removing ? 0 : this.#requestedSec,
      removing,
      log: this.#log,
      name: this.#name,
    });
    this.#exchange = exchange;
    void exchange.result.then((outcome) => {
      if (this.#disposed || this.#exchange !== exchange) return;
      this.#exchange = undefined;
      if (removing) this.#unregistered(outcome);
      else this.#registerOutcome(outcome, exchange);
    });
  }

  #send(attempt: RegisterAttempt, removing: boolean): OutgoingRequest {
    const config = this.config;
    const headers: [string, string][] = [['Expires', String(attempt.expiresSec)]];
    if (config.outbound === true && !removing) {
      // RFC 5626 §4.2.1: "the UA MUST include the 'outbound' option tag in a Supported header field".
      headers.push(['Supported', 'outbound, path']);
    }
    for (const auth of attempt.authorization) headers.push([auth.name, auth.value]);
    const aor = {
      uri: config.aor,
      params: NO_PARAMS,
      ...(config.displayName ? { displayName: config.displayName } : {}),
    };
    const request = this.#channel.createRequest({
      method: 'REGISTER',
      uri: config.registrar,
      from: { ...aor, tag: this.#fromTag },
      to: { uri: config.aor, params: NO_PARAMS },
      callId: this.#callId,
      cseq: ++this.#cseq,
      headers,
    });
    if (removing && this.#removeAll) {
      // RFC 3261 §10.2.2: "Contact: *" with "Expires: 0" removes every binding of the AOR.
      request.headers.set('Contact', '*');
    }
    const options: RegisterSendOptions = {
      ...this.#routing(),
      user: {
        prepare: (req, flow) => {
          if (!(removing && this.#removeAll)) this.#setContacts(req, flow, removing);
        },
      },
    };
    return this.#channel.sendRequest(request, options);
  }

  /** Where REGISTER goes: the binding's flow while it is open, else the outbound proxy or the registrar. */
  #routing(): RegisterSendOptions {
    const flow = this.flow;
    if (flow !== undefined) return { flow };
    const proxy = this.config.outboundProxy;
    if (proxy === undefined) return { nextHop: this.#nextHopUri(), useOutboundProxy: false };
    const hop = withTransport(proxy, this.config.transport);
    // RFC 3261 §8.1.2: a loose-routing proxy becomes the pre-existing route set; one without `lr` is
    // only the address the request is sent to.
    if (hop.params.has('lr')) return { routeSet: [{ uri: hop, params: NO_PARAMS }], useOutboundProxy: false };
    return { nextHop: hop, useOutboundProxy: false };
  }

  #nextHopUri(): SipUri {
    return withTransport(this.config.outboundProxy ?? this.config.registrar, this.config.transport);
  }

  #configuredTransport(): SipTransport | undefined {
    const t = this.#nextHopUri().params.get('transport')?.toLowerCase();
    return t === 'udp' || t === 'tcp' || t === 'tls' ? t : this.config.transport;
  }

  /**
   * Contact for the flow this attempt leaves on: our public address when we rewrite for a NAT on this
   * flow, else the flow's own address; plus the binding we replace, with expires=0 (a Contact we no longer
   * use must not stay at the registrar, where it would swallow calls).
   */
  #setContacts(request: SipRequest, flow: SipFlow, removing: boolean): void {
    const contact = this.#contactOn(flow);
    const values: ContactValue[] = [contact];
    const stale = this.#bound;
    if (stale !== undefined && formatUri(stale.uri) !== formatUri(contact.uri)) {
      values.push({ kind: 'address', uri: stale.uri, params: NO_PARAMS, expires: 0 });
    }
    request.headers.setValue(Header.Contact, ...values);
    if (!removing) this.#contact = contactText(contact);
  }

  #contactOn(flow: SipFlow): ContactAddress {
    const config = this.config;
    const useOutbound = config.outbound === true;
    const address =
      this.#publicAddress !== undefined && this.#publicFlow === flow ? this.#publicAddress : flow.local;
    return contactFor({
      user: config.aor.user,
      address,
      transport: flow.transport,
      secure: config.aor.scheme === 'sips' && flow.transport === 'tls',
      instanceId: config.instanceId,
      ...(useOutbound && { regId: config.regId ?? 1 }),
    });
  }

  #contactAddress(contact: ContactAddress): SocketAddress {
    const uri = contact.uri as SipUri;
    const host = unbracket(uri.host);
    return { address: host, port: uri.port ?? 5060, family: host.includes(':') ? 6 : 4 };
  }

  #mayRewrite(): boolean {
    return this.config.natRewrite !== false && !this.#outbound;
  }

  /** A REGISTER (registering or refresh) ended. */
  #registerOutcome(outcome: RegisterOutcome, exchange: RegisterExchange): void {
    switch (outcome.kind) {
      case 'ok':
        this.#registered(outcome.response, outcome.out, exchange.expiresSec);
        return;
      case 'auth-failed': {
        const status = outcome.response.status;
        this.#log('warn', `registration ${this.#name}: credentials refused (${status}, ${outcome.detail})`);
        this.#fail(
          { kind: 'auth', code: status, text: outcome.response.reason || reasonPhrase(status) },
          { auth: true },
        );
        return;
      }
      case 'rejected':
        this.#rejected(outcome.response);
        return;
      case 'timeout':
        this.#forgetFlow();
        this.#fail({
          kind: 'timeout',
          text: `No answer from ${formatUri(this.#nextHopUri())} over ${this.#configuredTransport() ?? 'udp'}`,
        });
        return;
      case 'transport-error':
        this.#forgetFlow();
        this.#fail({ kind: 'transport', text: outcome.error.reason });
        return;
      case 'no-target':
        this.#fail({
          kind: 'no-target',
          text: `${formatUri(this.#nextHopUri())} did not resolve to any address`,
        });
        return;
      case 'aborted':
        this.#log('info', `registration ${this.#name}: REGISTER aborted (${outcome.reason})`);
        return;
      case 'abandoned':
        return;
    }
  }

  /**
   * Final non-2xx. RFC 3261 §8.1.3.4 lets a UA follow 3xx, but a registrar that redirects a REGISTER is
   * a configuration matter: reported, retried with backoff. 403 is a refusal of these credentials (or of
   * this user) — no automatic retry, as after a second 401. 503 with Retry-After (RFC 3261 §21.5.4) is
   * retried exactly then; so is any final response carrying Retry-After.
   */
  #rejected(response: SipResponse): void {
    const status = response.status;
    const text = response.reason || reasonPhrase(status);
    if (status === 403) {
      this.#fail({ kind: 'auth', code: status, text }, { auth: true });
      return;
    }
    const retryAfter = response.headers.first(Header.RetryAfter);
    const seconds = retryAfter.ok && retryAfter.value !== undefined ? retryAfter.value.seconds : undefined;
    this.#fail(
      { kind: 'rejected', code: status, text },
      seconds !== undefined ? { retryAfterMs: seconds * 1000 } : {},
    );
  }

  /** A 2xx for a REGISTER that asks for a binding. */
  #registered(response: SipResponse, out: OutgoingRequest, requested: number): void {
    const flow = out.flow;
    const sentContacts = out.request.headers.all(Header.Contact);
    const sent = sentContacts.ok ? sentContacts.value[0] : undefined;
    if (flow === undefined || sent === undefined || sent.kind !== 'address') {
      // Cannot happen for a request that got a response; treat it as a failure rather than guess.
      this.#fail({
        kind: 'rejected',
        code: response.status,
        text: 'The registrar\u2019s answer did not match our REGISTER',
      });
      return;
    }
    const require = response.headers.all(Header.Require);
    // RFC 5626 §4.2.1 / §6: a registrar that uses the flow answers with "Require: outbound".
    this.#outbound =
      this.config.outbound === true &&
      require.ok &&
      require.value.some((tag) => tag.toLowerCase() === 'outbound');
    if (flow !== this.#flow) {
      this.#flow = flow;
      if (this.#publicFlow !== flow) {
        this.#publicAddress = undefined;
        this.#publicFlow = undefined;
      }
    }
    const reported = reportedAddress(response.topVia);
    // A registrar without RFC 3581 reports nothing: what a STUN keepalive told us on this flow still holds.
    const known = reported ?? (this.#publicFlow === flow ? this.#publicAddress : undefined);
    this.#reported = known !== undefined && !sameHostPort(known, flow.local) ? known : undefined;
    this.#sipAlg = this.#judgeSipAlg(out.request, response, sent);

    // NAT: the registrar saw us elsewhere than our Contact says; unless the flow itself is the contact
    // (outbound), register the public address and remove the unreachable binding in the same REGISTER.
    const sentAddress = this.#contactAddress(sent);
    if (
      reported !== undefined &&
      this.#mayRewrite() &&
      !sameHostPort(reported, sentAddress) &&
      this.#natRewrites < MAX_NAT_REWRITES
    ) {
      this.#natRewrites++;
      this.#publicAddress = reported;
      this.#publicFlow = flow;
      this.#bound = sent;
      this.#log(
        'info',
        `registration ${this.#name}: the registrar sees us at ${addressText(reported)}, not ${addressText(sentAddress)}: Contact rewritten`,
      );
      this.#startExchange(false);
      this.#emit();
      return;
    }

    const own = findOwnBinding(response, sent);
    const granted = grantedExpires(response, own, requested);
    if (granted === 0) {
      this.#fail({ kind: 'rejected', code: response.status, text: 'The registrar did not keep our binding' });
      return;
    }
    this.#natRewrites = 0;
    this.#bound = sent;
    this.#contact = contactText(sent);
    this.#requestedSec = requested;
    this.#grantedSec = granted;
    this.#expiresAt = this.#clock.now() + granted * 1000;
    this.#reason = undefined;
    this.#failures = 0;
    this.#log(
      'info',
      `registration ${this.#name}: ${contactText(sent)} bound for ${granted} s (asked ${requested} s) via ${flow.id}`,
    );
    if (this.#state === 'registered' && this.#heldFlow === flow) {
      // A refresh on the same flow: the registered state goes on, with a new refresh timer.
      this.#armRefresh(granted);
      this.#emit();
      return;
    }
    // First binding, or a refresh that had to take another flow: (re-)enter registered for that flow.
    this.#transition('registered', `${response.status} ${response.reason}`);
  }

  /** The un-REGISTER ended, one way or another: nothing of ours is bound any more (or never will be). */
  #unregistered(outcome: RegisterOutcome): void {
    if (outcome.kind === 'abandoned') return;
    const how =
      outcome.kind === 'ok'
        ? `${outcome.response.status} ${outcome.response.reason}`
        : `un-REGISTER ${outcome.kind}`;
    this.#transition('unregistered', how);
  }

  #judgeSipAlg(request: SipRequest, response: SipResponse, sent: ContactAddress): SipAlgStatusValue {
    if (this.#detectSipAlg === undefined) return 'unknown';
    const via = request.topVia;
    const echoed = response.topVia;
    const own = findOwnBinding(response, sent);
    const sentUri = sent.uri as SipUri;
    return this.#detectSipAlg({
      sent: {
        via: { host: unbracket(via.host), port: via.port },
        contact: { host: unbracket(sentUri.host), port: sentUri.port },
      },
      echoed: {
        via: {
          host: unbracket(echoed.host),
          port: echoed.port,
          ...(echoed.received !== undefined && { received: unbracket(echoed.received) }),
          ...(typeof echoed.rport === 'number' && { rport: echoed.rport }),
        },
        contacts: contactHostPorts(response),
        ...(own !== undefined && { ownContactIndex: own.index }),
      },
      localAddresses: this.#localAddresses(),
      publicAddress:
        this.#keepalive?.mappedAddress !== undefined
          ? { address: this.#keepalive.mappedAddress.address, port: this.#keepalive.mappedAddress.port }
          : null,
    });
  }

  // ───────────────────────────── flows ─────────────────────────────

  /** RFC 5626 §4.4: a failed flow (no pong, reset, new STUN mapping) means re-registering now. */
  #flowFailed(event: FlowClosed): void {
    if (this.#disposed || event.flow !== this.#flow) return;
    this.#log('info', `registration ${this.#name}: flow ${event.flow.id} failed (${event.reason})`);
    this.#forgetFlow();
    if (this.#state === 'registered') this.#transition('registering', `flow failed (${event.reason})`);
  }

  /** Close the binding's flow so that the next REGISTER opens a new one (with the current local address). */
  #dropFlow(cause: string): void {
    const flow = this.#flow;
    this.#forgetFlow();
    if (flow !== undefined && !flow.closed) {
      this.#log('debug', `registration ${this.#name}: closing ${flow.id} (${cause})`);
      flow.close('local');
    }
  }

  #forgetFlow(): void {
    this.#flow = undefined;
    this.#publicAddress = undefined;
    this.#publicFlow = undefined;
  }
}
