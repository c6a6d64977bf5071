/**
 * Prepared statements, compiled once per connection and SQL text. better-sqlite3 compiles on every
 * `prepare`; for statements run on every call event that is most of their cost.
 */
import type Database from 'better-sqlite3';

export class StatementCache {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The statement for `sql` (typed by the caller, as with `db.prepare<P, R>`). */
  get<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): Database.Statement<P extends unknown[] ? P : [P], R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P extends unknown[] ? P : [P], R>;
  }
}
