/**
 * A SIP dialog (RFC 3261 §12): the state two UAs share between a dialog-creating request and its end —
 * dialog ID, sequence numbers, route set, remote target, secure flag — plus the builders of in-dialog
 * requests. It is a pure state holder: no I/O, no timers. The call layer owns the INVITE session (offer/
 * answer, re-INVITE glare, BYE) and drives the dialog through these methods.
 *
 *   1xx with To tag (UAC) / 1xx sent with our tag (UAS)
 *          │                           2xx (§13.2.2.4: route set recomputed from the 2xx)
 *          ▼                           │
 *     ┌────────┐ ── confirm(2xx) ──▶ ┌───────────┐
 *     │ early  │                     │ confirmed │
 *     └────────┘                     └───────────┘
 *          │ non-2xx final / BYE /          │ BYE / terminate()
 *          │ terminate()                    ▼
 *          └──────────────────────────▶ terminated
 *
 * §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID value, a local tag
 * and a remote tag."
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { Header, MAX_CSEQ, NO_PARAMS, createRequest } from '../syntax/index.ts';
import type {
  ContactValue,
  FromTo,
  MediaType,
  NameAddr,
  SipRequest,
  SipResponse,
  Uri,
} from '../syntax/index.ts';

export type DialogState = 'early' | 'confirmed' | 'terminated';

export type DialogRole = 'uac' | 'uas';

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  /** Absent only for a UAS dialog with an RFC 2543 peer that sent no From tag (§12.1.1). */
  readonly remoteTag: string | undefined;
}

/** The map key of a dialog ID. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag ?? ''}`;
}

/** Where an in-dialog request goes: its Request-URI, its Route values, and the URI to resolve (§8.1.2). */
export interface DialogRouting {
  readonly requestUri: Uri;
  readonly routes: readonly NameAddr[];
  /** The URI RFC 3263 is applied to: the first route (loose), or the Request-URI (strict, or no routes). */
  readonly nextHop: Uri;
}

/**
 * Loose/strict routing (RFC 3261 §12.2.1.1). sip/ua supplies the implementation on top of sip/resolve's
 * routeRequest (`routeDialogRequest`); this layer may not import sip/resolve.
 */
export type DialogRouter = (remoteTarget: Uri, routeSet: readonly NameAddr[]) => DialogRouting;

/** The methods whose requests (UAS) or 2xx responses (UAC) replace the remote target. */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'UPDATE',
  'SUBSCRIBE',
  'NOTIFY',
]);

/** A built in-dialog request and where to send it. */
export interface DialogRequest {
  readonly request: SipRequest;
  /** Resolve this URI (RFC 3263) to find the next hop. */
  readonly nextHop: Uri;
}

export interface DialogRequestOptions {
  /** Further header lines (after the standard ones). */
  readonly headers?: Iterable<readonly [string, string]>;
  readonly body?: Uint8Array | string;
  readonly contentType?: string | MediaType;
  /** Contact values (target refresh requests SHOULD carry one, §12.2.1.1). */
  readonly contact?: readonly ContactValue[];
}

export type DialogRequestVerdict =
  | { readonly ok: true }
  /** Answer the request with this status (500 out of order, 400 bad Contact). */
  | { readonly ok: false; readonly status: 400 | 500; readonly reason: string };

export type DialogCreateResult =
  { readonly ok: true; readonly dialog: Dialog } | { readonly ok: false; readonly reason: string };

export interface DialogInit {
  readonly role: DialogRole;
  readonly state: 'early' | 'confirmed';
  readonly id: DialogId;
  readonly local: FromTo;
  readonly remote: FromTo;
  readonly remoteTarget: Uri;
  readonly routeSet: readonly NameAddr[];
  readonly localSeq: number | undefined;
  readonly remoteSeq: number | undefined;
  readonly secure: boolean;
  readonly router: DialogRouter;
  /** Initial local CSeq when the dialog has none yet (UAS); default: random below 2^31 (§8.1.1.5). */
  readonly initialSeq?: () => number;
}

function withoutTag(value: FromTo): FromTo {
  return {
    ...(value.displayName !== undefined && { displayName: value.displayName }),
    uri: value.uri,
    params: value.params,
  };
}

/** The first Contact address of a message, or why there is none usable. */
function contactUri(
  message: SipRequest | SipResponse,
): { ok: true; uri: Uri | undefined } | { ok: false; reason: string } {
  const contacts = message.headers.all(Header.Contact);
  if (!contacts.ok) return { ok: false, reason: contacts.error.reasonPhrase };
  const first = contacts.value[0];
  if (first === undefined) return { ok: true, uri: undefined };
  if (first.kind !== 'address') return { ok: false, reason: 'Bad Request (Contact "*" outside REGISTER)' };
  return { ok: true, uri: first.uri };
}

