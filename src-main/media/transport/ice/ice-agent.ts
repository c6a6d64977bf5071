/**
 * `IceAgent`: a full ICE agent (RFC 8445) for the phone's one audio stream — 1 component with rtcp-mux,
 * 2 without — on the call's own media sockets, with consent freshness (RFC 7675).
 *
 *   new ──gather()──▶ gathering ──▶ gathered ──remote known──▶ checking ──a pair selected for──▶ connected
 *                     (§5.1.1)         ▲                  (§6.1.2)  │        every component (§8.1.2)   │
 *                                      │                            │                                    │ no consent
 *                                      │                            ▼ every pair failed (§7.2.5.4)       ▼ for 30 s
 *                                      │                         failed  or the overall timeout     disconnected
 *                                      │                                                             (RFC 7675)
 *                                      └──── restart() (§9), from checking, connected or disconnected
 *   close() from any state ──▶ closed (every TURN allocation released, subscriptions dropped)
 *
 * The agent never owns I/O beyond what it is given: the RTP (and RTCP) `MediaSocket`, whose STUN hook it
 * subscribes to, and the `Network` for TURN over TCP/TLS. Time comes from the Clock. Timers belong to
 * states: gathering's deadline, checking's Ta pacer, check retransmissions, nomination delays and overall
 * timeout, connected's consent requests and expiry — entering a state arms them, leaving it cancels them.
 * (TURN refreshes belong to the relays' own `allocated` state.)
 *
 * Decisions:
 *  - Roles (§6.1.1): the offerer is controlling; when the peer is lite we are controlling, whoever
 *    offered. Conflicts are repaired with the tie-breaker (§7.3.1.1, §7.2.5.1).
 *  - Nomination: regular (§8.1.1) as controlling. The stopping criterion: the best valid pair of a
 *    component is nominated as soon as no pair of higher priority is still waiting or in progress, or
 *    `nominationDelayMs` after the component's first valid pair — host pairs towards a private address
 *    behind a NAT would otherwise hold the call for their whole retransmission schedule. As controlled we
 *    accept regular and aggressive nomination (RFC 5245 peers put USE-CANDIDATE on every check) and use
 *    the highest-priority nominated pair.
 *  - Check RTO (§14.3 lets agents choose, never under 500 ms): RFC 5245 §16.2's
 *    MAX(500 ms, Ta × (Num-Waiting + Num-In-Progress)), counted when the check starts, then RFC 5389
 *    doubling: with Rc 7 / Rm 16 the sends go at 0, RTO, 3·RTO, 7·RTO … and the check fails at 79·RTO
 *    unless the overall timeout ends checking first.
 *  - Security: a request is answered with success only when it carries FINGERPRINT, PRIORITY, USERNAME
 *    "<our ufrag>:<their ufrag>" and a MESSAGE-INTEGRITY made with our password (RFC 8445 §7.3, RFC 5389
 *    §10.1.2); otherwise 400/401 and nothing else — no peer-reflexive candidate, no triggered check.
 *    Responses to our checks must verify with the peer's password and come from where the check went
 *    (§7.2.5.2.1). Media is accepted only from the selected (or another nominated) pair's remote, through
 *    the same base (see IceMediaPath).
 *  - The relay-only policy signals and pairs only relayed candidates and leaves checks that arrive
 *    directly on the socket unanswered.
 *  - Consent (RFC 7675 §5.1): a Binding request on each selected pair every 5 s × [0.8, 1.2), each sent
 *    once; consent expires 30 s after the last authenticated response: `onConsentLost`, media stops
 *    (§5.1: "MUST cease transmission"), state `disconnected`. The checks also keep NAT bindings open
 *    while the call is on hold.
 *  - Restart (§9): new ufrag/pwd, candidates kept; media stays on the old selected pairs until new ones
 *    are selected.
 */
import { Emitter } from '../../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../../src-shared/util/emitter.ts';
import { formatAddress, sameAddress } from '../../../platform/index.ts';
import type { Clock, Network, SocketAddress, Timer } from '../../../platform/index.ts';
import {
  StunMethod,
  checkShortTermRequest,
  bindingSuccess,
  classifyPacket,
  decodeStunMessage,
  encodeStunMessage,
  errorResponse,
  iceCheckAttributes,
  newTransactionId,
  reflexiveAddressOf,
  retransmitSchedule,
  shortTermKey,
  transactionKey,
  verifyMessageIntegrity,
} from '../../stun/index.ts';
import type {
  DecodedStunMessage,
  RetransmitSchedule,
  StunMessage,
  TurnRelay,
  TurnServerConfig,
} from '../../stun/index.ts';
import type { MediaPacketKind } from '../media-path.ts';
import type { MediaSocket } from '../media-socket.ts';
import { candidateFoundation, candidatePriority, describeCandidate } from './candidate.ts';
import type { IceCandidate, IceCandidateType, IceComponent, IceRole, TurnTransport } from './candidate.ts';
import { CandidatePair, comparePairs, sameBase } from './candidate-pair.ts';
import type { CandidateBase, LocalCandidate, RemoteCandidate } from './candidate-pair.ts';
import { CandidateGatherer } from './candidate-gatherer.ts';
import type { GatherServerReport, IceCandidatePolicy } from './candidate-gatherer.ts';
import { CheckList, DEFAULT_MAX_PAIRS, formPairs, pairable } from './check-list.ts';
import { ComponentTransport } from './component-transport.ts';
import {
  defaultRandomBytes,
  generateCredentials,
  generateTieBreaker,
  randomFraction,
  silentIceLogger,
} from './credentials.ts';
import type { IceCredentials, IceLogger, RandomBytes } from './credentials.ts';

export type IceAgentState =
  'new' | 'gathering' | 'gathered' | 'checking' | 'connected' | 'disconnected' | 'failed' | 'closed';

const MOVES: Readonly<Record<IceAgentState, readonly IceAgentState[]>> = {
  new: ['gathering', 'closed'],
  gathering: ['gathered', 'closed'],
  gathered: ['checking', 'closed'],
  checking: ['connected', 'failed', 'gathered', 'closed'],
  connected: ['disconnected', 'gathered', 'closed'],
  disconnected: ['gathered', 'closed'],
  failed: ['closed'],
  closed: [],
};

export const ICE_DEFAULTS = {
  /** RFC 8445 §14.2: "ICE agents SHOULD use a default Ta value, 50 ms". */
  taMs: 50,
  gatheringTimeoutMs: 5000,
  /** Overall time for connectivity checks, from the first check to every component selected. */
  checkingTimeoutMs: 15_000,
  nominationDelayMs: 1000,
  /** RFC 8445 §14.3: "ICE agents MUST NOT use an RTO value smaller than 500 ms". */
  minRtoMs: 500,
  /** RFC 5389 §7.2.1: Rc and Rm. */
  checkMaxSends: 7,
  checkFinalWaitFactor: 16,
  /** RFC 7675 §5.1: "… a default of 5 seconds", and the 30 s consent timeout. */
  consentIntervalMs: 5000,
  consentTimeoutMs: 30_000,
  maxPairs: DEFAULT_MAX_PAIRS,
} as const;

export interface IceAgentOptions {
  clock: Clock;
  /** Interfaces for host candidates; connections to TURN servers over TCP/TLS. */
  network: Network;
  /** Component 1. */
  rtpSocket: MediaSocket;
  /** Component 2; absent with rtcp-mux. */
  rtcpSocket?: MediaSocket | undefined;
  /** Our initial role: the offerer is controlling (§6.1.1). */
  role: IceRole;
  /** `relay-only` when the NAT verdict says a relay is required (e.g. behind a symmetric NAT). */
  policy?: IceCandidatePolicy;
  stunServers?: readonly SocketAddress[];
  turnServers?: readonly TurnServerConfig[];
  taMs?: number;
  gatheringTimeoutMs?: number;
  checkingTimeoutMs?: number;
  nominationDelayMs?: number;
  /** Regular (default, RFC 8445) or aggressive (RFC 5245 §8.1.1.2; for tests and old peers). */
  nomination?: 'regular' | 'aggressive';
  checkMaxSends?: number;
  checkFinalWaitFactor?: number;
  consentIntervalMs?: number;
  consentTimeoutMs?: number;
  maxPairs?: number;
  /** Host candidates from loopback addresses (tests, loopback interop). Default false. */
  includeLoopback?: boolean;
  /** Host candidates from IPv6 link-local addresses. Default false. */
  includeLinkLocal?: boolean;
  turnLifetimeS?: number;
  /** Fixed credentials and tie-breaker (tests); default random. */
  credentials?: IceCredentials;
  tieBreaker?: bigint;
  randomBytes?: RandomBytes;
  /** Uniform in [0, 1), for the consent jitter; default from `randomBytes`. */
  random?: () => number;
  newTransactionId?: () => Buffer;
  log?: IceLogger;
}

