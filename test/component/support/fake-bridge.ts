/**
 * A `SoftphoneBridge` for component tests that behaves like the phone behind the real ones: settings
 * patched group by group and announced with `settings.changed` before the answer, a log with
 * sequence numbers, app.info. Any command can be overridden to fail or to be held back; every call is
 * recorded; listener counts allow leak checks.
 */
import { COMMAND_NAMES } from '../../../src-shared/ipc/index.ts';
import type {
  CommandFunctions,
  CommandName,
  EventName,
  EventPayloadOf,
  IpcError,
  IpcResult,
  RequestOf,
  ResponseOf,
  SoftphoneBridge,
} from '../../../src-shared/ipc/index.ts';
import type { AppInfo, LogEntry, LogLevel } from '../../../src-shared/model/app.ts';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../../src-shared/model/settings.ts';

export const FAKE_APP_INFO: AppInfo = {
  name: 'Softphone',
  version: '9.8.7',
  host: 'test-host',
  platform: 'linux',
  arch: 'x64',
  versions: { node: '24.1.0', electron: null, chrome: null, v8: '13.6.233.10' },
  dataDir: '/home/tester/.config/Softphone',
  startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
};

type Handler<N extends CommandName> = (request: RequestOf<N>) => Promise<IpcResult<ResponseOf<N>>>;
type Listener = (payload: never) => void;

export interface RecordedCall {
  name: CommandName;
  request: unknown;
}

export class FakeBridge implements SoftphoneBridge {
  readonly host = 'test-host' as const;
  readonly commands: CommandFunctions;
  readonly calls: RecordedCall[] = [];
  settings: Settings = structuredClone(DEFAULT_SETTINGS);
  info: AppInfo = FAKE_APP_INFO;
  readonly log: LogEntry[] = [];
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly overrides = new Map<CommandName, (request: unknown) => Promise<IpcResult<unknown>>>();
  private nextSeq = 0;

  constructor() {
    const commands: Record<string, (request: unknown) => Promise<IpcResult<unknown>>> = {};
    for (const name of COMMAND_NAMES) {
      commands[name] = (request: unknown) => {
        this.calls.push({ name, request });
        const override = this.overrides.get(name);
        return override ? override(request) : this.answer(name, request);
      };
    }
    this.commands = commands as unknown as CommandFunctions;
  }

  /** Replace one command's behaviour. */
  override<N extends CommandName>(name: N, handler: Handler<N>): void {
    this.overrides.set(name, handler as (request: unknown) => Promise<IpcResult<unknown>>);
  }

  /** Make one command answer an error. */
  fail(name: CommandName, error: IpcError): void {
    this.overrides.set(name, () => Promise.resolve({ ok: false, error }));
  }

  /** Hold one command's answers back until `release()` (to test what arrives in between). */
  hold(name: CommandName): { release(): void } {
    const held: Array<() => void> = [];
    this.overrides.set(
      name,
      (request) => new Promise((resolve) => held.push(() => void this.answer(name, request).then(resolve))),
    );
    return {
      release: () => {
        this.overrides.delete(name);
        for (const go of held.splice(0)) go();
      },
    };
  }

  callsOf(name: CommandName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.request);
  }

  on<N extends EventName>(name: N, listener: (payload: EventPayloadOf<N>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    return () => void set.delete(l);
  }

  emit<N extends EventName>(name: N, payload: EventPayloadOf<N>): void {
    for (const l of [...(this.listeners.get(name) ?? [])]) (l as (p: EventPayloadOf<N>) => void)(payload);
  }

  listenerCount(name?: EventName): number {
    if (name) return this.listeners.get(name)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Log a line on the fake phone (kept for app.logHistory and streamed as app.log). */
  writeLog(
    level: LogLevel,
    scope: string,
    message: string,
    at = FAKE_APP_INFO.startedAt + this.nextSeq,
  ): LogEntry {
    const entry: LogEntry = { seq: this.nextSeq++, at, level, scope, message };
    this.log.push(entry);
    this.emit('app.log', entry);
    return entry;
  }

  private async answer(name: CommandName, request: unknown): Promise<IpcResult<unknown>> {
    switch (name) {
      case 'app.info':
        return { ok: true, value: structuredClone(this.info) };
      case 'app.logHistory': {
        const limit = (request as RequestOf<'app.logHistory'>).limit ?? 200;
        return { ok: true, value: structuredClone(this.log.slice(-limit)) };
      }
      case 'settings.get':
        return { ok: true, value: structuredClone(this.settings) };
      case 'settings.set': {
        this.settings = patchSettings(this.settings, request as SettingsPatch);
        // like the phone: the event goes out before the answer
        this.emit('settings.changed', structuredClone(this.settings));
        return { ok: true, value: structuredClone(this.settings) };
      }
      default: {
        const unknownName: never = name;
        return { ok: false, error: { code: 'unknown-command', message: String(unknownName) } };
      }
    }
  }
}

function patchSettings(current: Settings, patch: SettingsPatch): Settings {
  const next = structuredClone(current);
  for (const [group, fields] of Object.entries(patch) as Array<[keyof Settings, object | undefined]>) {
    if (fields) Object.assign(next[group], fields);
  }
  return next;
}
