/**
 * Our TURN client (RFC 5766, updated by RFC 8656): the allocation, its permissions and channels, and the
 * data relayed through it — on our sockets and our Clock. Two users:
 *  - the ICE agent (media/transport/ice), for relayed candidates: a UDP allocation from the media socket
 *    itself, or one over TCP/TLS, kept alive for the call and released when it ends;
 *  - the NAT diagnostics' server test (nat/server-probe.ts): allocate, note the relayed address, lifetime
 *    and round trip (or the server's typed refusal), release at once.
 *
 *      idle ──(tcp/tls)──▶ connecting ──▶ allocating ──success──▶ allocated ──release──▶ releasing ──▶ released
 *        │                     │              │                      │
 *        └──────(udp)──────────┼──────────────┘                      └── refresh fails / stream lost ──▶ failed
 *                              └── connect / Allocate fails ─────────────────────────────────────────▶ failed
 *      (release() from idle, connecting or allocating cancels: ──▶ released)
 *
 * Why our own client and not werift's `TurnProtocol` (ARCHITECTURE.md names it): werift's client opens its
 * own UDP socket or TCP/TLS connection, runs on Node's timers and DNS, and leaves the allocation on the
 * server when closed. The ICE agent must make the UDP allocation from the media socket itself (so the TURN
 * server's XOR-MAPPED-ADDRESS is the mapping media uses, and one NAT binding serves both), everything must
 * be testable on the FakeClock and the in-memory network with exact refresh schedules, and every
 * allocation must be given back (Refresh with LIFETIME 0) — a diagnostic that tests every configured
 * server should not leave a trail of allocations behind either. The pieces below it are this folder's:
 * `StunEndpoint` (transactions, on a datagram socket or framed on a stream), `LongTermCredentials`
 * (realm and nonce, shared by every request of the allocation, since CreatePermission and ChannelBind
 * must be signed with the same nonce), the ChannelData framing. werift's client is what we measure
 * against in the interop tests; what it does well (the peer address of relayed data, permissions and
 * channels per peer) this class does too.
 *
 * Errors (RFC 5766 §6.4, RFC 5389 §10.2.3): 401 → resend with credentials (once; a second 401 means wrong
 * credentials); 438 Stale Nonce → resend with the new nonce; anything else (300 Try Alternate, 403, 437
 * Allocation Mismatch, 486 Allocation Quota Reached, 508 Insufficient Capacity…) → a failure value with
 * the server's code and reason. Failures are values; `allocate()` and `release()` never reject.
 *
 * Lifetimes and refreshes (all timers belong to the `allocated` state and die with it):
 *  - allocation: RFC 5766 §7 — refreshed 60 s before the granted LIFETIME runs out (at half of it when
 *    the lifetime is 2 minutes or less), with the lifetime the server grants adopted each time; released
 *    with LIFETIME 0 on `release()` (§7.1).
 *  - permissions: §8 — "The Permission Lifetime MUST be 300 seconds (= 5 minutes)": one CreatePermission per
 *    peer IP, refreshed every 240 s while the peer is retained. Data for a peer whose permission is still
 *    being created waits in a short queue, so the first ICE check through the relay is not lost.
 *  - channels: §11 — "a channel binding lasts for 10 minutes unless refreshed": ChannelBind refreshed every
 *    540 s; data to a bound peer goes as ChannelData (4 bytes of overhead instead of 36).
 *
 * Relayed data arrives as Data indications (§10.4) or ChannelData (§11.6), both carrying the peer's
 * address, which `onData` reports — the ICE agent needs it to tell the selected peer from anyone else.
 * For a UDP relay the owner of the socket hands over what arrives from the server (`receiveStun`,
 * `receiveChannelData`); a TCP/TLS relay reads its own stream (RFC 6062 framing: STUN and ChannelData
 * padded to four bytes, RFC 5766 §11.5).
 */
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import {
  describeTlsCertificateProblem,
  errorCode,
  formatAddress,
  sameAddress,
  tlsCertificateProblemOf,
} from '../../platform/index.ts';
import type {
  Clock,
  Network,
  SocketAddress,
  StreamConnection,
  Timer,
  TlsClientOptions,
} from '../../platform/index.ts';
import { StunEndpoint, stunOverStream } from './endpoint.ts';
import { LongTermCredentials } from './long-term-auth.ts';
import type { SignedAttributes } from './long-term-auth.ts';
import { StunMethod, TRANSPORT_UDP, encodeStunMessage, newTransactionId } from './message.ts';
import type { DecodedStunMessage, StunAttributes } from './message.ts';
import { encodeChannelData } from './stream-framer.ts';
import type { StunTiming } from './transaction.ts';

