/**
 * A `SoftphoneBridge` for component tests that behaves like the phone behind the real ones. Requests
 * are validated against the contract (an invalid one answers `invalid-request`, as the real router
 * does), then go to a table of fake handlers: app info and log, settings (patched group by group and
 * announced with `settings.changed` before the answer), an in-memory address book (fake-contacts.ts),
 * call log (fake-history.ts), NAT check (fake-nat.ts), accounts (fake-accounts.ts), calls
 * (fake-calls.ts), SIP log (fake-siplog.ts) and the onboarding lookup (`discovery`). A command without a handler — one the
 * contract gained since — answers `not-implemented`, so the fake never has to list every command.
 *
 * Any command can be given another handler, made to fail or held back; every call is recorded;
 * listener counts allow leak checks.
 */
import { COMMAND_NAMES, PhoneError, commands as CONTRACT } from '../../../src-shared/ipc/index.ts';
import type {
  CommandFunctions,
  CommandName,
  EventName,
  EventPayloadOf,
  IpcError,
  IpcResult,
  ParsedRequestOf,
  RequestOf,
  ResponseOf,
  SoftphoneBridge,
} from '../../../src-shared/ipc/index.ts';
import type { AppInfo, LogEntry, LogLevel } from '../../../src-shared/model/app.ts';
import { DEFAULT_SETTINGS, Settings, type SettingsPatch } from '../../../src-shared/model/settings.ts';
import { FakeContacts } from './fake-contacts.ts';
import { FakeHistory } from './fake-history.ts';
import { FakeNat } from './fake-nat.ts';
import { FakeAccounts } from './fake-accounts.ts';
import { FakeCalls } from './fake-calls.ts';
import { FakeSipLog } from './fake-siplog.ts';
import type { Discovery } from '../../../src-shared/model/onboarding.ts';

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

/** A fake command: takes the validated request, answers the value or throws `PhoneError`. */
export type FakeHandler<N extends CommandName> = (
  request: ParsedRequestOf<N>,
) => ResponseOf<N> | Promise<ResponseOf<N>>;
export type FakeHandlers = { [N in CommandName]?: FakeHandler<N> };

/** How the fakes announce changes (the bridge's `emit`). */
export type FakeEmit = <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;

type Override<N extends CommandName> = (request: RequestOf<N>) => Promise<IpcResult<ResponseOf<N>>>;
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
  readonly contacts: FakeContacts;
  readonly history: FakeHistory;
  readonly nat: FakeNat;
  readonly accounts: FakeAccounts;
  readonly phoneCalls: FakeCalls;
  readonly siplog: FakeSipLog;
  /** What `onboarding.discover` answers (its `domain` is the one asked for). */
  discovery: Omit<Discovery, 'domain'> = {
    sipTargets: [
      { transport: 'udp', address: '192.0.2.10', port: 5060, hostname: 'sip.example.com', source: 'srv' },
    ],
    stunTurn: [
      {
        uri: 'stun:stun.example.com:3478',
        kind: 'stun',
        transport: 'udp',
        host: 'stun.example.com',
        port: 3478,
        addresses: ['192.0.2.20:3478'],
      },
    ],
    problems: [],
  };
  private readonly handlers: FakeHandlers;
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private readonly overrides = new Map<CommandName, (request: unknown) => Promise<IpcResult<unknown>>>();
  private nextSeq = 0;

  constructor() {
    const emit: FakeEmit = (name, payload) => this.emit(name, payload);
    this.contacts = new FakeContacts(emit);
    this.history = new FakeHistory(emit);
    this.nat = new FakeNat(emit);
    this.accounts = new FakeAccounts(emit);
    this.phoneCalls = new FakeCalls(emit);
    this.siplog = new FakeSipLog(emit);
    this.handlers = {
      'app.info': () => structuredClone(this.info),
      'app.logHistory': (request) => structuredClone(this.log.slice(-(request.limit ?? 200))),
      'settings.get': () => structuredClone(this.settings),
      'settings.set': (patch) => {
        this.settings = patchSettings(this.settings, patch);
        // like the phone: the event goes out before the answer
        this.emit('settings.changed', structuredClone(this.settings));
        return structuredClone(this.settings);
      },
      ...this.contacts.handlers,
      ...this.history.handlers,
      ...this.nat.handlers,
      ...this.accounts.handlers,
      ...this.phoneCalls.handlers,
      ...this.siplog.handlers,
      'onboarding.discover': ({ domain }) => ({
        domain: domain.replace(/:\d+$/, '').toLowerCase(),
        ...structuredClone(this.discovery),
      }),
    };
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

  /** Give one command another fake implementation (kept for the rest of the test). */
  handle<N extends CommandName>(name: N, handler: FakeHandler<N>): void {
    (this.handlers as Record<CommandName, unknown>)[name] = handler;
  }

  /** Replace one command's behaviour entirely (no request validation). */
  override<N extends CommandName>(name: N, handler: Override<N>): void {
    this.overrides.set(name, handler as (request: unknown) => Promise<IpcResult<unknown>>);
  }

  /** Make one command answer an error. */
  fail(name: CommandName, error: IpcError): void {
    this.overrides.set(name, () => Promise.resolve({ ok: false, error }));
  }

  /** Stop failing or overriding a command. */
  restore(name: CommandName): void {
    this.overrides.delete(name);
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

  /** Like the phone's CommandRouter: validate, run the handler, answer `{ ok }` or `{ code, message }`. */
  private async answer(name: CommandName, request: unknown): Promise<IpcResult<unknown>> {
    const parsed = CONTRACT[name].request.safeParse(request);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
        .join('; ');
      return { ok: false, error: { code: 'invalid-request', message: `${name}: ${issues}` } };
    }
    const handler = this.handlers[name] as ((request: unknown) => unknown) | undefined;
    if (!handler) {
      return { ok: false, error: { code: 'not-implemented', message: `the fake phone has no ${name}` } };
    }
    try {
      return { ok: true, value: structuredClone(await handler(parsed.data)) };
    } catch (error) {
      if (error instanceof PhoneError)
        return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }
}

/** The patch applied like the phone does: groups merged, the result checked with the schema. */
function patchSettings(current: Settings, patch: SettingsPatch): Settings {
  const next = structuredClone(current);
  for (const [group, fields] of Object.entries(patch) as Array<[keyof Settings, object | undefined]>) {
    if (fields) Object.assign(next[group], structuredClone(fields));
  }
  const checked = Settings.safeParse(next);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new PhoneError('invalid-request', `settings: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return checked.data;
}
