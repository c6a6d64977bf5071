/**
 * SipUserAgent — the UA core (RFC 3261 §8): transport + transactions + dialogs, with the request
 * handlers of the layers above.
 *
 * UAC: `sendRequest` routes an out-of-dialog request (outbound proxy as a pre-existing route set with
 * `;lr`, RFC 3261 §8.1.2), resolves the next hop (RFC 3263) and sends it with failover; `sendInDialog`
 * and `sendAck` do the same for dialog requests. Every request carries Max-Forwards 70 and
 * `User-Agent: Softphone/<version>`.
 *
 * UAS: every new request passes the §8.2 checks (uas-checks.ts), then the dialog checks of §12.2.2 (481
 * without a dialog, 500 out of order), then reaches the handler registered for its method. CANCEL (§9.2)
 * and OPTIONS without a handler (§11.2) are answered here.
 *
 *   ┌─────┐ start() ┌──────────┐        ┌─────────┐ close() ┌────────┐
 *   │ new │ ──────▶ │ starting │ ─────▶ │ running │ ──────▶ │ closed │  (close() from any state)
 *   └─────┘         └──────────┘        └─────────┘         └────────┘
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { Clock, IpFamily, Network, Resolver } from '../../platform/index.ts';
import { DnsLookupCache, TargetIterator } from '../resolve/index.ts';
import type { ResolvePreferences, SipTransport } from '../resolve/index.ts';
import {
  Header,
  SipHeaders,
  createRequest,
  createResponse,
  generateCallId,
  generateTag,
  headerParams,
  sipUri,
} from '../syntax/index.ts';
import type {
  ContactValue,
  FromTo,
  MediaType,
  NameAddr,
  SipRequest,
  SipResponse,
  SipUri,
  Uri,
} from '../syntax/index.ts';
import { SipTransportLayer, StreamFlow, silentLogger } from '../transport/index.ts';
import type {
  FlowTarget,
  RequestOrigin,
  SendResult,
  SipFlow,
  SipLogger,
  SipTransportOptions,
} from '../transport/index.ts';
import {
  InviteServerTransaction,
  OutgoingRequest,
  TransactionLayer,
  targetList,
} from '../transaction/index.ts';
import type {
  OutgoingRequestUser,
  ServerRequest,
  ServerTransaction,
  TargetSource,
  TransactionTimerValues,
} from '../transaction/index.ts';
import { DialogTable, TARGET_REFRESH_METHODS } from '../dialog/index.ts';
import type { Dialog, DialogRequestOptions } from '../dialog/index.ts';
import { outboundProxyConfig, routeDialogRequest, routeWith, sipTargetOf } from './routing.ts';
import type { DigestSession } from '../auth/index.ts';
import { AuthenticatedRequest } from './authenticated-request.ts';
import { Invite2xxRetransmitter } from './invite-2xx-retransmitter.ts';
import type { Retransmit2xxState } from './invite-2xx-retransmitter.ts';
import { checkRequest } from './uas-checks.ts';
import type { MaxForwardsPolicy, Rejection, UasCapabilities } from './uas-checks.ts';

export const DEFAULT_VERSION = '0.1.0';

export interface SipUserAgentOptions {
  readonly clock: Clock;
  readonly network: Network;
  readonly resolver: Resolver;
  readonly log?: SipLogger;
  /** Product version for `User-Agent: Softphone/<version>` (and `Server:` in responses). */
  readonly version?: string;
  /** Replaces the whole User-Agent value. */
  readonly userAgent?: string;
  /** Transport configuration (sockets, listeners, TLS, keepalive jitter source…). */
  readonly transport?: Omit<SipTransportOptions, 'clock' | 'network' | 'log'>;
  readonly timers?: Partial<TransactionTimerValues>;
  /** Every out-of-dialog request goes through this proxy (RFC 3261 §8.1.2); `;lr` makes it a Route. */
  readonly outboundProxy?: SipUri;
  /** Send in-dialog requests to the outbound proxy as well (routeRequestWithOutboundProxy). */
  readonly outboundProxyForRoutedRequests?: boolean;
  /** Option tags we support (Supported header, Require check). Default none. */
  readonly supported?: readonly string[];
  /** Body types understood when a handler says nothing (default ["application/sdp"]). */
  readonly accept?: readonly string[];
  /** Request-URI schemes served (default sip, sips). */
  readonly uriSchemes?: readonly string[];
  /** Max-Forwards 0 handling at this UA (default 'accept'; see uas-checks.ts). */
  readonly maxForwards?: MaxForwardsPolicy;
  /** Address families RFC 3263 looks up, preferred first (default: those with a UDP socket, else [4, 6]). */
  readonly families?: readonly IpFamily[];
}

