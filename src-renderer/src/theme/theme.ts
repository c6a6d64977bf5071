/**
 * Light or dark: the `theme` setting forces one, `system` follows the OS (`prefers-color-scheme`). The
 * resolved scheme goes on `<html data-theme>`, and the style sheets pick their custom properties from it.
 */
import { onScopeDispose, ref, watchEffect, type Ref } from 'vue';
import type { Theme } from '../../../src-shared/model/settings.ts';

export type { Theme };
export type ColorScheme = 'light' | 'dark';

export const THEMES = ['system', 'light', 'dark'] as const satisfies readonly Theme[];

export function resolveColorScheme(theme: Theme, systemPrefersDark: boolean): ColorScheme {
  if (theme === 'system') return systemPrefersDark ? 'dark' : 'light';
  return theme;
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** Whether the OS is in dark mode, kept current; the listener goes when the calling scope ends. */
export function useSystemPrefersDark(win: Pick<Window, 'matchMedia'> = window): Ref<boolean> {
  const query = win.matchMedia(DARK_QUERY);
  const prefersDark = ref(query.matches);
  const onChange = (event: MediaQueryListEvent): void => {
    prefersDark.value = event.matches;
  };
  query.addEventListener('change', onChange);
  onScopeDispose(() => query.removeEventListener('change', onChange));
  return prefersDark;
}

/** Applies the theme `source` answers to `<html data-theme>`, following the OS while it is `system`. */
export function useDocumentTheme(
  source: () => Theme,
  root: HTMLElement = document.documentElement,
  win: Pick<Window, 'matchMedia'> = window,
): void {
  const systemPrefersDark = useSystemPrefersDark(win);
  watchEffect(() => {
    root.dataset.theme = resolveColorScheme(source(), systemPrefersDark.value);
  });
}
