/**
 * The call log. A row is inserted when a call starts (`recordStart`, its own transaction), may be
 * marked answered (`recordAnswered`), and is completed when the call ends (`recordEnd`, its own
 * transaction). A row that was never completed belongs to a run of the app that stopped during the call;
 * `repairUnfinished` (run when the store opens) marks such rows `failed`, "app closed during call", with
 * the end time unknown.
 *
 * Reading is by keyset pagination over (started_at, id), newest first, so that the 500th page costs the
 * same as the first and rows inserted meanwhile neither repeat nor vanish between pages. Every filter is
 * served by an index: time, direction, account, missed (partial index), number prefix (normalized
 * number key), and names through the FTS5 index `call_history_fts` plus the address book (a name that
 * matches a contact finds the calls with that contact's numbers and SIP addresses).
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { AccountId } from '../../src-shared/model/account.ts';
import {
  CallDirection,
  CallId,
  CallResult,
  HistoryEncryption,
  HistoryFilter,
  HistoryQuery,
  MediaPath,
} from '../../src-shared/model/history.ts';
import type {
  CallCompletion,
  HistoryCursor,
  HistoryEntry,
  HistoryPage,
} from '../../src-shared/model/history.ts';
import {
  ftsPrefixQuery,
  isNumberQuery,
  likeContaining,
  numberKey,
  numberPrefixRanges,
  remoteUser,
  searchWords,
  uriKey,
} from './address-keys.ts';
import { csvRecord } from './csv.ts';
import { StatementCache } from './statement-cache.ts';
import { fail, invalid, notFound, ok } from './result.ts';
import type { InvalidInputError, NotFoundError, Result } from './result.ts';

/** What the phone knows when a call starts. */
export const CallStartRecord = z.strictObject({
  id: CallId,
  direction: CallDirection,
  accountId: AccountId.nullable(),
  remoteUri: z.string().max(512),
  /** Chosen by the remote party: longer names are cut, not refused. */
  remoteDisplayName: z.string().optional(),
  startedAt: z.int().nonnegative(),
  /** What the call says so far (`none` before its media is up); absent: `unknown`. */
  encryption: HistoryEncryption.optional(),
});
export type CallStartRecord = z.infer<typeof CallStartRecord>;

/** What the phone knows when a call ends. Absent optional fields keep what is stored. */
export const CallEndRecord = z.strictObject({
  id: CallId,
  endedAt: z.int().nonnegative(),
  result: CallResult,
  answeredAt: z.int().nonnegative().nullable().optional(),
  sipCode: z.int().min(100).max(699).nullable().optional(),
  /** Free text (a Reason header, an error); longer texts are cut. */
  reason: z.string().nullable().optional(),
  codec: z.string().max(32).nullable().optional(),
  mediaPath: MediaPath.optional(),
  encryption: HistoryEncryption.optional(),
  mos: z.number().min(1).max(5).nullable().optional(),
});
export type CallEndRecord = z.infer<typeof CallEndRecord>;

export interface DuplicateCallError {
  readonly code: 'duplicate';
  readonly id: string;
}

export interface CallAlreadyEndedError {
  readonly code: 'already-ended';
  readonly id: string;
}

/** The reason written into rows repaired by `repairUnfinished`. */
export const APP_CLOSED_REASON = 'app closed during call';

const DISPLAY_NAME_MAX = 256;
const REASON_MAX = 256;
const DEFAULT_PAGE_SIZE = 50;
const CSV_BATCH = 500;
/** From this many matching calls on, a search walks the time index (see `searchCondition`). */
const DENSE_MATCHES = 1000;

interface HistoryRow {
  seq: number;
  id: string;
  direction: 'incoming' | 'outgoing';
  account_id: string | null;
  remote_uri: string;
  remote_display_name: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  result: CallResult | null;
  sip_code: number | null;
  reason: string | null;
  codec: string | null;
  media_path: MediaPath;
  encryption: HistoryEncryption;
  mos: number | null;
  seen: number;
  contact_id: string | null;
  contact_name: string | null;
}

type Params = Record<string, string | number>;

export class CallHistoryRepository {
  private readonly db: Database.Database;
  private readonly sql: StatementCache;

  constructor(db: Database.Database) {
    this.db = db;
    this.sql = new StatementCache(db);
  }

  // ─────────────────────────────── writing ───────────────────────────────

