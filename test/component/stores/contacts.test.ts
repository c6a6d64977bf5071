import { describe, expect, it } from 'vitest';
import { useContactsStore } from '../../../src-renderer/src/stores/index.ts';
import { createStoreContext } from '../support/renderer.ts';

const names = (list: readonly { name: string }[]) => list.map((c) => c.name);

describe('useContactsStore', () => {
  it('lists the address book favourites first and follows contacts.changed', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.contacts.seed({ name: 'Zoë Adams' });
    bridge.contacts.seed({ name: 'Bob Brown', favourite: true });
    bridge.contacts.seed({ name: 'Alice Archer' });
    const store = useContactsStore(pinia);
    expect(store.loaded).toBe(false);
    await store.start();
    expect(store.loaded).toBe(true);
    expect(names(store.contacts)).toEqual(['Bob Brown', 'Alice Archer', 'Zoë Adams']);
    expect(bridge.callsOf('contacts.list')).toEqual([{}]);

    const added = await store.add({ name: 'Carol', company: '', notes: '', favourite: false, addresses: [] });
    expect(added.ok).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(bridge.callsOf('contacts.list')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 0));
    expect(names(store.contacts)).toEqual(['Bob Brown', 'Alice Archer', 'Carol', 'Zoë Adams']);
    store.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('searches by name words and number start, and drops the answer of an older search', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.contacts.seed({
      name: 'Anna Müller',
      addresses: [{ kind: 'tel', value: '+49 30 1234', label: 'work' }],
    });
    bridge.contacts.seed({ name: 'Bob', addresses: [{ kind: 'tel', value: '+1 415 555 0100', label: '' }] });
    const store = useContactsStore(pinia);
    await store.start();

    const held = bridge.hold('contacts.list');
    const older = store.setSearch('ann');
    bridge.restore('contacts.list');
    await store.setSearch('+1 415');
    expect(names(store.contacts)).toEqual(['Bob']);
    held.release();
    await older;
    expect(names(store.contacts)).toEqual(['Bob']);
    expect(store.search).toBe('+1 415');
    expect(bridge.callsOf('contacts.list').slice(1)).toEqual([{ search: 'ann' }, { search: '+1 415' }]);

    await store.setSearch('   ');
    expect(bridge.callsOf('contacts.list').at(-1)).toEqual({});
    expect(names(store.contacts)).toEqual(['Anna Müller', 'Bob']);
    store.stop();
  });

  it('answers failures as values and keeps the list', async () => {
    const { pinia, bridge } = createStoreContext();
    bridge.contacts.seed({ name: 'Alice' }, 'c-alice');
    const store = useContactsStore(pinia);
    await store.start();
    expect(
      await store.update('nope', { name: 'X', company: '', notes: '', favourite: false, addresses: [] }),
    ).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no contact with id "nope".' },
    });
    expect(
      await store.add({ name: '  ', company: '', notes: '', favourite: false, addresses: [] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    bridge.fail('contacts.list', { code: 'storage', message: 'database is locked' });
    await store.load();
    expect(store.failure).toEqual({ code: 'storage', message: 'database is locked' });
    expect(names(store.contacts)).toEqual(['Alice']);
    store.stop();
  });

  it('imports and exports vCards through the phone', async () => {
    const { pinia, bridge } = createStoreContext();
    const store = useContactsStore(pinia);
    await store.start();
    const vcf = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora\r\nTEL:+44 20 7946 0958\r\nEND:VCARD\r\n';
    expect(await store.importVCard(vcf)).toEqual({ ok: true, value: { added: 1, updated: 0 } });
    expect(await store.importVCard('BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n')).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'vCard line 1: the card has no FN (name)' },
    });
    const exported = await store.exportVCard('4.0');
    expect(exported.ok && exported.value.count).toBe(1);
    expect(exported.ok && exported.value.text).toContain('FN:Dora\r\n');
    expect(bridge.callsOf('contacts.exportVCard')).toEqual([{ version: '4.0' }]);
    store.stop();
  });

  it('hands a contact seed from another screen over once', () => {
    const { pinia } = createStoreContext();
    const store = useContactsStore(pinia);
    expect(store.takePendingSeed()).toBeNull();
    store.requestNewContact({ name: 'Eve', address: { kind: 'tel', value: '+15550100' } });
    expect(store.takePendingSeed()).toEqual({ name: 'Eve', address: { kind: 'tel', value: '+15550100' } });
    expect(store.takePendingSeed()).toBeNull();
  });
});