function recordRoutes(
  message: SipRequest | SipResponse,
): { ok: true; routes: readonly NameAddr[] } | { ok: false; reason: string } {
  const rr = message.headers.all(Header.RecordRoute);
  if (!rr.ok) return { ok: false, reason: rr.error.reasonPhrase };
  // Only the URI and its parameters travel into Route: "including all parameters" (§12.1.1), no display name.
  return { ok: true, routes: rr.value.map((r) => ({ uri: r.uri, params: r.params })) };
}

function isSips(uri: Uri): boolean {
  return uri.kind === 'sip' && uri.scheme === 'sips';
}

function randomInitialSeq(): number {
  // §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer and MUST be less
  // than 2**31." Half the range leaves room to count up.
  return 1 + Math.floor(Math.random() * (MAX_CSEQ / 2));
}

export class Dialog {
  readonly role: DialogRole;
  readonly id: DialogId;
  readonly key: string;
  /** Local URI (with display name) — From of our requests, without tag. */
  readonly local: FromTo;
  /** Remote URI — To of our requests, without tag. */
  readonly remote: FromTo;
  /** §12.1.1 / §12.1.2: set when the request went over TLS with a SIPS Request-URI. */
  readonly secure: boolean;
  readonly #router: DialogRouter;
  readonly #initialSeq: () => number;
  #state: DialogState;
  #remoteTarget: Uri;
  #routeSet: readonly NameAddr[];
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  readonly #stateChanges = new Emitter<{ from: DialogState; to: DialogState; cause: string }>();

  constructor(init: DialogInit) {
    this.role = init.role;
    this.id = init.id;
    this.key = dialogKey(init.id);
    this.local = withoutTag(init.local);
    this.remote = withoutTag(init.remote);
    this.secure = init.secure;
    this.#router = init.router;
    this.#initialSeq = init.initialSeq ?? randomInitialSeq;
    this.#state = init.state;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
  }

  /**
   * The UAC's dialog from a response with a To tag to its request (RFC 3261 §12.1.2): early for a 1xx,
   * confirmed for a 2xx. "The route set MUST be set to the list of URIs in the Record-Route header field
   * from the response, taken in reverse order and preserving all URI parameters. [...] The remote target
   * MUST be set to the URI from the Contact header field of the response. The local sequence number MUST
   * be set to the value of the sequence number in the CSeq header field of the request. The remote
   * sequence number MUST be empty [...]. The remote tag MUST be set to the value of the tag parameter in
   * the To header field of the response [...]. The local URI MUST be set to the URI in the From header
   * field, and the remote URI MUST be set to the URI in the To header field."
   */
  static fromUacResponse(
    request: SipRequest,
    response: SipResponse,
    options: { readonly router: DialogRouter; readonly overTls: boolean },
  ): DialogCreateResult {
    const status = response.status;
    if (status < 101 || status > 299) return { ok: false, reason: `a ${status} does not create a dialog` };
    const remoteTag = response.to.tag;
    if (remoteTag === undefined) return { ok: false, reason: 'the response has no To tag' };
    const localTag = request.from.tag;
    if (localTag === undefined) return { ok: false, reason: 'the request has no From tag' };
    const contact = contactUri(response);
    if (!contact.ok) return { ok: false, reason: contact.reason };
    // A 1xx may lack a Contact (the early dialog then targets the Request-URI until one arrives);
    // "the 2xx response [...] MUST contain a Contact header field" (§13.3.1.4).
    if (contact.uri === undefined && status >= 200) return { ok: false, reason: 'the 2xx has no Contact' };
    const rr = recordRoutes(response);
    if (!rr.ok) return { ok: false, reason: rr.reason };
    return {
      ok: true,
      dialog: new Dialog({
        role: 'uac',
        state: status >= 200 ? 'confirmed' : 'early',
        id: { callId: request.callId, localTag, remoteTag },
        local: request.from,
        remote: response.to,
        remoteTarget: contact.uri ?? request.uri,
        routeSet: [...rr.routes].reverse(),
        localSeq: request.cseq.seq,
        remoteSeq: undefined,
        // "If the request was sent over TLS, and the Request-URI contained a SIPS URI, the "secure" flag is
        // set to TRUE."
        secure: options.overTls && isSips(request.uri),
        router: options.router,
      }),
    };
  }

