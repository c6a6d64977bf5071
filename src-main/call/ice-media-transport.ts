/**
 * ICE in calls (RFC 8445 with RFC 8839's SDP offer/answer): `IceMediaTransportProvider`, the call
 * layer's media hook that runs our ICE agent (media/transport) on the call's own sockets, and falls back to
 * plain RTP with latching on the very same socket when the peer does not do ICE.
 *
 *   open ──┬─ ICE off, an offer without ICE, a mismatched offer, nothing gathered ──────────▶ plain
 *          └─ gather (1 component with rtcp-mux; 2 when answering an offer without it) ───▶ describing
 *   describing ── negotiation: the peer does ICE ──▶ ice ──── consent lost (once) ─────────▶ restarting
 *              └─ the answer has no ICE / a=ice-mismatch ──▶ plain      ▲ │  network change    │ new agent
 *   ice ──── every pair failed ─────────────────────────────────────▶ failed     └──── connected ◀─┘
 *   restarting ── no pair within restartTimeoutMs, or a second consent loss ──▶ failed
 *   every state ── close ──▶ closed
 *
 * The call's media session gets one MediaPath for the whole call (`SwitchingMediaPath`): inside it the
 * agent's IceMediaPath, a LatchingMediaPath for plain RTP, or — while our restart runs — nothing.
 *
 * Decisions:
 *  - Modes (the account's ICE setting): `on` and `auto` offer ICE and answer ICE offers with ICE; both
 *    fall back to plain RTP when the peer's description has no ICE (RFC 8839 §4.2.3 / RFC 3264: the
 *    default candidate in c=/m= is where such a peer sends). `auto` is `on` for offers: ICE costs a
 *    peer without ICE nothing but a few attributes it ignores, and the verdict of the NAT check tunes
 *    the servers and the policy, not whether ICE is offered. `off` never offers ICE and answers ICE
 *    offers without it (the peer falls back to its default candidate).
 *  - Components: our ICE offers carry two components (RTP and RTCP, the even/odd socket pair) and do
 *    not offer rtcp-mux. RFC 5761 §5.1.3 would offer mux with both components and drop the second one
 *    when the answer accepts mux, but the agent cannot drop a component (one without remote candidates
 *    fails the check list), and a peer that does not mux checks our a=rtcp against component-2
 *    candidates and answers a=ice-mismatch without them (baresip/libre does). We answer an ICE offer
 *    with rtcp-mux with one component (mux accepted), one without it with two.
 *  - Default candidate (c=/m=): our socket's server-reflexive address, else its host address, else a
 *    relayed one — not RFC 5245 §4.1.4's relay-first order. The default is where a peer without ICE
 *    sends, and the fallback is plain RTP on our socket (ARCHITECTURE.md). With the relay-only policy
 *    the relay is all there is. With host candidates only, the one on the address SIP uses is the
 *    default (a loopback call stays on loopback).
 *  - Relay-only with a peer without ICE (the rule, kept simple): when the policy is relay-only — the NAT
 *    verdict says direct paths fail, e.g. we sit behind a symmetric NAT — plain RTP goes through the
 *    agent's default relays (`RelayedMediaPath`: CreatePermission and ChannelBind for the SDP addresses,
 *    latching to the peer's source as the relay reports it), never from the host socket; the route is
 *    `relayed`. The agent stays open for its allocations (released when the call ends). We also gather
 *    relays to answer an offer without ICE, so that our answer names the relayed address. Without a relay
 *    for every component the plain path needs (none was allocated, or ICE had already begun checking), the
 *    fallback is the host socket as with any other policy. With the policy `all` the host path is used:
 *    a relayed address would only add a hop for peers that can reach us.
 *  - Roles (RFC 8445 §6.1.1): the offerer is controlling; a restart's offerer becomes controlling too.
 *  - The controlling agent's updated offer (RFC 5245 §8.1.2 and §9.1.2.2, kept by RFC 8839 for
 *    subsequent offers): once connected on a pair whose local candidate is not the default of our last
 *    description, we ask the call for a re-INVITE; while connected, our offers and answers carry the
 *    selected local candidate in c=/m= with only that candidate, and our offers a=remote-candidates.
 *  - Restarts: a peer's offer with a new ice-ufrag/ice-pwd (RFC 8839 §4.4.1.1.1) restarts our agent in
 *    place — new credentials, same candidates, media on the old pair until a new one is selected. Our own
 *    restart (a network change that took an address of ours away, a resume from sleep, lost consent)
 *    needs new candidates: a new agent gathers on the same sockets and the call sends the re-INVITE.
 *  - Consent lost (RFC 7675 §5.1: media stops): we restart once, because the usual causes — a NAT that
 *    dropped its binding, a relay that failed, a network change we were not told about — are exactly
 *    what fresh candidates repair, and a call that can be saved by one re-INVITE should not end. When
 *    the restart finds no pair within `restartTimeoutMs`, or consent is lost again, the call ends with
 *    `no-media-path`. An ICE failure (no pair ever worked) ends it at once.
 */
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { CallIce, CallIceState } from '../../src-shared/model/call.ts';
import { formatAddress } from '../platform/index.ts';
import type { Clock, Network, NetworkChange, SocketAddress, Timer } from '../platform/index.ts';
import {
  IceAgent,
  IceMediaPath,
  LatchingMediaPath,
  MediaPortAllocator,
  RelayedMediaPath,
} from '../media/transport/index.ts';
import type {
  IceAgentOptions,
  IceCandidate,
  IceCandidatePolicy,
  IceCandidateType,
  IceComponent,
  IceFailure,
  IceRemoteDescription,
  IceRole,
  IceStateChange,
  MediaPacketKind,
  MediaPath,
  MediaPortRange,
  MediaRoute,
  MediaSocket,
  ReceivedMediaPacket,
  TurnServerConfig,
} from '../media/transport/index.ts';
import { latchingRemoteOf } from '../media/session/index.ts';
import type { AudioMediaTransport } from '../media/session/index.ts';
import { hasRtcpMux } from '../sdp/index.ts';
import type {
  Attribute,
  MediaDescription,
  MediaEndpoint,
  NegotiatedMedia,
  SessionDescription,
} from '../sdp/index.ts';
import type {
  CallMediaHost,
  CallMediaTransport,
  DescriptionPurpose,
  MediaTransportProvider,
  MediaTransportRequest,
  MediaTransportResult,
  MediaTransportView,
  NegotiatedDescriptions,
  TransportDescription,
} from './call-media.ts';
import {
  ICE_MISMATCH_ATTRIBUTE,
  chooseMediaTransport,
  fromSdpCandidate,
  iceMediaAttributes,
  iceMediaEndpoint,
  isIceRestart,
  needsUpdatedOffer,
  remoteCandidatesAttribute,
} from './ice-sdp.ts';
import type { MediaTransportDecision } from './ice-sdp.ts';
import { mediaAddressFor, offeredMediaAddress } from './media-family.ts';

