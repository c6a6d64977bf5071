/**
 * The address book. Each address is stored with its search keys (see address-keys.ts), so that
 * "1000" finds `sip:1000@pbx`, "+49 30" finds "+49 (0)30 1234", and the call log can show the name of a
 * known caller by an index lookup. Name search is case- and accent-insensitive ("mull" finds "Müller")
 * over a folded copy of name and company.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ContactId, ContactInput } from '../../src-shared/model/contact.ts';
import type { Contact, ContactAddress, ContactQuery, VCardVersion } from '../../src-shared/model/contact.ts';
import type { Clock } from '../platform/ports.ts';
import {
  addressKeys,
  canonicalSipAddress,
  foldForSearch,
  isNumberQuery,
  likeContaining,
  likeStartingWith,
  numberKey,
  numberPrefixRanges,
  searchWords,
  uriKey,
} from './address-keys.ts';
import { StatementCache } from './statement-cache.ts';
import { invalid, notFound, ok } from './result.ts';
import type { InvalidInputError, NotFoundError, Result } from './result.ts';
import { parseVCards, serializeVCards } from './vcard.ts';
import type { VCardSyntaxError } from './vcard.ts';

interface ContactRow {
  seq: number;
  id: string;
  name: string;
  company: string;
  notes: string;
  favourite: number;
  created_at: number;
  updated_at: number;
}

interface AddressRow {
  contact_seq: number;
  kind: 'sip' | 'tel';
  value: string;
  label: string;
}

export interface VCardImportSummary {
  readonly added: number;
  /** Cards whose UID matched an existing contact, which they replaced. */
  readonly updated: number;
}

const DEFAULT_SEARCH_LIMIT = 50;
const MAX_SEARCH_LIMIT = 500;

export class ContactRepository {
  private readonly db: Database.Database;
  private readonly sql: StatementCache;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly newId: () => string;

  constructor(db: Database.Database, clock: Pick<Clock, 'now'>, newId: () => string = randomUUID) {
    this.db = db;
    this.sql = new StatementCache(db);
    this.clock = clock;
    this.newId = newId;
  }

  /** All contacts, favourites first, then by name. */
  list(options: { favouritesOnly?: boolean } = {}): Contact[] {
    const where = options.favouritesOnly === true ? 'WHERE favourite = 1' : '';
    return this.withAddresses(
      this.sql
        .get<[], ContactRow>(`SELECT * FROM contacts ${where} ORDER BY favourite DESC, search_folded, seq`)
        .all(),
    );
  }

  get(id: string): Contact | null {
    const row = this.sql.get<[string], ContactRow>('SELECT * FROM contacts WHERE id = ?').get(id);
    return row === undefined ? null : (this.withAddresses([row])[0] ?? null);
  }

  add(input: ContactInput): Result<Contact, InvalidInputError> {
    const parsed = ContactInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const id = this.newId();
    this.db.transaction(() => this.insert(id, parsed.data)).immediate();
    return ok(this.getExisting(id));
  }

  update(id: string, input: ContactInput): Result<Contact, InvalidInputError | NotFoundError> {
    const parsed = ContactInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const found = this.db.transaction(() => this.replace(id, parsed.data)).immediate();
    return found ? ok(this.getExisting(id)) : notFound(id);
  }

  remove(id: string): boolean {
    return this.sql.get('DELETE FROM contacts WHERE id = ?').run(id).changes > 0;
  }

