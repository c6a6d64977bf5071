/**
 * The contact form's model: what the fields hold, how a stored contact (or a seed from another screen)
 * fills them, and how they become a `ContactInput` — checked with the contract's own schema, its
 * issues turned into messages next to the field they concern. Address rows left completely blank are
 * not part of the contact.
 */
import { ContactInput, type Contact, type ContactAddressKind } from '../../../../src-shared/model/contact.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';
import type { ContactSeed } from '../../stores/index.ts';

export interface ContactFormAddress {
  /** Stable identity of the row (for rendering and focus), not stored. */
  readonly key: number;
  kind: ContactAddressKind;
  value: string;
  label: string;
  /** The user picked the kind; typing no longer guesses it. */
  kindChosen: boolean;
}

export interface ContactForm {
  name: string;
  company: string;
  notes: string;
  favourite: boolean;
  addresses: ContactFormAddress[];
}

export interface ContactFormErrors {
  name?: LocalizedMessage;
  company?: LocalizedMessage;
  notes?: LocalizedMessage;
  /** About the address list as a whole (too many). */
  addresses?: LocalizedMessage;
  /** By row key. */
  addressValues: Record<number, LocalizedMessage>;
  addressLabels: Record<number, LocalizedMessage>;
}

export type ContactFormCheck = { ok: true; input: ContactInput } | { ok: false; errors: ContactFormErrors };

let nextRowKey = 1;

export function addressRow(kind: ContactAddressKind = 'tel', value = '', label = ''): ContactFormAddress {
  return { key: nextRowKey++, kind, value, label, kindChosen: value !== '' };
}

export function emptyContactForm(seed?: ContactSeed | null): ContactForm {
  return {
    name: seed?.name ?? '',
    company: '',
    notes: '',
    favourite: false,
    addresses: [seed ? addressRow(seed.address.kind, seed.address.value) : addressRow()],
  };
}

export function contactFormOf(contact: Contact): ContactForm {
  return {
    name: contact.name,
    company: contact.company,
    notes: contact.notes,
    favourite: contact.favourite,
    addresses:
      contact.addresses.length > 0
        ? contact.addresses.map((a) => addressRow(a.kind, a.value, a.label))
        : [addressRow()],
  };
}

/** The kind an address most likely is, from what was typed: `@` or a sip: scheme make it SIP. */
export function guessAddressKind(value: string): ContactAddressKind {
  return /^sips?:|@/i.test(value.trim()) ? 'sip' : 'tel';
}

type Issue = NonNullable<ReturnType<typeof ContactInput.safeParse>['error']>['issues'][number];

/** The schema's refinement messages (src-shared/model/contact.ts), by the message each one gives. */
const REFINEMENT_MESSAGES: Readonly<Record<string, LocalizedMessage>> = {
  'number has no digits': { key: 'contacts.form.errors.noDigits' },
  'SIP URI contains a space': { key: 'contacts.form.errors.sipSpace' },
  'address contains a control character': { key: 'contacts.form.errors.controlCharacter' },
};

function messageOfIssue(issue: Issue, required: LocalizedMessage): LocalizedMessage {
  switch (issue.code) {
    case 'too_small':
      return required;
    case 'too_big':
      return { key: 'contacts.form.errors.tooLong', params: { max: Number(issue.maximum) } };
    case 'custom':
      return (
        REFINEMENT_MESSAGES[issue.message] ?? {
          key: 'contacts.form.errors.invalid',
          params: { message: issue.message },
        }
      );
    default:
      return { key: 'contacts.form.errors.invalid', params: { message: issue.message } };
  }
}

export function checkContactForm(form: ContactForm): ContactFormCheck {
  const rows = form.addresses.filter((a) => a.value.trim() !== '' || a.label.trim() !== '');
  const candidate = {
    name: form.name,
    company: form.company,
    notes: form.notes,
    favourite: form.favourite,
    addresses: rows.map((a) => ({ kind: a.kind, value: a.value, label: a.label })),
  };
  const parsed = ContactInput.safeParse(candidate);
  if (parsed.success) return { ok: true, input: parsed.data };

  const errors: ContactFormErrors = { addressValues: {}, addressLabels: {} };
  for (const issue of parsed.error.issues) {
    const [field, index, part] = issue.path;
    switch (field) {
      case 'name':
        errors.name ??= messageOfIssue(issue, { key: 'contacts.form.errors.nameRequired' });
        break;
      case 'company':
        errors.company ??= messageOfIssue(issue, {
          key: 'contacts.form.errors.invalid',
          params: { message: issue.message },
        });
        break;
      case 'notes':
        errors.notes ??= messageOfIssue(issue, {
          key: 'contacts.form.errors.invalid',
          params: { message: issue.message },
        });
        break;
      case 'addresses': {
        const row = typeof index === 'number' ? rows[index] : undefined;
        if (!row) {
          errors.addresses ??=
            issue.code === 'too_big'
              ? { key: 'contacts.form.errors.tooManyAddresses', params: { max: Number(issue.maximum) } }
              : { key: 'contacts.form.errors.invalid', params: { message: issue.message } };
        } else if (part === 'label') {
          errors.addressLabels[row.key] ??= messageOfIssue(issue, {
            key: 'contacts.form.errors.invalid',
            params: { message: issue.message },
          });
        } else {
          errors.addressValues[row.key] ??= messageOfIssue(issue, {
            key: 'contacts.form.errors.addressRequired',
          });
        }
        break;
      }
      default:
        errors.name ??= { key: 'contacts.form.errors.invalid', params: { message: issue.message } };
    }
  }
  return { ok: false, errors };
}

/** Whether a form check found nothing to say about the fields (used after the phone refused a save). */
export function hasFieldErrors(errors: ContactFormErrors): boolean {
  return (
    errors.name !== undefined ||
    errors.company !== undefined ||
    errors.notes !== undefined ||
    errors.addresses !== undefined ||
    Object.keys(errors.addressValues).length > 0 ||
    Object.keys(errors.addressLabels).length > 0
  );
}
