/**
 * What the tray shows, as pure functions of the accounts' registration states, the missed-call count and
 * the window: the icon status, the tooltip and the context menu template.
 *
 * One account: the tooltip is one line ("Registered as 1000@lab.test", "Not registered",
 * "Registration failed: 403 Forbidden"). Several: one line per account, prefixed with its label. The
 * icon shows the state that needs attention first: failed > connecting > registered > offline.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { assertNever } from '../../src-shared/util/emitter.ts';
import type { DesktopAccount, RegistrationState } from './desktop-phone.ts';
import type { TrayIconStatus } from './tray-icon.ts';

/** Windows truncates tray tooltips at 127 characters (NOTIFYICONDATA.szTip is 128 WCHARs). */
export const TOOLTIP_MAX = 127;
/** Account lines in the menu before "… and N more". */
export const MENU_ACCOUNTS_MAX = 8;

export function iconStatusOf(state: RegistrationState): TrayIconStatus {
  switch (state) {
    case 'registered':
      return 'registered';
    case 'registering':
    case 'unregistering':
      return 'connecting';
    case 'unregistered':
      return 'offline';
    case 'failed':
      return 'failed';
    default:
      return assertNever(state, 'registration state');
  }
}

const ATTENTION: readonly TrayIconStatus[] = ['failed', 'connecting', 'registered', 'offline'];

export function trayIconStatus(accounts: readonly DesktopAccount[]): TrayIconStatus {
  const present = new Set(accounts.map((a) => iconStatusOf(a.registration.state)));
  return ATTENTION.find((s) => present.has(s)) ?? 'offline';
}

/** `sip:1000@lab.test` → `1000@lab.test`; control and format characters removed. */
export function aorLabel(aor: string): string {
  return plain(aor.replace(/^sips?:/i, ''));
}

function plain(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One account's state, in the words of the tooltip. */
export function registrationText(account: DesktopAccount): string {
  const who = aorLabel(account.aor);
  const { state, reason } = account.registration;
  switch (state) {
    case 'registered':
      return `Registered as ${who}`;
    case 'registering':
      return `Registering ${who}…`;
    case 'unregistering':
      return `Unregistering ${who}…`;
    case 'unregistered':
      return 'Not registered';
    case 'failed':
      return reason ? `Registration failed: ${reason}` : 'Registration failed';
    default:
      return assertNever(state, 'registration state');
  }
}

export function missedCallsText(count: number): string | null {
  if (count <= 0) return null;
  return count === 1 ? '1 missed call' : `${count} missed calls`;
}

export function trayTooltip(
  accounts: readonly DesktopAccount[],
  missedCalls: number,
  doNotDisturb: boolean,
): string {
  const lines =
    accounts.length === 0
      ? ['Not registered']
      : accounts.length === 1
        ? [registrationText(accounts[0]!)]
        : accounts.map((a) => `${plain(a.label)}: ${registrationText(a)}`);
  const missed = missedCallsText(missedCalls);
  if (missed) lines.push(missed);
  if (doNotDisturb) lines.push('Do not disturb');
  const text = lines.join('\n');
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

/** The disabled status line of one account in the tray menu. */
export function accountMenuLine(account: DesktopAccount): string {
  const name = `${plain(account.label)} (${aorLabel(account.aor)})`;
  const { state, reason } = account.registration;
  switch (state) {
    case 'registered':
      return `${name}: registered`;
    case 'registering':
      return `${name}: registering…`;
    case 'unregistering':
      return `${name}: unregistering…`;
    case 'unregistered':
      return `${name}: not registered`;
    case 'failed':
      return reason ? `${name}: failed — ${reason}` : `${name}: failed`;
    default:
      return assertNever(state, 'registration state');
  }
}

export interface TrayMenuState {
  accounts: readonly DesktopAccount[];
  missedCalls: number;
  windowVisible: boolean;
  doNotDisturb: boolean;
  platform: string;
}

export interface TrayMenuActions {
  toggleWindow(): void;
  openHistory(): void;
  setDoNotDisturb(on: boolean): void;
  quit(): void;
}

export function trayMenuTemplate(
  state: TrayMenuState,
  actions: TrayMenuActions,
): MenuItemConstructorOptions[] {
  // Windows and Linux read "&" in a label as a mnemonic marker; user-chosen labels must show it as typed.
  const label = (text: string) => (state.platform === 'darwin' ? text : text.replaceAll('&', '&&'));
  const shown = state.accounts.slice(0, MENU_ACCOUNTS_MAX);
  const accountItems: MenuItemConstructorOptions[] =
    state.accounts.length === 0
      ? [{ label: 'No accounts', enabled: false }]
      : shown.map((a) => ({ label: label(accountMenuLine(a)), enabled: false }));
  if (state.accounts.length > shown.length) {
    accountItems.push({ label: `… and ${state.accounts.length - shown.length} more`, enabled: false });
  }
  const missed = missedCallsText(state.missedCalls);
  return [
    { label: state.windowVisible ? 'Hide window' : 'Show window', click: () => actions.toggleWindow() },
    { type: 'separator' },
    ...accountItems,
    ...(missed
      ? [{ type: 'separator' } as const, { label: missed, click: () => actions.openHistory() }]
      : []),
    { type: 'separator' },
    {
      label: 'Do not disturb',
      type: 'checkbox',
      checked: state.doNotDisturb,
      click: () => actions.setDoNotDisturb(!state.doNotDisturb),
    },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}
