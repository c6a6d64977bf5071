import { describe, expect, it } from 'vitest';
import { parseVCards, serializeVCard, serializeVCards } from '../../../src-main/store/index.ts';
import type { VCardContact } from '../../../src-main/store/index.ts';

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

function parsed(text: string): unknown[] {
  const result = parseVCards(text);
  if (!result.ok) throw new Error(`line ${result.error.line}: ${result.error.message}`);
  return result.value;
}

function errorOf(text: string): { line: number; message: string } {
  const result = parseVCards(text);
  if (result.ok) throw new Error('expected an error');
  return { line: result.error.line, message: result.error.message };
}

describe('parseVCards', () => {
  it('reads a vCard 3.0 with folded lines, escapes, TEL types, IMPP, X-SIP, ORG units, NOTE and CATEGORIES', () => {
    const text = crlf([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Müller;Jürgen;;;',
      'FN:Jürgen Mül',
      ' ler',
      'ORG:ACME\\, Inc.;Sales',
      'NOTE:first line\\nsecond\\, with comma\\; and semicolon \\\\ backslash',
      'TEL;TYPE=WORK,VOICE:+49 30 1234567',
      'TEL;TYPE=cell:+49 170 555',
      'TEL;CELL;PREF:0800 1',
      'item1.TEL:1000',
      'item1.X-ABLabel:Desk phone',
      'item2.TEL:2000',
      'item2.X-ABLabel:_$!<Other>!$_',
      'IMPP;TYPE=work:sip:juergen@example.com',
      'IMPP:xmpp:juergen@example.com',
      'X-SIP:juergen@pbx.local',
      'CATEGORIES:Friends,Favorites',
      'PHOTO;ENCODING=b;TYPE=JPEG:AAAA',
      'UID:1234-abcd',
      'END:VCARD',
    ]);
    expect(parsed(text)).toEqual([
      {
        uid: '1234-abcd',
        line: 1,
        name: 'Jürgen Müller',
        company: 'ACME, Inc., Sales',
        notes: 'first line\nsecond, with comma; and semicolon \\ backslash',
        favourite: true,
        addresses: [
          { kind: 'tel', value: '+49 30 1234567', label: 'work' },
          { kind: 'tel', value: '+49 170 555', label: 'mobile' },
          { kind: 'tel', value: '0800 1', label: 'mobile' },
          { kind: 'tel', value: '1000', label: 'Desk phone' },
          { kind: 'tel', value: '2000', label: 'Other' },
          { kind: 'sip', value: 'sip:juergen@example.com', label: 'work' },
          { kind: 'sip', value: 'sip:juergen@pbx.local', label: '' },
        ],
      },
    ]);
  });

  it('reads a vCard 4.0 with tel: URIs, quoted parameters, LF line endings and tab folding', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
      'FN;LANGUAGE=en:Zoë',
      '\t Durand',
      'TEL;VALUE=uri;TYPE="voice,home":tel:+33-1-23-45-67-89;ext=12',
      'TEL;VALUE=uri;TYPE=work:sip:zoe@example.fr',
      'X-FAVORITE:true',
      'END:VCARD',
      '',
    ].join('\n');
    expect(parsed(text)).toEqual([
      {
        uid: '4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
        line: 1,
        name: 'Zoë Durand',
        company: '',
        notes: '',
        favourite: true,
        addresses: [
          { kind: 'tel', value: '+33-1-23-45-67-89', label: 'home' },
          { kind: 'sip', value: 'sip:zoe@example.fr', label: 'work' },
        ],
      },
    ]);
  });

  it('reads several cards and skips blank lines between them', () => {
    const text = crlf([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:A',
      'END:VCARD',
      '',
      'begin:vcard',
      'version:4.0',
      'fn:B',
      'end:vcard',
    ]);
    expect(
      parsed(text).map(
        (c) => (c as { name: string; line: number }).name + '@' + (c as { line: number }).line,
      ),
    ).toEqual(['A@1', 'B@6']);
  });

  it.each([
    [
      'a missing END',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A'],
      1,
      'the vCard that starts at line 1 has no END:VCARD',
    ],
    [
      'a BEGIN inside a card',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'BEGIN:VCARD', 'VERSION:3.0', 'FN:B', 'END:VCARD'],
      4,
      'BEGIN:VCARD inside the vCard that starts at line 1 (missing END:VCARD)',
    ],
    [
      'a line without a colon',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'this is not a property', 'END:VCARD'],
      4,
      'expected NAME:VALUE, found "this is not a property"',
    ],
    [
      'a bad property name',
      ['BEGIN:VCARD', 'VERSION:3.0', 'F N:A', 'END:VCARD'],
      3,
      '"F N" is not a property name',
    ],
    [
      'an unterminated quoted parameter',
      ['BEGIN:VCARD', 'VERSION:4.0', 'FN:A', 'TEL;TYPE="work:1', 'END:VCARD'],
      4,
      'unterminated quoted value of parameter TYPE',
    ],
    [
      'a missing FN',
      ['BEGIN:VCARD', 'VERSION:4.0', 'N:Doe;John;;;', 'END:VCARD'],
      1,
      'the vCard that starts at line 1 has no FN',
    ],
    [
      'a missing VERSION',
      ['BEGIN:VCARD', 'FN:A', 'END:VCARD'],
      1,
      'the vCard that starts at line 1 has no VERSION',
    ],
    [
      'vCard 2.1',
      ['BEGIN:VCARD', 'VERSION:2.1', 'FN:A', 'END:VCARD'],
      2,
      'vCard version 2.1 is not supported (3.0 and 4.0 are)',
    ],
    ['a property outside a card', ['FN:A', 'BEGIN:VCARD'], 1, 'FN outside BEGIN:VCARD … END:VCARD'],
    [
      'END of something else',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'END:VCALENDAR'],
      4,
      'END:VCALENDAR does not close the vCard from line 1',
    ],
    [
      'a continuation line first',
      [' folded', 'BEGIN:VCARD'],
      1,
      'continuation line (starts with a space) without a line to continue',
    ],
    [
      'an empty FN',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:  ', 'END:VCARD'],
      3,
      'name: Too small: expected string to have >=1 characters',
    ],
    [
      'an address that is too long',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'TEL:1', `IMPP:sip:${'a'.repeat(600)}@x`, 'END:VCARD'],
      5,
      'addresses.1.value: Too big: expected string to have <=512 characters',
    ],
    [
      'a number without digits',
      ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'TEL:call me', 'END:VCARD'],
      4,
      'addresses.0.value: number has no digits',
    ],
    ['an empty file', [''], 1, 'no vCard found (expected BEGIN:VCARD)'],
  ])('names the line of %s', (_what, lines, line, message) => {
    expect(errorOf(crlf(lines))).toEqual({ line, message });
  });

  it('counts physical lines across folded lines and CRLF/LF mixes', () => {
    const text = 'BEGIN:VCARD\r\nVERSION:3.0\nFN:A\r\n  b\r\n c\nbroken line\r\nEND:VCARD\r\n';
    expect(errorOf(text)).toEqual({ line: 6, message: 'expected NAME:VALUE, found "broken line"' });
  });
});

