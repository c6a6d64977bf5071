/**
 * TransactionLayer — owns the live transactions, routes what the transport hands up to them (RFC 3261
 * §17.1.3, §17.2.3, RFC 6026) and passes the rest to the UA core:
 *
 *   response ── matches a client transaction (branch + CSeq method) ──▶ that transaction
 *            └─ no match ─▶ dropped. RFC 6026 §8.9 (updating §18.1.2): "Otherwise, any element other than a
 *                            stateless proxy MUST silently discard the response."
 *   request  ── matches a server transaction ──▶ a retransmission: the transaction answers it
 *            ├─ ACK matching an INVITE transaction ──▶ that transaction (RFC 6026: passed up when Accepted)
 *            ├─ ACK without a transaction ──▶ the UA core (the ACK for a 2xx, §13.2.2.4 / §17.1.1.3)
 *            └─ anything else ──▶ a new server transaction, then the UA core
 *
 * Every transaction holds its flow open (flow.retain()) while it lives; a reliable flow that closes under
 * a live transaction is a transport error for it (§17.1.4, §17.2.4).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { Clock } from '../../platform/index.ts';
import { Header, NO_PARAMS, generateBranch, isRfc3261Branch, serialize } from '../syntax/index.ts';
import type { SipRequest, Via } from '../syntax/index.ts';
import { silentLogger } from '../transport/index.ts';
import type {
  FlowTarget,
  IncomingRequest,
  IncomingResponse,
  RequestOrigin,
  SendResult,
  SipFlow,
  SipLogger,
  SipTransportLayer,
  TransportError,
} from '../transport/index.ts';
import type { ClientTransactionUser } from './client-user.ts';
import { InviteClientTransaction } from './invite-client.ts';
import { InviteServerTransaction } from './invite-server.ts';
import { cancelTargetKey, clientKey, mergeKey, rfc2543Matches, serverKey } from './matching.ts';
import { NonInviteClientTransaction } from './non-invite-client.ts';
import { NonInviteServerTransaction } from './non-invite-server.ts';
import type { ServerTransactionUser } from './server-user.ts';
import { timerValues } from './timers.ts';
import type { TransactionTimerValues } from './timers.ts';
import type { ClientChannel, ServerChannel, TransactionContext } from './transaction-core.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export type ClientTransactionResult =
  | { readonly ok: true; readonly transaction: ClientTransaction; readonly flow: SipFlow }
  | { readonly ok: false; readonly error: TransportError };

/** A request for the UA core: a new request with its fresh server transaction, or an ACK for a 2xx. */
export interface ServerRequest {
  readonly request: SipRequest;
  readonly origin: RequestOrigin;
  /** The new server transaction; undefined for an ACK (the ACK for a 2xx is not in a transaction). */
  readonly transaction: ServerTransaction | undefined;
}

export interface TransactionLayerOptions {
  readonly transport: SipTransportLayer;
  readonly timers?: Partial<TransactionTimerValues>;
  readonly log?: SipLogger;
}

interface ServerEntry {
  readonly transaction: ServerTransaction;
  readonly key: string | undefined;
  readonly merge: string;
}

export class TransactionLayer {
  readonly transport: SipTransportLayer;
  readonly clock: Clock;
  readonly timers: TransactionTimerValues;
  /** The logger of this layer (OutgoingRequest logs its transitions here too). */
  readonly log: SipLogger;
  readonly #log: SipLogger;
  readonly #ctx: TransactionContext;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerEntry>();
  /** Server transactions of RFC 2543 peers (no magic cookie): matched by a scan. */
  readonly #legacyServers = new Set<ServerEntry>();
  readonly #byMergeKey = new Map<string, Set<ServerTransaction>>();
  readonly #requests = new Emitter<ServerRequest>();
  readonly #subscriptions: Disposable[];
  #closed = false;

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.clock = options.transport.clock;
    this.timers = timerValues(options.timers);
    this.#log = options.log ?? silentLogger;
    this.log = this.#log;
    this.#ctx = { clock: this.clock, timers: this.timers, log: this.#log };
    this.#subscriptions = [
      this.transport.onRequest((incoming) => this.#receiveRequest(incoming)),
      this.transport.onResponse((incoming) => this.#receiveResponse(incoming)),
    ];
  }

