import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import AccountsView from '../../../../src-renderer/src/features/accounts/AccountsView.vue';
import { useAccountsStore } from '../../../../src-renderer/src/stores/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { FAKE_ACCOUNTS_NOW, accountSnapshot, registered } from '../../support/fake-accounts.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
});

async function mountAccounts(r: TestRenderer) {
  await useAccountsStore(r.pinia).start();
  await r.router.push('/accounts');
  wrapper = mount(AccountsView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const item = (w: VueWrapper, id: string) => w.get(`[data-account-id="${id}"]`);

describe('AccountsView', () => {
  it('shows each account’s live registration: state, server, transport, renewal countdown, public address', async () => {
    vi.useFakeTimers({ now: FAKE_ACCOUNTS_NOW, toFake: ['Date', 'setInterval', 'clearInterval'] });
    const r = createTestRenderer();
    r.bridge.accounts.seed(
      accountSnapshot({
        id: 'acc-1',
        label: 'Office',
        registration: registered({ expiresAt: FAKE_ACCOUNTS_NOW + 125_000 }),
      }),
      accountSnapshot({
        id: 'acc-2',
        label: 'Home',
        aor: 'sip:55@home.example',
        domain: 'home.example',
        registration: {
          state: 'failed',
          reason: { kind: 'auth', code: 403, text: 'Forbidden' },
          registrar: 'sip:home.example',
          transport: 'udp',
        },
      }),
    );
    const w = await mountAccounts(r);
    expect(w.get('h1').text()).toBe('Accounts');
    const office = item(w, 'acc-1');
    expect(office.get('h2').text()).toBe('Office');
    expect(office.get('[data-testid="registration-state"]').text()).toBe('Registered');
    expect(office.text()).toContain('Default');
    expect(office.get('[data-testid="registration-expires"]').text()).toBe('2:05');
    expect(office.get('[data-testid="public-address"]').text()).toBe('203.0.113.7:40000');
    expect(office.findAll('dd').map((d) => d.text())).toEqual([
      'pbx.example.com',
      'UDP',
      '2:05',
      '203.0.113.7:40000',
    ]);
    vi.advanceTimersByTime(5000);
    await flushPromises();
    expect(office.get('[data-testid="registration-expires"]').text()).toBe('2:00');

    const home = item(w, 'acc-2');
    expect(home.get('[data-testid="registration-state"]').text()).toBe('Failed');
    expect(home.get('[data-testid="registration-reason"]').text()).toBe(
      'The password was not accepted (403 Forbidden).',
    );
    expect(home.text()).toContain('The phone waits for you: fix the settings, then register again.');
    expect(home.find('[data-testid="sip-alg-warning"]').exists()).toBe(false);

    // the state follows the phone
    r.bridge.accounts.setRegistration('acc-2', { state: 'registering', reason: null });
    await flushPromises();
    expect(home.get('[data-testid="registration-state"]').text()).toBe('Registering…');
    r.bridge.accounts.setRegistration('acc-1', { sipAlg: 'detected' });
    await flushPromises();
    expect(office.get('[data-testid="sip-alg-warning"]').text()).toContain('SIP ALG');
  });

  it('registers again, enables and disables, edits, and removes after asking', async () => {
    const r = createTestRenderer();
    r.bridge.accounts.seed(
      accountSnapshot({
        id: 'acc-1',
        label: 'Office',
        registration: { state: 'failed', reason: { kind: 'timeout', text: 'x' } },
      }),
    );
    const w = await mountAccounts(r);
    const office = item(w, 'acc-1');
    await office.get('[data-testid="account-register"]').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('accounts.register')).toEqual([{ id: 'acc-1' }]);
    expect(office.get('[data-testid="registration-state"]').text()).toBe('Registering…');

    await office.get('input[type="checkbox"]').setValue(false);
    await flushPromises();
    expect(r.bridge.callsOf('accounts.update')).toMatchObject([{ id: 'acc-1', account: { enabled: false } }]);
    expect(office.get('[data-testid="registration-state"]').text()).toBe('Off');

    expect(office.get('a[aria-label="Edit Office"]').attributes('href')).toBe('/accounts/acc-1/edit');
    expect(w.get('[data-testid="add-account"]').attributes('href')).toBe('/accounts/new');

    await office.get('button[aria-label="Remove Office"]').trigger('click');
    await flushPromises();
    const dialog = w.get<HTMLDialogElement>('dialog');
    expect(dialog.element.open).toBe(true);
    expect(dialog.get('h2').text()).toBe('Remove Office?');
    expect(r.bridge.callsOf('accounts.remove')).toEqual([]);
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Remove account')!
      .trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('accounts.remove')).toEqual([{ id: 'acc-1' }]);
    expect(w.get('.ui-empty-title').text()).toBe('No accounts yet');
    expect(w.get('[role="status"]').text()).toBe('Office was removed.');
  });

  it('says why a command failed', async () => {
    const r = createTestRenderer();
    r.bridge.accounts.seed(accountSnapshot({ id: 'acc-1' }));
    const w = await mountAccounts(r);
    r.bridge.fail('accounts.register', { code: 'unavailable', message: 'The phone is shutting down.' });
    await item(w, 'acc-1').get('[data-testid="account-register"]').trigger('click');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toBe('That did not work: The phone is shutting down.');
  });
});