/** How the UA fills in Contact for the flow a request leaves on. */
export interface ContactTemplate {
  readonly user?: string;
  /** URI parameters after transport= (e.g. { ob: null } for RFC 5626). */
  readonly uriParams?: Readonly<Record<string, string | null>>;
  /** Header parameters (+sip.instance, reg-id, expires…). */
  readonly params?: Readonly<Record<string, string | null>>;
  /** Use the flow's public address (STUN or Via received/rport) when known. */
  readonly useMappedAddress?: boolean;
  /** sips: URI (a SIPS request over TLS). Default: sips when the flow is TLS and the Request-URI is SIPS. */
  readonly secure?: boolean;
}

export interface SendRequestOptions {
  readonly user?: OutgoingRequestUser;
  /** Send on this flow, without resolution (a registration's flow, RFC 5626). */
  readonly flow?: SipFlow;
  /** Resolve this URI instead of the one routing picks (in-dialog requests pass the dialog's next hop). */
  readonly nextHop?: Uri;
  /** A pre-existing route set (Service-Route, RFC 3608), before the outbound proxy is considered. */
  readonly routeSet?: readonly NameAddr[];
  /** Go through the configured outbound proxy (default true). */
  readonly useOutboundProxy?: boolean;
  /** Fill in Contact from the flow (replacing any Contact of the request). */
  readonly contact?: ContactTemplate;
  /** Try the next target after a 503 (default true). */
  readonly failoverOn503?: boolean;
}

export interface OutOfDialogRequestSpec {
  readonly method: string;
  readonly uri: Uri;
  readonly from: FromTo;
  readonly to: FromTo;
  /** Default: a fresh one. */
  readonly callId?: string;
  /** Default 1. */
  readonly cseq?: number;
  readonly headers?: Iterable<readonly [string, string]>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string | MediaType;
  readonly contact?: readonly ContactValue[];
}

export interface ResponseOptions {
  readonly reason?: string;
  readonly headers?: Iterable<readonly [string, string]>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string | MediaType;
  /** Contact values; a 2xx to INVITE needs one (the call layer passes contactFor(flow)). */
  readonly contact?: readonly ContactValue[];
}

export interface RequestHandlerOptions {
  /** Body types this handler understands (415 otherwise); default the UA's `accept`. */
  readonly accept?: readonly string[];
  /**
   * Take requests with a To tag that match no dialog (a NOTIFY racing the 2xx of its SUBSCRIBE, RFC 6665
   * §4.1.2.4) instead of the UA answering 481.
   */
  readonly unknownDialogs?: boolean;
}

type Handler = (request: UasRequest) => void;

/** A request the UA core passed to a handler: the request, its transaction, its dialog, and respond(). */
export class UasRequest {
  readonly request: SipRequest;
  readonly origin: RequestOrigin;
  /** Undefined for an ACK (the ACK for a 2xx has no transaction). */
  readonly transaction: ServerTransaction | undefined;
  /** The dialog it belongs to (To tag matched), if any. */
  readonly dialog: Dialog | undefined;
  /** The To tag responses carry: the request's own, or one generated for this UAS (§8.2.6.2). */
  readonly toTag: string;
  readonly #ua: SipUserAgent;
  readonly #cancelled = new Emitter<SipRequest>();
  readonly #ackOutcome = new Emitter<'acknowledged' | 'timed-out'>();
  #cancel: SipRequest | undefined;
  #retransmitter: Invite2xxRetransmitter | undefined;

  constructor(ua: SipUserAgent, server: ServerRequest, dialog: Dialog | undefined) {
    this.#ua = ua;
    this.request = server.request;
    this.origin = server.origin;
    this.transaction = server.transaction;
    this.dialog = dialog;
    this.toTag = server.request.to.tag ?? generateTag();
  }

