import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli, EXIT_OK, EXIT_USAGE, type CliCommand } from '../../../src-main/cli/index.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

function capture() {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

const never = new Promise<void>(() => {});

describe('softphone CLI', () => {
  it('prints the version', async () => {
    const io = capture();
    expect(await runCli({ argv: ['--version'], ...io, interrupted: never })).toBe(EXIT_OK);
    expect(io.out).toBe(`${version}\n`);
  });

  it('prints help as one JSON object per line with --json', async () => {
    const io = capture();
    expect(await runCli({ argv: ['help', '--json'], ...io, interrupted: never })).toBe(EXIT_OK);
    const lines = io.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'result', ok: true, value: { version } });
    const names = (lines[0]!.value as { commands: Array<{ name: string }> }).commands.map((c) => c.name);
    expect(names).toContain('info');
  });

  it('rejects unknown commands and options with exit 2', async () => {
    const a = capture();
    expect(await runCli({ argv: ['frobnicate'], ...a, interrupted: never })).toBe(EXIT_USAGE);
    expect(a.err).toMatch(/unknown command "frobnicate"/);
    const b = capture();
    expect(await runCli({ argv: ['info', '--nope', '--json'], ...b, interrupted: never })).toBe(EXIT_USAGE);
    expect(JSON.parse(b.out.trim())).toMatchObject({ type: 'error', code: 'usage' });
  });

  it('runs a command and reports its result', async () => {
    const cmd: CliCommand = {
      name: 'echo',
      summary: 'test command',
      usage: 'softphone echo WORD',
      options: { loud: { type: 'boolean', description: 'shout' } },
      positionals: ['WORD'],
      async run(args, ctx) {
        ctx.out.event('said', { word: args.positionals[0] }, `said ${args.positionals[0]}`);
        ctx.out.result({ loud: args.values.loud === true });
        return EXIT_OK;
      },
    };
    const io = capture();
    expect(
      await runCli({ argv: ['echo', 'hi', '--loud', '--json'], ...io, commands: [cmd], interrupted: never }),
    ).toBe(EXIT_OK);
    expect(
      io.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { type: 'said', word: 'hi' },
      { type: 'result', ok: true, value: { loud: true } },
    ]);
  });

  it('works as the installed bin under Node 24', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [path.join(root, 'bin/softphone.js'), '--version']);
    expect(stdout).toBe(`${version}\n`);
    const help = await run(process.execPath, [path.join(root, 'bin/softphone.js'), 'help', '--json']);
    expect(JSON.parse(help.stdout)).toMatchObject({ type: 'result', ok: true });
    const info = await run(process.execPath, [
      path.join(root, 'bin/softphone.js'),
      'info',
      '--json',
      '--data-dir',
      '/tmp/sp-cli-info',
    ]);
    expect(JSON.parse(info.stdout)).toMatchObject({
      type: 'result',
      value: { host: 'cli', version, dataDir: '/tmp/sp-cli-info' },
    });
  });
});
