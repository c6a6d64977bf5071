/**
 * `softphone contacts` as a user runs it: import a vCard file into a temporary --data-dir, list it,
 * export it (stdout and --out, 3.0 and 4.0) and import the export elsewhere unchanged; errors name the
 * file and line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTACT_LIST_MAX } from '../../../../src-shared/model/contact.ts';
import { CONTACTS_LIST_LIMIT } from '../../../../src-main/cli/commands/contacts.ts';
import { makeTempDir, type TempDir } from '../../store/helpers.ts';
import { softphone } from './spawn.ts';

let temp: TempDir;
let dataDir: string;
beforeEach(() => {
  temp = makeTempDir('softphone-cli-contacts-');
  dataDir = join(temp.path, 'data');
});
afterEach(() => temp.remove());

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

const CARDS = crlf([
  'BEGIN:VCARD',
  'VERSION:3.0',
  'UID:anna-1',
  'FN:Anna Müller',
  'ORG:ACME',
  'TEL;TYPE=work:+49 30 1234567',
  'IMPP:sip:anna@pbx.example',
  'CATEGORIES:Favorites',
  'END:VCARD',
  'BEGIN:VCARD',
  'VERSION:4.0',
  'UID:bob-2',
  'FN:Bob Stone',
  'TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100',
  'NOTE:Call after 5\\, not before',
  'END:VCARD',
]);

function file(name: string, text: string): string {
  const path = join(temp.path, name);
  writeFileSync(path, text);
  return path;
}

// Each case starts the real bin (a Node process that loads the TypeScript sources): seconds, not ms.
describe('softphone contacts', { timeout: 60_000 }, () => {
  it('imports a vCard file, lists it, and exports it back (stdout, --out, 3.0 and 4.0)', async () => {
    const vcf = file('in.vcf', CARDS);
    const imported = await softphone(['contacts', 'import', vcf, '--data-dir', dataDir]);
    expect(imported).toMatchObject({
      code: 0,
      stdout: `Imported 2 contact(s) from ${vcf}: 2 new, 0 updated.\n`,
      stderr: '',
    });

    const listed = await softphone(['contacts', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toBe(
      [
        '★ Anna Müller (ACME)',
        '    +49 30 1234567  work',
        '    sip:anna@pbx.example',
        'Bob Stone',
        '    +1-555-0100  mobile',
        '',
      ].join('\n'),
    );
    const json = await softphone(['contacts', 'list', '--data-dir', dataDir, '--json']);
    const lines = json.lines();
    expect(lines.map((l) => [l.type, l.id, l.name])).toEqual([
      ['contact', 'anna-1', 'Anna Müller'],
      ['contact', 'bob-2', 'Bob Stone'],
      ['result', undefined, undefined],
    ]);
    expect(lines[1]).toMatchObject({ notes: 'Call after 5, not before', favourite: false });
    expect(lines[2]).toEqual({ type: 'result', ok: true, value: { count: 2 } });
    const searched = await softphone([
      'contacts',
      'list',
      '--search',
      '+1 555',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(searched.lines().map((l) => l.id)).toEqual(['bob-2', undefined]);

    const stdout = await softphone(['contacts', 'export', '--data-dir', dataDir]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout.startsWith('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:anna-1\r\nFN:Anna Müller\r\n')).toBe(
      true,
    );
    expect(stdout.stdout.match(/^BEGIN:VCARD\r$/gm)).toHaveLength(2);

    const out = join(temp.path, 'out.vcf');
    const written = await softphone([
      'contacts',
      'export',
      '--version',
      '4.0',
      '--out',
      out,
      '--data-dir',
      dataDir,
    ]);
    expect(written).toMatchObject({ code: 0, stdout: `Exported 2 contact(s) as vCard 4.0 to ${out}.\n` });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('VERSION:4.0\r\n');
    expect(text).toContain('TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100\r\n');

    // The export reads back into another data folder as the same contacts.
    const other = join(temp.path, 'other');
    expect((await softphone(['contacts', 'import', out, '--data-dir', other])).code).toBe(0);
    const copy = (await softphone(['contacts', 'list', '--data-dir', other, '--json'])).lines();
    const strip = (l: Record<string, unknown>) => ({ ...l, createdAt: 0, updatedAt: 0 });
    expect(copy.map(strip)).toEqual(lines.map(strip));
    // Re-importing updates by UID instead of duplicating.
    const again = await softphone(['contacts', 'import', out, '--data-dir', other, '--json']);
    expect(again.lines()).toEqual([{ type: 'result', ok: true, value: { file: out, added: 0, updated: 2 } }]);
  });

  it('imports nothing from a broken file and names the file and line', async () => {
    const broken = file(
      'broken.vcf',
      crlf(['BEGIN:VCARD', 'VERSION:3.0', 'FN:Fine', 'END:VCARD', 'BEGIN:VCARD', 'VERSION:3.0', 'FN:Lost']),
    );
    const run = await softphone(['contacts', 'import', broken, '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `softphone: ${broken}: vCard line 5: the vCard that starts at line 5 has no END:VCARD\n`,
    );
    const listed = await softphone(['contacts', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toBe('The address book is empty.\n');
    const missing = await softphone([
      'contacts',
      'import',
      join(temp.path, 'nope.vcf'),
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.lines()).toEqual([
      {
        type: 'error',
        ok: false,
        code: 'file',
        message: expect.stringMatching(/^cannot read .*nope\.vcf: ENOENT/),
      },
    ]);
    const empty = await softphone(['contacts', 'import', file('empty.vcf', '\r\n'), '--data-dir', dataDir]);
    expect(empty.stderr).toBe(
      `softphone: ${join(temp.path, 'empty.vcf')} is empty: there is no vCard to import\n`,
    );
  });

  it('imports a vCard 2.1 file (quoted-printable names, bare TEL types, a photo block)', async () => {
    const vcf = file(
      'old-phone.vcf',
      crlf([
        'BEGIN:VCARD',
        'VERSION:2.1',
        'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Anna',
        'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Anna M=C3=BC=',
        'ller',
        'TEL;WORK;VOICE:+49 30 1234567',
        'PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQ',
        ' FhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgo',
        '',
        'END:VCARD',
        'BEGIN:VCARD',
        'VERSION:2.1',
        'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;',
        'TEL;CELL;PREF:138 0013 8000',
        'END:VCARD',
      ]),
    );
    const imported = await softphone(['contacts', 'import', vcf, '--data-dir', dataDir]);
    expect(imported).toMatchObject({
      code: 0,
      stdout: `Imported 2 contact(s) from ${vcf}: 2 new, 0 updated.\n`,
      stderr: '',
    });
    const listed = await softphone(['contacts', 'list', '--data-dir', dataDir]);
    expect(listed.stdout).toBe(
      ['Anna Müller', '    +49 30 1234567  work', '张伟', '    138 0013 8000  mobile', ''].join('\n'),
    );
  });

  it('refuses wrong command lines with exit 2 (and --version here is the vCard version)', async () => {
    for (const [args, message] of [
      [[], 'say what to do: list, import FILE.vcf or export'],
      [['frob'], 'unknown action "frob" (expected list, import or export)'],
      [['import'], '"contacts import" needs the vCard file to read'],
      [['export', '--version', '2.1'], '--version must be 3.0 or 4.0'],
      [['list', '--out', 'x.vcf'], '--out does not apply to "contacts list"'],
      [['export', 'x.vcf'], '"contacts export" writes to stdout, or to the file given with --out'],
    ] as const) {
      const run = await softphone(['contacts', ...args, '--data-dir', dataDir]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toBe(`softphone: ${message}`);
    }
  });

  it('limits list to the contract’s maximum (written out in contacts.ts so that help needs no zod)', () => {
    expect(CONTACTS_LIST_LIMIT).toBe(CONTACT_LIST_MAX);
  });
});
