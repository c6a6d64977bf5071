/**
 * The checklist of the phone's one data stream (RFC 8445 §6.1.2): forming and pruning pairs, their
 * initial states, the triggered-check queue, and which check the Ta pacer sends next (§6.1.4.2).
 * It decides; the agent sends.
 */
import { sameAddress } from '../../../platform/index.ts';
import type { IceRole } from './candidate.ts';
import { isLinkLocalIpv6 } from './candidate.ts';
import { CandidatePair, comparePairs, sameBase } from './candidate-pair.ts';
import type { LocalCandidate, RemoteCandidate } from './candidate-pair.ts';

/** RFC 8445 §6.1.2.5: "limit the number of candidate pairs in the checklist … default … 100". */
export const DEFAULT_MAX_PAIRS = 100;

export interface TriggeredCheck {
  readonly pair: CandidatePair;
  /** Carry USE-CANDIDATE (the controlling agent's nomination, §8.1.1). */
  readonly nominate: boolean;
}

/**
 * §6.1.2.2 forming pairs: "A local candidate is paired with a remote candidate if and only if the two
 * candidates have the same component ID and have the same IP address version", link-local IPv6 only with
 * link-local. §6.1.2.4 pruning: "the agent MUST replace a server-reflexive candidate with its base" and
 * remove a pair whose local and remote candidates equal those of a higher-priority pair. One step further,
 * for the wildcard socket every host candidate of a component shares: pairs that send from the same base
 * to the same remote address are the same 5-tuple on the wire (the kernel picks the source address), so
 * only the highest-priority one is kept.
 */
export function formPairs(
  locals: readonly LocalCandidate[],
  remotes: readonly RemoteCandidate[],
  role: IceRole,
  baseCandidateOf: (candidate: LocalCandidate) => LocalCandidate,
  maxPairs = DEFAULT_MAX_PAIRS,
): CandidatePair[] {
  const pairs: CandidatePair[] = [];
  for (const candidate of locals) {
    if (candidate.type === 'prflx') continue;
    const local = candidate.type === 'srflx' ? baseCandidateOf(candidate) : candidate;
    for (const remote of remotes) {
      if (!pairable(local, remote)) continue;
      const pair = new CandidatePair(local, remote, role, 'frozen');
      const twin = pairs.findIndex((p) => p.sameRoute(pair));
      if (twin < 0) pairs.push(pair);
      else if (comparePairs(pair, pairs[twin] as CandidatePair) < 0) pairs[twin] = pair;
    }
  }
  pairs.sort(comparePairs);
  // §6.1.2.5: "the agent SHOULD prune the lowest-priority candidate pairs … until the number … is equal to
  // the limit".
  return pairs.slice(0, maxPairs);
}

export function pairable(local: LocalCandidate, remote: RemoteCandidate): boolean {
  return (
    local.component === remote.component &&
    local.address.family === remote.address.family &&
    isLinkLocalIpv6(local.address.address) === isLinkLocalIpv6(remote.address.address) &&
    remote.address.port > 0
  );
}

export class CheckList {
  private readonly pairList: CandidatePair[] = [];
  private readonly queue: TriggeredCheck[] = [];
  private readonly validList: CandidatePair[] = [];

  /** Pairs in the checklist, highest priority first. */
  get pairs(): readonly CandidatePair[] {
    return this.pairList;
  }

  get triggered(): readonly TriggeredCheck[] {
    return this.queue;
  }

  get valid(): readonly CandidatePair[] {
    return this.validList;
  }

  add(pair: CandidatePair): void {
    pair.inChecklist = true;
    this.pairList.push(pair);
    this.pairList.sort(comparePairs);
  }

  find(local: LocalCandidate, remote: RemoteCandidate): CandidatePair | undefined {
    return this.pairList.find((p) => p.sameEndpoints(local, remote));
  }

  /** A valid pair (in the checklist or not) with these candidates. */
  findValid(local: LocalCandidate, remote: RemoteCandidate): CandidatePair | undefined {
    return this.validList.find((p) => p.sameEndpoints(local, remote));
  }

  /** A pair sending from the base of `local` to the address of `remote`. */
  findRoute(local: LocalCandidate, remote: RemoteCandidate): CandidatePair | undefined {
    return this.pairList.find(
      (p) => sameBase(p.local.base, local.base) && sameAddress(p.remote.address, remote.address),
    );
  }

  addValid(pair: CandidatePair): void {
    if (pair.valid) return;
    pair.valid = true;
    this.validList.push(pair);
    this.validList.sort(comparePairs);
  }

  /** The role changed: pair priorities (§6.1.2.3) and hence the order change. */
  reprioritize(role: IceRole, extra: readonly CandidatePair[]): void {
    const all = new Set([...this.pairList, ...this.validList, ...extra]);
    for (const pair of all) pair.updatePriority(role);
    this.pairList.sort(comparePairs);
    this.validList.sort(comparePairs);
  }

