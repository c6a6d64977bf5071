/**
 * `DesktopPhone`: the narrow view of the phone that the OS integration (tray, notifications, links,
 * shortcuts, badge) works against, and `createDesktopPhoneAdapter`, which maps it onto the `Phone`'s
 * events and command handlers *by name*.
 *
 * The calls/accounts part of the contract is being written at the same time as this, so the adapter
 * compiles against the contract as it is today: events are matched on `e.name` as a string and their
 * payloads are checked with the lenient schemas below (extra fields ignored); commands are looked up in
 * `phone.handlers` by name and fail with `PhoneError('not-implemented')` while absent. The history part
 * (`history.changed`, `history.missedCount`) exists already; as soon as `accounts.changed`,
 * `calls.changed` and the `calls.*` commands exist too, the same code is live. Events we would *emit* (`app.navigate`, `app.dialRequest`) are only
 * emitted once the contract declares them, validated against the contract's schema.
 */
import { z } from 'zod';
import {
  commands as contractCommands,
  events as contractEvents,
  PhoneError,
} from '../../src-shared/ipc/index.ts';
import type { CommandSpec, EventSpec, PhoneEvent } from '../../src-shared/ipc/index.ts';
import { Settings } from '../../src-shared/model/settings.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import type { Phone, ScopedLog } from '../phone/index.ts';
import type { AppRoute } from '../../src-shared/model/app.ts';