/** The peer's ICE parameters for the stream (from its SDP; see call/ice-sdp.ts). */
export interface IceRemoteDescription {
  readonly ufrag: string;
  readonly pwd: string;
  /** `a=ice-lite` (RFC 8839 §5.3). */
  readonly lite: boolean;
  readonly candidates: readonly IceCandidate[];
  /**
   * `a=end-of-candidates` or a description without trickle (always complete then). When false, the
   * checklist is not declared failed while pairs run out — only the overall timeout ends it.
   */
  readonly endOfCandidates?: boolean;
}

export interface IceEndpointInfo {
  readonly type: IceCandidateType;
  readonly address: SocketAddress;
  readonly protocol: 'udp';
}

export interface IceLocalEndpointInfo extends IceEndpointInfo {
  /** How the TURN server is reached, for a relayed candidate. */
  readonly relayTransport?: TurnTransport | undefined;
  readonly relayServer?: SocketAddress | undefined;
}

export interface IceSelectedPair {
  readonly component: IceComponent;
  readonly local: IceLocalEndpointInfo;
  readonly remote: IceEndpointInfo;
  /** Media goes through a TURN relay: ours (local relayed candidate) or the peer's. */
  readonly relayed: boolean;
  readonly rttMs: number | undefined;
}

export interface IceCheckCounters {
  /** Connectivity-check transactions started (retransmissions not counted). */
  readonly sent: number;
  readonly retransmissions: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Authentic requests from the peer that we answered with success. */
  readonly answered: number;
  /** Requests refused (400/401/420/487) or ignored (relay-only policy). */
  readonly refused: number;
  readonly roleConflicts: number;
  readonly consentSent: number;
  readonly consentAnswered: number;
}

/** Why checking ended in `failed`. */
export type IceFailure =
  /** No local and remote candidates of one component and family to pair. */
  | { readonly kind: 'no-pairs' }
  /** Every pair of a component failed and the peer's candidate list was complete (§7.2.5.4). */
  | { readonly kind: 'pairs-failed'; readonly component: IceComponent }
  /** No pair selected for every component within the overall timeout. */
  | { readonly kind: 'timeout'; readonly afterMs: number };

export interface IceSnapshot {
  readonly state: IceAgentState;
  readonly role: IceRole;
  /** ICE restarts so far. */
  readonly generation: number;
  readonly policy: IceCandidatePolicy;
  /** Where media goes: directly, through a TURN relay, or nowhere yet. */
  readonly path: 'direct' | 'relayed' | 'none';
  readonly selected: readonly IceSelectedPair[];
  readonly localCandidates: number;
  readonly remoteCandidates: number;
  readonly pairs: {
    readonly total: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly valid: number;
  };
  readonly checks: IceCheckCounters;
  readonly servers: readonly GatherServerReport[];
  readonly timings: { readonly gatheringMs: number | undefined; readonly connectMs: number | undefined };
  readonly remoteLite: boolean;
  /** Set once the agent failed. */
  readonly failure: IceFailure | undefined;
}

export interface IceStateChange {
  readonly from: IceAgentState;
  readonly to: IceAgentState;
  readonly cause: string;
}

/** Relayed RTP/RTCP for the media path, with the peer that sent it. */
export interface RelayedMediaPacket {
  readonly component: IceComponent;
  readonly relay: TurnRelay;
  readonly kind: MediaPacketKind;
  readonly data: Buffer;
  readonly from: SocketAddress;
}

export type MediaSendResult = 'sent' | 'no-route' | 'no-consent';

interface OutstandingCheck {
  readonly key: string;
  readonly kind: 'check' | 'consent';
  readonly pair: CandidatePair;
  readonly nominate: boolean;
  readonly role: IceRole;
  /** The PRIORITY we sent: a peer-reflexive local candidate learned from the response gets it (§7.2.5.3.1). */
  readonly priority: number;
  readonly bytes: Buffer;
  readonly integrityKey: Buffer;
  readonly sentAt: number;
  readonly schedule: RetransmitSchedule;
  sends: number;
  /** False once cancelled by a triggered check (§7.3.1.4): no more sends, no failure on timeout. */
  retransmitting: boolean;
  timer: Timer | undefined;
}

interface EarlyCheck {
  readonly base: CandidateBase;
  readonly from: SocketAddress;
  readonly priority: number;
  readonly useCandidate: boolean;
  readonly remoteUfrag: string;
}

interface MediaSelection {
  readonly pair: CandidatePair;
  consent: boolean;
}

const EARLY_CHECK_LIMIT = 32;

export class IceAgent {
  readonly tieBreaker: bigint;
  private readonly clock: Clock;
  private readonly options: IceAgentOptions;
  private readonly log: IceLogger;
  private readonly randomBytes: RandomBytes;
  private readonly random: () => number;
  private readonly nextTransactionId: () => Buffer;
  private readonly policy: IceCandidatePolicy;
  private readonly taMs: number;
  private readonly transports: ComponentTransport[];
  private readonly socketBases: Map<ComponentTransport, CandidateBase> = new Map();

  private current: IceAgentState = 'new';
  private currentRole: IceRole;
  private gen = 0;
  private local: IceCredentials;
  private localKey: Buffer;
  private remote: IceRemoteDescription | undefined;
  private remoteKey: Buffer | undefined;

  private readonly locals: LocalCandidate[] = [];
  private readonly remotes: RemoteCandidate[] = [];
  private relays: TurnRelay[] = [];
  private serverReports: GatherServerReport[] = [];
  private gatherer: CandidateGatherer | undefined;
  private gathering: Promise<readonly IceCandidate[]> | undefined;
  private checklist: CheckList | undefined;
  private readonly extraValid: CandidatePair[] = [];
  private early: EarlyCheck[] = [];
  private readonly selected = new Map<IceComponent, CandidatePair>();
  private readonly media = new Map<IceComponent, MediaSelection>();
  private readonly nominating = new Map<IceComponent, CandidatePair>();
  private readonly firstValidAt = new Map<IceComponent, number>();
  private readonly nominationTimers = new Map<IceComponent, Timer>();
  private readonly consentExpiry = new Map<IceComponent, Timer>();
  private readonly lastConsentAt = new Map<IceComponent, number>();
  private readonly pending = new Map<string, OutstandingCheck>();
  private readonly stateTimers = new Set<Timer>();
  private pacer: Timer | undefined;
  private lastPacedAt: number | undefined;
  private nextId = 1;
  private releases: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private gatheringMs: number | undefined;
  private checkingStartedAt: number | undefined;
  private connectMs: number | undefined;
  private failure: IceFailure | undefined;
  private readonly counters = {
    sent: 0,
    retransmissions: 0,
    succeeded: 0,
    failed: 0,
    answered: 0,
    refused: 0,
    roleConflicts: 0,
    consentSent: 0,
    consentAnswered: 0,
  };

  private readonly stateChanges = new Emitter<IceStateChange>();
  private readonly selections = new Emitter<IceSelectedPair>();
  private readonly consentLosses = new Emitter<IceComponent>();
  private readonly routeChanges = new Emitter<IceComponent>();
  private readonly relayedMedia = new Emitter<RelayedMediaPacket>();

