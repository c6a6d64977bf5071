export { runCli, type RunOptions } from './main.ts';
export { COMMANDS } from './commands/index.ts';
export * from './command.ts';
export { createOutput, type CliOutput } from './output.ts';
