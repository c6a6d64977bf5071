/**
 * `softphone nat-check`: find and test the STUN/TURN servers, measure the NAT, and say in plain words what
 * it means for calls. With --json: one `progress` line per step, a `report` line with the report's fields
 * at top level, then the `result` line holding the same report.
 *
 * Exit 0 when the check ran (whatever it found), 1 when nothing could be tested (no server, or none
 * resolved), 2 for a wrong command line.
 */
import { CommandRouter, createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, ParsedCommandLine } from '../command.ts';

/** What the phone's `diagnostics.run` answers, as far as the CLI reads it. */
interface ReportView {
  natType: string;
  verdict: string;
  servers: { address: unknown }[];
  explanation: { key: string; text: string }[];
}

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

/** The human summary: the NAT and the verdict first, then the details. */
function summary(report: ReportView): string {
  const lines = report.explanation.map((s) => s.text);
  const first = report.explanation.findIndex(
    (s) => s.key.startsWith('nat.type.') || s.key === 'nat.nothingTested',
  );
  const verdict = report.explanation.findIndex((s) => s.key.startsWith('nat.verdict.'));
  const head = [first, verdict].filter((i) => i >= 0).map((i) => lines[i] ?? '');
  const rest = lines.filter((_, i) => i !== first && i !== verdict).map((t) => `  - ${t}`);
  return ['', head.join(' '), ...(rest.length > 0 ? ['', ...rest] : [])].join('\n');
}

export const natCheckCommand: CliCommand = {
  name: 'nat-check',
  summary: 'Test STUN/TURN servers, find out what the NAT does and whether calls can go direct.',
  usage:
    'softphone nat-check [--stun HOST:PORT] [--domain D] [--turn turn:HOST:PORT?transport=udp --turn-user U --turn-password P] [--lifetime-max S | --no-lifetime] [--json]',
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
    const phone = createNodePhone({
      host: 'cli',
      dataDir: stringOption(args.values, 'data-dir'),
      storage: 'none',
    });
    const subscription = phone.events.on((e) => {
      if (e.name === 'diagnostics.progress')
        ctx.out.event('progress', { ...e.payload }, ctx.out.json ? undefined : `  … ${e.payload.detail}`);
    });
    void ctx.interrupted.then(() => phone.close());
    try {
      ctx.out.info('Checking the network between this computer and the internet…');
      const router = new CommandRouter(phone.handlers, { isTrustedSender: (s) => s.kind === 'cli' });
      const res = await router.dispatch('diagnostics.run', request, { kind: 'cli' });
      if (!res.ok) {
        ctx.out.error(res.error.code, res.error.message);
        return res.error.code === 'invalid-request' ? EXIT_USAGE : EXIT_FAILED;
      }
      const report = res.value as ReportView & Record<string, unknown>;
      ctx.out.event('report', report);
      ctx.out.result(report, summary(report));
      return report.servers.some((s) => s.address !== null) ? EXIT_OK : EXIT_FAILED;
    } finally {
      subscription.dispose();
      await phone.close();
    }
  },
};
