/**
 * Scratch folders for the peers the interop tests start, and the bookkeeping that lets a later run clean
 * up after a crashed one.
 *
 * Every folder lives under `<tmp>/softphone-interop/` and holds an `owner` file with the PID of the test
 * process that made it and a `pids` file listing the process groups started for it. A folder whose owner
 * is dead is stale: `cleanupStaleRuns()` kills the recorded process groups (only when their command line
 * still names that folder, so a recycled PID is never hit) and removes the folder. The same is done for
 * port reservations (`ports/<n>`) and for network namespaces named with `NETNS_PREFIX` (see netns.ts).
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RUN_ROOT = path.join(os.tmpdir(), 'softphone-interop');
/** Network namespaces made by the lab are named `<NETNS_PREFIX><owner pid>-<lab>-<role>`. */
export const NETNS_PREFIX = 'sph';

export interface WorkDir {
  readonly path: string;
  /** Absolute path of a file in the folder. */
  file(name: string): string;
  /** Remember a process group to kill if this run dies before stopping it. */
  recordPid(pid: number): void;
  /** Delete the folder (idempotent). */
  remove(): void;
}

const liveDirs = new Set<string>();
const liveGroups = new Set<number>();
const exitHooks = new Set<() => void>();
let staleChecked = false;
let exitHookInstalled = false;

/** Whether a process with this PID exists (signal 0 probe). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The NUL-separated command line of a process, joined by spaces ('' when it is gone). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Make a fresh folder `<RUN_ROOT>/<kind>-XXXXXX` owned by this process. The first call in a process
 * also cleans up what crashed runs left behind.
 */
export function makeWorkDir(kind: string): WorkDir {
  cleanupStaleRuns();
  installExitHook();
  mkdirSync(RUN_ROOT, { recursive: true });
  const dir = mkdtempSync(path.join(RUN_ROOT, `${kind}-`));
  writeFileSync(path.join(dir, 'owner'), String(process.pid));
  liveDirs.add(dir);
  return {
    path: dir,
    file: (name) => path.join(dir, name),
    recordPid(pid) {
      appendFileSync(path.join(dir, 'pids'), `${pid}\n`);
    },
    remove() {
      liveDirs.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Track a live process group so the exit hook can kill it if the test process ends abruptly. */
export function trackProcessGroup(pid: number): void {
  installExitHook();
  liveGroups.add(pid);
}

export function untrackProcessGroup(pid: number): void {
  liveGroups.delete(pid);
}

/** Run `hook` synchronously when this process exits (e.g. delete namespaces). Returns an unregister. */
export function onProcessExit(hook: () => void): () => void {
  installExitHook();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

function cleanupNow(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort while exiting
    }
  }
  exitHooks.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/**
 * Clean up on exit, and on SIGINT/SIGTERM/SIGHUP (which skip 'exit' handlers): clean up, then re-raise
 * the signal so the process still dies of it.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupNow();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Signal a whole process group (the spawned PID leads it: spawned detached). Never throws. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Remove what runs whose owner process is dead left behind: their processes (by recorded PID, checked
 * against the command line), folders, port reservations and network namespaces. Runs once per process
 * unless `force` is set.
 */
export function cleanupStaleRuns(force = false): void {
  if (staleChecked && !force) return;
  staleChecked = true;
  if (existsSync(RUN_ROOT)) {
    for (const name of readdirSync(RUN_ROOT)) {
      const dir = path.join(RUN_ROOT, name);
      if (name === 'ports') continue;
      const owner = readOwner(path.join(dir, 'owner'));
      if (owner !== undefined && isAlive(owner)) continue;
      for (const pid of readPids(path.join(dir, 'pids'))) {
        if (commandLineOf(pid).includes(dir)) killGroup(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    }
    const portsDir = path.join(RUN_ROOT, 'ports');
    if (existsSync(portsDir)) {
      for (const name of readdirSync(portsDir)) {
        const owner = readOwner(path.join(portsDir, name));
        if (owner === undefined || !isAlive(owner)) rmSync(path.join(portsDir, name), { force: true });
      }
    }
  }
  for (const ns of listNetns()) {
    const match = new RegExp(`^${NETNS_PREFIX}(\\d+)-`).exec(ns);
    if (!match || isAlive(Number(match[1]))) continue;
    deleteNetnsSync(ns);
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

/** Names of the network namespaces that exist now. */
export function listNetns(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name !== '');
  } catch {
    return [];
  }
}

/** Kill every process inside a namespace (by PID) and delete it. Never throws. */
export function deleteNetnsSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
    for (const pid of pids) killGroup(pid, 'SIGKILL');
  } catch {
    // namespace already gone
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // already deleted
  }
}
