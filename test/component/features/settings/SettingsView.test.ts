import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import SettingsView from '../../../../src-renderer/src/features/settings/SettingsView.vue';
import { useAppStore, useSettingsStore } from '../../../../src-renderer/src/stores/index.ts';
import { DEFAULT_SETTINGS } from '../../../../src-shared/model/settings.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

async function mountSettings(r: TestRenderer = createTestRenderer()) {
  wrapper = mount(SettingsView, { global: r.global });
  const settings = useSettingsStore(r.pinia);
  await Promise.all([settings.start(), useAppStore(r.pinia).load()]);
  await flushPromises();
  return { r, w: wrapper, settings };
}

const radio = (w: VueWrapper, value: string) =>
  w.get<HTMLInputElement>(`input[type="radio"][value="${value}"]`);

describe('SettingsView', () => {
  it('disables its controls until the settings are known', () => {
    const r = createTestRenderer();
    wrapper = mount(SettingsView, { global: r.global });
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined();
    expect(wrapper.get('select').attributes('disabled')).toBeDefined();
  });

  it('shows the current theme and language', async () => {
    const r = createTestRenderer();
    r.bridge.settings = {
      ...DEFAULT_SETTINGS,
      app: { ...DEFAULT_SETTINGS.app, theme: 'light', language: 'zh-CN' },
    };
    const { w } = await mountSettings(r);
    expect(radio(w, 'light').element.checked).toBe(true);
    expect(radio(w, 'system').element.checked).toBe(false);
    expect(w.get<HTMLSelectElement>('select').element.value).toBe('zh-CN');
  });

  it('changes the theme through settings.set', async () => {
    const { r, w, settings } = await mountSettings();
    await radio(w, 'dark').setValue();
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ app: { theme: 'dark' } }]);
    expect(settings.theme).toBe('dark');
    expect(radio(w, 'dark').element.checked).toBe(true);
  });

  it('changes the language through settings.set', async () => {
    const { r, w, settings } = await mountSettings();
    await w.get('select').setValue('zh-CN');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ app: { language: 'zh-CN' } }]);
    expect(settings.language).toBe('zh-CN');
  });

  it('offers following the system language first, selected by default, and can return to it', async () => {
    const { r, w, settings } = await mountSettings();
    const select = w.get<HTMLSelectElement>('select');
    expect(select.element.value).toBe('system');
    expect(select.findAll('option').map((o) => [o.attributes('value'), o.text()])).toEqual([
      ['system', 'Same as the system'],
      ['en', 'English'],
      ['zh-CN', '简体中文'],
    ]);
    await select.setValue('zh-CN');
    await flushPromises();
    await select.setValue('system');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([
      { app: { language: 'zh-CN' } },
      { app: { language: 'system' } },
    ]);
    expect(settings.language).toBe('system');
  });

  it('follows a change made elsewhere without sending it back', async () => {
    const { r, w } = await mountSettings();
    r.bridge.emit('settings.changed', {
      ...DEFAULT_SETTINGS,
      app: { ...DEFAULT_SETTINGS.app, theme: 'dark', language: 'zh-CN' },
    });
    await flushPromises();
    expect(radio(w, 'dark').element.checked).toBe(true);
    expect(w.get<HTMLSelectElement>('select').element.value).toBe('zh-CN');
    expect(r.bridge.callsOf('settings.set')).toEqual([]);
  });

  it('returns to the stored theme and says why when the phone refuses the change', async () => {
    const { r, w, settings } = await mountSettings();
    r.bridge.fail('settings.set', { code: 'storage', message: 'database is locked' });
    await radio(w, 'dark').setValue();
    await flushPromises();
    expect(settings.theme).toBe('system');
    expect(radio(w, 'system').element.checked).toBe(true);
    expect(radio(w, 'dark').element.checked).toBe(false);
    const alert = w.get('[role="alert"]');
    expect(alert.text()).toBe('Could not save the setting: database is locked');
    expect(r.bridge.callsOf('settings.set')).toEqual([{ app: { theme: 'dark' } }]);
  });

  it('labels every control and shows the version in About', async () => {
    const { w } = await mountSettings();
    for (const input of w.findAll('input, select')) {
      const id = input.attributes('id');
      expect(id).toBeTruthy();
      expect(w.find(`label[for="${id}"]`).text()).not.toBe('');
    }
    expect(w.get('legend').text()).toBe('Theme');
    expect(w.findAll('label').map((l) => l.text())).toEqual([
      'System',
      'Light',
      'Dark',
      'Display language',
      'Microphone',
      'Speaker for calls',
      'Ringtone plays on',
      'Key presses (DTMF)',
      'ICE',
      'Find STUN servers in the SIP domain’s DNS when an account lists none',
      'Find TURN servers in the SIP domain’s DNS when an account lists none',
      'Keepalive interval (seconds)',
      'From',
      'To',
      'From',
      'To',
      'Start when I log in',
      'Start minimized',
    ]);
    expect(w.findAll('h2').map((h) => h.text())).toEqual([
      'Accounts',
      'Appearance',
      'Language',
      'Audio',
      'Calls',
      'NAT traversal',
      'Network ports',
      'Startup',
      'Global shortcuts',
      'About',
    ]);
    expect(w.get('[data-testid="about-version"]').text()).toBe('Version 9.8.7');
    expect(w.get('a[href="/diagnostics"]').text()).toBe('Open Diagnostics');
    expect(w.get('[data-testid="manage-accounts"]').attributes('href')).toBe('/accounts');
  });
});
