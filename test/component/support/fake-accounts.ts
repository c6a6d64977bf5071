/**
 * The fake phone's SIP accounts: kept in memory in the order added, every change announced with
 * `accounts.changed` (all accounts) before the command answers, like the phone. Registration does not
 * happen by itself: an enabled account starts `registering`, and the test moves it on with
 * `setRegistration` (registered, failed with a reason…). Passwords are kept per account to check what
 * the renderer sent.
 */
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type {
  AccountConfig,
  AccountInput,
  AccountSnapshot,
  RegistrationSnapshot,
} from '../../../src-shared/model/account.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_ACCOUNTS_NOW = Date.UTC(2025, 5, 16, 12, 0, 0);

export function registrationSnapshot(fields: Partial<RegistrationSnapshot> = {}): RegistrationSnapshot {
  return {
    state: 'unregistered',
    reason: null,
    expiresAt: null,
    nextRetryAt: null,
    contact: null,
    publicAddress: null,
    transport: null,
    registrar: null,
    sipAlg: 'unknown',
    outbound: false,
    requestedExpiresSec: 600,
    grantedExpiresSec: null,
    failures: 0,
    ...fields,
  };
}

/** A complete account from the fields a test cares about. */
export function accountSnapshot(
  fields: Partial<Omit<AccountSnapshot, 'registration'>> & {
    id: string;
    registration?: Partial<RegistrationSnapshot>;
  },
): AccountSnapshot {
  const { registration, ...rest } = fields;
  return {
    label: 'Office',
    aor: 'sip:1001@pbx.example.com',
    authUser: '',
    displayName: '',
    domain: 'pbx.example.com',
    outboundProxy: null,
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: 'auto',
    stunServers: [],
    keepaliveIntervalSec: 25,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: [],
    hasPassword: true,
    ...rest,
    registration: registrationSnapshot(registration),
  };
}

/** A registered account's registration, as the phone reports it. */
export function registered(fields: Partial<RegistrationSnapshot> = {}): Partial<RegistrationSnapshot> {
  return {
    state: 'registered',
    expiresAt: FAKE_ACCOUNTS_NOW + 600_000,
    contact: 'sip:1001@192.168.1.20:5060',
    publicAddress: '203.0.113.7:40000',
    transport: 'udp',
    registrar: 'sip:pbx.example.com;transport=udp',
    sipAlg: 'not-detected',
    grantedExpiresSec: 600,
    ...fields,
  };
}

export class FakeAccounts {
  readonly accounts: AccountSnapshot[] = [];
  /** The password last sent for each account (undefined: never sent). */
  readonly passwords = new Map<string, string | null>();
  readonly handlers: FakeHandlers;
  private readonly emit: FakeEmit;
  private nextId = 1;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'accounts.list': () => this.list(),
      'accounts.add': (input) => {
        while (this.accounts.some((a) => a.id === `acc-${this.nextId}`)) this.nextId++;
        const account = accountSnapshot({
          id: `acc-${this.nextId++}`,
          ...configOf(input),
          registration: { state: input.enabled ? 'registering' : 'unregistered' },
        });
        if (input.password !== undefined) this.passwords.set(account.id, input.password);
        account.hasPassword = typeof input.password === 'string' && input.password !== '';
        this.accounts.push(account);
        this.changed();
        return structuredClone(account);
      },
      'accounts.update': ({ id, account: input }) => {
        const at = this.indexOf(id);
        const before = this.accounts[at]!;
        const next: AccountSnapshot = { ...before, ...configOf(input), id };
        if (input.password !== undefined) {
          this.passwords.set(id, input.password);
          next.hasPassword = typeof input.password === 'string' && input.password !== '';
        }
        if (!input.enabled) next.registration = registrationSnapshot({ state: 'unregistered' });
        else if (input.password !== undefined || !before.enabled)
          next.registration = registrationSnapshot({ state: 'registering' });
        this.accounts[at] = next;
        this.changed();
        return structuredClone(next);
      },
      'accounts.remove': ({ id }) => {
        this.accounts.splice(this.indexOf(id), 1);
        this.changed();
        return null;
      },
      'accounts.register': ({ id }) =>
        this.setRegistration(id, { state: 'registering', reason: null, nextRetryAt: null }),
      'accounts.unregister': ({ id }) => this.setRegistration(id, { state: 'unregistered', expiresAt: null }),
    };
  }

  list(): AccountSnapshot[] {
    return structuredClone(this.accounts);
  }

  /** Put accounts in place without an event (before the window starts). */
  seed(...accounts: AccountSnapshot[]): void {
    this.accounts.push(...structuredClone(accounts));
  }

  /** Move an account's registration on (announced like the phone does). */
  setRegistration(id: string, fields: Partial<RegistrationSnapshot>): AccountSnapshot {
    const at = this.indexOf(id);
    const account = this.accounts[at]!;
    account.registration = { ...account.registration, ...fields };
    this.changed();
    return structuredClone(account);
  }

  private indexOf(id: string): number {
    const at = this.accounts.findIndex((a) => a.id === id);
    if (at < 0) throw new PhoneError('not-found', `There is no account with id ${JSON.stringify(id)}.`);
    return at;
  }

  private changed(): void {
    this.emit('accounts.changed', this.list());
  }
}

function configOf(input: AccountInput): Omit<AccountConfig, 'id' | 'hasPassword'> {
  const { password: _password, turnServers, ...rest } = input;
  return {
    ...rest,
    turnServers: turnServers.map((t) => ({
      uri: t.uri,
      username: t.username,
      hasPassword: typeof t.password === 'string',
    })),
  };
}
