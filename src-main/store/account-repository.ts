/**
 * SIP accounts with all their registration, NAT and media settings. Passwords (the SIP digest password
 * and TURN passwords) are written only as `cipher.encrypt(password)` with the cipher's kind beside it;
 * the renderer-facing `AccountConfig` carries only `hasPassword`. The phone asks for the plain
 * passwords with `credentials(id)` when it registers.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { AccountInput, SipTransport, SrtpMode } from '../../src-shared/model/account.ts';
import type { AccountConfig, TurnServerConfig } from '../../src-shared/model/account.ts';
import { CodecOrder, DtmfMode, IceMode } from '../../src-shared/model/settings.ts';
import type { Clock } from '../platform/ports.ts';
import { StatementCache } from './statement-cache.ts';
import { fail, invalid, notFound, ok } from './result.ts';
import type { InvalidInputError, NotFoundError, Result } from './result.ts';
import type { SecretCipher } from './secret-cipher.ts';

export interface TurnCredentials {
  readonly uri: string;
  readonly username: string;
  readonly password: string | null;
}

export interface AccountCredentials {
  readonly accountId: string;
  /** The SIP digest password, null if none is stored. */
  readonly password: string | null;
  readonly turnServers: readonly TurnCredentials[];
}

/**
 * Why stored passwords could not be read:
 *   cipher-mismatch — written by another kind of cipher (e.g. by the Electron app, read by the CLI);
 *                     the user must enter the password again here.
 *   undecryptable   — same kind, but the key changed or the bytes were altered.
 */
export type CredentialsError =
  | NotFoundError
  | { readonly code: 'cipher-mismatch'; readonly stored: string; readonly current: string }
  | { readonly code: 'undecryptable'; readonly message: string };

interface AccountRow {
  id: string;
  label: string;
  aor: string;
  auth_user: string;
  display_name: string;
  domain: string;
  outbound_proxy: string | null;
  transport: string;
  register_expires_sec: number;
  enabled: number;
  ice_mode: string;
  stun_servers: string;
  keepalive_interval_sec: number;
  media_port_min: number | null;
  media_port_max: number | null;
  codecs: string | null;
  dtmf_mode: string | null;
  auto_answer: number;
  srtp: string;
  password_blob: Buffer | null;
  password_cipher: string | null;
}

interface TurnRow {
  account_id: string;
  position: number;
  uri: string;
  username: string;
  password_blob: Buffer | null;
  password_cipher: string | null;
}

const StoredStrings = z.array(z.string());

export class AccountRepository {
  private readonly db: Database.Database;
  private readonly sql: StatementCache;
  private readonly cipher: SecretCipher;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly newId: () => string;

  constructor(
    db: Database.Database,
    cipher: SecretCipher,
    clock: Pick<Clock, 'now'>,
    newId: () => string = randomUUID,
  ) {
    this.db = db;
    this.sql = new StatementCache(db);
    this.cipher = cipher;
    this.clock = clock;
    this.newId = newId;
  }

  /** All accounts in the order they were added. */
  list(): AccountConfig[] {
    const rows = this.sql.get<[], AccountRow>('SELECT * FROM accounts ORDER BY position, id').all();
    const turn = this.turnRowsByAccount();
    return rows.map((row) => toConfig(row, turn.get(row.id) ?? []));
  }

  get(id: string): AccountConfig | null {
    const row = this.sql.get<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?').get(id);
    return row === undefined ? null : toConfig(row, this.turnRows(id));
  }

  add(input: AccountInput): Result<AccountConfig, InvalidInputError> {
    const parsed = AccountInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const id = this.newId();
    const now = this.clock.now();
    this.db
      .transaction(() => {
        const position = this.sql
          .get<[], { next: number }>('SELECT coalesce(max(position) + 1, 0) AS next FROM accounts')
          .get()?.next;
        this.sql
          .get(
            `INSERT INTO accounts (id, position, label, aor, auth_user, display_name, domain, outbound_proxy,
             transport, register_expires_sec, enabled, ice_mode, stun_servers, keepalive_interval_sec,
             media_port_min, media_port_max, codecs, dtmf_mode, auto_answer, srtp, password_blob,
             password_cipher, created_at, updated_at)
           VALUES (@id, @position, @label, @aor, @auth_user, @display_name, @domain, @outbound_proxy,
             @transport, @register_expires_sec, @enabled, @ice_mode, @stun_servers, @keepalive_interval_sec,
             @media_port_min, @media_port_max, @codecs, @dtmf_mode, @auto_answer, @srtp, @password_blob,
             @password_cipher, @now, @now)`,
          )
          .run({
            ...this.columns(parsed.data),
            ...this.sealed(parsed.data.password ?? null),
            id,
            position,
            now,
          });
        this.writeTurnServers(id, parsed.data.turnServers, []);
      })
      .immediate();
    return ok(this.getExisting(id));
  }