  recordStart(start: CallStartRecord): Result<HistoryEntry, InvalidInputError | DuplicateCallError> {
    const parsed = CallStartRecord.safeParse(start);
    if (!parsed.success) return invalid(parsed.error);
    const call = parsed.data;
    const outcome = this.db
      .transaction((): 'ok' | 'duplicate' | 'unknown-account' => {
        if (
          call.accountId !== null &&
          this.sql.get('SELECT 1 FROM accounts WHERE id = ?').get(call.accountId) === undefined
        ) {
          return 'unknown-account';
        }
        const inserted = this.sql
          .get(
            `INSERT INTO call_history (id, direction, account_id, remote_uri, remote_display_name, remote_user,
             remote_number_key, remote_uri_key, started_at, encryption, seen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (id) DO NOTHING`,
          )
          .run(
            call.id,
            call.direction,
            call.accountId,
            call.remoteUri,
            (call.remoteDisplayName ?? '').slice(0, DISPLAY_NAME_MAX),
            remoteUser(call.remoteUri),
            numberKey(call.remoteUri),
            uriKey(call.remoteUri),
            call.startedAt,
            call.encryption ?? 'unknown',
          );
        return inserted.changes === 0 ? 'duplicate' : 'ok';
      })
      .immediate();
    if (outcome === 'duplicate') return fail({ code: 'duplicate', id: call.id });
    if (outcome === 'unknown-account') {
      return fail({
        code: 'invalid',
        issues: [{ path: 'accountId', message: `no account ${call.accountId}` }],
      });
    }
    return ok(this.getExisting(call.id));
  }

  /**
   * Notes the moment the call was answered, and the encryption its media has then when given (both kept
   * if the app stops before the call ends).
   */
  recordAnswered(
    id: string,
    answeredAt: number,
    encryption?: HistoryEncryption,
  ): Result<void, NotFoundError | CallAlreadyEndedError> {
    const row = this.sql
      .get<[number, HistoryEncryption | null, string], { result: string | null }>(
        `UPDATE call_history SET answered_at = ?, encryption = coalesce(?, encryption)
         WHERE id = ? AND result IS NULL RETURNING result`,
      )
      .get(answeredAt, encryption ?? null, id);
    if (row !== undefined) return ok(undefined);
    return this.exists(id) ? fail({ code: 'already-ended', id }) : notFound(id);
  }

  recordEnd(
    end: CallEndRecord,
  ): Result<HistoryEntry, InvalidInputError | NotFoundError | CallAlreadyEndedError> {
    const parsed = CallEndRecord.safeParse(end);
    if (!parsed.success) return invalid(parsed.error);
    const call = parsed.data;
    const outcome = this.db
      .transaction((): 'ok' | 'not-found' | 'already-ended' => {
        const row = this.sql
          .get<[string], { answered_at: number | null; result: string | null }>(
            'SELECT answered_at, result FROM call_history WHERE id = ?',
          )
          .get(call.id);
        if (row === undefined) return 'not-found';
        if (row.result !== null) return 'already-ended';
        const answeredAt = call.answeredAt === undefined ? row.answered_at : call.answeredAt;
        // Wall-clock time can step backwards during a call; a negative duration is stored as 0.
        const durationMs = answeredAt === null ? 0 : Math.max(0, call.endedAt - answeredAt);
        this.sql
          .get(
            `UPDATE call_history SET
             ended_at = @endedAt, answered_at = @answeredAt, duration_ms = @durationMs, result = @result,
             sip_code = coalesce(@sipCode, sip_code), reason = coalesce(@reason, reason),
             codec = coalesce(@codec, codec), media_path = coalesce(@mediaPath, media_path),
             encryption = coalesce(@encryption, encryption), mos = coalesce(@mos, mos), seen = @seen
           WHERE id = @id`,
          )
          .run({
            id: call.id,
            endedAt: call.endedAt,
            answeredAt,
            durationMs,
            result: call.result,
            sipCode: call.sipCode ?? null,
            reason:
              call.reason === undefined || call.reason === null ? null : call.reason.slice(0, REASON_MAX),
            codec: call.codec ?? null,
            mediaPath: call.mediaPath ?? null,
            encryption: call.encryption ?? null,
            mos: call.mos ?? null,
            seen: call.result === 'missed' ? 0 : 1,
          });
        return 'ok';
      })
      .immediate();
    switch (outcome) {
      case 'not-found':
        return notFound(call.id);
      case 'already-ended':
        return fail({ code: 'already-ended', id: call.id });
      case 'ok':
        return ok(this.getExisting(call.id));
    }
  }

