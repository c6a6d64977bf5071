/**
 * The Electron main process: one window onto the phone. Everything that is policy (window options, CSP,
 * permissions, navigation, sender checks, protocol paths) lives in small modules with unit tests; this file
 * only wires them to Electron's objects.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as ElectronModule from 'electron';
import { createNodePhone, PhoneStartError, type Phone } from '../phone/index.ts';
import { SafeStorageCipher } from './safe-storage-cipher.ts';
import { NodeClock } from '../platform/index.ts';
import { DesktopIntegration } from './desktop-integration.ts';
import { createDesktopPhoneAdapter } from './desktop-phone.ts';
import { DialLinkInbox, registerAsDialLinkHandler } from './dial-link-inbox.ts';
import { bindPhoneIpc } from './ipc.ts';
import { createRendererAudioDevices, useRendererAudio } from './audio-channel.ts';
import type { RendererAudioDeviceProvider } from '../media/bridge/index.ts';
import { autostartFileAt, linuxAutostartPath, LoginItemSync, shouldStartHidden } from './login-item.ts';
import { restoredBounds, textFileAt, WINDOW_STATE_FILE, WindowStateKeeper } from './window-state.ts';
import { mimeType, resolveAppPath } from './app-protocol.ts';
import { buildMenuTemplate } from './menu.ts';
import {
  APP_ORIGIN,
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  isNavigationAllowed,
  isPermissionCheckAllowed,
  isPermissionGranted,
} from './security.ts';
import { mainWindowOptions } from './window.ts';

export interface AppPaths {
  /** Folder with the built renderer (index.html). */
  rendererDir: string;
  /** The bundled preload script. */
  preload: string;
}

type Electron = typeof ElectronModule;