export type TurnRelayState =
  'idle' | 'connecting' | 'allocating' | 'allocated' | 'releasing' | 'released' | 'failed';

const MOVES: Readonly<Record<TurnRelayState, readonly TurnRelayState[]>> = {
  idle: ['connecting', 'allocating', 'released'],
  connecting: ['allocating', 'failed', 'released'],
  allocating: ['allocated', 'failed', 'released'],
  allocated: ['releasing', 'failed'],
  releasing: ['released'],
  released: [],
  failed: [],
};

/** How we reach a TURN server (the relayed address itself is always UDP, RFC 5766 §2.1). */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface TurnServerConfig {
  /** The server's transport address (resolved: the relay never does DNS). */
  readonly address: SocketAddress;
  readonly transport: TurnTransport;
  readonly username: string;
  readonly password: string;
  /** TLS parameters (servername, trust anchors) for `transport: 'tls'`. */
  readonly tls?: TlsClientOptions | undefined;
}

/** Where a UDP relay sends from: the socket the allocation is made from (the media socket, for ICE). */
export interface DatagramSender {
  readonly local: SocketAddress;
  send(data: Uint8Array, to: SocketAddress): void;
}

export type TurnLogLevel = 'debug' | 'info' | 'warn';
export type TurnLogger = (level: TurnLogLevel, message: string) => void;

export interface TurnRelayOptions {
  clock: Clock;
  server: TurnServerConfig;
  /** UDP: the socket to allocate from (received STUN/ChannelData is handed over by its owner). */
  socket?: DatagramSender;
  /** TCP/TLS: where the connection to the server comes from. */
  network?: Network;
  /** LIFETIME asked for in Allocate and Refresh (default 600 s, RFC 5766 §6.2's default). */
  lifetimeS?: number;
  /** Timing of every transaction (default RFC 5389's; the NAT tests pass their shorter one). */
  timing?: Partial<StunTiming>;
  /** Timing of the Allocate, over `timing` (the ICE agent passes RFC 8445 §14.3's gathering RTO). */
  allocateTiming?: Partial<StunTiming>;
  /** Connect timeout for TCP/TLS (default 5000 ms). */
  connectTimeoutMs?: number;
  /** SOFTWARE attribute of the requests (RFC 5389 §15.10). */
  software?: string;
  log?: TurnLogger;
  newTransactionId?: () => Buffer;
}

export type TurnRelayFailure =
  /** The TCP/TLS connection failed; `code` is the platform's error code (ETIMEDOUT, ERR_TLS_…). */
  | { readonly kind: 'connect'; readonly code: string | undefined; readonly reason: string }
  | { readonly kind: 'error-response'; readonly code: number; readonly reason: string }
  /** 401 to a request that carried our credentials (RFC 5389 §10.2.3). */
  | { readonly kind: 'wrong-credentials'; readonly reason: string }
  | { readonly kind: 'timeout'; readonly sends: number; readonly elapsedMs: number }
  | { readonly kind: 'transport'; readonly reason: string }
  | { readonly kind: 'invalid-response'; readonly reason: string }
  | { readonly kind: 'cancelled' };

export interface TurnAllocated {
  readonly relayed: SocketAddress;
  /** XOR-MAPPED-ADDRESS: our address as the server saw it (for UDP, a server-reflexive candidate). */
  readonly mapped: SocketAddress | undefined;
  readonly lifetimeS: number;
  /** The REALM of the server's challenge. */
  readonly realm: string | undefined;
  /** Duration of the Allocate transaction that succeeded. */
  readonly rttMs: number;
  /** From the first Allocate to the allocation, challenge round included (not the TCP/TLS connect). */
  readonly elapsedMs: number;
  /** Allocate requests sent: the challenged one, the authenticated one, one more per stale nonce. */
  readonly requests: number;
}

export type TurnRelayAllocateResult =
  | ({ readonly ok: true } & TurnAllocated)
  | { readonly ok: false; readonly failure: TurnRelayFailure; readonly requests: number };

