/** What `softphone info` does (loaded when it runs): ask a phone on the data folder for `app.info`. */
import { CommandRouter, createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../command.ts';
import type { CliContext } from '../command.ts';

export async function runInfo(dataDir: string | undefined, ctx: CliContext): Promise<number> {
  const phone = createNodePhone({ host: 'cli', dataDir, storage: 'none' });
  try {
    const router = new CommandRouter(phone.handlers, { isTrustedSender: (s) => s.kind === 'cli' });
    const res = await router.dispatch('app.info', {}, { kind: 'cli' });
    if (!res.ok) {
      ctx.out.error(res.error.code, res.error.message);
      return EXIT_FAILED;
    }
    const info = res.value as {
      name: string;
      version: string;
      dataDir: string;
      versions: { node: string };
    };
    ctx.out.result(
      info,
      `${info.name} ${info.version} (Node ${info.versions.node})\ndata folder: ${info.dataDir}`,
    );
    return EXIT_OK;
  } finally {
    await phone.close();
  }
}
