/**
 * `Phone`: the one service API of the softphone. Commands in (the contract's handlers), typed events out.
 * The Electron IPC binding, the `softphone` CLI and the e2e test host all drive this same object; nothing
 * above it knows SIP, nothing below it knows Electron.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { EventName, EventPayloadOf, PhoneEvent } from '../../src-shared/ipc/index.ts';
import type { AppInfo, HostKind } from '../../src-shared/model/app.ts';
import type { Clock, Network, NetworkChange, Resolver } from '../platform/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { DiagnosticsService, StoredNatReports } from './diagnostics-service.ts';
import { AccountsService, type PhoneSipOptions } from './accounts-service.ts';
import { CallsService, type AudioDeviceProvider, type CallsIceOptions } from './calls-service.ts';
import type { Store } from '../store/index.ts';
import type { CallHistoryRecorder } from './call-history-recorder.ts';
import { ContactsService } from './contacts-service.ts';
import { HistoryService } from './history-service.ts';
import { StorageAccess } from './storage-access.ts';
import { PhoneLog } from './log.ts';
import { SiplogService } from './siplog-service.ts';
import { OnboardingService } from './onboarding-service.ts';
import type { CommandHandlers } from './router.ts';
import { InMemorySettings, StoredSettings, type SettingsStore } from './settings.ts';

export interface PhoneOptions {
  host: HostKind;
  /** Folder for the database and other per-user files. */
  dataDir: string;
  clock: Clock;
  network: Network;
  resolver: Resolver;
  app: { name: string; version: string };
  versions: AppInfo['versions'];
  platform: { os: string; arch: string };
  settings?: SettingsStore;
  /**
   * The open store (accounts, contacts, call log, settings), owned by the phone from here on: `close()`
   * closes it. Without one, settings live in memory and contacts/history answer `unavailable`.
   */
  store?: Store;
  /**
   * Network changes (the platform's NetworkMonitor), shared by accounts (re-register), diagnostics (NAT
   * checks re-run) and calls (ICE restarts).
   */
  networkChanges?: { onChange(listener: (change: NetworkChange) => void): Disposable };
  /** Handed over by the host, disposed by `close()` (the shared NetworkMonitor). */
  disposeOnClose?: readonly Disposable[];
  /** ICE overrides of the phone (the CLI's --relay-only, loopback candidates in tests). */
  ice?: CallsIceOptions;
  /** SIP settings that are not per account (TLS trust anchors, retry timing for tests…). */
  sip?: PhoneSipOptions;
  /** Where calls get their audio (also settable later: `phone.calls.useAudio`). */
  audio?: AudioDeviceProvider;
}

export class Phone {
  readonly events = new Emitter<PhoneEvent>();
  readonly log: PhoneLog;
  readonly handlers: CommandHandlers;
  private readonly options: PhoneOptions;
  private readonly settings: SettingsStore;
  private readonly startedAt: number;
  private readonly diagnostics: DiagnosticsService;
  private readonly contacts: ContactsService;
  private readonly history: HistoryService;
  /** SIP accounts and their registrations (and the SIP user agent they share). */
  readonly accounts: AccountsService;
  /** Where the calls layer reports calls for the call log. */
  readonly callHistory: CallHistoryRecorder;
  /** Calls (placed from and to the accounts). */
  readonly calls: CallsService;
  /** The SIP message log (memory only). */
  readonly siplog: SiplogService;
  private readonly onboarding: OnboardingService;
  private closed = false;

