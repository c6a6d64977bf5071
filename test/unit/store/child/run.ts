import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { lineReader } from '../helpers.ts';

export interface RunningChild {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line matching `predicate` (rejects if the child exits first). */
  waitForLine(predicate: (line: string) => boolean): Promise<string>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs one of the scripts in this folder with the same Node binary (which runs .ts directly). */
export function runChild(
  script: string,
  args: readonly string[],
  stdin: 'pipe' | 'ignore' = 'ignore',
): RunningChild {
  const child = spawn(process.execPath, [join(import.meta.dirname, script), ...args], {
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
  });
  const lines: string[] = [];
  const waiters: Array<{ predicate: (line: string) => boolean; resolve: (line: string) => void }> = [];
  child.stdout?.on(
    'data',
    lineReader((line) => {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.predicate(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    process: child,
    lines,
    exited,
    waitForLine(predicate) {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then(({ code, signal, stderr: err }) =>
          reject(new Error(`child exited (code ${code}, signal ${signal}) before the expected line\n${err}`)),
        );
      });
    },
  };
}