/**
 * What `release()` achieved: the server confirmed LIFETIME 0 (or answered 437, RFC 5766 §7.2: the
 * allocation is gone already), with the round trip — undefined when nothing had been allocated — or the
 * Refresh failed and the allocation expires on the server by itself.
 */
export type TurnReleaseResult =
  | { readonly ok: true; readonly rttMs: number | undefined }
  | { readonly ok: false; readonly failure: TurnRelayFailure };

export interface TurnRelayStats {
  readonly allocationRefreshes: number;
  readonly permissionRequests: number;
  readonly channelBindRequests: number;
  readonly sendIndications: number;
  readonly channelDataSent: number;
  readonly dataIndications: number;
  readonly channelDataReceived: number;
  /** Data not relayed: no allocation, permission refused, queue full, unknown channel. */
  readonly dropped: number;
}

/** RFC 5766 §8: permissions last 300 s; refreshed a minute early. */
export const PERMISSION_REFRESH_MS = 240_000;
/** RFC 5766 §11: channel bindings last 600 s; refreshed a minute early. */
export const CHANNEL_REFRESH_MS = 540_000;
/** RFC 5766 §6.2: the default allocation lifetime. */
export const DEFAULT_TURN_LIFETIME_S = 600;
/** RFC 8656 §12: channel numbers 0x4000 through 0x4FFF. */
const FIRST_CHANNEL = 0x4000;
const LAST_CHANNEL = 0x4fff;
/** Packets held per peer while its permission is being created. */
const PERMISSION_QUEUE_LIMIT = 32;
/** At most this many requests per operation (challenge, stale nonces). */
const MAX_ATTEMPTS = 4;
/**
 * A release must not hold the end of a call for long: three sends, then four RTOs of waiting (3.5 s at
 * RFC 5389's RTO), or 3 s on a stream.
 */
const RELEASE_TIMING: Partial<StunTiming> = { maxSends: 3, finalWaitFactor: 4, streamTimeoutMs: 3000 };

interface Permission {
  readonly peer: SocketAddress;
  state: 'pending' | 'granted' | 'failed';
  queue: { data: Buffer; peer: SocketAddress }[];
  refresh: Timer | undefined;
}

interface Channel {
  readonly number: number;
  readonly peer: SocketAddress;
  state: 'pending' | 'bound' | 'failed';
  refresh: Timer | undefined;
}

/** `rttMs`: the last transaction's duration; `elapsedMs`: all of them; `requests`: how many were sent. */
interface RequestCost {
  rttMs: number;
  elapsedMs: number;
  requests: number;
}
type RequestOutcome =
  | ({ ok: true; response: DecodedStunMessage } & RequestCost)
  | ({ ok: false; failure: TurnRelayFailure } & RequestCost);

const silentLogger: TurnLogger = () => {};

/** Allocation refresh delay: 60 s before expiry, or half the lifetime for short ones. */
export function allocationRefreshDelayMs(lifetimeS: number): number {
  return lifetimeS > 120 ? (lifetimeS - 60) * 1000 : lifetimeS * 500;
}

export class TurnRelay {
  readonly server: TurnServerConfig;
  private readonly clock: Clock;
  private readonly options: TurnRelayOptions;
  private readonly log: TurnLogger;
  private readonly credentials: LongTermCredentials;
  private readonly lifetimeRequestS: number;
  private current: TurnRelayState = 'idle';
  private endpoint: StunEndpoint | undefined;
  private connection: StreamConnection | undefined;
  private readonly stateTimers = new Set<Timer>();
  private relayedAddress: SocketAddress | undefined;
  private mappedAddress: SocketAddress | undefined;
  private grantedLifetimeS = 0;
  private readonly permissions = new Map<string, Permission>();
  private readonly channels = new Map<string, Channel>();
  private readonly channelsByNumber = new Map<number, Channel>();
  private nextChannel = FIRST_CHANNEL;
  private releasing: Promise<TurnReleaseResult> | undefined;
  private readonly data = new Emitter<{ data: Buffer; peer: SocketAddress }>();
  private readonly failures = new Emitter<string>();
  private readonly counters = {
    allocationRefreshes: 0,
    permissionRequests: 0,
    channelBindRequests: 0,
    sendIndications: 0,
    channelDataSent: 0,
    dataIndications: 0,
    channelDataReceived: 0,
    dropped: 0,
  };

