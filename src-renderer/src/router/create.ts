/**
 * Hash history: the window loads `app://softphone/index.html` (and the test host `/`), so routes live in
 * the fragment and every reload finds index.html.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router';
import { SCREENS } from './routes.ts';

export function createAppRouter(history: RouterHistory = createWebHashHistory()) {
  const routes: RouteRecordRaw[] = [
    ...SCREENS.map((s): RouteRecordRaw => ({ name: s.name, path: s.path, component: s.component })),
    { path: '/:unknown(.*)*', redirect: { name: 'phone' } },
  ];
  return createRouter({ history, routes });
}
