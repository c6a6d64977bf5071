/**
 * What `softphone history` does once its command line is understood (loaded when it runs): page through
 * the call log of the data folder's phone, or export it as CSV.
 */
import type { IpcResult } from '../../../src-shared/ipc/index.ts';
import type {
  HistoryCursor,
  HistoryEntry,
  HistoryFilter,
  HistoryPage,
} from '../../../src-shared/model/history.ts';
import { HISTORY_PAGE_MAX } from '../../../src-shared/model/history.ts';
import { createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../command.ts';
import type { CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import type { HistoryRequest } from './history.ts';

export async function runHistory(
  request: HistoryRequest,
  dataDir: string | undefined,
  ctx: CliContext,
): Promise<number> {
  const phone = createNodePhone({ host: 'cli', dataDir });
  try {
    const client = new CliPhoneClient(phone);
    if (request.csv) {
      const res = await client.call('history.exportCsv', { filter: request.filter });
      if (!res.ok) {
        ctx.out.error(res.error.code, res.error.message);
        return EXIT_FAILED;
      }
      ctx.out.raw(res.value.text);
      return EXIT_OK;
    }
    const entries: HistoryEntry[] = [];
    let cursor: HistoryCursor | null = null;
    let more = false;
    do {
      const res: IpcResult<HistoryPage> = await client.call('history.page', {
        filter: request.filter,
        cursor,
        limit: Math.min(HISTORY_PAGE_MAX, request.limit - entries.length),
      });
      if (!res.ok) {
        ctx.out.error(res.error.code, res.error.message);
        return EXIT_FAILED;
      }
      for (const entry of res.value.entries) ctx.out.event('call', entry);
      entries.push(...res.value.entries);
      cursor = res.value.nextCursor;
      more = cursor !== null;
    } while (more && entries.length < request.limit);
    ctx.out.result({ count: entries.length, more }, historyTable(entries, more, request.filter));
    return EXIT_OK;
  } finally {
    await phone.close();
  }
}

/** The human view: one line per call, columns aligned. */
export function historyTable(entries: readonly HistoryEntry[], more: boolean, filter: HistoryFilter): string {
  if (entries.length === 0) {
    return filter.kind === undefined && filter.search === undefined
      ? 'No calls in the call log.'
      : 'No calls match.';
  }
  const rows = entries.map((e) => [
    localTime(e.startedAt),
    e.direction === 'incoming' ? 'in' : 'out',
    resultOf(e),
    talkTime(e),
    partyOf(e),
  ]);
  const header = ['When', 'Call', 'Result', 'Talk', 'Party'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 ? cell : i === 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  if (more) lines.push('', `(the newest ${entries.length} calls; use --limit N for more)`);
  return lines.join('\n');
}

function resultOf(entry: HistoryEntry): string {
  if (entry.completion === 'in-progress') return 'in progress';
  const result = entry.result ?? 'failed';
  return entry.sipCode !== null && result !== 'answered' ? `${result} (${entry.sipCode})` : result;
}

/** m:ss or h:mm:ss of talk; empty for calls never answered; `?` when the app stopped during the call. */
function talkTime(entry: HistoryEntry): string {
  if (entry.durationMs === null) return entry.answeredAt === null ? '' : '?';
  if (entry.answeredAt === null) return '';
  const seconds = Math.round(entry.durationMs / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function partyOf(entry: HistoryEntry): string {
  const name = entry.contact?.name ?? entry.remoteDisplayName;
  return name === '' ? entry.remoteUri : `${name} <${entry.remoteUri}>`;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
