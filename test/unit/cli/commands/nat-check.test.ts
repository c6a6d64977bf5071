/**
 * `softphone nat-check` command lines: `--ca FILE` (extra trust anchors for stuns:/turns: servers, the
 * same option as `call`/`register` have for SIP TLS), and its mistakes, which end with exit 2 before
 * anything touches the network. The checks themselves run against coturn in test/interop/nat.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { natCheckCommand } from '../../../../src-main/cli/commands/nat-check.ts';
import { trustAnchorsOf } from '../../../../src-main/cli/commands/register.ts';
import { UsageError } from '../../../../src-main/cli/index.ts';
import { makeTempDir } from '../../store/helpers.ts';
import { softphone } from './spawn.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const TURNS = ['--turn', 'turns:turn.example.com:5349', '--turn-user', 'u', '--turn-password', 'p'];

describe('softphone nat-check --ca', () => {
  it('help lists --ca as a repeatable trust anchor file, as call and register do', async () => {
    const run = await softphone(['help', 'nat-check', '--json']);
    expect(run.code).toBe(0);
    const command = (
      run.lines()[0] as {
        value: { command: { usage: string; options: { name: string; description: string }[] } };
      }
    ).value.command;
    expect(command.usage).toContain('[--ca FILE]');
    expect(command.options.find((o) => o.name === '--ca')?.description).toBe(
      'A PEM trust anchor for stuns:/turns: servers, besides the system ones (may repeat). Verification stays on.',
    );
    expect(natCheckCommand.options.ca).toMatchObject({ type: 'string', multiple: true });
  });

  it('reads every --ca file as PEM text; none given: no extra anchors', () => {
    const temp = makeTempDir('softphone-nat-ca-');
    try {
      const first = path.join(temp.path, 'a.pem');
      const second = path.join(temp.path, 'b.pem');
      writeFileSync(first, PEM);
      writeFileSync(second, PEM.replace('MIIB', 'MIIC'));
      expect(trustAnchorsOf({ ca: [first, second] })).toEqual([PEM, PEM.replace('MIIB', 'MIIC')]);
      expect(trustAnchorsOf({})).toEqual([]);
      expect(() => trustAnchorsOf({ ca: [path.join(temp.path, 'missing.pem')] })).toThrow(UsageError);
    } finally {
      temp.remove();
    }
  });

  it('a --ca file that cannot be read → exit 2, before any server is tried', async () => {
    const run = await softphone([
      'nat-check',
      ...TURNS,
      '--ca',
      '/nonexistent/ca.pem',
      '--no-lifetime',
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect(run.lines().at(-1)).toMatchObject({ type: 'error', code: 'usage' });
    expect(String(run.lines().at(-1)?.message)).toMatch(/^--ca \/nonexistent\/ca\.pem: ENOENT/);
    expect(run.lines().some((l) => l.type === 'progress')).toBe(false);
  });
});
