/**
 * `softphone contacts list|import FILE.vcf|export`: the address book from the command line.
 *
 *   list            favourites first, then by name (--search narrows; at most 500)
 *   import FILE     a vCard 3.0/4.0 file, all cards or none; an error names the file's line
 *   export          every contact as vCard (--version 3.0, the most widely read, or 4.0) on stdout or --out
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Contact, VCardVersion } from '../../../src-shared/model/contact.ts';
import { CONTACT_LIST_MAX, VCARD_IMPORT_MAX_CHARS } from '../../../src-shared/model/contact.ts';
import { createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, CliContext, ParsedCommandLine } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';

const ACTIONS = ['list', 'import', 'export'] as const;
type ContactsAction = (typeof ACTIONS)[number];

export type ContactsRequest =
  | { action: 'list'; search: string | undefined; limit: number }
  | { action: 'import'; file: string }
  | { action: 'export'; version: VCardVersion; out: string | undefined };

/** The command line → what to do (usage errors thrown as UsageError). */
export function contactsRequestOf(args: ParsedCommandLine): ContactsRequest {
  const [action, file] = args.positionals;
  if (action === undefined) throw new UsageError('say what to do: list, import FILE.vcf or export');
  if (!isAction(action)) throw new UsageError(`unknown action "${action}" (expected list, import or export)`);
  const only = (allowed: readonly string[]): void => {
    for (const name of ['version', 'out', 'search', 'limit']) {
      if (args.values[name] !== undefined && !allowed.includes(name))
        throw new UsageError(`--${name} does not apply to "contacts ${action}"`);
    }
  };
  switch (action) {
    case 'list': {
      only(['search', 'limit']);
      if (file !== undefined) throw new UsageError('"contacts list" takes no file');
      const limit = numberOption(args.values, 'limit', 1, CONTACT_LIST_MAX);
      if (limit !== undefined && !Number.isInteger(limit))
        throw new UsageError('--limit must be a whole number');
      return { action, search: stringOption(args.values, 'search'), limit: limit ?? CONTACT_LIST_MAX };
    }
    case 'import':
      only([]);
      if (file === undefined) throw new UsageError('"contacts import" needs the vCard file to read');
      return { action, file };
    case 'export': {
      only(['version', 'out']);
      if (file !== undefined)
        throw new UsageError('"contacts export" writes to stdout, or to the file given with --out');
      const version = stringOption(args.values, 'version') ?? '3.0';
      if (version !== '3.0' && version !== '4.0') throw new UsageError('--version must be 3.0 or 4.0');
      return { action, version, out: stringOption(args.values, 'out') };
    }
  }
}

function isAction(text: string): text is ContactsAction {
  return (ACTIONS as readonly string[]).includes(text);
}

export const contactsCommand: CliCommand = {
  name: 'contacts',
  summary: 'List the address book, import a vCard file into it, or export it as vCard.',
  usage:
    'softphone contacts list [--search TEXT] | import FILE.vcf | export [--version 3.0|4.0] [--out FILE]  [--data-dir DIR] [--json]',
  positionals: ['ACTION', 'FILE'],
  options: {
    search: {
      type: 'string',
      value: 'TEXT',
      description: 'list: contacts whose name contains TEXT or whose number starts with it.',
    },
    limit: {
      type: 'string',
      value: 'N',
      description: `list: at most N contacts (default and maximum ${CONTACT_LIST_MAX}).`,
    },
    version: {
      type: 'string',
      value: '3.0|4.0',
      description: 'export: the vCard version (default 3.0, read by most address books).',
    },
    out: { type: 'string', value: 'FILE', description: 'export: write to FILE instead of stdout.' },
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'Folder for the database (default: the OS app-data folder).',
    },
  },
  async run(args, ctx) {
    const request = contactsRequestOf(args);
    // Read the file before taking the data folder: a missing file needs no database.
    let text: string | undefined;
    if (request.action === 'import') {
      const read = await readVCardFile(request.file);
      if (!read.ok) {
        ctx.out.error(read.code, read.message);
        return EXIT_FAILED;
      }
      text = read.text;
    }
    const phone = createNodePhone({ host: 'cli', dataDir: stringOption(args.values, 'data-dir') });
    try {
      const client = new CliPhoneClient(phone);
      switch (request.action) {
        case 'list':
          return await list(client, request.search, request.limit, ctx);
        case 'import':
          return await importFile(client, request.file, text ?? '', ctx);
        case 'export':
          return await exportTo(client, request.version, request.out, ctx);
      }
    } finally {
      await phone.close();
    }
  },
};

