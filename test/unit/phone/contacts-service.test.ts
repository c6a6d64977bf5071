import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact, ContactInput } from '../../../src-shared/model/contact.ts';
import { VCARD_IMPORT_MAX_CHARS } from '../../../src-shared/model/contact.ts';
import { TEST_START, storePhone } from './support/store-phone.ts';

let t: ReturnType<typeof storePhone>;
beforeEach(() => {
  t = storePhone();
});
afterEach(async () => {
  expect(t.internal).toEqual([]);
  await t.close();
});

function input(name: string, overrides: Partial<ContactInput> = {}): ContactInput {
  return { name, company: '', notes: '', favourite: false, addresses: [], ...overrides };
}

const anna = input('Anna Müller', {
  company: 'ACME',
  favourite: true,
  addresses: [
    { kind: 'tel', value: '+49 30 1234567', label: 'work' },
    { kind: 'sip', value: 'anna@pbx.example', label: '' },
  ],
});
const bob = input('Bob Stone', { addresses: [{ kind: 'tel', value: '1000', label: 'desk' }] });

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

describe('contacts.add / get / update / remove', () => {
  it('adds a contact, answers it with its id and timestamps, and announces it', async () => {
    const added = await t.call('contacts.add', anna);
    expect(added).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...anna,
      // a bare user@host is stored as a SIP URI
      addresses: [anna.addresses[0], { kind: 'sip', value: 'sip:anna@pbx.example', label: '' }],
      createdAt: TEST_START,
      updatedAt: TEST_START,
    });
    expect(t.eventsNamed('contacts.changed')).toEqual([{ reason: 'added', ids: [added.id] }]);
    expect(await t.call('contacts.get', { id: added.id })).toEqual(added);
  });

  it('updates all fields, keeps createdAt, and refuses unknown ids with not-found', async () => {
    const added = await t.call('contacts.add', anna);
    t.clock.advance(5000);
    const updated = await t.call('contacts.update', { id: added.id, contact: { ...bob, favourite: true } });
    expect(updated).toEqual({
      id: added.id,
      ...bob,
      favourite: true,
      createdAt: TEST_START,
      updatedAt: TEST_START + 5000,
    });
    expect(await t.dispatch('contacts.update', { id: 'no-such', contact: bob })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no contact with id "no-such".' },
    });
    expect(t.eventsNamed('contacts.changed')).toEqual([
      { reason: 'added', ids: [added.id] },
      { reason: 'updated', ids: [added.id] },
    ]);
  });

  it('removes a contact once; the second time is not-found', async () => {
    const added = await t.call('contacts.add', bob);
    expect(await t.dispatch('contacts.remove', { id: added.id })).toEqual({ ok: true, value: null });
    expect(await t.dispatch('contacts.remove', { id: added.id })).toEqual({
      ok: false,
      error: { code: 'not-found', message: `There is no contact with id "${added.id}".` },
    });
    expect(await t.dispatch('contacts.get', { id: added.id })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(t.eventsNamed('contacts.changed').at(-1)).toEqual({ reason: 'removed', ids: [added.id] });
  });

  it('refuses invalid contacts at the gate, naming the field, and stores nothing', async () => {
    const noDigits = input('X', { addresses: [{ kind: 'tel', value: 'call me', label: '' }] });
    expect(await t.dispatch('contacts.add', noDigits)).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'contacts.add: addresses.0.value: number has no digits' },
    });
    expect(await t.dispatch('contacts.add', { ...bob, id: 'chosen-by-renderer' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.dispatch('contacts.add', input(' '))).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.call('contacts.list', {})).toEqual([]);
    expect(t.events).toEqual([]);
  });
});