/** The account's ICE setting (src-shared/model/settings.ts `IceMode`). */
export type IceMode = 'on' | 'off' | 'auto';

/** What one call's ICE runs with: read when the call's media opens. */
export interface IceTransportSettings {
  readonly mode: IceMode;
  readonly stunServers: readonly SocketAddress[];
  readonly turnServers: readonly TurnServerConfig[];
  /** `relay-only` when the NAT check says a relay is required (e.g. behind a symmetric NAT). */
  readonly policy: IceCandidatePolicy;
}

/** Agent options a provider may tune (timers for tests and benches, loopback candidates, logging). */
export type IceAgentTuning = Partial<
  Pick<
    IceAgentOptions,
    | 'taMs'
    | 'gatheringTimeoutMs'
    | 'checkingTimeoutMs'
    | 'nominationDelayMs'
    | 'consentIntervalMs'
    | 'consentTimeoutMs'
    | 'includeLoopback'
    | 'includeLinkLocal'
    | 'turnLifetimeS'
    | 'randomBytes'
    | 'random'
  >
>;

export type IceTransportLogLevel = 'debug' | 'info' | 'warn';

export interface IceMediaTransportProviderOptions {
  readonly clock: Clock;
  readonly network: Network;
  readonly range?: MediaPortRange;
  readonly random?: () => number;
  /** The settings of the next call (the account's servers, the NAT verdict's policy). */
  readonly settings: () => IceTransportSettings | Promise<IceTransportSettings>;
  readonly agent?: IceAgentTuning;
  /** Our ICE restart must find a pair within this many ms of its start (default 30 000). */
  readonly restartTimeoutMs?: number;
  readonly log?: (level: IceTransportLogLevel, message: string) => void;
}

export const DEFAULT_RESTART_TIMEOUT_MS = 30_000;

/**
 * The controlling agent nominates its best valid pair this long after a component's first valid pair,
 * even while higher-priority pairs are still being checked (the agent's default is 1000 ms). A pair
 * that can work between hosts on one network answers within a Ta or two (checks go out in priority
 * order, 50 ms apart); what is still pending after 200 ms is, in practice, a host pair towards a private
 * address behind a NAT that will only time out — and waiting for it delayed every NATed call by a second.
 */
export const CALL_NOMINATION_DELAY_MS = 200;

/** Default candidate order of our descriptions (see the header). */
const SOCKET_FIRST: readonly IceCandidateType[] = ['srflx', 'host', 'relay'];

export class IceMediaTransportProvider implements MediaTransportProvider {
  readonly #options: IceMediaTransportProviderOptions;
  readonly #allocator: MediaPortAllocator;
  readonly #live = new Set<IceMediaTransport>();

