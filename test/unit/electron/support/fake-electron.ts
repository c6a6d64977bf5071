/**
 * Just enough of Electron's OS-integration objects (Tray, Menu, nativeImage, Notification,
 * globalShortcut, app badge) to run the desktop integration without the binary.
 */
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import { vi } from 'vitest';

export class FakeTray extends EventEmitter {
  image: unknown;
  tooltip = '';
  menu: MenuItemConstructorOptions[] | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
  }
  setImage(image: unknown) {
    this.image = image;
  }
  setToolTip(tooltip: string) {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: MenuItemConstructorOptions[] | null) {
    this.menu = menu;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
  /** Click the menu item with this label (checkbox labels without the mark). */
  clickItem(label: string) {
    const item = this.menu?.find((i) => i.label === label);
    if (!item?.click) throw new Error(`no menu item ${label}: ${this.menu?.map((i) => i.label).join(', ')}`);
    (item.click as () => void)();
  }
  get labels(): string[] {
    return (this.menu ?? []).filter((i) => i.type !== 'separator').map((i) => i.label ?? '');
  }
}

export class FakeNotification extends EventEmitter {
  static supported = true;
  static isSupported() {
    return FakeNotification.supported;
  }
  readonly options: NotificationConstructorOptions;
  shown = 0;
  closed = 0;
  constructor(options: NotificationConstructorOptions) {
    super();
    this.options = options;
  }
  show() {
    this.shown++;
  }
  close() {
    this.closed++;
  }
  action(index: number) {
    this.emit(
      'action',
      { actionIndex: index, selectionIndex: -1, preventDefault() {}, defaultPrevented: false },
      index,
      -1,
    );
  }
}

export function fakeOsElectron() {
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const shortcuts = new Map<string, () => void>();
  const electron = {
    Tray: class extends FakeTray {
      constructor(image: unknown) {
        super(image);
        trays.push(this);
      }
    },
    Menu: { buildFromTemplate: (t: MenuItemConstructorOptions[]) => t, setApplicationMenu: vi.fn() },
    nativeImage: {
      createFromBuffer: (buffer: Buffer) => ({ buffer, addRepresentation: vi.fn() }),
    },
    Notification: class extends FakeNotification {
      constructor(options: NotificationConstructorOptions) {
        super(options);
        notifications.push(this);
      }
    },
    globalShortcut: {
      register: vi.fn((accelerator: string, callback: () => void) => {
        if (shortcuts.has(accelerator)) return false;
        shortcuts.set(accelerator, callback);
        return true;
      }),
      unregister: vi.fn((accelerator: string) => void shortcuts.delete(accelerator)),
    },
    app: { setBadgeCount: vi.fn(() => true) },
  };
  return { electron, trays, notifications, shortcuts };
}

export class FakeWindow extends EventEmitter {
  visible = false;
  minimized = false;
  destroyed = false;
  isVisible = () => this.visible;
  isMinimized = () => this.minimized;
  isDestroyed = () => this.destroyed;
  hide = vi.fn(() => {
    this.visible = false;
    this.emit('hide');
  });
  setOverlayIcon = vi.fn();
  /** What app.ts's presentWindow does, as far as the integration can tell. */
  present = vi.fn(() => {
    this.visible = true;
    this.minimized = false;
    this.emit('show');
  });
}
