/**
 * Peers run as child processes in their own process group (spawned detached), with stdout and stderr
 * appended to a log file. They are stopped by PID: SIGTERM to the group, then SIGKILL after a grace
 * period. Nothing is ever killed by name.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup, trackProcessGroup, untrackProcessGroup, type WorkDir } from './workdir.ts';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** What this process wrote to its log so far (a restarted peer appends to the same file). */
  log(): string;
  /** Wait until the log matches `pattern` (polled); rejects with the log tail on timeout or exit. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM the process group, SIGKILL it after `graceMs`; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: readonly string[];
  logPath: string;
  workDir: WorkDir;
  /** Run inside this network namespace (`ip netns exec`, which execs: the PID stays the peer's). */
  netns?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function spawnManaged(options: SpawnOptions): ManagedProcess {
  const [command, args] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, options.command, ...options.args]]
    : [options.command, [...options.args]];
  // a restarted peer appends to the same log: only what this process writes counts for waitForLog/log()
  const logStart = existsSync(options.logPath) ? statSync(options.logPath).size : 0;
  const fd = openSync(options.logPath, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    cwd: options.cwd ?? options.workDir.path,
    env: options.env ?? process.env,
  });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: spawn ${command} failed`);
  options.workDir.recordPid(pid);
  trackProcessGroup(pid);
  child.unref();

  let running = true;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      untrackProcessGroup(pid);
      resolve({ code, signal });
    });
  });
  child.once('error', () => {
    // reported through 'exit' (spawn errors also emit exit with code null)
  });

  const log = (): string => {
    try {
      return readFileSync(options.logPath).subarray(logStart).toString('utf8');
    } catch {
      return '';
    }
  };

  return {
    name: options.name,
    pid,
    logPath: options.logPath,
    exited,
    isRunning: () => running,
    log,
    async waitForLog(pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(log());
        if (match) return match;
        if (!running) throw new Error(`${options.name} exited before ${pattern}:\n${tail(log())}`);
        if (Date.now() > deadline)
          throw new Error(`${options.name}: no ${pattern} within ${timeoutMs} ms:\n${tail(log())}`);
        await sleep(50);
      }
    },
    async stop(graceMs = 3000) {
      if (running) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // reap anything of the group that outlived its leader
      killGroup(pid, 'SIGKILL');
      return exited;
    },
  };
}

/** The last lines of a log, for error messages. */
export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a short-lived command to completion (optionally inside a namespace), never throwing on a non-zero
 * exit. A timeout kills it (by PID) and reports code -1.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { netns?: string | undefined; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const [cmd, argv] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, command, ...args]]
    : [command, [...args]];
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      argv,
      {
        timeout: options.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Like `run` but throws (with output) unless the command exits 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { netns?: string | undefined; timeoutMs?: number; input?: string } = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const where = options.netns ? ` (in ${options.netns})` : '';
    throw new Error(
      `${command} ${args.join(' ')}${where} failed (${result.code}): ${result.stderr || result.stdout}`,
    );
  }
  return result.stdout;
}