  constructor(options: IceAgentOptions) {
    this.options = options;
    this.clock = options.clock;
    this.log = options.log ?? silentIceLogger;
    this.randomBytes = options.randomBytes ?? defaultRandomBytes;
    this.random = options.random ?? (() => randomFraction(this.randomBytes));
    this.nextTransactionId = options.newTransactionId ?? newTransactionId;
    this.policy = options.policy ?? 'all';
    this.taMs = options.taMs ?? ICE_DEFAULTS.taMs;
    if (!(this.taMs > 0)) throw new RangeError(`Ta must be > 0 ms, got ${this.taMs}`);
    this.currentRole = options.role;
    this.local = options.credentials ?? generateCredentials(this.randomBytes);
    this.localKey = shortTermKey(this.local.pwd);
    this.tieBreaker = options.tieBreaker ?? generateTieBreaker(this.randomBytes);

    const sockets: [IceComponent, MediaSocket][] = [[1, options.rtpSocket]];
    if (options.rtcpSocket !== undefined) sockets.push([2, options.rtcpSocket]);
    this.transports = sockets.map(([component, socket]) => {
      const transport: ComponentTransport = new ComponentTransport({
        component,
        socket,
        clock: this.clock,
        newTransactionId: this.nextTransactionId,
        onRequest: (message, from) => this.receiveRequest(this.baseOf(transport), message, from),
        onResponse: (message, from) => this.receiveResponse(this.baseOf(transport), message, from),
      });
      this.socketBases.set(transport, { kind: 'socket', component, transport });
      return transport;
    });
  }

  // ───────────────────────────── public surface ─────────────────────────────

  get state(): IceAgentState {
    return this.current;
  }

  get role(): IceRole {
    return this.currentRole;
  }

  /** Our ice-ufrag / ice-pwd for the SDP (new ones after a restart). */
  get credentials(): IceCredentials {
    return this.local;
  }

  get generation(): number {
    return this.gen;
  }

  get components(): readonly IceComponent[] {
    return this.transports.map((t) => t.component);
  }

  /** The candidates to signal (host, srflx, relay), by component then priority. */
  get localCandidates(): readonly IceCandidate[] {
    return this.locals.filter((c) => c.type !== 'prflx').map(toSignalled);
  }

  /** The remote candidates known, those learned from checks included. */
  get remoteCandidates(): readonly IceCandidate[] {
    return this.remotes.map(toSignalled);
  }

  get remoteDescription(): IceRemoteDescription | undefined {
    return this.remote;
  }

  onStateChange(listener: (change: IceStateChange) => void): Disposable {
    return this.stateChanges.on(listener);
  }

  /** A component's selected pair was decided (or changed). */
  onSelectedPair(listener: (pair: IceSelectedPair) => void): Disposable {
    return this.selections.on(listener);
  }

  /** RFC 7675: no consent for 30 s on a component's selected pair. The call ends or restarts ICE. */
  onConsentLost(listener: (component: IceComponent) => void): Disposable {
    return this.consentLosses.on(listener);
  }

  /** Gather our candidates (§5.1.1). Resolves with them once gathering is over. */
  gather(): Promise<readonly IceCandidate[]> {
    if (this.gathering !== undefined) return this.gathering;
    this.moveTo('gathering', 'gather');
    this.gathering = this.runGathering();
    return this.gathering;
  }

  /**
   * The peer's parameters (§6.1.2). Checks start once our gathering is over. With the same ufrag/pwd as
   * before (a re-offer without restart), new candidates join the running checklist.
   */
  setRemote(description: IceRemoteDescription): void {
    if (this.current === 'closed' || this.current === 'failed')
      throw new Error(`IceAgent.setRemote in state ${this.current}`);
    const previous = this.remote;
    if (
      previous !== undefined &&
      (previous.ufrag !== description.ufrag || previous.pwd !== description.pwd)
    ) {
      throw new Error('the peer changed its ICE credentials: call restart() before setRemote()');
    }
    this.remote = description;
    this.remoteKey = shortTermKey(description.pwd);
    // §6.1.1: "If one agent is a lite implementation and the other is a full … the full agent MUST take
    // the controlling role".
    if (description.lite && this.currentRole !== 'controlling')
      this.switchRole('controlling', 'the peer is ICE-lite');
    const added = this.addRemoteCandidates(description.candidates);
    this.log(
      'info',
      `ICE: remote ${description.lite ? 'lite ' : ''}${description.ufrag}, ${added.length} candidate(s)`,
    );
    if (this.current === 'gathered') {
      this.moveTo('checking', 'remote description');
      return;
    }
    if (this.current === 'checking' && previous !== undefined) this.pairNewRemotes(added);
  }

  /**
   * ICE restart (§9): new credentials, a new checklist once the peer's new parameters come (setRemote).
   * Media keeps flowing on the old selected pairs until new ones are selected.
   */
  restart(options: { role?: IceRole } = {}): IceCredentials {
    if (this.current !== 'checking' && this.current !== 'connected' && this.current !== 'disconnected') {
      throw new Error(`IceAgent.restart in state ${this.current}`);
    }
    this.gen++;
    this.local = generateCredentials(this.randomBytes);
    this.localKey = shortTermKey(this.local.pwd);
    this.remote = undefined;
    this.remoteKey = undefined;
    this.checklist = undefined;
    this.extraValid.length = 0;
    this.early = [];
    this.selected.clear();
    this.nominating.clear();
    this.firstValidAt.clear();
    this.remotes.length = 0;
    // Peer-reflexive local candidates belong to the old checks; the gathered ones stay.
    this.locals.splice(0, this.locals.length, ...this.locals.filter((c) => c.type !== 'prflx'));
    if (options.role !== undefined && options.role !== this.currentRole)
      this.switchRole(options.role, 'restart');
    this.checkingStartedAt = undefined;
    this.connectMs = undefined;
    this.moveTo('gathered', `ICE restart (generation ${this.gen})`);
    return this.local;
  }

  /** The selected pair of a component in this generation. */
  selectedPair(component: IceComponent): IceSelectedPair | undefined {
    const pair = this.selected.get(component);
    return pair === undefined ? undefined : this.describePair(pair);
  }

  snapshot(): IceSnapshot {
    const selected = this.transports
      .map((t) => this.media.get(t.component)?.pair)
      .filter((p): p is CandidatePair => p !== undefined)
      .map((p) => this.describePair(p));
    const pairs = this.checklist?.pairs ?? [];
    return {
      state: this.current,
      role: this.currentRole,
      generation: this.gen,
      policy: this.policy,
      path: selected.length === 0 ? 'none' : selected.some((s) => s.relayed) ? 'relayed' : 'direct',
      selected,
      localCandidates: this.locals.filter((c) => c.type !== 'prflx').length,
      remoteCandidates: this.remotes.length,
      pairs: {
        total: pairs.length,
        succeeded: pairs.filter((p) => p.state === 'succeeded').length,
        failed: pairs.filter((p) => p.state === 'failed').length,
        valid: this.checklist?.valid.length ?? 0,
      },
      checks: { ...this.counters },
      servers: [...this.serverReports],
      timings: { gatheringMs: this.gatheringMs, connectMs: this.connectMs },
      remoteLite: this.remote?.lite ?? false,
      failure: this.failure,
    };
  }

  /** Timers the agent holds now (relays' refresh timers included), for leak checks. */
  get pendingTimers(): number {
    return this.stateTimers.size + this.relays.reduce((sum, r) => sum + r.pendingTimers, 0);
  }

  /** End the session: cancel everything, release TURN allocations, drop subscriptions. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.gatherer?.cancel();
    if (this.current !== 'closed') this.moveTo('closed', 'close');
    this.closing = (async () => {
      await this.gathering?.catch(() => []);
      await Promise.all(this.relays.map((r) => r.release()));
      await this.releases;
      for (const transport of this.transports) transport.dispose();
      this.stateChanges.clear();
      this.selections.clear();
      this.consentLosses.clear();
      this.routeChanges.clear();
      this.relayedMedia.clear();
    })();
    return this.closing;
  }

  // ───────────────────────────── for IceMediaPath ─────────────────────────────

  /** The socket of a component. */
  socketOf(component: IceComponent): MediaSocket | undefined {
    return this.transports.find((t) => t.component === component)?.socket;
  }

  /** The pair media uses on a component now: the selected one (of this or, during a restart, the last generation). */
  mediaPair(component: IceComponent): IceSelectedPair | undefined {
    const pair = this.mediaCandidatePair(component);
    return pair === undefined ? undefined : this.describePair(pair);
  }

  /** Whether a pair was selected for media on the component (in this generation or, during a restart, the last). */
  hasMediaSelection(component: IceComponent): boolean {
    return this.media.has(component);
  }

