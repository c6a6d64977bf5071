import { z } from 'zod';
import { command, event, NoArgs } from '../define.ts';
import { AppInfo, AppNavigate, DialRequest, LogEntry } from '../../model/app.ts';
import { Settings, SettingsPatch } from '../../model/settings.ts';

export const appCommands = {
  'app.info': command('Versions, host kind and data folder of the running phone.', NoArgs, AppInfo),
  'app.logHistory': command(
    'The most recent log entries (the live stream is the app.log event).',
    z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }),
    z.array(LogEntry),
  ),
  'settings.get': command('All settings, with defaults filled in.', NoArgs, Settings),
  'settings.set': command(
    'Change some settings; answers the complete new settings.',
    SettingsPatch,
    Settings,
  ),
} as const;

export const appEvents = {
  'app.log': event('One log line from the phone (credentials are never logged).', LogEntry),
  'settings.changed': event('The complete settings after any change.', Settings),
  'app.navigate': event(
    'The main process asks the window to show a screen (tray menu, notification click).',
    AppNavigate,
  ),
  'app.dialRequest': event(
    'A link asks to call someone: show the dial pad pre-filled with `target` and let the user confirm. Never dials by itself.',
    DialRequest,
  ),
} as const;
