/** Runs the installed `softphone` bin under this Node (24) and collects its output and exit code. */
import { execFile } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../../..');
const BIN = path.join(ROOT, 'bin/softphone.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON lines (for --json runs). */
  lines(): Array<Record<string, unknown>>;
}

export function softphone(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, TZ: 'UTC', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        if (code === null) {
          reject(error ?? new Error('no exit code'));
          return;
        }
        resolve({
          code,
          stdout,
          stderr,
          lines: () =>
            stdout
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => JSON.parse(l) as Record<string, unknown>),
        });
      },
    );
  });
}
