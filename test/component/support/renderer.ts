/** Mounting helpers: the renderer's plugins (Pinia, i18n, router) around a client over a FakeBridge. */
import { createApp, type App, type Component } from 'vue';
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
import { BROWSER_AUDIO } from '../../../src-renderer/src/media/index.ts';
import { FakeAudio } from './fake-audio.ts';
import { FakeBridge } from './fake-bridge.ts';

/** The root of the bare apps that give stores their context (nothing is rendered). */
const NO_ROOT: Component = { render: () => null };

export interface TestRenderer {
  bridge: FakeBridge;
  audio: FakeAudio;
  api: PhoneApi;
  pinia: Pinia;
  i18n: AppI18n;
  router: Router;
  /** For `mount(Component, { global })`. */
  global: { plugins: [Pinia, AppI18n, Router]; provide: Record<symbol, unknown> };
}

export function createTestRenderer(
  options: { bridge?: FakeBridge; language?: Language; audio?: FakeAudio } = {},
): TestRenderer {
  const bridge = options.bridge ?? new FakeBridge();
  const audio = options.audio ?? new FakeAudio();
  const api = createPhoneApi(bridge);
  const pinia = createPinia();
  const i18n = createAppI18n(options.language ?? 'en');
  const router = createAppRouter(createMemoryHistory());
  // Pinia runs setup stores in the context of the app it was installed on: install it on a bare app
  // with the same providers, so that a test can use stores before (and without) mounting a component.
  const context = createApp(NO_ROOT);
  context.provide(PHONE_API, api);
  context.provide(BROWSER_AUDIO, audio);
  context.use(pinia);
  return {
    bridge,
    audio,
    api,
    pinia,
    i18n,
    router,
    global: {
      plugins: [pinia, i18n, router],
      provide: { [PHONE_API as symbol]: api, [BROWSER_AUDIO as symbol]: audio },
    },
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
  const app = createApp(NO_ROOT);
  const pinia = createPinia();
  providePhoneApi(app, createPhoneApi(bridge));
  app.use(pinia);
  return { bridge, pinia, app };
}
