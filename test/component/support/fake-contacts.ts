/**
 * The fake phone's address book: contacts in memory with the phone's list order (favourites first,
 * then by name) and search (every word in the name, or a number that starts with the digits typed),
 * `contacts.changed` before each answer, and a small vCard reader/writer (FN, TEL, IMPP/X-SIP, ORG,
 * NOTE, UID) whose errors name the line like the phone's.
 */
import { PhoneError } from '../../../src-shared/ipc/index.ts';
import type { Contact, ContactAddress, ContactInput } from '../../../src-shared/model/contact.ts';
import type { FakeEmit, FakeHandlers } from './fake-bridge.ts';

export const FAKE_CONTACTS_EPOCH = Date.UTC(2025, 0, 1);

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function digitsOf(text: string): string {
  return text.replace(/[^0-9+]/g, '').replace(/^\+/, '');
}

export function contactMatches(contact: Contact, search: string): boolean {
  const words = fold(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const name = fold(contact.name);
  if (words.every((w) => name.includes(w))) return true;
  const digits = digitsOf(search);
  if (digits && /^[\d\s()+.-]+$/.test(search.trim())) {
    return contact.addresses.some((a) =>
      digitsOf(a.kind === 'tel' ? a.value : a.value.replace(/@.*$/, '')).startsWith(digits),
    );
  }
  return contact.addresses.some((a) => fold(a.value).includes(fold(search.trim())));
}

export class FakeContacts {
  readonly contacts = new Map<string, Contact>();
  readonly handlers: FakeHandlers;
  private readonly emit: FakeEmit;
  private nextId = 1;
  private now = FAKE_CONTACTS_EPOCH;

  constructor(emit: FakeEmit) {
    this.emit = emit;
    this.handlers = {
      'contacts.list': (request) =>
        this.list(request.search ?? '', request.favouritesOnly === true, request.limit ?? 500),
      'contacts.get': (request) => this.get(request.id),
      'contacts.add': (input) => {
        const contact = this.store(input);
        this.emit('contacts.changed', { reason: 'added', ids: [contact.id] });
        return contact;
      },
      'contacts.update': (request) => {
        const old = this.get(request.id);
        const contact = this.store(request.contact, old);
        this.emit('contacts.changed', { reason: 'updated', ids: [contact.id] });
        return contact;
      },
      'contacts.remove': (request) => {
        this.get(request.id);
        this.contacts.delete(request.id);
        this.emit('contacts.changed', { reason: 'removed', ids: [request.id] });
        return null;
      },
      'contacts.importVCard': (request) => this.importVCard(request.text),
      'contacts.exportVCard': (request) => {
        const list = request.ids ? request.ids.map((id) => this.get(id)) : this.list('', false, 10_000);
        return { text: list.map((c) => vCardOf(c, request.version)).join(''), count: list.length };
      },
    };
  }

  /** Puts a contact in the book without an event (test setup). */
  seed(input: Partial<ContactInput> & { name: string }, id?: string): Contact {
    return this.store({ company: '', notes: '', favourite: false, addresses: [], ...input }, undefined, id);
  }

  list(search: string, favouritesOnly: boolean, limit: number): Contact[] {
    return [...this.contacts.values()]
      .filter((c) => (!favouritesOnly || c.favourite) && contactMatches(c, search))
      .sort(
        (a, b) =>
          Number(b.favourite) - Number(a.favourite) ||
          a.name.localeCompare(b.name) ||
          a.id.localeCompare(b.id),
      )
      .slice(0, limit);
  }

  get(id: string): Contact {
    const contact = this.contacts.get(id);
    if (!contact) throw new PhoneError('not-found', `There is no contact with id ${JSON.stringify(id)}.`);
    return contact;
  }

  private store(input: ContactInput, old?: Contact, id?: string): Contact {
    const at = ++this.now;
    const addresses: ContactAddress[] = input.addresses.map((a) => ({
      ...a,
      value: a.kind === 'sip' && !/^sips?:/i.test(a.value) ? `sip:${a.value}` : a.value,
    }));
    const contact: Contact = {
      id: old?.id ?? id ?? `c${this.nextId++}`,
      name: input.name,
      company: input.company,
      notes: input.notes,
      favourite: input.favourite,
      addresses,
      createdAt: old?.createdAt ?? at,
      updatedAt: at,
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  private importVCard(text: string): { added: number; updated: number } {
    const lines = text.split(/\r?\n/);
    const cards: Array<{ input: ContactInput; uid: string | null }> = [];
    let card: { input: ContactInput; uid: string | null; line: number } | null = null;
    lines.forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      const colon = raw.indexOf(':');
      const name = (colon < 0 ? raw : raw.slice(0, colon)).split(';')[0]?.toUpperCase() ?? '';
      const value = colon < 0 ? '' : raw.slice(colon + 1);
      if (name === 'BEGIN') {
        card = {
          input: { name: '', company: '', notes: '', favourite: false, addresses: [] },
          uid: null,
          line,
        };
        return;
      }
      if (!card)
        throw new PhoneError('invalid-request', `vCard line ${line}: outside BEGIN:VCARD … END:VCARD`);
      const current: { input: ContactInput; uid: string | null; line: number } = card;
      switch (name) {
        case 'END':
          if (!current.input.name)
            throw new PhoneError('invalid-request', `vCard line ${current.line}: the card has no FN (name)`);
          cards.push(current);
          card = null;
          return;
        case 'FN':
          current.input.name = value.trim();
          return;
        case 'ORG':
          current.input.company = value.split(';')[0] ?? '';
          return;
        case 'NOTE':
          current.input.notes = value;
          return;
        case 'UID':
          current.uid = value.trim();
          return;
        case 'TEL':
          current.input.addresses.push({ kind: 'tel', value: value.replace(/^tel:/i, ''), label: '' });
          return;
        case 'IMPP':
        case 'X-SIP':
          current.input.addresses.push({ kind: 'sip', value, label: '' });
          return;
        default:
          return;
      }
    });
    if (card)
      throw new PhoneError('invalid-request', `vCard line ${lines.length}: the last card has no END:VCARD`);
    let added = 0;
    let updated = 0;
    for (const c of cards) {
      const old = c.uid ? this.contacts.get(c.uid) : undefined;
      this.store(c.input, old);
      if (old) updated++;
      else added++;
    }
    if (added + updated > 0) this.emit('contacts.changed', { reason: 'imported', ids: null });
    return { added, updated };
  }
}

function vCardOf(contact: Contact, version: '3.0' | '4.0'): string {
  const lines = ['BEGIN:VCARD', `VERSION:${version}`, `UID:${contact.id}`, `FN:${contact.name}`];
  if (contact.company) lines.push(`ORG:${contact.company}`);
  for (const a of contact.addresses) lines.push(a.kind === 'tel' ? `TEL:${a.value}` : `IMPP:${a.value}`);
  if (contact.notes) lines.push(`NOTE:${contact.notes}`);
  lines.push('END:VCARD');
  return lines.map((l) => `${l}\r\n`).join('');
}
