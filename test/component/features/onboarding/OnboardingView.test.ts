import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import OnboardingView from '../../../../src-renderer/src/features/onboarding/OnboardingView.vue';
import {
  discoveryNotesOf,
  natCheckDomainOf,
  setupOutcomeOf,
  targetAddressOf,
  transportOfDiscovery,
} from '../../../../src-renderer/src/features/onboarding/index.ts';
import { useAccountsStore } from '../../../../src-renderer/src/stores/index.ts';
import { createAppI18n } from '../../../../src-renderer/src/i18n/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { accountSnapshot, registered } from '../../support/fake-accounts.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

async function mountSetup(r: TestRenderer, path = '/accounts/new') {
  await useAccountsStore(r.pinia).start();
  await r.router.push(path);
  await r.router.isReady();
  wrapper = mount(OnboardingView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

function input(w: VueWrapper, label: string) {
  const found = w.findAll('label').find((l) => l.text() === label);
  if (!found) throw new Error(`no field ${label}`);
  return w.get<HTMLInputElement>(`#${found.attributes('for')}`);
}

describe('onboarding flow', () => {
  const en = createAppI18n('en');
  it('reads the lookup', () => {
    const discovery = {
      domain: 'nowhere.test',
      sipTargets: [],
      stunTurn: [],
      problems: [{ step: 'sip' as const, name: 'nowhere.test', code: 'ENOTFOUND' }],
    };
    expect(discoveryNotesOf(discovery, true).map((m) => en.global.t(m.key, m.params ?? {}))).toEqual([
      'nowhere.test does not exist in DNS — check the spelling, or give a proxy under Advanced.',
      'Requests go to the proxy you gave.',
    ]);
    expect(transportOfDiscovery(discovery)).toBeNull();
    expect(
      targetAddressOf({
        transport: 'tls',
        address: '2001:db8::1',
        port: 5061,
        hostname: null,
        source: 'literal',
      }),
    ).toBe('TLS [2001:db8::1]:5061');
    expect([
      natCheckDomainOf('Lab.Test:5070'),
      natCheckDomainOf('192.0.2.1'),
      natCheckDomainOf('[2001:db8::1]'),
    ]).toEqual(['lab.test', null, null]);
    expect(setupOutcomeOf(accountSnapshot({ id: 'a', registration: { state: 'unregistered' } }))).toBe(
      'registering',
    );
  });
});

describe('OnboardingView', () => {
  it('takes extension, password and domain, finds the servers, registers, and checks the network', async () => {
    const r = createTestRenderer();
    r.bridge.discovery = {
      sipTargets: [
        { transport: 'tcp', address: '192.0.2.10', port: 5060, hostname: 'sip.example.com', source: 'srv' },
        { transport: 'udp', address: '192.0.2.10', port: 5060, hostname: 'sip.example.com', source: 'srv' },
      ],
      stunTurn: [
        {
          uri: 'stun:stun.example.com:3478',
          kind: 'stun',
          transport: 'udp',
          host: 'stun.example.com',
          port: 3478,
          addresses: ['192.0.2.20:3478'],
        },
      ],
      problems: [],
    };
    const w = await mountSetup(r);
    expect(w.get('h1').text()).toBe('Set up your account');
    // the advanced fields are folded away
    expect(w.get('details').attributes('open')).toBeUndefined();
    await input(w, 'Extension or user name').setValue('1001');
    await input(w, 'Password').setValue('secret');
    await input(w, 'SIP domain').setValue('Example.com');
    await w.get('form').trigger('submit');
    await flushPromises();

    expect(r.bridge.callsOf('onboarding.discover')).toEqual([{ domain: 'example.com' }]);
    expect(
      w
        .get('[data-testid="discovered-sip"]')
        .findAll('li')
        .map((l) => l.text()),
    ).toEqual([
      'TCP 192.0.2.10:5060 — sip.example.com · DNS SRV',
      'UDP 192.0.2.10:5060 — sip.example.com · DNS SRV',
    ]);
    expect(w.get('[data-testid="discovered-nat"]').text()).toContain('stun:stun.example.com:3478');
    expect(r.bridge.callsOf('accounts.add')).toMatchObject([
      { aor: 'sip:1001@example.com', domain: 'example.com', transport: 'tcp', password: 'secret' },
    ]);
    const result = () => w.get('[data-testid="onboarding-result"]');
    expect(result().attributes('data-outcome')).toBe('registering');
    expect(result().text()).toBe('Registering with example.com…');
    // the password field is emptied once it was sent
    expect(input(w, 'Password').element.value).toBe('');

    r.bridge.accounts.setRegistration(
      'acc-1',
      registered({ registrar: 'sip:example.com;transport=tcp', transport: 'tcp' }),
    );
    await flushPromises();
    expect(result().attributes('data-outcome')).toBe('registered');
    expect(result().text()).toContain('Registered as 1001@example.com with example.com.');
    expect(result().text()).toContain('The server sees you at 203.0.113.7:40000.');
    expect(r.bridge.callsOf('diagnostics.run')).toEqual([{ lifetime: false, domain: 'example.com' }]);
    expect(w.get('[data-testid="nat-verdict"]').text()).toContain('Calls work directly with most people');
    expect(w.get('[data-testid="onboarding-nat-findings"]').findAll('li').length).toBeGreaterThan(2);
    expect(w.get('[data-testid="onboarding-done"]').attributes('href')).toBe('/');
  });

  it('says why the registration failed in plain words, and registers again after the fix', async () => {
    const r = createTestRenderer();
    const w = await mountSetup(r);
    await input(w, 'Extension or user name').setValue('alice');
    await input(w, 'Password').setValue('wrong');
    await input(w, 'SIP domain').setValue('lab.test');
    await w.get('form').trigger('submit');
    await flushPromises();
    r.bridge.accounts.setRegistration('acc-1', {
      state: 'failed',
      reason: { kind: 'auth', code: 403, text: 'Forbidden' },
      registrar: 'sip:lab.test;transport=udp',
    });
    await flushPromises();
    expect(w.get('[data-testid="onboarding-failure"]').text()).toBe(
      'The password was not accepted (403 Forbidden).',
    );
    expect(w.get('[data-testid="onboarding-submit"]').text()).toBe('Try again');
    expect(r.bridge.callsOf('diagnostics.run')).toEqual([]);

    await input(w, 'Password').setValue('right');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(r.bridge.callsOf('accounts.add')).toHaveLength(1);
    expect(r.bridge.callsOf('accounts.update')).toMatchObject([
      { id: 'acc-1', account: { password: 'right', aor: 'sip:alice@lab.test' } },
    ]);
    expect(r.bridge.accounts.passwords.get('acc-1')).toBe('right');
    expect(w.get('[data-testid="onboarding-result"]').attributes('data-outcome')).toBe('registering');
  });

  it('shows problems at their field, opening Advanced when one is folded there', async () => {
    const r = createTestRenderer();
    const w = await mountSetup(r);
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.findAll('.field-error').map((e) => e.text())).toEqual([
      'Enter the extension or user name.',
      'Enter the password.',
      'Enter the SIP domain.',
    ]);
    expect(document.activeElement).toBe(input(w, 'Extension or user name').element);
    expect(r.bridge.callsOf('onboarding.discover')).toEqual([]);

    await input(w, 'Extension or user name').setValue('alice');
    await input(w, 'Password').setValue('pw');
    await input(w, 'SIP domain').setValue('lab.test');
    await input(w, 'Proxy').setValue('has space');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('details').attributes('open')).toBeDefined();
    expect(w.findAll('.field-error').map((e) => e.text())).toEqual([
      'Enter the proxy as host, host:port or a sip: address.',
    ]);
  });

  it('edits an account: its settings shown, the password kept unless typed', async () => {
    const r = createTestRenderer();
    r.bridge.accounts.seed(
      accountSnapshot({
        id: 'acc-7',
        label: 'Lab',
        aor: 'sip:alice@lab.test',
        domain: 'lab.test',
        outboundProxy: 'sip:127.0.0.1:5070',
        registration: registered(),
      }),
    );
    const w = await mountSetup(r, '/accounts/acc-7/edit');
    expect(w.get('h1').text()).toBe('Edit the account');
    expect(input(w, 'Extension or user name').element.value).toBe('alice');
    expect(input(w, 'Proxy').element.value).toBe('sip:127.0.0.1:5070');
    expect(w.text()).toContain('Leave empty to keep the saved password.');
    await input(w, 'Name of the account').setValue('Lab 2');
    await w.get('form').trigger('submit');
    await flushPromises();
    const update = r.bridge.callsOf('accounts.update')[0] as { id: string; account: Record<string, unknown> };
    expect(update.id).toBe('acc-7');
    expect(update.account).toMatchObject({ label: 'Lab 2', outboundProxy: 'sip:127.0.0.1:5070' });
    expect(update.account).not.toHaveProperty('password');
  });
});