  get flow(): SipFlow {
    return this.origin.flow;
  }

  /** The CANCEL that cancelled this INVITE, if one did. */
  get cancelled(): SipRequest | undefined {
    return this.#cancel;
  }

  /** An INVITE was cancelled (§9.2): the UA answers 487 right after the listeners unless they answered. */
  onCancel(listener: (cancel: SipRequest) => void): Disposable {
    return this.#cancelled.on(listener);
  }

  /** @internal */
  notifyCancel(cancel: SipRequest): void {
    this.#cancel = cancel;
    this.#cancelled.emit(cancel);
  }

  /** Build a response (To tag, Server header, Allow/Supported where they belong). */
  createResponse(status: number, options: ResponseOptions = {}): SipResponse {
    return this.#ua.buildResponse(this.request, status, this.toTag, options);
  }

  /**
   * Build and send a response through the server transaction. Returns it, or undefined when the
   * transaction was already over. A 2xx to INVITE can be passed to `transaction.respond` again to
   * retransmit it (§13.3.1.4, the call layer's job).
   */
  respond(status: number, options: ResponseOptions = {}): SipResponse | undefined {
    const response = this.createResponse(status, options);
    return this.send(response) ? response : undefined;
  }

  /**
   * Send a response built elsewhere. The first 2xx to an INVITE starts its retransmission until the ACK
   * arrives (RFC 3261 §13.3.1.4); see onAck / onAckTimeout.
   */
  send(response: SipResponse): boolean {
    const tx = this.transaction;
    if (tx === undefined) throw new Error('an ACK gets no response');
    const sent = tx.respond(response);
    if (
      sent &&
      this.request.method === 'INVITE' &&
      response.status >= 200 &&
      response.status < 300 &&
      this.#retransmitter === undefined
    ) {
      this.#retransmitter = this.#ua.retransmit2xx(this, response, (end) => {
        if (end === 'acknowledged' || end === 'timed-out') this.#ackOutcome.emit(end);
        this.#ackOutcome.clear();
      });
    }
    return sent;
  }

  /** The 2xx retransmission of this INVITE, once a 2xx was sent. */
  get retransmission(): Invite2xxRetransmitter | undefined {
    return this.#retransmitter;
  }

  /**
   * How the wait for the ACK of our 2xx ended: 'acknowledged', or 'timed-out' after 64·T1 — then "the
   * session SHOULD be terminated. This is accomplished with a BYE" (§13.3.1.4, the call layer's job).
   */
  onAckOutcome(listener: (outcome: 'acknowledged' | 'timed-out') => void): Disposable {
    return this.#ackOutcome.on(listener);
  }
}

export type UserAgentState = 'new' | 'starting' | 'running' | 'closed';

const BUILT_IN_METHODS = ['ACK', 'CANCEL', 'OPTIONS'] as const;

export class SipUserAgent {
  readonly clock: Clock;
  readonly transport: SipTransportLayer;
  readonly transactions: TransactionLayer;
  readonly dialogs: DialogTable;
  /** The User-Agent / Server product string. */
  readonly userAgent: string;
  readonly #resolver: Resolver;
  readonly #log: SipLogger;
  readonly #options: SipUserAgentOptions;
  readonly #handlers = new Map<string, { handler: Handler; options: RequestHandlerOptions }>();
  readonly #inviteRequests = new WeakMap<ServerTransaction, UasRequest>();
  /** 2xx responses to INVITE waiting for their ACK, by Call-ID, To tag, From tag and CSeq number. */
  readonly #awaitingAck = new Map<string, Invite2xxRetransmitter>();
  readonly #subscriptions: Disposable[] = [];
  #state: UserAgentState = 'new';

  constructor(options: SipUserAgentOptions) {
    this.#options = options;
    this.clock = options.clock;
    this.#resolver = options.resolver;
    this.#log = options.log ?? silentLogger;
    this.userAgent = options.userAgent ?? `Softphone/${options.version ?? DEFAULT_VERSION}`;
    this.transport = new SipTransportLayer({
      ...options.transport,
      clock: options.clock,
      network: options.network,
      log: this.#log,
    });
    this.transactions = new TransactionLayer({
      transport: this.transport,
      log: this.#log,
      ...(options.timers && { timers: options.timers }),
    });
    this.dialogs = new DialogTable(routeDialogRequest);
    this.#subscriptions.push(this.transactions.onRequest((r) => this.#receive(r)));
  }

