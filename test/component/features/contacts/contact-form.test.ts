import { describe, expect, it } from 'vitest';
import {
  addressRow,
  checkContactForm,
  contactFormOf,
  emptyContactForm,
  guessAddressKind,
  type ContactForm,
} from '../../../../src-renderer/src/features/contacts/index.ts';

function form(fields: Partial<ContactForm>): ContactForm {
  return { ...emptyContactForm(), ...fields };
}

describe('contact form', () => {
  it('becomes a ContactInput, leaving blank address rows out', () => {
    const check = checkContactForm(
      form({
        name: '  Anna Müller ',
        company: 'ACME',
        addresses: [
          addressRow('tel', '+49 30 1234', 'work'),
          addressRow('tel', '', ''),
          addressRow('sip', 'anna@example.com', ''),
        ],
      }),
    );
    expect(check).toEqual({
      ok: true,
      input: {
        name: 'Anna Müller',
        company: 'ACME',
        notes: '',
        favourite: false,
        addresses: [
          { kind: 'tel', value: '+49 30 1234', label: 'work' },
          { kind: 'sip', value: 'anna@example.com', label: '' },
        ],
      },
    });
  });

  it('puts the schema problems next to their fields', () => {
    const rows = [
      addressRow('tel', 'abc', ''),
      addressRow('sip', 'bob @example.com', ''),
      addressRow('tel', '', 'mobile'),
      addressRow('tel', '+1 555', 'x'.repeat(70)),
    ];
    const check = checkContactForm(form({ name: '   ', addresses: rows }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors.name).toEqual({ key: 'contacts.form.errors.nameRequired' });
    expect(check.errors.addressValues).toEqual({
      [rows[0]!.key]: { key: 'contacts.form.errors.noDigits' },
      [rows[1]!.key]: { key: 'contacts.form.errors.sipSpace' },
      [rows[2]!.key]: { key: 'contacts.form.errors.addressRequired' },
    });
    expect(check.errors.addressLabels).toEqual({
      [rows[3]!.key]: { key: 'contacts.form.errors.tooLong', params: { max: 64 } },
    });
  });

  it('refuses more addresses than a contact may have', () => {
    const rows = Array.from({ length: 33 }, (_, i) => addressRow('tel', `+1555${i}`, ''));
    const check = checkContactForm(form({ name: 'Many', addresses: rows }));
    expect(!check.ok && check.errors.addresses).toEqual({
      key: 'contacts.form.errors.tooManyAddresses',
      params: { max: 32 },
    });
  });

  it('fills from a stored contact or a seed, and guesses the kind of an address', () => {
    const filled = contactFormOf({
      id: 'c1',
      name: 'Eve',
      company: '',
      notes: 'n',
      favourite: true,
      addresses: [{ kind: 'sip', value: 'sip:eve@example.com', label: 'office' }],
      createdAt: 1,
      updatedAt: 2,
    });
    expect(filled.addresses.map((a) => [a.kind, a.value, a.label, a.kindChosen])).toEqual([
      ['sip', 'sip:eve@example.com', 'office', true],
    ]);
    expect(filled.favourite).toBe(true);
    const seeded = emptyContactForm({ name: 'Bob', address: { kind: 'tel', value: '+15550100' } });
    expect([seeded.name, seeded.addresses[0]?.value]).toEqual(['Bob', '+15550100']);
    expect(emptyContactForm().addresses).toHaveLength(1);
    expect(guessAddressKind('alice@example.com')).toBe('sip');
    expect(guessAddressKind('sip:1000')).toBe('sip');
    expect(guessAddressKind('+49 30')).toBe('tel');
  });
});