describe('serializeVCard', () => {
  const contact: VCardContact = {
    uid: 'c-42',
    name: 'Ada King Lovelace',
    company: 'Analytical; Engines, Ltd.',
    notes: 'Likes \\ backslashes\nand two lines',
    favourite: true,
    addresses: [
      { kind: 'tel', value: '+44 20 7946 0958', label: 'work' },
      { kind: 'tel', value: '+447700900123', label: 'mobile' },
      { kind: 'sip', value: 'sip:ada@example.org;transport=tls', label: '' },
      { kind: 'tel', value: '1000', label: 'Front desk' },
    ],
  };

  it('writes vCard 3.0 with CRLF, escapes, TYPE and X-ABLabel groups', () => {
    expect(serializeVCard(contact, '3.0')).toBe(
      crlf([
        'BEGIN:VCARD',
        'VERSION:3.0',
        'UID:c-42',
        'FN:Ada King Lovelace',
        'N:Lovelace;Ada King;;;',
        'ORG:Analytical\\; Engines\\, Ltd.',
        'NOTE:Likes \\\\ backslashes\\nand two lines',
        'CATEGORIES:Favorites',
        'TEL;TYPE=work:+44 20 7946 0958',
        'TEL;TYPE=cell:+447700900123',
        'IMPP:sip:ada@example.org;transport=tls',
        'item1.TEL:1000',
        'item1.X-ABLabel:Front desk',
        'END:VCARD',
      ]),
    );
  });

  it('writes vCard 4.0 numbers as tel: URIs when they are valid URIs, as text otherwise', () => {
    const text = serializeVCard(contact, '4.0');
    expect(text).toContain('\r\nTEL;VALUE=text;TYPE=work:+44 20 7946 0958\r\n');
    expect(text).toContain('\r\nTEL;VALUE=uri;TYPE=cell:tel:+447700900123\r\n');
    expect(text).toContain('\r\nitem1.TEL;VALUE=uri:tel:1000\r\n');
  });

  it('folds lines at 75 octets without splitting UTF-8 characters', () => {
    const name = 'Ünïcødé '.repeat(20).trim();
    const text = serializeVCard({ ...contact, name, notes: '', addresses: [] }, '4.0');
    const physical = text.split('\r\n');
    for (const line of physical) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(physical.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(2);
    expect(text).not.toContain('\uFFFD');
    const back = parseVCards(text);
    expect(back.ok && back.value[0]?.name).toBe(name);
  });

  it.each(['3.0', '4.0'] as const)('round-trips contacts through vCard %s', (version) => {
    const others: VCardContact[] = [
      contact,
      {
        uid: null,
        name: '张伟',
        company: '',
        notes: '',
        favourite: false,
        addresses: [{ kind: 'sip', value: 'sip:zhang@example.cn', label: 'home' }],
      },
      {
        uid: 'x',
        name: 'No Addresses',
        company: 'Comma, Inc',
        notes: 'a;b,c\\d',
        favourite: false,
        addresses: [],
      },
    ];
    const result = parseVCards(serializeVCards(others, version));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.map(({ line: _line, ...rest }) => rest)).toEqual(others);
  });
});
