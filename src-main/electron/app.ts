/**
 * The Electron main process: one window onto the phone. Everything that is policy (window options, CSP,
 * permissions, navigation, sender checks, protocol paths) lives in small modules with unit tests; this file
 * only wires them to Electron's objects.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as ElectronModule from 'electron';
import { createNodePhone, type Phone } from '../phone/index.ts';
import { bindPhoneIpc } from './ipc.ts';
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
}

export async function startApp(electron: Electron, paths: AppPaths): Promise<RunningApp | null> {
  const { app, BrowserWindow, Menu, ipcMain, session } = electron;
  const devServerUrl = process.env.ELECTRON_RENDERER_URL;

  // One phone per user: a second instance hands its arguments (e.g. a sip: link) to the first and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

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
        { permission, requestingUrl: media.requestingUrl ?? contents.getURL(), mediaTypes: media.mediaTypes, isMainFrame: media.isMainFrame },
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

  const phone = createNodePhone({
    host: 'electron',
    dataDir: app.getPath('userData'),
    versions: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
  });

  const window = new BrowserWindow(mainWindowOptions(paths.preload));
  bindPhoneIpc(ipcMain, phone, { trustedContents: () => (window.isDestroyed() ? undefined : window.webContents), devServerUrl });
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, appName: app.getName() })));
  window.once('ready-to-show', () => window.show());

  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void phone.close().finally(() => app.quit());
  });

  await window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return { phone, window };
}

/** Where electron-vite puts things, relative to the bundled main script (out/main). */
export function defaultAppPaths(mainDir: string): AppPaths {
  return {
    rendererDir: path.join(mainDir, '../renderer'),
    preload: path.join(mainDir, '../preload/preload.cjs'),
  };
}
