import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import PhoneView from '../../../../src-renderer/src/features/phone/PhoneView.vue';
import {
  appendDialKey,
  deleteLastCharacter,
  DIAL_STRING_MAX,
} from '../../../../src-renderer/src/features/phone/index.ts';
import { useDialPadStore } from '../../../../src-renderer/src/stores/index.ts';
import { SEARCH_DEBOUNCE_MS } from '../../../../src-renderer/src/ui/index.ts';
import { createTestRenderer } from '../../support/renderer.ts';
import { FAKE_HISTORY_NOW, historyEntry } from '../../support/fake-history.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

describe('dial string', () => {
  it('appends keys up to the maximum length', () => {
    expect(appendDialKey('12', '#')).toBe('12#');
    expect(appendDialKey('9'.repeat(DIAL_STRING_MAX), '1')).toHaveLength(DIAL_STRING_MAX);
  });
  it('deletes whole characters', () => {
    expect(deleteLastCharacter('123')).toBe('12');
    expect(deleteLastCharacter('')).toBe('');
    expect(deleteLastCharacter('张三😀')).toBe('张三');
  });
});

describe('PhoneView', () => {
  it('dials with the keys and deletes with backspace', async () => {
    const r = createTestRenderer();
    wrapper = mount(PhoneView, { global: r.global });
    const input = wrapper.get<HTMLInputElement>('input');
    const key = (label: string) => wrapper!.get(`button[aria-label="${label}"]`);
    const backspace = wrapper.get('button[aria-label="Delete last character"]');
    expect(backspace.attributes('disabled')).toBeDefined();

    await key('1').trigger('click');
    await key('2 ABC').trigger('click');
    await key('0 +').trigger('click');
    await key('#').trigger('click');
    expect(input.element.value).toBe('120#');
    expect(backspace.attributes('disabled')).toBeUndefined();

    await backspace.trigger('click');
    expect(input.element.value).toBe('120');
    await input.setValue('sip:1000');
    await key('*').trigger('click');
    expect(input.element.value).toBe('sip:1000*');
  });

  it('has twelve labelled keys and a call button that is off until there is something to call', async () => {
    const r = createTestRenderer();
    wrapper = mount(PhoneView, { global: r.global });
    const keys = wrapper.get('[role="group"]');
    expect(keys.attributes('aria-label')).toBe('Dial pad');
    expect(keys.findAll('button').map((b) => b.attributes('aria-label'))).toEqual([
      '1',
      '2 ABC',
      '3 DEF',
      '4 GHI',
      '5 JKL',
      '6 MNO',
      '7 PQRS',
      '8 TUV',
      '9 WXYZ',
      '*',
      '0 +',
      '#',
    ]);
    const call = wrapper.get('.phone-call');
    expect(call.attributes('aria-disabled')).toBe('true');
    await call.trigger('click');
    expect(r.bridge.callsOf('calls.dial')).toEqual([]);
    await wrapper.get('input').setValue('1000');
    expect(call.attributes('aria-disabled')).toBe('false');
    expect(wrapper.get(`label[for="${wrapper.get('input').attributes('id')}"]`).text()).toBe(
      'Number or SIP address',
    );
  });
});

