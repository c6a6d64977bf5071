import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import App from '../../../../src-renderer/src/App.vue';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { accountSnapshot, registered } from '../../support/fake-accounts.ts';
import { FAKE_CALLS_NOW } from '../../support/fake-calls.ts';
import { historyEntry } from '../../support/fake-history.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

async function mountApp(r: TestRenderer, path = '/contacts') {
  r.bridge.accounts.seed(accountSnapshot({ id: 'acc-1', label: 'Office', registration: registered() }));
  await r.router.push(path);
  await r.router.isReady();
  wrapper = mount(App, { global: r.global, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

function press(code: string, init: KeyboardEventInit = {}): void {
  document.body.dispatchEvent(
    new KeyboardEvent('keydown', {
      code,
      key: code.replace('Key', '').toLowerCase(),
      altKey: true,
      bubbles: true,
      cancelable: true,
      ...init,
    }),
  );
}

describe('incoming calls on every screen', () => {
  it('shows the caller (the contact name once known) with Answer and Decline; answering opens the call', async () => {
    const r = createTestRenderer();
    const w = await mountApp(r);
    expect(w.find('[data-testid="incoming-call"]').exists()).toBe(false);
    r.bridge.phoneCalls.ring({
      id: 'in-1',
      remote: { uri: 'sip:+14155552671@pbx.example.com', displayName: 'Front desk' },
    });
    await flushPromises();
    const banner = w.get('[data-testid="incoming-call"]');
    expect(banner.attributes('aria-label')).toBe('Incoming call');
    expect(banner.get('[role="alert"]').text()).toContain('Incoming call from Front desk');
    expect(banner.get('.calls-incoming-detail').text()).toBe('+1 415 555 2671 · for Office');
    r.bridge.history.record(historyEntry({ id: 'in-1', contact: { id: 'c9', name: 'Dana Doe' } }));
    await flushPromises();
    expect(banner.get('.calls-incoming-name').text()).toBe('Dana Doe');
    const answer = banner.get('[data-testid="incoming-answer"]');
    expect(answer.attributes('aria-label')).toBe('Answer the call from Dana Doe');
    expect(answer.attributes('aria-keyshortcuts')).toBe('Alt+A');
    expect(banner.get('[data-testid="incoming-decline"]').attributes('aria-keyshortcuts')).toBe('Alt+D');
    expect(r.router.currentRoute.value.name).toBe('contacts');

    await answer.trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.answer')).toEqual([{ callId: 'in-1' }]);
    expect(w.find('[data-testid="incoming-call"]').exists()).toBe(false);
    expect(r.router.currentRoute.value.name).toBe('phone');
    expect(w.get('[data-testid="call-remote"]').text()).toBe('Dana Doe');
    expect(w.get('[data-testid="call-state"]').text()).toBe('Connected');
  });

  it('answers with Alt+A, declines with Alt+D, hangs up with Alt+H and mutes with Alt+M, from any screen', async () => {
    const r = createTestRenderer();
    const w = await mountApp(r, '/history');
    r.bridge.phoneCalls.ring({ id: 'in-1' });
    await flushPromises();
    press('KeyA');
    await flushPromises();
    expect(r.bridge.callsOf('calls.answer')).toEqual([{ callId: 'in-1' }]);
    expect(r.router.currentRoute.value.name).toBe('phone');

    await r.router.push('/settings');
    await flushPromises();
    // the other screens say a call is going on, and lead back to it
    const ongoing = w.get('[data-testid="ongoing-call"]');
    expect(ongoing.text()).toContain('Connected: Carol — back to the call');
    expect(ongoing.attributes('href')).toBe('/');
    press('KeyM');
    await flushPromises();
    expect(r.bridge.callsOf('calls.mute')).toEqual([{ callId: 'in-1', muted: true }]);

    r.bridge.phoneCalls.now = FAKE_CALLS_NOW + 1000;
    r.bridge.phoneCalls.ring({ id: 'in-2', startedAt: FAKE_CALLS_NOW + 1000 });
    await flushPromises();
    press('KeyD');
    await flushPromises();
    expect(r.bridge.callsOf('calls.reject')).toEqual([{ callId: 'in-2' }]);
    expect(w.find('[data-testid="incoming-call"]').exists()).toBe(false);

    press('KeyH');
    await flushPromises();
    expect(r.bridge.callsOf('calls.hangup')).toEqual([{ callId: 'in-1' }]);
    // without Alt, or with nothing to act on, the keys do nothing
    press('KeyA', { altKey: false });
    press('KeyD');
    await flushPromises();
    expect(r.bridge.callsOf('calls.answer')).toHaveLength(1);
    expect(r.bridge.callsOf('calls.reject')).toHaveLength(1);
  });
});

describe('the shell with accounts', () => {
  it('shows the default account’s state in the status strip, and marks Settings current on Accounts', async () => {
    const r = createTestRenderer();
    const w = await mountApp(r, '/accounts');
    const strip = w.get('[data-testid="status-account"]');
    expect(strip.attributes('data-state')).toBe('registered');
    expect(strip.text()).toContain('Office');
    expect(strip.text()).toContain('Registered');
    expect(strip.attributes('href')).toBe('/accounts');
    expect(w.get('nav a[aria-current="page"]').text()).toBe('Settings');
    expect(document.title).toBe('Accounts — Softphone');

    r.bridge.accounts.setRegistration('acc-1', {
      state: 'failed',
      reason: { kind: 'timeout', text: 'x' },
      registrar: 'sip:pbx.example.com;transport=udp',
      transport: 'udp',
    });
    await flushPromises();
    expect(strip.attributes('data-state')).toBe('failed');
    expect(strip.text()).toContain('No answer from pbx.example.com over UDP — check the domain or try TCP.');

    await r.router.push('/diagnostics/sip');
    await flushPromises();
    expect(w.get('nav a[aria-current="page"]').text()).toBe('Diagnostics');
    expect(w.get('h1').text()).toBe('SIP log');
  });

  it('offers the setup on first run, from the Phone screen and the status strip', async () => {
    const r = createTestRenderer();
    await r.router.push('/');
    await r.router.isReady();
    wrapper = mount(App, { global: r.global, attachTo: document.body });
    await flushPromises();
    expect(wrapper.get('[data-testid="welcome"] h2').text()).toBe('Welcome to Softphone');
    expect(wrapper.get('[data-testid="welcome-start"]').attributes('href')).toBe('/accounts/new');
    expect(wrapper.get('[data-testid="status-account"]').attributes('href')).toBe('/accounts/new');
    expect(wrapper.get('header').text()).toContain('No account');
    await wrapper.get('[data-testid="welcome-start"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('h1').text()).toBe('Set up your account');
  });
});