  get state(): UserAgentState {
    return this.#state;
  }

  async start(): Promise<void> {
    this.#transition('starting');
    await this.transport.start();
    if (this.#state === 'closed') return;
    this.#transition('running');
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#transition('closed');
    for (const s of this.#subscriptions) s.dispose();
    for (const r of [...this.#awaitingAck.values()]) r.stop();
    this.dialogs.clear();
    this.transactions.close();
    this.transport.close();
    this.#handlers.clear();
  }

  #transition(to: UserAgentState): void {
    const from = this.#state;
    const legal =
      to === 'closed' || (from === 'new' && to === 'starting') || (from === 'starting' && to === 'running');
    if (!legal) throw new Error(`user agent: illegal transition ${from} → ${to}`);
    this.#state = to;
    this.#log('debug', `ua: ${from} → ${to}`);
  }

  // ───────────────────────────── capabilities ─────────────────────────────

  /** Handle requests of `method` until disposed (one handler per method). */
  onRequest(method: string, handler: Handler, options: RequestHandlerOptions = {}): Disposable {
    if (this.#handlers.has(method)) throw new Error(`a handler for ${method} is already registered`);
    const entry = { handler, options };
    this.#handlers.set(method, entry);
    return {
      dispose: () => {
        if (this.#handlers.get(method) === entry) this.#handlers.delete(method);
      },
    };
  }

  /** Methods we accept: the handlers' plus ACK, CANCEL, OPTIONS (RFC 3261 §20.5 Allow). */
  allowedMethods(): string[] {
    const methods = new Set<string>([...BUILT_IN_METHODS, ...this.#handlers.keys()]);
    const order = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'];
    return [...methods].sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
    });
  }

  get supported(): readonly string[] {
    return this.#options.supported ?? [];
  }

  get accept(): readonly string[] {
    return this.#options.accept ?? ['application/sdp'];
  }

  #capabilities(method: string): UasCapabilities {
    return {
      allow: this.allowedMethods(),
      uriSchemes: this.#options.uriSchemes ?? ['sip', 'sips'],
      supported: this.supported,
      accept: (this.#handlers.get(method)?.options.accept ?? this.accept).map((a) => a.toLowerCase()),
      maxForwards: this.#options.maxForwards ?? 'accept',
    };
  }

  // ───────────────────────────── building ─────────────────────────────

  /**
   * An out-of-dialog request (RFC 3261 §8.1.1): From tag and Call-ID generated when absent, CSeq 1,
   * Max-Forwards 70, User-Agent, and Allow/Supported on INVITE, OPTIONS, REGISTER and UPDATE.
   */
  createRequest(spec: OutOfDialogRequestSpec): SipRequest {
    const from: FromTo = spec.from.tag === undefined ? { ...spec.from, tag: generateTag() } : spec.from;
    return createRequest({
      method: spec.method,
      uri: spec.uri,
      from,
      to: spec.to,
      callId: spec.callId ?? generateCallId(),
      cseq: spec.cseq ?? 1,
      ...(spec.contact !== undefined && { contact: spec.contact }),
      headers: [...this.#standardHeaders(spec.method), ...(spec.headers ?? [])],
      ...(spec.body !== undefined && { body: spec.body }),
      ...(spec.contentType !== undefined && { contentType: spec.contentType }),
    });
  }

  #standardHeaders(method: string): [string, string][] {
    const headers: [string, string][] = [['User-Agent', this.userAgent]];
    if (method === 'INVITE' || method === 'OPTIONS' || method === 'REGISTER' || method === 'UPDATE') {
      headers.push(['Allow', this.allowedMethods().join(', ')]);
      if (this.supported.length > 0) headers.push(['Supported', this.supported.join(', ')]);
    }
    return headers;
  }

  /** @internal UasRequest.createResponse. */
  buildResponse(request: SipRequest, status: number, toTag: string, options: ResponseOptions): SipResponse {
    const headers: (readonly [string, string])[] = [];
    if (options.contact !== undefined && options.contact.length > 0) {
      headers.push(['Contact', options.contact.map((c) => Header.Contact.format(c)).join(', ')]);
    }
    headers.push(['Server', this.userAgent]);
    const capabilityResponse =
      (status >= 200 &&
        status < 300 &&
        (request.method === 'INVITE' || request.method === 'OPTIONS' || request.method === 'UPDATE')) ||
      status === 405;
    const extra = [...(options.headers ?? [])];
    const has = (name: string): boolean => extra.some(([n]) => n.toLowerCase() === name.toLowerCase());
    if (capabilityResponse && !has('Allow')) headers.push(['Allow', this.allowedMethods().join(', ')]);
    if (capabilityResponse && this.supported.length > 0 && !has('Supported'))
      headers.push(['Supported', this.supported.join(', ')]);
    headers.push(...extra);
    return createResponse(request, status, options.reason, {
      toTag,
      headers,
      ...(options.body !== undefined && { body: options.body }),
      ...(options.contentType !== undefined && { contentType: options.contentType }),
    });
  }

  /**
   * The Contact for a flow: sip:user@<flow address>:<port>;transport=<tcp|tls> plus the template's
   * parameters (RFC 3261 §8.1.1.8: the Contact "MUST contain a SIP or SIPS URI" where we can be reached).
   */
  contactFor(flow: SipFlow, template: ContactTemplate = {}): ContactValue {
    const address =
      template.useMappedAddress === true && flow.mappedAddress !== undefined
        ? flow.mappedAddress
        : flow.local;
    const secure = template.secure ?? false;
    const uriParams: Record<string, string | null> = {};
    if (flow.transport !== 'udp' && !(secure && flow.transport === 'tls'))
      uriParams.transport = flow.transport;
    Object.assign(uriParams, template.uriParams ?? {});
    const uri = sipUri({
      scheme: secure ? 'sips' : 'sip',
      ...(template.user !== undefined && { user: template.user }),
      host: address.address,
      port: address.port,
      params: uriParams,
    });
    return { kind: 'address', uri, params: headerParams(template.params ?? {}) };
  }

  /** @internal UasRequest.send: retransmit a 2xx to INVITE until its ACK (§13.3.1.4). */
  retransmit2xx(
    uas: UasRequest,
    response: SipResponse,
    onEnd: (state: Exclude<Retransmit2xxState, 'waiting-ack'>) => void,
  ): Invite2xxRetransmitter {
    const key = ackKey(uas.request.callId, response.to.tag, uas.request.from.tag, uas.request.cseq.seq);
    const retransmitter = new Invite2xxRetransmitter({
      clock: this.clock,
      timers: this.transactions.timers,
      send: () => {
        const tx = uas.transaction;
        // The server transaction passes 2xx through while Accepted (RFC 6026); after that, the transport.
        if (tx !== undefined && !tx.terminated) tx.respond(response);
        else void this.transport.sendResponse(response, uas.origin);
      },
      onEnd: (state) => {
        if (this.#awaitingAck.get(key) === retransmitter) this.#awaitingAck.delete(key);
        this.#log(
          state === 'timed-out' ? 'info' : 'debug',
          `ua: 2xx to INVITE ${uas.request.callId}: ${state}`,
        );
        onEnd(state);
      },
    });
    this.#awaitingAck.get(key)?.stop();
    this.#awaitingAck.set(key, retransmitter);
    return retransmitter;
  }

  // ───────────────────────────── sending ─────────────────────────────

  /**
   * Send an out-of-dialog request (or any request, with `nextHop`): route it (outbound proxy, route set),
   * resolve the next hop (RFC 3263) and send it with failover. Never throws for the network: see
   * `result` of the returned OutgoingRequest.
   */
  sendRequest(request: SipRequest, options: SendRequestOptions = {}): OutgoingRequest {
    if (this.#state === 'closed') throw new Error('sendRequest on a closed user agent');
    if (!request.headers.has('User-Agent')) request.headers.append('User-Agent', this.userAgent);
    const targets = this.#targetsFor(request, options);
    const contact = options.contact;
    const userPrepare = options.user?.prepare;
    const secureContact = request.uri.kind === 'sip' && request.uri.scheme === 'sips';
    return new OutgoingRequest(this.transactions, request, {
      targets,
      ...(options.failoverOn503 !== undefined && { failoverOn503: options.failoverOn503 }),
      user: {
        ...(options.user?.onResponse && { onResponse: options.user.onResponse }),
        prepare: (req, flow) => {
          if (contact !== undefined) {
            const value = this.contactFor(flow, {
              secure: secureContact && flow.transport === 'tls',
              ...contact,
            });
            req.headers.setValue(Header.Contact, value);
          }
          userPrepare?.(req, flow);
        },
      },
    });
  }

  /**
   * Where `sendRequest(request, options)` would send first — the outbound proxy or route set applied,
   * RFC 3263's first target — without sending anything. For a caller whose request must match the flow's
   * address family before it is built: an INVITE's SDP names media sockets bound beforehand. Undefined
   * when the next hop does not resolve. (A later failover may still pick another target.)
   */
  async firstTarget(request: SipRequest, options: SendRequestOptions = {}): Promise<FlowTarget | undefined> {
    return this.#targetsFor(request.clone(), options).next();
  }

  /**
   * sendRequest that answers 401/407 with the account's DigestSession (RFC 3261 §22.2): each answer is a
   * new request with CSeq + 1. See AuthenticatedRequest.
   */
  sendAuthenticated(
    request: SipRequest,
    session: DigestSession,
    options: SendRequestOptions = {},
  ): AuthenticatedRequest {
    return new AuthenticatedRequest(this, request, session, options);
  }

  #targetsFor(request: SipRequest, options: SendRequestOptions): TargetSource {
    if (options.flow !== undefined) return targetList([flowTarget(options.flow)]);
    let nextHop = options.nextHop;
    if (nextHop === undefined) {
      const existing = request.headers.all(Header.Route);
      if (existing.ok && existing.value.length > 0) {
        // Routes the caller wrote: the first one is the next hop (loose routing, §8.1.2).
        nextHop = existing.value[0]?.uri;
      } else {
        const proxy =
          options.useOutboundProxy === false
            ? undefined
            : outboundProxyConfig(this.#options.outboundProxy, this.#options.outboundProxyForRoutedRequests);
        const routing = routeWith(proxy, request.uri, options.routeSet ?? []);
        request.uri = routing.requestUri;
        setRoutes(request, routing.routes);
        nextHop = routing.nextHop;
      }
    }
    const requestUriSecure = request.uri.kind === 'sip' && request.uri.scheme === 'sips';
    const target = nextHop === undefined ? undefined : sipTargetOf(nextHop, requestUriSecure);
    if (target === undefined) return targetList([]);
    return new TargetIterator(target, {
      resolver: this.#resolver,
      preferences: this.#preferences(),
      cache: new DnsLookupCache(),
    });
  }

  #preferences(): ResolvePreferences {
    const transports = (['udp', 'tcp', 'tls'] as const).filter((t: SipTransport) =>
      this.transport.supports(t),
    );
    const bound = this.transport
      .listening()
      .filter((l) => l.transport === 'udp')
      .map((l) => l.local.family);
    const families = this.#options.families ?? (bound.length > 0 ? [...new Set(bound)].sort() : [4, 6]);
    return { transports, families: families as IpFamily[] };
  }

  /**
   * A request in `dialog` (RFC 3261 §12.2.1.1) sent to the dialog's next hop. Target refresh requests
   * (INVITE, UPDATE, SUBSCRIBE, NOTIFY) get a Contact for their flow unless `contact` says otherwise; a
   * 2xx to one updates the dialog's remote target (§12.2.1.2).
   */
  sendInDialog(
    dialog: Dialog,
    method: string,
    options: DialogRequestOptions & {
      readonly user?: OutgoingRequestUser;
      readonly flow?: SipFlow;
      readonly contactTemplate?: ContactTemplate;
    } = {},
  ): OutgoingRequest {
    const built = dialog.createRequest(method, options);
    built.request.headers.append('User-Agent', this.userAgent);
    const onResponse = options.user?.onResponse;
    const wantsContact = TARGET_REFRESH_METHODS.has(method) && options.contact === undefined;
    const proxy =
      this.#options.outboundProxyForRoutedRequests === true ? this.#options.outboundProxy : undefined;
    return this.sendRequest(built.request, {
      nextHop: proxy ?? built.nextHop,
      ...(options.flow !== undefined && { flow: options.flow }),
      ...(wantsContact && { contact: options.contactTemplate ?? {} }),
      user: {
        ...(options.user?.prepare && { prepare: options.user.prepare }),
        onResponse: (response, out) => {
          if (dialog.state !== 'terminated') dialog.receiveResponse(response);
          onResponse?.(response, out);
        },
      },
    });
  }

  /**
   * The ACK for a 2xx (RFC 3261 §13.2.2.4), outside any transaction, to the dialog's next hop — or on
   * `flow` (normally the INVITE's). Returns the ACK so the caller can resend it for each 2xx retransmission.
   */
  async sendAck(
    dialog: Dialog,
    inviteSeq: number,
    options: DialogRequestOptions & { readonly flow?: SipFlow } = {},
  ): Promise<{ readonly result: SendResult; readonly request: SipRequest; readonly flow?: SipFlow }> {
    const built = dialog.createAck(inviteSeq, options);
    built.request.headers.append('User-Agent', this.userAgent);
    const targets =
      options.flow !== undefined
        ? targetList([flowTarget(options.flow)])
        : this.#targetsFor(built.request, { nextHop: built.nextHop });
    let lastError: SendResult = { ok: false, error: { code: 'no-socket', reason: 'no target for the ACK' } };
    for (let target = await targets.next(); target !== undefined; target = await targets.next()) {
      const acquired = await this.transport.acquireFlow(target);
      if (!acquired.ok) {
        lastError = acquired;
        continue;
      }
      const result = this.transactions.sendStateless(built.request, acquired.flow);
      return { result, request: built.request, flow: acquired.flow };
    }
    return { result: lastError, request: built.request };
  }

  // ───────────────────────────── receiving ─────────────────────────────

  #receive(server: ServerRequest): void {
    const request = server.request;
    try {
      if (request.method === 'ACK') return this.#receiveAck(server);
      const tx = server.transaction;
      if (tx === undefined) return;
      if (request.method === 'CANCEL') return this.#receiveCancel(server, tx);
      const rejection =
        checkRequest(request, this.#capabilities(request.method), () =>
          this.transactions.isMergedRequest(request, tx),
        ) ?? this.#checkDialog(request);
      if (rejection !== undefined) {
        this.#reject(server, tx, rejection);
        return;
      }
      const dialog = this.dialogs.findForRequest(request);
      const uas = new UasRequest(this, server, dialog);
      if (tx instanceof InviteServerTransaction) this.#inviteRequests.set(tx, uas);
      const entry = this.#handlers.get(request.method);
      if (entry !== undefined) {
        entry.handler(uas);
        return;
      }
      if (request.method === 'OPTIONS') {
        // RFC 3261 §11.2: the response to OPTIONS lists Allow, Accept, Supported (the UA answers "as if it
        // were an INVITE": 200 when it could take a call).
        uas.respond(200, { headers: [['Accept', this.accept.join(', ')]] });
      }
    } catch (error) {
      // A handler bug must not kill the transport's event loop: answer 500 if we still can, and log.
      this.#log('warn', `ua: ${request.method} handling failed: ${(error as Error).stack ?? String(error)}`);
      const tx = server.transaction;
      if (tx !== undefined && (tx.state === 'proceeding' || tx.state === 'trying')) {
        try {
          tx.respond(this.buildResponse(request, 500, request.to.tag ?? generateTag(), {}));
        } catch {
          // already answered
        }
      }
    }
  }

  /**
   * RFC 3261 §12.2.2: "If the UAS receives a request with a tag in the To header field that doesn't match
   * an existing dialog [...] it SHOULD [...] respond with 481 (Call/Transaction Does Not Exist)"; within a
   * dialog, "If the remote sequence number was not empty, but the sequence number of the request is lower
   * than the remote sequence number, the request is out of order and MUST be rejected with a 500".
   */
  #checkDialog(request: SipRequest): Rejection | undefined {
    if (request.to.tag === undefined) return undefined;
    const dialog = this.dialogs.findForRequest(request);
    if (dialog === undefined) {
      return this.#handlers.get(request.method)?.options.unknownDialogs === true
        ? undefined
        : { status: 481 };
    }
    const verdict = dialog.receiveRequest(request);
    return verdict.ok ? undefined : { status: verdict.status, reason: verdict.reason };
  }

  #reject(server: ServerRequest, tx: ServerTransaction, rejection: Rejection): void {
    const request = server.request;
    this.#log(
      'info',
      `ua: ${request.method} rejected with ${rejection.status}${rejection.reason ? ` ${rejection.reason}` : ''}`,
    );
    const response = this.buildResponse(request, rejection.status, request.to.tag ?? generateTag(), {
      ...(rejection.reason !== undefined && { reason: rejection.reason }),
      headers: rejection.headers ?? [],
    });
    tx.respond(response);
  }

  /**
   * ACK for a 2xx (or one RFC 6026 passes up): it stops the 2xx retransmission it answers, then goes to
   * the ACK handler with its dialog (dropped without a handler).
   */
  #receiveAck(server: ServerRequest): void {
    const ack = server.request;
    this.#awaitingAck.get(ackKey(ack.callId, ack.to.tag, ack.from.tag, ack.cseq.seq))?.acknowledge();
    const dialog = this.dialogs.findForRequest(server.request);
    const entry = this.#handlers.get('ACK');
    if (entry === undefined) {
      this.#log('debug', 'ua: ACK without a handler dropped');
      return;
    }
    entry.handler(new UasRequest(this, server, dialog));
  }

