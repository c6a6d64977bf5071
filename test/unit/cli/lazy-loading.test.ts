/**
 * `softphone --version`, `help` and command-line mistakes load the command metadata and nothing else;
 * a command loads its own implementation (and the phone) when it runs. Checked without timing: the bin
 * runs under a module-load recorder (record-module-loads.ts) and we compare what it loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/softphone.js');
const RECORDER = pathToFileURL(path.join(import.meta.dirname, 'record-module-loads.ts')).href;
const work = mkdtempSync(path.join(tmpdir(), 'sp-cli-lazy-'));
let runs = 0;

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Loaded {
  code: number;
  /** Our files, relative to the repository root, sorted. */
  ours: string[];
  /** npm packages (by name) that any module was loaded from, sorted. */
  packages: string[];
}

function modulesLoadedBy(args: string[]): Promise<Loaded> {
  const log = path.join(work, `modules-${++runs}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RECORDER, BIN, ...args],
      { env: { ...process.env, SOFTPHONE_TEST_MODULE_LOG: log }, timeout: 30_000 },
      (error) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        if (code === null) return reject(error ?? new Error('no exit code'));
        const files = readFileSync(log, 'utf8')
          .split('\n')
          .filter((url) => url.startsWith('file:'))
          .map((url) => fileURLToPath(url));
        const ours = files
          .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`))
          .map((f) => path.relative(ROOT, f))
          .sort();
        const packages = new Set<string>();
        for (const f of files) {
          const inPackages = f.split(`${path.sep}node_modules${path.sep}`).at(-1);
          if (inPackages === undefined || inPackages === f) continue;
          const [scope = '', name = ''] = inPackages.split(path.sep);
          packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
        }
        resolve({ code, ours, packages: [...packages].sort() });
      },
    );
  });
}

/** What every start-up loads: the CLI's frame, each command's metadata, our package.json reader. */
const START_UP = [
  'bin/softphone.js',
  'src-main/cli/command.ts',
  'src-main/cli/commands/answer.ts',
  'src-main/cli/commands/call.ts',
  'src-main/cli/commands/contacts.ts',
  'src-main/cli/commands/history.ts',
  'src-main/cli/commands/index.ts',
  'src-main/cli/commands/info.ts',
  'src-main/cli/commands/nat-check.ts',
  'src-main/cli/commands/register.ts',
  'src-main/cli/index.ts',
  'src-main/cli/main.ts',
  'src-main/cli/output.ts',
  'src-main/phone/package-info.ts',
];

describe('what a softphone start-up loads', () => {
  it.each([
    [['--version'], 0],
    [['help'], 0],
    [['help', '--json'], 0],
    [['help', 'call'], 0],
    [['frobnicate'], 2],
    [['info', '--nope'], 2],
    [['register', '--password', 'x'], 2],
    [['call', 'sip:bob@127.0.0.1', '--aor', 'sip:alice@127.0.0.1', '--tone', '9000'], 2],
    [['contacts', 'frobnicate'], 2],
  ])('softphone %j: the command metadata only, no package — exit %i', async (args, code) => {
    const loaded = await modulesLoadedBy(args);
    expect(loaded).toEqual({ code, ours: START_UP, packages: [] });
  });

  it('a command that runs loads its own implementation and the phone, and no other command’s', async () => {
    const loaded = await modulesLoadedBy(['info', '--json', '--data-dir', path.join(work, 'data')]);
    expect(loaded.code).toBe(0);
    expect(loaded.ours).toEqual(expect.arrayContaining([...START_UP, 'src-main/cli/commands/info-run.ts']));
    expect(loaded.ours).toContain('src-main/phone/index.ts');
    expect(loaded.ours.filter((f) => f.endsWith('-run.ts'))).toEqual(['src-main/cli/commands/info-run.ts']);
    expect(loaded.packages).toEqual(expect.arrayContaining(['werift', 'zod']));
  });
});
