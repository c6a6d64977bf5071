/**
 * The screens. The nav bar, the routes and the window title all come from this one list, so a new
 * screen is one entry here plus its feature folder. Screens outside the nav (`nav: false`) belong to
 * one that is in it (`section`): its nav entry shows as current while they are open — Accounts and the
 * account setup under Settings, the SIP log under Diagnostics.
 */
import type { Component } from 'vue';
import type { IconName } from '../ui/index.ts';
import type { MessageKey } from '../i18n/index.ts';
import { PhoneView } from '../features/phone/index.ts';
import { ContactsView } from '../features/contacts/index.ts';
import { HistoryView } from '../features/history/index.ts';
import { DiagnosticsView } from '../features/diagnostics/index.ts';
import { SettingsView } from '../features/settings/index.ts';
import { AccountsView } from '../features/accounts/index.ts';
import { OnboardingView } from '../features/onboarding/index.ts';
import { SipLogView } from '../features/siplog/index.ts';

export type NavScreenName = 'phone' | 'contacts' | 'history' | 'diagnostics' | 'settings';
export type ScreenName = NavScreenName | 'accounts' | 'account-new' | 'account-edit' | 'siplog';

export interface Screen {
  readonly name: ScreenName;
  readonly path: string;
  readonly icon: IconName;
  /** Message key of the screen's name (nav label, heading, window title). */
  readonly label: MessageKey;
  readonly component: Component;
  /** Shown in the main navigation. */
  readonly nav: boolean;
  /** The nav entry that is current while this screen shows. */
  readonly section: NavScreenName;
}

export const SCREENS: readonly Screen[] = [
  {
    name: 'phone',
    path: '/',
    icon: 'phone',
    label: 'nav.phone',
    component: PhoneView,
    nav: true,
    section: 'phone',
  },
  {
    name: 'contacts',
    path: '/contacts',
    icon: 'contacts',
    label: 'nav.contacts',
    component: ContactsView,
    nav: true,
    section: 'contacts',
  },
  {
    name: 'history',
    path: '/history',
    icon: 'history',
    label: 'nav.history',
    component: HistoryView,
    nav: true,
    section: 'history',
  },
  {
    name: 'diagnostics',
    path: '/diagnostics',
    icon: 'diagnostics',
    label: 'nav.diagnostics',
    component: DiagnosticsView,
    nav: true,
    section: 'diagnostics',
  },
  {
    name: 'settings',
    path: '/settings',
    icon: 'settings',
    label: 'nav.settings',
    component: SettingsView,
    nav: true,
    section: 'settings',
  },
  {
    name: 'accounts',
    path: '/accounts',
    icon: 'account',
    label: 'accounts.title',
    component: AccountsView,
    nav: false,
    section: 'settings',
  },
  {
    name: 'account-new',
    path: '/accounts/new',
    icon: 'account',
    label: 'onboarding.addTitle',
    component: OnboardingView,
    nav: false,
    section: 'settings',
  },
  {
    name: 'account-edit',
    path: '/accounts/:id/edit',
    icon: 'account',
    label: 'onboarding.editTitle',
    component: OnboardingView,
    nav: false,
    section: 'settings',
  },
  {
    name: 'siplog',
    path: '/diagnostics/sip',
    icon: 'sipLog',
    label: 'siplog.title',
    component: SipLogView,
    nav: false,
    section: 'diagnostics',
  },
];

export const NAV_SCREENS: readonly Screen[] = SCREENS.filter((s) => s.nav);

export function screenByName(name: unknown): Screen | undefined {
  return SCREENS.find((s) => s.name === name);
}