  /** Send media on a component's pair (directly or through the relay). */
  sendMedia(component: IceComponent, data: Uint8Array): MediaSendResult {
    if (this.current === 'failed' || this.current === 'closed') return 'no-consent';
    const selection = this.media.get(component);
    if (selection !== undefined && !selection.consent) return 'no-consent';
    const pair = this.mediaCandidatePair(component);
    if (pair === undefined) return 'no-route';
    this.sendOn(pair.local.base, data, pair.remote.address);
    return 'sent';
  }

  /**
   * Whether media from `from`, arriving on the component's socket (`relay` undefined) or through `relay`,
   * may be accepted: it must come from the remote of the media pair through its base, or of another
   * pair the controlling agent nominated (an RFC 5245 peer with aggressive nomination may use one).
   */
  acceptsMedia(component: IceComponent, relay: TurnRelay | undefined, from: SocketAddress): boolean {
    if (this.current === 'closed') return false;
    const matches = (pair: CandidatePair): boolean =>
      sameAddress(pair.remote.address, from) &&
      (relay === undefined
        ? pair.local.base.kind === 'socket'
        : pair.local.base.kind === 'relay' && pair.local.base.relay === relay);
    const active = this.mediaCandidatePair(component);
    if (active !== undefined && matches(active)) return true;
    const valid = [...(this.checklist?.valid ?? []), ...this.extraValid];
    return valid.some((p) => p.component === component && p.nominated && matches(p));
  }

  /**
   * The TURN allocation behind the component's highest-priority relayed candidate — the default candidate
   * a relay-only description names in c=/m= (call/ice-sdp.ts) — while it is allocated; undefined without
   * one. For plain RTP through the relay when the peer does not do ICE (RelayedMediaPath). The agent keeps
   * owning it: it is released when the agent closes, so the agent must stay open while the path is used.
   */
  defaultRelay(component: IceComponent): TurnRelay | undefined {
    const best = this.locals
      .filter((c) => c.component === component && c.type === 'relay')
      .sort((a, b) => b.priority - a.priority)[0];
    const base = best?.base;
    return base?.kind === 'relay' && base.relay.state === 'allocated' ? base.relay : undefined;
  }

  /** Relayed RTP/RTCP (the peer's address is known from the TURN Data/ChannelData). */
  onRelayedMedia(listener: (packet: RelayedMediaPacket) => void): Disposable {
    return this.relayedMedia.on(listener);
  }

  /** The media pair of a component changed. */
  onMediaRouteChange(listener: (component: IceComponent) => void): Disposable {
    return this.routeChanges.on(listener);
  }

  // ───────────────────────────── state machine ─────────────────────────────

  /** The one transition function: table-checked and logged; leaving a state cancels everything it armed. */
  private moveTo(next: IceAgentState, cause: string): void {
    const from = this.current;
    if (!MOVES[from].includes(next)) throw new Error(`IceAgent: illegal move ${from} → ${next} (${cause})`);
    for (const timer of this.stateTimers) timer.cancel();
    this.stateTimers.clear();
    this.pacer = undefined;
    this.nominationTimers.clear();
    this.consentExpiry.clear();
    this.pending.clear();
    this.current = next;
    this.log('info', `ICE: ${from} → ${next} (${cause})`);
    this.stateChanges.emit({ from, to: next, cause });
    if (this.current === next) this.enter(next);
  }

  /** Entry actions. */
  private enter(state: IceAgentState): void {
    switch (state) {
      case 'checking':
        this.beginChecks();
        return;
      case 'connected':
        this.connectMs = this.clock.monotonic() - (this.checkingStartedAt ?? this.clock.monotonic());
        this.startConsent();
        this.retainRelayPeers();
        return;
      case 'failed':
        for (const selection of this.media.values()) selection.consent = false;
        this.releaseRelays();
        return;
      case 'disconnected':
        for (const selection of this.media.values()) selection.consent = false;
        return;
      case 'new':
      case 'gathering':
      case 'gathered':
      case 'closed':
        return;
    }
  }

  private fail(failure: IceFailure, cause: string): void {
    this.failure = failure;
    this.moveTo('failed', cause);
  }

  /** The state now (read after an await or a nested transition, where the compiler's narrowing is stale). */
  private isIn(state: IceAgentState): boolean {
    return this.current === state;
  }

  /** Arm a timer that belongs to the current state. */
  private stateTimer(ms: number, fire: () => void): Timer {
    const owner = this.current;
    const timer = this.clock.setTimer(ms, () => {
      this.stateTimers.delete(timer);
      if (this.current !== owner) throw new Error(`IceAgent: timer of ${owner} fired in ${this.current}`);
      fire();
    });
    this.stateTimers.add(timer);
    return timer;
  }

  private cancelTimer(timer: Timer | undefined): void {
    if (timer === undefined) return;
    timer.cancel();
    this.stateTimers.delete(timer);
  }

  private switchRole(role: IceRole, cause: string): void {
    if (role === this.currentRole) return;
    this.log('info', `ICE: role ${this.currentRole} → ${role} (${cause})`);
    this.currentRole = role;
    this.checklist?.reprioritize(role, this.extraValid);
    for (const pair of this.extraValid) pair.updatePriority(role);
    for (const timer of this.nominationTimers.values()) this.cancelTimer(timer);
    this.nominationTimers.clear();
    this.nominating.clear();
  }

  // ───────────────────────────── gathering ─────────────────────────────

  private async runGathering(): Promise<readonly IceCandidate[]> {
    const gatherer = new CandidateGatherer({
      clock: this.clock,
      network: this.options.network,
      transports: this.transports,
      stunServers: this.options.stunServers ?? [],
      turnServers: this.options.turnServers ?? [],
      policy: this.policy,
      taMs: this.taMs,
      timeoutMs: this.options.gatheringTimeoutMs ?? ICE_DEFAULTS.gatheringTimeoutMs,
      includeLoopback: this.options.includeLoopback ?? false,
      includeLinkLocal: this.options.includeLinkLocal ?? false,
      ...(this.options.turnLifetimeS !== undefined ? { turnLifetimeS: this.options.turnLifetimeS } : {}),
      nextId: () => this.nextId++,
      log: this.log,
      newTransactionId: this.nextTransactionId,
    });
    this.gatherer = gatherer;
    const result = await gatherer.run();
    this.gatherer = undefined;
    this.relays = [...result.relays];
    this.serverReports = [...result.servers];
    if (this.current !== 'gathering') {
      this.releaseRelays();
      return [];
    }
    this.locals.push(...result.candidates);
    for (const candidate of result.candidates) {
      const base = candidate.base;
      if (base.kind !== 'relay') continue;
      base.relay.onData((data, peer) => this.receiveRelayed(base, data, peer));
      base.relay.onFailure((reason) =>
        this.log('warn', `ICE: relay ${describeCandidate(candidate)} lost (${reason})`),
      );
    }
    this.gatheringMs = result.durationMs;
    this.moveTo('gathered', `${result.candidates.length} candidate(s) in ${result.durationMs} ms`);
    if (this.isIn('gathered') && this.remote !== undefined)
      this.moveTo('checking', 'remote description known');
    return this.localCandidates;
  }

  private releaseRelays(): void {
    const relays = this.relays;
    this.releases = Promise.all([this.releases, ...relays.map((r) => r.release())]).then(() => undefined);
  }

  // ───────────────────────────── candidates ─────────────────────────────

  private addRemoteCandidates(candidates: readonly IceCandidate[]): RemoteCandidate[] {
    const added: RemoteCandidate[] = [];
    for (const c of candidates) {
      if (!this.transports.some((t) => t.component === c.component)) continue;
      if (c.address.port <= 0) continue;
      if (this.remotes.some((r) => r.component === c.component && sameAddress(r.address, c.address)))
        continue;
      const remote: RemoteCandidate = { ...toSignalled(c), id: this.nextId++, learned: false };
      this.remotes.push(remote);
      added.push(remote);
    }
    return added;
  }

  /** The host candidate a srflx candidate's base stands for (§6.1.2.4). */
  private baseCandidateOf(candidate: LocalCandidate): LocalCandidate {
    return (
      this.locals.find(
        (c) =>
          c.type === 'host' &&
          sameBase(c.base, candidate.base) &&
          c.address.family === candidate.address.family,
      ) ?? candidate
    );
  }

