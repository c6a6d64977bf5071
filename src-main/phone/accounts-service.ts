/**
 * The accounts domain of the phone API: the SIP accounts (in the store when the phone has one, else in
 * memory — the CLI's `register` keeps nothing) and one RegistrationRefresher per registering account, all
 * sending through one SipUserAgent that this service starts on first use and closes last.
 *
 * Every change of an account or of a registration goes out as `accounts.changed` with every account's
 * snapshot (configuration without secrets + registration state). Enabled accounts register when the
 * service starts; `close()` unregisters every account, waiting at most UNREGISTER_WAIT_MS, before the
 * user agent closes its transports. Network changes (interfaces, resume from sleep) re-register.
 *
 * NAT: the first time an account registers (and again after its NAT settings change) its NAT
 * auto-configuration runs in the background (`natAutoConfiguration`, the diagnostics service), with what
 * the registration observed about SIP ALGs; each report it produces may change the account's SIP UDP
 * keepalive interval (account-ice-settings.ts `keepaliveFromLifetime`), which takes a new registration of
 * the same binding. `natInputOf(id)` gives the calls layer the account's STUN/TURN servers with secrets.
 */
import { randomUUID } from 'node:crypto';
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import { AccountInput as AccountInputSchema } from '../../src-shared/model/account.ts';
import type {
  AccountConfig,
  AccountInput,
  AccountSnapshot,
  RegistrationReason,
  RegistrationSnapshot,
} from '../../src-shared/model/account.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { NatReport } from '../../src-shared/model/nat.ts';
import type { NatSettings } from '../../src-shared/model/settings.ts';
import { NetworkMonitor } from '../platform/index.ts';
import type { Clock, Network, NetworkChange, Resolver } from '../platform/index.ts';
import { detectSipAlg } from '../nat/index.ts';
import { RegistrationRefresher, instanceIdFor, withTransport } from '../sip/registration/index.ts';
import type { RegisterEcho, RegistrationConfig } from '../sip/registration/index.ts';
import { formatUri, parseUri } from '../sip/syntax/index.ts';
import type { SipUri } from '../sip/syntax/index.ts';
import { SipUserAgent } from '../sip/ua/index.ts';
import { CALL_OPTION_TAGS } from '../call/index.ts';
import type { SipLogLevel, SipTransportLayer } from '../sip/transport/index.ts';
import type { ScopedLog } from './log.ts';
import type { CommandHandlers } from './router.ts';
import { describeIssues, type StorageAccess } from './storage-access.ts';
import { keepaliveFromLifetime, natCheckRequestFor } from './account-ice-settings.ts';
import type { AccountNatInput } from './account-ice-settings.ts';
import type { NatAutoConfiguration } from './diagnostics-service.ts';

/** How long close() and remove wait for the registrar to confirm an un-REGISTER. */
export const UNREGISTER_WAIT_MS = 2_000;

/** SIP settings of the phone that are not per account (CLI flags, tests). */
export interface PhoneSipOptions {
  /** Extra TLS trust anchors (PEM); verification stays on. */
  readonly tlsCa?: readonly string[];
  /** RFC 5626 §4.5 base-time in ms (default 30 000; tests shorten it). */
  readonly retryBaseMs?: number;
  /** RFC 5626 §4.5 max-time in ms (default 1 800 000). */
  readonly retryMaxMs?: number;
  /** Ask registrars for RFC 5626 outbound (reg-id). Default false. */
  readonly outbound?: boolean;
  /** Local UDP port (default any). */
  readonly udpPort?: number;
}

