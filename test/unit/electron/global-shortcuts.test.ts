import { describe, expect, it, vi } from 'vitest';
import type { ShortcutSettings } from '../../../src-shared/model/settings.ts';
import { GlobalShortcutBinder, type ShortcutRegistry } from '../../../src-main/electron/global-shortcuts.ts';

/** Like Electron's globalShortcut: one owner per accelerator; `taken` ones belong to other programs. */
function fakeRegistry(taken: string[] = []) {
  const active = new Map<string, () => void>();
  const registry: ShortcutRegistry & { active: Map<string, () => void>; calls: string[] } = {
    active,
    calls: [],
    register(accelerator, callback) {
      registry.calls.push(`+${accelerator}`);
      if (accelerator.includes('Bogus')) throw new TypeError('conversion failure');
      if (taken.includes(accelerator) || active.has(accelerator)) return false;
      active.set(accelerator, callback);
      return true;
    },
    unregister(accelerator) {
      registry.calls.push(`-${accelerator}`);
      active.delete(accelerator);
    },
  };
  return registry;
}

const none: ShortcutSettings = { answer: null, hangup: null, toggleMute: null, showWindow: null };

function setup(taken: string[] = []) {
  const registry = fakeRegistry(taken);
  const handlers = { answer: vi.fn(), hangup: vi.fn(), toggleMute: vi.fn(), showWindow: vi.fn() };
  const log = { info: vi.fn(), warn: vi.fn() };
  const binder = new GlobalShortcutBinder(registry, handlers, log);
  return { registry, handlers, log, binder };
}

describe('GlobalShortcutBinder', () => {
  it('registers the configured shortcuts and calls the right action', () => {
    const { registry, handlers, binder } = setup();
    binder.apply({ ...none, answer: 'CommandOrControl+Shift+A', showWindow: 'CommandOrControl+Shift+S' });
    expect([...registry.active.keys()]).toEqual(['CommandOrControl+Shift+A', 'CommandOrControl+Shift+S']);
    registry.active.get('CommandOrControl+Shift+A')!();
    expect(handlers.answer).toHaveBeenCalledTimes(1);
    registry.active.get('CommandOrControl+Shift+S')!();
    expect(handlers.showWindow).toHaveBeenCalledTimes(1);
    expect(handlers.hangup).not.toHaveBeenCalled();
    binder.dispose();
  });

  it('touches only what changed when the settings change', () => {
    const { registry, binder } = setup();
    binder.apply({ ...none, answer: 'F1', hangup: 'F2' });
    registry.calls.length = 0;
    binder.apply({ ...none, answer: 'F1', hangup: 'F2' }); // another group changed: nothing to do
    expect(registry.calls).toEqual([]);
    binder.apply({ ...none, answer: 'F1', hangup: 'F3', toggleMute: 'F4' });
    expect(registry.calls).toEqual(['-F2', '+F3', '+F4']);
    binder.apply({ ...none, answer: null, hangup: 'F3', toggleMute: 'F4' });
    expect(registry.calls.slice(3)).toEqual(['-F1']);
    expect(Object.fromEntries(binder.registered)).toEqual({ hangup: 'F3', toggleMute: 'F4' });
    binder.dispose();
  });

  it('lets two actions swap accelerators in one change', () => {
    const { registry, handlers, binder } = setup();
    binder.apply({ ...none, answer: 'F1', hangup: 'F2' });
    binder.apply({ ...none, answer: 'F2', hangup: 'F1' });
    registry.active.get('F1')!();
    expect(handlers.hangup).toHaveBeenCalledTimes(1);
    expect(handlers.answer).not.toHaveBeenCalled();
    binder.dispose();
  });

  it('logs accelerators that are taken, invalid or used twice, and retries only after a change', () => {
    const { registry, log, binder } = setup(['Alt+F4']);
    binder.apply({ answer: 'Alt+F4', hangup: 'Bogus+Key', toggleMute: 'F9', showWindow: 'f9' });
    expect(log.warn.mock.calls.map((c) => c[0])).toEqual([
      'shortcut for answer not registered: Alt+F4 is taken by another application',
      'shortcut for hangup not registered: Bogus+Key is not a valid accelerator (conversion failure)',
      'shortcut for showWindow not registered: f9 is already the shortcut for toggleMute',
    ]);
    expect(Object.fromEntries(binder.registered)).toEqual({ toggleMute: 'F9' });
    const attempts = registry.calls.length;
    binder.apply({ answer: 'Alt+F4', hangup: 'Bogus+Key', toggleMute: 'F9', showWindow: 'f9' });
    expect(registry.calls.length).toBe(attempts);
    binder.apply({ answer: 'Alt+F5', hangup: 'Bogus+Key', toggleMute: 'F9', showWindow: 'f9' });
    expect(Object.fromEntries(binder.registered)).toEqual({ answer: 'Alt+F5', toggleMute: 'F9' });
    binder.dispose();
  });

  it('unregisters everything it registered on dispose, and nothing else', () => {
    const { registry, binder } = setup(['Alt+F4']);
    registry.active.set('Ctrl+X', () => {}); // someone else's
    binder.apply({ answer: 'F1', hangup: 'Alt+F4', toggleMute: 'F3', showWindow: null });
    binder.dispose();
    expect([...registry.active.keys()]).toEqual(['Ctrl+X']);
    expect(binder.registered.size).toBe(0);
    expect(registry.calls.filter((c) => c.startsWith('-'))).toEqual(['-F1', '-F3']);
  });
});
