/**
 * Placing a call from any screen: the dial pad's Call button, a contact's number, a call in the history.
 * The call view on the Phone screen takes over once the phone accepted the call. When it did not (no
 * account is registered, the number is not one), the number waits in the dial pad and the Phone screen
 * says why, so the user can fix it and press Call.
 */
import { useRouter } from 'vue-router';
import { useCallsStore, useDialPadStore, type DialOrigin } from '../../stores/index.ts';

export interface Dialer {
  /** Answers whether the phone placed the call. */
  dial(target: string, origin: DialOrigin): Promise<boolean>;
}

export function useDialer(): Dialer {
  const calls = useCallsStore();
  const dialPad = useDialPadStore();
  const router = useRouter();
  return {
    async dial(target, origin) {
      const result = await calls.dial(target, dialPad.accountId);
      if (result.ok) {
        if (origin === 'typed' || dialPad.text === target) dialPad.clear();
      } else if (origin !== 'typed') {
        dialPad.prefill(target, origin);
      }
      if (router.currentRoute.value.name !== 'phone') await router.push({ name: 'phone' });
      return result.ok;
    },
  };
}
