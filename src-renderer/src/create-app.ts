/**
 * Builds the renderer app with its plugins. `main.ts` uses it with the real bridge; component tests use
 * it with a fake bridge and in-memory history.
 */
import { createApp, type App as VueApp } from 'vue';
import { createPinia, type Pinia } from 'pinia';
import { createWebHashHistory, type Router, type RouterHistory } from 'vue-router';
import App from './App.vue';
import { providePhoneApi, type PhoneApi } from './api/index.ts';
import { createAppRouter } from './router/index.ts';
import { createAppI18n, type AppI18n, type Language } from './i18n/index.ts';
import { provideBrowserAudio, type BrowserAudio } from './media/index.ts';

export interface RendererAppOptions {
  api: PhoneApi;
  /** The language to start in, before the settings arrive. */
  language: Language;
  history?: RouterHistory;
  /** The window's audio devices (default: the browser's own). */
  audio?: BrowserAudio;
}

export interface RendererApp {
  app: VueApp;
  pinia: Pinia;
  router: Router;
  i18n: AppI18n;
}

export function createRendererApp(options: RendererAppOptions): RendererApp {
  const app = createApp(App);
  const pinia = createPinia();
  const router = createAppRouter(options.history ?? createWebHashHistory());
  const i18n = createAppI18n(options.language);
  providePhoneApi(app, options.api);
  if (options.audio) provideBrowserAudio(app, options.audio);
  app.use(pinia);
  app.use(router);
  app.use(i18n);
  return { app, pinia, router, i18n };
}
