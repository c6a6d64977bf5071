/**
 * `softphone history`: the call log, newest first. For people a table; with --json one `call` line per
 * entry (the entry's fields at top level) and then the result; with --csv the CSV export on stdout.
 */
import type { HistoryFilter, HistoryKind } from '../../../src-shared/model/history.ts';
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, ParsedCommandLine } from '../command.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100_000;
const KINDS = ['missed', 'incoming', 'outgoing'] as const satisfies readonly HistoryKind[];

export interface HistoryRequest {
  filter: HistoryFilter;
  limit: number;
  csv: boolean;
}

/** The command line → what to ask the phone for (usage errors thrown as UsageError). */
export function historyRequestOf(values: ParsedCommandLine['values'], json: boolean): HistoryRequest {
  const kinds = KINDS.filter((kind) => values[kind] === true);
  if (kinds.length > 1) throw new UsageError('--missed, --incoming and --outgoing exclude each other');
  const limit = numberOption(values, 'limit', 1, MAX_LIMIT);
  if (limit !== undefined && !Number.isInteger(limit)) throw new UsageError('--limit must be a whole number');
  const csv = values.csv === true;
  if (csv && json) throw new UsageError('--csv and --json exclude each other');
  if (csv && limit !== undefined)
    throw new UsageError('--limit does not apply to --csv (the export has every matching call)');
  const search = stringOption(values, 'search');
  const kind = kinds[0];
  return {
    filter: { ...(kind !== undefined ? { kind } : {}), ...(search !== undefined ? { search } : {}) },
    limit: limit ?? DEFAULT_LIMIT,
    csv,
  };
}

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'Show the call log (or export it as CSV).',
  usage:
    'softphone history [--missed|--incoming|--outgoing] [--search TEXT] [--limit N] [--csv] [--data-dir DIR] [--json]',
  options: {
    missed: { type: 'boolean', description: 'Only missed calls.' },
    incoming: { type: 'boolean', description: 'Only incoming calls.' },
    outgoing: { type: 'boolean', description: 'Only outgoing calls.' },
    search: {
      type: 'string',
      value: 'TEXT',
      description: 'Calls with a number starting with TEXT, or a name containing its words.',
    },
    limit: { type: 'string', value: 'N', description: `Show the newest N calls (default ${DEFAULT_LIMIT}).` },
    csv: { type: 'boolean', description: 'Print every matching call as CSV (RFC 4180) instead.' },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Folder for the database (default: the OS app-data folder).',
    },
  },
  async run(args, ctx) {
    const request = historyRequestOf(args.values, ctx.out.json);
    const { runHistory } = await import('./history-run.ts');
    return runHistory(request, stringOption(args.values, 'data-dir'), ctx);
  },
};