export const REGISTRATION_STATES = [
  'unregistered',
  'registering',
  'registered',
  'failed',
  'unregistering',
] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export const CALL_STATES = ['dialing', 'ringing', 'early', 'active', 'held', 'remote-held', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

export interface DesktopAccount {
  id: string;
  label: string;
  /** `sip:1000@lab.test` */
  aor: string;
  registration: { state: RegistrationState; /** e.g. `403 Forbidden` */ reason?: string };
}

export interface DesktopCall {
  id: string;
  accountId?: string;
  direction: 'incoming' | 'outgoing';
  remote: { uri: string; displayName?: string };
  state: CallState;
  muted: boolean;
  /** The call this incoming one replaces (attended transfer): accepted by the phone, never offered. */
  replaces?: string;
}

/** An incoming call the phone recorded as missed (from the call log). */
export interface MissedCall {
  /** The call-log entry id. */
  id: string;
  remote: { uri: string; displayName?: string };
}

export interface DesktopPhone {
  onAccounts(listener: (accounts: readonly DesktopAccount[]) => void): Disposable;
  onCall(listener: (call: DesktopCall) => void): Disposable;
  onMissedCount(listener: (missedUnseen: number) => void): Disposable;
  onMissedCall(listener: (call: MissedCall) => void): Disposable;
  /** The unseen missed-call count now (for the badge at start). */
  missedCount(): Promise<number>;
  onSettings(listener: (settings: Settings) => void): Disposable;
  settings(): Promise<Settings>;
  answer(callId: string): Promise<void>;
  reject(callId: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  setMuted(callId: string, muted: boolean): Promise<void>;
  /** Ask the window to show a screen; false when the contract has no `app.navigate` event yet. */
  navigate(route: AppRoute): boolean;
  /** Ask the window to pre-fill the dial pad; false when the contract has no `app.dialRequest` yet. */
  requestDial(target: string): boolean;
  readonly log: ScopedLog;
}

// ───────────────────── what we read from the phone's events ─────────────────────
// Lenient on purpose (z.object drops unknown keys): the snapshots carry much more than we need, and the
// exact shapes are still being settled. Strings are bounded anyway — they end up in the OS's UI.

const AccountView = z.object({
  id: z.string().min(1).max(64),
  label: z.string().max(100),
  aor: z.string().max(512),
  registration: z.object({ state: z.enum(REGISTRATION_STATES), reason: z.unknown().optional() }),
});
const AccountsChanged = z.array(AccountView).max(200);

const CallView = z.object({
  id: z.string().min(1).max(256),
  accountId: z.string().max(64).nullish(),
  direction: z.enum(['incoming', 'outgoing']),
  remote: z.object({ uri: z.string().max(512), displayName: z.string().max(256).nullish() }),
  state: z.enum(CALL_STATES),
  muted: z.boolean().optional(),
  replaces: z.string().max(256).optional(),
});

const MissedCountView = z.object({ missedUnseen: z.int().min(0).max(1_000_000) });
const HistoryChanged = z.object({
  reason: z.string().max(32).optional(),
  missedUnseen: z.int().min(0).max(1_000_000),
  entry: z
    .object({
      id: z.string().min(1).max(256),
      direction: z.enum(['incoming', 'outgoing']),
      remoteUri: z.string().max(512),
      remoteDisplayName: z.string().max(256),
      result: z.string().max(32).nullable(),
      seen: z.boolean().optional(),
      contact: z.object({ name: z.string().max(200) }).nullish(),
    })
    .nullish(),
});

/** The missed call a `history.changed` event reports, if it reports one. */
function missedCallIn(change: z.infer<typeof HistoryChanged>): MissedCall | undefined {
  const entry = change.entry;
  if (
    change.reason !== 'call-ended' ||
    !entry ||
    entry.direction !== 'incoming' ||
    entry.result !== 'missed' ||
    entry.seen === true
  )
    return undefined;
  // The address book's name for the caller beats the display name the network sent.
  const displayName = entry.contact?.name || entry.remoteDisplayName;
  return {
    id: entry.id,
    remote: displayName ? { uri: entry.remoteUri, displayName } : { uri: entry.remoteUri },
  };
}

/**
 * A registration failure as one short line: `403 Forbidden`, `timeout`. Accepts a plain string or an
 * object carrying a status code and/or a phrase (`{ code, reason }`, `{ status, message }`, …).
 */
export function describeRegistrationReason(reason: unknown): string | undefined {
  let text: string | undefined;
  if (typeof reason === 'string') text = reason;
  else if (typeof reason === 'number' && Number.isInteger(reason)) text = String(reason);
  else if (typeof reason === 'object' && reason !== null) {
    const r = reason as Record<string, unknown>;
    const code = [r.code, r.status, r.statusCode].find((v) => typeof v === 'number' && Number.isInteger(v));
    const phrase = [r.text, r.reason, r.phrase, r.message].find(
      (v) => typeof v === 'string' && v.trim() !== '',
    );
    text = [code, phrase].filter((v) => v !== undefined).join(' ');
  }
  const clean = text
    ?.replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean ? clean.slice(0, 120) : undefined;
}

function toAccount(a: z.infer<typeof AccountView>): DesktopAccount {
  const reason = describeRegistrationReason(a.registration.reason);
  return {
    id: a.id,
    label: a.label,
    aor: a.aor,
    registration:
      reason === undefined ? { state: a.registration.state } : { state: a.registration.state, reason },
  };
}

function toCall(c: z.infer<typeof CallView>): DesktopCall {
  const call: DesktopCall = {
    id: c.id,
    direction: c.direction,
    remote: c.remote.displayName
      ? { uri: c.remote.uri, displayName: c.remote.displayName }
      : { uri: c.remote.uri },
    state: c.state,
    muted: c.muted ?? false,
  };
  if (c.accountId) call.accountId = c.accountId;
  if (c.replaces) call.replaces = c.replaces;
  return call;
}

// ─────────────────────────────── the adapter ───────────────────────────────

type CommandTable = Readonly<Record<string, CommandSpec>>;
type EventTable = Readonly<Record<string, EventSpec>>;

export interface DesktopPhoneAdapterOptions {
  /** The contract to check against (default: the real one). Tests pass a future contract. */
  contract?: { commands: CommandTable; events: EventTable };
}

function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export function createDesktopPhoneAdapter(
  phone: Phone,
  options: DesktopPhoneAdapterOptions = {},
): DesktopPhone {
  const contract = options.contract ?? {
    commands: contractCommands as CommandTable,
    events: contractEvents as EventTable,
  };
  const log = phone.log.scope('desktop');

  function subscribe<T>(eventName: string, schema: z.ZodType<T>, listener: (value: T) => void): Disposable {
    return phone.events.on((e: { name: string; payload: unknown }) => {
      if (e.name !== eventName) return;
      const parsed = schema.safeParse(e.payload);
      if (!parsed.success) {
        log.warn(`${eventName}: payload not understood (${parsed.error.issues[0]?.message ?? 'invalid'})`);
        return;
      }
      listener(parsed.data);
    });
  }

  async function invoke(name: string, request: unknown): Promise<unknown> {
    const handler = own(
      phone.handlers as Readonly<Record<string, ((req: unknown) => unknown) | undefined>>,
      name,
    );
    if (!handler)
      throw new PhoneError('not-implemented', `${name} is not available in this version of the phone`);
    const spec = own(contract.commands, name);
    let parsed = request;
    if (spec) {
      const checked = spec.request.safeParse(request);
      if (!checked.success)
        throw new PhoneError('invalid-request', `${name}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
      parsed = checked.data;
    }
    return await handler(parsed);
  }

  function publish(name: string, payload: unknown): boolean {
    const spec = own(contract.events, name);
    if (!spec) return false;
    const checked = spec.payload.safeParse(payload);
    if (!checked.success) {
      log.error(
        `${name}: the contract's payload shape differs from ours (${checked.error.issues[0]?.message ?? 'invalid'})`,
      );
      return false;
    }
    phone.events.emit({ name, payload: checked.data } as PhoneEvent);
    return true;
  }

  return {
    log,
    onAccounts: (listener) =>
      subscribe('accounts.changed', AccountsChanged, (list) => listener(list.map(toAccount))),
    onCall: (listener) => subscribe('calls.changed', CallView, (call) => listener(toCall(call))),
    onMissedCount: (listener) =>
      subscribe('history.changed', HistoryChanged, (h) => listener(h.missedUnseen)),
    onMissedCall: (listener) =>
      subscribe('history.changed', HistoryChanged, (h) => {
        const missed = missedCallIn(h);
        if (missed) listener(missed);
      }),
    missedCount: async () => MissedCountView.parse(await invoke('history.missedCount', {})).missedUnseen,
    onSettings: (listener) => subscribe('settings.changed', Settings, listener),
    settings: async () => Settings.parse(await invoke('settings.get', {})),
    answer: async (callId) => void (await invoke('calls.answer', { callId })),
    reject: async (callId) => void (await invoke('calls.reject', { callId })),
    hangup: async (callId) => void (await invoke('calls.hangup', { callId })),
    setMuted: async (callId, muted) => void (await invoke('calls.mute', { callId, muted })),
    navigate: (route) => publish('app.navigate', { route }),
    requestDial: (target) => publish('app.dialRequest', { target, source: 'link' }),
  };
}
