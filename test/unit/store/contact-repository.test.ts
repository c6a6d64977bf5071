import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactInput } from '../../../src-shared/model/contact.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { ManualClock, makeTempDir, openTestStore } from './helpers.ts';
import type { TempDir } from './helpers.ts';

let temp: TempDir;
let store: Store;
let clock: ManualClock;
beforeEach(() => {
  temp = makeTempDir();
  clock = new ManualClock(1000);
  store = openTestStore(temp.path, clock);
});
afterEach(() => {
  store.close();
  temp.remove();
});

function contact(
  name: string,
  addresses: ContactInput['addresses'] = [],
  extra: Partial<ContactInput> = {},
): ContactInput {
  return { name, company: '', notes: '', favourite: false, addresses, ...extra };
}

function add(input: ContactInput): string {
  const result = store.contacts.add(input);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value.id;
}

function names(list: ReadonlyArray<{ name: string }>): string[] {
  return list.map((c) => c.name);
}

describe('ContactRepository', () => {
  it('adds, reads, updates and deletes a contact', () => {
    const added = store.contacts.add(
      contact(
        'Alice',
        [
          { kind: 'sip', value: 'alice@example.com', label: 'work' },
          { kind: 'tel', value: '+1 (555) 010-0000', label: 'mobile' },
        ],
        { company: 'Example Corp', notes: 'met at\nthe conference' },
      ),
    );
    if (!added.ok) throw new Error('add failed');
    expect(added.value).toEqual({
      id: added.value.id,
      name: 'Alice',
      company: 'Example Corp',
      notes: 'met at\nthe conference',
      favourite: false,
      addresses: [
        { kind: 'sip', value: 'sip:alice@example.com', label: 'work' },
        { kind: 'tel', value: '+1 (555) 010-0000', label: 'mobile' },
      ],
      createdAt: 1000,
      updatedAt: 1000,
    });
    clock.time = 2000;
    const updated = store.contacts.update(
      added.value.id,
      contact('Alice B.', [{ kind: 'tel', value: '42', label: '' }], { favourite: true }),
    );
    expect(updated.ok && updated.value).toMatchObject({
      name: 'Alice B.',
      favourite: true,
      createdAt: 1000,
      updatedAt: 2000,
    });
    expect(store.contacts.get(added.value.id)?.addresses).toEqual([{ kind: 'tel', value: '42', label: '' }]);
    expect(store.contacts.remove(added.value.id)).toBe(true);
    expect(store.contacts.get(added.value.id)).toBeNull();
    expect(store.contacts.remove(added.value.id)).toBe(false);
    expect(store.contacts.update('missing', contact('X'))).toEqual({
      ok: false,
      error: { code: 'not-found', id: 'missing' },
    });
  });

  it('refuses invalid input with issues naming the field', () => {
    const result = store.contacts.add(contact('', [{ kind: 'tel', value: 'no digits', label: '' }]));
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid',
        issues: [
          { path: 'name', message: 'Too small: expected string to have >=1 characters' },
          { path: 'addresses.0.value', message: 'number has no digits' },
        ],
      },
    });
    expect(store.contacts.list()).toEqual([]);
  });

  it('lists favourites first, then by name without regard to case or accents', () => {
    add(contact('émile'));
    add(contact('Zed', [], { favourite: true }));
    add(contact('Eve'));
    add(contact('adam'));
    expect(names(store.contacts.list())).toEqual(['Zed', 'adam', 'émile', 'Eve']);
    expect(names(store.contacts.list({ favouritesOnly: true }))).toEqual(['Zed']);
  });

  describe('search', () => {
    beforeEach(() => {
      add(
        contact('Jürgen Müller', [{ kind: 'tel', value: '+49 (0)30 1234567', label: 'work' }], {
          company: 'Straße AG',
        }),
      );
      add(contact('Bob Desk', [{ kind: 'sip', value: 'sip:1000@pbx.local', label: '' }]));
      add(
        contact('Alice', [{ kind: 'sip', value: 'sip:alice@example.com', label: '' }], { favourite: true }),
      );
      add(contact('Zoë 100%_', [{ kind: 'tel', value: '030 999', label: '' }]));
    });

    it('finds names case- and accent-insensitively, every word anywhere in name or company', () => {
      expect(names(store.contacts.search({ text: 'muller' }))).toEqual(['Jürgen Müller']);
      expect(names(store.contacts.search({ text: 'MÜLL jur' }))).toEqual(['Jürgen Müller']);
      expect(names(store.contacts.search({ text: 'strasse' }))).toEqual(['Jürgen Müller']);
      expect(names(store.contacts.search({ text: 'zoe' }))).toEqual(['Zoë 100%_']);
      expect(names(store.contacts.search({ text: 'müller bob' }))).toEqual([]);
    });

    it('never passes LIKE wildcards through: punctuation only separates words', () => {
      expect(names(store.contacts.search({ text: '%' }))).toEqual([]);
      expect(names(store.contacts.search({ text: '_' }))).toEqual([]);
      expect(names(store.contacts.search({ text: 'a%e' }))).toEqual(['Alice', 'Jürgen Müller']);
    });

    it('finds the start of a number on normalized numbers and number-like SIP users', () => {
      expect(names(store.contacts.search({ text: '+49 30 12' }))).toEqual(['Jürgen Müller']);
      expect(names(store.contacts.search({ text: '4930' }))).toEqual(['Jürgen Müller']);
      expect(names(store.contacts.search({ text: '1000' }))).toEqual(['Bob Desk']);
      expect(names(store.contacts.search({ text: '10' }))).toEqual(['Bob Desk']);
      expect(names(store.contacts.search({ text: '030' }))).toEqual(['Zoë 100%_']);
      expect(names(store.contacts.search({ text: '2000' }))).toEqual([]);
    });

    it('finds the start of a SIP user', () => {
      expect(names(store.contacts.search({ text: 'ali' }))).toEqual(['Alice']);
    });

    it('honours favouritesOnly and limit; an empty text lists', () => {
      expect(names(store.contacts.search({ text: '', favouritesOnly: true }))).toEqual(['Alice']);
      expect(names(store.contacts.search({ text: '', limit: 2 }))).toEqual(['Alice', 'Bob Desk']);
    });

    it('finds the contact of a remote party by SIP user@host, then by number', () => {
      expect(store.contacts.findByAddress('"Al" <sip:ALICE@Example.com:5061;transport=tls>')?.name).toBe(
        'Alice',
      );
      expect(store.contacts.findByAddress('sip:1000@other-pbx.example')?.name).toBe('Bob Desk');
      expect(store.contacts.findByAddress('tel:+49-30-1234567')?.name).toBe('Jürgen Müller');
      expect(store.contacts.findByAddress('sip:+49301234567@gw.example;user=phone')?.name).toBe(
        'Jürgen Müller',
      );
      expect(store.contacts.findByAddress('sip:bob@pbx.local')).toBeNull();
    });
  });

  describe('vCard import and export', () => {
    const valid = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:First',
      'TEL:1',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Second',
      'END:VCARD',
    ];

    it('imports a whole file, or nothing when any card is bad', () => {
      const bad = [...valid, 'BEGIN:VCARD', 'VERSION:4.0', 'N:Third;;;;', 'END:VCARD'].join('\r\n');
      expect(store.contacts.importVCard(bad)).toEqual({
        ok: false,
        error: { code: 'vcard-syntax', line: 10, message: 'the vCard that starts at line 10 has no FN' },
      });
      expect(store.contacts.list()).toEqual([]);
      expect(store.contacts.importVCard(valid.join('\r\n'))).toEqual({
        ok: true,
        value: { added: 2, updated: 0 },
      });
      expect(names(store.contacts.list())).toEqual(['First', 'Second']);
    });

    it('imports a vCard 2.1 file from a feature phone, or nothing when one of its values is bad', () => {
      const phone = [
        'BEGIN:VCARD',
        'VERSION:2.1',
        'N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gar=E7on;Fran=E7ois',
        'TEL;CELL;PREF:+33 6 12 34 56 78',
        'END:VCARD',
        'BEGIN:VCARD',
        'VERSION:2.1',
        'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E;=E5=A8=9C',
        'TEL;WORK;VOICE:+86 10 1234 5678',
        'END:VCARD',
      ];
      const bad = [
        ...phone,
        'BEGIN:VCARD',
        'VERSION:2.1',
        'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:A=',
        '=ZZ',
        'END:VCARD',
      ];
      expect(store.contacts.importVCard(bad.join('\r\n'))).toEqual({
        ok: false,
        error: {
          code: 'vcard-syntax',
          line: 14,
          message: '"=ZZ" is not a quoted-printable escape ("=" and two hexadecimal digits)',
        },
      });
      expect(store.contacts.list()).toEqual([]);
      expect(store.contacts.importVCard(phone.join('\r\n'))).toEqual({
        ok: true,
        value: { added: 2, updated: 0 },
      });
      expect(
        store.contacts.list().map((c) => [c.name, c.addresses.map((a) => `${a.value} ${a.label}`)]),
      ).toEqual([
        ['François Garçon', ['+33 6 12 34 56 78 mobile']],
        ['李娜', ['+86 10 1234 5678 work']],
      ]);
      expect(store.contacts.findByAddress('tel:+861012345678')?.name).toBe('李娜');
    });

    it('leaves nothing behind when an import is part of a batch that fails', () => {
      store.batch(() => {
        expect(store.contacts.importVCard(valid.join('\r\n')).ok).toBe(true);
      });
      const before = store.contacts.list().length;
      expect(() =>
        store.batch(() => {
          store.contacts.importVCard(valid.join('\r\n'));
          throw new Error('abort the batch');
        }),
      ).toThrow('abort the batch');
      expect(store.contacts.list().length).toBe(before);
    });

    it('exports vCards that import into another store as the same contacts, and re-import updates', () => {
      add(
        contact(
          'Ada Lovelace',
          [
            { kind: 'tel', value: '+44 20 7946 0958', label: 'work' },
            { kind: 'sip', value: 'sip:ada@example.org', label: 'Lab' },
          ],
          { company: 'Engines; Ltd', notes: 'two\nlines', favourite: true },
        ),
      );
      add(contact('李娜', [{ kind: 'tel', value: '+86 10 1234 5678', label: 'mobile' }]));
      for (const version of ['3.0', '4.0'] as const) {
        const exported = store.contacts.exportVCard(version);
        const other = makeTempDir();
        const otherStore = openTestStore(other.path, clock);
        try {
          expect(otherStore.contacts.importVCard(exported)).toEqual({
            ok: true,
            value: { added: 2, updated: 0 },
          });
          expect(otherStore.contacts.list()).toEqual(store.contacts.list());
          expect(otherStore.contacts.importVCard(exported)).toEqual({
            ok: true,
            value: { added: 0, updated: 2 },
          });
          expect(otherStore.contacts.list().length).toBe(2);
        } finally {
          otherStore.close();
          other.remove();
        }
      }
    });

    it('exports only the requested contacts', () => {
      const a = add(contact('A'));
      add(contact('B'));
      const text = store.contacts.exportVCard('4.0', [a]);
      expect(text.match(/BEGIN:VCARD/g)?.length).toBe(1);
      expect(text).toContain(`UID:${a}\r\n`);
    });
  });
});