  private baseOf(transport: ComponentTransport): CandidateBase {
    return this.socketBases.get(transport) as CandidateBase;
  }

  /** The local candidate a request arrived at (§7.3.1.4: the candidate whose address received it: its base). */
  private localForRequest(base: CandidateBase, from: SocketAddress): LocalCandidate | undefined {
    if (base.kind === 'relay') return this.locals.find((c) => c.base === base);
    const candidates = this.locals.filter(
      (c) => c.type === 'host' && sameBase(c.base, base) && c.address.family === from.family,
    );
    const paired = this.checklist?.pairs.find(
      (p) => candidates.includes(p.local) && sameAddress(p.remote.address, from),
    );
    return paired?.local ?? candidates[0];
  }

  // ───────────────────────────── checks: the checklist ─────────────────────────────

  private beginChecks(): void {
    this.checkingStartedAt = this.clock.monotonic();
    const checklist = new CheckList();
    this.checklist = checklist;
    const locals = this.locals.filter((c) => (this.policy === 'relay-only' ? c.type === 'relay' : true));
    const pairs = formPairs(
      locals,
      this.remotes,
      this.currentRole,
      (c) => this.baseCandidateOf(c),
      this.options.maxPairs ?? ICE_DEFAULTS.maxPairs,
    );
    for (const pair of pairs) checklist.add(pair);
    checklist.unfreezeInitial((m) => this.log('debug', `ICE: ${m}`));
    this.log('info', `ICE: checklist of ${pairs.length} pair(s), role ${this.currentRole}`);
    const timeoutMs = this.options.checkingTimeoutMs ?? ICE_DEFAULTS.checkingTimeoutMs;
    this.stateTimer(timeoutMs, () =>
      this.fail({ kind: 'timeout', afterMs: timeoutMs }, `no pair selected within ${timeoutMs} ms`),
    );

    // §7.3: checks that arrived before the checklist existed are processed now.
    const early = this.early;
    this.early = [];
    for (const check of early) {
      if (check.remoteUfrag === this.remote?.ufrag) {
        this.learnFromRequest(check.base, check.from, check.priority, check.useCandidate);
      }
    }
    if (checklist.pairs.length === 0) {
      this.fail(
        { kind: 'no-pairs' },
        'no candidate pairs (no local and remote candidates of one family and component)',
      );
      return;
    }
    this.schedulePacer();
  }

  /** Remote candidates added by a re-offer without restart: new pairs join the checklist, waiting. */
  private pairNewRemotes(added: readonly RemoteCandidate[]): void {
    const checklist = this.checklist;
    if (checklist === undefined || added.length === 0) return;
    const locals = this.locals.filter((c) => (this.policy === 'relay-only' ? c.type === 'relay' : true));
    for (const pair of formPairs(locals, added, this.currentRole, (c) => this.baseCandidateOf(c))) {
      if (this.selected.has(pair.component) || checklist.findRoute(pair.local, pair.remote)) continue;
      checklist.add(pair);
      pair.moveTo('waiting', 'new remote candidate', (m) => this.log('debug', `ICE: ${m}`));
    }
    this.schedulePacer();
  }

  /**
   * §6.1.4.2: one check every Ta. The pacer sleeps when there is nothing to send and is woken (no earlier
   * than Ta after the last paced check) when a triggered check is queued or pairs unfreeze.
   */
  private schedulePacer(): void {
    if (this.current !== 'checking' || this.pacer !== undefined || this.checklist?.hasWork() !== true) return;
    const now = this.clock.monotonic();
    const delay = this.lastPacedAt === undefined ? 0 : Math.max(0, this.lastPacedAt + this.taMs - now);
    this.pacer = this.stateTimer(delay, () => {
      this.pacer = undefined;
      const next = this.checklist?.nextCheck((m) => this.log('debug', `ICE: ${m}`));
      if (next === undefined) return;
      this.lastPacedAt = this.clock.monotonic();
      this.startCheck(next.pair, next.nominate);
      this.schedulePacer();
    });
  }

  private startCheck(pair: CandidatePair, nominate: boolean): void {
    const remoteKey = this.remoteKey;
    const remote = this.remote;
    const checklist = this.checklist;
    if (remoteKey === undefined || remote === undefined || checklist === undefined) return;
    const useCandidate =
      this.currentRole === 'controlling' &&
      (nominate || (this.options.nomination ?? 'regular') === 'aggressive');
    if (!nominate)
      pair.moveTo('in-progress', useCandidate ? 'aggressive check' : 'check', (m) =>
        this.log('debug', `ICE: ${m}`),
      );
    // §7.2.2 / §7.1.1: "The PRIORITY attribute MUST be included … equal to the priority that would be
    // assigned … to a peer-reflexive candidate".
    const priority = candidatePriority('prflx', pair.local.localPreference, pair.component);
    const transactionId = this.nextTransactionId();
    const bytes = encodeStunMessage(
      {
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId,
        attributes: iceCheckAttributes({
          localUfrag: this.local.ufrag,
          remoteUfrag: remote.ufrag,
          priority,
          role: this.currentRole,
          tieBreaker: this.tieBreaker,
          useCandidate,
        }),
      },
      { integrityKey: remoteKey, fingerprint: true },
    );
    const minRto = ICE_DEFAULTS.minRtoMs;
    const active = checklist.count('waiting') + checklist.count('in-progress');
    const rtoMs = Math.max(minRto, this.taMs * active);
    const schedule = retransmitSchedule(
      {
        rtoMs,
        maxSends: this.options.checkMaxSends ?? ICE_DEFAULTS.checkMaxSends,
        finalWaitFactor: this.options.checkFinalWaitFactor ?? ICE_DEFAULTS.checkFinalWaitFactor,
        streamTimeoutMs: 39_500,
      },
      false,
    );
    const check: OutstandingCheck = {
      key: transactionKey(transactionId),
      kind: 'check',
      pair,
      nominate: useCandidate,
      role: this.currentRole,
      priority,
      bytes,
      integrityKey: remoteKey,
      sentAt: this.clock.monotonic(),
      schedule,
      sends: 0,
      retransmitting: true,
      timer: undefined,
    };
    this.pending.set(check.key, check);
    this.counters.sent++;
    pair.counters.requestsSent++;
    this.log(
      'debug',
      `ICE: check ${pair.describe()}${useCandidate ? ' USE-CANDIDATE' : ''} (RTO ${rtoMs} ms)`,
    );
    this.transmit(check);
  }

  private transmit(check: OutstandingCheck): void {
    check.sends++;
    if (check.sends > 1) {
      this.counters.retransmissions++;
      check.pair.counters.retransmissions++;
    }
    this.sendOn(check.pair.local.base, check.bytes, check.pair.remote.address);
    const nextAt = check.schedule.sendsAt[check.sends];
    const due = check.sentAt + (nextAt ?? check.schedule.timeoutAt);
    check.timer = this.stateTimer(due - this.clock.monotonic(), () => {
      check.timer = undefined;
      if (this.pending.get(check.key) !== check) return;
      if (nextAt !== undefined) {
        this.transmit(check);
        return;
      }
      this.pending.delete(check.key);
      this.checkFailed(check, `no response after ${check.sends} send(s)`);
    });
  }

  /** §7.3.1.4: a triggered check on an in-progress pair cancels its transaction but still awaits a response. */
  private stopRetransmitting(pair: CandidatePair): void {
    for (const check of this.pending.values()) {
      if (check.pair !== pair || check.kind !== 'check' || !check.retransmitting) continue;
      check.retransmitting = false;
      this.cancelTimer(check.timer);
      check.timer = this.stateTimer(check.sentAt + check.schedule.timeoutAt - this.clock.monotonic(), () => {
        check.timer = undefined;
        this.pending.delete(check.key);
      });
    }
  }

  private cancelChecks(component: IceComponent): void {
    for (const [key, check] of this.pending) {
      if (check.kind !== 'check' || check.pair.component !== component) continue;
      this.cancelTimer(check.timer);
      this.pending.delete(key);
    }
  }

  // ───────────────────────────── checks: responses ─────────────────────────────

