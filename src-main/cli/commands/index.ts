import type { CliCommand } from '../command.ts';
import { infoCommand } from './info.ts';
import { natCheckCommand } from './nat-check.ts';
import { historyCommand } from './history.ts';
import { contactsCommand } from './contacts.ts';
import { registerCommand } from './register.ts';
import { callCommand } from './call.ts';
import { answerCommand } from './answer.ts';

/** Every subcommand, in the order `softphone help` lists them. */
export const COMMANDS: CliCommand[] = [
  infoCommand,
  registerCommand,
  callCommand,
  answerCommand,
  natCheckCommand,
  historyCommand,
  contactsCommand,
];
