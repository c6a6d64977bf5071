/**
 * Local and remote candidates as the agent holds them, and the candidate pair with its state machine
 * (RFC 8445 §6.1.2.6, §7.2.5, §7.3.1.4):
 *
 *   frozen ──unfreeze──▶ waiting ──check sent (Ta pacer)──▶ in-progress ──response──▶ succeeded
 *    (§6.1.2.6, §6.1.4.2,    ▲  ▲                                │    │
 *     §7.2.5.3.3), or        │  └── triggered while in progress ─┘    └── timeout, error response,
 *     triggered (§7.3.1.4)   │      (§7.3.1.4), 487 repair (§7.2.5.1)       asymmetric (§7.2.5.2) ──▶ failed
 *                            └────────────────── triggered (§7.3.1.4) ─────────────────────────────────┘
 *   waiting / failed ──▶ succeeded: a late answer to the transaction a triggered check had cancelled
 *
 * A pair leaves the checklist when its component is nominated (§8.1.2); that is not a state. Valid pairs
 * that no check generated directly (§7.2.5.3.2: "the agent MUST construct a new candidate pair") are made
 * in `succeeded`.
 */
import { sameAddress } from '../../../platform/index.ts';
import type { TurnRelay } from '../../stun/index.ts';
import type { IceCandidate, IceComponent, IceRole } from './candidate.ts';
import { describeCandidate, pairPriority } from './candidate.ts';
import type { ComponentTransport } from './component-transport.ts';

/** Where a local candidate sends from: the component's socket, or a TURN relay. */
export type CandidateBase =
  | { readonly kind: 'socket'; readonly component: IceComponent; readonly transport: ComponentTransport }
  | { readonly kind: 'relay'; readonly component: IceComponent; readonly relay: TurnRelay };

export interface LocalCandidate extends IceCandidate {
  readonly id: number;
  readonly base: CandidateBase;
  readonly localPreference: number;
}

export interface RemoteCandidate extends IceCandidate {
  readonly id: number;
  /** A peer-reflexive candidate learned from a check (§7.3.1.3), not from the SDP. */
  readonly learned: boolean;
}

export type PairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

const PAIR_MOVES: Readonly<Record<PairState, readonly PairState[]>> = {
  frozen: ['waiting'],
  waiting: ['in-progress', 'succeeded', 'failed'],
  'in-progress': ['succeeded', 'failed', 'waiting'],
  succeeded: [],
  failed: ['waiting', 'succeeded'],
};

export interface PairCounters {
  requestsSent: number;
  retransmissions: number;
  responsesReceived: number;
  requestsReceived: number;
  /** Round trip of the last unambiguous (single-send) check. */
  rttMs: number | undefined;
}

export class CandidatePair {
  readonly id: string;
  readonly local: LocalCandidate;
  readonly remote: RemoteCandidate;
  readonly component: IceComponent;
  /** §6.1.2.6: "a combination of the foundations of the local and remote candidates". */
  readonly foundation: string;
  private current: PairState;
  private pairPriority: bigint;
  /** In the valid list (§7.2.5.3.2). */
  valid = false;
  /** Nominated (§7.2.5.3.4, §7.3.1.5). */
  nominated = false;
  /** Controlled: the peer nominated this pair before our check on it succeeded (§7.3.1.5). */
  nominateOnSuccess = false;
  /** A nomination check on it failed: not to be nominated again. */
  nominationFailed = false;
  /** The valid pair a successful check on this pair produced. */
  validPair: CandidatePair | undefined;
  /** Still in the checklist (pairs of a nominated component are removed, §8.1.2). */
  inChecklist = false;
  readonly counters: PairCounters = {
    requestsSent: 0,
    retransmissions: 0,
    responsesReceived: 0,
    requestsReceived: 0,
    rttMs: undefined,
  };

  constructor(local: LocalCandidate, remote: RemoteCandidate, role: IceRole, state: PairState) {
    if (local.component !== remote.component)
      throw new Error('a candidate pair joins candidates of one component');
    this.id = `${local.id}:${remote.id}`;
    this.local = local;
    this.remote = remote;
    this.component = local.component;
    this.foundation = `${local.foundation}:${remote.foundation}`;
    this.current = state;
    this.pairPriority = computePairPriority(local, remote, role);
  }

  get state(): PairState {
    return this.current;
  }

  get priority(): bigint {
    return this.pairPriority;
  }

  /** §6.1.2.3 depends on who is controlling: recomputed when the role changes (§7.3.1.1). */
  updatePriority(role: IceRole): void {
    this.pairPriority = computePairPriority(this.local, this.remote, role);
  }

  /** The pair's one transition function: illegal moves are bugs. */
  moveTo(next: PairState, cause: string, log?: (message: string) => void): void {
    if (next === this.current) return;
    if (!PAIR_MOVES[this.current].includes(next)) {
      throw new Error(`candidate pair ${this.describe()}: illegal move ${this.current} → ${next} (${cause})`);
    }
    log?.(`pair ${this.describe()}: ${this.current} → ${next} (${cause})`);
    this.current = next;
  }

  sameEndpoints(local: LocalCandidate, remote: RemoteCandidate): boolean {
    return this.local === local && this.remote === remote;
  }

  /** Sends from the same base to the same remote transport address (what the wire sees). */
  sameRoute(other: CandidatePair): boolean {
    return (
      sameBase(this.local.base, other.local.base) && sameAddress(this.remote.address, other.remote.address)
    );
  }

  describe(): string {
    return `${this.component} ${describeCandidate(this.local)} → ${describeCandidate(this.remote)}`;
  }
}

export function sameBase(a: CandidateBase, b: CandidateBase): boolean {
  if (a.kind === 'socket' && b.kind === 'socket') return a.transport === b.transport;
  if (a.kind === 'relay' && b.kind === 'relay') return a.relay === b.relay;
  return false;
}

function computePairPriority(local: IceCandidate, remote: IceCandidate, role: IceRole): bigint {
  return role === 'controlling'
    ? pairPriority(local.priority, remote.priority)
    : pairPriority(remote.priority, local.priority);
}

/** Highest priority first; on a tie the lower component first (§6.1.4.2 step 3). */
export function comparePairs(a: CandidatePair, b: CandidatePair): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  return a.component - b.component;
}
