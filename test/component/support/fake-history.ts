/**
 * The fake phone's call log: entries in memory, pages newest first with the phone's keyset cursor,
 * the filters (kind, time range, search by number start or name words), missed-call badge and
 * `history.changed` events shaped like the phone's.
 */
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type { HistoryEntry, HistoryFilter } from '../../../src-shared/model/history.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_HISTORY_NOW = Date.UTC(2025, 5, 16, 12, 0, 0);

/** A complete entry from the fields a test cares about. */
export function historyEntry(fields: Partial<HistoryEntry> & { id: string }): HistoryEntry {
  return {
    direction: 'incoming',
    accountId: null,
    remoteUri: 'sip:1000@pbx.example',
    remoteDisplayName: '',
    startedAt: FAKE_HISTORY_NOW,
    answeredAt: null,
    endedAt: FAKE_HISTORY_NOW + 30_000,
    durationMs: 0,
    result: 'missed',
    completion: 'completed',
    sipCode: null,
    reason: null,
    codec: null,
    mediaPath: 'unknown',
    encryption: 'none',
    mos: null,
    seen: false,
    contact: null,
    ...fields,
  };
}

function matches(entry: HistoryEntry, filter: HistoryFilter): boolean {
  switch (filter.kind ?? 'all') {
    case 'missed':
      if (entry.result !== 'missed') return false;
      break;
    case 'incoming':
      if (entry.direction !== 'incoming') return false;
      break;
    case 'outgoing':
      if (entry.direction !== 'outgoing') return false;
      break;
    case 'all':
      break;
  }
  if (filter.accountId !== undefined && entry.accountId !== filter.accountId) return false;
  if (filter.from !== undefined && entry.startedAt < filter.from) return false;
  if (filter.to !== undefined && entry.startedAt >= filter.to) return false;
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    const user = /^(?:sips?|tel):([^@;]*)/i.exec(entry.remoteUri)?.[1] ?? entry.remoteUri;
    const digits = search.replace(/[^0-9]/g, '');
    const byNumber =
      digits !== '' && /^[\d\s()+.-]+$/.test(search) && user.replace(/[^0-9]/g, '').startsWith(digits);
    const name = `${entry.contact?.name ?? ''} ${entry.remoteDisplayName}`.toLowerCase();
    const byName = search.split(/\s+/).every((w) => name.includes(w));
    if (!byNumber && !byName) return false;
  }
  return true;
}

const newestFirst = (a: HistoryEntry, b: HistoryEntry) =>
  b.startedAt - a.startedAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

export class FakeHistory {
  readonly entries = new Map<string, HistoryEntry>();
  readonly handlers: FakeHandlers;
  private readonly emit: FakeEmit;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'history.page': (query) => {
        const filter = query.filter ?? {};
        const limit = query.limit ?? 50;
        const cursor = query.cursor ?? null;
        const all = this.sorted().filter(
          (e) =>
            matches(e, filter) &&
            (cursor === null ||
              e.startedAt < cursor.startedAt ||
              (e.startedAt === cursor.startedAt && e.id < cursor.id)),
        );
        const entries = all.slice(0, limit);
        const last = entries.at(-1);
        return {
          entries,
          nextCursor: all.length > limit && last ? { startedAt: last.startedAt, id: last.id } : null,
        };
      },
      'history.markSeen': (request) => {
        const ids = request.ids ? new Set(request.ids) : null;
        let changed = 0;
        for (const e of this.entries.values()) {
          if (e.result === 'missed' && !e.seen && (ids === null || ids.has(e.id))) {
            this.entries.set(e.id, { ...e, seen: true });
            changed++;
          }
        }
        if (changed > 0) {
          this.emit('history.changed', {
            reason: 'seen',
            ids: request.ids ?? null,
            entry: null,
            missedUnseen: this.missedUnseen(),
          });
        }
        return { changed, missedUnseen: this.missedUnseen() };
      },
      'history.remove': (request) => {
        if (!this.entries.delete(request.id)) {
          throw new PhoneError(
            'not-found',
            `There is no call ${JSON.stringify(request.id)} in the call log.`,
          );
        }
        this.emit('history.changed', {
          reason: 'removed',
          ids: [request.id],
          entry: null,
          missedUnseen: this.missedUnseen(),
        });
        return null;
      },
      'history.clear': () => {
        const removed = this.entries.size;
        this.entries.clear();
        this.emit('history.changed', { reason: 'cleared', ids: null, entry: null, missedUnseen: 0 });
        return { removed };
      },
      'history.exportCsv': (request) => {
        const rows = this.sorted().filter((e) => matches(e, request.filter ?? {}));
        const header = 'id,direction,remote_uri,started_at,result\r\n';
        const body = rows.map(
          (e) =>
            `${e.id},${e.direction},${e.remoteUri},${new Date(e.startedAt).toISOString()},${e.result ?? ''}\r\n`,
        );
        return { text: header + body.join(''), rows: rows.length };
      },
      'history.missedCount': () => ({ missedUnseen: this.missedUnseen() }),
    };
  }

  /** Puts entries in the log without an event (test setup). */
  seed(...entries: HistoryEntry[]): void {
    for (const e of entries) this.entries.set(e.id, e);
  }

  /** A call was recorded by the phone: stored and announced like the calls layer does. */
  record(entry: HistoryEntry, reason: 'call-started' | 'call-answered' | 'call-ended' = 'call-ended'): void {
    this.entries.set(entry.id, entry);
    this.emit('history.changed', { reason, ids: [entry.id], entry, missedUnseen: this.missedUnseen() });
  }

  missedUnseen(): number {
    return [...this.entries.values()].filter((e) => e.result === 'missed' && !e.seen).length;
  }

  private sorted(): HistoryEntry[] {
    return [...this.entries.values()].sort(newestFirst);
  }
}
