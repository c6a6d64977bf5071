/**
 * The account form, as setup and editing show it: extension, password and domain up front; the rest
 * (proxy, transport, ports, STUN/TURN, ICE, auth user, display name, registration interval) under
 * "Advanced". It becomes an `AccountInput` checked with the contract's own schema; problems are shown
 * at their field as localized messages.
 *
 * The address of record is `sip:<extension>@<domain>`. A proxy typed as `host[:port]` becomes
 * `sip:host[:port]` (an outbound proxy the requests are sent to, RFC 3261 §8.1.2); a typed SIP URI is
 * kept as it is. Transport "automatic" takes the first transport the domain's DNS offers (RFC 3263
 * order), else UDP. When editing, an empty password keeps the stored one.
 *
 * Media encryption (SRTP) "automatic" is the model's default: on (best effort) when the transport is TLS,
 * off otherwise. Turning it on for an account without TLS is allowed but warned about: the keys travel
 * in the SIP messages, readable by anyone on the path (`srtpKeysExposedIn`).
 */
import {
  AccountInput,
  defaultSrtpMode,
  type AccountConfig,
  type SipTransport,
  type SrtpMode,
} from '../../../../src-shared/model/account.ts';
import { DEFAULT_SETTINGS, type IceMode } from '../../../../src-shared/model/settings.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';
import { stunServersOf } from '../diagnostics/index.ts';

export type TransportChoice = 'auto' | SipTransport;
/** `auto`: the default for the transport (optional over TLS, off otherwise). */
export type SrtpChoice = 'auto' | SrtpMode;

export interface AccountForm {
  label: string;
  extension: string;
  password: string;
  domain: string;
  displayName: string;
  authUser: string;
  proxy: string;
  transport: TransportChoice;
  /** Registration interval in seconds, as typed. */
  expires: string;
  iceMode: IceMode;
  /** STUN servers separated by spaces or commas; `host[:port]` gets `stun:` in front. */
  stun: string;
  turnUri: string;
  turnUsername: string;
  turnPassword: string;
  /** Local media ports, as typed; both empty: the global setting. */
  portsFrom: string;
  portsTo: string;
  enabled: boolean;
  srtp: SrtpChoice;
}

export type AccountField = Exclude<keyof AccountForm, 'iceMode' | 'transport' | 'enabled' | 'srtp'>;
export type AccountFormErrors = Partial<Record<AccountField, LocalizedMessage>>;
export type AccountFormMode = 'new' | 'edit';

/** Registration interval a new account asks for (seconds). */
export const DEFAULT_EXPIRES_SEC = 600;

export const EMPTY_ACCOUNT_FORM: Readonly<AccountForm> = {
  label: '',
  extension: '',
  password: '',
  domain: '',
  displayName: '',
  authUser: '',
  proxy: '',
  transport: 'auto',
  expires: String(DEFAULT_EXPIRES_SEC),
  iceMode: DEFAULT_SETTINGS.nat.iceMode,
  stun: '',
  turnUri: '',
  turnUsername: '',
  turnPassword: '',
  portsFrom: '',
  portsTo: '',
  enabled: true,
  srtp: 'auto',
};

/** The fields that are not shown until "Advanced" is opened. */
export const ADVANCED_FIELDS: readonly AccountField[] = [
  'displayName',
  'authUser',
  'proxy',
  'expires',
  'stun',
  'turnUri',
  'turnUsername',
  'turnPassword',
  'portsFrom',
  'portsTo',
];

