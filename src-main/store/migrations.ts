/**
 * The schema, as the list of steps that build it. `PRAGMA user_version` records how many have run.
 *
 * Rules for evolving it:
 *   - Never edit a migration that has shipped; append a new one. (test/unit/store/fixtures holds a
 *     literal copy of every earlier schema, and the tests migrate each of them to the newest.)
 *   - Each migration runs in its own transaction together with the user_version bump, so a failure
 *     leaves the database exactly at the previous version.
 *   - Changes that SQLite's ALTER TABLE cannot express use the "create new table, copy, drop, rename"
 *     procedure of https://sqlite.org/lang_altertable.html §7 inside the migration.
 *
 * Conventions: STRICT tables; booleans are INTEGER 0/1; timestamps are INTEGER ms since the epoch;
 * lists without secrets are JSON text; enumerations are TEXT with a CHECK. Tables searched through an
 * FTS5 index have an INTEGER PRIMARY KEY `seq` (a stable rowid for the external-content index) and
 * their public `id` as a UNIQUE column.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3, … without gaps; after it runs, user_version = version. */
  readonly version: number;
  readonly description: string;
  up(db: Database.Database): void;
}

const VERSION_1 = `
CREATE TABLE accounts (
  id                     TEXT PRIMARY KEY NOT NULL,
  position               INTEGER NOT NULL,
  label                  TEXT NOT NULL,
  aor                    TEXT NOT NULL,
  auth_user              TEXT NOT NULL DEFAULT '',
  display_name           TEXT NOT NULL DEFAULT '',
  domain                 TEXT NOT NULL,
  outbound_proxy         TEXT,
  transport              TEXT NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls')),
  register_expires_sec   INTEGER NOT NULL,
  enabled                INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  ice_mode               TEXT NOT NULL CHECK (ice_mode IN ('on', 'off', 'auto')),
  stun_servers           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(stun_servers)),
  keepalive_interval_sec INTEGER NOT NULL,
  media_port_min         INTEGER,
  media_port_max         INTEGER,
  codecs                 TEXT CHECK (codecs IS NULL OR json_valid(codecs)),
  dtmf_mode              TEXT CHECK (dtmf_mode IS NULL OR dtmf_mode IN ('rfc4733', 'info', 'auto')),
  auto_answer            INTEGER NOT NULL DEFAULT 0 CHECK (auto_answer IN (0, 1)),
  srtp                   TEXT NOT NULL DEFAULT 'off',
  password_blob          BLOB,
  password_cipher        TEXT,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  CHECK ((password_blob IS NULL) = (password_cipher IS NULL)),
  CHECK ((media_port_min IS NULL) = (media_port_max IS NULL))
) STRICT;

CREATE TABLE account_turn_servers (
  account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  uri             TEXT NOT NULL,
  username        TEXT NOT NULL DEFAULT '',
  password_blob   BLOB,
  password_cipher TEXT,
  PRIMARY KEY (account_id, position),
  CHECK ((password_blob IS NULL) = (password_cipher IS NULL))
) STRICT;

CREATE TABLE contacts (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  company       TEXT NOT NULL DEFAULT '',
  notes         TEXT NOT NULL DEFAULT '',
  favourite     INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
  -- folded (lower case, no accents) name and company, for accent-insensitive search
  search_folded TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_by_name ON contacts(search_folded);

CREATE TABLE contact_addresses (
  contact_seq INTEGER NOT NULL REFERENCES contacts(seq) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('sip', 'tel')),
  value       TEXT NOT NULL,
  label       TEXT NOT NULL DEFAULT '',
  number_key  TEXT,
  uri_key     TEXT,
  PRIMARY KEY (contact_seq, position)
) STRICT;
CREATE INDEX contact_addresses_by_number ON contact_addresses(number_key, contact_seq);
CREATE INDEX contact_addresses_by_uri ON contact_addresses(uri_key, contact_seq);

CREATE TABLE call_history (
  seq                 INTEGER PRIMARY KEY,
  id                  TEXT NOT NULL UNIQUE,
  direction           TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
  account_id          TEXT REFERENCES accounts(id) ON DELETE SET NULL,
  remote_uri          TEXT NOT NULL,
  remote_display_name TEXT NOT NULL DEFAULT '',
  remote_user         TEXT NOT NULL DEFAULT '',
  remote_number_key   TEXT,
  remote_uri_key      TEXT,
  started_at          INTEGER NOT NULL,
  answered_at         INTEGER,
  ended_at            INTEGER,
  duration_ms         INTEGER,
  result              TEXT CHECK (result IS NULL OR
                        result IN ('answered', 'missed', 'rejected', 'busy', 'failed', 'cancelled')),
  sip_code            INTEGER CHECK (sip_code IS NULL OR sip_code BETWEEN 100 AND 699),
  reason              TEXT,
  codec               TEXT,
  seen                INTEGER NOT NULL DEFAULT 1 CHECK (seen IN (0, 1))
) STRICT;
CREATE INDEX call_history_by_time ON call_history(started_at, id);
CREATE INDEX call_history_by_direction ON call_history(direction, started_at, id);
CREATE INDEX call_history_by_account ON call_history(account_id, started_at, id);
CREATE INDEX call_history_missed ON call_history(started_at, id) WHERE result = 'missed';
CREATE INDEX call_history_unseen ON call_history(seen) WHERE result = 'missed' AND seen = 0;
CREATE INDEX call_history_unfinished ON call_history(started_at) WHERE result IS NULL;
CREATE INDEX call_history_by_number ON call_history(remote_number_key, started_at);
CREATE INDEX call_history_by_uri ON call_history(remote_uri_key, started_at);

-- Name search over the call log. External content: the text lives in call_history only.
CREATE VIRTUAL TABLE call_history_fts USING fts5(
  remote_display_name, remote_user,
  content = 'call_history', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER call_history_fts_insert AFTER INSERT ON call_history BEGIN
  INSERT INTO call_history_fts(rowid, remote_display_name, remote_user)
    VALUES (new.seq, new.remote_display_name, new.remote_user);
END;
CREATE TRIGGER call_history_fts_delete AFTER DELETE ON call_history BEGIN
  INSERT INTO call_history_fts(call_history_fts, rowid, remote_display_name, remote_user)
    VALUES ('delete', old.seq, old.remote_display_name, old.remote_user);
END;
CREATE TRIGGER call_history_fts_update AFTER UPDATE OF remote_display_name, remote_user ON call_history BEGIN
  INSERT INTO call_history_fts(call_history_fts, rowid, remote_display_name, remote_user)
    VALUES ('delete', old.seq, old.remote_display_name, old.remote_user);
  INSERT INTO call_history_fts(rowid, remote_display_name, remote_user)
    VALUES (new.seq, new.remote_display_name, new.remote_user);
END;

-- One row per settings group, the group as a JSON object.
CREATE TABLE settings (
  group_name TEXT PRIMARY KEY NOT NULL,
  value      TEXT NOT NULL CHECK (json_valid(value))
) STRICT;
`;

