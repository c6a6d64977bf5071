/** Mounting helpers: the renderer's plugins (Pinia, i18n, router) around a client over a FakeBridge. */
import { createApp, type App } from 'vue';
import { createPinia, type Pinia } from 'pinia';
import { createMemoryHistory, type Router } from 'vue-router';
import {
  createPhoneApi,
  PHONE_API,
  providePhoneApi,
  type PhoneApi,
} from '../../../src-renderer/src/api/index.ts';
import { createAppI18n, type AppI18n, type Language } from '../../../src-renderer/src/i18n/index.ts';
import { createAppRouter } from '../../../src-renderer/src/router/index.ts';
import { FakeBridge } from './fake-bridge.ts';

export interface TestRenderer {
  bridge: FakeBridge;
  api: PhoneApi;
  pinia: Pinia;
  i18n: AppI18n;
  router: Router;
  /** For `mount(Component, { global })`. */
  global: { plugins: [Pinia, AppI18n, Router]; provide: Record<symbol, PhoneApi> };
}

export function createTestRenderer(options: { bridge?: FakeBridge; language?: Language } = {}): TestRenderer {
  const bridge = options.bridge ?? new FakeBridge();
  const api = createPhoneApi(bridge);
  const pinia = createPinia();
  const i18n = createAppI18n(options.language ?? 'en');
  const router = createAppRouter(createMemoryHistory());
  return {
    bridge,
    api,
    pinia,
    i18n,
    router,
    global: { plugins: [pinia, i18n, router], provide: { [PHONE_API as symbol]: api } },
  };
}

/**
 * An app context for using stores without mounting a component (Pinia runs setup stores inside the
 * app's context, where the PhoneApi is provided).
 */
export function createStoreContext(bridge: FakeBridge = new FakeBridge()): {
  bridge: FakeBridge;
  pinia: Pinia;
  app: App;
} {
  const app = createApp({ render: () => null });
  const pinia = createPinia();
  providePhoneApi(app, createPhoneApi(bridge));
  app.use(pinia);
  return { bridge, pinia, app };
}
