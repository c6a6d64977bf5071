import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import App from '../../src-renderer/src/App.vue';
import { MISSING_BRIDGE_MESSAGE } from '../../src-renderer/src/api/index.ts';
import { DEFAULT_SETTINGS } from '../../src-shared/model/settings.ts';
import type { SoftphoneBridge } from '../../src-shared/ipc/index.ts';
import { FakeBridge } from './support/fake-bridge.ts';
import { createTestRenderer, type TestRenderer } from './support/renderer.ts';
import { historyEntry } from './support/fake-history.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  delete document.documentElement.dataset.theme;
});

async function mountApp(r: TestRenderer = createTestRenderer()) {
  await r.router.push('/');
  await r.router.isReady();
  wrapper = mount(App, { global: r.global, attachTo: document.body });
  await flushPromises();
  return { r, w: wrapper };
}

describe('App', () => {
  it('shows the screen the main process asks for', async () => {
    const { r, w } = await mountApp();
    r.bridge.emit('app.navigate', { route: 'history' });
    await flushPromises();
    expect(r.router.currentRoute.value.name).toBe('history');
    expect(w.get('h1').text()).toBe('History');
    expect(document.activeElement).toBe(w.get('h1').element);
  });

  it('fills the dial pad from a link, focuses Call and says to press it — without dialling', async () => {
    const { r, w } = await mountApp();
    await r.router.push('/contacts');
    await flushPromises();
    r.bridge.emit('app.dialRequest', { target: 'sip:alice@example.com', source: 'link' });
    await flushPromises();
    expect(r.router.currentRoute.value.name).toBe('phone');
    expect(w.get<HTMLInputElement>('[data-testid="dial-number"]').element.value).toBe(
      'sip:alice@example.com',
    );
    expect(w.get('[data-testid="link-notice"]').text()).toBe('Opened from a link — press Call to dial');
    expect(document.activeElement).toBe(w.get('[data-testid="call-button"]').element);
    // a second link while the Phone screen is open replaces the number and focuses Call again
    w.get<HTMLElement>('nav a').element.focus();
    r.bridge.emit('app.dialRequest', { target: '+14155552671', source: 'link' });
    await flushPromises();
    expect(w.get<HTMLInputElement>('[data-testid="dial-number"]').element.value).toBe('+1 415 555 2671');
    expect(document.activeElement).toBe(w.get('[data-testid="call-button"]').element);
    expect(
      r.bridge.calls.map((c) => c.name).filter((n) => n.startsWith('calls.') && n !== 'calls.list'),
    ).toEqual([]);
  });

  it('counts missed calls on the History tab until History is shown', async () => {
    const r = createTestRenderer();
    r.bridge.history.seed(historyEntry({ id: 'm1' }));
    const { w } = await mountApp(r);
    const history = () => w.get('nav a[href="/history"]');
    expect(history().get('[data-testid="missed-badge"]').text()).toBe('1');
    expect(history().text()).toContain('1 missed, not seen yet');
    r.bridge.history.record(historyEntry({ id: 'm2', startedAt: 1 }));
    await flushPromises();
    expect(history().get('[data-testid="missed-badge"]').text()).toBe('2');
    await history().trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('history.markSeen')).toEqual([{}]);
    expect(history().find('[data-testid="missed-badge"]').exists()).toBe(false);
  });

  it('shows the shell: navigation, status strip and the phone screen', async () => {
    const { w } = await mountApp();
    const nav = w.get('nav');
    expect(nav.attributes('aria-label')).toBe('Main navigation');
    expect(nav.findAll('a').map((a) => [a.text(), a.attributes('href')])).toEqual([
      ['Phone', '/'],
      ['Contacts', '/contacts'],
      ['History', '/history'],
      ['Diagnostics', '/diagnostics'],
      ['Settings', '/settings'],
    ]);
    expect(nav.get('a[aria-current="page"]').text()).toBe('Phone');
    expect(w.get('h1').text()).toBe('Phone');
    expect(w.get('[data-testid="phone-connection"]').attributes('data-state')).toBe('connected');
    expect(w.get('[role="status"]').text()).toBe('Phone ready');
    expect(w.get('header').text()).toContain('No account');
    expect(document.title).toBe('Phone — Softphone');
  });

  it('navigates, moves focus to the new heading and titles the window', async () => {
    const { r, w } = await mountApp();
    await w.get('nav a[href="/settings"]').trigger('click');
    await flushPromises();
    expect(r.router.currentRoute.value.name).toBe('settings');
    expect(w.get('h1').text()).toBe('Settings');
    expect(document.activeElement).toBe(w.get('h1').element);
    expect(document.title).toBe('Settings — Softphone');
  });

  it('applies the theme setting to the document and follows changes', async () => {
    const r = createTestRenderer();
    r.bridge.settings = { ...DEFAULT_SETTINGS, app: { ...DEFAULT_SETTINGS.app, theme: 'dark' } };
    await mountApp(r);
    expect(document.documentElement.dataset.theme).toBe('dark');
    r.bridge.emit('settings.changed', {
      ...DEFAULT_SETTINGS,
      app: { ...DEFAULT_SETTINGS.app, theme: 'light' },
    });
    await flushPromises();
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('speaks the language of the settings, switching when they change', async () => {
    const { r, w } = await mountApp();
    await r.router.push('/settings');
    await flushPromises();
    await w.get('select').setValue('zh-CN');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ app: { language: 'zh-CN' } }]);
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(w.get('h1').text()).toBe('设置');
    expect(
      w
        .get('nav')
        .findAll('a')
        .map((a) => a.text()),
    ).toEqual(['电话', '联系人', '通话记录', '诊断', '设置']);
    expect(document.title).toBe('设置 — 软电话');
    r.bridge.emit('settings.changed', DEFAULT_SETTINGS);
    await flushPromises();
    expect(document.documentElement.lang).toBe('en');
    expect(w.get('h1').text()).toBe('Settings');
  });

  it('says the phone is unavailable, and why, without a bridge; retry reconnects', async () => {
    const bridge = new FakeBridge();
    let present = false;
    const flaky: SoftphoneBridge = {
      host: 'test-host',
      on: bridge.on.bind(bridge),
      commands: new Proxy(bridge.commands, {
        get: (target, name) =>
          present
            ? Reflect.get(target, name)
            : () =>
                Promise.resolve({
                  ok: false,
                  error: { code: 'unavailable', message: MISSING_BRIDGE_MESSAGE },
                }),
      }),
    };
    const { w } = await mountApp(createTestRenderer({ bridge: flaky as FakeBridge }));
    expect(w.get('[data-testid="phone-connection"]').text()).toBe('Phone unavailable');
    const alert = w.get('[role="alert"]');
    expect(alert.text()).toContain('The phone service cannot be reached');
    expect(alert.text()).toContain(MISSING_BRIDGE_MESSAGE);

    present = true;
    await alert.get('button').trigger('click');
    await flushPromises();
    expect(w.find('[role="alert"]').exists()).toBe(false);
    expect(w.get('[data-testid="phone-connection"]').text()).toBe('Phone ready');
  });

  it('leaves no subscription behind when it goes', async () => {
    const { r, w } = await mountApp();
    await r.router.push('/diagnostics');
    await flushPromises();
    expect(
      (
        [
          'settings.changed',
          'history.changed',
          'app.navigate',
          'app.dialRequest',
          'app.log',
          'diagnostics.report',
          'accounts.changed',
          'calls.changed',
        ] as const
      ).map((name) => r.bridge.listenerCount(name)),
    ).toEqual([1, 2, 1, 1, 1, 1, 1, 1]);
    // history.changed twice: the missed-call badge, and the calls' contact names
    expect(r.bridge.listenerCount()).toBe(10);
    w.unmount();
    wrapper = undefined;
    expect(r.bridge.listenerCount()).toBe(0);
  });
});