  /**
   * The UAS's dialog for a request it answers with `localTag` (RFC 3261 §12.1.1): early when the first
   * dialog-creating response is a 1xx, confirmed for a 2xx. "The route set MUST be set to the list of URIs
   * in the Record-Route header field from the request, taken in order and preserving all URI parameters.
   * [...] The remote target MUST be set to the URI from the Contact header field of the request. The remote
   * sequence number MUST be set to the value of the sequence number in the CSeq header field of the
   * request. The local sequence number MUST be empty."
   */
  static fromUasRequest(
    request: SipRequest,
    localTag: string,
    options: {
      readonly router: DialogRouter;
      readonly overTls: boolean;
      readonly state?: 'early' | 'confirmed';
      readonly initialSeq?: () => number;
    },
  ): DialogCreateResult {
    const contact = contactUri(request);
    if (!contact.ok) return { ok: false, reason: contact.reason };
    if (contact.uri === undefined) return { ok: false, reason: 'Bad Request (missing Contact)' };
    const rr = recordRoutes(request);
    if (!rr.ok) return { ok: false, reason: rr.reason };
    return {
      ok: true,
      dialog: new Dialog({
        role: 'uas',
        state: options.state ?? 'early',
        id: { callId: request.callId, localTag, remoteTag: request.from.tag },
        local: request.to,
        remote: request.from,
        remoteTarget: contact.uri,
        routeSet: rr.routes,
        localSeq: undefined,
        remoteSeq: request.cseq.seq,
        // "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the "secure" flag is
        // set to TRUE."
        secure: options.overTls && isSips(request.uri),
        router: options.router,
        ...(options.initialSeq !== undefined && { initialSeq: options.initialSeq }),
      }),
    };
  }

  get state(): DialogState {
    return this.#state;
  }

  get remoteTarget(): Uri {
    return this.#remoteTarget;
  }

  get routeSet(): readonly NameAddr[] {
    return this.#routeSet;
  }

  /** The CSeq number of our last request in the dialog (undefined before the first one, UAS). */
  get localSeq(): number | undefined {
    return this.#localSeq;
  }

  /** The CSeq number of the peer's last request (undefined before the first one, UAC). */
  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  onStateChange(
    listener: (change: { from: DialogState; to: DialogState; cause: string }) => void,
  ): Disposable {
    return this.#stateChanges.on(listener);
  }

