import { afterEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import { nextTick, ref } from 'vue';
import AccountsForm from '../../../../src-renderer/src/features/accounts/AccountsForm.vue';
import {
  EMPTY_ACCOUNT_FORM,
  type AccountForm,
} from '../../../../src-renderer/src/features/accounts/index.ts';
import { createTestRenderer } from '../../support/renderer.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

describe('AccountsForm: media encryption', () => {
  it('offers the SRTP modes and warns while SRTP is on without TLS', async () => {
    const r = createTestRenderer();
    const form = ref<AccountForm>({ ...EMPTY_ACCOUNT_FORM, transport: 'udp' });
    wrapper = mount(AccountsForm, {
      global: r.global,
      props: {
        modelValue: form.value,
        'onUpdate:modelValue': (v: AccountForm) => (form.value = v),
        advanced: true,
        errors: {},
        mode: 'new',
      },
    });
    const select = wrapper.get<HTMLSelectElement>('[data-testid="account-srtp"]');
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Automatic (on with TLS)',
      'Off',
      'When the other side can',
      'Always (refuse unencrypted calls)',
    ]);
    expect(wrapper.find('[data-testid="srtp-warning"]').exists()).toBe(false);

    await select.setValue('required');
    expect(form.value.srtp).toBe('required');
    const warning = wrapper.get('[data-testid="srtp-warning"]');
    expect(warning.text()).toContain('The transport is not TLS');

    form.value.transport = 'tls';
    await nextTick();
    expect(wrapper.find('[data-testid="srtp-warning"]').exists()).toBe(false);
  });
});