  /** A response on `base`; true when it answered one of our checks or consent requests. */
  private receiveResponse(base: CandidateBase, message: DecodedStunMessage, from: SocketAddress): boolean {
    const check = this.pending.get(transactionKey(message.transactionId));
    if (check === undefined || !sameBase(check.pair.local.base, base)) return false;
    // RFC 5389 §10.1.3: a response to a signed request must verify with the same key, or it is discarded
    // "as if it was never received" — except the errors a server cannot sign (it did not trust our key).
    const authentic =
      message.messageIntegrity !== undefined && verifyMessageIntegrity(message.bytes, check.integrityKey);
    const code = message.attributes.errorCode?.code;
    if (!authentic && !(message.messageClass === 'error' && (code === 400 || code === 401 || code === 420))) {
      this.log('debug', `ICE: response from ${formatAddress(from)} discarded (MESSAGE-INTEGRITY)`);
      return true;
    }
    this.pending.delete(check.key);
    this.cancelTimer(check.timer);
    check.pair.counters.responsesReceived++;
    if (check.kind === 'consent') {
      this.consentResponse(check, message, from);
      return true;
    }
    // §7.2.5.2.1: "the source transport address of the response [must equal] the destination transport
    // address of the request" — otherwise the check fails.
    if (!sameAddress(from, check.pair.remote.address)) {
      this.checkFailed(
        check,
        `response from ${formatAddress(from)}, not ${formatAddress(check.pair.remote.address)}`,
      );
      return true;
    }
    if (message.messageClass === 'error') {
      if (code === 487) this.repairRoleConflict(check);
      else
        this.checkFailed(check, `error ${code ?? '?'} ${message.attributes.errorCode?.reason ?? ''}`.trim());
      return true;
    }
    const mapped = reflexiveAddressOf(message);
    if (mapped === undefined) {
      this.checkFailed(check, 'success without XOR-MAPPED-ADDRESS');
      return true;
    }
    if (check.sends === 1) check.pair.counters.rttMs = this.clock.monotonic() - check.sentAt;
    this.checkSucceeded(check, mapped);
    return true;
  }

  private checkSucceeded(check: OutstandingCheck, mapped: SocketAddress): void {
    const checklist = this.checklist;
    if (checklist === undefined) return;
    const pair = check.pair;
    const log = (m: string): void => this.log('debug', `ICE: ${m}`);
    this.counters.succeeded++;

    // §7.2.5.3.1: "If the mapped address does not match any of the local candidates that the agent knows
    // about, the mapped address represents a new candidate: a peer-reflexive candidate".
    let local = this.locals.find((c) => c.component === pair.component && sameAddress(c.address, mapped));
    if (local === undefined) {
      local = {
        id: this.nextId++,
        foundation: candidateFoundation({ type: 'prflx', baseAddress: pair.local.address.address }),
        component: pair.component,
        transport: 'udp',
        priority: check.priority,
        address: mapped,
        type: 'prflx',
        related: pair.local.address,
        base: pair.local.base,
        localPreference: pair.local.localPreference,
      };
      this.locals.push(local);
      this.log('info', `ICE: learned local ${describeCandidate(local)} from a check`);
    }

    // §7.2.5.3.2: the valid pair is made of that local candidate and the pair's remote candidate.
    let valid: CandidatePair;
    if (local === pair.local) valid = pair;
    else {
      const existing =
        checklist.find(local, pair.remote) ??
        checklist.findValid(local, pair.remote) ??
        this.extraValid.find((p) => p.sameEndpoints(local, pair.remote));
      if (existing !== undefined) valid = existing;
      else {
        valid = new CandidatePair(local, pair.remote, this.currentRole, 'succeeded');
        this.extraValid.push(valid);
      }
    }
    checklist.addValid(valid);
    pair.validPair = valid;
    if (!this.firstValidAt.has(pair.component)) this.firstValidAt.set(pair.component, this.clock.monotonic());

    // §7.2.5.3.3: the pair that generated the check succeeds; frozen pairs of its foundation unfreeze.
    if (!check.nominate || pair.state !== 'succeeded') {
      checklist.dequeueTriggered(pair);
      if (pair.state !== 'succeeded')
        pair.moveTo('succeeded', `response, mapped ${formatAddress(mapped)}`, log);
      if (valid !== pair && valid.inChecklist && valid.state !== 'succeeded') {
        checklist.dequeueTriggered(valid);
        valid.moveTo('succeeded', 'it is the valid pair of a successful check', log);
      }
      checklist.unfreezeFoundation(pair.foundation, log);
    }

    // §7.2.5.3.4: a successful check with USE-CANDIDATE nominates; as controlled, a pair the peer
    // nominated earlier (§7.3.1.5) is nominated now.
    if (check.nominate) this.nominated(valid, 'USE-CANDIDATE check succeeded');
    else if (pair.nominateOnSuccess && this.currentRole === 'controlled')
      this.nominated(valid, 'the peer nominated it');

    if (this.current === 'checking') {
      this.maybeNominate(pair.component);
      this.evaluateChecklist();
      this.schedulePacer();
    }
  }

  private checkFailed(check: OutstandingCheck, reason: string): void {
    const pair = check.pair;
    this.counters.failed++;
    this.log('debug', `ICE: check ${pair.describe()} failed (${reason})`);
    if (check.kind === 'consent') return;
    // A transaction cancelled by a triggered check (§7.3.1.4) is "not treated as a failure".
    if (!check.retransmitting) return;
    if (
      check.nominate &&
      this.currentRole === 'controlling' &&
      this.nominating.get(pair.component) === pair
    ) {
      // The nomination did not go through: try the next valid pair.
      this.nominating.delete(pair.component);
      pair.nominationFailed = true;
    }
    if (pair.state === 'in-progress' || (pair.state === 'waiting' && pair.inChecklist)) {
      this.checklist?.dequeueTriggered(pair);
      pair.moveTo('failed', reason, (m) => this.log('debug', `ICE: ${m}`));
    }
    if (this.current === 'checking') {
      this.maybeNominate(pair.component);
      this.evaluateChecklist();
      this.schedulePacer();
    }
  }

  /**
   * §7.2.5.1: "If the Binding request generates a 487 (Role Conflict) error response, and if the ICE agent
   * included an ICE-CONTROLLED attribute in the request, the agent MUST switch to the controlling role. If
   * the agent included an ICE-CONTROLLING attribute …, the agent MUST switch to the controlled role. Once
   * the agent has switched its role, the agent MUST add the candidate pair whose check generated the 487
   * error response to the triggered-check queue … and set the candidate pair state to Waiting."
   */
  private repairRoleConflict(check: OutstandingCheck): void {
    this.counters.roleConflicts++;
    if (check.role === this.currentRole) {
      this.switchRole(check.role === 'controlling' ? 'controlled' : 'controlling', '487 Role Conflict');
    }
    const pair = check.pair;
    if (pair.inChecklist && pair.state === 'in-progress')
      pair.moveTo('waiting', '487 repair', (m) => this.log('debug', `ICE: ${m}`));
    if (pair.inChecklist || check.nominate) this.checklist?.enqueueTriggered(pair, false);
    this.schedulePacer();
  }

  // ───────────────────────────── checks: requests ─────────────────────────────

