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
 *
 * Reports outlive the process when the phone has a store (`persistence`, StoredNatReports): each new
 * report — of a `diagnostics.run`, a background auto-configuration or a re-run — is saved as its
 * account's last, and the ones saved by earlier sessions are loaded when the service is built. A failure
 * to save is logged and does not fail the check; a failure to load starts with none. A loaded report is
 * served to `diagnostics.lastReport` (the Diagnostics screen shows it with the time it was made) until a
 * check of this session replaces it, but it is deliberately NOT answered by `reportOf`: it describes the
 * network of an earlier session (maybe another place, another NAT, another public address), so calls do
 * not take their ICE servers and policy from it — an account's calls wait for its first check of this
 * session, as on a first start. Removing an account (`forget`) drops its report here too; the store drops
 * its row with the account.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import { assertNever } from '../../src-shared/util/emitter.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type { NatCheckRequest, NatReport } from '../../src-shared/model/nat.ts';
import type { SipAlgObservation } from '../nat/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { Clock, Network, NetworkChange, Resolver } from '../platform/index.ts';
import { NatMonitor, runNatCheck } from '../nat/index.ts';
import type { TlsTrust } from '../nat/index.ts';
import type { ScopedLog } from './log.ts';
import type { CommandHandlers } from './router.ts';
import { describeIssues, type StorageAccess } from './storage-access.ts';

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
  /** Where the reports outlive the process (the store); none: they live in memory only. */
  persistence?: NatReportPersistence;
}

/** Where the last report per account outlives the process. */
export interface NatReportPersistence {
  /** The reports saved by earlier sessions, by account key ('' for checks made without an account). */
  load(): Iterable<readonly [string, NatReport]>;
  /** Keep `report` as the account's last; false when it is not kept (the key names no stored account). */
  save(accountKey: string, report: NatReport): boolean;
}

/** NatReportPersistence on the store (NatReportRepository); storage failures throw PhoneError. */
export class StoredNatReports implements NatReportPersistence {
  private readonly storage: StorageAccess;

  constructor(storage: StorageAccess) {
    this.storage = storage;
  }

  load(): Map<string, NatReport> {
    const saved = this.storage.use('NAT reports', (store) => store.natReports.all());
    return new Map(saved.map((s) => [s.accountKey, s.report]));
  }

  save(accountKey: string, report: NatReport): boolean {
    const saved = this.storage.use('NAT reports', (store) => store.natReports.save(accountKey, report));
    if (saved.ok) return true;
    switch (saved.error.code) {
      case 'not-found':
        return false;
      case 'invalid':
        throw new Error(`the store refused the report: ${describeIssues(saved.error.issues)}`);
      default:
        return assertNever(saved.error);
    }
  }
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
  /** The account's last report of this session, undefined before one. */
  reportOf(accountId: string): NatReport | undefined;
  /** The account is gone: drop its report, its waiting check and its re-runs. */
  forget(accountId: string): void;
}

interface RememberedCheck {
  readonly request: NatCheckRequest;
  readonly job?: NatAutoConfigJob;
}

export class DiagnosticsService implements NatAutoConfiguration {
  readonly handlers: Pick<CommandHandlers, 'diagnostics.run' | 'diagnostics.lastReport'>;
  private readonly options: DiagnosticsServiceOptions;
  /** Reports of this session's checks. */
  private readonly reports = new Map<string, NatReport>();
  /** Reports saved by earlier sessions, for `diagnostics.lastReport` only (see the header). */
  private readonly earlier = new Map<string, NatReport>();
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
      'diagnostics.lastReport': (request) => this.lastReport(request.accountId ?? NO_ACCOUNT) ?? null,
    };
    this.loadEarlier();
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

  /** This session's report of the account only: a saved one describes an earlier session's network. */
  reportOf(accountId: string): NatReport | undefined {
    return this.reports.get(accountId);
  }

  /** What `diagnostics.lastReport` answers: this session's report, else the one saved before. */
  lastReport(accountKey: string): NatReport | undefined {
    return this.reports.get(accountKey) ?? this.earlier.get(accountKey);
  }

  forget(accountId: string): void {
    this.reports.delete(accountId);
    this.earlier.delete(accountId);
    this.requests.delete(accountId);
    this.queued.delete(accountId);
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
    o.log.info(
      `NAT check done: ${report.natType}, verdict ${report.verdict}, ${Math.round(report.durationMs)} ms`,
    );
    // A background check of an account removed while it ran: nothing to keep it for.
    const forgotten = job !== undefined && !this.requests.has(job.accountId);
    if (!forgotten) {
      this.reports.set(account, report);
      this.earlier.delete(account);
      this.monitor?.remember(account, report);
      if (!this.closed) this.save(account, report);
    }
    if (!this.closed) o.emit('diagnostics.report', report);
    return report;
  }

  private loadEarlier(): void {
    const persistence = this.options.persistence;
    if (persistence === undefined) return;
    try {
      for (const [account, report] of persistence.load()) this.earlier.set(account, report);
    } catch (error) {
      this.options.log.warn(`could not load the saved NAT reports: ${messageOf(error)}`);
    }
  }

  /** Keep the report beyond this session; a storage failure is logged and does not fail the check. */
  private save(account: string, report: NatReport): void {
    const persistence = this.options.persistence;
    if (persistence === undefined) return;
    const whose = account === NO_ACCOUNT ? 'checks without an account' : account;
    try {
      if (!persistence.save(account, report))
        this.options.log.debug(`NAT report of ${whose} not saved: no such stored account`);
    } catch (error) {
      this.options.log.warn(`could not save the NAT report of ${whose}: ${messageOf(error)}`);
    }
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
