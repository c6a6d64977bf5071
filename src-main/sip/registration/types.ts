/**
 * The vocabulary of sip/registration: what it needs from the UA core (a port, so that this layer does not
 * depend on sip/ua — the UA core sits above it), what one account's registration is configured with, and
 * the SIP ALG observation handed to whoever judges it (src-main/nat).
 */
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import type { RegistrationSnapshot } from '../../../src-shared/model/account.ts';
import type { Clock, SocketAddress } from '../../platform/index.ts';
import type { DigestCredentials } from '../auth/index.ts';
import type { NameAddr, SipRequest, SipUri, Uri } from '../syntax/index.ts';
import type { OutgoingRequest, OutgoingRequestUser } from '../transaction/index.ts';
import type {
  FlowClosed,
  FlowKeepalive,
  KeepaliveOptions,
  SipFlow,
  SipLogger,
  SipTransport,
} from '../transport/index.ts';

/** The fields of an out-of-dialog request the UA core fills in (tag, Call-ID, Max-Forwards, User-Agent, Allow). */
export interface RegisterRequestSpec {
  readonly method: 'REGISTER';
  readonly uri: Uri;
  readonly from: {
    readonly uri: Uri;
    readonly displayName?: string;
    readonly tag?: string;
    readonly params: ReadonlyMap<string, string | null>;
  };
  readonly to: {
    readonly uri: Uri;
    readonly displayName?: string;
    readonly params: ReadonlyMap<string, string | null>;
  };
  readonly callId: string;
  readonly cseq: number;
  readonly headers?: Iterable<readonly [string, string]>;
}

/** How one REGISTER attempt is routed (a subset of sip/ua's SendRequestOptions). */
export interface RegisterSendOptions {
  readonly user?: OutgoingRequestUser;
  /** Send on this flow (a refresh on the binding's flow, RFC 5626 §4.2.1) instead of resolving. */
  readonly flow?: SipFlow;
  /** Resolve this URI (RFC 3263) instead of the Request-URI: an outbound proxy without `;lr`. */
  readonly nextHop?: Uri;
  /** A pre-existing route set: an outbound proxy with `;lr` (RFC 3261 §8.1.2). */
  readonly routeSet?: readonly NameAddr[];
  readonly useOutboundProxy?: boolean;
}

/**
 * What the registration needs from the UA core. `SipUserAgent` (sip/ua) fits as it is: the phone passes
 * its user agent; tests may pass the same or a fake.
 */
export interface RegistrarChannel {
  createRequest(spec: RegisterRequestSpec): SipRequest;
  sendRequest(request: SipRequest, options: RegisterSendOptions): OutgoingRequest;
  readonly transport: {
    onFlowFailed(listener: (event: FlowClosed) => void): Disposable;
    startKeepalive(flow: SipFlow, options?: KeepaliveOptions): FlowKeepalive;
  };
}

/** Keepalives on the binding's flow (RFC 5626 §4.4). */
export interface RegistrationKeepalive {
  /** Period in ms; 0 turns keepalives off. */
  readonly intervalMs: number;
  /**
   * UDP: 'stun' sends STUN Binding requests (they find dead flows and report our public mapping, but a
   * server that does not answer STUN makes the flow fail); 'crlf' sends CRLFCRLF datagrams (only keeps the
   * NAT binding open). 'auto' (default): STUN when the registrar confirmed outbound, else CRLF.
   */
  readonly udpMethod?: 'auto' | 'stun' | 'crlf';
}

/** RFC 5626 §4.5 flow recovery timing. */
export interface RetryPolicy {
  /** base-time (default 30 000 ms). */
  readonly baseMs?: number;
  /** max-time (default 1 800 000 ms). */
  readonly maxMs?: number;
}

export interface RegistrationConfig {
  /** The address-of-record: From and To of every REGISTER (RFC 3261 §10.2). */
  readonly aor: SipUri;
  readonly displayName?: string;
  /** The Request-URI: the registrar's domain, e.g. `sip:example.com` (§10.2: "no user part"). */
  readonly registrar: SipUri;
  /**
   * Where REGISTER goes first: an outbound proxy URI. With `;lr` it becomes a Route header (§8.1.2),
   * without it only the next hop. Absent: the registrar itself (resolved with RFC 3263).
   */
  readonly outboundProxy?: SipUri;
  /** Transport when the next hop's URI names none (default: what RFC 3263 finds). */
  readonly transport?: SipTransport;
  /** Digest credentials; absent = answer no challenge (a 401 then fails as `auth`). */
  readonly credentials?: DigestCredentials;
  /** Requested binding lifetime in seconds (the Expires we send). */
  readonly expiresSec: number;
  /** `urn:uuid:…`, stable per account across restarts (RFC 5626 §4.1; see instanceIdFor). */
  readonly instanceId: string;
  /** Ask for RFC 5626 outbound: `reg-id` and `;ob` in Contact, `Supported: outbound, path`. */
  readonly outbound?: boolean;
  /** reg-id (default 1). */
  readonly regId?: number;
  /** Rewrite Contact to the public address the registrar reports (default true; never with outbound). */
  readonly natRewrite?: boolean;
  readonly keepalive?: RegistrationKeepalive;
  readonly retry?: RetryPolicy;
}

/** What we sent and what the registrar echoed in its 2xx: the input of SIP ALG detection (src-main/nat). */
export interface RegisterEcho {
  readonly sent: { readonly via: HostPort; readonly contact: HostPort };
  readonly echoed: {
    readonly via: HostPort & { readonly received?: string; readonly rport?: number };
    readonly contacts: HostPort[];
    readonly ownContactIndex?: number;
  };
  readonly localAddresses: readonly string[];
  readonly publicAddress: { readonly address: string; readonly port: number } | null;
}

export interface HostPort {
  readonly host: string;
  readonly port: number | undefined;
}

export interface RegistrationRefresherOptions {
  readonly clock: Clock;
  readonly channel: RegistrarChannel;
  readonly config: RegistrationConfig;
  /** Jitter source in [0, 1) for the retry delay (default Math.random). */
  readonly random?: () => number;
  readonly log?: SipLogger;
  /** Name used in log lines (the account id). */
  readonly name?: string;
  /** Our interface addresses (for SIP ALG detection). */
  readonly localAddresses?: () => readonly string[];
  /** Judges a REGISTER echo (src-main/nat's detectSipAlg); absent: sipAlg stays 'unknown'. */
  readonly detectSipAlg?: (echo: RegisterEcho) => SipAlgStatusValue;
  /** cnonce bytes for digest (tests). */
  readonly randomBytes?: (size: number) => Uint8Array;
}

export type { SocketAddress };

/** The SIP ALG verdict as the snapshot carries it. */
export type SipAlgStatusValue = RegistrationSnapshot['sipAlg'];
