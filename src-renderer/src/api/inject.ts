/**
 * The phone client reaches stores and components through Vue's dependency injection (Pinia runs setup
 * stores inside the app's context), so tests mount with a client over a fake bridge.
 */
import { inject, type App, type InjectionKey } from 'vue';
import type { PhoneApi } from './client.ts';

export const PHONE_API: InjectionKey<PhoneApi> = Symbol('PhoneApi');

export function providePhoneApi(app: App, api: PhoneApi): void {
  app.provide(PHONE_API, api);
}

export function usePhoneApi(): PhoneApi {
  const api = inject(PHONE_API, null);
  if (!api) throw new Error('usePhoneApi: no PhoneApi provided (call providePhoneApi on the app first)');
  return api;
}