describe('PhoneView: typing, pasting, suggestions and links', () => {
  async function mountPhone(r = createTestRenderer()) {
    wrapper = mount(PhoneView, { global: r.global, attachTo: document.body });
    await flushPromises();
    return { r, w: wrapper, input: wrapper.get<HTMLInputElement>('[data-testid="dial-number"]') };
  }

  it('shows an international number grouped while keeping it unformatted for dialling', async () => {
    const { r, w, input } = await mountPhone();
    await input.setValue('+1415555');
    expect(input.element.value).toBe('+1 415 555');
    await input.setValue('+1 415 555 2671');
    expect(input.element.value).toBe('+1 415 555 2671');
    expect(useDialPadStore(r.pinia).text).toBe('+14155552671');
    // the caret stays after the same digit when a space is inserted before it
    input.element.value = '+1 415 5552 671';
    input.element.setSelectionRange(11, 11);
    await input.trigger('input');
    expect(input.element.value).toBe('+1 415 555 2671');
    expect(input.element.selectionStart).toBe(12);
    await input.setValue('sip:alice@example.com');
    expect(input.element.value).toBe('sip:alice@example.com');
    expect(w.get('button[aria-label="Delete last character"]').attributes('disabled')).toBeUndefined();
  });

  it('strips the formatting from a pasted number, keeping + * #', async () => {
    const { r, input } = await mountPhone();
    const paste = async (text: string) => {
      const event = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent;
      Object.defineProperty(event, 'clipboardData', { value: { getData: () => text } });
      input.element.dispatchEvent(event);
      await flushPromises();
    };
    await paste('tel:+49 (30) 1234-5678');
    expect(useDialPadStore(r.pinia).text).toBe('+493012345678');
    expect(input.element.value).toBe('+49 301 234 5678');
    await input.setValue('');
    await paste(' *21*#');
    expect(useDialPadStore(r.pinia).text).toBe('*21*#');
    await input.setValue('');
    await paste('<sip:bob@pbx.example>');
    expect(useDialPadStore(r.pinia).text).toBe('sip:bob@pbx.example');
  });

  it('dials keys typed anywhere on the screen, but not into other fields', async () => {
    const { r, w } = await mountPhone();
    const key = (k: string, target: Element = document.body) =>
      target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    key('0');
    key('0');
    key('4');
    key('x');
    w.get<HTMLButtonElement>('button[aria-label="5 JKL"]').element.focus();
    key('9', document.activeElement!);
    key('#', document.activeElement!);
    await flushPromises();
    expect(useDialPadStore(r.pinia).text).toBe('0049#');
    key('Backspace');
    await flushPromises();
    expect(useDialPadStore(r.pinia).text).toBe('0049');
    const other = document.createElement('input');
    const dialog = document.createElement('dialog');
    const inDialog = document.createElement('button');
    dialog.append(inDialog);
    document.body.append(other, dialog);
    key('7', other);
    key('7', inDialog);
    other.remove();
    dialog.remove();
    expect(useDialPadStore(r.pinia).text).toBe('0049');
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '7', ctrlKey: true, bubbles: true }));
    expect(useDialPadStore(r.pinia).text).toBe('0049');
    w.unmount();
    wrapper = undefined;
    key('1');
    expect(useDialPadStore(r.pinia).text).toBe('0049');
  });

  it('offers recent numbers when empty and matching contacts while typing; a pick fills the number and focuses Call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const r = createTestRenderer();
      r.bridge.history.seed(
        historyEntry({
          id: 'a',
          direction: 'outgoing',
          remoteUri: 'sip:+14155552671@pbx',
          startedAt: FAKE_HISTORY_NOW,
        }),
        historyEntry({
          id: 'b',
          remoteUri: 'sip:2000@pbx',
          contact: { id: 'c9', name: 'Front desk' },
          startedAt: FAKE_HISTORY_NOW - 1,
        }),
      );
      r.bridge.contacts.seed({
        name: 'Anna',
        addresses: [{ kind: 'tel', value: '+49 30 1234', label: 'work' }],
      });
      const { w, input } = await mountPhone(r);
      const suggestions = () =>
        w.findAll('.phone-suggestion').map((s) => s.get('.phone-suggestion-title').text());
      expect(w.get('.phone-suggestions h2').text()).toBe('Recent');
      expect(suggestions()).toEqual(['+1 415 555 2671', 'Front desk']);

      await input.setValue('ann');
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
      await flushPromises();
      expect(w.get('.phone-suggestions h2').text()).toBe('Contacts');
      expect(w.findAll('.phone-suggestion').map((s) => s.text())).toEqual(['Annawork · +49 301 234']);
      await input.trigger('keydown', { key: 'ArrowDown' });
      await flushPromises();
      expect(document.activeElement).toBe(w.get('.phone-suggestion').element);
      await w.get('.phone-suggestion').trigger('click');
      await flushPromises();
      expect(useDialPadStore(r.pinia).text).toBe('+49301234');
      expect(document.activeElement).toBe(w.get('[data-testid="call-button"]').element);
      expect(r.bridge.calls.map((c) => c.name)).not.toContain('calls.dial');
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a number from a link with a note to press Call, focuses Call, and never dials', async () => {
    const r = createTestRenderer();
    useDialPadStore(r.pinia).prefill('sip:bob@example.com', 'link');
    const { w, input } = await mountPhone(r);
    expect(input.element.value).toBe('sip:bob@example.com');
    const notice = w.get('[data-testid="link-notice"]');
    expect(notice.text()).toBe('Opened from a link — press Call to dial');
    expect(notice.attributes('role')).toBe('status');
    const call = w.get('[data-testid="call-button"]');
    expect(document.activeElement).toBe(call.element);
    expect(call.attributes('aria-describedby')).toContain(notice.attributes('id'));
    expect(r.bridge.calls.map((c) => c.name)).not.toContain('calls.dial');
    await input.setValue('sip:bob@example.org');
    expect(w.find('[data-testid="link-notice"]').exists()).toBe(false);
  });
});