  private receiveRequest(base: CandidateBase, message: DecodedStunMessage, from: SocketAddress): void {
    if (this.current === 'closed' || this.current === 'failed') return;
    const refuse = (code: number, reason: string, signed: boolean): void => {
      this.counters.refused++;
      this.log('info', `ICE: request from ${formatAddress(from)} refused: ${code} ${reason}`);
      this.reply(base, errorResponse(message, code, reason), from, signed);
    };
    if (message.method !== StunMethod.binding) return refuse(400, 'Bad Request', false);
    if (this.policy === 'relay-only' && base.kind === 'socket') {
      // Only relayed paths are allowed: a direct check gets no answer at all.
      this.counters.refused++;
      return;
    }
    // RFC 8445 §7.2.2: checks "MUST contain the FINGERPRINT attribute"; RFC 5389 §10.1.2: USERNAME and
    // MESSAGE-INTEGRITY with our password, or 400/401 — and no success.
    if (!message.hasFingerprint) return refuse(400, 'Bad Request', false);
    const auth = checkShortTermRequest(message, this.local.ufrag, this.localKey);
    if (!auth.ok) {
      this.counters.refused++;
      this.log('info', `ICE: request from ${formatAddress(from)} refused: ${auth.code} ${auth.reason}`);
      this.reply(
        base,
        errorResponse(
          message,
          auth.code,
          auth.reason,
          auth.unknownAttributes ? { unknownAttributes: auth.unknownAttributes } : {},
        ),
        from,
        false,
      );
      return;
    }
    if (this.remote !== undefined && auth.remoteUfrag !== this.remote.ufrag)
      return refuse(401, 'Unauthorized', false);
    const priority = message.attributes.priority;
    if (priority === undefined || priority < 1) return refuse(400, 'Bad Request', true);

    // §7.3.1.1 role conflicts.
    const { iceControlling, iceControlled } = message.attributes;
    if (this.currentRole === 'controlling' && iceControlling !== undefined) {
      // "If the agent's tie-breaker value is larger than or equal to the contents of the ICE-CONTROLLING
      // attribute, the agent generates a Binding error response … 487 … Otherwise, the agent MUST switch
      // to the controlled role."
      if (this.tieBreaker >= iceControlling) {
        this.counters.roleConflicts++;
        return refuse(487, 'Role Conflict', true);
      }
      this.counters.roleConflicts++;
      this.switchRole('controlled', 'peer claims controlling with a larger tie-breaker');
    } else if (this.currentRole === 'controlled' && iceControlled !== undefined) {
      // "If the agent's tie-breaker value is larger than or equal to the contents of the ICE-CONTROLLED
      // attribute, the agent MUST switch to the controlling role. Otherwise … 487".
      this.counters.roleConflicts++;
      if (this.tieBreaker >= iceControlled)
        this.switchRole('controlling', 'peer claims controlled with a smaller tie-breaker');
      else return refuse(487, 'Role Conflict', true);
    }

    // §7.3.1.2: success, XOR-MAPPED-ADDRESS = the source, signed with our password.
    this.counters.answered++;
    this.reply(base, bindingSuccess(message, from), from, true);
    if (this.remote === undefined || this.checklist === undefined) {
      if (this.early.length < EARLY_CHECK_LIMIT) {
        this.early.push({
          base,
          from,
          priority,
          useCandidate: message.attributes.useCandidate === true,
          remoteUfrag: auth.remoteUfrag,
        });
      }
      return;
    }
    if (this.current !== 'checking' && this.current !== 'connected') return;
    this.learnFromRequest(base, from, priority, message.attributes.useCandidate === true);
  }

  private reply(base: CandidateBase, message: StunMessage, to: SocketAddress, signed: boolean): void {
    this.sendOn(
      base,
      encodeStunMessage(message, { ...(signed ? { integrityKey: this.localKey } : {}), fingerprint: true }),
      to,
    );
  }

  /** §7.3.1.3 (peer-reflexive remote candidates), §7.3.1.4 (triggered checks), §7.3.1.5 (nomination). */
  private learnFromRequest(
    base: CandidateBase,
    from: SocketAddress,
    priority: number,
    useCandidate: boolean,
  ): void {
    const checklist = this.checklist;
    if (checklist === undefined) return;
    const component = base.component;
    const log = (m: string): void => this.log('debug', `ICE: ${m}`);
    let remote = this.remotes.find((r) => r.component === component && sameAddress(r.address, from));
    if (remote === undefined) {
      // §7.3.1.3: "the priority is the value of the PRIORITY attribute … the foundation … an arbitrary value,
      // different from the foundations of all other remote candidates".
      remote = {
        id: this.nextId++,
        foundation: `prflx${this.nextId++}`,
        component,
        transport: 'udp',
        priority,
        address: { ...from },
        type: 'prflx',
        learned: true,
      };
      this.remotes.push(remote);
      this.log('info', `ICE: learned remote ${describeCandidate(remote)} from a check`);
    }
    const existingSelection = this.selected.get(component);
    if (existingSelection !== undefined) {
      // §8.1.2: the component is done; a later nomination of a better valid pair (aggressive peers) still counts.
      if (useCandidate && this.currentRole === 'controlled') {
        const candidatePair = [...checklist.valid, ...this.extraValid].find(
          (p) =>
            p.component === component && sameBase(p.local.base, base) && sameAddress(p.remote.address, from),
        );
        if (candidatePair !== undefined && comparePairs(candidatePair, existingSelection) < 0)
          this.nominated(candidatePair, 'the peer nominated a better pair');
      }
      return;
    }
    if (this.current !== 'checking') return;
    const local = this.localForRequest(base, from);
    if (local === undefined || !pairable(local, remote)) return;
    let pair = checklist.find(local, remote);
    pair ??= checklist.findRoute(local, remote);
    if (pair === undefined) {
      // "If the pair is not already on the checklist … the agent MUST … add it to the checklist … Waiting …
      // enqueued into the triggered-check queue."
      pair = new CandidatePair(local, remote, this.currentRole, 'waiting');
      checklist.add(pair);
      checklist.enqueueTriggered(pair, false);
    } else {
      pair.counters.requestsReceived++;
      switch (pair.state) {
        case 'succeeded':
          // "If the state of that pair is Succeeded, nothing further is done."
          break;
        case 'in-progress':
          this.stopRetransmitting(pair);
          pair.moveTo('waiting', 'triggered while in progress (§7.3.1.4)', log);
          checklist.enqueueTriggered(pair, false);
          break;
        case 'frozen':
        case 'failed':
          pair.moveTo('waiting', 'triggered (§7.3.1.4)', log);
          checklist.enqueueTriggered(pair, false);
          break;
        case 'waiting':
          checklist.enqueueTriggered(pair, false);
          break;
      }
    }
    // §7.3.1.5: "If the state of this pair is Succeeded, it means that the check … produced a valid pair …
    // The agent now sets the nominated flag … If the state … is In-Progress [or Waiting], … when the check
    // produces a valid pair, … the nominated flag … set".
    if (useCandidate && this.currentRole === 'controlled') {
      if (pair.state === 'succeeded' && pair.validPair !== undefined)
        this.nominated(pair.validPair, 'USE-CANDIDATE from the peer');
      else pair.nominateOnSuccess = true;
    }
    this.schedulePacer();
  }

  // ───────────────────────────── nomination and selection ─────────────────────────────

  /** The controlling agent's regular nomination for one component (see the stopping criterion above). */
  private maybeNominate(component: IceComponent): void {
    const checklist = this.checklist;
    if (checklist === undefined || this.current !== 'checking' || this.currentRole !== 'controlling') return;
    if (this.selected.has(component) || this.nominating.has(component)) return;
    const best = checklist.valid.find((p) => p.component === component && !p.nominationFailed);
    if (best === undefined) return;
    if (best.nominated) {
      this.nominated(best, 'nominated already');
      return;
    }
    const higher = checklist.unfinished(component).some((p) => p.priority > best.priority);
    const delay = this.options.nominationDelayMs ?? ICE_DEFAULTS.nominationDelayMs;
    const deadline = (this.firstValidAt.get(component) ?? this.clock.monotonic()) + delay;
    if (higher && this.clock.monotonic() < deadline) {
      if (!this.nominationTimers.has(component)) {
        this.nominationTimers.set(
          component,
          this.stateTimer(deadline - this.clock.monotonic(), () => {
            this.nominationTimers.delete(component);
            this.maybeNominate(component);
          }),
        );
      }
      return;
    }
    this.cancelTimer(this.nominationTimers.get(component));
    this.nominationTimers.delete(component);
    this.nominating.set(component, best);
    this.log('info', `ICE: nominating ${best.describe()}`);
    checklist.enqueueTriggered(best, true);
    this.schedulePacer();
  }

