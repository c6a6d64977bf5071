import type { CliCommand } from '../command.ts';
import { infoCommand } from './info.ts';

/** Every subcommand, in the order `softphone help` lists them. */
export const COMMANDS: CliCommand[] = [infoCommand];
