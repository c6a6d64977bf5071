/**
 * A TURN allocation's control plane (RFC 5766 §6, §7): Allocate with long-term credentials, Refresh, and
 * release (Refresh with LIFETIME 0). It runs on any `StunEndpoint` — a UDP socket, or a TCP/TLS stream to
 * the server — so it obeys our Clock and sockets, and it always gives the allocation back.
 *
 *     idle ──allocate──▶ allocating ──success──▶ allocated ──release──▶ releasing ──▶ released
 *                            │                      │  ▲
 *                            └──failure──▶ failed   └──┘ refresh
 *
 * werift's TurnProtocol does the same exchange but on its own sockets, with Node's timers and DNS, and
 * its close() leaves the allocation on the server until its lifetime runs out; a diagnostic that tests
 * every configured server should not leave a trail of allocations behind.
 *
 * Error handling (RFC 5766 §6.4): 401 → resend with credentials (once; a second 401 means wrong
 * credentials); 438 Stale Nonce → resend with the new nonce; 300 Try Alternate, 403, 420, 437 Allocation
 * Mismatch, 440, 442, 486 Allocation Quota Reached, 508 Insufficient Capacity → failure, reported with
 * the server's code and reason.
 */
import type { SocketAddress } from '../../platform/index.ts';
import type { StunTransactionResult } from './client.ts';
import type { StunEndpoint } from './endpoint.ts';
import { LongTermCredentials } from './long-term-auth.ts';
import type { SignedAttributes } from './long-term-auth.ts';
import { StunMethod, TRANSPORT_UDP } from './message.ts';
import type { DecodedStunMessage, StunAttributes } from './message.ts';
import type { StunTiming } from './transaction.ts';

export type TurnAllocationState = 'idle' | 'allocating' | 'allocated' | 'releasing' | 'released' | 'failed';

export type TurnFailure =
  | { kind: 'error-response'; code: number; reason: string; alternateServer?: SocketAddress }
  | { kind: 'wrong-credentials'; code: 401; reason: string }
  | { kind: 'timeout'; sends: number; elapsedMs: number }
  | { kind: 'transport'; reason: string }
  | { kind: 'invalid-response'; reason: string };

export interface TurnAllocated {
  relayedAddress: SocketAddress;
  /** XOR-MAPPED-ADDRESS: our address as the TURN server saw it. */
  mappedAddress: SocketAddress | undefined;
  lifetimeS: number;
  /** Time of the transaction that succeeded. */
  rttMs: number;
  /** Time from the first Allocate to the allocation, challenge round included. */
  elapsedMs: number;
  /** Requests sent (challenge and retries included). */
  requests: number;
  realm: string | undefined;
  software: string | undefined;
}

export type TurnAllocateResult =
  ({ ok: true } & TurnAllocated) | { ok: false; failure: TurnFailure; requests: number };
export type TurnReleaseResult = { ok: true; rttMs: number } | { ok: false; failure: TurnFailure };

export interface TurnAllocationOptions {
  endpoint: StunEndpoint;
  server: SocketAddress;
  username: string;
  password: string;
  /** Timing of each transaction (default: the endpoint's). */
  timing?: Partial<StunTiming>;
}

/** At most this many requests per operation (challenge, stale nonces). */
const MAX_ATTEMPTS = 4;

export class TurnAllocation {
  private current: TurnAllocationState = 'idle';
  private readonly options: TurnAllocationOptions;
  private readonly credentials: LongTermCredentials;

  constructor(options: TurnAllocationOptions) {
    this.options = options;
    this.credentials = new LongTermCredentials(options.username, options.password);
  }

  get state(): TurnAllocationState {
    return this.current;
  }

  /** Allocate a UDP relay (RFC 5766 §6.1). */
  async allocate(options: { lifetimeS?: number } = {}): Promise<TurnAllocateResult> {
    this.moveTo('allocating', 'allocate');
    const attributes: StunAttributes = {
      requestedTransport: TRANSPORT_UDP,
      ...(options.lifetimeS !== undefined ? { lifetime: options.lifetimeS } : {}),
    };
    const outcome = await this.authenticatedRequest(StunMethod.allocate, attributes);
    if (!outcome.ok) {
      this.moveTo('failed', outcome.failure.kind);
      return { ok: false, failure: outcome.failure, requests: outcome.requests };
    }
    const { response, rttMs, elapsedMs, requests } = outcome;
    const relayed = response.attributes.xorRelayedAddress;
    const lifetime = response.attributes.lifetime;
    if (relayed === undefined || lifetime === undefined) {
      this.moveTo('failed', 'invalid-response');
      return {
        ok: false,
        failure: {
          kind: 'invalid-response',
          reason: 'Allocate success without XOR-RELAYED-ADDRESS or LIFETIME',
        },
        requests,
      };
    }
    this.moveTo('allocated', 'allocate success');
    return {
      ok: true,
      relayedAddress: relayed,
      mappedAddress: response.attributes.xorMappedAddress,
      lifetimeS: lifetime,
      rttMs,
      elapsedMs,
      requests,
      realm: this.credentials.serverRealm,
      software: response.attributes.software,
    };
  }

