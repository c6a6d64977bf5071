/**
 * Where the app keeps its data (database, logs, settings): the per-user application-data folder of the
 * OS, the same folder Electron calls `userData`.
 *
 *   Linux and other Unixes  $XDG_CONFIG_HOME/<app>, else ~/.config/<app>   (XDG Base Directory spec:
 *                           "If $XDG_CONFIG_HOME is either not set or empty, a default equal to
 *                           $HOME/.config should be used"; a relative value is invalid and ignored)
 *   macOS                   ~/Library/Application Support/<app>
 *   Windows                 %APPDATA%\<app>, else <home>\AppData\Roaming\<app>
 */
import { homedir } from 'node:os';
import path from 'node:path';

export interface DataDirEnvironment {
  /** `process.platform`: 'linux', 'darwin', 'win32', 'freebsd', … */
  platform: string;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

/** The data folder for `appName` in the given environment (pure). */
export function dataDirFor(appName: string, environment: DataDirEnvironment): string {
  if (appName === '' || /[/\\]/.test(appName)) throw new Error(`invalid application name "${appName}"`);
  const { platform, env, homedir: home } = environment;
  switch (platform) {
    case 'win32': {
      const appData = env.APPDATA;
      return appData !== undefined && path.win32.isAbsolute(appData)
        ? path.win32.join(appData, appName)
        : path.win32.join(home, 'AppData', 'Roaming', appName);
    }
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', appName);
    default: {
      const xdg = env.XDG_CONFIG_HOME;
      return xdg !== undefined && path.posix.isAbsolute(xdg)
        ? path.posix.join(xdg, appName)
        : path.posix.join(home, '.config', appName);
    }
  }
}

/** The data folder for `appName` on this machine, for this user. */
export function defaultDataDir(appName: string): string {
  return dataDirFor(appName, { platform: process.platform, env: process.env, homedir: homedir() });
}
