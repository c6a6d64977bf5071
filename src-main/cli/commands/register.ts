/**
 * `softphone register`: register one account (kept in memory only — nothing is stored), print every
 * change of the registration, and unregister at the end of `--duration` or on Ctrl-C / SIGTERM (exit 0).
 * With --json each change is one line: `{"type":"registration","state":"registered","expiresAt":…,
 * "contact":…,"publicAddress":…,"reason":…,…}`.
 *
 * Exit 1 with a plain message when the registration cannot succeed by itself: a refused password (at
 * any time), or — before the first success — no answer, a connection failure, a rejection. Once
 * registered, a registrar that goes away is retried with backoff (the lines show `failed` and
 * `nextRetryAt`) until it answers again.
 */
import { readFileSync } from 'node:fs';
import type { AccountInput, RegistrationSnapshot } from '../../../src-shared/model/account.ts';
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, CliOption, ParsedCommandLine } from '../command.ts';

const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
type Transport = (typeof TRANSPORTS)[number];

export interface RegisterPlan {
  readonly account: AccountInput;
  readonly durationMs: number | undefined;
  readonly tlsCa: string[];
  readonly retryBaseMs: number | undefined;
  readonly outbound: boolean;
}

/**
 * The PEM text of each `--ca FILE`: extra TLS trust anchors, besides the system ones, for SIP TLS and
 * stuns:/turns: servers alike. A file that cannot be read is a usage error.
 */
export function trustAnchorsOf(values: ParsedCommandLine['values']): string[] {
  const files =
    values.ca === undefined
      ? []
      : (Array.isArray(values.ca) ? values.ca : [values.ca]).filter(
          (v): v is string => typeof v === 'string',
        );
  return files.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca ${file}: ${(error as Error).message}`);
    }
  });
}

/** The account and timing for a command line (the phone validates the account again). */
export function registerPlanOf(values: ParsedCommandLine['values'], env: NodeJS.ProcessEnv): RegisterPlan {
  const aor = stringOption(values, 'aor');
  if (aor === undefined) throw new UsageError('--aor is required (e.g. sip:1000@pbx.example.com)');
  const at = /^sips?:[^@\s]+@([^;?\s]+)/i.exec(aor);
  if (at === null)
    throw new UsageError(
      `--aor must be a SIP address with a user, like sip:1000@pbx.example.com (got ${aor})`,
    );
  const password = stringOption(values, 'password') ?? env.SOFTPHONE_PASSWORD;
  const transportText = stringOption(values, 'transport') ?? 'udp';
  if (!(TRANSPORTS as readonly string[]).includes(transportText))
    throw new UsageError('--transport must be udp, tcp or tls');
  const expires = numberOption(values, 'expires', 30, 86_400);
  const duration = numberOption(values, 'duration', 0, 31_536_000);
  const retryBase = numberOption(values, 'retry-base', 0.1, 3600);
  const keepalive = numberOption(values, 'keepalive', 0, 3600);
  const tlsCa = trustAnchorsOf(values);
  const proxy = stringOption(values, 'proxy');
  // SRTP by default only where the SDP (and its keys) travels over TLS: --transport tls, or a proxy or
  // address of record that names TLS (the model's defaultSrtpMode, not imported: start-up stays lean).
  const tls = transportText === 'tls' || /;transport=tls/i.test(proxy ?? '') || /^sips:/i.test(proxy ?? aor);
  const account: AccountInput = {
    label: aor.slice(0, 100),
    aor,
    authUser: stringOption(values, 'auth-user') ?? '',
    displayName: stringOption(values, 'display-name') ?? '',
    domain: stringOption(values, 'domain') ?? at[1] ?? '',
    outboundProxy: stringOption(values, 'proxy') ?? null,
    transport: transportText as Transport,
    registerExpiresSec: Math.round(expires ?? 300),
    enabled: true,
    iceMode: 'auto',
    stunServers: [],
    keepaliveIntervalSec: Math.round(keepalive ?? 25),
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: tls ? 'optional' : 'off',
    turnServers: [],
    ...(password !== undefined && { password }),
  };
  return {
    account,
    durationMs: duration === undefined ? undefined : Math.round(duration * 1000),
    tlsCa,
    retryBaseMs: retryBase === undefined ? undefined : Math.round(retryBase * 1000),
    outbound: values.outbound === true,
  };
}

/** The message for a registration that cannot succeed by itself. */
export function failureMessage(registration: RegistrationSnapshot): string {
  const reason = registration.reason;
  if (reason === null) return 'Registration failed.';
  const status = reason.code !== undefined ? `${reason.code} ${reason.text}` : reason.text;
  switch (reason.kind) {
    case 'auth':
      return `Registration failed: ${status} \u2014 check the password`;
    case 'timeout':
      return reason.text;
    case 'credentials':
    case 'config':
    case 'transport':
    case 'no-target':
    case 'rejected':
      return `Registration failed: ${status}`;
  }
}

/** The account options of `register`, `call` and `answer` (each adds its own `--ca` wording). */
export const ACCOUNT_OPTIONS: Record<string, CliOption> = {
  aor: {
    type: 'string',
    value: 'URI',
    description: 'The address-of-record, e.g. sip:1000@pbx.example.com.',
  },
  password: {
    type: 'string',
    value: 'SECRET',
    description: 'Digest password (or set SOFTPHONE_PASSWORD).',
  },
  'auth-user': {
    type: 'string',
    value: 'USER',
    description: 'Digest user name (default: the AOR\u2019s user).',
  },
  domain: {
    type: 'string',
    value: 'HOST',
    description: 'Registrar domain (default: the AOR\u2019s host).',
  },
  'display-name': { type: 'string', value: 'NAME', description: 'Display name in From.' },
  proxy: {
    type: 'string',
    value: 'URI',
    description: 'Outbound proxy, e.g. "sip:127.0.0.1:5060;transport=udp" (;lr: as a Route).',
  },
  transport: {
    type: 'string',
    value: 'udp|tcp|tls',
    description: 'Transport when the proxy/registrar URI names none (default udp).',
  },
};

export const registerCommand: CliCommand = {
  name: 'register',
  summary: 'Register one SIP account, show the registration as it changes, unregister at the end.',
  usage:
    'softphone register --aor sip:1000@pbx.example.com --password SECRET [--auth-user U] [--proxy URI] [--transport udp|tcp|tls] [--expires S] [--duration S] [--ca FILE] [--json]',
  options: {
    ...ACCOUNT_OPTIONS,
    expires: {
      type: 'string',
      value: 'S',
      description: 'Requested registration lifetime in seconds (30–86400, default 300).',
    },
    duration: {
      type: 'string',
      value: 'S',
      description: 'Stay registered this many seconds, then unregister and exit (default: until Ctrl-C).',
    },
    ca: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: 'A PEM trust anchor for TLS, besides the system ones (may repeat). Verification stays on.',
    },
    keepalive: {
      type: 'string',
      value: 'S',
      description: 'Keepalive interval on the registration flow (default 25, 0 = off).',
    },
    'retry-base': {
      type: 'string',
      value: 'S',
      description: 'Backoff base time after failures (RFC 5626 base-time, default 30).',
    },
    outbound: { type: 'boolean', description: 'Ask the registrar for RFC 5626 outbound (reg-id).' },
  },
  async run(args, ctx) {
    const plan = registerPlanOf(args.values, ctx.env);
    const { runRegister } = await import('./register-run.ts');
    return runRegister(plan, ctx);
  },
};