  /** Refresh the allocation (RFC 5766 §7.1); answers the lifetime the server granted. */
  async refresh(
    lifetimeS: number,
  ): Promise<{ ok: true; lifetimeS: number } | { ok: false; failure: TurnFailure }> {
    if (this.current !== 'allocated') throw new Error(`TURN refresh in state ${this.current}`);
    const outcome = await this.authenticatedRequest(StunMethod.refresh, { lifetime: lifetimeS });
    if (!outcome.ok) return { ok: false, failure: outcome.failure };
    return { ok: true, lifetimeS: outcome.response.attributes.lifetime ?? lifetimeS };
  }

  /**
   * Delete the allocation: Refresh with LIFETIME 0 (RFC 5766 §7.1). A 437 answer means the server has no
   * such allocation any more (a retransmitted release, or it expired): released as well.
   */
  async release(): Promise<TurnReleaseResult> {
    this.moveTo('releasing', 'release');
    const outcome = await this.authenticatedRequest(StunMethod.refresh, { lifetime: 0 });
    if (!outcome.ok && !(outcome.failure.kind === 'error-response' && outcome.failure.code === 437)) {
      this.moveTo('released', `release failed: ${outcome.failure.kind}`);
      return { ok: false, failure: outcome.failure };
    }
    this.moveTo('released', 'refresh lifetime 0');
    return { ok: true, rttMs: outcome.ok ? outcome.rttMs : 0 };
  }

  /** The one transition function. */
  private moveTo(next: TurnAllocationState, cause: string): void {
    const allowed: Record<TurnAllocationState, readonly TurnAllocationState[]> = {
      idle: ['allocating'],
      allocating: ['allocated', 'failed'],
      allocated: ['releasing'],
      releasing: ['released'],
      released: [],
      failed: [],
    };
    if (!allowed[this.current].includes(next))
      throw new Error(`TURN allocation: illegal move ${this.current} → ${next} (${cause})`);
    this.current = next;
  }

  /** Send `method` until it succeeds or fails for good, answering challenges on the way. */
  private async authenticatedRequest(
    method: number,
    attributes: StunAttributes,
  ): Promise<
    | { ok: true; response: DecodedStunMessage; rttMs: number; elapsedMs: number; requests: number }
    | { ok: false; failure: TurnFailure; requests: number }
  > {
    let elapsedMs = 0;
    for (let attempt = 1; ; attempt++) {
      const signed: SignedAttributes = this.credentials.sign(attributes);
      const result: StunTransactionResult = await this.options.endpoint.client.request(
        { method, attributes: signed.attributes },
        this.options.server,
        {
          ...(signed.integrityKey ? { integrityKey: signed.integrityKey } : {}),
          ...(this.options.timing ? { timing: this.options.timing } : {}),
        },
      );
      elapsedMs += result.elapsedMs;
      switch (result.outcome) {
        case 'success':
          return {
            ok: true,
            response: result.response,
            rttMs: result.elapsedMs,
            elapsedMs,
            requests: attempt,
          };
        case 'error-response': {
          const decision = this.credentials.learn(result.response, signed);
          if (decision.action === 'retry' && attempt < MAX_ATTEMPTS) continue;
          const { code, reason } = result.error;
          if (decision.action === 'give-up' && decision.cause === 'wrong-credentials') {
            return {
              ok: false,
              failure: { kind: 'wrong-credentials', code: 401, reason },
              requests: attempt,
            };
          }
          const alternate = result.response.attributes.alternateServer;
          return {
            ok: false,
            failure: {
              kind: 'error-response',
              code,
              reason,
              ...(alternate ? { alternateServer: alternate } : {}),
            },
            requests: attempt,
          };
        }
        case 'invalid-response':
          return {
            ok: false,
            failure: { kind: 'invalid-response', reason: result.reason },
            requests: attempt,
          };
        case 'timeout':
          return {
            ok: false,
            failure: { kind: 'timeout', sends: result.sends, elapsedMs: result.elapsedMs },
            requests: attempt,
          };
        case 'cancelled':
          return { ok: false, failure: { kind: 'transport', reason: 'cancelled' }, requests: attempt };
        case 'transport-failed':
          return { ok: false, failure: { kind: 'transport', reason: result.reason }, requests: attempt };
      }
    }
  }
}
