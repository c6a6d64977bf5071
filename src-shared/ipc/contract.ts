/**
 * THE contract between the renderer (and the CLI and the e2e test host) and the phone. Every command and
 * every event is declared here once; the main-side router validates against these schemas, the preload
 * exposes exactly these names, and the renderer's client infers its types from them.
 *
 * Naming: `<domain>.<verb>` for commands, `<domain>.<noun>` for events. Events carry full snapshots, so
 * the renderer's stores mirror state instead of re-deriving it.
 */
import { z } from 'zod';
import { command, event, NoArgs } from './define.ts';
import { AppInfo, LogEntry } from '../model/app.ts';
import { Settings, SettingsPatch } from '../model/settings.ts';

export const commands = {
  'app.info': command('Versions, host kind and data folder of the running phone.', NoArgs, AppInfo),
  'app.logHistory': command(
    'The most recent log entries (the live stream is the app.log event).',
    z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
    z.array(LogEntry),
  ),
  'settings.get': command('All settings, with defaults filled in.', NoArgs, Settings),
  'settings.set': command('Change some settings; answers the complete new settings.', SettingsPatch, Settings),
} as const;

export const events = {
  'app.log': event('One log line from the phone (credentials are never logged).', LogEntry),
  'settings.changed': event('The complete settings after any change.', Settings),
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