  /** Live client transactions (for tests and diagnostics). */
  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size + this.#legacyServers.size;
  }

  /** New requests (and ACKs for 2xx) for the UA core. */
  onRequest(listener: (request: ServerRequest) => void): Disposable {
    return this.#requests.on(listener);
  }

  // ───────────────────────────── client side ─────────────────────────────

  /**
   * Send `request` to `target` in a new client transaction: give it a top Via with a fresh RFC 3261 branch
   * unless it has one, get a flow (reusing connections, RFC 3261 §18.1.1 size rule), stamp the Via for
   * that flow and start the machine. A flow that cannot be had is a transport error value.
   */
  async sendRequest(
    request: SipRequest,
    target: FlowTarget,
    user: ClientTransactionUser,
    prepare?: (request: SipRequest, flow: SipFlow) => void,
  ): Promise<ClientTransactionResult> {
    if (this.#closed)
      return { ok: false, error: { code: 'shut-down', reason: 'the transaction layer is closed' } };
    ensureBranch(request);
    const acquired = await this.transport.acquireFlow(target, { messageBytes: serialize(request).length });
    if (!acquired.ok) return acquired;
    if (this.#closed)
      return { ok: false, error: { code: 'shut-down', reason: 'the transaction layer is closed' } };
    const transaction = this.startClientTransaction(request, acquired.flow, user, prepare);
    return { ok: true, transaction, flow: acquired.flow };
  }

  /**
   * A client transaction on a known flow (a CANCEL goes where its INVITE went; a request bound to a
   * registration flow). Stamps the Via for the flow, then `prepare` may edit the request (Contact) before
   * it is serialized and sent.
   */
  startClientTransaction(
    request: SipRequest,
    flow: SipFlow,
    user: ClientTransactionUser,
    prepare?: (request: SipRequest, flow: SipFlow) => void,
  ): ClientTransaction {
    if (this.#closed) throw new Error('startClientTransaction on a closed transaction layer');
    if (request.method === 'ACK')
      throw new Error('an ACK is never sent in a client transaction (use sendStateless)');
    ensureBranch(request);
    this.transport.prepareRequest(request, flow);
    prepare?.(request, flow);
    const channel: ClientChannel = {
      reliable: flow.reliable,
      send: (bytes) => this.transport.send(flow, bytes),
    };
    const transaction: ClientTransaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.#ctx, request, channel, user)
        : new NonInviteClientTransaction(this.#ctx, request, channel, user);
    const key = clientKey(transaction.branch, request.method);
    if (this.#clients.has(key))
      throw new Error(`a client transaction ${transaction.branch} ${request.method} already exists`);
    this.#clients.set(key, transaction);
    const held: Disposable[] = [];
    if (!flow.closed) {
      held.push(flow.retain());
      if (flow.reliable) {
        held.push(
          flow.onClose((e) =>
            transaction.transportError({ code: 'flow-closed', reason: `connection closed (${e.reason})` }),
          ),
        );
      }
    }
    transaction.onTerminated(() => {
      this.#clients.delete(key);
      for (const d of held) d.dispose();
    });
    // On a closed flow the first send fails and the transaction ends with a transport error at once.
    transaction.start();
    return transaction;
  }

  /**
   * Send a request outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4): stamp the Via for the
   * flow and send. Retransmitting it when the 2xx is retransmitted is the caller's job.
   */
  sendStateless(request: SipRequest, flow: SipFlow): SendResult {
    ensureBranch(request);
    this.transport.prepareRequest(request, flow);
    return this.transport.send(flow, serialize(request));
  }

  #receiveResponse(incoming: IncomingResponse): void {
    const response = incoming.response;
    const branch = response.topVia.branch;
    const transaction =
      branch === undefined ? undefined : this.#clients.get(clientKey(branch, response.cseq.method));
    if (transaction === undefined) {
      this.#log(
        'info',
        `transactions: stray ${response.status} ${response.cseq.method} (branch ${branch ?? 'none'}) discarded`,
      );
      return;
    }
    transaction.receiveResponse(response);
  }

  // ───────────────────────────── server side ─────────────────────────────

  #receiveRequest(incoming: IncomingRequest): void {
    if (this.#closed) return;
    const { request, origin } = incoming;
    const found = this.#findServer(request);
    if (request.method === 'ACK') {
      if (found?.transaction instanceof InviteServerTransaction) {
        if (!found.transaction.receiveAck()) return;
        this.#requests.emit({ request, origin, transaction: undefined });
        return;
      }
      // The ACK for a 2xx has a branch of its own (§17.1.1.3): the UA core (the dialog) takes it.
      this.#requests.emit({ request, origin, transaction: undefined });
      return;
    }
    if (found !== undefined) {
      // §17.2.3: a retransmission.
      found.transaction.receiveRequest();
      return;
    }
    const transaction = this.#createServer(request, origin);
    this.#requests.emit({ request, origin, transaction });
  }

  #findServer(request: SipRequest): ServerEntry | undefined {
    const key = serverKey(request);
    if (key !== undefined) return this.#servers.get(key);
    for (const entry of this.#legacyServers) {
      const t = entry.transaction;
      if (t.terminated) continue;
      const toTag = t instanceof InviteServerTransaction ? t.lastResponse?.to.tag : undefined;
      if (rfc2543Matches(t.request, request, toTag)) return entry;
    }
    return undefined;
  }

  #createServer(
    request: SipRequest,
    origin: RequestOrigin,
    user: ServerTransactionUser = {},
  ): ServerTransaction {
    const ref: { transaction?: ServerTransaction } = {};
    const channel: ServerChannel = {
      reliable: origin.flow.reliable,
      send: (response) => {
        void this.transport.sendResponse(response, origin).then((result) => {
          if (!result.ok) ref.transaction?.transportError(result.error);
        });
      },
    };
    const created: ServerTransaction =
      request.method === 'INVITE'
        ? new InviteServerTransaction(this.#ctx, request, channel, user)
        : new NonInviteServerTransaction(this.#ctx, request, channel, user);
    ref.transaction = created;
    const entry: ServerEntry = { transaction: created, key: serverKey(request), merge: mergeKey(request) };
    if (entry.key !== undefined) this.#servers.set(entry.key, entry);
    else this.#legacyServers.add(entry);
    let merged = this.#byMergeKey.get(entry.merge);
    if (merged === undefined) this.#byMergeKey.set(entry.merge, (merged = new Set()));
    merged.add(created);
    const held = origin.flow.closed ? undefined : origin.flow.retain();
    created.onTerminated(() => {
      if (entry.key !== undefined) this.#servers.delete(entry.key);
      else this.#legacyServers.delete(entry);
      const set = this.#byMergeKey.get(entry.merge);
      set?.delete(created);
      if (set?.size === 0) this.#byMergeKey.delete(entry.merge);
      held?.dispose();
    });
    created.start();
    return created;
  }

  /**
   * The transaction a CANCEL cancels (RFC 3261 §9.2): "The TU determines the transaction to be cancelled
   * by taking the CANCEL request, and then assuming that the request method is anything but CANCEL or ACK
   * and applying the transaction matching procedures of Section 17.2.3."
   */
  findCancelTarget(cancel: SipRequest): ServerTransaction | undefined {
    const key = cancelTargetKey(cancel);
    if (key !== undefined) return this.#servers.get(key)?.transaction;
    for (const entry of this.#legacyServers) {
      const t = entry.transaction;
      if (
        !t.terminated &&
        t.request.method !== 'CANCEL' &&
        rfc2543Matches(t.request, cancel, undefined, t.request.method)
      )
        return t;
    }
    return undefined;
  }

  /**
   * RFC 3261 §8.2.2.2: "If the request has no tag in the To header field, the UAS core MUST check the
   * request against ongoing transactions. If the From tag, Call-ID, and CSeq exactly match those
   * associated with an ongoing transaction, but the request does not match that transaction (based on the
   * matching rules in Section 17.2.3), the UAS core SHOULD generate a 482 (Loop Detected) response".
   */
  isMergedRequest(request: SipRequest, own: ServerTransaction | undefined): boolean {
    if (request.to.tag !== undefined) return false;
    const set = this.#byMergeKey.get(mergeKey(request));
    if (set === undefined) return false;
    for (const t of set) if (t !== own && !t.terminated) return true;
    return false;
  }

  /** Abort every transaction and stop listening to the transport. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscriptions) s.dispose();
    for (const t of [...this.#clients.values()]) t.abort('transaction layer closed');
    for (const e of [...this.#servers.values(), ...this.#legacyServers])
      e.transaction.abort('transaction layer closed');
    this.#requests.clear();
  }
}

/** Give a request a top Via with an RFC 3261 branch (§8.1.1.7) unless it has one; returns the branch. */
export function ensureBranch(request: SipRequest): string {
  const top = request.headers.first(Header.Via);
  if (top.ok && top.value !== undefined && isRfc3261Branch(top.value.branch)) return top.value.branch ?? '';
  const branch = generateBranch();
  if (top.ok && top.value !== undefined) {
    request.headers.replaceFirstValue(Header.Via, { ...top.value, branch });
  } else {
    // The transport fills in sent-by and transport (stampVia); these are placeholders until then.
    const via: Via = {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'invalid',
      branch,
      params: NO_PARAMS,
    };
    request.headers.prependValue(Header.Via, via);
  }
  return branch;
}

/** A copy of `request` with a new branch in its top Via: RFC 3263 §4.3 retries and auth retries. */
export function withNewBranch(request: SipRequest): SipRequest {
  const copy = request.clone();
  const top = copy.headers.first(Header.Via);
  const branch = generateBranch();
  if (top.ok && top.value !== undefined) copy.headers.replaceFirstValue(Header.Via, { ...top.value, branch });
  else ensureBranch(copy);
  return copy;
}
