/**
 * `softphone` — the phone without a window. Same core as the desktop app; for scripting, for diagnostics on
 * machines without a display, and for the interop tests, which drive the real core through it.
 *
 *   softphone --version
 *   softphone help [COMMAND] [--json]
 *   softphone COMMAND [options] [--json]
 */
import { parseArgs } from 'node:util';
// Not ../phone/index.ts: that loads the whole phone, which `--version` and `help` must not wait for.
import { packageInfo } from '../phone/package-info.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliContext } from './command.ts';
import { createOutput, type Writable } from './output.ts';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean', description: 'Print one JSON object per line (events, then the result).' },
  help: { type: 'boolean', short: 'h', description: 'Show help for the command.' },
} as const;

export interface RunOptions {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  stdout?: Writable;
  stderr?: Writable;
  /** Resolves when the process is asked to stop; default: SIGINT/SIGTERM. */
  interrupted?: Promise<void>;
  commands?: CliCommand[];
}

export async function runCli(options: RunOptions): Promise<number> {
  const argv = options.argv;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const commands = options.commands ?? COMMANDS;
  const json = argv.includes('--json');
  const out = createOutput(json, stdout, stderr);
  const version = packageInfo().version;

  // `--version` anywhere prints ours, unless the command has a `--version` option of its own.
  const commandHasVersion = commands.find((c) => c.name === argv[0])?.options.version !== undefined;
  if ((argv.includes('--version') && !commandHasVersion) || argv[0] === 'version' || argv[0] === '-v') {
    out.result({ name: 'softphone', version }, version);
    return EXIT_OK;
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h' || name === '--json') {
    const topic = name === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
    return printHelp(out, commands, topic, version);
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    out.error('usage', `unknown command "${name}". Try: softphone help`);
    return EXIT_USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...cmd.options },
      allowPositionals: (cmd.positionals?.length ?? 0) > 0,
      strict: true,
    });
  } catch (error) {
    out.error('usage', `${(error as Error).message}\nusage: ${cmd.usage}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) return printHelp(out, commands, cmd.name, version);
  if (parsed.positionals.length > (cmd.positionals?.length ?? 0)) {
    out.error('usage', `too many arguments\nusage: ${cmd.usage}`);
    return EXIT_USAGE;
  }
  const ctx: CliContext = {
    out,
    env: options.env ?? process.env,
    interrupted: options.interrupted ?? signalled(),
    version,
  };
  try {
    return await cmd.run({ values: parsed.values, positionals: parsed.positionals }, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      out.error('usage', `${error.message}\nusage: ${cmd.usage}`);
      return EXIT_USAGE;
    }
    // Loaded only here: a command that failed to start its phone has loaded it already (then this is
    // free); when the phone cannot even be loaded, that is the unexpected failure reported below.
    const phone = await import('../phone/index.ts').catch(() => undefined);
    if (phone !== undefined && error instanceof phone.PhoneStartError) {
      out.error(error.code, error.message);
      return EXIT_FAILED;
    }
    out.error('internal', `unexpected failure: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
}

function printHelp(
  out: ReturnType<typeof createOutput>,
  commands: CliCommand[],
  topic: string | undefined,
  version: string,
): number {
  const describe = (c: CliCommand) => ({
    name: c.name,
    summary: c.summary,
    usage: c.usage,
    options: Object.entries({ ...c.options, json: GLOBAL_OPTIONS.json }).map(([n, o]) => ({
      name: `--${n}`,
      value: 'value' in o ? o.value : undefined,
      description: o.description,
    })),
  });
  if (topic !== undefined) {
    const cmd = commands.find((c) => c.name === topic);
    if (!cmd) {
      out.error('usage', `no such command "${topic}"`);
      return EXIT_USAGE;
    }
    const d = describe(cmd);
    const lines = [cmd.summary, '', `usage: ${cmd.usage}`, '', 'options:'];
    for (const o of d.options)
      lines.push(`  ${`${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(28)} ${o.description}`);
    out.result({ type: 'help', command: d }, lines.join('\n'));
    return EXIT_OK;
  }
  const lines = [
    `softphone ${version} — a SIP softphone for the command line (same core as the desktop app)`,
    '',
    'usage: softphone COMMAND [options] [--json]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
    `  ${'help'.padEnd(14)} Show this help, or help for one command: softphone help COMMAND`,
    '',
    'global options:',
    '  --json         one JSON object per line: events as they happen, then the result',
    '  --version      print the version',
  ];
  out.result({ version, commands: commands.map(describe) }, lines.join('\n'));
  return EXIT_OK;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export { EXIT_FAILED };
