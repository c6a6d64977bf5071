/**
 * Keeps the NAT report of each account fresh: re-runs the check when the network changes (an address came
 * or went, the machine woke up), since the NAT, the public address or the whole network may be different.
 *
 *     idle ──network change──▶ settling ──debounce elapsed──▶ running ──done──▶ idle
 *                                  ▲  │ (more changes restart the wait)   │
 *                                  │  └───────────────────────────────────┘
 *                                  └── a change while running: one more run afterwards
 *
 * A burst of changes (Wi-Fi reconnecting brings several addresses) gives one run, after `debounceMs` of
 * quiet. The settling state owns the debounce timer.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { NatReport } from '../../src-shared/model/nat.ts';
import type { Clock, NetworkChange, Timer } from '../platform/index.ts';

export type NatMonitorState = 'idle' | 'settling' | 'running' | 'disposed';

export interface NatMonitorOptions {
  clock: Clock;
  /** The platform's NetworkMonitor (or anything with its onChange). */
  changes: { onChange(listener: (change: NetworkChange) => void): Disposable };
  /** Run the checks of every account; answers the reports by account id ('' for no account). */
  run: (reason: string) => Promise<Map<string, NatReport>>;
  /** Quiet time after the last change before re-running (default 3000 ms). */
  debounceMs?: number;
}

export interface NatReportUpdate {
  accountId: string;
  report: NatReport;
  reason: string;
}

export class NatMonitor implements Disposable {
  private current: NatMonitorState = 'idle';
  private timer: Timer | undefined;
  private rerun = false;
  private pendingReason = '';
  private readonly reports = new Map<string, NatReport>();
  private readonly updates = new Emitter<NatReportUpdate>();
  private readonly subscription: Disposable;
  private readonly options: NatMonitorOptions;
  private readonly debounceMs: number;

  constructor(options: NatMonitorOptions) {
    this.options = options;
    this.debounceMs = options.debounceMs ?? 3_000;
    this.subscription = options.changes.onChange((change) => this.changed(change));
  }

  get state(): NatMonitorState {
    return this.current;
  }

  /** The latest report of an account ('' for checks without one). */
  latest(accountId = ''): NatReport | undefined {
    return this.reports.get(accountId);
  }

  /** Keep a report that was produced elsewhere (an explicit `diagnostics.run`). */
  remember(accountId: string, report: NatReport): void {
    this.reports.set(accountId, report);
  }

  onReport(listener: (update: NatReportUpdate) => void): Disposable {
    return this.updates.on(listener);
  }

  /** Re-run now-ish (after the debounce), as a network change would. */
  trigger(reason: string): void {
    this.schedule(reason);
  }

  dispose(): void {
    if (this.current === 'disposed') return;
    this.moveTo('disposed');
    this.subscription.dispose();
    this.updates.clear();
  }

  private changed(change: NetworkChange): void {
    switch (change.kind) {
      case 'interfaces-changed':
        this.schedule(
          `network changed (${[...change.added.map((a) => `+${a.address}`), ...change.removed.map((a) => `-${a.address}`)].join(' ')})`,
        );
        return;
      case 'resumed':
        this.schedule(`resumed after ${Math.round(change.sleptMs / 1000)} s asleep`);
        return;
    }
  }

  private schedule(reason: string): void {
    this.pendingReason = reason;
    switch (this.current) {
      case 'idle':
      case 'settling':
        this.moveTo('settling');
        return;
      case 'running':
        this.rerun = true;
        return;
      case 'disposed':
        return;
    }
  }

  /** The one transition function; the settling state's timer starts on entry and is cancelled on exit. */
  private moveTo(next: NatMonitorState): void {
    if (this.current === 'disposed') throw new Error(`NatMonitor: illegal move disposed → ${next}`);
    this.timer?.cancel();
    this.timer = undefined;
    this.current = next;
    if (next === 'settling')
      this.timer = this.options.clock.setTimer(this.debounceMs, () => void this.runChecks());
  }

  private async runChecks(): Promise<void> {
    this.moveTo('running');
    const reason = this.pendingReason;
    let reports: Map<string, NatReport>;
    try {
      reports = await this.options.run(reason);
    } catch {
      reports = new Map();
    }
    if (this.current === 'disposed') return;
    for (const [accountId, report] of reports) {
      this.reports.set(accountId, report);
      this.updates.emit({ accountId, report, reason });
    }
    if (this.rerun) {
      this.rerun = false;
      this.moveTo('settling');
    } else {
      this.moveTo('idle');
    }
  }
}
