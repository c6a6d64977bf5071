import { describe, expect, it } from 'vitest';
import {
  captureAccelerator,
  codecDisplay,
  displayAccelerator,
  keyNameOf,
  mergeSettings,
  moveItem,
  numberOfText,
  settingsPatchProblem,
  type KeyPress,
} from '../../../../src-renderer/src/features/settings/index.ts';
import { DEFAULT_SETTINGS } from '../../../../src-shared/model/settings.ts';

const press = (code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key: '',
  code,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('settings checks', () => {
  it('merge groups field by field, arrays replaced', () => {
    expect(mergeSettings({ a: { x: 1, y: [1, 2] }, b: 2 }, { a: { y: [3] } })).toEqual({
      a: { x: 1, y: [3] },
      b: 2,
    });
  });

  it('say what is wrong with a change, in words for the field', () => {
    const check = (patch: Parameters<typeof settingsPatchProblem>[1]) =>
      settingsPatchProblem(DEFAULT_SETTINGS, patch);
    expect(check({ network: { sipPorts: { min: 6000, max: 5999 } } })).toEqual({
      key: 'settings.errors.portOrder',
    });
    expect(check({ network: { rtpPorts: { min: 0, max: 10 } } })).toEqual({
      key: 'settings.errors.atLeast',
      params: { min: 1 },
    });
    expect(check({ network: { rtpPorts: { min: 10, max: 70000 } } })).toEqual({
      key: 'settings.errors.atMost',
      params: { max: 65535 },
    });
    expect(check({ nat: { keepaliveIntervalSec: numberOfText('') } })).toEqual({
      key: 'settings.errors.wholeNumber',
    });
    expect(check({ nat: { keepaliveIntervalSec: 2.5 } })).toEqual({ key: 'settings.errors.wholeNumber' });
    expect(check({ calls: { codecOrder: ['opus', 'OPUS'] } })).toEqual({ key: 'settings.errors.codecTwice' });
    expect(check({ shortcuts: { answer: 'Ctrl+€' } })).toEqual({ key: 'settings.errors.accelerator' });
    expect(
      check({ nat: { keepaliveIntervalSec: 0 }, network: { sipPorts: { min: 5060, max: 5060 } } }),
    ).toBeNull();
    expect(numberOfText(' 42 ')).toBe(42);
    expect(numberOfText(7)).toBe(7);
  });
});

describe('codec order', () => {
  it('moves one codec up or down, never off the list', () => {
    expect(moveItem(['opus', 'G722', 'PCMU'], 1, -1)).toEqual(['G722', 'opus', 'PCMU']);
    expect(moveItem(['opus', 'G722', 'PCMU'], 1, 1)).toEqual(['opus', 'PCMU', 'G722']);
    expect(moveItem(['opus', 'G722'], 0, -1)).toEqual(['opus', 'G722']);
    expect(moveItem(['opus', 'G722'], 1, 1)).toEqual(['opus', 'G722']);
  });

  it('shows G722 as the wideband G.722 (HD) and every other codec by its name', () => {
    expect(codecDisplay('G722')).toEqual({ name: 'G.722', hd: true });
    expect(codecDisplay('g722')).toEqual({ name: 'G.722', hd: true });
    expect(codecDisplay('PCMU')).toEqual({ name: 'PCMU', hd: false });
    expect(codecDisplay('opus')).toEqual({ name: 'opus', hd: false });
  });
});

describe('accelerators', () => {
  it('record the physical key with its modifiers', () => {
    expect(captureAccelerator(press('KeyA', { ctrlKey: true, shiftKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Shift+A',
    });
    expect(captureAccelerator(press('KeyA', { metaKey: true, altKey: true }), true)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Alt+A',
    });
    expect(captureAccelerator(press('KeyA', { ctrlKey: true }), true)).toEqual({
      kind: 'accelerator',
      accelerator: 'Control+A',
    });
    expect(captureAccelerator(press('Digit5', { metaKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'Super+5',
    });
    expect(captureAccelerator(press('ArrowUp', { altKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'Alt+Up',
    });
    expect(captureAccelerator(press('Semicolon', { ctrlKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+;',
    });
    expect(captureAccelerator(press('F9'), false)).toEqual({ kind: 'accelerator', accelerator: 'F9' });
    expect(captureAccelerator(press('MediaPlayPause'), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'MediaPlayPause',
    });
  });
  it('wait for a key after modifiers, refuse plain keys, stop on Escape or Tab', () => {
    expect(captureAccelerator(press('ControlLeft', { ctrlKey: true }), false)).toEqual({
      kind: 'incomplete',
    });
    expect(captureAccelerator(press('ShiftRight', { shiftKey: true }), false)).toEqual({
      kind: 'incomplete',
    });
    expect(captureAccelerator(press('KeyA'), false)).toEqual({ kind: 'needs-modifier' });
    expect(captureAccelerator(press('KeyA', { shiftKey: true }), false)).toEqual({ kind: 'needs-modifier' });
    expect(captureAccelerator(press('IntlRo', { ctrlKey: true }), false)).toEqual({ kind: 'unsupported' });
    expect(captureAccelerator(press('Escape'), false)).toEqual({ kind: 'cancel' });
    expect(captureAccelerator(press('Tab'), false)).toEqual({ kind: 'cancel' });
    expect(captureAccelerator(press('Escape', { ctrlKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Escape',
    });
    expect(keyNameOf('F25')).toBeNull();
    expect(keyNameOf('Numpad7')).toEqual({ name: 'num7', standalone: false });
  });
  it('read the way each platform writes them', () => {
    expect(displayAccelerator('CommandOrControl+Shift+A', false)).toBe('Ctrl+Shift+A');
    expect(displayAccelerator('CommandOrControl+Shift+A', true)).toBe('⌘⇧A');
    expect(displayAccelerator('Super+Alt+F4', false)).toBe('Win+Alt+F4');
    expect(displayAccelerator('CommandOrControl++', false)).toBe('Ctrl++');
  });
});