  /**
   * Completes the rows of calls that never ended because the app stopped (crash, kill, power loss):
   * result `failed`, reason "app closed during call", end time and duration unknown. Only rows that
   * started at or before `now` are touched. Returns how many rows were repaired.
   */
  repairUnfinished(now: number): number {
    return this.sql
      .get(
        `UPDATE call_history SET result = 'failed', reason = ?, ended_at = NULL, duration_ms = NULL, seen = 1
         WHERE result IS NULL AND started_at <= ?`,
      )
      .run(APP_CLOSED_REASON, now).changes;
  }

  /** Marks missed calls as seen (all of them, or the given ids); returns how many changed. */
  markSeen(ids?: readonly string[]): number {
    if (ids === undefined) {
      return this.sql.get("UPDATE call_history SET seen = 1 WHERE result = 'missed' AND seen = 0").run()
        .changes;
    }
    return this.sql
      .get(
        `UPDATE call_history SET seen = 1
         WHERE result = 'missed' AND seen = 0 AND id IN (SELECT value FROM json_each(?))`,
      )
      .run(JSON.stringify(ids)).changes;
  }

  remove(id: string): boolean {
    return this.sql.get('DELETE FROM call_history WHERE id = ?').run(id).changes > 0;
  }

  /** Deletes the whole call log; returns the number of rows deleted. */
  clear(): number {
    return this.sql.get('DELETE FROM call_history').run().changes;
  }

  // ─────────────────────────────── reading ───────────────────────────────

  get(id: string): HistoryEntry | null {
    const row = this.sql.get<[Params], HistoryRow>(pageSql('h.id = @id', '', 1)).get({ id });
    return row === undefined ? null : toEntry(row);
  }

  /** The number of missed calls not yet seen (the badge on the history tab). */
  unseenMissedCount(): number {
    return (
      this.sql
        .get<[], { n: number }>("SELECT count(*) AS n FROM call_history WHERE result = 'missed' AND seen = 0")
        .get()?.n ?? 0
    );
  }

  /** One page of the log, newest first; pass the page's `nextCursor` back for the next one. */
  page(query: HistoryQuery = {}): Result<HistoryPage, InvalidInputError> {
    const parsed = HistoryQuery.safeParse(query);
    if (!parsed.success) return invalid(parsed.error);
    const limit = parsed.data.limit ?? DEFAULT_PAGE_SIZE;
    const rows = this.select(parsed.data.filter ?? {}, parsed.data.cursor ?? null, limit + 1);
    const entries = rows.slice(0, limit).map(toEntry);
    const last = entries.at(-1);
    const nextCursor =
      rows.length > limit && last !== undefined ? { startedAt: last.startedAt, id: last.id } : null;
    return ok({ entries, nextCursor });
  }

  /**
   * The log (or the part matching `filter`) as RFC 4180 CSV, newest first, one chunk per record (the
   * header first), read in batches so that a long log is never held in memory at once.
   */
  exportCsv(filter: HistoryFilter = {}): Result<Iterable<string>, InvalidInputError> {
    const parsed = HistoryFilter.safeParse(filter);
    if (!parsed.success) return invalid(parsed.error);
    return ok(this.csvRecords(parsed.data));
  }

  private *csvRecords(filter: HistoryFilter): Generator<string> {
    yield csvRecord([
      'id',
      'direction',
      'account_id',
      'remote_uri',
      'remote_display_name',
      'contact_name',
      'started_at',
      'answered_at',
      'ended_at',
      'duration_s',
      'result',
      'sip_code',
      'reason',
      'codec',
      'media_path',
      'mos',
      'encryption',
    ]);
    let cursor: HistoryCursor | null = null;
    for (;;) {
      const rows = this.select(filter, cursor, CSV_BATCH);
      for (const row of rows) {
        yield csvRecord([
          row.id,
          row.direction,
          row.account_id,
          row.remote_uri,
          row.remote_display_name,
          row.contact_name,
          isoTime(row.started_at),
          isoTime(row.answered_at),
          isoTime(row.ended_at),
          row.duration_ms === null ? null : Math.round(row.duration_ms / 1000),
          row.result,
          row.sip_code,
          row.reason,
          row.codec,
          row.media_path,
          row.mos,
          row.encryption,
        ]);
      }
      const last = rows.at(-1);
      if (rows.length < CSV_BATCH || last === undefined) return;
      cursor = { startedAt: last.started_at, id: last.id };
    }
  }