  #transition(to: DialogState, cause: string): void {
    const from = this.#state;
    const legal =
      (from === 'early' && (to === 'confirmed' || to === 'terminated')) ||
      (from === 'confirmed' && to === 'terminated');
    if (!legal) throw new Error(`dialog ${this.id.callId}: illegal transition ${from} → ${to} (${cause})`);
    this.#state = to;
    this.#stateChanges.emit({ from, to, cause });
    if (to === 'terminated') this.#stateChanges.clear();
  }

  /**
   * The early dialog becomes confirmed on a 2xx. UAC (§13.2.2.4): "If the dialog identifier in the 2xx
   * response matches the dialog identifier of an existing dialog, the dialog MUST be transitioned to the
   * "confirmed" state, and the route set for the dialog MUST be recomputed based on the 2xx response using
   * the procedures of Section 12.2.1.2" — the Record-Route of the 2xx, reversed, and its Contact. UAS: pass
   * no response.
   */
  confirm(response?: SipResponse): DialogRequestVerdict {
    if (response !== undefined) {
      if (this.role !== 'uac') throw new Error('confirm(response) is for the UAC side');
      if (response.status < 200 || response.status > 299)
        throw new Error(`confirm with a ${response.status}`);
      const rr = recordRoutes(response);
      if (!rr.ok) return { ok: false, status: 400, reason: rr.reason };
      const contact = contactUri(response);
      if (!contact.ok) return { ok: false, status: 400, reason: contact.reason };
      this.#routeSet = [...rr.routes].reverse();
      if (contact.uri !== undefined) this.#remoteTarget = contact.uri;
    }
    if (this.#state === 'early') this.#transition('confirmed', 'final 2xx');
    return { ok: true };
  }

  /** End the dialog (BYE sent or received, non-2xx final for an early dialog, …). Idempotent. */
  terminate(cause = 'terminated'): void {
    if (this.#state !== 'terminated') this.#transition('terminated', cause);
  }

  /** Replace the remote target (RFC 6141 callers that defer the update to the 2xx). */
  setRemoteTarget(uri: Uri): void {
    this.#remoteTarget = uri;
  }

  /**
   * A request the peer sent in this dialog (UAS side, RFC 3261 §12.2.2). Checks CSeq order and applies a
   * target refresh. ACK and CANCEL carry the CSeq of the INVITE they belong to and are not checked.
   */
  receiveRequest(request: SipRequest): DialogRequestVerdict {
    if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true };
    const seq = request.cseq.seq;
    const remote = this.#remoteSeq;
    // "If the remote sequence number was not empty, but the sequence number of the request is lower than
    // the remote sequence number, the request is out of order and MUST be rejected with a 500 (Server
    // Internal Error) response." A new request repeating the last number breaks §12.2.1.1 ("MUST be
    // incremented by one"); retransmissions never get here (the transaction layer absorbs them).
    if (remote !== undefined && seq <= remote) {
      return {
        ok: false,
        status: 500,
        reason: `Server Internal Error (CSeq ${seq} out of order, last was ${remote})`,
      };
    }
    if (TARGET_REFRESH_METHODS.has(request.method)) {
      const contact = contactUri(request);
      if (!contact.ok) return { ok: false, status: 400, reason: contact.reason };
      // "When a UAS receives a target refresh request, it MUST replace the dialog's remote target URI
      // with the URI from the Contact header field in that request, if present."
      if (contact.uri !== undefined) this.#remoteTarget = contact.uri;
    }
    // "If the remote sequence number is empty, it MUST be set to the value of the sequence number in the
    // CSeq header field value in the request."
    this.#remoteSeq = seq;
    return { ok: true };
  }

  /**
   * A response to a request we sent in this dialog (UAC side). RFC 3261 §12.2.1.2: "When a UAC receives a
   * 2xx response to a target refresh request, it MUST replace the dialog's remote target URI with the URI
   * from the Contact header field in that response, if present."
   */
  receiveResponse(response: SipResponse): DialogRequestVerdict {
    const method = response.cseq.method;
    if (response.status >= 200 && response.status < 300 && TARGET_REFRESH_METHODS.has(method)) {
      const contact = contactUri(response);
      if (!contact.ok) return { ok: false, status: 400, reason: contact.reason };
      if (contact.uri !== undefined) this.#remoteTarget = contact.uri;
    }
    return { ok: true };
  }

  /**
   * A new request in the dialog (RFC 3261 §12.2.1.1): Request-URI and Route from the remote target and the
   * route set (loose or strict routing), To = remote URI + remote tag, From = local URI + local tag, the
   * Call-ID, and the local CSeq incremented — "Requests within a dialog MUST contain strictly monotonically
   * increasing and contiguous CSeq sequence numbers (increasing-by-one) in each direction". When the local
   * sequence number is empty, "an initial value MUST be chosen using the guidelines of Section 8.1.1.5".
   * For ACK use createAck, for CANCEL sip/transaction's createCancel.
   */
  createRequest(method: string, options: DialogRequestOptions = {}): DialogRequest {
    if (method === 'ACK' || method === 'CANCEL')
      throw new Error(`${method} is not built with createRequest (use createAck / createCancel)`);
    if (this.#state === 'terminated') throw new Error(`request ${method} in a terminated dialog`);
    const seq = this.#localSeq === undefined ? this.#initialSeq() : this.#localSeq + 1;
    if (seq > MAX_CSEQ) throw new Error('the dialog ran out of CSeq numbers');
    this.#localSeq = seq;
    return this.#build(method, seq, options);
  }

  /**
   * The ACK for a 2xx to an INVITE (RFC 3261 §13.2.2.4): "The header fields of the ACK are constructed in
   * the same way as for any request sent within a dialog (see Section 12) with the exception of the CSeq
   * and the header fields related to authentication. The sequence number of the CSeq header field MUST be
   * the same as the INVITE being acknowledged, but the CSeq method MUST be ACK." It gets its own branch
   * when sent (sip/transaction's sendStateless).
   */
  createAck(inviteSeq: number, options: DialogRequestOptions = {}): DialogRequest {
    if (this.#state === 'terminated') throw new Error('ACK in a terminated dialog');
    return this.#build('ACK', inviteSeq, options);
  }

  #build(method: string, seq: number, options: DialogRequestOptions): DialogRequest {
    const routing = this.#router(this.#remoteTarget, this.#routeSet);
    const request = createRequest({
      method,
      uri: routing.requestUri,
      from: { ...this.local, tag: this.id.localTag },
      // "If the value of the remote or local tags is null, the tag parameter MUST be omitted"
      to: this.id.remoteTag === undefined ? this.remote : { ...this.remote, tag: this.id.remoteTag },
      callId: this.id.callId,
      cseq: seq,
      route: routing.routes,
      ...(options.contact !== undefined && { contact: options.contact }),
      ...(options.headers !== undefined && { headers: options.headers }),
      ...(options.body !== undefined && { body: options.body }),
      ...(options.contentType !== undefined && { contentType: options.contentType }),
    });
    return { request, nextHop: routing.nextHop };
  }
}

/** A NameAddr for a bare URI (a remote target placed into Route by strict routing). */
export function nameAddrOf(uri: Uri): NameAddr {
  return { uri, params: NO_PARAMS };
}
