/**
 * What the main process asks of the window: show a screen (`app.navigate`, from the tray menu or a
 * notification) and fill the dial pad from a sip:/tel: link (`app.dialRequest`). A link only ever
 * fills the number and focuses Call — dialling stays the user's decision.
 */
import { onScopeDispose } from 'vue';
import { useRouter } from 'vue-router';
import type { AppRoute } from '../../../../src-shared/model/app.ts';
import { usePhoneApi } from '../../api/index.ts';
import type { ScreenName } from '../../router/index.ts';
import { useDialPadStore } from '../../stores/index.ts';

/** Every route main may name is one of our screens (a compile error otherwise). */
const SCREEN_OF_ROUTE: Readonly<Record<AppRoute, ScreenName>> = {
  phone: 'phone',
  contacts: 'contacts',
  history: 'history',
  diagnostics: 'diagnostics',
  settings: 'settings',
};

export function useWindowRequests(): void {
  const api = usePhoneApi();
  const router = useRouter();
  const dialPad = useDialPadStore();
  const unsubscribes = [
    api.on('app.navigate', ({ route }) => {
      void router.push({ name: SCREEN_OF_ROUTE[route] });
    }),
    api.on('app.dialRequest', ({ target }) => {
      dialPad.prefill(target, 'link');
      void router.push({ name: 'phone' });
    }),
  ];
  onScopeDispose(() => {
    for (const off of unsubscribes) off();
  });
}
