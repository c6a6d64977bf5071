/**
 * The diagnostics domain of the phone API: runs the NAT check (`diagnostics.run`), streams its steps
 * (`diagnostics.progress`), publishes and keeps the reports per account (`diagnostics.report`,
 * `diagnostics.lastReport`), and re-runs the checks it has made when the network changes (NatMonitor).
 * One check at a time: a second `diagnostics.run` while one runs is a conflict.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import type { NatCheckRequest, NatReport } from '../../src-shared/model/nat.ts';
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

export class DiagnosticsService {
  readonly handlers: Pick<CommandHandlers, 'diagnostics.run' | 'diagnostics.lastReport'>;
  private readonly options: DiagnosticsServiceOptions;
  private readonly reports = new Map<string, NatReport>();
  /** The last request per account, re-run after network changes. */
  private readonly requests = new Map<string, NatCheckRequest>();
  private readonly monitor: NatMonitor | undefined;
  private running: AbortController | undefined;
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
    const report = await this.check(request);
    this.requests.set(request.accountId ?? NO_ACCOUNT, request);
    return report;
  }

  /** Stop a running check and the monitor. Idempotent. */
  close(): void {
    this.closed = true;
    this.running?.abort();
    this.monitor?.dispose();
  }

  private async check(request: NatCheckRequest): Promise<NatReport> {
    const controller = new AbortController();
    this.running = controller;
    const o = this.options;
    o.log.info(`NAT check started${request.domain ? ` for ${request.domain}` : ''}`);
    try {
      const report = await runNatCheck({
        clock: o.clock,
        network: o.network,
        resolver: o.resolver,
        request,
        signal: controller.signal,
        ...(o.software !== undefined ? { software: o.software } : {}),
        ...(o.tls ? { tls: o.tls } : {}),
        ...(o.defaultStun ? { defaultStun: o.defaultStun } : {}),
        onProgress: (progress) => {
          if (!this.closed) o.emit('diagnostics.progress', progress);
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
    } finally {
      this.running = undefined;
    }
  }

  /** NatMonitor's re-run: every account's last request again, without the (long) lifetime test. */
  private async rerunAll(reason: string): Promise<Map<string, NatReport>> {
    const out = new Map<string, NatReport>();
    if (this.running) return out;
    this.options.log.info(`re-running NAT checks: ${reason}`);
    for (const [account, request] of this.requests) {
      if (this.closed) break;
      out.set(account, await this.check({ ...request, lifetime: false }));
    }
    return out;
  }
}
