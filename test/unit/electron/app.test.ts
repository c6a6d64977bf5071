/**
 * The Electron main process against a mocked `electron` module (the binary cannot run here): asserts the
 * security wiring — single-instance lock, privileged app scheme, permission handlers, navigation and
 * window.open denial, webview refusal, one IPC handler per command, and the sender check — and the OS
 * integration wiring: tray, dial links (open-url, second instance), close-to-tray, clean-up on quit.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMAND_NAMES, commandChannel } from '../../../src-shared/ipc/index.ts';
import { openTestStore } from '../store/helpers.ts';
import { fakeOsElectron } from './support/fake-electron.ts';

type Handler = (...args: unknown[]) => unknown;

function fakeElectron(opts: {
  lock: boolean;
  userData: string;
  beforeReady?: (emit: (name: string, ...args: unknown[]) => void) => void;
}) {
  const appListeners = new Map<string, Handler[]>();
  const emitApp = (name: string, ...args: unknown[]) => {
    for (const fn of appListeners.get(name) ?? []) fn(...args);
  };
  const ipcHandlers = new Map<string, Handler>();
  const windows: Array<{
    options: Record<string, unknown>;
    webContents: Record<string, unknown>;
    window: FakeBrowserWindow;
  }> = [];
  const os = fakeOsElectron();
  const mainFrame = { url: 'app://softphone/index.html' };
  const electron = {
    app: {
      requestSingleInstanceLock: vi.fn(() => opts.lock),
      quit: vi.fn(),
      exit: vi.fn(),
      whenReady: vi.fn(() => {
        opts.beforeReady?.(emitApp);
        return Promise.resolve();
      }),
      getPath: vi.fn(() => opts.userData),
      getName: () => 'Softphone',
      on: vi.fn((name: string, fn: Handler) =>
        appListeners.set(name, [...(appListeners.get(name) ?? []), fn]),
      ),
      isPackaged: false,
      setAsDefaultProtocolClient: vi.fn(() => true),
      setLoginItemSettings: vi.fn(),
      getLoginItemSettings: vi.fn(() => ({ openAtLogin: false, wasOpenedAtLogin: false })),
      setBadgeCount: os.electron.app.setBadgeCount,
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
    },
    Tray: os.electron.Tray,
    nativeImage: os.electron.nativeImage,
    Notification: os.electron.Notification,
    globalShortcut: os.electron.globalShortcut,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    safeStorage: {
      isEncryptionAvailable: vi.fn(() => true),
      getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
      encryptString: vi.fn((s: string) => Buffer.from(s)),
      decryptString: vi.fn((b: Buffer) => b.toString()),
    },
    dialog: { showErrorBox: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    ipcMain: { handle: vi.fn((ch: string, fn: Handler) => ipcHandlers.set(ch, fn)), removeHandler: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t: unknown) => t) },
    BrowserWindow: vi.fn(function (this: FakeBrowserWindow, options: Record<string, unknown>) {
      const webContents = { mainFrame, send: vi.fn(), isDestroyed: () => false, getURL: () => mainFrame.url };
      const emitter = new EventEmitter();
      let visible = false;
      Object.assign(this, {
        webContents,
        emitter,
        on: (name: string, fn: Handler) => emitter.on(name, fn),
        once: (name: string, fn: Handler) => emitter.once(name, fn),
        removeListener: (name: string, fn: Handler) => emitter.removeListener(name, fn),
        isDestroyed: () => false,
        loadURL: vi.fn(() => Promise.resolve()),
        isMinimized: () => false,
        isVisible: () => visible,
        isMaximized: () => false,
        getNormalBounds: () => ({ x: 10, y: 20, width: 420, height: 720 }),
        restore: vi.fn(),
        maximize: vi.fn(),
        show: vi.fn(() => {
          visible = true;
          emitter.emit('show');
        }),
        hide: vi.fn(() => {
          visible = false;
          emitter.emit('hide');
        }),
        focus: vi.fn(),
        setOverlayIcon: vi.fn(),
      });
      windows.push({ options, webContents, window: this });
    }),
  };
  return { electron, appListeners, emitApp, ipcHandlers, windows, mainFrame, os };
}

interface FakeBrowserWindow {
  emitter: EventEmitter;
  show: ReturnType<typeof vi.fn>;
  hide: ReturnType<typeof vi.fn>;
  focus: ReturnType<typeof vi.fn>;
}

let dataDir: string;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('startApp', () => {
  it('quits when another instance holds the lock', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-electron-'));
    const f = fakeElectron({ lock: false, userData: dataDir });
    const { startApp } = await import('../../../src-main/electron/app.ts');
    const running = await startApp(f.electron as never, { rendererDir: '/r', preload: '/p.cjs' });
    expect(running).toBeNull();
    expect(f.electron.app.quit).toHaveBeenCalled();
    expect(f.electron.BrowserWindow).not.toHaveBeenCalled();
  });

  it('wires a locked-down window to the phone', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-electron-'));
    const f = fakeElectron({ lock: true, userData: dataDir });
    const { startApp } = await import('../../../src-main/electron/app.ts');
    const running = await startApp(f.electron as never, { rendererDir: '/r', preload: '/p.cjs' });
    expect(running).not.toBeNull();

    // the privileged scheme and its handler
    expect(f.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    expect(f.electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));

    // the window
    expect(f.windows).toHaveLength(1);
    const wp = f.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(wp).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/p.cjs',
    });

    // permissions
    const reqHandler = f.electron.session.defaultSession.setPermissionRequestHandler.mock
      .calls[0]![0] as Handler;
    const decide = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      reqHandler({ getURL: () => 'app://softphone/' }, permission, (g: boolean) => (granted = g), details);
      return granted;
    };
    expect(
      decide('media', { mediaTypes: ['audio'], requestingUrl: 'app://softphone/', isMainFrame: true }),
    ).toBe(true);
    expect(decide('media', { mediaTypes: ['video'], requestingUrl: 'app://softphone/' })).toBe(false);
    expect(decide('geolocation', { requestingUrl: 'app://softphone/' })).toBe(false);
    const checkHandler = f.electron.session.defaultSession.setPermissionCheckHandler.mock
      .calls[0]![0] as Handler;
    expect(checkHandler(null, 'media', 'https://evil.example')).toBe(false);

    // every web contents: no window.open, no foreign navigation, no webviews
    const created = f.appListeners.get('web-contents-created')![0]!;
    const contentsListeners = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    created(
      {},
      {
        setWindowOpenHandler: (h: Handler) => (openHandler = h),
        on: (n: string, h: Handler) => contentsListeners.set(n, h),
      },
    );
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const nav = { preventDefault: vi.fn() };
    contentsListeners.get('will-navigate')!(nav, 'https://example.com/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const ownNav = { preventDefault: vi.fn() };
    contentsListeners.get('will-navigate')!(ownNav, 'app://softphone/index.html');
    expect(ownNav.preventDefault).not.toHaveBeenCalled();
    const wv = { preventDefault: vi.fn() };
    contentsListeners.get('will-attach-webview')!(wv);
    expect(wv.preventDefault).toHaveBeenCalled();

    // one IPC handler per command, gated by the sender
    expect([...f.ipcHandlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
    const info = f.ipcHandlers.get(commandChannel('app.info'))!;
    const ours = { sender: f.windows[0]!.webContents, senderFrame: f.mainFrame };
    await expect(info(ours, {})).resolves.toMatchObject({ ok: true, value: { host: 'electron', dataDir } });
    const subFrame = {
      sender: f.windows[0]!.webContents,
      senderFrame: { url: 'app://softphone/index.html' },
    };
    await expect(info(subFrame, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const foreign = { sender: { mainFrame: f.mainFrame }, senderFrame: f.mainFrame };
    await expect(info(foreign, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    f.mainFrame.url = 'https://evil.example/';
    await expect(info(ours, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await running!.phone.close();
  });

  it('says why it cannot start when the data folder is in use, and exits 1 without a window', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-electron-'));
    const held = openTestStore(dataDir);
    try {
      const f = fakeElectron({ lock: true, userData: dataDir });
      const { startApp } = await import('../../../src-main/electron/app.ts');
      expect(await startApp(f.electron as never, { rendererDir: '/r', preload: '/p.cjs' })).toBeNull();
      expect(f.electron.dialog.showErrorBox).toHaveBeenCalledWith(
        'Softphone cannot start',
        expect.stringMatching(
          new RegExp(`^Another softphone \\(process ${process.pid}\\) is using the data folder `),
        ),
      );
      expect(f.electron.app.exit).toHaveBeenCalledWith(1);
      expect(f.electron.BrowserWindow).not.toHaveBeenCalled();
      expect(f.ipcHandlers.size).toBe(0);
    } finally {
      held.close();
    }
  });
});

describe('startApp: OS integration', () => {
  it('restores the window, takes dial links, hides to the tray on close and cleans up on quit', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-electron-'));
    // a link clicked while the app starts (macOS open-url before ready)
    const f = fakeElectron({
      lock: true,
      userData: dataDir,
      beforeReady: (emit) =>
        emit('open-url', { preventDefault: vi.fn() }, 'sip:alice@example.com?subject=hi'),
    });
    const { startApp } = await import('../../../src-main/electron/app.ts');
    const running = (await startApp(f.electron as never, { rendererDir: '/r', preload: '/p.cjs' }))!;
    const deliver = vi.spyOn(running.desktop, 'deliverDialLink');
    const win = f.windows[0]!.window;

    // window placed on the display (nothing saved yet: centred), not shown before ready-to-show
    expect(f.windows[0]!.options).toMatchObject({ x: 750, y: 160, width: 420, height: 720 });
    expect(win.show).not.toHaveBeenCalled();
    expect(f.os.trays[0]!.tooltip).toBe('Not registered');
    expect(f.electron.app.setAsDefaultProtocolClient).not.toHaveBeenCalled(); // development build

    // ready: shown, and the held link is delivered (once, normalised)
    win.emitter.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledTimes(2); // shown, then brought forward for the link
    expect(deliver.mock.calls).toEqual([['sip:alice@example.com', 'open-url']]);

    // a second instance forwards its argv: window forward, one dial request
    f.emitApp('second-instance', {}, ['/opt/Softphone/softphone', '--no-sandbox', 'tel:+1-555-0100'], '/');
    expect(deliver.mock.calls).toEqual([
      ['sip:alice@example.com', 'open-url'],
      ['+15550100', 'second-instance'],
    ]);
    expect(win.focus).toHaveBeenCalled();
    f.emitApp('second-instance', {}, ['/opt/Softphone/softphone'], '/');
    expect(deliver).toHaveBeenCalledTimes(2);

    // closing the window hides it to the tray
    const close = { preventDefault: vi.fn() };
    win.emitter.emit('close', close);
    expect(close.preventDefault).toHaveBeenCalled();
    expect(win.hide).toHaveBeenCalledTimes(1);
    expect(f.os.trays[0]!.labels[0]).toBe('Show window');

    // a shortcut set in the settings is registered
    await running.phone.handlers['settings.set']({ shortcuts: { showWindow: 'CommandOrControl+Shift+S' } });
    expect(f.os.shortcuts.has('CommandOrControl+Shift+S')).toBe(true);

    // quit: shortcuts, tray and window state are dealt with before the phone closes
    const quit = { preventDefault: vi.fn() };
    f.emitApp('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    expect(f.os.shortcuts.size).toBe(0);
    expect(f.os.trays[0]!.destroyed).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'window-state.json'), 'utf8'))).toEqual({
      version: 1,
      x: 10,
      y: 20,
      width: 420,
      height: 720,
      maximized: false,
    });
    await vi.waitFor(() => expect(f.electron.app.quit).toHaveBeenCalledTimes(1));
    const finalClose = { preventDefault: vi.fn() };
    win.emitter.emit('close', finalClose);
    expect(finalClose.preventDefault).not.toHaveBeenCalled();
    f.emitApp('before-quit', { preventDefault: vi.fn() }); // the second pass lets the quit go on
    expect(existsSync(path.join(dataDir, 'window-state.json.tmp'))).toBe(false);
  });
});

describe('preload', () => {
  it('exposes exactly the contract on window.softphone', async () => {
    const exposed: Record<string, unknown> = {};
    const invoke = vi.fn(() => Promise.resolve({ ok: true, value: 1 }));
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
    }));
    await import('../../../src-main/electron/preload.ts');
    const api = exposed.softphone as { commands: Record<string, Handler>; on: Handler; host: string };
    expect(Object.keys(exposed)).toEqual(['softphone']);
    expect(api.host).toBe('electron');
    expect(Object.keys(api.commands).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.isFrozen(api.commands)).toBe(true);
    await api.commands['app.info']!({});
    expect(invoke).toHaveBeenCalledWith('cmd:app.info', {});
    expect(() => api.on('not.an.event', () => {})).toThrow(/unknown event/);
    expect(typeof api.on('app.log', () => {})).toBe('function');
    expect('invoke' in api || 'send' in api || 'ipcRenderer' in api).toBe(false);
    vi.doUnmock('electron');
  });
});