/** Must run before `app.whenReady()`: our scheme behaves like https (secure, standard, fetch-able). */
export function registerAppScheme(electron: Electron): void {
  electron.protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

export interface RunningApp {
  phone: Phone;
  window: ElectronModule.BrowserWindow;
  desktop: DesktopIntegration;
  /** Calls' audio devices: the window's microphone and speaker (electron/audio-channel.ts). */
  audioDevices: RendererAudioDeviceProvider;
}

export async function startApp(electron: Electron, paths: AppPaths): Promise<RunningApp | null> {
  const { app, BrowserWindow, Menu, ipcMain, session, screen } = electron;
  const devServerUrl = process.env.ELECTRON_RENDERER_URL;

  // One phone per user: a second instance hands its arguments (e.g. a sip: link) to the first and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  // Dial links: macOS sends `open-url` (possibly before ready); elsewhere the link is in our argv or in
  // the argv a second instance forwards. They wait in the inbox until the window can take them.
  const links = new DialLinkInbox();
  app.on('open-url', (event, url) => {
    event.preventDefault();
    links.receive(url, 'open-url');
  });
  links.receiveArgv(process.argv, 'argv');

  registerAppScheme(electron);
  await app.whenReady();

  electron.protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(paths.rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: { 'content-type': mimeType(file), 'content-security-policy': CONTENT_SECURITY_POLICY },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const media = details as { mediaTypes?: string[]; requestingUrl?: string; isMainFrame?: boolean };
    callback(
      isPermissionGranted(
        {
          permission,
          requestingUrl: media.requestingUrl ?? contents.getURL(),
          mediaTypes: media.mediaTypes,
          isMainFrame: media.isMainFrame,
        },
        devServerUrl,
      ),
    );
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionCheckAllowed(permission, requestingOrigin, devServerUrl),
  );

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isNavigationAllowed(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isNavigationAllowed(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  // Call audio goes to our window only; the window is looked up per call (it is created after the phone).
  const audioWindow: { current?: ElectronModule.BrowserWindow } = {};
  const audioDevices = createRendererAudioDevices({
    createChannel: () => new electron.MessageChannelMain(),
    trustedContents: () => {
      const target = audioWindow.current;
      return target && !target.isDestroyed() ? target.webContents : undefined;
    },
    ...(devServerUrl ? { devServerUrl } : {}),
    warn: (message) => phone.log.write('warn', 'audio', message),
  });

  let phone: Phone;
  try {
    phone = createNodePhone({
      host: 'electron',
      dataDir: app.getPath('userData'),
      cipher: new SafeStorageCipher(electron.safeStorage),
      versions: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
    });
  } catch (error) {
    if (!(error instanceof PhoneStartError)) throw error;
    electron.dialog.showErrorBox(`${app.getName()} cannot start`, error.message);
    app.exit(1);
    return null;
  }

  useRendererAudio(phone, audioDevices);
  const desktopPhone = createDesktopPhoneAdapter(phone);
  const settings = await desktopPhone.settings();
  registerAsDialLinkHandler(app, (m) => desktopPhone.log.warn(m));

  const windowState = new WindowStateKeeper({
    clock: new NodeClock(),
    file: textFileAt(path.join(app.getPath('userData'), WINDOW_STATE_FILE)),
    onError: (error) => desktopPhone.log.warn(`could not save the window state: ${error.message}`),
  });
  const bounds = restoredBounds(windowState.read(), screen.getAllDisplays(), screen.getPrimaryDisplay());
  const window = new BrowserWindow(mainWindowOptions(paths.preload, bounds));
  audioWindow.current = window;
  windowState.track(window);
  bindPhoneIpc(ipcMain, phone, {
    trustedContents: () => (window.isDestroyed() ? undefined : window.webContents),
    devServerUrl,
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, appName: app.getName() })),
  );

  // maximize() shows the window, so a remembered maximized state is applied when it is first shown
  let maximizeOnFirstShow = bounds.maximized === true;
  const presentWindow = () => {
    if (window.isDestroyed()) return;
    if (maximizeOnFirstShow) {
      maximizeOnFirstShow = false;
      window.maximize();
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const desktop = new DesktopIntegration({
    electron,
    window,
    phone: desktopPhone,
    platform: process.platform,
    settings,
    loginItems: new LoginItemSync(
      {
        platform: process.platform,
        packaged: app.isPackaged,
        executable: process.env.APPIMAGE ?? process.execPath,
        appName: app.getName(),
        setLoginItemSettings: (s) => app.setLoginItemSettings(s),
        autostart: autostartFileAt(
          linuxAutostartPath(process.env, os.homedir(), autostartName(app.getName())),
        ),
      },
      desktopPhone.log,
    ),
    presentWindow,
    quit: () => app.quit(),
  });

  const startHidden = shouldStartHidden({
    argv: process.argv,
    startMinimized: settings.app.startMinimized,
    openedAtLogin: process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
  });
  window.once('ready-to-show', () => {
    if (!startHidden) presentWindow();
    links.open({
      deliver: (target, source) => desktop.deliverDialLink(target, source),
      warn: (m) => desktopPhone.log.warn(m),
    });
    // macOS: a click on the dock icon brings the window back. Listened to only from here on, because the
    // first launch fires `activate` too, which would defeat starting hidden.
    app.on('activate', presentWindow);
  });

  app.on('second-instance', (_event, argv) => {
    presentWindow();
    links.receiveArgv(argv, 'second-instance');
  });

  // Closing the window hides it to the tray: the phone keeps taking calls. Quitting is explicit.
  let windowMayClose = false;
  window.on('close', (event) => {
    if (windowMayClose) return;
    event.preventDefault();
    window.hide();
  });
  window.on('session-end', () => (windowMayClose = true)); // Windows logoff or shutdown
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    windowMayClose = true;
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    windowState.flush();
    windowState.dispose();
    links.close();
    desktop.dispose();
    void phone.close().finally(() => {
      audioDevices.close();
      app.quit();
    });
  });

  await window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return { phone, window, desktop, audioDevices };
}

/** `Softphone` → `softphone` (the autostart entry's file name). */
function autostartName(appName: string): string {
  return appName.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'softphone';
}

/** Where electron-vite puts things, relative to the bundled main script (out/main). */
export function defaultAppPaths(mainDir: string): AppPaths {
  return {
    rendererDir: path.join(mainDir, '../renderer'),
    preload: path.join(mainDir, '../preload/preload.cjs'),
  };
}