  /**
   * §6.1.2.6 initial states: all Frozen, then "for each foundation, the agent sets the state of exactly one
   * candidate pair to the Waiting state … the first candidate pair (ordered by the lowest component ID and
   * then the highest priority if component IDs are equal)".
   */
  unfreezeInitial(log: (message: string) => void): void {
    const ordered = [...this.pairList].sort((a, b) => a.component - b.component || comparePairs(a, b));
    const seen = new Set<string>();
    for (const pair of ordered) {
      if (seen.has(pair.foundation)) continue;
      seen.add(pair.foundation);
      if (pair.state === 'frozen') pair.moveTo('waiting', 'initial unfreeze (§6.1.2.6)', log);
    }
  }

  /** §7.2.5.3.3: "the agent changes the states for all other Frozen pairs … with the same foundation to Waiting". */
  unfreezeFoundation(foundation: string, log: (message: string) => void): void {
    for (const pair of this.pairList) {
      if (pair.foundation === foundation && pair.state === 'frozen') {
        pair.moveTo('waiting', 'same foundation succeeded (§7.2.5.3.3)', log);
      }
    }
  }

  /** Put a pair in the triggered-check queue (FIFO, §6.1.4.1); a pair is queued at most once. */
  enqueueTriggered(pair: CandidatePair, nominate: boolean): void {
    const i = this.queue.findIndex((t) => t.pair === pair);
    if (i >= 0) {
      if (nominate && !(this.queue[i] as TriggeredCheck).nominate) this.queue[i] = { pair, nominate };
      return;
    }
    this.queue.push({ pair, nominate });
  }

  /**
   * Take a pair's ordinary triggered check off the queue (its check just ended). A queued nomination of
   * the pair stays: a late answer to an older transaction must not swallow it.
   */
  dequeueTriggered(pair: CandidatePair): void {
    const i = this.queue.findIndex((t) => t.pair === pair && !t.nominate);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** §8.1.2: a nominated component's pairs leave the checklist and the triggered-check queue. */
  removeComponent(component: number): CandidatePair[] {
    const removed = this.pairList.filter((p) => p.component === component);
    for (const pair of removed) pair.inChecklist = false;
    this.pairList.splice(0, this.pairList.length, ...this.pairList.filter((p) => p.component !== component));
    this.queue.splice(0, this.queue.length, ...this.queue.filter((t) => t.pair.component !== component));
    return removed;
  }

  /**
   * The next check for the Ta pacer (§6.1.4.2):
   *  1. the head of the triggered-check queue;
   *  2. "If there is no candidate pair in the Waiting state … For a given foundation, if there is no pair
   *     … in the Waiting or In-Progress state, the agent puts the candidate pair state to Waiting";
   *  3. "the highest-priority candidate pair … in the Waiting state" (lowest component on a tie).
   * Undefined: nothing to send now (the pacer sleeps until something changes).
   */
  nextCheck(log: (message: string) => void): TriggeredCheck | undefined {
    const triggered = this.queue.shift();
    if (triggered !== undefined) return triggered;
    let waiting = this.pairList.find((p) => p.state === 'waiting');
    if (waiting === undefined) {
      for (const pair of this.pairList) {
        if (pair.state !== 'frozen') continue;
        const busy = this.pairList.some(
          (p) => p.foundation === pair.foundation && (p.state === 'waiting' || p.state === 'in-progress'),
        );
        if (!busy) pair.moveTo('waiting', 'no pair of its foundation active (§6.1.4.2)', log);
      }
      waiting = this.pairList.find((p) => p.state === 'waiting');
    }
    return waiting === undefined ? undefined : { pair: waiting, nominate: false };
  }

  /** Whether `nextCheck` would find something to send. */
  hasWork(): boolean {
    if (this.queue.length > 0) return true;
    if (this.pairList.some((p) => p.state === 'waiting')) return true;
    return this.pairList.some(
      (pair) =>
        pair.state === 'frozen' &&
        !this.pairList.some(
          (p) => p.foundation === pair.foundation && (p.state === 'waiting' || p.state === 'in-progress'),
        ),
    );
  }

  /** Pairs still to be decided (§7.2.5.4: the checklist fails when none is left and a component has no valid pair). */
  unfinished(component?: number): CandidatePair[] {
    return this.pairList.filter(
      (p) =>
        (component === undefined || p.component === component) &&
        p.state !== 'succeeded' &&
        p.state !== 'failed',
    );
  }

  count(state: CandidatePair['state']): number {
    return this.pairList.filter((p) => p.state === state).length;
  }
}
