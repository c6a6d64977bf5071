/**
 * What `softphone nat-check` does once its command line is understood (loaded when it runs): run the
 * phone's `diagnostics.run`, print its progress and the report.
 */
import { CommandRouter, createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import type { CliContext } from '../command.ts';

/** What the phone's `diagnostics.run` answers, as far as the CLI reads it. */
interface ReportView {
  natType: string;
  verdict: string;
  servers: { address: unknown }[];
  explanation: { key: string; text: string }[];
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

/** Where the check runs: the data folder, and the extra TLS trust anchors (`--ca`) for stuns:/turns:. */
export interface NatCheckSetup {
  readonly dataDir: string | undefined;
  readonly tlsCa: readonly string[];
}

export async function runNatCheck(
  request: Record<string, unknown>,
  setup: NatCheckSetup,
  ctx: CliContext,
): Promise<number> {
  const phone = createNodePhone({
    host: 'cli',
    dataDir: setup.dataDir,
    storage: 'none',
    ...(setup.tlsCa.length > 0 && { sip: { tlsCa: setup.tlsCa } }),
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
}
