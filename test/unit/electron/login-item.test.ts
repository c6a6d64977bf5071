import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  autostartFileAt,
  desktopExecArg,
  linuxAutostartEntry,
  linuxAutostartPath,
  loginItemSettings,
  LoginItemSync,
  shouldStartHidden,
  type LoginItemHost,
} from '../../../src-main/electron/login-item.ts';

describe('login item settings', () => {
  it('opens at login with --hidden, and passes the same args when removing', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, args: ['--hidden'] });
    expect(loginItemSettings(false)).toEqual({ openAtLogin: false, args: ['--hidden'] });
  });

  it.each([
    [['softphone'], false, false, false],
    [['softphone', '--hidden'], false, false, true],
    [['softphone'], true, false, true],
    [['softphone'], false, true, true],
    [['--hidden'], false, false, false], // argv[0] is the program
  ])(
    'argv %j, startMinimized %s, opened at login %s → hidden %s',
    (argv, startMinimized, openedAtLogin, hidden) => {
      expect(shouldStartHidden({ argv, startMinimized, openedAtLogin })).toBe(hidden);
    },
  );
});

describe('Linux autostart entry', () => {
  it('lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart', () => {
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u', 'softphone')).toBe(
      '/x/cfg/autostart/softphone.desktop',
    );
    expect(linuxAutostartPath({}, '/home/u', 'softphone')).toBe(
      '/home/u/.config/autostart/softphone.desktop',
    );
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u', 'softphone')).toBe(
      '/home/u/.config/autostart/softphone.desktop',
    );
  });

  it('quotes the executable per the Desktop Entry spec', () => {
    expect(desktopExecArg('/opt/Softphone/softphone')).toBe('"/opt/Softphone/softphone"');
    expect(desktopExecArg('/home/a b/100%/$x"`\\')).toBe('"/home/a b/100%%/\\\\$x\\\\"\\\\`\\\\\\\\"');
    expect(linuxAutostartEntry({ name: 'Softphone', executable: '/opt/Softphone/softphone' })).toBe(
      '[Desktop Entry]\nType=Application\nName=Softphone\nExec="/opt/Softphone/softphone" --hidden\nTerminal=false\nX-GNOME-Autostart-enabled=true\n',
    );
    expect(() => linuxAutostartEntry({ name: 'S', executable: '/opt/x\nExec=evil' })).toThrow(RangeError);
    expect(linuxAutostartEntry({ name: 'Soft\nExec=evil', executable: '/x' })).toContain(
      'Name=Soft Exec=evil\n',
    );
  });

  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is written atomically and removed', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-autostart-'));
    const file = path.join(dir, 'autostart', 'softphone.desktop');
    const autostart = autostartFileAt(file);
    autostart.write('[Desktop Entry]\n');
    expect(readFileSync(file, 'utf8')).toBe('[Desktop Entry]\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    autostart.remove();
    expect(existsSync(file)).toBe(false);
    autostart.remove(); // already gone: fine
  });
});

describe('LoginItemSync', () => {
  function host(platform: string, packaged = true) {
    const h = {
      platform,
      packaged,
      executable: '/opt/Softphone/softphone',
      appName: 'Softphone',
      setLoginItemSettings: vi.fn(),
      autostart: { write: vi.fn(), remove: vi.fn() },
    } satisfies LoginItemHost;
    return h;
  }
  const log = () => ({ info: vi.fn(), warn: vi.fn() });

  it.each(['win32', 'darwin'])('%s: setLoginItemSettings on change only', (platform) => {
    const h = host(platform);
    const sync = new LoginItemSync(h, log());
    sync.apply(false);
    sync.apply(false);
    sync.apply(true);
    expect(h.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: false, args: ['--hidden'] }],
      [{ openAtLogin: true, args: ['--hidden'] }],
    ]);
    expect(h.autostart.write).not.toHaveBeenCalled();
  });

  it('linux: writes and removes the autostart entry', () => {
    const h = host('linux');
    const sync = new LoginItemSync(h, log());
    sync.apply(true);
    expect(h.autostart.write).toHaveBeenCalledExactlyOnceWith(
      linuxAutostartEntry({ name: 'Softphone', executable: '/opt/Softphone/softphone' }),
    );
    sync.apply(false);
    expect(h.autostart.remove).toHaveBeenCalledTimes(1);
    expect(h.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('does nothing in a development build', () => {
    const h = host('win32', false);
    const l = log();
    new LoginItemSync(h, l).apply(true);
    expect(h.setLoginItemSettings).not.toHaveBeenCalled();
    expect(l.info).toHaveBeenCalledWith('start at login on: not applied in a development build');
  });

  it('reports failures and retries on the next change', () => {
    const h = host('linux');
    h.autostart.write.mockImplementationOnce(() => {
      throw new Error('EACCES');
    });
    const l = log();
    const sync = new LoginItemSync(h, l);
    sync.apply(true);
    expect(l.warn).toHaveBeenCalledWith('could not change start at login: EACCES');
    sync.apply(true);
    expect(h.autostart.write).toHaveBeenCalledTimes(2);
    new LoginItemSync(host('freebsd'), l).apply(true);
    expect(l.warn).toHaveBeenLastCalledWith('start at login is not supported on freebsd');
  });
});
