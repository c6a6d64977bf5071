import { afterEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import PhoneView from '../../../../src-renderer/src/features/phone/PhoneView.vue';
import {
  appendDialKey,
  deleteLastCharacter,
  DIAL_STRING_MAX,
} from '../../../../src-renderer/src/features/phone/index.ts';
import { createTestRenderer } from '../../support/renderer.ts';

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

  it('has twelve labelled keys and a call button that explains why it does not call yet', () => {
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
    const notice = wrapper.get(`#${call.attributes('aria-describedby')}`);
    expect(notice.text()).toBe('Calls arrive with the calls feature. The dial pad is ready for them.');
    expect(wrapper.get(`label[for="${wrapper.get('input').attributes('id')}"]`).text()).toBe(
      'Number or SIP address',
    );
  });
});