  /**
   * Contacts matching a search text: the start of a number (on any of their numbers or number-like SIP
   * users), or words that each occur in the name or company, or the start of a SIP user (`alice`).
   */
  search(query: ContactQuery): Contact[] {
    // Written into the SQL (a bound LIMIT makes SQLite re-prepare the statement on every run).
    const limit = Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(query.limit ?? DEFAULT_SEARCH_LIMIT)));
    const favourites = query.favouritesOnly === true ? 'AND c.favourite = 1' : '';
    const text = query.text.trim();
    if (text === '') {
      return this.withAddresses(
        this.sql
          .get<[], ContactRow>(
            `SELECT c.* FROM contacts c WHERE 1 ${favourites} ORDER BY c.favourite DESC, c.search_folded, c.seq LIMIT ${limit}`,
          )
          .all(),
      );
    }
    if (isNumberQuery(text)) {
      const ranges = numberPrefixRanges(text);
      const where = ranges.map(() => '(a.number_key >= ? AND a.number_key < ?)').join(' OR ');
      const rows = this.sql
        .get<unknown[], ContactRow>(
          `SELECT c.* FROM contacts c
           WHERE c.seq IN (SELECT a.contact_seq FROM contact_addresses a WHERE ${where}) ${favourites}
           ORDER BY c.favourite DESC, c.search_folded, c.seq LIMIT ${limit}`,
        )
        .all(...ranges.flat());
      return this.withAddresses(rows);
    }
    const words = searchWords(text);
    if (words.length === 0) return [];
    const byName = words.map(() => "c.search_folded LIKE ? ESCAPE '\\'").join(' AND ');
    const rows = this.sql
      .get<unknown[], ContactRow>(
        `SELECT c.* FROM contacts c
         WHERE ((${byName})
                OR c.seq IN (SELECT a.contact_seq FROM contact_addresses a WHERE a.uri_key LIKE ? ESCAPE '\\'))
           ${favourites}
         ORDER BY c.favourite DESC, c.search_folded, c.seq LIMIT ${limit}`,
      )
      .all(...words.map(likeContaining), likeStartingWith(foldForSearch(text)));
    return this.withAddresses(rows);
  }

  /**
   * The contact for a remote party (`sip:1000@pbx`, `tel:+4930…`, `"Bob" <sip:bob@x>`): first by SIP
   * user@host, then by number. Null if none matches.
   */
  findByAddress(address: string): Contact | null {
    const byUri = uriKey(address);
    const byNumber = numberKey(address);
    const seq =
      (byUri === null ? undefined : this.seqWhere('uri_key', byUri)) ??
      (byNumber === null ? undefined : this.seqWhere('number_key', byNumber));
    if (seq === undefined) return null;
    const row = this.sql.get<[number], ContactRow>('SELECT * FROM contacts WHERE seq = ?').get(seq);
    return row === undefined ? null : (this.withAddresses([row])[0] ?? null);
  }

  /**
   * Imports every card of a vCard 2.1/3.0/4.0 file in one transaction: a file with any error imports nothing
   * and the error names its line. A card whose UID is an existing contact's id replaces that contact.
   */
  importVCard(text: string): Result<VCardImportSummary, VCardSyntaxError> {
    const parsed = parseVCards(text);
    if (!parsed.ok) return parsed;
    let added = 0;
    let updated = 0;
    this.db
      .transaction(() => {
        for (const card of parsed.value) {
          const input: ContactInput = {
            name: card.name,
            company: card.company,
            notes: card.notes,
            favourite: card.favourite,
            addresses: [...card.addresses],
          };
          const id = card.uid !== null && ContactId.safeParse(card.uid).success ? card.uid : null;
          if (id !== null && this.replace(id, input)) {
            updated++;
          } else {
            this.insert(id ?? this.newId(), input);
            added++;
          }
        }
      })
      .immediate();
    return ok({ added, updated });
  }

  /** The given contacts (default: all) as a vCard file; the contact id is written as UID. */
  exportVCard(version: VCardVersion, ids?: readonly string[]): string {
    const contacts =
      ids === undefined ? this.list() : ids.map((id) => this.get(id)).filter((c) => c !== null);
    return serializeVCards(
      contacts.map((c) => ({ ...c, uid: c.id })),
      version,
    );
  }

  // ─────────────────────────────── internals ───────────────────────────────

  private getExisting(id: string): Contact {
    const contact = this.get(id);
    if (contact === null) throw new Error(`contact ${id} vanished inside its own transaction`);
    return contact;
  }

  private seqWhere(column: 'uri_key' | 'number_key', key: string): number | undefined {
    return this.sql
      .get<[string], { contact_seq: number }>(
        `SELECT contact_seq FROM contact_addresses WHERE ${column} = ? ORDER BY contact_seq LIMIT 1`,
      )
      .get(key)?.contact_seq;
  }

  private insert(id: string, input: ContactInput): void {
    const now = this.clock.now();
    const seq = this.sql
      .get(
        `INSERT INTO contacts (id, name, company, notes, favourite, search_folded, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.company,
        input.notes,
        input.favourite ? 1 : 0,
        folded(input),
        now,
        now,
      ).lastInsertRowid;
    this.writeAddresses(Number(seq), input.addresses);
  }

  /** Replaces an existing contact; false if there is none with this id. */
  private replace(id: string, input: ContactInput): boolean {
    const row = this.sql
      .get<[string, string, string, number, string, number, string], { seq: number }>(
        `UPDATE contacts SET name = ?, company = ?, notes = ?, favourite = ?, search_folded = ?, updated_at = ?
         WHERE id = ? RETURNING seq`,
      )
      .get(
        input.name,
        input.company,
        input.notes,
        input.favourite ? 1 : 0,
        folded(input),
        this.clock.now(),
        id,
      );
    if (row === undefined) return false;
    this.sql.get('DELETE FROM contact_addresses WHERE contact_seq = ?').run(row.seq);
    this.writeAddresses(row.seq, input.addresses);
    return true;
  }

  private writeAddresses(seq: number, addresses: readonly ContactAddress[]): void {
    const insert = this.sql.get(
      `INSERT INTO contact_addresses (contact_seq, position, kind, value, label, number_key, uri_key)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    addresses.forEach((address, position) => {
      const value = address.kind === 'sip' ? canonicalSipAddress(address.value) : address.value;
      const keys = addressKeys(address.kind, value);
      insert.run(seq, position, address.kind, value, address.label, keys.numberKey, keys.uriKey);
    });
  }

  private withAddresses(rows: readonly ContactRow[]): Contact[] {
    if (rows.length === 0) return [];
    const addresses = this.sql
      .get<[string], AddressRow>(
        `SELECT contact_seq, kind, value, label FROM contact_addresses
         WHERE contact_seq IN (SELECT value FROM json_each(?)) ORDER BY contact_seq, position`,
      )
      .all(JSON.stringify(rows.map((r) => r.seq)));
    const bySeq = new Map<number, ContactAddress[]>();
    for (const a of addresses) {
      const list = bySeq.get(a.contact_seq) ?? [];
      list.push({ kind: a.kind, value: a.value, label: a.label });
      bySeq.set(a.contact_seq, list);
    }
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      company: r.company,
      notes: r.notes,
      favourite: r.favourite === 1,
      addresses: bySeq.get(r.seq) ?? [],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}

function folded(input: ContactInput): string {
  return `${foldForSearch(input.name)}\n${foldForSearch(input.company)}`;
}
