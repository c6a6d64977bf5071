import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import ContactsView from '../../../../src-renderer/src/features/contacts/ContactsView.vue';
import { useContactsStore, useDialPadStore } from '../../../../src-renderer/src/stores/index.ts';
import { SEARCH_DEBOUNCE_MS } from '../../../../src-renderer/src/ui/index.ts';
import { readVCardFile, vCardErrorLine } from '../../../../src-renderer/src/features/contacts/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';

let wrapper: VueWrapper | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
});

async function mountContacts(r: TestRenderer = createTestRenderer()) {
  await r.router.push('/contacts');
  wrapper = mount(ContactsView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return { r, w: wrapper };
}

const rowNames = (w: VueWrapper) => w.findAll('.contacts-item-name').map((n) => n.text());
const button = (w: VueWrapper, name: string) => {
  const found = w.findAll('button').find((b) => (b.attributes('aria-label') ?? b.text()) === name);
  if (!found)
    throw new Error(
      `no button "${name}" in ${w
        .findAll('button')
        .map((b) => b.attributes('aria-label') ?? b.text())
        .join(' | ')}`,
    );
  return found;
};
const field = (w: VueWrapper, label: string) => {
  const l = w.findAll('label').find((x) => x.text() === label);
  if (!l) throw new Error(`no label "${label}"`);
  return w.get<HTMLInputElement>(`#${CSS.escape(l.attributes('for') ?? '')}`);
};

describe('ContactsView', () => {
  it('says there are no contacts yet and offers to add one', async () => {
    const { w } = await mountContacts();
    expect(w.get('h1').text()).toBe('Contacts');
    expect(w.get('.ui-empty-title').text()).toBe('No contacts yet');
    expect(w.findAll('button').filter((b) => b.text() === 'Add contact')).toHaveLength(2);
  });

  it('lists favourites first with a call button per address', async () => {
    const r = createTestRenderer();
    r.bridge.contacts.seed({
      name: 'Zed',
      addresses: [{ kind: 'tel', value: '+14155552671', label: 'mobile' }],
    });
    r.bridge.contacts.seed({
      name: 'Amy',
      favourite: true,
      addresses: [{ kind: 'sip', value: 'sip:amy@example.com', label: '' }],
    });
    const { w } = await mountContacts(r);
    expect(rowNames(w)).toEqual(['Amy', 'Zed']);
    expect(w.findAll('.contacts-item-address').map((b) => b.attributes('aria-label'))).toEqual([
      'Call Amy, amy@example.com',
      'Call Zed, mobile, +1 415 555 2671',
    ]);
    expect(button(w, 'Amy is a favourite').attributes('aria-pressed')).toBe('true');
    expect(button(w, 'Zed is a favourite').attributes('aria-pressed')).toBe('false');
  });

  it('searches as you type, once typing pauses', async () => {
    const r = createTestRenderer();
    r.bridge.contacts.seed({ name: 'Anna', addresses: [{ kind: 'tel', value: '+49 30 1234', label: '' }] });
    r.bridge.contacts.seed({ name: 'Bob', addresses: [{ kind: 'tel', value: '+1 555 0100', label: '' }] });
    const { w } = await mountContacts(r);
    const search = field(w, 'Search contacts');
    await search.setValue('an');
    await search.setValue('ann');
    expect(r.bridge.callsOf('contacts.list')).toEqual([{}]);
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(r.bridge.callsOf('contacts.list')).toEqual([{}, { search: 'ann' }]);
    expect(rowNames(w)).toEqual(['Anna']);
    await search.setValue('+1 555');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(rowNames(w)).toEqual(['Bob']);
    await search.setValue('nobody');
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(w.get('.ui-empty-title').text()).toBe('No contacts found');
    expect(w.get('.ui-empty-text').text()).toBe('No name or number matches “nobody”.');
  });

  it('adds a contact with several addresses, showing the schema’s problems first', async () => {
    const { r, w } = await mountContacts();
    await button(w, 'Add contact').trigger('click');
    await flushPromises();
    expect(w.get('form h2').text()).toBe('New contact');
    expect(document.activeElement).toBe(field(w, 'Name').element);

    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.findAll('.field-error').map((e) => e.text())).toEqual(['Enter a name.']);
    expect(document.activeElement).toBe(field(w, 'Name').element);
    expect(r.bridge.callsOf('contacts.add')).toEqual([]);

    await field(w, 'Name').setValue('Carol Chen');
    // once corrected, the message goes without another submit
    expect(w.findAll('.field-error')).toHaveLength(0);
    expect(field(w, 'Name').attributes('aria-invalid')).toBeUndefined();
    await field(w, 'Company').setValue('Example Ltd');
    const first = w.get<HTMLInputElement>('[data-address-value]');
    await first.setValue('carol@example.com');
    expect(w.get<HTMLSelectElement>('select').element.value).toBe('sip');
    await button(w, 'Add a number or address').trigger('click');
    await flushPromises();
    const second = w.findAll<HTMLInputElement>('[data-address-value]')[1]!;
    expect(document.activeElement).toBe(second.element);
    await second.setValue('abc');
    await w.findAll<HTMLInputElement>('input[placeholder="Label"]')[1]!.setValue('mobile');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.findAll('.field-error').map((e) => e.text())).toEqual(['A phone number needs digits.']);
    expect(document.activeElement).toBe(second.element);
    expect(second.attributes('aria-invalid')).toBe('true');
    await second.setValue('+86 138 0013 8000');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(r.bridge.callsOf('contacts.add')).toEqual([
      {
        name: 'Carol Chen',
        company: 'Example Ltd',
        notes: '',
        favourite: false,
        addresses: [
          { kind: 'sip', value: 'carol@example.com', label: '' },
          { kind: 'tel', value: '+86 138 0013 8000', label: 'mobile' },
        ],
      },
    ]);
    expect(w.find('form').exists()).toBe(false);
    expect(rowNames(w)).toEqual(['Carol Chen']);
    expect(w.get('[role="status"]').text()).toBe('Carol Chen was added.');
  });

  it('shows what the phone said when it refuses a save, and keeps the form', async () => {
    const { r, w } = await mountContacts();
    r.bridge.fail('contacts.add', { code: 'storage', message: 'disk full' });
    await button(w, 'Add contact').trigger('click');
    await flushPromises();
    await field(w, 'Name').setValue('Dan');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('form [role="alert"]').text()).toBe('The contact was not saved: disk full');
  });

  it('edits, stars and deletes (after confirming)', async () => {
    const r = createTestRenderer();
    r.bridge.contacts.seed(
      { name: 'Eve', addresses: [{ kind: 'tel', value: '+1 555 0100', label: 'home' }] },
      'c-eve',
    );
    const { w } = await mountContacts(r);
    await button(w, 'Edit Eve').trigger('click');
    await flushPromises();
    expect(w.get('form h2').text()).toBe('Edit contact');
    expect(field(w, 'Name').element.value).toBe('Eve');
    await field(w, 'Name').setValue('Eve Evans');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(r.bridge.callsOf('contacts.update')).toEqual([
      {
        id: 'c-eve',
        contact: {
          name: 'Eve Evans',
          company: '',
          notes: '',
          favourite: false,
          addresses: [{ kind: 'tel', value: '+1 555 0100', label: 'home' }],
        },
      },
    ]);
    expect(document.activeElement).toBe(button(w, 'Edit Eve Evans').element);

    await button(w, 'Eve Evans is a favourite').trigger('click');
    await flushPromises();
    expect(r.bridge.contacts.get('c-eve').favourite).toBe(true);

    await button(w, 'Delete Eve Evans').trigger('click');
    await flushPromises();
    const dialog = w.get<HTMLDialogElement>('dialog');
    expect(dialog.element.open).toBe(true);
    expect(dialog.get('h2').text()).toBe('Delete Eve Evans?');
    expect(r.bridge.callsOf('contacts.remove')).toEqual([]);
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Delete contact')!
      .trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('contacts.remove')).toEqual([{ id: 'c-eve' }]);
    expect(w.get('.ui-empty-title').text()).toBe('No contacts yet');
  });

  it('calls a number from its button (the call shows on the Phone screen)', async () => {
    const r = createTestRenderer();
    r.bridge.contacts.seed({
      name: 'Zed',
      addresses: [{ kind: 'tel', value: '+1 (415) 555-2671', label: 'mobile' }],
    });
    const { w } = await mountContacts(r);
    await w.get('.contacts-item-address').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.dial')).toEqual([{ target: '+14155552671' }]);
    expect(r.router.currentRoute.value.name).toBe('phone');
  });

  it('fills the dial pad and opens the Phone screen when the phone cannot place the call', async () => {
    const r = createTestRenderer();
    r.bridge.fail('calls.dial', {
      code: 'unavailable',
      message: 'No account is ready to call from; add or register one first.',
    });
    r.bridge.contacts.seed({
      name: 'Zed',
      addresses: [{ kind: 'tel', value: '+1 (415) 555-2671', label: 'mobile' }],
    });
    const { w } = await mountContacts(r);
    await w.get('.contacts-item-address').trigger('click');
    await flushPromises();
    const pad = useDialPadStore(r.pinia);
    expect([pad.text, pad.origin, pad.callFocusPending]).toEqual(['+14155552671', 'contact', true]);
    expect(r.router.currentRoute.value.name).toBe('phone');
  });

  it('opens a new contact pre-filled when another screen asked for it', async () => {
    const r = createTestRenderer();
    // another screen of the same app asked before the Contacts screen opened
    useContactsStore(r.pinia).requestNewContact({
      name: 'Frank',
      address: { kind: 'tel', value: '+15550199' },
    });
    const { w } = await mountContacts(r);
    expect(field(w, 'Name').element.value).toBe('Frank');
    expect(w.get<HTMLInputElement>('[data-address-value]').element.value).toBe('+15550199');
  });

  it('imports a vCard file and names the line of an error; exports through a download', async () => {
    const { r, w } = await mountContacts();
    const input = w.get<HTMLInputElement>('[data-testid="vcard-file"]');
    const pick = async (name: string, text: string) => {
      Object.defineProperty(input.element, 'files', {
        value: [new File([text], name, { type: 'text/vcard' })],
        configurable: true,
      });
      await input.trigger('change');
      await flushPromises();
    };
    await pick('bad.vcf', 'BEGIN:VCARD\nVERSION:3.0\nTEL:123\nEND:VCARD\n');
    expect(w.get('[data-testid="contacts-transfer-outcome"]').text()).toBe(
      'Nothing was imported from bad.vcf: line 1: the card has no FN (name)',
    );
    await pick(
      'friends.vcf',
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Gina\r\nTEL:+44 20 7946 0958\r\nEND:VCARD\r\n',
    );
    expect(w.get('[data-testid="contacts-transfer-outcome"]').text()).toBe(
      'Imported from friends.vcf: 1 new, 0 updated.',
    );
    expect(rowNames(w)).toEqual(['Gina']);

    const created: Blob[] = [];
    const clicked: Array<{ href: string; download: string }> = [];
    URL.createObjectURL = (blob: Blob) => {
      created.push(blob);
      return 'blob:test/1';
    };
    URL.revokeObjectURL = () => {};
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.href, download: this.download });
    });
    await w.get<HTMLSelectElement>('select').setValue('4.0');
    await button(w, 'Export').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('contacts.exportVCard')).toEqual([{ version: '4.0' }]);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.download).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.vcf$/);
    expect(await created[0]?.text()).toContain('FN:Gina');
    expect(created[0]?.type).toBe('text/vcard;charset=utf-8');
    click.mockRestore();
  });

  it('stops following contact changes when it goes', async () => {
    const { r, w } = await mountContacts();
    expect(r.bridge.listenerCount('contacts.changed')).toBe(1);
    w.unmount();
    wrapper = undefined;
    expect(r.bridge.listenerCount()).toBe(0);
  });
});

describe('vCard files', () => {
  it('reads text, refusing empty and oversized files', async () => {
    expect(await readVCardFile(new Blob(['\uFEFFBEGIN:VCARD']))).toEqual({ ok: true, text: 'BEGIN:VCARD' });
    expect(await readVCardFile(new Blob(['  \n']))).toEqual({ ok: false, reason: 'empty', message: '' });
    expect(await readVCardFile({ size: 30 * 1024 * 1024, text: () => Promise.resolve('') })).toEqual({
      ok: false,
      reason: 'too-large',
      message: '',
    });
  });
  it('finds the line in the phone’s error', () => {
    expect(vCardErrorLine('vCard line 12: unterminated card')).toEqual({
      line: 12,
      reason: 'unterminated card',
    });
    expect(vCardErrorLine('contacts are unavailable')).toBeNull();
  });
});
