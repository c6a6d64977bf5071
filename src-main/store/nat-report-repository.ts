/**
 * The last NAT report per account, as JSON, so that the Diagnostics screen can show it after a restart.
 * Keys are account ids, or '' for checks made without an account. A report is kept only for an account
 * that is stored (deleting the account deletes its report, by foreign key). Reading validates each row
 * with the NatReport schema: a row written by an older version of the app in a shape this one no longer
 * accepts is treated as absent and deleted, never handed out.
 */
import type Database from 'better-sqlite3';
import { NatReport } from '../../src-shared/model/nat.ts';
import type { Clock } from '../platform/ports.ts';
import { StatementCache } from './statement-cache.ts';
import { invalid, notFound, ok } from './result.ts';
import type { InvalidInputError, NotFoundError, Result } from './result.ts';

/** Reports of checks made without an account are kept under this key. */
export const NO_ACCOUNT_KEY = '';

export interface SavedNatReport {
  /** The account's id, or '' for a check made without an account. */
  readonly accountKey: string;
  readonly report: NatReport;
  /** When it was saved, ms since the epoch. */
  readonly savedAt: number;
}

interface NatReportRow {
  account_key: string;
  report: string;
  saved_at: number;
}

export class NatReportRepository {
  private readonly sql: StatementCache;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(db: Database.Database, clock: Pick<Clock, 'now'>) {
    this.sql = new StatementCache(db);
    this.clock = clock;
  }

  /**
   * Keeps `report` as the last one of `accountKey`, replacing the previous one. Not kept (not-found) when
   * the key names no stored account — it was deleted while its check ran, or never was stored.
   */
  save(accountKey: string, report: NatReport): Result<SavedNatReport, InvalidInputError | NotFoundError> {
    const parsed = NatReport.safeParse(report);
    if (!parsed.success) return invalid(parsed.error);
    const savedAt = Math.floor(this.clock.now());
    const changes = this.sql
      .get(
        `INSERT INTO nat_reports (account_key, account_id, report, saved_at)
           SELECT @key, nullif(@key, ''), @report, @savedAt
           WHERE @key = '' OR EXISTS (SELECT 1 FROM accounts WHERE id = @key)
         ON CONFLICT (account_key) DO UPDATE SET report = excluded.report, saved_at = excluded.saved_at`,
      )
      .run({ key: accountKey, report: JSON.stringify(parsed.data), savedAt }).changes;
    return changes > 0 ? ok({ accountKey, report: parsed.data, savedAt }) : notFound(accountKey);
  }

  /** The last report of `accountKey`; undefined when there is none (or it no longer validates). */
  last(accountKey: string): NatReport | undefined {
    const row = this.sql
      .get<[string], NatReportRow>('SELECT * FROM nat_reports WHERE account_key = ?')
      .get(accountKey);
    return row === undefined ? undefined : this.valid(row)?.report;
  }

  /** Every account's last report, by key ('' first). */
  all(): SavedNatReport[] {
    const rows = this.sql.get<[], NatReportRow>('SELECT * FROM nat_reports ORDER BY account_key').all();
    return rows.flatMap((row) => this.valid(row) ?? []);
  }

  /** Forgets the report of `accountKey`; false if there was none. */
  remove(accountKey: string): boolean {
    return this.sql.get('DELETE FROM nat_reports WHERE account_key = ?').run(accountKey).changes > 0;
  }

  /** The row as a report, or undefined after deleting a row that no longer validates. */
  private valid(row: NatReportRow): SavedNatReport | undefined {
    const report = NatReport.safeParse(parseJson(row.report));
    if (report.success) return { accountKey: row.account_key, report: report.data, savedAt: row.saved_at };
    this.remove(row.account_key);
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // the column's json_valid CHECK makes this unreachable, short of a damaged file
  }
}