/** Version 2: the call log learns the media path (direct/relayed) and a call-quality estimate. */
const VERSION_2 = `
ALTER TABLE call_history ADD COLUMN media_path TEXT NOT NULL DEFAULT 'unknown'
  CHECK (media_path IN ('direct', 'relayed', 'unknown'));
ALTER TABLE call_history ADD COLUMN mos REAL CHECK (mos IS NULL OR (mos >= 1 AND mos <= 5));
`;

/**
 * Version 3: the last NAT report per account, kept across restarts. `account_key` is the account's id, or
 * '' for checks made without an account; `account_id` repeats it for accounts (NULL for '') so that
 * deleting the account deletes its report.
 */
const VERSION_3 = `
CREATE TABLE nat_reports (
  account_key TEXT PRIMARY KEY NOT NULL,
  account_id  TEXT REFERENCES accounts(id) ON DELETE CASCADE,
  report      TEXT NOT NULL CHECK (json_valid(report)),
  saved_at    INTEGER NOT NULL,
  CHECK (account_id IS nullif(account_key, ''))
) STRICT;
CREATE INDEX nat_reports_by_account ON nat_reports(account_id);
`;

/**
 * Version 4: the call log learns whether the call's audio was encrypted (`srtp`: SDES-SRTP) or not
 * (`none`). Rows written before this version cannot know: `unknown`.
 */
const VERSION_4 = `
ALTER TABLE call_history ADD COLUMN encryption TEXT NOT NULL DEFAULT 'unknown'
  CHECK (encryption IN ('none', 'srtp', 'unknown'));
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, contacts, call history with name index, settings',
    up: (db) => db.exec(VERSION_1),
  },
  {
    version: 2,
    description: 'call history: media_path and mos',
    up: (db) => db.exec(VERSION_2),
  },
  {
    version: 3,
    description: 'the last NAT report per account',
    up: (db) => db.exec(VERSION_3),
  },
  {
    version: 4,
    description: 'call history: encryption',
    up: (db) => db.exec(VERSION_4),
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