export interface AccountsServiceOptions {
  clock: Clock;
  network: Network;
  resolver: Resolver;
  storage: StorageAccess;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
  log: ScopedLog;
  /** Product version for User-Agent. */
  version: string;
  /** Network changes (the platform's NetworkMonitor); absent: the service polls with its own while registering. */
  networkChanges?: { onChange(listener: (change: NetworkChange) => void): Disposable };
  sip?: PhoneSipOptions;
  /** Retry jitter source (tests seed it). */
  random?: () => number;
  /** Called with each SIP transport the service creates, before it starts (the SIP log taps it). */
  onTransport?: (transport: SipTransportLayer) => void;
  /** Runs an account's NAT auto-configuration once it registers (the diagnostics service). */
  natAutoConfiguration?: NatAutoConfiguration;
  /** The phone's NAT settings (auto-discovery switches); default: both on. */
  natSettings?: () => Pick<NatSettings, 'stunAutoDiscovery' | 'turnAutoDiscovery'>;
}

type AccountsCommand =
  | 'accounts.list'
  | 'accounts.add'
  | 'accounts.update'
  | 'accounts.remove'
  | 'accounts.register'
  | 'accounts.unregister';

const WHAT = 'accounts';

/** The stored password of an account, or why it cannot be used. */
type PasswordResult =
  | { readonly ok: true; readonly password: string | null }
  | { readonly ok: false; readonly reason: RegistrationReason };

/** Where accounts live: the store's repository, or memory. */
interface AccountBook {
  list(): AccountConfig[];
  get(id: string): AccountConfig | null;
  add(input: AccountInput): AccountConfig;
  /** null when there is no such account. */
  update(id: string, input: AccountInput): AccountConfig | null;
  remove(id: string): boolean;
  password(id: string): PasswordResult;
  /** The account's TURN servers with their passwords (entries whose password cannot be read are left out). */
  turnServers(id: string): { uri: string; username: string; password: string }[];
}

/** One account's registration as the service drives it. */
interface Registration {
  refresher: RegistrationRefresher | undefined;
  subscription: Disposable | undefined;
  /** The user agent is starting; the refresher comes next. */
  starting: boolean;
  /** Why the account could not even start registering (password unreadable, bad address, no socket). */
  failure: RegistrationReason | undefined;
  /** Bumped on every stop, so a start that lands late knows it was overtaken. */
  generation: number;
}

/** Settings whose change means a new registration (label, codecs, media… do not). */
const REGISTRATION_FIELDS = [
  'aor',
  'authUser',
  'displayName',
  'domain',
  'outboundProxy',
  'transport',
  'registerExpiresSec',
  'keepaliveIntervalSec',
] as const;

/** Settings whose change means a new NAT auto-configuration. */
const NAT_FIELDS = ['domain', 'iceMode', 'stunServers', 'turnServers'] as const;

export class AccountsService {
  readonly handlers: Pick<CommandHandlers, AccountsCommand>;
  readonly #options: AccountsServiceOptions;
  readonly #book: AccountBook;
  readonly #registrations = new Map<string, Registration>();
  #userAgent: Promise<SipUserAgent> | undefined;
  #startedAgent: SipUserAgent | undefined;
  #networkSubscription: Disposable | undefined;
  #monitor: NetworkMonitor | undefined;
  #closed = false;
  /** Accounts whose NAT auto-configuration was started (cleared when their NAT settings change). */
  readonly #natConfigured = new Set<string>();
  /** The last REGISTER echo per account, for SIP ALG detection in its NAT check. */
  readonly #registerEchoes = new Map<string, RegisterEcho>();
  /** Keepalive intervals (s) derived from the measured binding lifetime, per account. */
  readonly #derivedKeepalive = new Map<string, number>();

  constructor(options: AccountsServiceOptions) {
    this.#options = options;
    this.#book = options.storage.present ? new StoredAccounts(options.storage) : new MemoryAccounts();
    this.handlers = {
      'accounts.list': () => this.list(),
      'accounts.add': (input) => this.add(input),
      'accounts.update': (req) => this.update(req.id, req.account),
      'accounts.remove': (req) => this.remove(req.id),
      'accounts.register': (req) => this.register(req.id),
      'accounts.unregister': (req) => this.unregister(req.id),
    };
  }

