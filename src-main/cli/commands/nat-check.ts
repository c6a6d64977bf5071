/**
 * `softphone nat-check`: find and test the STUN/TURN servers, measure the NAT, and say in plain words what
 * it means for calls. With --json: one `progress` line per step, a `report` line with the report's fields
 * at top level, then the `result` line holding the same report.
 *
 * Exit 0 when the check ran (whatever it found), 1 when nothing could be tested (no server, or none
 * resolved), 2 for a wrong command line.
 */
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, ParsedCommandLine } from '../command.ts';
import { trustAnchorsOf } from './register.ts';

function stringList(values: ParsedCommandLine['values'], name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** `HOST:PORT`, `HOST`, `[V6]:PORT` or a full URI → a STUN URI. */
export function stunUriOf(text: string): string {
  return /^stuns?:/i.test(text) ? text : `stun:${text}`;
}

export function turnUriOf(text: string): string {
  return /^turns?:/i.test(text) ? text : `turn:${text}`;
}

/** The `diagnostics.run` request for a command line (validated again by the router). */
export function natCheckRequestOf(values: ParsedCommandLine['values']): Record<string, unknown> {
  const stun = stringList(values, 'stun').map(stunUriOf);
  const turnUris = stringList(values, 'turn').map(turnUriOf);
  const domain = stringOption(values, 'domain');
  const user = stringOption(values, 'turn-user');
  const password = stringOption(values, 'turn-password');
  const lifetimeMax = numberOption(values, 'lifetime-max', 5, 600);
  const noLifetime = values['no-lifetime'] === true;
  if (noLifetime && lifetimeMax !== undefined)
    throw new UsageError('--lifetime-max and --no-lifetime exclude each other');
  if (turnUris.length > 0 && (user === undefined || password === undefined)) {
    throw new UsageError('--turn needs --turn-user and --turn-password');
  }
  if (stun.length === 0 && turnUris.length === 0 && domain === undefined) {
    throw new UsageError('give a server to test (--stun, --turn) or a SIP domain (--domain)');
  }
  return {
    ...(domain !== undefined ? { domain } : {}),
    ...(stun.length > 0 ? { stun } : {}),
    ...(turnUris.length > 0
      ? { turn: turnUris.map((uri) => ({ uri, username: user ?? '', password: password ?? '' })) }
      : {}),
    ...(user !== undefined && password !== undefined
      ? { turnCredentials: { username: user, password } }
      : {}),
    ...(stringOption(values, 'account') !== undefined ? { accountId: stringOption(values, 'account') } : {}),
    lifetime: !noLifetime,
    ...(lifetimeMax !== undefined ? { lifetimeMaxS: Math.round(lifetimeMax) } : {}),
  };
}

export const natCheckCommand: CliCommand = {
  name: 'nat-check',
  summary: 'Test STUN/TURN servers, find out what the NAT does and whether calls can go direct.',
  usage:
    'softphone nat-check [--stun HOST:PORT] [--domain D] [--turn turn:HOST:PORT?transport=udp --turn-user U --turn-password P] [--ca FILE] [--lifetime-max S | --no-lifetime] [--json]',
  options: {
    stun: {
      type: 'string',
      multiple: true,
      value: 'HOST:PORT',
      description: 'A STUN server to test (or a stun:/stuns: URI); may repeat.',
    },
    domain: {
      type: 'string',
      value: 'DOMAIN',
      description: 'A SIP domain: find its STUN/TURN servers by DNS SRV.',
    },
    turn: {
      type: 'string',
      multiple: true,
      value: 'URI',
      description: 'A TURN server (turn:HOST:PORT?transport=udp|tcp or turns:HOST:PORT); may repeat.',
    },
    'turn-user': {
      type: 'string',
      value: 'USER',
      description: 'TURN username (also used for TURN servers found by SRV).',
    },
    'turn-password': { type: 'string', value: 'PASSWORD', description: 'TURN password.' },
    ca: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description:
        'A PEM trust anchor for stuns:/turns: servers, besides the system ones (may repeat). Verification stays on.',
    },
    'lifetime-max': {
      type: 'string',
      value: 'S',
      description: 'Measure the NAT binding lifetime up to S seconds (default 60).',
    },
    'no-lifetime': { type: 'boolean', description: 'Skip the binding lifetime measurement.' },
    account: { type: 'string', value: 'ID', description: 'Keep the report under this account id.' },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Folder for the database (default: the OS app-data folder).',
    },
  },
  async run(args, ctx) {
    const request = natCheckRequestOf(args.values);
    const tlsCa = trustAnchorsOf(args.values);
    const { runNatCheck } = await import('./nat-check-run.ts');
    return runNatCheck(request, { dataDir: stringOption(args.values, 'data-dir'), tlsCa }, ctx);
  },
};