  /**
   * Replaces an account's settings. Passwords follow the rules of `AccountInput`: an absent password
   * keeps the stored one, null removes it.
   */
  update(id: string, input: AccountInput): Result<AccountConfig, InvalidInputError | NotFoundError> {
    const parsed = AccountInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const found = this.db
      .transaction(() => {
        const previousTurn = this.turnRows(id);
        const password = parsed.data.password;
        const passwordColumns =
          password === undefined
            ? ''
            : ', password_blob = @password_blob, password_cipher = @password_cipher';
        const changed = this.sql
          .get(
            `UPDATE accounts SET label = @label, aor = @aor, auth_user = @auth_user, display_name = @display_name,
             domain = @domain, outbound_proxy = @outbound_proxy, transport = @transport,
             register_expires_sec = @register_expires_sec, enabled = @enabled, ice_mode = @ice_mode,
             stun_servers = @stun_servers, keepalive_interval_sec = @keepalive_interval_sec,
             media_port_min = @media_port_min, media_port_max = @media_port_max, codecs = @codecs,
             dtmf_mode = @dtmf_mode, auto_answer = @auto_answer, srtp = @srtp, updated_at = @now
             ${passwordColumns}
           WHERE id = @id`,
          )
          .run({
            ...this.columns(parsed.data),
            ...(password === undefined ? {} : this.sealed(password)),
            id,
            now: this.clock.now(),
          }).changes;
        if (changed === 0) return false;
        this.sql.get('DELETE FROM account_turn_servers WHERE account_id = ?').run(id);
        this.writeTurnServers(id, parsed.data.turnServers, previousTurn);
        return true;
      })
      .immediate();
    return found ? ok(this.getExisting(id)) : notFound(id);
  }

  /** Deletes the account and its NAT report; its call-log rows stay, with the account id cleared. */
  remove(id: string): boolean {
    return this.sql.get('DELETE FROM accounts WHERE id = ?').run(id).changes > 0;
  }

  /** The plain passwords of an account, for registering and for TURN allocations. */
  credentials(id: string): Result<AccountCredentials, CredentialsError> {
    const row = this.sql
      .get<[string], Pick<AccountRow, 'password_blob' | 'password_cipher'>>(
        'SELECT password_blob, password_cipher FROM accounts WHERE id = ?',
      )
      .get(id);
    if (row === undefined) return notFound(id);
    const password = this.open(row.password_blob, row.password_cipher);
    if (!password.ok) return password;
    const turnServers: TurnCredentials[] = [];
    for (const turn of this.turnRows(id)) {
      const turnPassword = this.open(turn.password_blob, turn.password_cipher);
      if (!turnPassword.ok) return turnPassword;
      turnServers.push({ uri: turn.uri, username: turn.username, password: turnPassword.value });
    }
    return ok({ accountId: id, password: password.value, turnServers });
  }

  // ─────────────────────────────── internals ───────────────────────────────

  private getExisting(id: string): AccountConfig {
    const config = this.get(id);
    if (config === null) throw new Error(`account ${id} vanished inside its own transaction`);
    return config;
  }