/** The user part and domain of a SIP address of record (`sip:alice@example.com`). */
export function aorParts(aor: string): { user: string; domain: string } {
  const match = /^sips?:([^@]*)@(.*)$/i.exec(aor);
  return { user: decodeUser(match?.[1] ?? ''), domain: match?.[2] ?? '' };
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** The form showing a stored account (passwords stay empty: empty keeps them). */
export function accountFormOf(account: AccountConfig): AccountForm {
  const { user, domain } = aorParts(account.aor);
  const turn = account.turnServers[0];
  return {
    label: account.label,
    extension: user,
    password: '',
    domain: domain || account.domain,
    displayName: account.displayName,
    authUser: account.authUser,
    proxy: account.outboundProxy ?? '',
    transport: account.transport,
    expires: String(account.registerExpiresSec),
    iceMode: account.iceMode,
    stun: account.stunServers.join(' '),
    turnUri: turn?.uri ?? '',
    turnUsername: turn?.username ?? '',
    turnPassword: '',
    portsFrom: account.mediaPorts ? String(account.mediaPorts.min) : '',
    portsTo: account.mediaPorts ? String(account.mediaPorts.max) : '',
    enabled: account.enabled,
    srtp: account.srtp,
  };
}

/**
 * SRTP is turned on while the transport is not TLS (or not known to be: "automatic" may end up UDP): the
 * form warns that the keys would be readable on the network.
 */
export function srtpKeysExposedIn(form: Pick<AccountForm, 'srtp' | 'transport'>): boolean {
  return (form.srtp === 'optional' || form.srtp === 'required') && form.transport !== 'tls';
}

/** `host[:port]` → `sip:host[:port]`; a SIP URI stays as typed; empty → null. */
export function proxyUriOf(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^sips?:/i.test(trimmed) ? trimmed : `sip:${trimmed}`;
}

function turnUriOf(text: string): string {
  const trimmed = text.trim();
  return /^turns?:/i.test(trimmed) ? trimmed : `turn:${trimmed}`;
}

/** A user part safe in a SIP URI: RFC 3261 §25.1 user characters stay, the rest is %-escaped. */
function encodeUser(user: string): string {
  return user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(
      '',
    ),
  );
}

export type AccountFormCheck = { ok: true; input: AccountInput } | { ok: false; errors: AccountFormErrors };

export interface AccountFormContext {
  mode: AccountFormMode;
  /** The transport "automatic" stands for (the first one the domain's DNS offers). */
  discoveredTransport?: SipTransport | null;
  /** The account being edited (its settings that the form does not show are kept). */
  existing?: AccountConfig | null;
}

