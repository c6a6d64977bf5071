/**
 * System-wide shortcuts from `settings.shortcuts` (answer, hangup, toggleMute, showWindow). They are
 * re-applied on every `settings.changed`: only actions whose accelerator changed are touched. An
 * accelerator another program holds (register answers false), an invalid one (register throws) or one
 * given to two of our actions is reported in the log and left unbound until the setting changes again.
 * `dispose()` (on quit) unregisters everything we registered — and nothing else.
 */
import type { ShortcutSettings } from '../../src-shared/model/settings.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';

export const SHORTCUT_ACTIONS = ['answer', 'hangup', 'toggleMute', 'showWindow'] as const;
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number];

/** Electron's `globalShortcut`, as far as we use it. */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface ShortcutLog {
  info(message: string): void;
  warn(message: string): void;
}

export class GlobalShortcutBinder implements Disposable {
  private readonly registry: ShortcutRegistry;
  private readonly handlers: Readonly<Record<ShortcutAction, () => void>>;
  private readonly log: ShortcutLog;
  /** What the settings ask for, per action (bound or not). */
  private readonly wanted = new Map<ShortcutAction, string>();
  /** What is registered with the OS, per action. */
  private readonly bound = new Map<ShortcutAction, string>();

  constructor(
    registry: ShortcutRegistry,
    handlers: Readonly<Record<ShortcutAction, () => void>>,
    log: ShortcutLog,
  ) {
    this.registry = registry;
    this.handlers = handlers;
    this.log = log;
  }

  /** The accelerators registered right now, by action. */
  get registered(): ReadonlyMap<ShortcutAction, string> {
    return this.bound;
  }

  apply(shortcuts: ShortcutSettings): void {
    const changed = SHORTCUT_ACTIONS.filter(
      (action) => (shortcuts[action] ?? undefined) !== this.wanted.get(action),
    );
    // Unregister every changed action first, so that two actions can swap accelerators in one change.
    for (const action of changed) {
      const accelerator = this.bound.get(action);
      if (accelerator !== undefined) {
        this.registry.unregister(accelerator);
        this.bound.delete(action);
      }
      this.wanted.delete(action);
    }
    for (const action of changed) {
      const accelerator = shortcuts[action];
      if (accelerator === null) continue;
      this.wanted.set(action, accelerator);
      this.bind(action, accelerator);
    }
  }

  dispose(): void {
    for (const accelerator of this.bound.values()) this.registry.unregister(accelerator);
    this.bound.clear();
    this.wanted.clear();
  }

  private bind(action: ShortcutAction, accelerator: string): void {
    const holder = [...this.bound].find(([, a]) => a.toLowerCase() === accelerator.toLowerCase())?.[0];
    if (holder !== undefined) {
      this.log.warn(
        `shortcut for ${action} not registered: ${accelerator} is already the shortcut for ${holder}`,
      );
      return;
    }
    let ok: boolean;
    try {
      ok = this.registry.register(accelerator, this.handlers[action]);
    } catch (error) {
      this.log.warn(
        `shortcut for ${action} not registered: ${accelerator} is not a valid accelerator (${(error as Error).message})`,
      );
      return;
    }
    if (!ok) {
      this.log.warn(`shortcut for ${action} not registered: ${accelerator} is taken by another application`);
      return;
    }
    this.bound.set(action, accelerator);
    this.log.info(`shortcut for ${action}: ${accelerator}`);
  }
}
