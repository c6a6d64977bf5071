/**
 * The diagnostics domain of the phone API: runs the NAT check (`diagnostics.run`), streams its steps
 * (`diagnostics.progress`), publishes and keeps the reports per account (`diagnostics.report`,
 * `diagnostics.lastReport`), and re-runs the checks it has made when the network changes (NatMonitor).
 * One check at a time: a second `diagnostics.run` while one runs is a conflict.
 *
 * It is also the accounts' NAT auto-configuration (`autoConfigure`): when an account registers, its
 * check (its domain's SRV servers and its configured ones, with the SIP ALG observation of its
 * registration) runs in the background — one at a time, without progress events, never in the way of a
 * `diagnostics.run` — and the report is kept for the account's calls (ICE servers and policy) and handed
 * to the account (keepalive from the binding lifetime). A check that measures the binding lifetime (up to
 * a minute of waiting) runs twice: first without it, so that calls get their servers and policy within
 * seconds, then in full. Network changes re-run it with the others.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type { NatCheckRequest, NatReport } from '../../src-shared/model/nat.ts';
import type { SipAlgObservation } from '../nat/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { Clock, Network, NetworkChange, Resolver } from '../platform/index.ts';
import { NatMonitor, runNatCheck } from '../nat/index.ts';
import type { TlsTrust } from '../nat/index.ts';
import type { ScopedLog } from './log.ts';
import type { CommandHandlers } from './router.ts';

export interface DiagnosticsServiceOptions {
  clock: Clock;
  network: Network;
  resolver: Resolver;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  log: ScopedLog;
  /** Network changes to re-run the checks on (the platform's NetworkMonitor); none: no re-runs. */
  networkChanges?: { onChange(listener: (change: NetworkChange) => void): Disposable };
  /** SOFTWARE attribute of our STUN requests. */
  software?: string;
  tls?: TlsTrust;
  /** STUN servers tried when nothing is configured or published. */
  defaultStun?: readonly string[];
}

/** Reports of checks made without an account are kept under this key. */
const NO_ACCOUNT = '';

/** One account's background NAT auto-configuration. */
export interface NatAutoConfigJob {
  readonly accountId: string;
  readonly request: NatCheckRequest;
  /** What the registration sent and got back (SIP ALG detection); read when the check runs. */
  readonly sipAlg?: () => SipAlgObservation | undefined;
  /** Every report of this account's check (the first one, and each re-run after a network change). */
  readonly onReport?: (report: NatReport) => void;
}

/** What the accounts and calls need of the auto-configuration (DiagnosticsService fits). */
export interface NatAutoConfiguration {
  autoConfigure(job: NatAutoConfigJob): void;
  /** The account's last report, undefined before one. */
  reportOf(accountId: string): NatReport | undefined;
}

interface RememberedCheck {
  readonly request: NatCheckRequest;
  readonly job?: NatAutoConfigJob;
}

