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
  await Promise.all([useSettingsStore(r.pinia).start(), useAppStore(r.pinia).load()]);
  wrapper = mount(SettingsView, { global: r.global, attachTo: document.body });
  await flushPromises();
  return { r, w: wrapper };
}

function control<T extends HTMLElement = HTMLInputElement>(w: VueWrapper, label: string) {
  const l = w.findAll('label').find((x) => x.text() === label);
  if (!l) throw new Error(`no label "${label}"`);
  return w.get<T>(`#${CSS.escape(l.attributes('for') ?? '')}`);
}
const section = (w: VueWrapper, title: string) => {
  const s = w.findAll('section').find((x) => x.get('h2').text() === title);
  if (!s) throw new Error(`no section "${title}"`);
  return s;
};
const buttonIn = (w: VueWrapper | ReturnType<typeof section>, name: string) => {
  const b = w.findAll('button').find((x) => (x.attributes('aria-label') ?? x.text().trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
const optionTexts = (w: VueWrapper, label: string) =>
  control<HTMLSelectElement>(w, label)
    .findAll('option')
    .map((o) => o.text());

describe('Settings: audio', () => {
  it('lists devices, showing names once the microphone may be used, and saves a choice', async () => {
    const { r, w } = await mountSettings();
    expect(optionTexts(w, 'Microphone')).toEqual(['System default', 'Microphone 1', 'Microphone 2']);
    expect(section(w, 'Audio').text()).toContain(
      'Device names are shown once the app may use the microphone.',
    );
    await buttonIn(w, 'Show device names').trigger('click');
    await flushPromises();
    expect(optionTexts(w, 'Microphone')).toEqual([
      'System default',
      'Built-in Microphone',
      'USB Headset Microphone',
    ]);
    expect(optionTexts(w, 'Ringtone plays on')).toEqual([
      'System default',
      'Built-in Speakers',
      'USB Headset',
    ]);
    expect(section(w, 'Audio').text()).not.toContain('Device names are shown');

    await control<HTMLSelectElement>(w, 'Speaker for calls').setValue('spk-2');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ audio: { outputDeviceId: 'spk-2' } }]);
    await control<HTMLSelectElement>(w, 'Speaker for calls').setValue('');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set').at(-1)).toEqual({ audio: { outputDeviceId: null } });
    expect(r.bridge.settings.audio.outputDeviceId).toBeNull();
  });

  it('keeps a chosen device that is unplugged, and follows devices being plugged in', async () => {
    const r = createTestRenderer();
    r.audio.granted = true;
    r.bridge.settings = { ...DEFAULT_SETTINGS, audio: { ...DEFAULT_SETTINGS.audio, inputDeviceId: 'mic-9' } };
    const { w } = await mountSettings(r);
    expect(optionTexts(w, 'Microphone')).toEqual([
      'System default',
      'Built-in Microphone',
      'USB Headset Microphone',
      'The chosen device (not connected)',
    ]);
    expect(control<HTMLSelectElement>(w, 'Microphone').element.value).toBe('mic-9');
    r.audio.changeDevices([...r.audio.devices, { id: 'mic-9', kind: 'audioinput', label: 'Conference Mic' }]);
    await flushPromises();
    expect(optionTexts(w, 'Microphone')).toEqual([
      'System default',
      'Built-in Microphone',
      'USB Headset Microphone',
      'Conference Mic',
    ]);
  });

  it('tests the microphone with a live level and releases it when stopped or left', async () => {
    const r = createTestRenderer();
    r.bridge.settings = { ...DEFAULT_SETTINGS, audio: { ...DEFAULT_SETTINGS.audio, inputDeviceId: 'mic-2' } };
    const { w } = await mountSettings(r);
    const test = buttonIn(w, 'Test microphone');
    await test.trigger('click');
    await flushPromises();
    expect(r.audio.monitorsOpened).toEqual(['mic-2']);
    expect(r.audio.openMonitors).toBe(1);
    expect(test.attributes('aria-pressed')).toBe('true');
    r.audio.pushLevel(0.42);
    await flushPromises();
    expect(w.get<HTMLMeterElement>('meter').attributes('value')).toBe('0.42');
    expect(control(w, 'Input level').element.tagName).toBe('METER');

    // choosing another microphone restarts the test on it
    await control<HTMLSelectElement>(w, 'Microphone').setValue('mic-1');
    await flushPromises();
    expect(r.audio.monitorsOpened).toEqual(['mic-2', 'mic-1']);
    expect(r.audio.openMonitors).toBe(1);

    await buttonIn(w, 'Stop test').trigger('click');
    expect(r.audio.openMonitors).toBe(0);
    expect(w.find('meter').exists()).toBe(false);

    await buttonIn(w, 'Test microphone').trigger('click');
    await flushPromises();
    expect(r.audio.openMonitors).toBe(1);
    w.unmount();
    wrapper = undefined;
    expect(r.audio.openMonitors).toBe(0);
    expect(r.audio.deviceListenerCount).toBe(0);
  });

  it('says why the microphone cannot be tested', async () => {
    const r = createTestRenderer();
    r.audio.monitorFailure = { reason: 'denied', message: 'Permission denied' };
    const { w } = await mountSettings(r);
    await buttonIn(w, 'Test microphone').trigger('click');
    await flushPromises();
    expect(section(w, 'Audio').get('[role="alert"]').text()).toBe(
      'The microphone may not be used. Allow it in the system settings.',
    );
  });

  it('plays a test sound on the chosen output and says where it played', async () => {
    const r = createTestRenderer();
    r.bridge.settings = {
      ...DEFAULT_SETTINGS,
      audio: { ...DEFAULT_SETTINGS.audio, ringtoneDeviceId: 'spk-1' },
    };
    const { w } = await mountSettings(r);
    const buttons = section(w, 'Audio')
      .findAll('button')
      .filter((b) => b.text() === 'Play test sound');
    await buttons[1]!.trigger('click');
    await flushPromises();
    expect(r.audio.tones).toEqual(['spk-1']);
    expect(section(w, 'Audio').get('[role="status"]').text()).toBe('The test sound played on this device.');
    r.audio.toneAnswer = { ok: true, onChosenDevice: false };
    await buttons[0]!.trigger('click');
    await flushPromises();
    expect(r.audio.tones).toEqual(['spk-1', null]);
    expect(section(w, 'Audio').get('[role="status"]').text()).toBe(
      'The test sound played on the default output: this window cannot choose another.',
    );
  });
});