  /** Register every enabled account (at phone start). */
  startEnabled(): void {
    let accounts: AccountConfig[];
    try {
      accounts = this.#book.list();
    } catch (error) {
      this.#options.log.warn(`accounts: cannot list the accounts: ${(error as Error).message}`);
      return;
    }
    for (const account of accounts) if (account.enabled) this.#start(account);
  }

  list(): AccountSnapshot[] {
    return this.#book.list().map((a) => this.#snapshotOf(a));
  }

  add(input: AccountInput): AccountSnapshot {
    this.#assertOpen();
    validateAddresses(input);
    const account = this.#book.add(input);
    this.#options.log.info(`accounts: added ${account.id} (${account.aor})`);
    if (account.enabled) this.#start(account);
    this.#changed();
    return this.#snapshotOf(account);
  }

  async update(id: string, input: AccountInput): Promise<AccountSnapshot> {
    this.#assertOpen();
    validateAddresses(input);
    const before = this.#existing(id);
    const after = this.#book.update(id, input);
    if (after === null) throw notFound(id);
    const relevant =
      input.password !== undefined ||
      REGISTRATION_FIELDS.some((f) => before[f] !== after[f]) ||
      before.enabled !== after.enabled;
    if (
      NAT_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f])) ||
      input.turnServers.some((t) => t.password !== undefined)
    ) {
      this.#natConfigured.delete(id);
      this.#derivedKeepalive.delete(id);
      if (this.#registrations.get(id)?.refresher?.state === 'registered') this.#autoConfigure(after);
    }
    const active = this.#isActive(id);
    // Disabling stops it; an account registered by hand while disabled stays registered across edits.
    const run = after.enabled || (active && before.enabled === after.enabled);
    if (relevant && (active || run)) {
      // A new registration for new settings: the old binding goes first (RFC 3261 §10.2.2, our Contact only).
      await this.#stop(id, true);
      if (run) this.#start(after);
    }
    this.#changed();
    return this.#snapshotOf(after);
  }

  async remove(id: string): Promise<null> {
    this.#assertOpen();
    this.#existing(id);
    await this.#stop(id, true);
    this.#registrations.delete(id);
    this.#natConfigured.delete(id);
    this.#registerEchoes.delete(id);
    this.#derivedKeepalive.delete(id);
    if (!this.#book.remove(id)) throw notFound(id);
    this.#options.natAutoConfiguration?.forget(id);
    this.#options.log.info(`accounts: removed ${id}`);
    this.#changed();
    return null;
  }

  /** Register now; also the user's way past a refused password once it is fixed. */
  register(id: string): AccountSnapshot {
    this.#assertOpen();
    const account = this.#existing(id);
    const registration = this.#registrations.get(id);
    if (registration?.refresher !== undefined) registration.refresher.register();
    else if (registration?.starting !== true) this.#start(account);
    this.#changed();
    return this.#snapshotOf(account);
  }

  unregister(id: string): AccountSnapshot {
    this.#assertOpen();
    const account = this.#existing(id);
    const registration = this.#registrations.get(id);
    if (registration?.refresher !== undefined) {
      void registration.refresher.unregister();
    } else if (registration !== undefined) {
      registration.generation++;
      registration.starting = false;
      registration.failure = undefined;
    }
    this.#changed();
    return this.#snapshotOf(account);
  }

  /**
   * Unregister every account (in parallel, at most UNREGISTER_WAIT_MS), then close the user agent and
   * its transports. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#registrations.keys()].map((id) => this.#stop(id, true)));
    this.#registrations.clear();
    this.#networkSubscription?.dispose();
    this.#networkSubscription = undefined;
    this.#monitor?.dispose();
    this.#monitor = undefined;
    const pending = this.#userAgent;
    this.#userAgent = undefined;
    this.#startedAgent?.close();
    this.#startedAgent = undefined;
    if (pending !== undefined) {
      // A user agent still starting is closed once it has started.
      void pending.then(
        (ua) => ua.close(),
        () => {},
      );
    }
  }

  /** The running user agent, for the calls layer (undefined until an account registers). */
  get userAgent(): SipUserAgent | undefined {
    return this.#startedAgent;
  }

  /** The refresher of an account (its flow and Contact), for the calls layer. */
  registrationOf(id: string): RegistrationRefresher | undefined {
    return this.#registrations.get(id)?.refresher;
  }

  /** An account's NAT traversal configuration with its secrets (TURN and SIP passwords), for its calls. */
  natInputOf(id: string): AccountNatInput | undefined {
    const account = this.#book.get(id);
    if (account === null) return undefined;
    const credentials = this.#registrations.get(id)?.refresher?.config.credentials;
    return {
      accountId: account.id,
      domain: account.domain,
      iceMode: account.iceMode,
      stunServers: account.stunServers,
      turnServers: this.#book.turnServers(id),
      ...(credentials !== undefined && {
        sipCredentials: { username: credentials.username, password: credentials.password },
      }),
    };
  }

  // ───────────────────────────── internals ─────────────────────────────

  #assertOpen(): void {
    if (this.#closed) throw new PhoneError('unavailable', 'The phone is shutting down.');
  }

  #existing(id: string): AccountConfig {
    const account = this.#book.get(id);
    if (account === null) throw notFound(id);
    return account;
  }

  #isActive(id: string): boolean {
    const r = this.#registrations.get(id);
    if (r === undefined) return false;
    if (r.starting) return true;
    const state = r.refresher?.state;
    return state !== undefined && state !== 'unregistered';
  }

  #changed(): void {
    if (this.#closed) return;
    let accounts: AccountSnapshot[];
    try {
      accounts = this.list();
    } catch {
      return; // the store went away under us (shutting down): nothing to report
    }
    this.#options.emit('accounts.changed', accounts);
  }

  /** Start registering `account` (the user agent first, when it is not running yet). */
  #start(account: AccountConfig): void {
    const registration = this.#registrationFor(account.id);
    registration.failure = undefined;
    const prepared = this.#configFor(account);
    if (!prepared.ok) {
      registration.failure = prepared.reason;
      this.#options.log.warn(`accounts: ${account.id} cannot register: ${prepared.reason.text}`);
      return;
    }
    registration.starting = true;
    const generation = registration.generation;
    void this.#agent().then(
      (ua) => {
        if (
          this.#closed ||
          registration.generation !== generation ||
          this.#registrations.get(account.id) !== registration
        )
          return;
        registration.starting = false;
        const refresher = new RegistrationRefresher({
          clock: this.#options.clock,
          channel: ua,
          config: prepared.config,
          name: account.id,
          log: this.#sipLog(),
          ...(this.#options.random !== undefined && { random: this.#options.random }),
          localAddresses: () => this.#options.network.interfaces().map((i) => i.address),
          detectSipAlg: (echo) => {
            this.#registerEchoes.set(account.id, echo);
            return detectSipAlg({ ...echo, echoed: { ...echo.echoed } }).status;
          },
        });
        registration.refresher = refresher;
        registration.subscription = refresher.onChange((snapshot) => {
          this.#changed();
          if (snapshot.state === 'registered' && !this.#natConfigured.has(account.id))
            this.#autoConfigure(account);
        });
        this.#watchNetwork();
        refresher.register();
      },
      (error: unknown) => {
        if (registration.generation !== generation) return;
        registration.starting = false;
        registration.failure = {
          kind: 'transport',
          text: `SIP could not start: ${(error as Error).message}`,
        };
        this.#changed();
      },
    );
  }

  #registrationFor(id: string): Registration {
    let registration = this.#registrations.get(id);
    if (registration === undefined) {
      registration = {
        refresher: undefined,
        subscription: undefined,
        starting: false,
        failure: undefined,
        generation: 0,
      };
      this.#registrations.set(id, registration);
    }
    return registration;
  }

  /** Stop an account's registration; with `unregister`, remove its binding first (bounded wait). */
  async #stop(id: string, unregister: boolean): Promise<void> {
    const registration = this.#registrations.get(id);
    if (registration === undefined) return;
    registration.generation++;
    registration.starting = false;
    registration.failure = undefined;
    const refresher = registration.refresher;
    registration.refresher = undefined;
    if (refresher === undefined) return;
    if (unregister && refresher.state !== 'unregistered') {
      await this.#bounded(refresher.unregister());
    }
    registration.subscription?.dispose();
    registration.subscription = undefined;
    refresher.dispose();
  }

  /** `work`, or UNREGISTER_WAIT_MS, whichever ends first. */
  #bounded(work: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#options.clock.setTimer(UNREGISTER_WAIT_MS, () => {
        this.#options.log.info(
          `accounts: no answer to un-REGISTER within ${UNREGISTER_WAIT_MS} ms; going on`,
        );
        resolve();
      });
      void work.then(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  #agent(): Promise<SipUserAgent> {
    if (this.#userAgent === undefined) {
      const sip = this.#options.sip ?? {};
      const ua = new SipUserAgent({
        clock: this.#options.clock,
        network: this.#options.network,
        resolver: this.#options.resolver,
        log: this.#sipLog(),
        version: this.#options.version,
        // what the call layer implements, so incoming `Require: replaces` / `timer` are not refused (420)
        supported: [...CALL_OPTION_TAGS],
        transport: {
          ...(sip.udpPort !== undefined && { udp: { port: sip.udpPort } }),
          ...(sip.tlsCa !== undefined && sip.tlsCa.length > 0 && { tlsClient: { ca: [...sip.tlsCa] } }),
        },
      });
      this.#options.onTransport?.(ua.transport);
      this.#userAgent = ua.start().then(
        () => {
          if (this.#closed) {
            ua.close();
            throw new PhoneError('unavailable', 'The phone is shutting down.');
          }
          this.#startedAgent = ua;
          return ua;
        },
        (error: unknown) => {
          ua.close();
          this.#userAgent = undefined; // the next account tries again
          throw error;
        },
      );
    }
    return this.#userAgent;
  }

  #sipLog(): (level: SipLogLevel, message: string) => void {
    const log = this.#options.log;
    return (level, message) => {
      if (level === 'warn') log.warn(message);
      else if (level === 'info') log.info(message);
      else log.debug(message);
    };
  }

  /** Re-register on network changes: the phone's monitor, or our own while something registers. */
  #watchNetwork(): void {
    if (this.#networkSubscription !== undefined) return;
    let source = this.#options.networkChanges;
    if (source === undefined) {
      const monitor = new NetworkMonitor({ clock: this.#options.clock, source: this.#options.network });
      monitor.start();
      this.#monitor = monitor;
      source = monitor;
    }
    this.#networkSubscription = source.onChange((change) => {
      const cause =
        change.kind === 'resumed'
          ? `resumed after ${Math.round(change.sleptMs / 1000)} s asleep`
          : 'network interfaces changed';
      for (const registration of this.#registrations.values()) registration.refresher?.networkChanged(cause);
    });
  }

  /** The registration settings of an account, or why it cannot register. */
  #configFor(
    account: AccountConfig,
  ): { ok: true; config: RegistrationConfig } | { ok: false; reason: RegistrationReason } {
    const aor = sipUriOf(account.aor);
    const secure = aor?.scheme === 'sips';
    const registrar = sipUriOf(`${secure ? 'sips' : 'sip'}:${account.domain}`);
    const proxy = account.outboundProxy === null ? undefined : sipUriOf(account.outboundProxy);
    if (aor === undefined || aor.user === undefined)
      return {
        ok: false,
        reason: { kind: 'config', text: `The address ${account.aor} is not a SIP address with a user name.` },
      };
    if (registrar === undefined)
      return {
        ok: false,
        reason: { kind: 'config', text: `The domain ${account.domain} cannot be used as a registrar.` },
      };
    if (account.outboundProxy !== null && proxy === undefined) {
      return {
        ok: false,
        reason: { kind: 'config', text: `The outbound proxy ${account.outboundProxy} is not a SIP URI.` },
      };
    }
    const password = this.#book.password(account.id);
    if (!password.ok) return { ok: false, reason: password.reason };
    const sip = this.#options.sip ?? {};
    const username = account.authUser !== '' ? account.authUser : aor.user;
    return {
      ok: true,
      config: {
        aor,
        ...(account.displayName !== '' && { displayName: account.displayName }),
        registrar,
        ...(proxy !== undefined && { outboundProxy: proxy }),
        transport: account.transport,
        ...(password.password !== null && { credentials: { username, password: password.password } }),
        expiresSec: account.registerExpiresSec,
        instanceId: instanceIdFor(account.id),
        outbound: sip.outbound === true,
        keepalive: { intervalMs: this.#keepaliveSecOf(account) * 1000 },
        retry: {
          ...(sip.retryBaseMs !== undefined && { baseMs: sip.retryBaseMs }),
          ...(sip.retryMaxMs !== undefined && { maxMs: sip.retryMaxMs }),
        },
      },
    };
  }

  /** The keepalive interval in use: 0 (off) as configured, else the derived one when measured. */
  #keepaliveSecOf(account: AccountConfig): number {
    if (account.keepaliveIntervalSec === 0) return 0;
    return this.#derivedKeepalive.get(account.id) ?? account.keepaliveIntervalSec;
  }

  /** Start the account's NAT auto-configuration (in the background). */
  #autoConfigure(account: AccountConfig): void {
    const auto = this.#options.natAutoConfiguration;
    const input = this.natInputOf(account.id);
    if (auto === undefined || input === undefined || this.#closed) return;
    this.#natConfigured.add(account.id);
    const nat = this.#options.natSettings?.() ?? { stunAutoDiscovery: true, turnAutoDiscovery: true };
    const echo = (): RegisterEcho | undefined => this.#registerEchoes.get(account.id);
    auto.autoConfigure({
      accountId: account.id,
      request: natCheckRequestFor(input, nat),
      sipAlg: () => {
        const e = echo();
        return e === undefined ? undefined : { ...e, echoed: { ...e.echoed } };
      },
      onReport: (report) => this.#natReported(account.id, report),
    });
  }

  /**
   * A NAT report of the account: a measured binding lifetime sets the keepalive of its UDP flow. A
   * different interval takes a new registration (the refresher starts its keepalive when registered).
   */
  #natReported(id: string, report: NatReport): void {
    if (this.#closed) return;
    const derived = keepaliveFromLifetime(report);
    if (derived === undefined) return;
    const account = this.#book.get(id);
    if (account === null || account.keepaliveIntervalSec === 0 || account.transport !== 'udp') return;
    const current = this.#keepaliveSecOf(account);
    this.#derivedKeepalive.set(id, derived);
    if (derived === current) return;
    this.#options.log.info(
      `accounts: ${id}: the NAT keeps idle UDP bindings ≥ ${report.bindingLifetimeS ?? '?'} s; keepalive every ${derived} s (was ${current} s)`,
    );
    const registration = this.#registrations.get(id);
    if (registration?.refresher?.state !== 'registered') return;
    void this.#stop(id, false).then(() => {
      if (!this.#closed && this.#registrations.get(id) === registration) this.#start(account);
    });
  }

  #snapshotOf(account: AccountConfig): AccountSnapshot {
    const registration = this.#registrations.get(account.id);
    const live = registration?.refresher?.snapshot();
    return { ...account, registration: live ?? this.#idleSnapshot(account, registration) };
  }

  /** The registration of an account without a refresher: starting, failed before starting, or idle. */
  #idleSnapshot(account: AccountConfig, registration: Registration | undefined): RegistrationSnapshot {
    const failure = registration?.failure;
    const proxy = account.outboundProxy === null ? undefined : sipUriOf(account.outboundProxy);
    const plainHop = proxy ?? sipUriOf(`sip:${account.domain}`);
    const hop = plainHop === undefined ? undefined : withTransport(plainHop, account.transport);
    const named = hop?.params.get('transport')?.toLowerCase();
    const transport = named === 'udp' || named === 'tcp' || named === 'tls' ? named : account.transport;
    return {
      state:
        registration?.starting === true ? 'registering' : failure !== undefined ? 'failed' : 'unregistered',
      reason: failure ?? null,
      expiresAt: null,
      nextRetryAt: null,
      contact: null,
      publicAddress: null,
      transport,
      registrar: hop === undefined ? null : formatUri(hop).slice(0, 600),
      sipAlg: 'unknown',
      outbound: false,
      requestedExpiresSec: account.registerExpiresSec,
      grantedExpiresSec: null,
      failures: failure !== undefined ? 1 : 0,
    };
  }
}

