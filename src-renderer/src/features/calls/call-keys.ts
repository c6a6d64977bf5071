/**
 * The window's call keys. With Alt (they work anywhere in the window, text fields included, and do not
 * clash with typing): Alt+A answers the call ringing here, Alt+D declines it, Alt+H hangs up the current
 * call, Alt+M mutes or unmutes it. The physical key decides (`code`), so the keys work in every keyboard
 * layout and on macOS, where Option+letter types a character.
 *
 * Without a modifier, the DTMF keys 0–9, * and # typed outside text fields during a call are sent to
 * the far end (the call view listens for those).
 */
export type CallKeyAction = 'answer' | 'decline' | 'hangup' | 'mute';

export interface KeyLike {
  readonly key: string;
  readonly code: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
}

const ALT_KEYS: Readonly<Record<string, CallKeyAction>> = {
  KeyA: 'answer',
  KeyD: 'decline',
  KeyH: 'hangup',
  KeyM: 'mute',
};

/** The aria-keyshortcuts value of each action (shown to assistive technology on the buttons). */
export const CALL_KEY_SHORTCUTS: Readonly<Record<CallKeyAction, string>> = {
  answer: 'Alt+A',
  decline: 'Alt+D',
  hangup: 'Alt+H',
  mute: 'Alt+M',
};

export function callKeyActionOf(event: KeyLike): CallKeyAction | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  return ALT_KEYS[event.code] ?? null;
}

/** The DTMF key typed, or null: 0–9, * and # without Ctrl, Alt or Meta. */
export function dtmfKeyOf(event: KeyLike): string | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  return /^[0-9*#]$/.test(event.key) ? event.key : null;
}

/** Whether a key event goes to a text field (or a dialog) rather than to the window. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return true;
  return target.closest('dialog') !== null;
}