  /**
   * Diagnostics: SQLite's query plan for a page query (one line per plan step), to check that a filter
   * is served by an index rather than a scan of the whole log.
   */
  explainPage(query: HistoryQuery = {}): string[] {
    const { sql, params } = this.build(
      query.filter ?? {},
      query.cursor ?? null,
      query.limit ?? DEFAULT_PAGE_SIZE,
    );
    return this.sql
      .get<[Params], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(params)
      .map((row) => row.detail);
  }

  // ─────────────────────────────── internals ───────────────────────────────

  private exists(id: string): boolean {
    return this.sql.get('SELECT 1 FROM call_history WHERE id = ?').get(id) !== undefined;
  }

  private getExisting(id: string): HistoryEntry {
    const entry = this.get(id);
    if (entry === null) throw new Error(`call ${id} vanished inside its own transaction`);
    return entry;
  }

  private select(filter: HistoryFilter, cursor: HistoryCursor | null, limit: number): HistoryRow[] {
    const { sql, params } = this.build(filter, cursor, limit);
    return this.sql.get<[Params], HistoryRow>(sql).all(params);
  }

  private build(
    filter: HistoryFilter,
    cursor: HistoryCursor | null,
    limit: number,
  ): { sql: string; params: Params } {
    const conditions: string[] = [];
    const params: Params = {};
    const kind = filter.kind ?? 'all';
    switch (kind) {
      case 'all':
        break;
      // Literal values (not parameters) so that SQLite can use the partial index on missed calls.
      case 'missed':
        conditions.push("h.result = 'missed'");
        break;
      case 'incoming':
        conditions.push("h.direction = 'incoming'");
        break;
      case 'outgoing':
        conditions.push("h.direction = 'outgoing'");
        break;
    }
    if (filter.accountId !== undefined) {
      conditions.push('h.account_id = @accountId');
      params.accountId = filter.accountId;
    }
    if (filter.from !== undefined) {
      conditions.push('h.started_at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      conditions.push('h.started_at < @to');
      params.to = filter.to;
    }
    const search = filter.search?.trim() ?? '';
    if (search !== '') conditions.push(this.searchCondition(search, params));
    if (cursor !== null) {
      conditions.push('(h.started_at, h.id) < (@cursorStartedAt, @cursorId)');
      params.cursorStartedAt = cursor.startedAt;
      params.cursorId = cursor.id;
    }
    return { sql: pageSql(conditions.join(' AND '), 'ORDER BY h.started_at DESC, h.id DESC', limit), params };
  }

  /**
   * A number-prefix search on the number key, or a name search (FTS5 + matching contacts).
   *
   * Two plans, chosen by how many calls match (counted up to DENSE_MATCHES through the same indexes):
   *   sparse — start from the matches (number-key range, FTS5 rowids, contact keys) and sort them by time;
   *            cheap because there are few.
   *   dense  — walk the time index newest first and test each call for membership, stopping after one
   *            page; cheap because matches are frequent (about one in total/DENSE_MATCHES rows).
   * The unary `+` keeps SQLite from driving the dense plan from the match side (it cannot know the
   * number of matches in advance; sorting tens of thousands of matches costs 50–100 ms).
   */
  private searchCondition(search: string, params: Params): string {
    if (isNumberQuery(search)) {
      const ranges = numberPrefixRanges(search);
      const range = (column: string): string =>
        ranges.map((_, i) => `(${column} >= @numberFrom${i} AND ${column} < @numberTo${i})`).join(' OR ');
      ranges.forEach(([from, to], i) => {
        params[`numberFrom${i}`] = from;
        params[`numberTo${i}`] = to;
      });
      const dense = this.atLeastDense(
        `SELECT 1 FROM call_history h WHERE ${range('h.remote_number_key')}`,
        params,
      );
      return `(${range(dense ? '+h.remote_number_key' : 'h.remote_number_key')})`;
    }
    const fts = ftsPrefixQuery(search);
    if (fts === null) return '0';
    params.fts = fts;
    const keys = this.contactKeysMatching(search);
    if (keys.numberKeys.length > 0) params.contactNumbers = JSON.stringify(keys.numberKeys);
    if (keys.uriKeys.length > 0) params.contactUris = JSON.stringify(keys.uriKeys);
    const alternatives = (indexed: boolean): string[] => {
      const h = indexed ? 'h.' : '+h.';
      const list = [`${h}seq IN (SELECT rowid FROM call_history_fts WHERE call_history_fts MATCH @fts)`];
      if (keys.numberKeys.length > 0)
        list.push(`${h}remote_number_key IN (SELECT value FROM json_each(@contactNumbers))`);
      if (keys.uriKeys.length > 0)
        list.push(`${h}remote_uri_key IN (SELECT value FROM json_each(@contactUris))`);
      return list;
    };
    const dense = alternatives(true).some((alternative) =>
      this.atLeastDense(`SELECT 1 FROM call_history h WHERE ${alternative}`, params),
    );
    return `(${alternatives(!dense).join(' OR ')})`;
  }

  /** Whether `select` (a query over the matching calls) yields at least DENSE_MATCHES rows. */
  private atLeastDense(select: string, params: Params): boolean {
    const used = Object.fromEntries(Object.entries(params).filter(([name]) => select.includes(`@${name}`)));
    const row = this.sql
      .get<[Params], { n: number }>(`SELECT count(*) AS n FROM (${select} LIMIT ${DENSE_MATCHES})`)
      .get(used);
    return (row?.n ?? 0) >= DENSE_MATCHES;
  }

  /** The number and URI keys of the contacts whose name or company contains every word of `search`. */
  private contactKeysMatching(search: string): { numberKeys: string[]; uriKeys: string[] } {
    const words = searchWords(search);
    if (words.length === 0) return { numberKeys: [], uriKeys: [] };
    const rows = this.sql
      .get<string[], { number_key: string | null; uri_key: string | null }>(
        `SELECT a.number_key, a.uri_key FROM contact_addresses a JOIN contacts c ON c.seq = a.contact_seq
         WHERE ${words.map(() => "c.search_folded LIKE ? ESCAPE '\\'").join(' AND ')}`,
      )
      .all(...words.map(likeContaining));
    const numberKeys = new Set<string>();
    const uriKeys = new Set<string>();
    for (const row of rows) {
      if (row.number_key !== null) numberKeys.add(row.number_key);
      if (row.uri_key !== null) uriKeys.add(row.uri_key);
    }
    return { numberKeys: [...numberKeys], uriKeys: [...uriKeys] };
  }
}

/**
 * The page query: the LIMITed selection runs first (a subquery with LIMIT is not flattened into the
 * join), then only those rows are matched to contacts, by SIP user@host first and then by number.
 * The limit is written into the SQL, not bound: SQLite's planner reads a bound LIMIT value and marks the
 * statement for re-preparation whenever it is bound again, which costs more than the query itself.
 */
function pageSql(where: string, order: string, limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`bad page limit ${limit}`);
  return `
      SELECT p.*, c.id AS contact_id, c.name AS contact_name
      FROM (SELECT h.* FROM call_history h ${where === '' ? '' : `WHERE ${where}`} ${order} LIMIT ${limit}) AS p
      LEFT JOIN contacts c ON c.seq = coalesce(
        (SELECT a.contact_seq FROM contact_addresses a WHERE a.uri_key = p.remote_uri_key
          ORDER BY a.contact_seq LIMIT 1),
        (SELECT a.contact_seq FROM contact_addresses a WHERE a.number_key = p.remote_number_key
          ORDER BY a.contact_seq LIMIT 1))
      ORDER BY p.started_at DESC, p.id DESC`;
}

function completionOf(row: HistoryRow): CallCompletion {
  if (row.result === null) return 'in-progress';
  return row.ended_at === null ? 'ended-unknown' : 'completed';
}

function toEntry(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    direction: row.direction,
    accountId: row.account_id,
    remoteUri: row.remote_uri,
    remoteDisplayName: row.remote_display_name,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    result: row.result,
    completion: completionOf(row),
    sipCode: row.sip_code,
    reason: row.reason,
    codec: row.codec,
    mediaPath: row.media_path,
    encryption: row.encryption,
    mos: row.mos,
    seen: row.seen === 1,
    contact:
      row.contact_id === null || row.contact_name === null
        ? null
        : { id: row.contact_id, name: row.contact_name },
  };
}

function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