  constructor(options: TurnRelayOptions) {
    if (options.server.transport === 'udp' && options.socket === undefined) {
      throw new Error('TurnRelay over UDP needs the socket to allocate from');
    }
    if (options.server.transport !== 'udp' && options.network === undefined) {
      throw new Error(`TurnRelay over ${options.server.transport} needs a network to connect with`);
    }
    if (options.server.transport === 'tls' && options.server.tls === undefined) {
      throw new Error('TurnRelay over TLS needs TLS parameters (at least the servername)');
    }
    this.options = options;
    this.server = options.server;
    this.clock = options.clock;
    this.log = options.log ?? silentLogger;
    this.credentials = new LongTermCredentials(options.server.username, options.server.password);
    this.lifetimeRequestS = options.lifetimeS ?? DEFAULT_TURN_LIFETIME_S;
  }

  get state(): TurnRelayState {
    return this.current;
  }

  /** The relayed transport address (once allocated). */
  get relayed(): SocketAddress | undefined {
    return this.relayedAddress;
  }

  get mapped(): SocketAddress | undefined {
    return this.mappedAddress;
  }

  get lifetimeS(): number {
    return this.grantedLifetimeS;
  }

  /** Our end of the 5-tuple: the UDP socket's address, or the local end of the TCP/TLS connection. */
  get local(): SocketAddress | undefined {
    return this.server.transport === 'udp' ? this.options.socket?.local : this.connection?.local;
  }

  get stats(): TurnRelayStats {
    return { ...this.counters };
  }

  /** Peers (by IP) with a permission being kept alive. */
  get permittedPeers(): string[] {
    return [...this.permissions.entries()].filter(([, p]) => p.state === 'granted').map(([ip]) => ip);
  }