async function list(
  client: CliPhoneClient,
  search: string | undefined,
  limit: number,
  ctx: CliContext,
): Promise<number> {
  const res = await client.call('contacts.list', { ...(search !== undefined ? { search } : {}), limit });
  if (!res.ok) {
    ctx.out.error(res.error.code, res.error.message);
    return EXIT_FAILED;
  }
  for (const contact of res.value) ctx.out.event('contact', contact);
  const more = res.value.length === limit;
  ctx.out.result({ count: res.value.length }, contactLines(res.value, search, more));
  return EXIT_OK;
}

async function importFile(
  client: CliPhoneClient,
  file: string,
  text: string,
  ctx: CliContext,
): Promise<number> {
  const res = await client.call('contacts.importVCard', { text });
  if (!res.ok) {
    ctx.out.error(res.error.code, `${file}: ${res.error.message}`);
    return EXIT_FAILED;
  }
  const { added, updated } = res.value;
  ctx.out.result(
    { file, added, updated },
    `Imported ${added + updated} contact(s) from ${file}: ${added} new, ${updated} updated.`,
  );
  return EXIT_OK;
}

async function exportTo(
  client: CliPhoneClient,
  version: VCardVersion,
  out: string | undefined,
  ctx: CliContext,
): Promise<number> {
  const res = await client.call('contacts.exportVCard', { version });
  if (!res.ok) {
    ctx.out.error(res.error.code, res.error.message);
    return EXIT_FAILED;
  }
  const { text, count } = res.value;
  if (out === undefined) {
    if (ctx.out.json) ctx.out.result({ count, version, text });
    else ctx.out.raw(text);
    return EXIT_OK;
  }
  try {
    await writeFile(out, text, 'utf8');
  } catch (error) {
    ctx.out.error('file', `cannot write ${out}: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  ctx.out.result(
    { count, version, file: out },
    `Exported ${count} contact(s) as vCard ${version} to ${out}.`,
  );
  return EXIT_OK;
}

type ReadOutcome = { ok: true; text: string } | { ok: false; code: string; message: string };

async function readVCardFile(file: string): Promise<ReadOutcome> {
  try {
    // A UTF-8 character is at most 4 bytes: a file larger than this cannot be within the limit.
    const size = (await stat(file)).size;
    if (size > VCARD_IMPORT_MAX_CHARS * 4) return tooLarge(file);
    const text = await readFile(file, 'utf8');
    if (text.length > VCARD_IMPORT_MAX_CHARS) return tooLarge(file);
    if (text.trim() === '')
      return { ok: false, code: 'invalid-request', message: `${file} is empty: there is no vCard to import` };
    return { ok: true, text };
  } catch (error) {
    return { ok: false, code: 'file', message: `cannot read ${file}: ${(error as Error).message}` };
  }
}

function tooLarge(file: string): ReadOutcome {
  return {
    ok: false,
    code: 'invalid-request',
    message: `${file} is too large to import (the limit is ${VCARD_IMPORT_MAX_CHARS / 1024 / 1024} MB of text)`,
  };
}

/** The human view: one line per contact (★ for favourites), its addresses indented below. */
export function contactLines(
  contacts: readonly Contact[],
  search: string | undefined,
  more: boolean,
): string {
  if (contacts.length === 0)
    return search === undefined ? 'The address book is empty.' : 'No contacts match.';
  const lines: string[] = [];
  for (const c of contacts) {
    lines.push(`${c.favourite ? '★ ' : ''}${c.name}${c.company === '' ? '' : ` (${c.company})`}`);
    for (const a of c.addresses) lines.push(`    ${a.value}${a.label === '' ? '' : `  ${a.label}`}`);
  }
  if (more) lines.push('', `(the first ${contacts.length}; use --search to narrow, or export for all)`);
  return lines.join('\n');
}