describe('Settings: calls', () => {
  it('reorders codecs with buttons, keeping focus on the codec that moved', async () => {
    const { r, w } = await mountSettings();
    const codecs = () => w.findAll('.settings-codecs-name').map((c) => c.text());
    expect(codecs()).toEqual(['opus', 'G.722 (HD)', 'PCMU', 'PCMA']);
    expect(buttonIn(w, 'Move opus up').attributes('disabled')).toBeDefined();
    await buttonIn(w, 'Move PCMA up').trigger('click');
    await flushPromises();
    expect(codecs()).toEqual(['opus', 'G.722 (HD)', 'PCMA', 'PCMU']);
    expect(r.bridge.callsOf('settings.set')).toEqual([
      { calls: { codecOrder: ['opus', 'G722', 'PCMA', 'PCMU'] } },
    ]);
    expect(document.activeElement).toBe(buttonIn(w, 'Move PCMA up').element);
    expect(section(w, 'Calls').get('[role="status"]').text()).toBe('PCMA is now number 3 of 4.');
    await buttonIn(w, 'Move opus down').trigger('click');
    await flushPromises();
    await buttonIn(w, 'Move opus down').trigger('click');
    await buttonIn(w, 'Move opus down').trigger('click');
    await flushPromises();
    expect(codecs()).toEqual(['G.722 (HD)', 'PCMA', 'PCMU', 'opus']);
    // at the end of the list the other button takes focus
    expect(document.activeElement).toBe(buttonIn(w, 'Move opus up').element);
  });

  it('changes how DTMF is sent', async () => {
    const { r, w } = await mountSettings();
    await control<HTMLSelectElement>(w, 'Key presses (DTMF)').setValue('info');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ calls: { dtmfMode: 'info' } }]);
  });
});

