/**
 * What `softphone contacts` does once its command line is understood (loaded when it runs): list, import
 * or export the address book of the data folder's phone.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Contact, VCardVersion } from '../../../src-shared/model/contact.ts';
import { VCARD_IMPORT_MAX_CHARS } from '../../../src-shared/model/contact.ts';
import { createNodePhone } from '../../phone/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../command.ts';
import type { CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import type { ContactsRequest } from './contacts.ts';

export async function runContacts(
  request: ContactsRequest,
  dataDir: string | undefined,
  ctx: CliContext,
): Promise<number> {
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
  const phone = createNodePhone({ host: 'cli', dataDir });
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
}

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
