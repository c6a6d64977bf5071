import { CommandRouter, createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK, stringOption, type CliCommand } from '../command.ts';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show versions and the data folder of this phone.',
  usage: 'softphone info [--data-dir DIR] [--json]',
  options: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Folder for the database (default: the OS app-data folder).',
    },
  },
  async run(args, ctx) {
    const phone = createNodePhone({
      host: 'cli',
      dataDir: stringOption(args.values, 'data-dir'),
      storage: 'none',
    });
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
  },
};