describe('Settings: NAT, ports, startup', () => {
  it('saves ICE mode, discovery and keepalive; an invalid keepalive stays with its message and is not sent', async () => {
    const { r, w } = await mountSettings();
    await control<HTMLSelectElement>(w, 'ICE').setValue('off');
    await flushPromises();
    expect(section(w, 'NAT traversal').text()).toContain('Never use ICE');
    await control(w, 'Find TURN servers in the SIP domain’s DNS when an account lists none').setValue(false);
    await flushPromises();
    const keepalive = control(w, 'Keepalive interval (seconds)');
    await keepalive.setValue('4000');
    await keepalive.trigger('change');
    await flushPromises();
    expect(keepalive.attributes('aria-invalid')).toBe('true');
    expect(section(w, 'NAT traversal').get('.field-error').text()).toBe('Enter 3600 or less.');
    expect(keepalive.element.value).toBe('4000');
    await keepalive.setValue('15');
    await keepalive.trigger('change');
    await flushPromises();
    expect(section(w, 'NAT traversal').find('.field-error').exists()).toBe(false);
    expect(r.bridge.callsOf('settings.set')).toEqual([
      { nat: { iceMode: 'off' } },
      { nat: { turnAutoDiscovery: false } },
      { nat: { keepaliveIntervalSec: 15 } },
    ]);
  });

  it('checks a port range before saving it', async () => {
    const { r, w } = await mountSettings();
    const ports = section(w, 'Network ports');
    const [sipFrom, sipTo] = ports.findAll<HTMLInputElement>('input');
    await sipFrom!.setValue('6000');
    await sipFrom!.trigger('change');
    await flushPromises();
    expect(ports.get('[data-testid="port-error"]').text()).toBe(
      'The first port must not be above the last one.',
    );
    expect(r.bridge.callsOf('settings.set')).toEqual([]);
    await sipTo!.setValue('6010');
    await sipTo!.trigger('change');
    await flushPromises();
    expect(ports.find('[data-testid="port-error"]').exists()).toBe(false);
    expect(r.bridge.callsOf('settings.set')).toEqual([{ network: { sipPorts: { min: 6000, max: 6010 } } }]);
  });

  it('shows the phone’s refusal at the field', async () => {
    const { r, w } = await mountSettings();
    r.bridge.fail('settings.set', {
      code: 'invalid-request',
      message: 'settings: rtp range overlaps the SIP range',
    });
    const ports = section(w, 'Network ports');
    const rtpFrom = ports.findAll<HTMLInputElement>('input')[2]!;
    await rtpFrom.setValue('5070');
    await rtpFrom.trigger('change');
    await flushPromises();
    expect(ports.get('[data-testid="port-error"]').text()).toBe(
      'The phone did not accept this: settings: rtp range overlaps the SIP range',
    );
    expect(w.find('.ui-view-body > .ui-notice').exists()).toBe(false);
  });

  it('saves the startup choices, and returns a check box when the phone refuses', async () => {
    const { r, w } = await mountSettings();
    await control(w, 'Start when I log in').setValue(true);
    await flushPromises();
    expect(r.bridge.settings.app.startAtLogin).toBe(true);
    r.bridge.fail('settings.set', { code: 'storage', message: 'read-only database' });
    await control(w, 'Start minimized').setValue(true);
    await flushPromises();
    expect(control(w, 'Start minimized').element.checked).toBe(false);
    expect(w.get('[role="alert"]').text()).toBe('Could not save the setting: read-only database');
  });
});

describe('Settings: shortcuts', () => {
  it('records a shortcut from a key press, refuses plain keys and duplicates, and removes it', async () => {
    const r = createTestRenderer();
    r.bridge.settings = {
      ...DEFAULT_SETTINGS,
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, hangup: 'CommandOrControl+Shift+H' },
    };
    const { w } = await mountSettings(r);
    const shortcuts = section(w, 'Global shortcuts');
    expect(shortcuts.findAll('kbd').map((k) => k.text())).toEqual(['None', 'Ctrl+Shift+H', 'None', 'None']);

    await buttonIn(shortcuts, 'Change the shortcut to Answer a call').trigger('click');
    await flushPromises();
    const recorder = shortcuts.get('.settings-shortcut-recorder');
    expect(document.activeElement).toBe(recorder.element);
    await recorder.trigger('keydown', { code: 'KeyA', key: 'a' });
    expect(shortcuts.get('.field-error').text()).toBe('Hold Ctrl, Alt or another modifier with the key.');
    await recorder.trigger('keydown', { code: 'KeyH', key: 'H', ctrlKey: true, shiftKey: true });
    expect(shortcuts.get('.field-error').text()).toBe('This combination is already used to Hang up.');
    await recorder.trigger('keydown', { code: 'ControlLeft', key: 'Control', ctrlKey: true });
    await recorder.trigger('keydown', { code: 'KeyA', key: 'A', ctrlKey: true, altKey: true });
    await flushPromises();
    expect(r.bridge.callsOf('settings.set')).toEqual([{ shortcuts: { answer: 'CommandOrControl+Alt+A' } }]);
    expect(shortcuts.findAll('kbd').map((k) => k.text())).toEqual([
      'Ctrl+Alt+A',
      'Ctrl+Shift+H',
      'None',
      'None',
    ]);
    expect(document.activeElement).toBe(buttonIn(shortcuts, 'Change the shortcut to Answer a call').element);

    await buttonIn(shortcuts, 'Change the shortcut to Mute or unmute').trigger('click');
    await flushPromises();
    await shortcuts.get('.settings-shortcut-recorder').trigger('keydown', { code: 'Escape', key: 'Escape' });
    await flushPromises();
    expect(shortcuts.find('.settings-shortcut-recorder').exists()).toBe(false);
    expect(r.bridge.callsOf('settings.set')).toHaveLength(1);

    await buttonIn(shortcuts, 'Remove the shortcut to Hang up').trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('settings.set').at(-1)).toEqual({ shortcuts: { hangup: null } });
    expect(shortcuts.findAll('kbd').map((k) => k.text())).toEqual(['Ctrl+Alt+A', 'None', 'None', 'None']);
  });

  it('writes shortcuts the Mac way on a Mac', async () => {
    const r = createTestRenderer();
    r.bridge.info = { ...r.bridge.info, platform: 'darwin' };
    r.bridge.settings = {
      ...DEFAULT_SETTINGS,
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, showWindow: 'CommandOrControl+Shift+P' },
    };
    const { w } = await mountSettings(r);
    expect(section(w, 'Global shortcuts').findAll('kbd').at(-1)?.text()).toBe('⌘⇧P');
  });
});
