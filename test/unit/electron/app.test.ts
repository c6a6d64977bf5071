/**
 * The Electron main process against a mocked `electron` module (the binary cannot run here): asserts the
 * security wiring — single-instance lock, privileged app scheme, permission handlers, navigation and
 * window.open denial, webview refusal, one IPC handler per command, and the sender check.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMAND_NAMES, commandChannel } from '../../../src-shared/ipc/index.ts';

type Handler = (...args: unknown[]) => unknown;

function fakeElectron(opts: { lock: boolean; userData: string }) {
  const appListeners = new Map<string, Handler[]>();
  const ipcHandlers = new Map<string, Handler>();
  const windows: Array<{ options: Record<string, unknown>; webContents: Record<string, unknown> }> = [];
  const mainFrame = { url: 'app://softphone/index.html' };
  const electron = {
    app: {
      requestSingleInstanceLock: vi.fn(() => opts.lock),
      quit: vi.fn(),
      exit: vi.fn(),
      whenReady: vi.fn(() => Promise.resolve()),
      getPath: vi.fn(() => opts.userData),
      getName: () => 'Softphone',
      on: vi.fn((name: string, fn: Handler) => appListeners.set(name, [...(appListeners.get(name) ?? []), fn])),
    },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    ipcMain: { handle: vi.fn((ch: string, fn: Handler) => ipcHandlers.set(ch, fn)), removeHandler: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t: unknown) => t) },
    BrowserWindow: vi.fn(function (this: Record<string, unknown>, options: Record<string, unknown>) {
      const webContents = { mainFrame, send: vi.fn(), isDestroyed: () => false, getURL: () => mainFrame.url };
      Object.assign(this, {
        webContents,
        isDestroyed: () => false,
        once: vi.fn(),
        loadURL: vi.fn(() => Promise.resolve()),
        isMinimized: () => false,
        restore: vi.fn(),
        show: vi.fn(),
        focus: vi.fn(),
      });
      windows.push({ options, webContents });
    }),
  };
  return { electron, appListeners, ipcHandlers, windows, mainFrame };
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
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(f.electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));

    // the window
    expect(f.windows).toHaveLength(1);
    const wp = f.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(wp).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, preload: '/p.cjs' });

    // permissions
    const reqHandler = f.electron.session.defaultSession.setPermissionRequestHandler.mock.calls[0]![0] as Handler;
    const decide = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      reqHandler({ getURL: () => 'app://softphone/' }, permission, (g: boolean) => (granted = g), details);
      return granted;
    };
    expect(decide('media', { mediaTypes: ['audio'], requestingUrl: 'app://softphone/', isMainFrame: true })).toBe(true);
    expect(decide('media', { mediaTypes: ['video'], requestingUrl: 'app://softphone/' })).toBe(false);
    expect(decide('geolocation', { requestingUrl: 'app://softphone/' })).toBe(false);
    const checkHandler = f.electron.session.defaultSession.setPermissionCheckHandler.mock.calls[0]![0] as Handler;
    expect(checkHandler(null, 'media', 'https://evil.example')).toBe(false);

    // every web contents: no window.open, no foreign navigation, no webviews
    const created = f.appListeners.get('web-contents-created')![0]!;
    const contentsListeners = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    created({}, { setWindowOpenHandler: (h: Handler) => (openHandler = h), on: (n: string, h: Handler) => contentsListeners.set(n, h) });
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
    const subFrame = { sender: f.windows[0]!.webContents, senderFrame: { url: 'app://softphone/index.html' } };
    await expect(info(subFrame, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const foreign = { sender: { mainFrame: f.mainFrame }, senderFrame: f.mainFrame };
    await expect(info(foreign, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    f.mainFrame.url = 'https://evil.example/';
    await expect(info(ours, {})).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await running!.phone.close();
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
