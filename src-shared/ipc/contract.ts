/**
 * THE contract between the renderer (and the CLI and the e2e test host) and the phone. Every command and
 * every event is declared once, in the domain files under ./domains, and merged here; the main-side router
 * validates against these schemas, the preload exposes exactly these names, and the renderer's client
 * infers its types from them.
 *
 * Naming: `<domain>.<verb>` for commands, `<domain>.<noun>` for events. Events carry full snapshots, so
 * the renderer's stores mirror state instead of re-deriving it.
 */
import type { z } from 'zod';
import { appCommands, appEvents } from './domains/app.ts';
import { diagnosticsCommands, diagnosticsEvents } from './domains/diagnostics.ts';
import { contactsCommands, contactsEvents } from './domains/contacts.ts';
import { historyCommands, historyEvents } from './domains/history.ts';
import { accountsCommands, accountsEvents } from './domains/accounts.ts';
import { callsCommands, callsEvents } from './domains/calls.ts';
import { siplogCommands, siplogEvents } from './domains/siplog.ts';
import { onboardingCommands, onboardingEvents } from './domains/onboarding.ts';

export const commands = {
  ...appCommands,
  ...diagnosticsCommands,
  ...contactsCommands,
  ...historyCommands,
  ...accountsCommands,
  ...callsCommands,
  ...siplogCommands,
  ...onboardingCommands,
} as const;

export const events = {
  ...appEvents,
  ...diagnosticsEvents,
  ...contactsEvents,
  ...historyEvents,
  ...accountsEvents,
  ...callsEvents,
  ...siplogEvents,
  ...onboardingEvents,
} as const;

export type Commands = typeof commands;
export type Events = typeof events;
export type CommandName = keyof Commands;
export type EventName = keyof Events;
export type RequestOf<N extends CommandName> = z.input<Commands[N]['request']>;
export type ParsedRequestOf<N extends CommandName> = z.output<Commands[N]['request']>;
export type ResponseOf<N extends CommandName> = z.output<Commands[N]['response']>;
export type EventPayloadOf<N extends EventName> = z.output<Events[N]['payload']>;

/** A discriminated union of every event, as the phone emits them. */
export type PhoneEvent = { [N in EventName]: { name: N; payload: EventPayloadOf<N> } }[EventName];

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
