/**
 * `Phone`: the one service API of the softphone. Commands in (the contract's handlers), typed events out.
 * The Electron IPC binding, the `softphone` CLI and the e2e test host all drive this same object; nothing
 * above it knows SIP, nothing below it knows Electron.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { EventName, EventPayloadOf, PhoneEvent } from '../../src-shared/ipc/index.ts';
import type { AppInfo, HostKind } from '../../src-shared/model/app.ts';
import type { Clock, Network, Resolver } from '../platform/index.ts';
import { PhoneLog } from './log.ts';
import type { CommandHandlers } from './router.ts';
import { InMemorySettings, type SettingsStore } from './settings.ts';

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
}

export class Phone {
  readonly events = new Emitter<PhoneEvent>();
  readonly log: PhoneLog;
  readonly handlers: CommandHandlers;
  private readonly options: PhoneOptions;
  private readonly settings: SettingsStore;
  private readonly startedAt: number;
  private closed = false;

  constructor(options: PhoneOptions) {
    this.options = options;
    this.log = new PhoneLog(options.clock);
    this.log.entries.on((entry) => this.emit('app.log', entry));
    this.settings = options.settings ?? new InMemorySettings();
    this.startedAt = Math.floor(options.clock.now());
    this.handlers = {
      'app.info': () => this.info(),
      'app.logHistory': (req) => this.log.recent(req.limit ?? 200),
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => {
        const next = this.settings.patch(patch);
        this.emit('settings.changed', next);
        return next;
      },
    };
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
    this.events.clear();
    this.log.entries.clear();
  }
}
