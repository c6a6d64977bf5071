/** `softphone info`: versions and the data folder of this phone. */
import { stringOption, type CliCommand } from '../command.ts';

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
    const { runInfo } = await import('./info-run.ts');
    return runInfo(stringOption(args.values, 'data-dir'), ctx);
  },
};