  /** A valid pair is nominated: the component's selected pair is the best nominated one (§8.1.1). */
  private nominated(pair: CandidatePair, cause: string): void {
    pair.nominated = true;
    const component = pair.component;
    const current = this.selected.get(component);
    if (current !== undefined && comparePairs(current, pair) <= 0) return;
    this.nominating.delete(component);
    this.selected.set(component, pair);
    this.log('info', `ICE: selected ${pair.describe()} (${cause})`);
    if (current === undefined) {
      // §8.1.2: "the ICE agent MUST remove all candidate pairs for the same component from the checklist and
      // from the triggered-check queue. If the state of a pair is In-Progress, the agent cancels the
      // In-Progress transaction."
      this.checklist?.removeComponent(component);
      this.cancelChecks(component);
      this.cancelTimer(this.nominationTimers.get(component));
      this.nominationTimers.delete(component);
    }
    this.media.set(component, { pair, consent: true });
    if (pair.local.base.kind === 'relay') pair.local.base.relay.bindChannel(pair.remote.address);
    this.selections.emit(this.describePair(pair));
    this.routeChanges.emit(component);
    if (this.current === 'connected') {
      this.lastConsentAt.set(component, this.clock.monotonic());
      this.armConsentExpiry(component);
      this.retainRelayPeers();
    }
    if (this.current === 'checking' && this.transports.every((t) => this.selected.has(t.component))) {
      this.moveTo(
        'connected',
        `selected ${this.transports.map((t) => this.selected.get(t.component)?.describe()).join(', ')}`,
      );
    }
  }

  /**
   * §7.2.5.4: "If all of the pairs in the checklist are now either in the Failed or Succeeded state …
   * If there is at least one … component … [without a valid pair] … the agent … sets the state of the
   * checklist to Failed." While the controlling agent still has a valid pair to nominate, it does so.
   */
  private evaluateChecklist(): void {
    const checklist = this.checklist;
    if (checklist === undefined || this.current !== 'checking') return;
    if (checklist.unfinished().length > 0 || checklist.triggered.length > 0) return;
    if (this.remote?.endOfCandidates === false) return;
    for (const transport of this.transports) {
      const component = transport.component;
      if (this.selected.has(component)) continue;
      const usable = checklist.valid.some((p) => p.component === component && !p.nominationFailed);
      if (!usable && !this.nominating.has(component)) {
        this.fail(
          { kind: 'pairs-failed', component },
          `every candidate pair of component ${component} failed`,
        );
        return;
      }
    }
  }

  // ───────────────────────────── consent freshness (RFC 7675) ─────────────────────────────

  private startConsent(): void {
    for (const component of this.selected.keys()) {
      this.lastConsentAt.set(component, this.clock.monotonic());
      this.armConsentExpiry(component);
    }
    this.scheduleConsent();
  }

  /** One timer sends the consent requests of every component; "randomized … 0.8 and 1.2 times" (§5.1). */
  private scheduleConsent(): void {
    const interval = this.options.consentIntervalMs ?? ICE_DEFAULTS.consentIntervalMs;
    this.stateTimer(Math.round(interval * (0.8 + 0.4 * this.random())), () => {
      for (const component of this.selected.keys()) this.sendConsent(component);
      this.scheduleConsent();
    });
  }

  private sendConsent(component: IceComponent): void {
    const pair = this.selected.get(component);
    const remote = this.remote;
    const key = this.remoteKey;
    if (pair === undefined || remote === undefined || key === undefined) return;
    const timeout = this.options.consentTimeoutMs ?? ICE_DEFAULTS.consentTimeoutMs;
    const now = this.clock.monotonic();
    for (const [k, check] of this.pending)
      if (check.kind === 'consent' && now - check.sentAt >= timeout) this.pending.delete(k);
    const transactionId = this.nextTransactionId();
    const priority = candidatePriority('prflx', pair.local.localPreference, component);
    const bytes = encodeStunMessage(
      {
        method: StunMethod.binding,
        messageClass: 'request',
        transactionId,
        attributes: iceCheckAttributes({
          localUfrag: this.local.ufrag,
          remoteUfrag: remote.ufrag,
          priority,
          role: this.currentRole,
          tieBreaker: this.tieBreaker,
        }),
      },
      { integrityKey: key, fingerprint: true },
    );
    this.pending.set(transactionKey(transactionId), {
      key: transactionKey(transactionId),
      kind: 'consent',
      pair,
      nominate: false,
      role: this.currentRole,
      priority,
      bytes,
      integrityKey: key,
      sentAt: now,
      schedule: { sendsAt: [0], timeoutAt: timeout },
      sends: 1,
      retransmitting: false,
      timer: undefined,
    });
    this.counters.consentSent++;
    this.sendOn(pair.local.base, bytes, pair.remote.address);
  }

  private consentResponse(check: OutstandingCheck, message: DecodedStunMessage, from: SocketAddress): void {
    const component = check.pair.component;
    if (message.messageClass !== 'success' || !sameAddress(from, check.pair.remote.address)) return;
    if (this.selected.get(component) !== check.pair || this.current !== 'connected') return;
    this.counters.consentAnswered++;
    this.lastConsentAt.set(component, this.clock.monotonic());
    this.armConsentExpiry(component);
  }

  private armConsentExpiry(component: IceComponent): void {
    if (this.current !== 'connected') return;
    this.cancelTimer(this.consentExpiry.get(component));
    const timeout = this.options.consentTimeoutMs ?? ICE_DEFAULTS.consentTimeoutMs;
    const due = (this.lastConsentAt.get(component) ?? this.clock.monotonic()) + timeout;
    this.consentExpiry.set(
      component,
      this.stateTimer(due - this.clock.monotonic(), () => {
        this.consentExpiry.delete(component);
        this.log('warn', `ICE: consent lost on component ${component} (no response for ${timeout} ms)`);
        const selection = this.media.get(component);
        if (selection !== undefined) selection.consent = false;
        this.consentLosses.emit(component);
        if (this.current === 'connected')
          this.moveTo('disconnected', `consent expired on component ${component}`);
      }),
    );
  }

  private retainRelayPeers(): void {
    for (const relay of this.relays) {
      const peers = [...this.selected.values()]
        .filter((p) => p.local.base.kind === 'relay' && p.local.base.relay === relay)
        .map((p) => p.remote.address);
      relay.retainPeers(peers);
    }
  }

  // ───────────────────────────── wire ─────────────────────────────

  private sendOn(base: CandidateBase, data: Uint8Array, to: SocketAddress): void {
    if (base.kind === 'socket') base.transport.send(data, to);
    else base.relay.send(data, to);
  }

  /** Data relayed from `peer` through a TURN relay: checks, responses, or media. */
  private receiveRelayed(base: CandidateBase, data: Buffer, peer: SocketAddress): void {
    if (base.kind !== 'relay' || this.current === 'closed') return;
    const kind = classifyPacket(data);
    if (kind === 'stun') {
      const decoded = decodeStunMessage(data);
      if (!decoded.ok) return;
      const message = decoded.message;
      if (message.messageClass === 'request') this.receiveRequest(base, message, peer);
      else if (message.messageClass === 'success' || message.messageClass === 'error')
        this.receiveResponse(base, message, peer);
      return;
    }
    if (kind === 'rtp' || kind === 'rtcp') {
      this.relayedMedia.emit({ component: base.component, relay: base.relay, kind, data, from: peer });
    }
  }

  private mediaCandidatePair(component: IceComponent): CandidatePair | undefined {
    const selection = this.media.get(component);
    if (selection !== undefined) return selection.pair;
    // §12.1: before nomination an agent MAY send on a valid pair — the best one, from the first success.
    return this.checklist?.valid.find((p) => p.component === component);
  }

  private describePair(pair: CandidatePair): IceSelectedPair {
    const base = pair.local.base;
    return {
      component: pair.component,
      local: {
        type: pair.local.type,
        address: pair.local.address,
        protocol: 'udp',
        ...(base.kind === 'relay'
          ? { relayTransport: base.relay.server.transport, relayServer: base.relay.server.address }
          : {}),
      },
      remote: { type: pair.remote.type, address: pair.remote.address, protocol: 'udp' },
      // Through a TURN relay at either end (ours, or the peer's relayed candidate).
      relayed: base.kind === 'relay' || pair.remote.type === 'relay',
      rttMs: pair.counters.rttMs,
    };
  }
}

function toSignalled(c: IceCandidate): IceCandidate {
  return {
    foundation: c.foundation,
    component: c.component,
    transport: 'udp',
    priority: c.priority,
    address: c.address,
    type: c.type,
    ...(c.related ? { related: c.related } : {}),
  };
}
