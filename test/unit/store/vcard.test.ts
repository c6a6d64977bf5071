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
      'vCard 1.0',
      ['BEGIN:VCARD', 'VERSION:1.0', 'FN:A', 'END:VCARD'],
      2,
      'vCard version 1.0 is not supported (2.1, 3.0 and 4.0 are)',
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

describe('parseVCards: vCard 2.1', () => {
  // As Outlook exports it: QP with soft line breaks, a Windows-1252 N next to a UTF-8 FN, bare TEL types,
  // a base64 PHOTO block that ends with an empty line, and Outlook's own X- properties.
  const outlook = [
    'BEGIN:VCARD',
    'VERSION:2.1',
    'N;LANGUAGE=de;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen',
    'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller (=E7=8E=8B=E7=A7=80=E8=8B=B1 Vertr=',
    'etung)',
    'ORG;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Contoso Stra=DFenbau GmbH;Vertrieb',
    'TEL;WORK;VOICE:+49 30 1234567',
    'TEL;HOME;VOICE:+49 30 7654321',
    'TEL;CELL;PREF:+49 170 5555555',
    'TEL;WORK;FAX:+49 30 1234568',
    'TEL;PAGER:+49 171 99',
    'NOTE;ENCODING=QUOTED-PRINTABLE:Erste Zeile=0D=0AZweite Zeile,=',
    ' mit Umbruch =3D fertig',
    'EMAIL;PREF;INTERNET:juergen.mueller@contoso.example',
    'X-MS-OL-DEFAULT-POSTAL-ADDRESS:2',
    'PHOTO;TYPE=JPEG;ENCODING=BASE64:',
    ' /9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDAkLDAwLCgsL',
    ' DhAODQ4ODRUVFBcWFxcZGBoZFx0eHh4fIiQmHiAiIiUoKiUjJCQo',
    '',
    'X-MS-OL-DESIGN;CHARSET=utf-8:<card xmlns="http://schemas.microsoft.com/office/outlook/12/electronicbusinesscards" ver="1.0"></card>',
    'REV:20240115T101500Z',
    'END:VCARD',
  ];

  // As Android exports it: every octet of a non-ASCII value quoted, CHARSET=UTF-8 before ENCODING.
  const android = [
    'BEGIN:VCARD',
    'VERSION:2.1',
    'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;',
    'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F',
    'TEL;CELL:138 0013 8000',
    'TEL;HOME:010-6552-9988',
    'X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Wei;1;;;;;;;;;;;;;',
    'PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQ',
    ' FhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgo',
    '',
    'END:VCARD',
  ];

  it('reads an Outlook card: QP in UTF-8 and Windows-1252, soft line breaks, bare TEL types, a PHOTO block', () => {
    expect(parsed(crlf(outlook))).toEqual([
      {
        uid: null,
        line: 1,
        name: 'Jürgen Müller (王秀英 Vertretung)',
        company: 'Contoso Straßenbau GmbH, Vertrieb',
        notes: 'Erste Zeile\nZweite Zeile, mit Umbruch = fertig',
        favourite: false,
        addresses: [
          { kind: 'tel', value: '+49 30 1234567', label: 'work' },
          { kind: 'tel', value: '+49 30 7654321', label: 'home' },
          { kind: 'tel', value: '+49 170 5555555', label: 'mobile' },
          { kind: 'tel', value: '+49 30 1234568', label: 'fax' },
          { kind: 'tel', value: '+49 171 99', label: 'pager' },
        ],
      },
    ]);
  });

  it('reads an Android card with CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE N and FN', () => {
    expect(parsed(crlf(android))).toEqual([
      {
        uid: null,
        line: 1,
        name: '张伟',
        company: '',
        notes: '',
        favourite: false,
        addresses: [
          { kind: 'tel', value: '138 0013 8000', label: 'mobile' },
          { kind: 'tel', value: '010-6552-9988', label: 'home' },
        ],
      },
    ]);
  });

  it('labels bare TEL types and TYPE= alike, in 2.1 as in 3.0', () => {
    const types = [
      'CELL;PREF',
      'TYPE=CELL;TYPE=PREF',
      'TYPE=cell,pref',
      'WORK;VOICE',
      'HOME',
      'FAX;WORK',
      'CAR',
    ];
    const card = (version: string): string =>
      crlf([
        'BEGIN:VCARD',
        `VERSION:${version}`,
        'FN:Types',
        ...types.map((type, i) => `TEL;${type}:10${i}`),
        'END:VCARD',
      ]);
    const labels = (text: string): string[] =>
      (parsed(text)[0] as { addresses: Array<{ label: string }> }).addresses.map((a) => a.label);
    expect(labels(card('2.1'))).toEqual(['mobile', 'mobile', 'mobile', 'work', 'home', 'fax', '']);
    expect(labels(card('2.1'))).toEqual(labels(card('3.0')));
  });

  it('builds the name from N when FN is missing or empty, family name first for CJK names', () => {
    const cards = [
      ['N:Public;John;Quinlan;Mr.;Esq.'],
      ['N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gar=E7on;Fran=E7ois'],
      ['N;CHARSET=UTF-8;QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;', 'FN:'],
      ['N:Veni, Vidi, Vici;The Restaurant.'],
      ['N:;Madonna;;;'],
    ];
    const text = cards.map((lines) => crlf(['BEGIN:VCARD', 'VERSION:2.1', ...lines, 'END:VCARD'])).join('');
    expect(parsed(text).map((c) => (c as { name: string }).name)).toEqual([
      'Mr. John Quinlan Public Esq.',
      'François Garçon',
      '张伟',
      'The Restaurant. Veni, Vidi, Vici',
      'Madonna',
    ]);
  });

  it('decodes each CHARSET, bare QUOTED-PRINTABLE, lower-case hex, and 8-bit QP without CHARSET', () => {
    const fn = (line: string): string => {
      const card = parsed(crlf(['BEGIN:VCARD', 'VERSION:2.1', line, 'END:VCARD']))[0];
      return (card as { name: string }).name;
    };
    expect(fn('FN;QUOTED-PRINTABLE;CHARSET=WINDOWS-1252:Bj=F6rn =C5str=F6m =80')).toBe('Björn Åström €');
    expect(fn('FN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Fran=e7ois')).toBe('François');
    expect(fn('FN;ENCODING=QUOTED-PRINTABLE;CHARSET=SHIFT_JIS:=8ER=93c')).toBe('山田');
    // 2.1 §2.1.6 makes ASCII the default; 8-bit octets are UTF-8 when they are valid UTF-8 …
    expect(fn('FN;ENCODING=QUOTED-PRINTABLE:M=C3=BCller')).toBe('Müller');
    // … and otherwise the Windows code page the writer used.
    expect(fn('FN;ENCODING=QUOTED-PRINTABLE:M=FCller')).toBe('Müller');
    // White space around parameters (2.1 §2.9) and an unencoded value with CHARSET.
    expect(fn('FN ; CHARSET = UTF-8 ; ENCODING = QUOTED-PRINTABLE :Zo=C3=AB')).toBe('Zoë');
    expect(fn('FN;CHARSET=UTF-8:Zoë')).toBe('Zoë');
  });

  it('joins QP soft line breaks whatever the next line starts with, and drops transport white space', () => {
    const text = crlf([
      'BEGIN:VCARD',
      'VERSION:2.1',
      'FN:Notes',
      // "=" then white space is still a soft line break; the space that starts the next line is text;
      // encoded spaces stay and trailing ones go (RFC 2045 §6.7 rules 3 and 5).
      'NOTE;ENCODING=QUOTED-PRINTABLE:one=0D=0A=  \t',
      ' two =',
      '',
      'NOTE;ENCODING=QUOTED-PRINTABLE:three=20=20 \t',
      'END:VCARD',
    ]);
    expect((parsed(text)[0] as { notes: string }).notes).toBe('one\n two \nthree  ');
  });

  it('keeps the white space of a folded line in a 2.1 card and drops it in a 3.0 card of the same file', () => {
    const text = crlf([
      'BEGIN:VCARD',
      'VERSION:2.1',
      'FN:Ada',
      ' Lovelace',
      'NOTE:call after',
      '  five',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Ada',
      '  Lovelace',
      'NOTE:call after',
      ' five',
      'END:VCARD',
    ]);
    expect(parsed(text).map((c) => [(c as { name: string }).name, (c as { notes: string }).notes])).toEqual([
      ['Ada Lovelace', 'call after  five'],
      ['Ada Lovelace', 'call afterfive'],
    ]);
  });

  it('reads a file that mixes 2.1, 3.0 and 4.0 cards, skipping base64 values of each kind', () => {
    const text = crlf([
      ...android,
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Carla Diaz',
      'PHOTO;ENCODING=b;TYPE=JPEG:MIICajCCAdOgAwIBAgICBEUwDQYJKoZIhvcNAQEEBQAwdzELMAkGA1UEBhMCVVMx',
      ' LDAqBgNVBAoTI05ldHNjYXBlIENvbW11bmljYXRpb25zIENvcnBvcmF0aW9uMRww',
      'TEL;TYPE=cell:+34 600 111 222',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N:Stone;Bob',
      'LOGO;ENCODING=BASE64;TYPE=GIF:',
      'R0lGODdhfgA4AOYAAAAAAK+vr62trVIxa6WlpZ+fnzEpCEpzlAha/0Kc74+PjyGM',
      'SuecKRhrtX9/fzExORBSjCEYCGtra2NjYyF7nDGE50JrhAg51qWtOTl7vee1MWu1==',
      '',
      'SOUND;WAVE;BASE64:',
      '    UklGRhAsAABXQVZFZm10IBAAAAABAAEAESsAABErAAABAAgAZGF0YesrAACAg4eC',
      '',
      'KEY;ENCODING=B:MIICajCCAdOgAwIBAgICBEUwDQYJKoZIhvcN',
      'TEL;WORK:1000',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Dev Patel',
      'IMPP:sip:dev@pbx.example',
      'END:VCARD',
    ]);
    const cards = parsed(text) as Array<{ name: string; line: number; addresses: unknown[] }>;
    expect(cards.map((c) => [c.name, c.line, c.addresses])).toEqual([
      [
        '张伟',
        1,
        [
          { kind: 'tel', value: '138 0013 8000', label: 'mobile' },
          { kind: 'tel', value: '010-6552-9988', label: 'home' },
        ],
      ],
      ['Carla Diaz', 12, [{ kind: 'tel', value: '+34 600 111 222', label: 'mobile' }]],
      ['Bob Stone', 19, [{ kind: 'tel', value: '1000', label: 'work' }]],
      ['Dev Patel', 32, [{ kind: 'sip', value: 'sip:dev@pbx.example', label: '' }]],
    ]);
  });

  const card21 = (...lines: string[]): string[] => ['BEGIN:VCARD', 'VERSION:2.1', ...lines, 'END:VCARD'];

  it.each([
    [
      'a bad QP escape on the first line of a value',
      card21('FN;ENCODING=QUOTED-PRINTABLE:Bad =ZZ escape'),
      3,
      '"=ZZ" is not a quoted-printable escape ("=" and two hexadecimal digits)',
    ],
    [
      'a bad QP escape after a soft line break',
      [
        ...card21('FN:Fine'),
        ...card21('N:A;B', 'NOTE;ENCODING=QUOTED-PRINTABLE:one=0D=0A=', 'two =', 'three =G1'),
      ],
      10,
      '"=G1" is not a quoted-printable escape ("=" and two hexadecimal digits)',
    ],
    [
      'an unknown CHARSET',
      card21('FN;CHARSET=KLINGON;ENCODING=QUOTED-PRINTABLE:Qapla=27'),
      3,
      'CHARSET=KLINGON is not a character set this reader knows',
    ],
    [
      'octets that are not the declared CHARSET',
      card21('N:A;B', 'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=FCller'),
      4,
      'the value is not valid UTF-8 text',
    ],
    [
      'an unknown ENCODING',
      card21('FN:A', 'PHOTO;ENCODING=UUENCODE:begin 644 a.gif'),
      4,
      'ENCODING=UUENCODE is not a vCard encoding (QUOTED-PRINTABLE, BASE64, B, 8BIT and 7BIT are)',
    ],
    [
      'a base64 block that runs to the end of the file',
      [
        'BEGIN:VCARD',
        'VERSION:2.1',
        'FN:A',
        'PHOTO;ENCODING=BASE64:',
        ' R0lGODdhfgA4AOYAAAAAAK+vr62t',
        ' SuecKRhrtX9',
      ],
      1,
      'the vCard that starts at line 1 has no END:VCARD',
    ],
    [
      'a base64 block that runs to the end of a file without a final line break',
      ['BEGIN:VCARD', 'VERSION:2.1', 'FN:A', 'PHOTO;ENCODING=BASE64:', 'R0lGODdhfgA4AOYAAAAAAK+vr62t'],
      1,
      'the vCard that starts at line 1 has no END:VCARD',
    ],
    [
      'a broken line after a base64 block',
      card21('FN:A', 'PHOTO;ENCODING=BASE64:', ' R0lGODdhfgA4AOYAAAAAAK+vr62t', '', 'not a property'),
      7,
      'expected NAME:VALUE, found "not a property"',
    ],
    [
      'a continuation line after the end of a base64 block',
      card21('FN:A', 'PHOTO;ENCODING=BASE64:', ' R0lGODdhfgA4AOYAAAAAAK+vr62t', '', ' more'),
      7,
      'continuation line (starts with a space) without a line to continue',
    ],
    [
      'a 2.1 card with neither FN nor N',
      card21('TEL;CELL:1'),
      1,
      'the vCard that starts at line 1 has no FN or N',
    ],
    [
      'a name from N that is too long',
      card21(`N:${'a'.repeat(150)};${'b'.repeat(60)}`),
      3,
      'name: Too big: expected string to have <=200 characters',
    ],
  ])('names the line of %s', (_what, lines, line, message) => {
    expect(errorOf(crlf(lines))).toEqual({ line, message });
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
