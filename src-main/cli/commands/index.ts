/**
 * Every subcommand, in the order `softphone help` lists them.
 *
 * Each command is two files so that `softphone --version`, `help` and command-line mistakes answer
 * without loading the phone (werift, the zod contract, SQLite, the SIP stack: ~0.6 s at start-up):
 *  - `<name>.ts`: what `help` and the argument parser need — name, summary, usage, options — and the
 *    pure reading of the command line into a plan (usage errors are thrown there). Imports nothing
 *    heavier than `../command.ts` and types.
 *  - `<name>-run.ts`: what the command does on a phone, imported by `run` (`await import(...)`) once the
 *    command line was understood.
 * test/unit/cli/lazy-loading.test.ts checks which of our modules a start-up loads.
 */
import type { CliCommand } from '../command.ts';
import { infoCommand } from './info.ts';
import { natCheckCommand } from './nat-check.ts';
import { historyCommand } from './history.ts';
import { contactsCommand } from './contacts.ts';
import { registerCommand } from './register.ts';
import { callCommand } from './call.ts';
import { answerCommand } from './answer.ts';

export const COMMANDS: CliCommand[] = [
  infoCommand,
  registerCommand,
  callCommand,
  answerCommand,
  natCheckCommand,
  historyCommand,
  contactsCommand,
];