  private columns(input: AccountInput): Record<string, string | number | null> {
    return {
      label: input.label,
      aor: input.aor,
      auth_user: input.authUser,
      display_name: input.displayName,
      domain: input.domain,
      outbound_proxy: input.outboundProxy,
      transport: input.transport,
      register_expires_sec: input.registerExpiresSec,
      enabled: input.enabled ? 1 : 0,
      ice_mode: input.iceMode,
      stun_servers: JSON.stringify(input.stunServers),
      keepalive_interval_sec: input.keepaliveIntervalSec,
      media_port_min: input.mediaPorts?.min ?? null,
      media_port_max: input.mediaPorts?.max ?? null,
      codecs: input.codecs === null ? null : JSON.stringify(input.codecs),
      dtmf_mode: input.dtmfMode,
      auto_answer: input.autoAnswer ? 1 : 0,
      srtp: input.srtp,
    };
  }

  /** Encrypts a password for storage (an empty or null password is stored as none). */
  private sealed(password: string | null): { password_blob: Buffer | null; password_cipher: string | null } {
    if (password === null || password === '') return { password_blob: null, password_cipher: null };
    return { password_blob: this.cipher.encrypt(password), password_cipher: this.cipher.kind };
  }

  private open(blob: Buffer | null, kind: string | null): Result<string | null, CredentialsError> {
    if (blob === null || kind === null) return ok(null);
    if (kind !== this.cipher.kind)
      return fail({ code: 'cipher-mismatch', stored: kind, current: this.cipher.kind });
    try {
      return ok(this.cipher.decrypt(blob));
    } catch (error) {
      return fail({ code: 'undecryptable', message: error instanceof Error ? error.message : String(error) });
    }
  }

  private writeTurnServers(
    accountId: string,
    servers: AccountInput['turnServers'],
    previous: readonly TurnRow[],
  ): void {
    const insert = this.sql.get(
      `INSERT INTO account_turn_servers (account_id, position, uri, username, password_blob, password_cipher)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    servers.forEach((server, position) => {
      let blob: Buffer | null;
      let kind: string | null;
      if (server.password === undefined) {
        // Keep the password stored for the same server and user name, if any.
        const kept = previous.find((p) => p.uri === server.uri && p.username === server.username);
        blob = kept?.password_blob ?? null;
        kind = kept?.password_cipher ?? null;
      } else {
        ({ password_blob: blob, password_cipher: kind } = this.sealed(server.password));
      }
      insert.run(accountId, position, server.uri, server.username, blob, kind);
    });
  }

  private turnRows(accountId: string): TurnRow[] {
    return this.sql
      .get<[string], TurnRow>('SELECT * FROM account_turn_servers WHERE account_id = ? ORDER BY position')
      .all(accountId);
  }

  private turnRowsByAccount(): Map<string, TurnRow[]> {
    const byAccount = new Map<string, TurnRow[]>();
    const rows = this.sql
      .get<[], TurnRow>('SELECT * FROM account_turn_servers ORDER BY account_id, position')
      .all();
    for (const row of rows) {
      const list = byAccount.get(row.account_id) ?? [];
      list.push(row);
      byAccount.set(row.account_id, list);
    }
    return byAccount;
  }
}

function toConfig(row: AccountRow, turn: readonly TurnRow[]): AccountConfig {
  const turnServers: TurnServerConfig[] = turn.map((t) => ({
    uri: t.uri,
    username: t.username,
    hasPassword: t.password_blob !== null,
  }));
  return {
    id: row.id,
    label: row.label,
    aor: row.aor,
    authUser: row.auth_user,
    displayName: row.display_name,
    domain: row.domain,
    outboundProxy: row.outbound_proxy,
    transport: SipTransport.parse(row.transport),
    registerExpiresSec: row.register_expires_sec,
    enabled: row.enabled === 1,
    iceMode: IceMode.parse(row.ice_mode),
    stunServers: StoredStrings.parse(JSON.parse(row.stun_servers)),
    keepaliveIntervalSec: row.keepalive_interval_sec,
    mediaPorts:
      row.media_port_min === null || row.media_port_max === null
        ? null
        : { min: row.media_port_min, max: row.media_port_max },
    codecs: row.codecs === null ? null : CodecOrder.parse(JSON.parse(row.codecs)),
    dtmfMode: row.dtmf_mode === null ? null : DtmfMode.parse(row.dtmf_mode),
    autoAnswer: row.auto_answer === 1,
    srtp: SrtpMode.parse(row.srtp),
    turnServers,
    hasPassword: row.password_blob !== null,
  };
}