  /**
   * RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL according to the
   * procedure above, it SHOULD respond to the CANCEL with a 481 (Call Leg/Transaction Does Not Exist). If
   * the transaction for the original request still exists, the behavior of the UAS on receiving a CANCEL
   * request depends on whether it has already sent a final response for the original request. If it has,
   * the CANCEL request has no effect on the processing of the original request [...]. If the UAS has not
   * issued a final response for the original request, its behavior depends on the method of the original
   * request. If the original request was an INVITE, the UAS SHOULD immediately respond to the INVITE with a
   * 487 (Request Terminated). [...] Regardless of the method of the original request, as long as the CANCEL
   * matched an existing transaction, the UAS answers the CANCEL request itself with a 200 (OK) response."
   */
  #receiveCancel(server: ServerRequest, tx: ServerTransaction): void {
    const cancel = server.request;
    const target = this.transactions.findCancelTarget(cancel);
    if (target === undefined) {
      this.#reject(server, tx, { status: 481 });
      return;
    }
    const uas = target instanceof InviteServerTransaction ? this.#inviteRequests.get(target) : undefined;
    tx.respond(this.buildResponse(cancel, 200, uas?.toTag ?? cancel.to.tag ?? generateTag(), {}));
    if (!(target instanceof InviteServerTransaction) || !target.pending) return;
    uas?.notifyCancel(cancel);
    if (target.pending) {
      const response = uas?.createResponse(487) ?? this.buildResponse(target.request, 487, generateTag(), {});
      target.respond(response);
    }
  }
}

