import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';
import type { DesktopAccount, RegistrationState } from '../../../src-main/electron/desktop-phone.ts';
import {
  accountMenuLine,
  trayIconStatus,
  trayMenuTemplate,
  trayTooltip,
  type TrayMenuActions,
  type TrayMenuState,
} from '../../../src-main/electron/tray-menu.ts';
import { StatusTray } from '../../../src-main/electron/tray.ts';

function account(
  state: RegistrationState,
  over: Partial<DesktopAccount> = {},
  reason?: string,
): DesktopAccount {
  return {
    id: 'a1',
    label: 'Office',
    aor: 'sip:1000@lab.test',
    registration: reason === undefined ? { state } : { state, reason },
    ...over,
  };
}

function actions() {
  return {
    toggleWindow: vi.fn<() => void>(),
    openHistory: vi.fn<() => void>(),
    setDoNotDisturb: vi.fn<(on: boolean) => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayMenuActions;
}

function state(over: Partial<TrayMenuState> = {}): TrayMenuState {
  return {
    accounts: [],
    missedCalls: 0,
    windowVisible: true,
    doNotDisturb: false,
    platform: 'linux',
    ...over,
  };
}

/** The menu as readable rows: label, or '---' for separators, with (disabled) / [x] markers. */
function rows(template: MenuItemConstructorOptions[]): string[] {
  return template.map((item) => {
    if (item.type === 'separator') return '---';
    let row = item.label ?? '';
    if (item.type === 'checkbox') row = `[${item.checked ? 'x' : ' '}] ${row}`;
    if (item.enabled === false) row += ' (disabled)';
    return row;
  });
}

describe('tray tooltip and icon status', () => {
  it.each([
    ['registered', undefined, 'Registered as 1000@lab.test', 'registered'],
    ['registering', undefined, 'Registering 1000@lab.test…', 'connecting'],
    ['unregistering', undefined, 'Unregistering 1000@lab.test…', 'connecting'],
    ['unregistered', undefined, 'Not registered', 'offline'],
    ['failed', '403 Forbidden', 'Registration failed: 403 Forbidden', 'failed'],
    ['failed', undefined, 'Registration failed', 'failed'],
  ] as const)('one account %s (%s)', (s, reason, tooltip, icon) => {
    const accounts = [account(s, {}, reason)];
    expect(trayTooltip(accounts, 0, false)).toBe(tooltip);
    expect(trayIconStatus(accounts)).toBe(icon);
  });

  it('says "Not registered" without accounts', () => {
    expect(trayTooltip([], 0, false)).toBe('Not registered');
    expect(trayIconStatus([])).toBe('offline');
  });

  it('lists several accounts by label and shows the state that needs attention', () => {
    const accounts = [
      account('registered'),
      account('failed', { id: 'a2', label: 'Home', aor: 'sips:alice@example.com' }, '408 Request Timeout'),
      account('unregistered', { id: 'a3', label: 'Old' }),
    ];
    expect(trayTooltip(accounts, 0, false)).toBe(
      'Office: Registered as 1000@lab.test\nHome: Registration failed: 408 Request Timeout\nOld: Not registered',
    );
    expect(trayIconStatus(accounts)).toBe('failed');
    expect(trayIconStatus([account('registered'), account('registering')])).toBe('connecting');
    expect(trayIconStatus([account('unregistered'), account('registered')])).toBe('registered');
  });

  it('adds missed calls and Do Not Disturb, and stays within the Windows limit', () => {
    expect(trayTooltip([account('registered')], 1, false)).toBe('Registered as 1000@lab.test\n1 missed call');
    expect(trayTooltip([account('registered')], 3, true)).toBe(
      'Registered as 1000@lab.test\n3 missed calls\nDo not disturb',
    );
    const many = Array.from({ length: 10 }, (_v, i) =>
      account('registered', { id: `a${i}`, label: `Account ${i}` }),
    );
    const long = trayTooltip(many, 0, false);
    expect(long.length).toBe(127);
    expect(long.endsWith('…')).toBe(true);
  });

  it('strips control and format characters from labels', () => {
    const evil = account('registered', { label: 'Of\u202Efice\r\nX', aor: 'sip:1000@lab.test' });
    expect(accountMenuLine(evil)).toBe('Of fice X (1000@lab.test): registered');
  });
});

describe('tray menu', () => {
  it.each([
    ['registered', undefined, 'Office (1000@lab.test): registered'],
    ['registering', undefined, 'Office (1000@lab.test): registering…'],
    ['unregistering', undefined, 'Office (1000@lab.test): unregistering…'],
    ['unregistered', undefined, 'Office (1000@lab.test): not registered'],
    ['failed', '403 Forbidden', 'Office (1000@lab.test): failed — 403 Forbidden'],
  ] as const)('shows a disabled status line for an account that is %s', (s, reason, line) => {
    const template = trayMenuTemplate(state({ accounts: [account(s, {}, reason)] }), actions());
    expect(rows(template)).toEqual([
      'Hide window',
      '---',
      `${line} (disabled)`,
      '---',
      '[ ] Do not disturb',
      '---',
      'Quit',
    ]);
  });

  it('without accounts, hidden window, missed calls and DND on', () => {
    const a = actions();
    const template = trayMenuTemplate(state({ windowVisible: false, missedCalls: 2, doNotDisturb: true }), a);
    expect(rows(template)).toEqual([
      'Show window',
      '---',
      'No accounts (disabled)',
      '---',
      '2 missed calls',
      '---',
      '[x] Do not disturb',
      '---',
      'Quit',
    ]);
    const click = (label: string) => (template.find((i) => i.label === label)!.click as () => void)();
    click('Show window');
    expect(a.toggleWindow).toHaveBeenCalledTimes(1);
    click('2 missed calls');
    expect(a.openHistory).toHaveBeenCalledTimes(1);
    click('Do not disturb');
    expect(a.setDoNotDisturb).toHaveBeenCalledWith(false);
    click('Quit');
    expect(a.quit).toHaveBeenCalledTimes(1);
  });

  it('escapes "&" outside macOS and caps the account lines', () => {
    const accounts = Array.from({ length: 10 }, (_v, i) =>
      account('registered', { id: `a${i}`, label: `R&D ${i}` }),
    );
    const linux = rows(trayMenuTemplate(state({ accounts }), actions()));
    expect(linux[2]).toBe('R&&D 0 (1000@lab.test): registered (disabled)');
    expect(linux.filter((r) => r.endsWith('(disabled)'))).toHaveLength(9);
    expect(linux[10]).toBe('… and 2 more (disabled)');
    const mac = rows(trayMenuTemplate(state({ accounts, platform: 'darwin' }), actions()));
    expect(mac[2]).toBe('R&D 0 (1000@lab.test): registered (disabled)');
  });
});

function fakeTrayElectron() {
  const trays: FakeTray[] = [];
  class FakeTray extends EventEmitter {
    image: unknown;
    tooltip = '';
    menu: MenuItemConstructorOptions[] | null = null;
    destroyed = false;
    setImage = vi.fn((img: unknown) => (this.image = img));
    setToolTip = vi.fn((t: string) => (this.tooltip = t));
    setContextMenu = vi.fn((m: MenuItemConstructorOptions[] | null) => (this.menu = m));
    isDestroyed = () => this.destroyed;
    destroy = vi.fn(() => (this.destroyed = true));
    constructor(image: unknown) {
      super();
      this.image = image;
      trays.push(this);
    }
  }
  let images = 0;
  const nativeImage = {
    createFromBuffer: vi.fn((buffer: Buffer, options: { scaleFactor: number }) => {
      const reps = [{ buffer, scaleFactor: options.scaleFactor }];
      return {
        id: ++images,
        reps,
        addRepresentation: (r: { buffer: Buffer; scaleFactor: number }) => reps.push(r),
      };
    }),
  };
  const electron = {
    Tray: FakeTray,
    Menu: { buildFromTemplate: (t: MenuItemConstructorOptions[]) => t },
    nativeImage,
  };
  return { electron, trays, nativeImage };
}

describe('StatusTray', () => {
  it('shows the registration state and updates icon, tooltip and menu as it changes', () => {
    const f = fakeTrayElectron();
    const a = actions();
    const tray = new StatusTray(f.electron as never, a, state());
    const t = f.trays[0]!;
    const offline = t.image as { id: number; reps: Array<{ buffer: Buffer; scaleFactor: number }> };
    expect(offline.reps.map((r) => r.scaleFactor)).toEqual([1, 2]);
    expect(offline.reps[0]!.buffer.readUInt32BE(16)).toBe(16); // IHDR width of the 1× PNG
    expect(offline.reps[1]!.buffer.readUInt32BE(16)).toBe(32);
    expect(t.tooltip).toBe('Not registered');
    expect(rows(t.menu!)[2]).toBe('No accounts (disabled)');

    tray.update({ accounts: [account('registered')] });
    expect(t.setImage).toHaveBeenCalledTimes(1);
    expect(t.tooltip).toBe('Registered as 1000@lab.test');
    expect(rows(t.menu!)[2]).toBe('Office (1000@lab.test): registered (disabled)');

    // same icon: not set again; the menu is always re-set (Linux needs it)
    tray.update({ windowVisible: false });
    expect(t.setImage).toHaveBeenCalledTimes(1);
    expect(t.setToolTip).toHaveBeenCalledTimes(2);
    expect(rows(t.menu!)[0]).toBe('Show window');

    tray.update({ missedCalls: 4 });
    expect(t.setImage).toHaveBeenCalledTimes(2);
    expect(t.tooltip).toBe('Registered as 1000@lab.test\n4 missed calls');

    // back to a state seen before: the cached image is reused
    tray.update({ accounts: [], missedCalls: 0 });
    expect(t.image).toBe(offline);
    expect(f.nativeImage.createFromBuffer).toHaveBeenCalledTimes(3);

    t.emit('click');
    expect(a.toggleWindow).toHaveBeenCalledTimes(1);

    tray.dispose();
    expect(t.destroy).toHaveBeenCalledTimes(1);
    expect(t.listenerCount('click')).toBe(0);
    tray.update({ missedCalls: 1 }); // after dispose: no calls into a destroyed tray
    expect(t.setToolTip).toHaveBeenCalledTimes(4);
  });

  it('leaves clicks to the menu on macOS', () => {
    const f = fakeTrayElectron();
    const tray = new StatusTray(f.electron as never, actions(), state({ platform: 'darwin' }));
    expect(f.trays[0]!.listenerCount('click')).toBe(0);
    tray.dispose();
  });
});