function sipUriOf(text: string): SipUri | undefined {
  const parsed = parseUri(text);
  return parsed.ok && parsed.uri.kind === 'sip' ? parsed.uri : undefined;
}

/** The addresses must be usable SIP URIs, beyond what the schema checks. */
function validateAddresses(input: AccountInput): void {
  const aor = sipUriOf(input.aor);
  if (aor === undefined || aor.user === undefined)
    throw new PhoneError(
      'invalid-request',
      `aor: ${JSON.stringify(input.aor)} is not a SIP address like sip:alice@example.com`,
    );
  if (sipUriOf(`sip:${input.domain}`) === undefined)
    throw new PhoneError(
      'invalid-request',
      `domain: ${JSON.stringify(input.domain)} is not a host name or address`,
    );
  if (input.outboundProxy !== null && sipUriOf(input.outboundProxy) === undefined) {
    throw new PhoneError(
      'invalid-request',
      `outboundProxy: ${JSON.stringify(input.outboundProxy)} is not a SIP URI like sip:proxy.example.com;lr`,
    );
  }
}

function notFound(id: string): PhoneError {
  return new PhoneError('not-found', `There is no account with id ${JSON.stringify(id)}.`);
}

// ───────────────────────────── where accounts live ─────────────────────────────

/** The store's accounts (passwords encrypted there). */
class StoredAccounts implements AccountBook {
  readonly #storage: StorageAccess;

