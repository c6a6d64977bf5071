/**
 * The screens, in navigation order. The nav bar, the routes and the window title all come from this one
 * list, so a new screen is one entry here plus its feature folder.
 */
import type { Component } from 'vue';
import type { IconName } from '../ui/index.ts';
import { PhoneView } from '../features/phone/index.ts';
import { ContactsView } from '../features/contacts/index.ts';
import { HistoryView } from '../features/history/index.ts';
import { DiagnosticsView } from '../features/diagnostics/index.ts';
import { SettingsView } from '../features/settings/index.ts';

export interface Screen {
  readonly name: 'phone' | 'contacts' | 'history' | 'diagnostics' | 'settings';
  readonly path: string;
  readonly icon: IconName;
  /** Message key of the screen's name (nav label, heading, window title). */
  readonly label: `nav.${Screen['name']}`;
  readonly component: Component;
}

export const SCREENS: readonly Screen[] = [
  { name: 'phone', path: '/', icon: 'phone', label: 'nav.phone', component: PhoneView },
  { name: 'contacts', path: '/contacts', icon: 'contacts', label: 'nav.contacts', component: ContactsView },
  { name: 'history', path: '/history', icon: 'history', label: 'nav.history', component: HistoryView },
  {
    name: 'diagnostics',
    path: '/diagnostics',
    icon: 'diagnostics',
    label: 'nav.diagnostics',
    component: DiagnosticsView,
  },
  { name: 'settings', path: '/settings', icon: 'settings', label: 'nav.settings', component: SettingsView },
];

export type ScreenName = Screen['name'];

export function screenByName(name: unknown): Screen | undefined {
  return SCREENS.find((s) => s.name === name);
}
