/**
 * The contacts domain of the phone API: the address book in the store, searched, edited, imported from
 * and exported to vCard. Every change goes out as `contacts.changed`.
 */
import { PhoneError } from '../../src-shared/ipc/index.ts';
import type { EventName, EventPayloadOf } from '../../src-shared/ipc/index.ts';
import { CONTACT_LIST_MAX } from '../../src-shared/model/contact.ts';
import type {
  Contact,
  ContactInput,
  ContactsChange,
  VCardImportResult,
  VCardVersion,
} from '../../src-shared/model/contact.ts';
import type { CommandHandlers } from './router.ts';
import { describeIssues, type StorageAccess } from './storage-access.ts';

export interface ContactsServiceOptions {
  storage: StorageAccess;
  emit: <N extends EventName>(name: N, payload: EventPayloadOf<N>) => void;
}

type ContactsCommand =
  | 'contacts.list'
  | 'contacts.get'
  | 'contacts.add'
  | 'contacts.update'
  | 'contacts.remove'
  | 'contacts.importVCard'
  | 'contacts.exportVCard';

const WHAT = 'contacts';

export class ContactsService {
  readonly handlers: Pick<CommandHandlers, ContactsCommand>;
  private readonly storage: StorageAccess;
  private readonly emit: ContactsServiceOptions['emit'];

  constructor(options: ContactsServiceOptions) {
    this.storage = options.storage;
    this.emit = options.emit;
    this.handlers = {
      'contacts.list': (req) =>
        this.list(req.search ?? '', req.favouritesOnly === true, req.limit ?? CONTACT_LIST_MAX),
      'contacts.get': (req) => this.get(req.id),
      'contacts.add': (req) => this.add(req),
      'contacts.update': (req) => this.update(req.id, req.contact),
      'contacts.remove': (req) => this.remove(req.id),
      'contacts.importVCard': (req) => this.importVCard(req.text),
      'contacts.exportVCard': (req) => this.exportVCard(req.version, req.ids),
    };
  }

  list(search: string, favouritesOnly: boolean, limit: number): Contact[] {
    return this.storage.use(WHAT, (store) => store.contacts.search({ text: search, favouritesOnly, limit }));
  }

  get(id: string): Contact {
    const contact = this.storage.use(WHAT, (store) => store.contacts.get(id));
    if (contact === null) throw notFound(id);
    return contact;
  }

  add(input: ContactInput): Contact {
    const added = this.storage.use(WHAT, (store) => store.contacts.add(input));
    if (!added.ok) throw new PhoneError('invalid-request', `contact: ${describeIssues(added.error.issues)}`);
    this.changed({ reason: 'added', ids: [added.value.id] });
    return added.value;
  }

  update(id: string, input: ContactInput): Contact {
    const updated = this.storage.use(WHAT, (store) => store.contacts.update(id, input));
    if (!updated.ok) {
      switch (updated.error.code) {
        case 'invalid':
          throw new PhoneError('invalid-request', `contact: ${describeIssues(updated.error.issues)}`);
        case 'not-found':
          throw notFound(id);
      }
    }
    this.changed({ reason: 'updated', ids: [id] });
    return updated.value;
  }

  remove(id: string): null {
    if (!this.storage.use(WHAT, (store) => store.contacts.remove(id))) throw notFound(id);
    this.changed({ reason: 'removed', ids: [id] });
    return null;
  }

  /** All cards or none; a file with an error imports nothing and the error names its line. */
  importVCard(text: string): VCardImportResult {
    const imported = this.storage.use(WHAT, (store) => store.contacts.importVCard(text));
    if (!imported.ok) {
      throw new PhoneError('invalid-request', `vCard line ${imported.error.line}: ${imported.error.message}`);
    }
    if (imported.value.added + imported.value.updated > 0) this.changed({ reason: 'imported', ids: null });
    return { added: imported.value.added, updated: imported.value.updated };
  }

  /** The named contacts (default: all); naming one that does not exist is `not-found`. */
  exportVCard(version: VCardVersion, ids: readonly string[] | undefined): { text: string; count: number } {
    return this.storage.use(WHAT, (store) => {
      if (ids === undefined) {
        const text = store.contacts.exportVCard(version);
        // Values never contain a raw line break (vCard escapes them), so each card has one such line.
        return { text, count: text.match(/^BEGIN:VCARD\r?$/gm)?.length ?? 0 };
      }
      const unique = [...new Set(ids)];
      const missing = unique.find((id) => store.contacts.get(id) === null);
      if (missing !== undefined) throw notFound(missing);
      return { text: store.contacts.exportVCard(version, unique), count: unique.length };
    });
  }

  private changed(change: ContactsChange): void {
    this.emit('contacts.changed', change);
  }
}

function notFound(id: string): PhoneError {
  return new PhoneError('not-found', `There is no contact with id ${JSON.stringify(id)}.`);
}
