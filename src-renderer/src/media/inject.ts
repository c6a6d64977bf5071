/** The browser audio reaches components through Vue's injection, so component tests can use a fake. */
import { inject, type App, type InjectionKey } from 'vue';
import { createBrowserAudio, type BrowserAudio } from './browser-audio.ts';

export const BROWSER_AUDIO: InjectionKey<BrowserAudio> = Symbol('BrowserAudio');

export function provideBrowserAudio(app: App, audio: BrowserAudio): void {
  app.provide(BROWSER_AUDIO, audio);
}

let windowAudio: BrowserAudio | undefined;

/** The provided audio, or this window's real one. */
export function useBrowserAudio(): BrowserAudio {
  return inject(BROWSER_AUDIO, null) ?? (windowAudio ??= createBrowserAudio());
}