  constructor(options: PhoneOptions) {
    this.options = options;
    this.log = new PhoneLog(options.clock);
    this.log.entries.on((entry) => this.emit('app.log', entry));
    const storage = new StorageAccess(options.store ?? null);
    this.settings =
      options.settings ?? (storage.present ? new StoredSettings(storage) : new InMemorySettings());
    this.startedAt = Math.floor(options.clock.now());
    // The extra TLS trust anchors of SIP apply to stuns:/turns: servers too: NAT checks and calls.
    const tlsCa =
      options.sip?.tlsCa !== undefined && options.sip.tlsCa.length > 0 ? options.sip.tlsCa : undefined;
    this.diagnostics = new DiagnosticsService({
      clock: options.clock,
      network: options.network,
      resolver: options.resolver,
      emit: (name, payload) => this.emit(name, payload),
      log: this.log.scope('nat'),
      software: `${options.app.name} ${options.app.version}`,
      ...(tlsCa !== undefined && { tls: { ca: [...tlsCa] } }),
      ...(options.networkChanges ? { networkChanges: options.networkChanges } : {}),
      ...(storage.present ? { persistence: new StoredNatReports(storage) } : {}),
    });
    const emit: Phone['emit'] = (name, payload) => this.emit(name, payload);
    this.contacts = new ContactsService({ storage, emit });
    this.history = new HistoryService({
      store: options.store ?? null,
      storage,
      emit,
      log: this.log.scope('history'),
    });
    this.callHistory = this.history.recorder;
    this.siplog = new SiplogService({ clock: options.clock, emit });
    this.onboarding = new OnboardingService({ clock: options.clock, resolver: options.resolver });
    this.events.on((e) => {
      if (e.name === 'accounts.changed') this.siplog.setAccounts(e.payload);
    });
    this.accounts = new AccountsService({
      clock: options.clock,
      network: options.network,
      resolver: options.resolver,
      storage,
      emit,
      log: this.log.scope('sip'),
      version: options.app.version,
      ...(options.networkChanges ? { networkChanges: options.networkChanges } : {}),
      ...(options.sip ? { sip: options.sip } : {}),
      onTransport: (transport) => this.siplog.attach(transport),
      natAutoConfiguration: this.diagnostics,
      natSettings: () => this.settings.get().nat,
    });
    this.calls = new CallsService({
      clock: options.clock,
      network: options.network,
      accounts: this.accounts,
      history: this.callHistory,
      emit,
      log: this.log.scope('calls'),
      settings: () => this.settings.get(),
      ...(options.audio ? { audio: options.audio } : {}),
      resolver: options.resolver,
      natReports: this.diagnostics,
      ...(options.networkChanges ? { networkChanges: options.networkChanges } : {}),
      ...(options.ice ? { ice: options.ice } : {}),
      ...(tlsCa !== undefined && { tlsCa }),
    });
    // Calls are served on the accounts' user agent as soon as it exists.
    this.events.on((e) => {
      if (e.name === 'accounts.changed') this.calls.accountsChanged();
    });
    this.handlers = {
      ...this.diagnostics.handlers,
      ...this.contacts.handlers,
      ...this.history.handlers,
      ...this.accounts.handlers,
      ...this.calls.handlers,
      ...this.siplog.handlers,
      ...this.onboarding.handlers,
      'app.info': () => this.info(),
      'app.logHistory': (req) => this.log.recent(req.limit ?? 200),
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => {
        const next = this.settings.patch(patch);
        this.emit('settings.changed', next);
        return next;
      },
    };
    // Enabled accounts register at start (asynchronously; progress comes as accounts.changed).
    this.accounts.startEnabled();
  }

  emit<N extends EventName>(name: N, payload: EventPayloadOf<N>): void {
    this.events.emit({ name, payload } as PhoneEvent);
  }

  info(): AppInfo {
    const o = this.options;
    return {
      name: o.app.name,
      version: o.app.version,
      host: o.host,
      platform: o.platform.os,
      arch: o.platform.arch,
      versions: o.versions,
      dataDir: o.dataDir,
      startedAt: this.startedAt,
    };
  }

  /** Release everything (unregister accounts, end calls, close sockets and the store). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Hang up (bounded), then un-REGISTER (bounded) while the transports and the store are still there.
    await this.calls.close();
    await this.accounts.close();
    this.siplog.close();
    this.onboarding.close();
    this.diagnostics.close();
    for (const resource of this.options.disposeOnClose ?? []) resource.dispose();
    this.options.store?.close();
    this.events.clear();
    this.log.entries.clear();
  }
}
