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
