/**
 * `softphone contacts list|import FILE.vcf|export`: the address book from the command line.
 *
 *   list            favourites first, then by name (--search narrows; at most 500)
 *   import FILE     a vCard 2.1/3.0/4.0 file, all cards or none; an error names the file's line
 *   export          every contact as vCard (--version 3.0, the most widely read, or 4.0) on stdout or --out
 */
import type { VCardVersion } from '../../../src-shared/model/contact.ts';
import { UsageError, numberOption, stringOption } from '../command.ts';
import type { CliCommand, ParsedCommandLine } from '../command.ts';

/**
 * `list --limit`'s default and maximum: the contract's CONTACT_LIST_MAX (src-shared/model/contact.ts),
 * written out because importing it would load zod into `softphone help`. A unit test keeps them equal.
 */
export const CONTACTS_LIST_LIMIT = 500;

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
      const limit = numberOption(args.values, 'limit', 1, CONTACTS_LIST_LIMIT);
      if (limit !== undefined && !Number.isInteger(limit))
        throw new UsageError('--limit must be a whole number');
      return { action, search: stringOption(args.values, 'search'), limit: limit ?? CONTACTS_LIST_LIMIT };
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
  summary:
    'List the address book, import a vCard file (2.1, 3.0 or 4.0) into it, or export it as vCard (3.0 or 4.0).',
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
      description: `list: at most N contacts (default and maximum ${CONTACTS_LIST_LIMIT}).`,
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
    const { runContacts } = await import('./contacts-run.ts');
    return runContacts(request, stringOption(args.values, 'data-dir'), ctx);
  },
};
