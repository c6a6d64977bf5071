import { z } from 'zod';
import { command, event, NoArgs } from '../define.ts';
import { ACCOUNT_LIST_MAX, AccountId, AccountInput, AccountSnapshot } from '../../model/account.ts';

export const accountsCommands = {
  'accounts.list': command(
    'Every account in the order added, each with its registration state (never any password).',
    NoArgs,
    z.array(AccountSnapshot).max(ACCOUNT_LIST_MAX),
  ),
  'accounts.add': command(
    'Add an account (the password is stored encrypted); an enabled account starts registering at once.',
    AccountInput,
    AccountSnapshot,
  ),
  'accounts.update': command(
    'Replace an account\u2019s settings (password: absent keeps it, null removes it); registers again when the registration depends on what changed.',
    z.strictObject({ id: AccountId, account: AccountInput }),
    AccountSnapshot,
  ),
  'accounts.remove': command(
    'Unregister the account (bounded wait) and delete it.',
    z.strictObject({ id: AccountId }),
    z.null(),
  ),
  'accounts.register': command(
    'Register now (also after a wrong password, once it is fixed); answers at once, progress comes as accounts.changed.',
    z.strictObject({ id: AccountId }),
    AccountSnapshot,
  ),
  'accounts.unregister': command(
    'Remove our binding at the registrar (REGISTER with Expires 0 for our Contact) and stop refreshing.',
    z.strictObject({ id: AccountId }),
    AccountSnapshot,
  ),
} as const;

export const accountsEvents = {
  'accounts.changed': event(
    'All accounts, after any change of their settings or of a registration state.',
    z.array(AccountSnapshot).max(ACCOUNT_LIST_MAX),
  ),
} as const;
