/**
 * What the dial pad holds, shared so that other screens can fill it: a contact's or a call's "call"
 * button, and links the main process passes on (`app.dialRequest`). Filling it never dials — it asks the
 * Phone screen to put focus on the Call button (`callFocusPending`), and a link says where the number
 * came from so the screen can tell the user to confirm.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { cleanDialInput } from '../address/index.ts';

/** Where the text came from: typed on this screen, or filled in from elsewhere. */
export type DialOrigin = 'typed' | 'link' | 'contact' | 'history' | 'recent';

export const useDialPadStore = defineStore('dialPad', () => {
  const text = ref('');
  const origin = ref<DialOrigin>('typed');
  /** The Call button should take focus when the Phone screen shows (after a prefill). */
  const callFocusPending = ref(false);
  /** The account to call from; null: the phone's default (the first registered account). */
  const accountId = ref<string | null>(null);

  /** The user edited the text on the Phone screen. */
  function setText(next: string): void {
    text.value = next;
    origin.value = 'typed';
  }

  /** Another screen (or a link) fills the dial pad; the user still has to press Call. */
  function prefill(target: string, from: Exclude<DialOrigin, 'typed'>): void {
    text.value = cleanDialInput(target);
    origin.value = from;
    callFocusPending.value = true;
  }

  /** The Phone screen takes the pending focus request; answers whether there was one. */
  function takeCallFocus(): boolean {
    const pending = callFocusPending.value;
    callFocusPending.value = false;
    return pending;
  }

  /** The number was dialled: the field starts empty for the next one. */
  function clear(): void {
    text.value = '';
    origin.value = 'typed';
  }

  function setAccount(id: string | null): void {
    accountId.value = id;
  }

  return { text, origin, callFocusPending, accountId, setText, prefill, takeCallFocus, clear, setAccount };
});
