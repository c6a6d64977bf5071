import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { resolveColorScheme, useDocumentTheme, type Theme } from '../../../src-renderer/src/theme/index.ts';

/** A `matchMedia` whose dark-mode answer the test flips, counting its listeners. */
function fakeMedia(initiallyDark: boolean) {
  let dark = initiallyDark;
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  const list = {
    get matches() {
      return dark;
    },
    addEventListener: (_type: string, l: (e: MediaQueryListEvent) => void) => listeners.add(l),
    removeEventListener: (_type: string, l: (e: MediaQueryListEvent) => void) => listeners.delete(l),
  };
  return {
    win: {
      matchMedia: (query: string) => (query === '(prefers-color-scheme: dark)' ? list : null),
    } as unknown as Pick<Window, 'matchMedia'>,
    setDark(value: boolean) {
      dark = value;
      for (const l of [...listeners]) l({ matches: value } as MediaQueryListEvent);
    },
    listenerCount: () => listeners.size,
  };
}

describe('resolveColorScheme', () => {
  it.each([
    ['system', false, 'light'],
    ['system', true, 'dark'],
    ['light', true, 'light'],
    ['light', false, 'light'],
    ['dark', false, 'dark'],
    ['dark', true, 'dark'],
  ] as const)('%s with OS dark=%s → %s', (theme, dark, expected) => {
    expect(resolveColorScheme(theme, dark)).toBe(expected);
  });
});

describe('useDocumentTheme', () => {
  it('applies the setting to data-theme, follows the OS while system, and releases its listener', async () => {
    const media = fakeMedia(false);
    const root = document.createElement('html');
    const theme = ref<Theme>('system');
    const scope = effectScope();
    scope.run(() => useDocumentTheme(() => theme.value, root, media.win));
    expect(root.dataset.theme).toBe('light');

    media.setDark(true);
    await nextTick();
    expect(root.dataset.theme).toBe('dark');

    theme.value = 'light';
    await nextTick();
    expect(root.dataset.theme).toBe('light');

    media.setDark(false);
    theme.value = 'dark';
    await nextTick();
    expect(root.dataset.theme).toBe('dark');

    expect(media.listenerCount()).toBe(1);
    scope.stop();
    expect(media.listenerCount()).toBe(0);
  });
});