function ackKey(callId: string, toTag: string | undefined, fromTag: string | undefined, seq: number): string {
  return `${callId}\n${toTag ?? ''}\n${fromTag ?? ''}\n${seq}`;
}

/** A flow as a resolution target (requests bound to a flow). */
export function flowTarget(flow: SipFlow): FlowTarget {
  const servername = flow instanceof StreamFlow ? flow.servername : undefined;
  return {
    transport: flow.transport,
    address: flow.remote.address,
    port: flow.remote.port,
    family: flow.remote.family,
    // A TLS flow we opened is found again under the name its certificate was checked for.
    ...(servername !== undefined && { hostname: servername }),
  };
}

/** Replace the Route lines by `routes`, in order, where createRequest puts them (after Max-Forwards). */
function setRoutes(request: SipRequest, routes: readonly NameAddr[]): void {
  const lines: [string, string][] = [];
  const routeLines = routes.map((r): [string, string] => ['Route', Header.Route.format(r)]);
  let placed = routeLines.length === 0;
  for (const field of request.headers) {
    if (field.name.toLowerCase() === 'route') continue;
    lines.push([field.name, field.value]);
    if (!placed && field.name.toLowerCase() === 'max-forwards') {
      lines.push(...routeLines);
      placed = true;
    }
  }
  if (!placed) lines.unshift(...routeLines);
  request.headers = new SipHeaders(lines);
}
