/**
 * Runs our `softphone nat-check --json` as a child process (on the host or inside a lab namespace) and
 * splits its output into the progress lines, the top-level `report` line and the final result.
 */
import path from 'node:path';
import { NatReport } from '../../../src-shared/model/nat.ts';
import type { NatCheckProgress } from '../../../src-shared/model/nat.ts';
import { makeWorkDir, run } from '../support/index.ts';
import type { NatLab } from '../support/index.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/softphone.js');

export interface NatCheckRun {
  code: number;
  progress: NatCheckProgress[];
  /** The `{"type":"report", …}` line, validated as a NatReport. */
  report: NatReport;
  /** The `result` line's value. */
  result: unknown;
  durationMs: number;
  stdout: string;
  stderr: string;
}

export interface NatCheckCliOptions {
  /** Run inside this lab namespace. */
  lab?: Pick<NatLab, 'exec'>;
  netns?: string;
  /** Extra environment (e.g. NODE_EXTRA_CA_CERTS for a test CA). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function runNatCheckCli(
  args: readonly string[],
  options: NatCheckCliOptions = {},
): Promise<NatCheckRun> {
  const dataDir = makeWorkDir('natcli');
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = [...env, process.execPath, BIN, 'nat-check', ...args, '--json', '--data-dir', dataDir.path];
  const started = Date.now();
  try {
    const timeoutMs = options.timeoutMs ?? 90_000;
    const result =
      options.lab && options.netns !== undefined
        ? await options.lab.exec(options.netns, 'env', argv, { timeoutMs })
        : await run('env', argv, { timeoutMs });
    const durationMs = Date.now() - started;
    const lines = result.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines
      .filter((l) => l.type === 'progress')
      .map((l) => ({ step: l.step, detail: l.detail }) as NatCheckProgress);
    const reportLine = lines.find((l) => l.type === 'report');
    if (!reportLine)
      throw new Error(
        `nat-check printed no report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
      );
    const { type: _type, ...fields } = reportLine;
    const report = NatReport.parse(fields);
    const final = lines.at(-1);
    return {
      code: result.code,
      progress,
      report,
      result: final?.value,
      durationMs,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    dataDir.remove();
  }
}