export class DiagnosticsService implements NatAutoConfiguration {
  readonly handlers: Pick<CommandHandlers, 'diagnostics.run' | 'diagnostics.lastReport'>;
  private readonly options: DiagnosticsServiceOptions;
  private readonly reports = new Map<string, NatReport>();
  /** The last request per account, re-run after network changes. */
  private readonly requests = new Map<string, RememberedCheck>();
  private readonly monitor: NatMonitor | undefined;
  /** A `diagnostics.run` in progress. */
  private running: AbortController | undefined;
  /** Background checks: the one running, the ones waiting (latest job per account). */
  private background: AbortController | undefined;
  private readonly queued = new Map<string, NatAutoConfigJob>();
  private backgroundIdle: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: DiagnosticsServiceOptions) {
    this.options = options;
    this.handlers = {
      'diagnostics.run': (request) => this.run(request),
      'diagnostics.lastReport': (request) => this.reports.get(request.accountId ?? NO_ACCOUNT) ?? null,
    };
    if (options.networkChanges) {
      this.monitor = new NatMonitor({
        clock: options.clock,
        changes: options.networkChanges,
        run: (reason) => this.rerunAll(reason),
      });
    }
  }

  /** Run one check; its progress and report also go out as events. */
  async run(request: NatCheckRequest): Promise<NatReport> {
    if (this.closed) throw new PhoneError('unavailable', 'The phone is shutting down.');
    if (this.running)
      throw new PhoneError('conflict', 'A NAT check is already running; wait for its report.');
    const controller = new AbortController();
    this.running = controller;
    try {
      const report = await this.check(request, controller, undefined);
      const account = request.accountId ?? NO_ACCOUNT;
      const job = this.requests.get(account)?.job;
      this.requests.set(account, { request, ...(job !== undefined && { job }) });
      return report;
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Run an account's NAT check in the background (queued behind the one running; a newer job for the
   * same account replaces a waiting one) and keep its report for the account.
   */
  autoConfigure(job: NatAutoConfigJob): void {
    if (this.closed) return;
    this.queued.set(job.accountId, job);
    this.requests.set(job.accountId, { request: job.request, job });
    if (this.background === undefined) this.backgroundIdle = this.drainBackground();
  }

  reportOf(accountId: string): NatReport | undefined {
    return this.reports.get(accountId);
  }

  /** Resolves when no background check runs or waits (tests). */
  get idle(): Promise<void> {
    return this.backgroundIdle;
  }

  /** Stop running checks and the monitor. Idempotent. */
  close(): void {
    this.closed = true;
    this.queued.clear();
    this.running?.abort();
    this.background?.abort();
    this.monitor?.dispose();
  }

  private async drainBackground(): Promise<void> {
    for (let next = this.takeQueued(); next !== undefined && !this.closed; next = this.takeQueued()) {
      const controller = new AbortController();
      this.background = controller;
      const request = { ...next.request, accountId: next.accountId.slice(0, 100) };
      try {
        const passes = request.lifetime === false ? [request] : [{ ...request, lifetime: false }, request];
        for (const pass of passes) {
          if (this.closed || controller.signal.aborted || this.queued.has(next.accountId)) break;
          const report = await this.check(pass, controller, next);
          if (!this.closed && !controller.signal.aborted) next.onReport?.(report);
        }
      } catch (error) {
        this.options.log.warn(
          `NAT auto-configuration of ${next.accountId} failed: ${(error as Error).message}`,
        );
      } finally {
        this.background = undefined;
      }
    }
  }

  private takeQueued(): NatAutoConfigJob | undefined {
    const first = this.queued.entries().next();
    if (first.done === true) return undefined;
    this.queued.delete(first.value[0]);
    return first.value[1];
  }

  /** One check; `job` set for a background one (no progress events, the registration's SIP ALG data). */
  private async check(
    request: NatCheckRequest,
    controller: AbortController,
    job: NatAutoConfigJob | undefined,
  ): Promise<NatReport> {
    const o = this.options;
    o.log.info(
      `NAT check started${request.domain ? ` for ${request.domain}` : ''}${job !== undefined ? ` (auto-configuration of ${job.accountId})` : ''}`,
    );
    const sipAlg = job?.sipAlg?.();
    const report = await runNatCheck({
      clock: o.clock,
      network: o.network,
      resolver: o.resolver,
      request,
      signal: controller.signal,
      ...(o.software !== undefined ? { software: o.software } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.defaultStun ? { defaultStun: o.defaultStun } : {}),
      ...(sipAlg !== undefined ? { sipAlg } : {}),
      onProgress: (progress) => {
        if (!this.closed && job === undefined) o.emit('diagnostics.progress', progress);
      },
    });
    const account = request.accountId ?? NO_ACCOUNT;
    this.reports.set(account, report);
    this.monitor?.remember(account, report);
    o.log.info(
      `NAT check done: ${report.natType}, verdict ${report.verdict}, ${Math.round(report.durationMs)} ms`,
    );
    if (!this.closed) o.emit('diagnostics.report', report);
    return report;
  }

  /** NatMonitor's re-run: every account's last request again, without the (long) lifetime test. */
  private async rerunAll(reason: string): Promise<Map<string, NatReport>> {
    const out = new Map<string, NatReport>();
    if (this.running || this.background) return out;
    this.options.log.info(`re-running NAT checks: ${reason}`);
    for (const [account, remembered] of this.requests) {
      if (this.closed) break;
      const controller = new AbortController();
      this.running = controller;
      try {
        const report = await this.check(
          { ...remembered.request, lifetime: false },
          controller,
          remembered.job,
        );
        out.set(account, report);
        if (!this.closed) remembered.job?.onReport?.(report);
      } finally {
        this.running = undefined;
      }
    }
    return out;
  }
}