describe('contacts.list', () => {
  let added: Contact[];
  beforeEach(async () => {
    added = [
      await t.call('contacts.add', bob),
      await t.call('contacts.add', anna),
      await t.call(
        'contacts.add',
        input('Zoë Ångström', { addresses: [{ kind: 'tel', value: '+49 30 999', label: '' }] }),
      ),
    ];
  });

  it('lists favourites first, then by name', async () => {
    expect((await t.call('contacts.list', {})).map((c) => c.name)).toEqual([
      'Anna Müller',
      'Bob Stone',
      'Zoë Ångström',
    ]);
    expect((await t.call('contacts.list', { favouritesOnly: true })).map((c) => c.name)).toEqual([
      'Anna Müller',
    ]);
    expect((await t.call('contacts.list', { limit: 2 })).map((c) => c.name)).toEqual([
      'Anna Müller',
      'Bob Stone',
    ]);
  });

  it('searches names (case- and accent-insensitive) and number prefixes', async () => {
    expect((await t.call('contacts.list', { search: 'mull' })).map((c) => c.id)).toEqual([added[1]!.id]);
    expect((await t.call('contacts.list', { search: 'zoe ang' })).map((c) => c.id)).toEqual([added[2]!.id]);
    expect((await t.call('contacts.list', { search: '+49 30' })).map((c) => c.name)).toEqual([
      'Anna Müller',
      'Zoë Ångström',
    ]);
    expect((await t.call('contacts.list', { search: '100' })).map((c) => c.name)).toEqual(['Bob Stone']);
    expect(await t.call('contacts.list', { search: 'nobody' })).toEqual([]);
  });

  it('treats SQL, LIKE and FTS syntax in a search as text', async () => {
    for (const search of [
      "'; DROP TABLE contacts; --",
      '%',
      '_',
      '\\',
      '"',
      'a OR b',
      'NEAR(a b)',
      '*',
      '\u0000',
      '🙂',
    ]) {
      const result = await t.dispatch('contacts.list', { search });
      expect(result, search).toEqual({ ok: true, value: [] });
    }
    expect(await t.call('contacts.list', {})).toHaveLength(3);
  });

  it('refuses out-of-range limits and over-long searches', async () => {
    for (const payload of [
      { limit: 0 },
      { limit: 501 },
      { limit: 1.5 },
      { search: 'x'.repeat(101) },
      { query: 'anna' },
    ]) {
      expect(await t.dispatch('contacts.list', payload), JSON.stringify(payload).slice(0, 40)).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
  });
});

describe('contacts.importVCard / exportVCard', () => {
  const twoCards = crlf([
    'BEGIN:VCARD',
    'VERSION:3.0',
    'UID:card-1',
    'FN:Carla Diaz',
    'TEL;TYPE=cell:+34 600 111 222',
    'CATEGORIES:Favorites',
    'END:VCARD',
    'BEGIN:VCARD',
    'VERSION:4.0',
    'FN:Dev Patel',
    'IMPP:sip:dev@pbx.example',
    'END:VCARD',
  ]);

  it('imports every card in one go, announces it once, and a re-import updates by UID', async () => {
    expect(await t.call('contacts.importVCard', { text: twoCards })).toEqual({ added: 2, updated: 0 });
    expect(t.eventsNamed('contacts.changed')).toEqual([{ reason: 'imported', ids: null }]);
    const listed = await t.call('contacts.list', {});
    expect(listed.map((c) => [c.id === 'card-1', c.name, c.favourite, c.addresses])).toEqual([
      [true, 'Carla Diaz', true, [{ kind: 'tel', value: '+34 600 111 222', label: 'mobile' }]],
      [false, 'Dev Patel', false, [{ kind: 'sip', value: 'sip:dev@pbx.example', label: '' }]],
    ]);
    // card-1 is replaced; the card without UID is added again
    expect(await t.call('contacts.importVCard', { text: twoCards })).toEqual({ added: 1, updated: 1 });
    expect(await t.call('contacts.list', {})).toHaveLength(3);
  });

  it('imports a vCard 2.1 file as Outlook and Android export it', async () => {
    const exported = crlf([
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen',
      'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller, Gesch=C3=A4ftsf=',
      '=C3=BChrung',
      'TEL;WORK;VOICE:+49 30 1234567',
      'TEL;CELL;PREF:+49 170 5555555',
      'PHOTO;TYPE=JPEG;ENCODING=BASE64:',
      ' /9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDAkLDAwLCgsL',
      '',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;',
      'TEL;CELL:138 0013 8000',
      'END:VCARD',
    ]);
    expect(await t.call('contacts.importVCard', { text: exported })).toEqual({ added: 2, updated: 0 });
    expect(t.eventsNamed('contacts.changed')).toEqual([{ reason: 'imported', ids: null }]);
    const listed = await t.call('contacts.list', {});
    expect(listed.map((c) => [c.name, c.addresses])).toEqual([
      [
        'Jürgen Müller, Geschäftsführung',
        [
          { kind: 'tel', value: '+49 30 1234567', label: 'work' },
          { kind: 'tel', value: '+49 170 5555555', label: 'mobile' },
        ],
      ],
      ['张伟', [{ kind: 'tel', value: '138 0013 8000', label: 'mobile' }]],
    ]);
    // A bad escape in a later card refuses the whole file, naming its line.
    const broken =
      exported + crlf(['BEGIN:VCARD', 'VERSION:2.1', 'FN;CHARSET=KLINGON;QUOTED-PRINTABLE:x', 'END:VCARD']);
    expect(await t.dispatch('contacts.importVCard', { text: broken })).toEqual({
      ok: false,
      error: {
        code: 'invalid-request',
        message: 'vCard line 19: CHARSET=KLINGON is not a character set this reader knows',
      },
    });
    expect(await t.call('contacts.list', {})).toHaveLength(2);
  });

  it('imports nothing from a file with an error and names the line', async () => {
    const broken = crlf([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Ok Person',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'this is not a property',
      'END:VCARD',
    ]);
    const result = await t.dispatch('contacts.importVCard', { text: broken });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(/^vCard line 7: /) },
    });
    expect(await t.call('contacts.list', {})).toEqual([]);
    expect(t.events).toEqual([]);
    expect(await t.dispatch('contacts.importVCard', { text: 'hello\n' })).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'vCard line 1: expected NAME:VALUE, found "hello"' },
    });
  });

  it('refuses an empty or over-long text at the gate (5 Mi characters)', async () => {
    expect(await t.dispatch('contacts.importVCard', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    const huge = await t.dispatch('contacts.importVCard', { text: 'x'.repeat(VCARD_IMPORT_MAX_CHARS + 1) });
    expect(huge).toEqual({
      ok: false,
      error: {
        code: 'invalid-request',
        message: `contacts.importVCard: text: Too big: expected string to have <=${VCARD_IMPORT_MAX_CHARS} characters`,
      },
    });
  });

  it('exports all or the chosen contacts; unknown ids are not-found', async () => {
    const a = await t.call('contacts.add', anna);
    const b = await t.call('contacts.add', bob);
    const all = await t.call('contacts.exportVCard', { version: '3.0' });
    expect(all.count).toBe(2);
    expect(all.text).toContain(`UID:${a.id}\r\nFN:Anna Müller\r\n`);
    expect(all.text).toContain('TEL;TYPE=work:+49 30 1234567\r\n');
    const one = await t.call('contacts.exportVCard', { version: '4.0', ids: [b.id, b.id] });
    expect(one).toEqual({
      count: 1,
      text: crlf([
        'BEGIN:VCARD',
        'VERSION:4.0',
        `UID:${b.id}`,
        'FN:Bob Stone',
        'N:Stone;Bob;;;',
        'TEL;VALUE=uri:tel:1000',
        'item1.X-ABLabel:desk',
        'END:VCARD',
      ]).replace('TEL;VALUE=uri:tel:1000', 'item1.TEL;VALUE=uri:tel:1000'),
    });
    expect(await t.dispatch('contacts.exportVCard', { version: '3.0', ids: [a.id, 'gone'] })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no contact with id "gone".' },
    });
    expect(await t.dispatch('contacts.exportVCard', { version: '2.1' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await t.dispatch('contacts.exportVCard', { version: '3.0', ids: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('round-trips through vCard 3.0 and 4.0 into another phone unchanged', async () => {
    await t.call('contacts.add', anna);
    await t.call('contacts.add', bob);
    await t.call(
      'contacts.add',
      input('Notes Person', {
        notes: 'line 1\nline 2; with, punctuation \\ and 🙂',
        company: 'Ünïcode GmbH',
      }),
    );
    const original = await t.call('contacts.list', {});
    for (const version of ['3.0', '4.0'] as const) {
      const { text } = await t.call('contacts.exportVCard', { version });
      const other = storePhone();
      try {
        expect(await other.call('contacts.importVCard', { text })).toEqual({ added: 3, updated: 0 });
        const copied = await other.call('contacts.list', {});
        expect(copied.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest)).toEqual(
          original.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest),
        );
      } finally {
        await other.close();
      }
    }
  });
});
