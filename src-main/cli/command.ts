/**
 * What a `softphone` subcommand is: its name, help, options (node:util parseArgs form plus a description
 * per option) and a `run` that returns the exit code.
 */
import type { CliOutput } from './output.ts';

export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help as the value's placeholder, e.g. `URI`. */
  value?: string;
}

export interface CliContext {
  out: CliOutput;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM). */
  interrupted: Promise<void>;
  version: string;
}

export interface ParsedCommandLine {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface CliCommand {
  name: string;
  summary: string;
  /** e.g. `softphone register --aor URI --password SECRET [--json]` */
  usage: string;
  options: Record<string, CliOption>;
  /** Positional arguments allowed (names for help). */
  positionals?: string[];
  run(args: ParsedCommandLine, ctx: CliContext): Promise<number>;
}

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A usage problem found while interpreting options (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function stringOption(values: ParsedCommandLine['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberOption(
  values: ParsedCommandLine['values'],
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}