  /** Channel numbers bound, by peer (`address:port`). */
  get boundChannels(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, channel] of this.channels) if (channel.state === 'bound') out[key] = channel.number;
    return out;
  }

  /** Timers the relay holds (for leak checks). */
  get pendingTimers(): number {
    return this.stateTimers.size;
  }

  /** Relayed data with the address of the peer that sent it. */
  onData(listener: (data: Buffer, peer: SocketAddress) => void): Disposable {
    return this.data.on(({ data, peer }) => listener(data, peer));
  }

  /** The allocation was lost after it had been made (refresh refused, stream closed). */
  onFailure(listener: (reason: string) => void): Disposable {
    return this.failures.on(listener);
  }

  /** Connect (TCP/TLS) and Allocate a UDP relay (RFC 5766 §6.1). Never rejects: failures are values. */
  async allocate(): Promise<TurnRelayAllocateResult> {
    if (this.current !== 'idle') throw new Error(`TurnRelay.allocate in state ${this.current}`);
    const endpointOptions = {
      clock: this.clock,
      ...(this.options.timing ? { timing: this.options.timing } : {}),
      ...(this.options.software !== undefined ? { software: this.options.software } : {}),
      ...(this.options.newTransactionId ? { newTransactionId: this.options.newTransactionId } : {}),
    };
    if (this.server.transport === 'udp') {
      const socket = this.options.socket as DatagramSender;
      this.endpoint = new StunEndpoint({
        ...endpointOptions,
        send: (bytes, to) => socket.send(bytes, to),
        reliable: false,
      });
    } else {
      this.moveTo('connecting', `connect ${this.server.transport} ${formatAddress(this.server.address)}`);
      let connection: StreamConnection;
      try {
        connection = await (this.options.network as Network).connect({
          remote: this.server.address,
          ...(this.server.transport === 'tls' && this.server.tls ? { tls: this.server.tls } : {}),
          timeoutMs: this.options.connectTimeoutMs ?? 5000,
        });
      } catch (error) {
        const failure: TurnRelayFailure = {
          kind: 'connect',
          code: errorCode(error),
          reason: error instanceof Error ? error.message : String(error),
        };
        if (!this.is('connecting')) return { ok: false, failure: { kind: 'cancelled' }, requests: 0 };
        this.moveTo('failed', `connect failed (${describeTurnFailure(failure)})`);
        return { ok: false, failure, requests: 0 };
      }
      if (!this.is('connecting')) {
        connection.close();
        return { ok: false, failure: { kind: 'cancelled' }, requests: 0 };
      }
      this.connection = connection;
      this.endpoint = stunOverStream(connection, {
        ...endpointOptions,
        onChannelData: (channel, data) => this.receiveChannel(channel, data),
        onFailure: (reason) => this.streamFailed(reason),
      });
    }
    this.endpoint.onIndication(({ message }) => this.receiveIndication(message));

    this.moveTo('allocating', 'Allocate');
    const outcome = await this.request(
      StunMethod.allocate,
      { requestedTransport: TRANSPORT_UDP, lifetime: this.lifetimeRequestS },
      this.options.allocateTiming,
    );
    const { requests } = outcome;
    if (!this.is('allocating')) return { ok: false, failure: { kind: 'cancelled' }, requests };
    if (!outcome.ok) {
      this.moveTo('failed', `Allocate failed (${describeTurnFailure(outcome.failure)})`);
      return { ok: false, failure: outcome.failure, requests };
    }
    const relayed = outcome.response.attributes.xorRelayedAddress;
    const lifetime = outcome.response.attributes.lifetime;
    if (relayed === undefined || lifetime === undefined) {
      const failure: TurnRelayFailure = {
        kind: 'invalid-response',
        reason: 'Allocate success without XOR-RELAYED-ADDRESS or LIFETIME',
      };
      this.moveTo('failed', failure.reason);
      return { ok: false, failure, requests };
    }
    this.relayedAddress = relayed;
    this.mappedAddress = outcome.response.attributes.xorMappedAddress;
    this.grantedLifetimeS = lifetime;
    this.moveTo('allocated', `relayed ${formatAddress(relayed)}, lifetime ${lifetime} s`);
    this.armAllocationRefresh();
    return {
      ok: true,
      relayed,
      mapped: this.mappedAddress,
      lifetimeS: lifetime,
      realm: this.credentials.serverRealm,
      rttMs: outcome.rttMs,
      elapsedMs: outcome.elapsedMs,
      requests,
    };
  }

  /**
   * Relay `data` to `peer`: ChannelData when a channel is bound, else a Send indication (RFC 5766 §10.1).
   * The first packet to a new peer IP creates its permission and waits for it.
   */
  send(data: Uint8Array, peer: SocketAddress): void {
    if (this.current !== 'allocated') {
      this.counters.dropped++;
      return;
    }
    const permission = this.permissionFor(peer);
    switch (permission.state) {
      case 'granted':
        this.transmit(data, peer);
        return;
      case 'pending':
        if (permission.queue.length < PERMISSION_QUEUE_LIMIT)
          permission.queue.push({ data: Buffer.from(data), peer });
        else this.counters.dropped++;
        return;
      case 'failed':
        this.counters.dropped++;
        return;
    }
  }

  /** Make sure a permission for `peer`'s IP exists (RFC 5766 §9) and is kept fresh. */
  permit(peer: SocketAddress): void {
    if (this.current === 'allocated') this.permissionFor(peer);
  }

  /** Bind a channel to `peer` (RFC 5766 §11.1), for the selected pair's media. */
  bindChannel(peer: SocketAddress): void {
    if (this.current !== 'allocated') return;
    const key = formatAddress(peer);
    if (this.channels.has(key)) return;
    if (this.nextChannel > LAST_CHANNEL) {
      this.log('warn', `TURN ${this.label}: no channel number left for ${key}`);
      return;
    }
    this.permissionFor(peer);
    const channel: Channel = { number: this.nextChannel++, peer, state: 'pending', refresh: undefined };
    this.channels.set(key, channel);
    // RFC 5766 §11.2: the server may relay ChannelData as soon as it has bound the channel, possibly
    // before its success response reaches us: the number is known from now on.
    this.channelsByNumber.set(channel.number, channel);
    this.requestChannel(key, channel);
  }

  /**
   * Keep refreshing permissions and channels only for these peers (after ICE selected its pairs); the
   * others expire on the server by themselves.
   */
  retainPeers(peers: readonly SocketAddress[]): void {
    const ips = new Set(peers.map((p) => p.address));
    const keys = new Set(peers.map(formatAddress));
    for (const [ip, permission] of this.permissions) {
      if (ips.has(ip)) continue;
      this.cancelTimer(permission.refresh);
      this.permissions.delete(ip);
    }
    for (const [key, channel] of this.channels) {
      if (keys.has(key)) continue;
      this.cancelTimer(channel.refresh);
      this.channels.delete(key);
      this.channelsByNumber.delete(channel.number);
    }
  }

  /**
   * For a UDP relay: a STUN message that arrived on the media socket. Returns true when it was this
   * relay's (a response to one of its requests, or an indication from its server). The server may be
   * the STUN server too: Binding responses are left to their own client.
   */
  receiveStun(message: DecodedStunMessage, from: SocketAddress): boolean {
    if (this.server.transport !== 'udp' || !sameAddress(from, this.server.address)) return false;
    const endpoint = this.endpoint;
    if (endpoint === undefined) return false;
    switch (message.messageClass) {
      case 'success':
      case 'error':
        return endpoint.client.receive(message, from);
      case 'indication':
        endpoint.receiveMessage(message, from);
        return true;
      case 'request':
        return false;
    }
  }

  /** For a UDP relay: a ChannelData message that arrived on the media socket from `from`. */
  receiveChannelData(bytes: Buffer, from: SocketAddress): boolean {
    if (this.server.transport !== 'udp' || !sameAddress(from, this.server.address)) return false;
    if (bytes.length < 4) return true;
    const length = bytes.readUInt16BE(2);
    if (4 + length > bytes.length) {
      this.counters.dropped++;
      return true;
    }
    this.receiveChannel(bytes.readUInt16BE(0), bytes.subarray(4, 4 + length));
    return true;
  }

  /**
   * Give the allocation back (Refresh with LIFETIME 0, RFC 5766 §7.1) and close the stream. Idempotent:
   * a second call answers what the first one did. Never rejects.
   */
  release(): Promise<TurnReleaseResult> {
    const nothingAllocated: TurnReleaseResult = { ok: true, rttMs: undefined };
    switch (this.current) {
      case 'idle':
      case 'connecting':
      case 'allocating':
        // An Allocate still in flight is abandoned; should the server answer it after all, that
        // allocation lives until its lifetime runs out (nothing can be released without its response).
        this.moveTo('released', 'released before the allocation was made');
        this.closeTransport();
        this.releasing = Promise.resolve(nothingAllocated);
        return this.releasing;
      case 'allocated':
        this.moveTo('releasing', 'release');
        this.releasing = this.request(StunMethod.refresh, { lifetime: 0 }, RELEASE_TIMING).then(
          (outcome): TurnReleaseResult => {
            // RFC 5766 §7.2: 437 Allocation Mismatch means the allocation is gone already (it expired, or
            // this is the answer to a retransmitted release) — released all the same.
            const gone =
              !outcome.ok && outcome.failure.kind === 'error-response' && outcome.failure.code === 437;
            const result: TurnReleaseResult =
              outcome.ok || gone
                ? { ok: true, rttMs: outcome.rttMs }
                : { ok: false, failure: outcome.failure };
            this.moveTo(
              'released',
              result.ok
                ? outcome.ok
                  ? 'LIFETIME 0 accepted'
                  : 'the server had no such allocation (437)'
                : `release not confirmed (${describeTurnFailure(result.failure)})`,
            );
            this.closeTransport();
            return result;
          },
        );
        return this.releasing;
      case 'releasing':
      case 'released':
        return this.releasing ?? Promise.resolve(nothingAllocated);
      case 'failed':
        // Refused, timed out or lost: there is no allocation of ours left to give back.
        this.closeTransport();
        return Promise.resolve(nothingAllocated);
    }
  }

  // ───────────────────────────── internals ─────────────────────────────

  /** The state now (read after an await, where the compiler's narrowing is stale). */
  private is(state: TurnRelayState): boolean {
    return this.current === state;
  }

  private get label(): string {
    return `${this.server.transport} ${formatAddress(this.server.address)}`;
  }

  /** The one transition function: table-checked, logged; leaving a state cancels its timers. */
  private moveTo(next: TurnRelayState, cause: string): void {
    const from = this.current;
    if (!MOVES[from].includes(next))
      throw new Error(`TurnRelay ${this.label}: illegal move ${from} → ${next} (${cause})`);
    for (const timer of this.stateTimers) timer.cancel();
    this.stateTimers.clear();
    if (from === 'allocated') {
      for (const permission of this.permissions.values()) {
        permission.refresh = undefined;
        this.counters.dropped += permission.queue.length;
        permission.queue = [];
      }
      for (const channel of this.channels.values()) channel.refresh = undefined;
    }
    this.current = next;
    this.log('debug', `TURN ${this.label}: ${from} → ${next} (${cause})`);
  }

  private stateTimer(ms: number, fire: () => void): Timer {
    const owner = this.current;
    const timer = this.clock.setTimer(ms, () => {
      this.stateTimers.delete(timer);
      if (this.current !== owner) throw new Error(`TurnRelay: timer of ${owner} fired in ${this.current}`);
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

  private armAllocationRefresh(): void {
    this.stateTimer(allocationRefreshDelayMs(this.grantedLifetimeS), () => {
      this.counters.allocationRefreshes++;
      void this.request(StunMethod.refresh, { lifetime: this.lifetimeRequestS }).then((outcome) => {
        if (this.current !== 'allocated') return;
        if (!outcome.ok) {
          const reason = `allocation refresh failed (${describeTurnFailure(outcome.failure)})`;
          this.moveTo('failed', reason);
          this.failures.emit(reason);
          return;
        }
        this.grantedLifetimeS = outcome.response.attributes.lifetime ?? this.lifetimeRequestS;
        this.armAllocationRefresh();
      });
    });
  }

  private permissionFor(peer: SocketAddress): Permission {
    const existing = this.permissions.get(peer.address);
    if (existing !== undefined) return existing;
    const permission: Permission = { peer, state: 'pending', queue: [], refresh: undefined };
    this.permissions.set(peer.address, permission);
    this.requestPermission(permission);
    return permission;
  }

  private requestPermission(permission: Permission): void {
    this.counters.permissionRequests++;
    // RFC 5766 §9.1: "the port portion of each attribute is ignored" — the permission is per IP.
    void this.request(StunMethod.createPermission, { xorPeerAddress: permission.peer }).then((outcome) => {
      if (this.current !== 'allocated' || this.permissions.get(permission.peer.address) !== permission)
        return;
      if (!outcome.ok) {
        this.log(
          'warn',
          `TURN ${this.label}: permission for ${permission.peer.address} refused (${describeTurnFailure(outcome.failure)})`,
        );
        permission.state = 'failed';
        this.counters.dropped += permission.queue.length;
        permission.queue = [];
        return;
      }
      permission.state = 'granted';
      const queued = permission.queue;
      permission.queue = [];
      for (const item of queued) this.transmit(item.data, item.peer);
      permission.refresh = this.stateTimer(PERMISSION_REFRESH_MS, () => {
        permission.refresh = undefined;
        this.requestPermission(permission);
      });
    });
  }

  private requestChannel(key: string, channel: Channel): void {
    this.counters.channelBindRequests++;
    void this.request(StunMethod.channelBind, {
      channelNumber: channel.number,
      xorPeerAddress: channel.peer,
    }).then((outcome) => {
      if (this.current !== 'allocated' || this.channels.get(key) !== channel) return;
      if (!outcome.ok) {
        this.log(
          'warn',
          `TURN ${this.label}: ChannelBind for ${key} refused (${describeTurnFailure(outcome.failure)})`,
        );
        channel.state = 'failed';
        this.channelsByNumber.delete(channel.number);
        return;
      }
      channel.state = 'bound';
      channel.refresh = this.stateTimer(CHANNEL_REFRESH_MS, () => {
        channel.refresh = undefined;
        this.requestChannel(key, channel);
      });
    });
  }

  private transmit(data: Uint8Array, peer: SocketAddress): void {
    const channel = this.channels.get(formatAddress(peer));
    if (channel !== undefined && channel.state === 'bound') {
      this.counters.channelDataSent++;
      // RFC 5766 §11.5: over TCP/TLS ChannelData is padded to a multiple of four bytes; over UDP it need not be.
      this.writeToServer(encodeChannelData(channel.number, data, this.server.transport !== 'udp'));
      return;
    }
    this.counters.sendIndications++;
    this.writeToServer(
      encodeStunMessage(
        {
          method: StunMethod.send,
          messageClass: 'indication',
          transactionId: (this.options.newTransactionId ?? newTransactionId)(),
          attributes: { xorPeerAddress: peer, data: Buffer.from(data) },
        },
        { fingerprint: true },
      ),
    );
  }

  private writeToServer(bytes: Uint8Array): void {
    if (this.server.transport === 'udp')
      (this.options.socket as DatagramSender).send(bytes, this.server.address);
    else this.connection?.write(bytes);
  }

  private receiveIndication(message: DecodedStunMessage): void {
    if (message.method !== StunMethod.data) return;
    const peer = message.attributes.xorPeerAddress;
    const payload = message.attributes.data;
    if (peer === undefined || payload === undefined || !this.relaying()) {
      this.counters.dropped++;
      return;
    }
    this.counters.dataIndications++;
    this.data.emit({ data: payload, peer });
  }

  private receiveChannel(number: number, payload: Buffer): void {
    const channel = this.channelsByNumber.get(number);
    if (channel === undefined || !this.relaying()) {
      this.counters.dropped++;
      return;
    }
    this.counters.channelDataReceived++;
    this.data.emit({ data: Buffer.from(payload), peer: channel.peer });
  }

  private relaying(): boolean {
    return this.current === 'allocated' || this.current === 'releasing';
  }

  private streamFailed(reason: string): void {
    if (this.current === 'allocated') {
      this.moveTo('failed', `stream to the server lost (${reason})`);
      this.failures.emit(`stream to the TURN server lost (${reason})`);
    }
  }

  private closeTransport(): void {
    this.endpoint?.dispose();
    this.endpoint = undefined;
    this.connection?.close();
    this.connection = undefined;
    this.data.clear();
    this.failures.clear();
  }

  /** Send `method` until it succeeds or fails for good, answering 401/438 challenges (RFC 5389 §10.2.3). */
  private async request(
    method: number,
    attributes: StunAttributes,
    timing?: Partial<StunTiming>,
  ): Promise<RequestOutcome> {
    let elapsedMs = 0;
    for (let attempt = 1; ; attempt++) {
      const endpoint = this.endpoint;
      if (endpoint === undefined)
        return { ok: false, failure: { kind: 'cancelled' }, rttMs: 0, elapsedMs, requests: attempt - 1 };
      const signed: SignedAttributes = this.credentials.sign(attributes);
      const result = await endpoint.client.request(
        { method, attributes: signed.attributes },
        this.server.address,
        {
          ...(signed.integrityKey ? { integrityKey: signed.integrityKey } : {}),
          ...(timing ? { timing } : {}),
        },
      );
      elapsedMs += result.elapsedMs;
      const cost: RequestCost = { rttMs: result.elapsedMs, elapsedMs, requests: attempt };
      switch (result.outcome) {
        case 'success':
          return { ok: true, response: result.response, ...cost };
        case 'error-response': {
          const decision = this.credentials.learn(result.response, signed);
          if (decision.action === 'retry' && attempt < MAX_ATTEMPTS) continue;
          const { code, reason } = result.error;
          const failure: TurnRelayFailure =
            decision.action === 'give-up' && decision.cause === 'wrong-credentials'
              ? { kind: 'wrong-credentials', reason }
              : { kind: 'error-response', code, reason };
          return { ok: false, failure, ...cost };
        }
        case 'invalid-response':
          return { ok: false, failure: { kind: 'invalid-response', reason: result.reason }, ...cost };
        case 'timeout':
          return {
            ok: false,
            failure: { kind: 'timeout', sends: result.sends, elapsedMs: result.elapsedMs },
            ...cost,
          };
        case 'cancelled':
          return { ok: false, failure: { kind: 'cancelled' }, ...cost };
        case 'transport-failed':
          return { ok: false, failure: { kind: 'transport', reason: result.reason }, ...cost };
      }
    }
  }
}

/** One line for logs and diagnostics (a refused TLS certificate in words: "TLS certificate not trusted"). */
export function describeTurnFailure(failure: TurnRelayFailure): string {
  switch (failure.kind) {
    case 'connect': {
      const problem = tlsCertificateProblemOf(failure.code);
      return problem === undefined
        ? `connect: ${failure.code ?? 'error'}: ${failure.reason}`
        : `TLS ${describeTlsCertificateProblem(problem)} (${failure.code ?? 'error'}: ${failure.reason})`;
    }
    case 'transport':
    case 'invalid-response':
      return `${failure.kind}: ${failure.reason}`;
    case 'error-response':
      return `${failure.code} ${failure.reason}`;
    case 'wrong-credentials':
      return `wrong credentials (${failure.reason})`;
    case 'timeout':
    case 'cancelled':
      return failure.kind;
  }
}
