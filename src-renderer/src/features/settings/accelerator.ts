/**
 * Recording a global shortcut from a key press, as an Electron accelerator
 * (`CommandOrControl+Shift+A`): the physical key (`KeyboardEvent.code`, so the keyboard layout does not
 * matter) and the modifiers held. A global shortcut needs a modifier, except function and media keys,
 * or it would take a key away from every other application.
 */

export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export type AcceleratorCapture =
  | { kind: 'accelerator'; accelerator: string }
  /** Only modifiers so far: keep listening. */
  | { kind: 'incomplete' }
  /** A key that needs a modifier was pressed alone. */
  | { kind: 'needs-modifier' }
  /** A key that cannot be a shortcut. */
  | { kind: 'unsupported' }
  /** Escape (or Tab) alone: stop recording without a change. */
  | { kind: 'cancel' };

const MODIFIER_CODES = /^(Shift|Control|Alt|Meta|OS)(Left|Right)?$/;

const NAMED_CODES: Readonly<Record<string, string>> = {
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Space: 'Space',
  Enter: 'Enter',
  NumpadEnter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  Escape: 'Escape',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  Backslash: '\\',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  NumpadDecimal: 'numdec',
};

/** Keys that make a shortcut on their own. */
const STANDALONE_CODES: Readonly<Record<string, string>> = {
  MediaPlayPause: 'MediaPlayPause',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
  MediaStop: 'MediaStop',
  AudioVolumeUp: 'VolumeUp',
  AudioVolumeDown: 'VolumeDown',
  AudioVolumeMute: 'VolumeMute',
};

/** The accelerator name of a physical key, and whether it may stand alone; null when it has none. */
export function keyNameOf(code: string): { name: string; standalone: boolean } | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter?.[1]) return { name: letter[1], standalone: false };
  const digit = /^Digit(\d)$/.exec(code);
  if (digit?.[1]) return { name: digit[1], standalone: false };
  const numpad = /^Numpad(\d)$/.exec(code);
  if (numpad?.[1]) return { name: `num${numpad[1]}`, standalone: false };
  const fn = /^F(\d{1,2})$/.exec(code);
  if (fn?.[1] && Number(fn[1]) >= 1 && Number(fn[1]) <= 24) return { name: `F${fn[1]}`, standalone: true };
  const standalone = STANDALONE_CODES[code];
  if (standalone) return { name: standalone, standalone: true };
  const named = NAMED_CODES[code];
  return named ? { name: named, standalone: false } : null;
}

export function captureAccelerator(press: KeyPress, mac: boolean): AcceleratorCapture {
  if (MODIFIER_CODES.test(press.code)) return { kind: 'incomplete' };
  const modifiers: string[] = [];
  if (mac) {
    if (press.metaKey) modifiers.push('CommandOrControl');
    if (press.ctrlKey) modifiers.push('Control');
  } else {
    if (press.ctrlKey) modifiers.push('CommandOrControl');
    if (press.metaKey) modifiers.push('Super');
  }
  if (press.altKey) modifiers.push('Alt');
  if (press.shiftKey) modifiers.push('Shift');
  if (modifiers.length === 0 && (press.code === 'Escape' || press.code === 'Tab')) return { kind: 'cancel' };
  const key = keyNameOf(press.code);
  if (!key) return { kind: 'unsupported' };
  const withoutShift = modifiers.filter((m) => m !== 'Shift');
  if (withoutShift.length === 0 && !key.standalone) return { kind: 'needs-modifier' };
  return { kind: 'accelerator', accelerator: [...modifiers, key.name].join('+') };
}

const MAC_SYMBOLS: Readonly<Record<string, string>> = {
  CommandOrControl: '⌘',
  Command: '⌘',
  Cmd: '⌘',
  Control: '⌃',
  Ctrl: '⌃',
  Alt: '⌥',
  Option: '⌥',
  Shift: '⇧',
};
const OTHER_NAMES: Readonly<Record<string, string>> = {
  CommandOrControl: 'Ctrl',
  CmdOrCtrl: 'Ctrl',
  Control: 'Ctrl',
  Super: 'Win',
};

/** An accelerator as people read it: `⌘⇧A` on a Mac, `Ctrl+Shift+A` elsewhere. */
export function displayAccelerator(accelerator: string, mac: boolean): string {
  const parts = accelerator.split('+').filter((p, i, all) => p !== '' || i === all.length - 1);
  // "CommandOrControl++" ends with the plus key itself
  const keys = accelerator.endsWith('++') ? [...parts.filter(Boolean), '+'] : parts;
  if (mac) return keys.map((p) => MAC_SYMBOLS[p] ?? p).join('');
  return keys.map((p) => OTHER_NAMES[p] ?? p).join('+');
}
