import { z } from 'zod';

export const HostKind = z.enum(['electron', 'cli', 'test-host']);
export type HostKind = z.infer<typeof HostKind>;

export const AppInfo = z.strictObject({
  name: z.string(),
  version: z.string(),
  host: HostKind,
  platform: z.string(),
  arch: z.string(),
  versions: z.strictObject({
    node: z.string(),
    electron: z.string().nullable(),
    chrome: z.string().nullable(),
    v8: z.string(),
  }),
  dataDir: z.string(),
  startedAt: z.number().int(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

export const LogEntry = z.strictObject({
  seq: z.number().int().nonnegative(),
  at: z.number().int(),
  level: LogLevel,
  scope: z.string().max(64),
  message: z.string().max(4000),
});
export type LogEntry = z.infer<typeof LogEntry>;

/** The renderer's screens, by route name. */
export const AppRoute = z.enum(['phone', 'contacts', 'history', 'diagnostics', 'settings']);
export type AppRoute = z.infer<typeof AppRoute>;

export const AppNavigate = z.strictObject({ route: AppRoute });
export type AppNavigate = z.infer<typeof AppNavigate>;

/** What a sip:/sips:/tel:/callto: link asks for, already normalised by the main process. */
export const DialRequest = z.strictObject({
  target: z.string().min(1).max(256),
  source: z.enum(['link']),
});
export type DialRequest = z.infer<typeof DialRequest>;