  constructor(storage: StorageAccess) {
    this.#storage = storage;
  }

  list(): AccountConfig[] {
    return this.#storage.use(WHAT, (store) => store.accounts.list());
  }

  get(id: string): AccountConfig | null {
    return this.#storage.use(WHAT, (store) => store.accounts.get(id));
  }

  add(input: AccountInput): AccountConfig {
    const added = this.#storage.use(WHAT, (store) => store.accounts.add(input));
    if (!added.ok) throw new PhoneError('invalid-request', `account: ${describeIssues(added.error.issues)}`);
    return added.value;
  }

  update(id: string, input: AccountInput): AccountConfig | null {
    const updated = this.#storage.use(WHAT, (store) => store.accounts.update(id, input));
    if (updated.ok) return updated.value;
    if (updated.error.code === 'not-found') return null;
    throw new PhoneError('invalid-request', `account: ${describeIssues(updated.error.issues)}`);
  }

  remove(id: string): boolean {
    return this.#storage.use(WHAT, (store) => store.accounts.remove(id));
  }

  turnServers(id: string): { uri: string; username: string; password: string }[] {
    const credentials = this.#storage.use(WHAT, (store) => store.accounts.credentials(id));
    return credentials.ok
      ? credentials.value.turnServers.flatMap((t) =>
          t.password === null ? [] : [{ uri: t.uri, username: t.username, password: t.password }],
        )
      : [];
  }

