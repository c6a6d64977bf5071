/**
 * Watches for the two things that silently break a phone's registrations and calls:
 *
 *  - interfaces-changed: an address appeared or went (Wi-Fi switch, VPN up/down, cable pulled). Found by
 *    polling `interfaces()` every `pollMs` and comparing (name, address, family) sets.
 *  - resumed: the machine was suspended. Found by comparing clocks between two polls: on Linux and macOS
 *    the monotonic clock stops during suspend while wall time runs on, so wall time advances by much more
 *    than monotonic time; where the monotonic clock keeps running (Windows), the poll timer fires late
 *    instead. `sleptMs` is the larger of the two gaps; `resumeThresholdMs` keeps busy event loops and small
 *    NTP steps from counting as a suspend.
 *
 * On a poll that sees both, 'resumed' is emitted first. A backwards wall-clock step is not a resume.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { Clock, Network, NetworkInterfaceAddress, Timer } from './ports.ts';

export type NetworkChange =
  | { kind: 'interfaces-changed'; added: NetworkInterfaceAddress[]; removed: NetworkInterfaceAddress[] }
  | { kind: 'resumed'; sleptMs: number };

export interface NetworkMonitorOptions {
  clock: Clock;
  /** Where the interface list comes from (a Network, or anything with interfaces()). */
  source: Pick<Network, 'interfaces'>;
  /** Poll period in ms (default 5000). */
  pollMs?: number;
  /** Least unexplained gap, in ms, reported as a suspend (default 10_000). */
  resumeThresholdMs?: number;
}

export class NetworkMonitor implements Disposable {
  readonly pollMs: number;
  readonly resumeThresholdMs: number;
  private readonly clock: Clock;
  private readonly source: Pick<Network, 'interfaces'>;
  private readonly changes = new Emitter<NetworkChange>();
  private timer: Timer | undefined;
  private known: Map<string, NetworkInterfaceAddress> = new Map();
  private lastWall = 0;
  private lastMonotonic = 0;

  constructor(options: NetworkMonitorOptions) {
    this.clock = options.clock;
    this.source = options.source;
    this.pollMs = options.pollMs ?? 5000;
    this.resumeThresholdMs = options.resumeThresholdMs ?? 10_000;
    if (!(this.pollMs > 0)) throw new RangeError(`pollMs must be > 0, got ${this.pollMs}`);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The interface addresses seen at the last poll. */
  current(): NetworkInterfaceAddress[] {
    return [...this.known.values()].map((a) => ({ ...a }));
  }

  onChange(listener: (change: NetworkChange) => void): Disposable {
    return this.changes.on(listener);
  }

  /** Take the first snapshot (no event for it) and start polling. Idempotent. */
  start(): void {
    if (this.timer !== undefined) return;
    this.known = snapshot(this.source.interfaces());
    this.markTime();
    this.schedule();
  }

  /** Poll now (e.g. after a transport error) instead of waiting; restarts the period. */
  checkNow(): void {
    const timer = this.timer;
    if (timer === undefined) return;
    timer.cancel();
    this.poll(false);
    // A listener may have stopped the monitor.
    if (this.timer === timer) this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    this.changes.clear();
  }

  private schedule(): void {
    const timer = this.clock.setTimer(this.pollMs, () => {
      this.poll(true);
      if (this.timer === timer) this.schedule();
    });
    this.timer = timer;
  }

  private poll(onSchedule: boolean): void {
    const wallGap = this.clock.now() - this.lastWall;
    const monotonicGap = this.clock.monotonic() - this.lastMonotonic;
    this.markTime();
    // Monotonic clock stopped during the suspend, or the timer fired late because it kept running.
    const sleptMs = Math.max(wallGap - monotonicGap, onSchedule ? monotonicGap - this.pollMs : 0);
    if (sleptMs >= this.resumeThresholdMs) this.changes.emit({ kind: 'resumed', sleptMs });

    const now = snapshot(this.source.interfaces());
    const added = [...now].filter(([key]) => !this.known.has(key)).map(([, a]) => a);
    const removed = [...this.known].filter(([key]) => !now.has(key)).map(([, a]) => a);
    this.known = now;
    if (added.length > 0 || removed.length > 0)
      this.changes.emit({ kind: 'interfaces-changed', added, removed });
  }

  private markTime(): void {
    this.lastWall = this.clock.now();
    this.lastMonotonic = this.clock.monotonic();
  }
}

function snapshot(addresses: NetworkInterfaceAddress[]): Map<string, NetworkInterfaceAddress> {
  return new Map(addresses.map((a) => [`${a.name}|${a.family}|${a.address}`, { ...a }]));
}
