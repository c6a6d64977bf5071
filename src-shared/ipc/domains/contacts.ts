import { z } from 'zod';
import { command, event } from '../define.ts';
import {
  CONTACT_LIST_MAX,
  Contact,
  ContactId,
  ContactInput,
  ContactsChange,
  VCARD_EXPORT_IDS_MAX,
  VCARD_IMPORT_MAX_CHARS,
  VCardImportResult,
  VCardVersion,
} from '../../model/contact.ts';

export const contactsCommands = {
  'contacts.list': command(
    'Contacts, favourites first, then by name; with `search`, those whose name contains its words or whose number starts with it.',
    z.strictObject({
      search: z.string().max(100).optional(),
      favouritesOnly: z.boolean().optional(),
      /** Default and maximum: CONTACT_LIST_MAX. */
      limit: z.int().min(1).max(CONTACT_LIST_MAX).optional(),
    }),
    z.array(Contact).max(CONTACT_LIST_MAX),
  ),
  'contacts.get': command(
    'One contact by id (not-found if there is none).',
    z.strictObject({ id: ContactId }),
    Contact,
  ),
  'contacts.add': command('Add a contact; answers it with its new id.', ContactInput, Contact),
  'contacts.update': command(
    'Replace all fields of a contact; answers the stored contact.',
    z.strictObject({ id: ContactId, contact: ContactInput }),
    Contact,
  ),
  'contacts.remove': command('Delete a contact.', z.strictObject({ id: ContactId }), z.null()),
  'contacts.importVCard': command(
    'Import a vCard 2.1/3.0/4.0 file: all cards or none; an error names the line. A card whose UID is a contact id replaces it.',
    z.strictObject({ text: z.string().min(1).max(VCARD_IMPORT_MAX_CHARS) }),
    VCardImportResult,
  ),
  'contacts.exportVCard': command(
    'The given contacts (default: all) as a vCard file of the given version; the contact id is written as UID.',
    z.strictObject({
      version: VCardVersion,
      ids: z.array(ContactId).min(1).max(VCARD_EXPORT_IDS_MAX).optional(),
    }),
    z.strictObject({ text: z.string(), count: z.int().nonnegative() }),
  ),
} as const;

export const contactsEvents = {
  'contacts.changed': event('Contacts were added, changed, removed or imported.', ContactsChange),
} as const;
