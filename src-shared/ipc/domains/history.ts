import { z } from 'zod';
import { command, event, NoArgs } from '../define.ts';
import {
  CallId,
  HISTORY_IDS_MAX,
  HistoryChange,
  HistoryFilter,
  HistoryPage,
  HistoryQuery,
  MissedCount,
} from '../../model/history.ts';

export const historyCommands = {
  'history.page': command(
    'One page of the call log, newest first, filtered and searched; pass `nextCursor` back for the next page.',
    HistoryQuery,
    HistoryPage,
  ),
  'history.markSeen': command(
    'Mark missed calls as seen (the given ones, or all); answers how many changed and the new badge count.',
    z.strictObject({ ids: z.array(CallId).min(1).max(HISTORY_IDS_MAX).optional() }),
    z.strictObject({ changed: z.int().nonnegative(), missedUnseen: z.int().nonnegative() }),
  ),
  'history.remove': command('Delete one call-log entry.', z.strictObject({ id: CallId }), z.null()),
  'history.clear': command(
    'Delete the whole call log; answers how many entries were deleted.',
    NoArgs,
    z.strictObject({ removed: z.int().nonnegative() }),
  ),
  'history.exportCsv': command(
    'The call log (or the part matching `filter`) as RFC 4180 CSV text, newest first, with a header row.',
    z.strictObject({ filter: HistoryFilter.optional() }),
    z.strictObject({ text: z.string(), rows: z.int().nonnegative() }),
  ),
  'history.missedCount': command('The number of missed calls not seen yet.', NoArgs, MissedCount),
} as const;

export const historyEvents = {
  'history.changed': event(
    'The call log changed (a call was recorded, entries were seen or deleted), with the badge count.',
    HistoryChange,
  ),
} as const;
