/**
 * Start at login and start hidden, from `settings.app.startAtLogin` / `startMinimized`.
 *
 * - Windows and macOS: `app.setLoginItemSettings({ openAtLogin, args: ['--hidden'] })` (the args are
 *   Windows-only; macOS tells us `wasOpenedAtLogin` instead).
 * - Linux: Electron has no login items there, so we write (or remove) an XDG autostart entry,
 *   `$XDG_CONFIG_HOME/autostart/<name>.desktop` (Desktop Application Autostart Specification).
 * Only packaged builds touch any of this: in development the executable is the bare Electron binary.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HIDDEN_ARG = '--hidden';

export interface LoginItemRequest {
  openAtLogin: boolean;
  args: string[];
}

export function loginItemSettings(startAtLogin: boolean): LoginItemRequest {
  // The same args on removal: Windows finds the entry to remove by executable and args.
  return { openAtLogin: startAtLogin, args: [HIDDEN_ARG] };
}

/** Start to the tray instead of showing the window? */
export function shouldStartHidden(input: {
  argv: readonly string[];
  startMinimized: boolean;
  openedAtLogin: boolean;
}): boolean {
  return input.startMinimized || input.openedAtLogin || input.argv.slice(1).includes(HIDDEN_ARG);
}

export function linuxAutostartPath(
  env: { XDG_CONFIG_HOME?: string | undefined },
  home: string,
  fileName: string,
): string {
  const configHome =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(home, '.config');
  return path.join(configHome, 'autostart', `${fileName}.desktop`);
}

/**
 * One argument of an Exec key (Desktop Entry Specification, "The Exec key"): quoted, with `"`, `` ` ``,
 * `$` and `\` backslash-escaped inside the quotes; then the string-value escaping (a backslash is written
 * `\\`) is applied on top, and `%` becomes `%%` so it is not read as a field code.
 */
export function desktopExecArg(arg: string): string {
  const quoted = `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function linuxAutostartEntry(opts: { name: string; executable: string }): string {
  if (/[\p{Cc}\p{Cf}]/u.test(opts.executable))
    throw new RangeError('executable path contains control characters');
  const name = opts.name.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim() || 'Softphone';
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    `Exec=${desktopExecArg(opts.executable)} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface AutostartFile {
  write(text: string): void;
  remove(): void;
}

/** The autostart entry on disk (written atomically). */
export function autostartFileAt(file: string): AutostartFile {
  return {
    write(text) {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, text, { mode: 0o644 });
      renameSync(tmp, file);
    },
    remove() {
      rmSync(file, { force: true });
    },
  };
}

export interface LoginItemHost {
  platform: string;
  packaged: boolean;
  /** The program to start at login (Linux; on AppImage the .AppImage file, not the mounted binary). */
  executable: string;
  appName: string;
  setLoginItemSettings(settings: LoginItemRequest): void;
  autostart: AutostartFile;
}

export interface LoginItemLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Keeps the OS's "open at login" in line with the setting; applies only changes. */
export class LoginItemSync {
  private readonly host: LoginItemHost;
  private readonly log: LoginItemLog;
  private applied: boolean | undefined;

  constructor(host: LoginItemHost, log: LoginItemLog) {
    this.host = host;
    this.log = log;
  }

  apply(startAtLogin: boolean): void {
    if (this.applied === startAtLogin) return;
    this.applied = startAtLogin;
    if (!this.host.packaged) {
      this.log.info(`start at login ${startAtLogin ? 'on' : 'off'}: not applied in a development build`);
      return;
    }
    try {
      switch (this.host.platform) {
        case 'darwin':
        case 'win32':
          this.host.setLoginItemSettings(loginItemSettings(startAtLogin));
          break;
        case 'linux':
          if (startAtLogin)
            this.host.autostart.write(
              linuxAutostartEntry({ name: this.host.appName, executable: this.host.executable }),
            );
          else this.host.autostart.remove();
          break;
        default:
          this.log.warn(`start at login is not supported on ${this.host.platform}`);
          return;
      }
      this.log.info(`start at login ${startAtLogin ? 'on' : 'off'}`);
    } catch (error) {
      this.applied = undefined; // try again on the next change
      this.log.warn(`could not change start at login: ${(error as Error).message}`);
    }
  }
}
