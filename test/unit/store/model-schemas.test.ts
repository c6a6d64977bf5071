import { describe, expect, it } from 'vitest';
import { AccountConfig, AccountInput } from '../../../src-shared/model/account.ts';
import { Contact, ContactInput } from '../../../src-shared/model/contact.ts';
import { HistoryEntry, HistoryPage, HistoryQuery } from '../../../src-shared/model/history.ts';
import { DEFAULT_SETTINGS, Settings, SettingsPatch } from '../../../src-shared/model/settings.ts';
import { ManualClock, accountInput, makeTempDir, openTestStore } from './helpers.ts';

describe('shared model schemas', () => {
  it('describe exactly what the repositories return (strict parse of real values)', () => {
    const temp = makeTempDir();
    const store = openTestStore(temp.path, new ManualClock(5));
    try {
      const account = store.accounts.add(
        accountInput({
          password: 'p',
          turnServers: [{ uri: 'turn:t.example.com', username: 'u', password: 'q' }],
        }),
      );
      if (!account.ok) throw new Error('account');
      expect(AccountConfig.parse(account.value)).toEqual(account.value);
      expect(JSON.stringify(account.value)).not.toMatch(/"password"/);
      const contact = store.contacts.add({
        name: 'N',
        company: '',
        notes: '',
        favourite: true,
        addresses: [{ kind: 'tel', value: '1', label: '' }],
      });
      if (!contact.ok) throw new Error('contact');
      expect(Contact.parse(contact.value)).toEqual(contact.value);
      store.history.recordStart({
        id: 'c',
        direction: 'outgoing',
        accountId: account.value.id,
        remoteUri: 'sip:1@x',
        startedAt: 1,
      });
      store.history.recordEnd({ id: 'c', endedAt: 2, result: 'answered', answeredAt: 1, sipCode: 200 });
      const page = store.history.page();
      if (!page.ok) throw new Error('page');
      expect(HistoryPage.parse(page.value)).toEqual(page.value);
      expect(page.value.entries[0]?.contact).toEqual({ id: contact.value.id, name: 'N' });
      expect(Settings.parse(store.settings.get())).toEqual(DEFAULT_SETTINGS);
    } finally {
      store.close();
      temp.remove();
    }
  });

  it('reject unknown keys everywhere (a renderer is untrusted)', () => {
    expect(
      ContactInput.safeParse({ name: 'a', company: '', notes: '', favourite: false, addresses: [], id: 'x' })
        .success,
    ).toBe(false);
    expect(
      ContactInput.safeParse({
        name: 'a',
        company: '',
        notes: '',
        favourite: false,
        addresses: [{ kind: 'tel', value: '1', label: '', x: 1 }],
      }).success,
    ).toBe(false);
    expect(AccountInput.safeParse({ ...accountInput(), hasPassword: true }).success).toBe(false);
    expect(HistoryQuery.safeParse({ cursor: { startedAt: 1, id: 'a', extra: 1 } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ app: { theme: 'dark', evil: 1 } }).success).toBe(false);
  });

  it('bound every string and list', () => {
    expect(
      ContactInput.safeParse({
        name: 'x'.repeat(201),
        company: '',
        notes: '',
        favourite: false,
        addresses: [],
      }).success,
    ).toBe(false);
    const manyAddresses = Array.from({ length: 33 }, () => ({ kind: 'tel' as const, value: '1', label: '' }));
    expect(
      ContactInput.safeParse({
        name: 'a',
        company: '',
        notes: '',
        favourite: false,
        addresses: manyAddresses,
      }).success,
    ).toBe(false);
    expect(AccountInput.safeParse(accountInput({ password: 'p'.repeat(257) })).success).toBe(false);
    expect(AccountInput.safeParse(accountInput({ stunServers: Array(9).fill('stun:a') })).success).toBe(
      false,
    );
    expect(HistoryQuery.safeParse({ filter: { search: 's'.repeat(101) } }).success).toBe(false);
    expect(HistoryQuery.safeParse({ limit: 200 }).success).toBe(true);
    expect(HistoryQuery.safeParse({ limit: 0 }).success).toBe(false);
  });

  it('validate URIs of accounts, STUN and TURN servers', () => {
    expect(
      AccountInput.safeParse(
        accountInput({ stunServers: ['stun:[2001:db8::1]:3478', 'stuns:stun.example.com'] }),
      ).success,
    ).toBe(true);
    expect(AccountInput.safeParse(accountInput({ stunServers: ['stun.example.com'] })).success).toBe(false);
    expect(
      AccountInput.safeParse(
        accountInput({ turnServers: [{ uri: 'turns:t.example.com:5349?transport=tcp', username: 'u' }] }),
      ).success,
    ).toBe(true);
    expect(
      AccountInput.safeParse(
        accountInput({ turnServers: [{ uri: 'turn:t.example.com?transport=sctp', username: 'u' }] }),
      ).success,
    ).toBe(false);
    expect(AccountInput.safeParse(accountInput({ domain: 'pbx.local:5062' })).success).toBe(true);
    expect(AccountInput.safeParse(accountInput({ domain: 'pbx local' })).success).toBe(false);
    expect(AccountInput.safeParse(accountInput({ outboundProxy: 'http://proxy' })).success).toBe(false);
  });

  it('keep HistoryEntry in step with the completion rules', () => {
    const base = {
      id: 'a',
      direction: 'incoming',
      accountId: null,
      remoteUri: 'sip:a@b',
      remoteDisplayName: '',
      startedAt: 1,
      answeredAt: null,
      endedAt: null,
      durationMs: null,
      result: null,
      completion: 'in-progress',
      sipCode: null,
      reason: null,
      codec: null,
      mediaPath: 'unknown',
      encryption: 'none',
      mos: null,
      seen: true,
      contact: null,
    };
    expect(HistoryEntry.safeParse(base).success).toBe(true);
    expect(HistoryEntry.safeParse({ ...base, mos: 5.5 }).success).toBe(false);
    expect(HistoryEntry.safeParse({ ...base, sipCode: 700 }).success).toBe(false);
  });
});