export function checkAccountForm(form: AccountForm, context: AccountFormContext): AccountFormCheck {
  const errors: AccountFormErrors = {};
  const extension = form.extension.trim().replace(/^sips?:/i, '');
  const domain = form.domain.trim().replace(/\.$/, '').toLowerCase();
  if (!extension) errors.extension = { key: 'accounts.form.errors.extensionRequired' };
  else if (/[\s@:]/.test(extension)) errors.extension = { key: 'accounts.form.errors.extension' };
  if (!domain) errors.domain = { key: 'accounts.form.errors.domainRequired' };
  if (context.mode === 'new' && !form.password)
    errors.password = { key: 'accounts.form.errors.passwordRequired' };

  // number inputs may hand back numbers (Vue casts their v-model): read every field as text
  const expiresText = String(form.expires).trim();
  const expires = Number(expiresText);
  if (!/^\d+$/.test(expiresText) || expires < 30 || expires > 86_400) {
    errors.expires = { key: 'accounts.form.errors.expires', params: { min: 30, max: 86_400 } };
  }

  const from = String(form.portsFrom).trim();
  const to = String(form.portsTo).trim();
  let mediaPorts: { min: number; max: number } | null = null;
  if (from || to) {
    const min = Number(from);
    const max = Number(to);
    const valid = (text: string, n: number) => /^\d+$/.test(text) && n >= 1024 && n <= 65_535;
    if (!valid(from, min))
      errors.portsFrom = { key: 'accounts.form.errors.port', params: { min: 1024, max: 65_535 } };
    else if (!valid(to, max))
      errors.portsTo = { key: 'accounts.form.errors.port', params: { min: 1024, max: 65_535 } };
    else if (min > max) errors.portsTo = { key: 'accounts.form.errors.portOrder' };
    else mediaPorts = { min, max };
  }

  const stunServers = stunServersOf(form.stun);
  const turnUri = form.turnUri.trim();
  if (!turnUri && (form.turnUsername.trim() || form.turnPassword))
    errors.turnUri = { key: 'accounts.form.errors.turnMissing' };

  const existing = context.existing ?? null;
  const transport: SipTransport =
    form.transport === 'auto'
      ? (context.discoveredTransport ?? existing?.transport ?? 'udp')
      : form.transport;
  const label = form.label.trim() || `${extension}@${domain}`;
  const password = form.password ? form.password : context.mode === 'new' ? null : undefined;
  const existingTurn = existing?.turnServers[0];
  const turnServers = turnUri
    ? [
        {
          uri: turnUriOf(turnUri),
          username: form.turnUsername.trim(),
          // empty while editing the same server: keep its stored password
          ...(form.turnPassword
            ? { password: form.turnPassword }
            : existingTurn &&
                existingTurn.uri === turnUriOf(turnUri) &&
                existingTurn.username === form.turnUsername.trim()
              ? {}
              : { password: null }),
        },
      ]
    : [];

  const candidate = {
    label: label.slice(0, 100),
    aor: `sip:${encodeUser(extension)}@${domain}`,
    authUser: form.authUser.trim(),
    displayName: form.displayName.trim(),
    domain,
    outboundProxy: proxyUriOf(form.proxy),
    transport,
    registerExpiresSec: expires,
    enabled: form.enabled,
    iceMode: form.iceMode,
    stunServers,
    turnServers,
    keepaliveIntervalSec: existing?.keepaliveIntervalSec ?? DEFAULT_SETTINGS.nat.keepaliveIntervalSec,
    mediaPorts,
    codecs: existing?.codecs ?? null,
    dtmfMode: existing?.dtmfMode ?? null,
    autoAnswer: existing?.autoAnswer ?? false,
    srtp: form.srtp === 'auto' ? defaultSrtpMode(transport) : form.srtp,
    ...(password !== undefined ? { password } : {}),
  };
  const parsed = AccountInput.safeParse(candidate);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, input: parsed.data };
  let aorRefused = false;
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [field, index] = issue.path;
    switch (field) {
      case 'aor':
        aorRefused = true;
        break;
      case 'domain':
        errors.domain ??= { key: 'accounts.form.errors.domain' };
        break;
      case 'outboundProxy':
        errors.proxy ??= { key: 'accounts.form.errors.proxy' };
        break;
      case 'stunServers':
        errors.stun ??=
          typeof index === 'number'
            ? { key: 'accounts.form.errors.stun', params: { value: stunServers[index] ?? '' } }
            : { key: 'accounts.form.errors.tooManyStun', params: { max: 8 } };
        break;
      case 'turnServers':
        if (issue.path[2] === 'username')
          errors.turnUsername ??= { key: 'accounts.form.errors.tooLong', params: { max: 256 } };
        else if (issue.path[2] === 'password')
          errors.turnPassword ??= { key: 'accounts.form.errors.tooLong', params: { max: 256 } };
        else errors.turnUri ??= { key: 'accounts.form.errors.turn' };
        break;
      case 'authUser':
        errors.authUser ??= { key: 'accounts.form.errors.tooLong', params: { max: 256 } };
        break;
      case 'displayName':
        errors.displayName ??= { key: 'accounts.form.errors.tooLong', params: { max: 128 } };
        break;
      case 'password':
        errors.password ??= { key: 'accounts.form.errors.tooLong', params: { max: 256 } };
        break;
      case 'label':
        errors.label ??= { key: 'accounts.form.errors.tooLong', params: { max: 100 } };
        break;
      default:
        errors.extension ??= { key: 'accounts.form.errors.invalid', params: { message: issue.message } };
    }
  }
  // the address of record is made of both: blame the extension only when the domain is fine
  if (aorRefused && !errors.extension && !errors.domain)
    errors.extension = { key: 'accounts.form.errors.extension' };
  return { ok: false, errors };
}
