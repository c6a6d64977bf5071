/**
 * The desktop integration end to end on a real Phone: phone events in (as the calls/accounts work will
 * emit them), OS objects (fake tray, notifications, shortcuts, badge) out, and commands back into the
 * phone through the adapter.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/model/settings.ts';
import type { Phone } from '../../../src-main/phone/index.ts';
import { DesktopIntegration } from '../../../src-main/electron/desktop-integration.ts';
import { createDesktopPhoneAdapter } from '../../../src-main/electron/desktop-phone.ts';
import { LoginItemSync } from '../../../src-main/electron/login-item.ts';
import { fakeOsElectron, FakeWindow } from './support/fake-electron.ts';
import {
  contractWithoutAppRequests,
  emitRaw,
  futureContract,
  installCallHandlers,
  testPhone,
} from './support/phone-fixture.ts';

let phone: Phone | undefined;
let integration: DesktopIntegration | undefined;
afterEach(async () => {
  integration?.dispose();
  integration = undefined;
  await phone?.close();
  phone = undefined;
});

function setup(
  opts: { platform?: string; future?: boolean; settings?: Settings; missedCount?: number } = {},
) {
  const made = testPhone();
  phone = made.phone;
  const commands = opts.future === false ? [] : installCallHandlers(made.phone);
  if (opts.missedCount !== undefined) {
    (made.phone.handlers as unknown as Record<string, unknown>)['history.missedCount'] = () => ({
      missedUnseen: opts.missedCount,
    });
  }
  const baseline = made.phone.events.listenerCount;
  const emitted: PhoneEvent[] = [];
  made.phone.events.on((e) => {
    if (e.name !== 'app.log') emitted.push(e);
  });
  const desktopPhone = createDesktopPhoneAdapter(made.phone, {
    contract: opts.future === false ? contractWithoutAppRequests : futureContract,
  });
  const os = fakeOsElectron();
  const window = new FakeWindow();
  const loginHost = {
    platform: 'win32',
    packaged: true,
    executable: '/x',
    appName: 'Softphone',
    setLoginItemSettings: vi.fn(),
    autostart: { write: vi.fn(), remove: vi.fn() },
  };
  const quit = vi.fn();
  integration = new DesktopIntegration({
    electron: os.electron as never,
    window: window as never,
    phone: desktopPhone,
    platform: opts.platform ?? 'linux',
    settings: opts.settings ?? DEFAULT_SETTINGS,
    loginItems: new LoginItemSync(loginHost, desktopPhone.log),
    presentWindow: window.present,
    quit,
  });
  const tray = os.trays[0]!;
  const log = () => made.phone.log.recent(200).map((e) => e.message);
  return {
    phone: made.phone,
    integration,
    os,
    window,
    tray,
    commands,
    emitted,
    loginHost,
    quit,
    log,
    baseline,
  };
}

const ringing = (id: string, state = 'ringing', extra: Record<string, unknown> = {}) => ({
  id,
  accountId: 'office',
  direction: 'incoming',
  remote: { uri: `sip:100${id.at(-1)}@lab.test`, displayName: 'Alice' },
  state,
  ...extra,
});

describe('DesktopIntegration: tray', () => {
  it('follows registration, window visibility, Do Not Disturb and quits', () => {
    const { phone, tray, window, quit } = setup();
    expect(tray.tooltip).toBe('Not registered');
    emitRaw(phone, 'accounts.changed', [
      { id: 'office', label: 'Office', aor: 'sip:1000@lab.test', registration: { state: 'registered' } },
    ]);
    expect(tray.tooltip).toBe('Registered as 1000@lab.test');
    emitRaw(phone, 'accounts.changed', [
      {
        id: 'office',
        label: 'Office',
        aor: 'sip:1000@lab.test',
        registration: { state: 'failed', reason: '403 Forbidden' },
      },
    ]);
    expect(tray.tooltip).toBe('Registration failed: 403 Forbidden');
    expect(tray.labels).toEqual([
      'Show window',
      'Office (1000@lab.test): failed — 403 Forbidden',
      'Do not disturb',
      'Quit',
    ]);

    tray.clickItem('Show window');
    expect(window.present).toHaveBeenCalledTimes(1);
    expect(tray.labels[0]).toBe('Hide window');
    tray.clickItem('Hide window');
    expect(window.hide).toHaveBeenCalledTimes(1);
    expect(tray.labels[0]).toBe('Show window');

    tray.clickItem('Do not disturb');
    expect(tray.menu!.find((i) => i.label === 'Do not disturb')!.checked).toBe(true);
    expect(tray.tooltip).toBe('Registration failed: 403 Forbidden\nDo not disturb');

    tray.clickItem('Quit');
    expect(quit).toHaveBeenCalledTimes(1);
  });
});

describe('DesktopIntegration: incoming calls', () => {
  it('Answer in the notification answers that call and brings the window; the notification goes when it stops ringing', () => {
    const { phone, os, commands, window } = setup();
    emitRaw(phone, 'calls.changed', ringing('c1'));
    emitRaw(phone, 'calls.changed', ringing('c2'));
    expect(os.notifications.map((n) => n.options.body)).toEqual(['Alice (1001)', 'Alice (1002)']);
    os.notifications[1]!.action(0);
    expect(window.present).toHaveBeenCalledTimes(1);
    os.notifications[0]!.action(1);
    return vi.waitFor(() => {
      expect(commands).toEqual([
        ['calls.answer', { callId: 'c2' }],
        ['calls.reject', { callId: 'c1' }],
      ]);
    });
  });

  it('closes the notification when the call is answered elsewhere', () => {
    const { phone, os } = setup();
    emitRaw(phone, 'calls.changed', ringing('c1'));
    emitRaw(phone, 'calls.changed', ringing('c1', 'active'));
    expect(os.notifications[0]!.closed).toBe(1);
    expect(os.notifications[0]!.eventNames()).toEqual([]);
  });

  it('shows no notification with Do Not Disturb on', () => {
    const { phone, os, integration } = setup();
    integration.setDoNotDisturb(true);
    emitRaw(phone, 'calls.changed', ringing('c1'));
    expect(os.notifications).toHaveLength(0);
  });

  it('logs, rather than throws, when the phone cannot answer', async () => {
    const { phone, os, log } = setup({ future: false });
    emitRaw(phone, 'calls.changed', ringing('c1')); // a call the phone itself does not know
    os.notifications[0]!.action(0);
    await vi.waitFor(() =>
      expect(log().some((line: string) => line.startsWith('answer failed: '))).toBe(true),
    );
  });
});

describe('DesktopIntegration: global shortcuts', () => {
  it('registers from the settings, follows settings.changed, and acts on the right call', async () => {
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, answer: 'F1' },
    };
    const { phone, os, commands, window } = setup({ settings });
    expect([...os.shortcuts.keys()]).toEqual(['F1']);
    await phone.handlers['settings.set']({
      shortcuts: { answer: 'F5', hangup: 'F2', toggleMute: 'F3', showWindow: 'F4' },
    });
    expect([...os.shortcuts.keys()].sort()).toEqual(['F2', 'F3', 'F4', 'F5']);
    expect(os.electron.globalShortcut.unregister).toHaveBeenCalledExactlyOnceWith('F1');

    const press = (key: string) => os.shortcuts.get(key)!();
    press('F5'); // nothing ringing: nothing to answer
    emitRaw(phone, 'calls.changed', ringing('c1'));
    press('F2'); // only a ringing call: hang up declines it
    emitRaw(phone, 'calls.changed', ringing('c2'));
    press('F5');
    emitRaw(phone, 'calls.changed', ringing('c2', 'active'));
    press('F3');
    emitRaw(phone, 'calls.changed', ringing('c2', 'active', { muted: true }));
    press('F3');
    press('F2');
    press('F4');
    expect(window.present).toHaveBeenCalledTimes(1);
    await vi.waitFor(() =>
      expect(commands).toEqual([
        ['calls.reject', { callId: 'c1' }],
        ['calls.answer', { callId: 'c2' }],
        ['calls.mute', { callId: 'c2', muted: true }],
        ['calls.mute', { callId: 'c2', muted: false }],
        ['calls.hangup', { callId: 'c2' }],
      ]),
    );
  });

  it('applies start at login from the settings and its changes', async () => {
    const { phone, loginHost } = setup();
    await phone.handlers['settings.set']({ app: { startAtLogin: true } });
    expect(loginHost.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: false, args: ['--hidden'] }],
      [{ openAtLogin: true, args: ['--hidden'] }],
    ]);
  });
});

describe('DesktopIntegration: missed calls', () => {
  const entry = {
    id: 'h1',
    direction: 'incoming',
    accountId: 'office',
    remoteUri: 'sip:1001@lab.test',
    remoteDisplayName: 'Alice',
    startedAt: 1,
    answeredAt: null,
    endedAt: 2,
    durationMs: 0,
    result: 'missed',
    completion: 'completed',
    sipCode: 487,
    reason: null,
    codec: null,
    mediaPath: 'unknown',
    encryption: 'none',
    mos: null,
    seen: false,
    contact: null,
  } as const;

  it('starts from the phone’s count, then badges, notifies and opens History on click', async () => {
    const { phone, integration, os, tray, window, emitted } = setup({ missedCount: 2 });
    await integration.ready;
    expect(os.electron.app.setBadgeCount.mock.calls).toEqual([[2]]);
    expect(tray.tooltip).toBe('Not registered\n2 missed calls');

    phone.emit('history.changed', { reason: 'call-ended', ids: ['h1'], entry, missedUnseen: 3 });
    expect(os.electron.app.setBadgeCount).toHaveBeenLastCalledWith(3);
    expect(tray.labels).toContain('3 missed calls');
    expect(os.notifications.map((n) => n.options.title)).toEqual(['Missed call from Alice (1001)']);

    os.notifications[0]!.emit('click', {});
    expect(window.present).toHaveBeenCalledTimes(1);
    expect(emitted.filter((e) => (e.name as string) === 'app.navigate')).toEqual([
      { name: 'app.navigate', payload: { route: 'history' } },
    ]);

    tray.clickItem('3 missed calls');
    expect(emitted.filter((e) => (e.name as string) === 'app.navigate')).toHaveLength(2);

    phone.emit('history.changed', { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    expect(os.electron.app.setBadgeCount).toHaveBeenLastCalledWith(0);
    expect(tray.tooltip).toBe('Not registered');
    expect(tray.labels).not.toContain('3 missed calls');
  });

  it('uses the taskbar overlay on Windows', () => {
    const { phone, window, os } = setup({ platform: 'win32' });
    phone.emit('history.changed', { reason: 'call-ended', ids: ['h1'], entry, missedUnseen: 1 });
    phone.emit('history.changed', { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    expect(window.setOverlayIcon.mock.calls.map((c) => [c[0] === null ? null : 'image', c[1]])).toEqual([
      ['image', '1 missed call'],
      [null, ''],
    ]);
    expect(os.electron.app.setBadgeCount).not.toHaveBeenCalled();
  });

  it('a history.changed that arrives first wins over the start-up count', async () => {
    const { phone, integration, os } = setup({ missedCount: 5 });
    phone.emit('history.changed', { reason: 'seen', ids: null, entry: null, missedUnseen: 0 });
    await integration.ready;
    expect(os.electron.app.setBadgeCount.mock.calls).toEqual([[0]]);
  });
});

describe('DesktopIntegration: dial links', () => {
  it('asks the window to pre-fill the dial pad once, and never dials', () => {
    const { integration, emitted, window, commands } = setup();
    integration.deliverDialLink('+15550100', 'second-instance');
    expect(window.present).toHaveBeenCalledTimes(1);
    expect(emitted).toEqual([{ name: 'app.dialRequest', payload: { target: '+15550100', source: 'link' } }]);
    expect(commands).toEqual([]);
  });

  it('without app.dialRequest in the contract: shows the window and says so in the log', () => {
    const { integration, emitted, window, log } = setup({ future: false });
    integration.deliverDialLink('+15550100', 'open-url');
    expect(window.present).toHaveBeenCalledTimes(1);
    expect(emitted).toEqual([]);
    expect(log()).toContain(
      'dial link from open-url received, but this version cannot pre-fill the dial pad (no app.dialRequest event); nothing was dialled',
    );
  });
});

describe('DesktopIntegration: dispose', () => {
  it('unregisters shortcuts, closes notifications, destroys the tray and lets go of every listener', () => {
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      shortcuts: { answer: 'F1', hangup: 'F2', toggleMute: null, showWindow: null },
    };
    const { phone, integration, os, tray, window, baseline } = setup({ settings });
    emitRaw(phone, 'calls.changed', ringing('c1'));
    integration.dispose();
    integration.dispose();
    expect(os.shortcuts.size).toBe(0);
    expect(os.notifications[0]!.closed).toBe(1);
    expect(tray.destroyed).toBe(true);
    expect(window.eventNames()).toEqual([]);
    expect(phone.events.listenerCount).toBe(baseline + 1); // only the test's own recorder
  });
});