  password(id: string): PasswordResult {
    const credentials = this.#storage.use(WHAT, (store) => store.accounts.credentials(id));
    if (credentials.ok) return { ok: true, password: credentials.value.password };
    switch (credentials.error.code) {
      case 'not-found':
        return { ok: false, reason: { kind: 'config', text: 'The account no longer exists.' } };
      case 'cipher-mismatch':
        return {
          ok: false,
          reason: {
            kind: 'credentials',
            text: 'The password was saved by another installation of the phone; enter it again.',
          },
        };
      case 'undecryptable':
        return {
          ok: false,
          reason: {
            kind: 'credentials',
            text: 'The saved password cannot be decrypted any more; enter it again.',
          },
        };
    }
  }
}

interface MemoryAccount {
  config: AccountConfig;
  password: string | null;
  turnPasswords: Map<string, string | null>;
}

/** Accounts for a phone without a data folder: the same rules as the store, kept in memory only. */
class MemoryAccounts implements AccountBook {
  readonly #accounts = new Map<string, MemoryAccount>();

  list(): AccountConfig[] {
    return [...this.#accounts.values()].map((a) => a.config);
  }

  get(id: string): AccountConfig | null {
    return this.#accounts.get(id)?.config ?? null;
  }

  add(input: AccountInput): AccountConfig {
    const parsed = parseInput(input);
    const id = randomUUID();
    const account = toMemoryAccount(id, parsed, null, new Map());
    this.#accounts.set(id, account);
    return account.config;
  }

  update(id: string, input: AccountInput): AccountConfig | null {
    const existing = this.#accounts.get(id);
    if (existing === undefined) return null;
    const parsed = parseInput(input);
    const account = toMemoryAccount(id, parsed, existing.password, existing.turnPasswords);
    this.#accounts.set(id, account);
    return account.config;
  }

  remove(id: string): boolean {
    return this.#accounts.delete(id);
  }

  password(id: string): PasswordResult {
    const account = this.#accounts.get(id);
    if (account === undefined)
      return { ok: false, reason: { kind: 'config', text: 'The account no longer exists.' } };
    return { ok: true, password: account.password };
  }

  turnServers(id: string): { uri: string; username: string; password: string }[] {
    const account = this.#accounts.get(id);
    if (account === undefined) return [];
    return account.config.turnServers.flatMap((t) => {
      const password = account.turnPasswords.get(`${t.uri}\u0000${t.username}`);
      return password === undefined || password === null
        ? []
        : [{ uri: t.uri, username: t.username, password }];
    });
  }
}

function parseInput(input: AccountInput): AccountInput {
  const parsed = AccountInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new PhoneError('invalid-request', `account: ${describeIssues(issues)}`);
  }
  return parsed.data;
}

/** Passwords: undefined keeps the previous one, null or '' removes it (as the store does). */
function toMemoryAccount(
  id: string,
  input: AccountInput,
  previousPassword: string | null,
  previousTurn: ReadonlyMap<string, string | null>,
): MemoryAccount {
  const password =
    input.password === undefined ? previousPassword : input.password === '' ? null : input.password;
  const turnPasswords = new Map<string, string | null>();
  const turnServers = input.turnServers.map((server) => {
    const key = `${server.uri}\u0000${server.username}`;
    const value =
      server.password === undefined
        ? (previousTurn.get(key) ?? null)
        : server.password === ''
          ? null
          : server.password;
    turnPasswords.set(key, value);
    return { uri: server.uri, username: server.username, hasPassword: value !== null };
  });
  const { password: _password, turnServers: _turn, ...fields } = input;
  return { config: { id, ...fields, turnServers, hasPassword: password !== null }, password, turnPasswords };
}