  constructor(options: IceMediaTransportProviderOptions) {
    this.#options = options;
    this.#allocator = new MediaPortAllocator({
      network: options.network,
      ...(options.range !== undefined && { range: options.range }),
      ...(options.random !== undefined && { random: options.random }),
    });
  }

  async open(request: MediaTransportRequest): Promise<MediaTransportResult> {
    const settings = await this.#options.settings();
    // A pair even when ICE uses one socket: the odd port carries RTCP for a plain peer without rtcp-mux
    // (RFC 5761 §5.1.1), or is ICE's component 2 when we answer an offer without mux.
    const allocated = await this.#allocator.allocate({ family: request.family, rtcpMux: false });
    if (!allocated.ok) return { ok: false, message: allocated.message };
    // The peer's first RTP can arrive before the answer that starts our session: held until then.
    allocated.rtp.holdUnclaimedMedia({ clock: this.#options.clock });
    allocated.rtcp?.holdUnclaimedMedia({ clock: this.#options.clock });
    const transport = new IceMediaTransport(this.#options, settings, allocated.rtp, allocated.rtcp, () =>
      this.#live.delete(transport),
    );
    this.#live.add(transport);
    await transport.start(request.offer);
    return { ok: true, transport };
  }

  /** The calls' transports that are not closed (tests, diagnostics). */
  get transports(): readonly IceMediaTransport[] {
    return [...this.#live];
  }

  /** The network changed: each call whose path may be gone restarts ICE (see IceMediaTransport). */
  networkChanged(change: NetworkChange): void {
    for (const transport of [...this.#live]) transport.networkChanged(change);
  }
}

export type IceTransportState = 'describing' | 'ice' | 'plain' | 'restarting' | 'failed' | 'closed';

const MOVES: Readonly<Record<IceTransportState, readonly IceTransportState[]>> = {
  describing: ['ice', 'plain', 'failed', 'closed'],
  ice: ['restarting', 'plain', 'failed', 'closed'],
  restarting: ['ice', 'plain', 'failed', 'closed'],
  plain: ['closed'],
  failed: ['closed'],
  closed: [],
};

/** One call's media transport: the sockets, the ICE agent (or none) and the path the session uses. */
export class IceMediaTransport implements CallMediaTransport {
  readonly sessionAttributes: readonly Attribute[] = [];
  readonly #options: IceMediaTransportProviderOptions;
  readonly #settings: IceTransportSettings;
  readonly #rtp: MediaSocket;
  #rtcp: MediaSocket | undefined;
  readonly #forget: () => void;
  readonly #path: SwitchingMediaPath;
  #state: IceTransportState = 'describing';
  #stateTimer: Timer | undefined;
  #host: CallMediaHost | undefined;
  #agent: IceAgent | undefined;
  #agentSubscriptions: Disposable[] = [];
  /** Our restart's new agent while it gathers (the current one keeps the media until it is done). */
  #nextAgent: IceAgent | undefined;
  #icePath: IceMediaPath | undefined;
  #latching: LatchingMediaPath | undefined;
  /** Relay-only without ICE: plain RTP through the relays of `#relayAgent` (see the header). */
  #relayed: RelayedMediaPath | undefined;
  /** An agent kept open only for its TURN allocations (no checks): closed with the transport. */
  #relayAgent: IceAgent | undefined;
  /** Our answer says a=ice-mismatch (RFC 8839 §4.2.5). */
  #mismatch = false;
  /** Where the offer we answer sends media to (its c=), for the address our c= names. */
  #peerAddress: string | undefined;
  #handedOver = false;
  #negotiated: NegotiatedMedia | undefined;
  #lastLocal: SessionDescription | undefined;
  #restarts = 0;
  #consentRestartUsed = false;
  /** Agents being closed (TURN allocations released) before the sockets may close. */
  #closings: Promise<void>[] = [];
  #closed: Promise<void> | undefined;
  /** What view() showed when the call ended (the call log keeps the path). */
  #finalView: MediaTransportView | undefined;

  constructor(
    options: IceMediaTransportProviderOptions,
    settings: IceTransportSettings,
    rtp: MediaSocket,
    rtcp: MediaSocket | undefined,
    forget: () => void,
  ) {
    this.#options = options;
    this.#settings = settings;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.#forget = forget;
    this.#path = new SwitchingMediaPath(rtp.local);
  }

  get state(): IceTransportState {
    return this.#state;
  }

  /** The agent of this ICE generation (tests, diagnostics). */
  get agent(): IceAgent | undefined {
    return this.#agent;
  }

  /** Settles once the agents released their TURN allocations and the sockets are closed (after close()). */
  get closed(): Promise<void> {
    return this.#closed ?? Promise.resolve();
  }

  /** Decide ICE or plain RTP and gather (provider's open). `offer`: the peer's, when we answer it. */
  async start(offer: SessionDescription | undefined): Promise<void> {
    this.#peerAddress = offeredMediaAddress(offer);
    if (this.#settings.mode === 'off') return this.#moveTo('plain', 'ICE is off for this account');
    let components: 1 | 2;
    let role: IceRole = 'controlling';
    if (offer !== undefined) {
      const decision = decideFromOffer(offer);
      if (decision.transport === 'latching') {
        this.#mismatch = decision.answerWithMismatch;
        if (this.#settings.policy === 'relay-only') await this.#gatherRelays(offer);
        if (this.#state !== 'describing') return;
        return this.#moveTo(
          'plain',
          decision.reason === 'ice-mismatch'
            ? 'the offer fails the ICE mismatch check (RFC 8839 §4.2.5)'
            : 'the offer has no ICE',
        );
      }
      const media = firstAudio(offer);
      const muxed = media !== undefined && hasRtcpMux(media);
      components = muxed || !decision.remote.candidates.some((c) => c.component === 2) ? 1 : 2;
      role = 'controlled';
    } else {
      components = this.#rtcp !== undefined ? 2 : 1;
    }
    const agent = this.#createAgent(components, role);
    this.#adopt(agent);
    await agent.gather();
    if (this.#state !== 'describing' || this.#agent !== agent) return;
    if (agent.localCandidates.length === 0) {
      this.#log('warn', 'ICE gathered no candidate: plain RTP');
      this.#dropAgent();
      return this.#moveTo('plain', 'no ICE candidate');
    }
    this.#log(
      'info',
      `ICE: ${agent.localCandidates.length} candidate(s), ${components} component(s), ${role}, policy ${this.#settings.policy}`,
    );
  }

  // ───────────────────────────── CallMediaTransport ─────────────────────────────

  get mediaAttributes(): readonly Attribute[] {
    return this.describe('0.0.0.0', { kind: 'offer' }).mediaAttributes;
  }

  endpoint(address: string): MediaEndpoint {
    return this.describe(address, { kind: 'offer' }).endpoint;
  }

  attach(host: CallMediaHost): void {
    this.#host = host;
  }

  describe(address: string, purpose: DescriptionPurpose): TransportDescription {
    if (purpose.kind === 'answer') this.#prepareAnswer(purpose.offer);
    const agent = this.#agent;
    if (
      agent === undefined ||
      this.#state === 'plain' ||
      this.#state === 'failed' ||
      this.#state === 'closed'
    ) {
      return {
        endpoint: this.#relayEndpoint() ?? {
          address: this.#mediaAddress(address),
          port: this.#rtp.local.port,
          ...(this.#rtcp !== undefined && { rtcpPort: this.#rtcp.local.port }),
        },
        sessionAttributes: [],
        mediaAttributes: this.#mismatch && purpose.kind === 'answer' ? [ICE_MISMATCH_ATTRIBUTE] : [],
      };
    }
    const single = agent.components.length === 1;
    const completed = this.#completedDescription(agent, purpose, single);
    if (completed !== undefined) return completed;
    const candidates = agent.localCandidates;
    // Host candidates only: the default is on the address SIP uses, when one is (see the header).
    const onSignalling = candidates.every((c) => c.type === 'host')
      ? candidates.filter((c) => c.address.address === address)
      : [];
    const endpoint = iceMediaEndpoint(
      onSignalling.some((c) => c.component === 1) ? onSignalling : candidates,
      single,
      this.#settings.policy === 'relay-only' ? ['relay'] : SOCKET_FIRST,
    );
    return {
      // One component (mux): a=rtcp, where it is written, names the RTP port itself (RFC 5761 §5.1.3).
      endpoint:
        endpoint === undefined
          ? { address: this.#mediaAddress(address), port: this.#rtp.local.port }
          : single
            ? { ...endpoint, rtcpPort: endpoint.port }
            : endpoint,
      sessionAttributes: [],
      mediaAttributes: iceMediaAttributes(agent.credentials, candidates),
      rtcpMux: single,
    };
  }

  sessionTransport(
    negotiated: NegotiatedMedia,
    role: 'offerer' | 'answerer',
    descriptions?: NegotiatedDescriptions,
  ): AudioMediaTransport {
    if (this.#handedOver) throw new Error('the media path was already handed to a session');
    this.#handedOver = true;
    this.#negotiated = negotiated;
    this.#lastLocal = descriptions?.local;
    switch (this.#state) {
      case 'describing': {
        const decision = decideFromNegotiation(negotiated, role, descriptions);
        if (decision.transport === 'ice') this.#startChecks(decision.remote);
        else
          this.#usePlain(
            negotiated,
            decision.reason === 'ice-mismatch'
              ? 'the answer says a=ice-mismatch'
              : 'the peer does not do ICE',
          );
        break;
      }
      case 'plain':
        this.#usePlain(negotiated, undefined);
        break;
      case 'ice':
      case 'restarting':
      case 'failed':
      case 'closed':
        break;
    }
    this.#closeUnusedRtcp(negotiated);
    return { path: this.#path };
  }

  update(
    negotiated: NegotiatedMedia,
    role: 'offerer' | 'answerer',
    descriptions?: NegotiatedDescriptions,
  ): void {
    this.#negotiated = negotiated;
    if (descriptions !== undefined) this.#lastLocal = descriptions.local;
    switch (this.#state) {
      case 'plain':
        this.#latching?.updateRemote(latchingRemoteOf(negotiated));
        this.#relayed?.updateRemote(latchingRemoteOf(negotiated));
        return;
      case 'ice':
      case 'restarting': {
        const agent = this.#agent;
        if (agent === undefined) return;
        const decision = decideFromNegotiation(negotiated, role, descriptions);
        if (decision.transport === 'latching') {
          // RFC 8839 §4.4.1: a description without ICE ends ICE for the stream.
          this.#dropAgent();
          this.#usePlain(negotiated, 'the peer stopped using ICE');
          return;
        }
        const previous = agent.remoteDescription;
        if (
          previous !== undefined &&
          isIceRestart(previous, decision.remote) &&
          ['checking', 'connected', 'disconnected'].includes(agent.state)
        ) {
          // New credentials in an answer: the peer restarted on its side.
          this.#restarts++;
          agent.restart({ role: role === 'offerer' ? 'controlling' : 'controlled' });
        }
        if (agent.state !== 'closed' && agent.state !== 'failed') agent.setRemote(decision.remote);
        this.#host?.changed();
        return;
      }
      case 'describing':
      case 'failed':
      case 'closed':
        return;
    }
  }

  view(): MediaTransportView {
    if (this.#finalView !== undefined) return this.#finalView;
    const agent = this.#agent;
    const transport = !this.#handedOver ? null : this.#state === 'plain' ? 'plain' : 'ice';
    if (agent === undefined || this.#state === 'plain') {
      return {
        transport,
        ice: null,
        path:
          this.#state === 'plain' && this.#handedOver
            ? this.#relayed !== undefined
              ? 'relayed'
              : 'direct'
            : 'unknown',
      };
    }
    const ice = this.#iceView(agent);
    return {
      transport,
      ice,
      path: ice.selected === null ? 'unknown' : agent.mediaPair(1)?.relayed === true ? 'relayed' : 'direct',
    };
  }

  /** The network changed: restart when the path may be gone (an address of ours went away, or we slept). */
  networkChanged(change: NetworkChange): void {
    const agent = this.#agent;
    if (this.#state !== 'ice' || agent === undefined) return;
    if (change.kind === 'resumed') {
      this.#restart(`resumed after ${Math.round(change.sleptMs / 1000)} s asleep`);
      return;
    }
    const ours = new Set(
      agent.localCandidates.filter((c) => c.type === 'host').map((c) => c.address.address),
    );
    const gone = change.removed.filter((a) => ours.has(a.address)).map((a) => a.address);
    if (gone.length > 0) this.#restart(`address ${gone.join(', ')} went away`);
  }

  close(): void {
    if (this.#state === 'closed') return;
    const last = this.view();
    this.#finalView =
      last.ice === null
        ? last
        : { ...last, ice: { ...last.ice, state: last.ice.state === 'failed' ? 'failed' : 'closed' } };
    this.#moveTo('closed', 'call over');
    this.#forget();
    if (!this.#handedOver) this.#path.dispose();
    this.#latching?.dispose();
    this.#latching = undefined;
    this.#relayed?.dispose();
    this.#relayed = undefined;
    if (this.#relayAgent !== undefined) {
      this.#closings.push(this.#relayAgent.close());
      this.#relayAgent = undefined;
    }
    this.#dropAgent();
    if (this.#nextAgent !== undefined) {
      this.#closings.push(this.#nextAgent.close());
      this.#nextAgent = undefined;
    }
    const sockets = [this.#rtp, ...(this.#rtcp !== undefined ? [this.#rtcp] : [])];
    this.#rtcp = undefined;
    // The sockets carry the agents' last TURN Refresh (lifetime 0): they close after the releases.
    this.#closed = Promise.all(this.#closings).then(() => {
      for (const socket of sockets) if (!socket.closed) socket.close();
    });
  }

  // ───────────────────────────── the machine ─────────────────────────────

  /** The one transition function: table-checked, logged; the restart timer belongs to `restarting`. */
  #moveTo(next: IceTransportState, cause: string): void {
    const from = this.#state;
    if (!MOVES[from].includes(next))
      throw new Error(`IceMediaTransport: illegal move ${from} → ${next} (${cause})`);
    this.#stateTimer?.cancel();
    this.#stateTimer = undefined;
    this.#state = next;
    this.#log(next === 'failed' ? 'warn' : 'info', `media transport: ${from} → ${next} (${cause})`);
    if (next === 'restarting') {
      const ms = this.#options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS;
      this.#stateTimer = this.#options.clock.setTimer(ms, () => {
        this.#stateTimer = undefined;
        this.#fail(`the ICE restart found no path within ${Math.round(ms / 1000)} s`);
      });
    }
  }

  #fail(text: string): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    this.#moveTo('failed', text);
    this.#path.use(undefined);
    this.#host?.failed({ kind: 'no-media-path', text: `No audio path: ${text}` });
  }

  // ───────────────────────────── ICE ─────────────────────────────

  #createAgent(components: 1 | 2, role: IceRole): IceAgent {
    const tuning = this.#options.agent ?? {};
    return new IceAgent({
      nominationDelayMs: CALL_NOMINATION_DELAY_MS,
      ...tuning,
      clock: this.#options.clock,
      network: this.#options.network,
      rtpSocket: this.#rtp,
      ...(components === 2 && this.#rtcp !== undefined && { rtcpSocket: this.#rtcp }),
      role,
      policy: this.#settings.policy,
      stunServers: this.#settings.stunServers,
      turnServers: this.#settings.turnServers,
      log: (level, message) => this.#log(level === 'info' ? 'debug' : level, message),
    });
  }

  /** `agent` becomes the current one: its events drive the transport. */
  #adopt(agent: IceAgent): void {
    this.#agent = agent;
    this.#agentSubscriptions = [
      agent.onStateChange((change) => this.#agentMoved(agent, change)),
      agent.onConsentLost((component) => this.#consentLost(agent, component)),
      agent.onSelectedPair(() => {
        if (agent === this.#agent) this.#host?.changed();
      }),
    ];
  }

  /** Stop using the current agent: its path, its subscriptions; it closes in the background. */
  #dropAgent(): void {
    const agent = this.#agent;
    this.#agent = undefined;
    for (const s of this.#agentSubscriptions.splice(0)) s.dispose();
    if (this.#icePath !== undefined) {
      if (this.#path.inner === this.#icePath) this.#path.use(undefined);
      this.#icePath.dispose();
      this.#icePath = undefined;
    }
    if (agent !== undefined) this.#closings.push(agent.close());
  }

  /** The peer's ICE description is known: checks start, media goes over the agent's path. */
  #startChecks(remote: IceRemoteDescription): void {
    const agent = this.#agent;
    if (agent === undefined) return;
    agent.setRemote(remote);
    const icePath = new IceMediaPath(agent);
    this.#icePath = icePath;
    this.#path.use(icePath);
    if (this.#state === 'describing') this.#moveTo('ice', 'the peer does ICE: connectivity checks');
    else if (this.#state === 'restarting') this.#log('info', 'ICE restart: the peer answered, checking');
  }

  #agentMoved(agent: IceAgent, change: IceStateChange): void {
    if (agent !== this.#agent) return;
    switch (change.to) {
      case 'connected':
        if (this.#state === 'restarting') this.#moveTo('ice', 'the restarted agent selected a pair');
        this.#host?.changed();
        this.#maybeUpdatedOffer(agent);
        return;
      case 'failed':
        if (this.#state === 'ice' || this.#state === 'restarting' || this.#state === 'describing') {
          this.#fail(describeIceFailure(agent.snapshot().failure));
        }
        return;
      case 'checking':
        if (this.#state === 'restarting' && this.#icePath === undefined) this.#startPath(agent);
        this.#host?.changed();
        return;
      case 'disconnected':
      case 'gathering':
      case 'gathered':
      case 'new':
      case 'closed':
        this.#host?.changed();
        return;
    }
  }

  /** A restarted agent's checks began (its remote came with the re-INVITE's answer): its path takes over. */
  #startPath(agent: IceAgent): void {
    const icePath = new IceMediaPath(agent);
    this.#icePath = icePath;
    this.#path.use(icePath);
  }

  #consentLost(agent: IceAgent, component: IceComponent): void {
    if (agent !== this.#agent || this.#nextAgent !== undefined) return;
    if (this.#state === 'ice' && !this.#consentRestartUsed) {
      this.#consentRestartUsed = true;
      this.#restart(`consent lost on component ${component} (RFC 7675)`);
      return;
    }
    this.#fail(`the other side stopped answering consent checks (RFC 7675) on component ${component}`);
  }

  /**
   * Our restart: a new agent gathers on the same sockets while the current one keeps whatever path it
   * still has (and answers the peer's re-offers meanwhile); then the new one takes over and the call
   * re-offers with its credentials and candidates (we are controlling).
   */
  #restart(cause: string): void {
    const old = this.#agent;
    if (this.#state !== 'ice' || old === undefined) return;
    const components = old.components.length === 2 ? 2 : 1;
    this.#restarts++;
    this.#moveTo('restarting', cause);
    const next = this.#createAgent(components, 'controlling');
    this.#nextAgent = next;
    this.#host?.changed();
    void next.gather().then(() => {
      if (this.#nextAgent !== next) return;
      this.#nextAgent = undefined;
      if (this.#state !== 'restarting') {
        this.#closings.push(next.close());
        return;
      }
      if (next.localCandidates.length === 0) {
        this.#closings.push(next.close());
        this.#fail('the ICE restart gathered no candidate');
        return;
      }
      this.#dropAgent();
      this.#adopt(next);
      this.#host?.changed();
      this.#host?.renegotiate(`ICE restart: ${cause}`);
    });
  }

  /** The peer's offer, before our answer is built: its ICE restart restarts ours (RFC 8839 §4.4.1.1.1). */
  #prepareAnswer(offer: SessionDescription): void {
    const agent = this.#agent;
    if (agent === undefined || (this.#state !== 'ice' && this.#state !== 'restarting')) return;
    const decision = decideFromOffer(offer);
    if (decision.transport !== 'ice') return;
    const previous = agent.remoteDescription;
    if (previous === undefined || !isIceRestart(previous, decision.remote)) return;
    if (agent.state !== 'checking' && agent.state !== 'connected' && agent.state !== 'disconnected') return;
    this.#restarts++;
    this.#log('info', 'the peer restarts ICE (new ice-ufrag/ice-pwd): restarting ours, controlled');
    agent.restart({ role: 'controlled' });
  }

  /**
   * RFC 5245 §8.1.2 (kept by RFC 8839): the controlling agent re-offers when the selected pair's local
   * candidate is not the default of our last description.
   */
  #maybeUpdatedOffer(agent: IceAgent): void {
    const local = this.#lastLocal;
    const index = this.#negotiated?.mediaIndex;
    const media = index === undefined ? undefined : local?.media[index];
    if (local === undefined || media === undefined) return;
    if (needsUpdatedOffer(agent, { media, session: local }))
      this.#host?.renegotiate('updated offer: media flows on another pair than the default');
  }

  /**
   * Our description once ICE completed: c=/m= carry the selected local candidate and only that candidate
   * is listed; an offer of the controlling agent adds a=remote-candidates (RFC 5245 §9.1.2.2, §9.2.2.3).
   */
  #completedDescription(
    agent: IceAgent,
    purpose: DescriptionPurpose,
    single: boolean,
  ): TransportDescription | undefined {
    if (agent.state !== 'connected') return undefined;
    const selected: IceCandidate[] = [];
    for (const component of agent.components) {
      const pair = agent.selectedPair(component);
      if (pair === undefined) return undefined;
      const candidate = agent.localCandidates.find(
        (c) =>
          c.component === component &&
          c.type === pair.local.type &&
          c.address.address === pair.local.address.address &&
          c.address.port === pair.local.address.port,
      );
      // A peer-reflexive local candidate is never signalled: keep the full description then.
      if (candidate === undefined) return undefined;
      selected.push(candidate);
    }
    const rtp = selected.find((c) => c.component === 1);
    if (rtp === undefined) return undefined;
    const rtcp = selected.find((c) => c.component === 2);
    const remoteCandidates =
      purpose.kind === 'offer' && agent.role === 'controlling' ? remoteCandidatesAttribute(agent) : undefined;
    return {
      endpoint: {
        address: rtp.address.address,
        port: rtp.address.port,
        rtcpPort: rtcp?.address.port ?? rtp.address.port,
        ...(rtcp !== undefined &&
          rtcp.address.address !== rtp.address.address && { rtcpAddress: rtcp.address.address }),
      },
      sessionAttributes: [],
      mediaAttributes: [
        ...iceMediaAttributes(agent.credentials, selected),
        ...(remoteCandidates !== undefined ? [remoteCandidates] : []),
      ],
      rtcpMux: single,
    };
  }

  #iceView(agent: IceAgent): CallIce {
    const snapshot = agent.snapshot();
    const pair = agent.hasMediaSelection(1) ? agent.mediaPair(1) : undefined;
    return {
      state: this.#iceState(agent),
      role: agent.role,
      policy: this.#settings.policy,
      selected:
        pair === undefined
          ? null
          : {
              local: { type: pair.local.type, address: formatAddress(pair.local.address) },
              remote: { type: pair.remote.type, address: formatAddress(pair.remote.address) },
              transport: pair.local.relayTransport ?? 'udp',
              rttMs: pair.rttMs ?? null,
            },
      connectMs: snapshot.timings.connectMs ?? null,
      restarts: this.#restarts,
    };
  }

  #iceState(agent: IceAgent): CallIceState {
    switch (this.#state) {
      case 'restarting':
      case 'failed':
      case 'closed':
        return this.#state;
      case 'describing':
      case 'ice':
      case 'plain':
        break;
    }
    switch (agent.state) {
      case 'new':
      case 'gathering':
        return 'gathering';
      case 'gathered':
      case 'checking':
        return 'checking';
      case 'connected':
      case 'disconnected':
      case 'failed':
      case 'closed':
        return agent.state;
    }
  }

  // ───────────────────────────── plain RTP ─────────────────────────────

  /**
   * Plain RTP (symmetric, latching: RFC 4961) to the peer's SDP address: on our RTP socket, or — relay-only
   * — through our TURN relays (see the header).
   */
  #usePlain(negotiated: NegotiatedMedia, cause: string | undefined): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const relayed = this.#relayedPath(negotiated);
    if (relayed !== undefined) this.#keepAgentForRelays();
    else this.#dropAgent();
    if (negotiated.rtcpMux) this.#closeRtcp();
    if (relayed !== undefined) {
      this.#relayed = relayed;
      this.#path.use(relayed);
      this.#log('info', `plain RTP through our TURN relay ${formatAddress(relayed.route.local)}`);
    } else {
      const latching = new LatchingMediaPath({
        clock: this.#options.clock,
        rtpSocket: this.#rtp,
        ...(this.#rtcp !== undefined && { rtcpSocket: this.#rtcp }),
        remote: latchingRemoteOf(negotiated),
      });
      this.#latching = latching;
      this.#path.use(latching);
    }
    if (this.#state !== 'plain') this.#moveTo('plain', cause ?? 'plain RTP');
  }

  /**
   * Relay-only: a path through the default relays of the agent that described us (the addresses our SDP
   * named), when it has one for RTP and, without rtcp-mux, one for RTCP, and never began checks.
   */
  #relayedPath(negotiated: NegotiatedMedia): RelayedMediaPath | undefined {
    if (this.#settings.policy !== 'relay-only') return undefined;
    const agent = this.#relayAgent ?? this.#agent;
    if (agent === undefined || agent.state !== 'gathered') return undefined;
    const rtpRelay = agent.defaultRelay(1);
    const rtcpRelay = negotiated.rtcpMux ? undefined : agent.defaultRelay(2);
    if (rtpRelay === undefined || (!negotiated.rtcpMux && rtcpRelay === undefined)) {
      this.#log('warn', 'relay-only, but no TURN relay for every component: plain RTP from the host socket');
      return undefined;
    }
    return new RelayedMediaPath({
      clock: this.#options.clock,
      rtpRelay,
      ...(rtcpRelay !== undefined && { rtcpRelay }),
      remote: latchingRemoteOf(negotiated),
    });
  }

  /** The current agent stays open, without checks or events, for the relays a RelayedMediaPath uses. */
  #keepAgentForRelays(): void {
    const agent = this.#agent;
    if (agent === undefined) return;
    this.#agent = undefined;
    for (const s of this.#agentSubscriptions.splice(0)) s.dispose();
    this.#relayAgent = agent;
  }

  /**
   * Relay-only, answering an offer without ICE: an agent gathers only to allocate the relays our answer
   * names (one component with rtcp-mux in the offer, else two); it never checks.
   */
  async #gatherRelays(offer: SessionDescription): Promise<void> {
    const media = firstAudio(offer);
    const components = (media !== undefined && hasRtcpMux(media)) || this.#rtcp === undefined ? 1 : 2;
    const agent = this.#createAgent(components, 'controlled');
    // Known before it gathers, so that close() meanwhile closes it (after its allocations are released).
    this.#relayAgent = agent;
    await agent.gather();
    if (this.#relayAgent !== agent || agent.defaultRelay(1) !== undefined) return;
    this.#log('warn', 'relay-only, but no TURN relay was allocated: plain RTP from the host socket');
    this.#relayAgent = undefined;
    this.#closings.push(agent.close());
  }

  /** The address c= names for our sockets: the SIP flow's, or one of the sockets' family (media-family.ts). */
  #mediaAddress(signalling: string): string {
    return mediaAddressFor(this.#options.network, this.#rtp.local.family, signalling, this.#peerAddress);
  }

  /** Our c=/m= (and a=rtcp) on the relays of `#relayAgent`, when plain RTP goes through them. */
  #relayEndpoint(): MediaEndpoint | undefined {
    const agent = this.#relayAgent;
    if (agent === undefined || this.#state !== 'plain') return undefined;
    const single = agent.components.length === 1;
    const endpoint = iceMediaEndpoint(agent.localCandidates, single, ['relay']);
    if (endpoint === undefined) return undefined;
    return single ? { ...endpoint, rtcpPort: endpoint.port } : endpoint;
  }

  /** With rtcp-mux accepted the odd port is not needed (RFC 5761 §5.1.1), unless ICE uses it. */
  #closeUnusedRtcp(negotiated: NegotiatedMedia): void {
    if (!negotiated.rtcpMux) return;
    this.#closeRtcp();
  }

  #closeRtcp(): void {
    const rtcp = this.#rtcp;
    if (rtcp === undefined) return;
    // The agent of a 2-component session still has it (the mux came with a later negotiation), or its
    // TURN allocation lives on it until the agent releases it: keep it.
    const agent = this.#agent ?? this.#relayAgent;
    if (agent !== undefined && agent.components.length === 2) return;
    this.#rtcp = undefined;
    if (!rtcp.closed) rtcp.close();
  }

  #log(level: IceTransportLogLevel, message: string): void {
    this.#options.log?.(level, message);
  }
}

// ───────────────────────────── the path the session sees ─────────────────────────────

/**
 * The call's one MediaPath: packets go to, and come from, whichever path is inside (the ICE agent's,
 * a latching one, or none while a restart runs — then what the session sends is dropped and counted).
 * Disposing it detaches it; the inner paths belong to the transport.
 */
class SwitchingMediaPath implements MediaPath {
  readonly #local: SocketAddress;
  #inner: MediaPath | undefined;
  #innerSubscriptions: Disposable[] = [];
  readonly #packets = new Emitter<ReceivedMediaPacket>();
  readonly #routeChanges = new Emitter<MediaRoute>();
  #disposed = false;
  #dropped = 0;

  constructor(local: SocketAddress) {
    this.#local = local;
  }

  get inner(): MediaPath | undefined {
    return this.#inner;
  }

  /** Packets the session sent while there was no path. */
  get dropped(): number {
    return this.#dropped;
  }

  get route(): MediaRoute {
    if (this.#inner !== undefined) return this.#inner.route;
    const none: SocketAddress = {
      address: this.#local.family === 6 ? '::' : '0.0.0.0',
      port: 0,
      family: this.#local.family,
    };
    return { local: this.#local, remote: none, remoteRtcp: none, kind: 'ice', relayed: false };
  }

  use(inner: MediaPath | undefined): void {
    if (this.#disposed || inner === this.#inner) return;
    for (const s of this.#innerSubscriptions.splice(0)) s.dispose();
    this.#inner = inner;
    if (inner !== undefined) {
      this.#innerSubscriptions = [
        inner.onPacket((packet) => this.#packets.emit(packet)),
        inner.onRouteChange((route) => this.#routeChanges.emit(route)),
      ];
    }
    this.#routeChanges.emit(this.route);
  }

  send(kind: MediaPacketKind, data: Uint8Array): void {
    if (this.#disposed) throw new Error('SwitchingMediaPath: send after dispose');
    if (this.#inner === undefined) {
      this.#dropped++;
      return;
    }
    this.#inner.send(kind, data);
  }

  onPacket(listener: (packet: ReceivedMediaPacket) => void): Disposable {
    return this.#packets.on(listener);
  }

  onRouteChange(listener: (route: MediaRoute) => void): Disposable {
    return this.#routeChanges.on(listener);
  }

  /** The inner path's rules decide (with none — ICE already failed — the held media stays unclaimed). */
  deliverHeld(): void {
    if (this.#disposed) throw new Error('SwitchingMediaPath: deliverHeld after dispose');
    this.#inner?.deliverHeld();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const s of this.#innerSubscriptions.splice(0)) s.dispose();
    this.#inner = undefined;
    this.#packets.clear();
    this.#routeChanges.clear();
  }
}

// ───────────────────────────── helpers ─────────────────────────────

/** The first audio section that is not rejected: the one our negotiation takes. */
function firstAudio(description: SessionDescription): MediaDescription | undefined {
  return description.media.find((m) => m.type === 'audio' && m.port !== 0);
}

function decideFromOffer(offer: SessionDescription): MediaTransportDecision {
  const media = firstAudio(offer);
  if (media === undefined) return { transport: 'latching', reason: 'no-ice', answerWithMismatch: false };
  return chooseMediaTransport(media, offer, 'answerer');
}

/**
 * ICE or plain for a completed negotiation: from the peer's description when the call passed it, else
 * from the negotiated ICE attributes (no mismatch check possible then).
 */
function decideFromNegotiation(
  negotiated: NegotiatedMedia,
  role: 'offerer' | 'answerer',
  descriptions: NegotiatedDescriptions | undefined,
): MediaTransportDecision {
  const remote = descriptions?.remote;
  const media = remote?.media[negotiated.mediaIndex];
  if (remote !== undefined && media !== undefined) return chooseMediaTransport(media, remote, role);
  const ice = negotiated.remoteIce;
  if (ice === undefined || ice.ufrag === undefined || ice.pwd === undefined)
    return { transport: 'latching', reason: 'no-ice', answerWithMismatch: false };
  const candidates: IceCandidate[] = [];
  for (const c of ice.candidates) {
    const taken = fromSdpCandidate(c);
    if (taken !== undefined) candidates.push(taken);
  }
  return {
    transport: 'ice',
    remote: {
      ufrag: ice.ufrag,
      pwd: ice.pwd,
      lite: ice.lite,
      candidates,
      endOfCandidates: ice.endOfCandidates || !ice.options.includes('trickle'),
    },
  };
}

function describeIceFailure(failure: IceFailure | undefined): string {
  if (failure === undefined) return 'ICE failed';
  switch (failure.kind) {
    case 'no-pairs':
      return 'ICE found no candidate pair to check (no common address family, or no relay where one was required)';
    case 'pairs-failed':
      return `every ICE candidate pair failed (component ${failure.component}): neither side could reach the other`;
    case 'timeout':
      return `ICE selected no pair within ${Math.round(failure.afterMs / 1000)} s`;
  }
}
