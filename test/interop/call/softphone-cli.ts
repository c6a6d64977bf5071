/**
 * Our phone as the interop tests drive it: the real CLI (`node bin/softphone.js call|answer … --json`)
 * as a managed child process (its own process group, stopped by PID), optionally inside a network
 * namespace. Its JSON lines are read back from the log: every `{"type":"call",…}` snapshot, then the
 * `result` or `error` line.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnManaged, type ManagedProcess, type ProcessExit, type WorkDir } from '../support/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/softphone.js');

export interface CallLine {
  type: 'call';
  id: string;
  state: string;
  direction: string;
  remote: { uri: string; displayName?: string };
  reason: { kind: string; text: string } | null;
  sipCode: number | null;
  answeredAt: number | null;
  codec: string | null;
  dtmfReceived: string;
  transfer: { role: string; target: string; state: string; sipCode: number | null } | null;
  /** An incoming INVITE with Replaces: the call it took the place of. */
  replaces?: string;
  stats: { packetsSent: number; packetsReceived: number; lossPct: number };
  media: { path: string; local: string | null; remote: string | null };
}

export interface SoftphoneRun {
  readonly process: ManagedProcess;
  /** Every JSON line so far. */
  lines(): Array<Record<string, unknown>>;
  /** The call snapshots so far. */
  calls(): CallLine[];
  /** The states of the first call, without repeats. */
  states(id?: string): string[];
  /** Wait until a JSON line matches. */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Wait for the process to exit (SIGTERM after `timeoutMs`). */
  exit(timeoutMs?: number): Promise<ProcessExit>;
}

export interface SoftphoneOptions {
  readonly dir: WorkDir;
  readonly name: string;
  readonly args: readonly string[];
  readonly netns?: string;
  /** Extra environment (e.g. SOFTPHONE_LOG=warn for the phone's warnings as `log` lines). */
  readonly env?: Readonly<Record<string, string>>;
}

export function softphone(options: SoftphoneOptions): SoftphoneRun {
  const proc = spawnManaged({
    name: options.name,
    command: process.execPath,
    args: [BIN, ...options.args, '--json'],
    logPath: options.dir.file(`${options.name}.log`),
    workDir: options.dir,
    netns: options.netns,
    cwd: ROOT,
    ...(options.env !== undefined && { env: { ...process.env, ...options.env } }),
  });
  const lines = (): Array<Record<string, unknown>> =>
    proc
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const calls = (): CallLine[] =>
    lines().filter((l): l is Record<string, unknown> & CallLine => l.type === 'call');
  return {
    process: proc,
    lines,
    calls,
    states(id) {
      const mine = calls().filter((c) => c.id === (id ?? calls()[0]?.id));
      return mine.map((c) => c.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);
    },
    async waitFor(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().find(match);
        if (found !== undefined) return found;
        if (!proc.isRunning())
          throw new Error(`${options.name} exited before the line came:\n${proc.log().slice(-3000)}`);
        if (Date.now() > deadline)
          throw new Error(
            `${options.name}: no matching line within ${timeoutMs} ms:\n${proc.log().slice(-3000)}`,
          );
        await sleep(50);
      }
    },
    async exit(timeoutMs = 30_000) {
      const timer = setTimeout(() => void proc.stop(2000), timeoutMs);
      try {
        return await proc.exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The account options for a Kamailio user. */
export function accountArgs(user: string, password: string, proxy: string): string[] {
  return ['--aor', `sip:${user}@lab.test`, '--password', password, '--proxy', proxy];
}

/** What our phone sends and keeps: `--tone HZ`, then `--record FILE` and `--duration S` when given. */
export function mediaArgs(media: { tone: number; record?: string; duration?: number }): string[] {
  const args = ['--tone', String(media.tone)];
  if (media.record !== undefined) args.push('--record', media.record);
  if (media.duration !== undefined) args.push('--duration', String(media.duration));
  return args;
}
