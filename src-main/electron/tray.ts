/**
 * The tray icon: registration status as icon and tooltip, missed calls as a badge dot and a menu line,
 * and a menu to show/hide the window, toggle Do Not Disturb and quit. What to show is decided by the pure
 * functions of tray-menu.ts; this class only pushes it into Electron's `Tray`.
 */
import type * as ElectronModule from 'electron';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { encodePng } from './png-encoder.ts';
import { drawTrayIcon, type TrayIconSpec } from './tray-icon.ts';
import {
  trayIconStatus,
  trayMenuTemplate,
  trayTooltip,
  type TrayMenuActions,
  type TrayMenuState,
} from './tray-menu.ts';

type Electron = typeof ElectronModule;
export type TrayElectron = Pick<Electron, 'Tray' | 'Menu' | 'nativeImage'>;

/** Logical size of the tray icon; a 2× representation is added for HiDPI screens. */
const ICON_SIZE = 16;

export function trayIconImage(
  nativeImage: TrayElectron['nativeImage'],
  spec: TrayIconSpec,
): ElectronModule.NativeImage {
  const image = nativeImage.createFromBuffer(encodePng(drawTrayIcon(spec, ICON_SIZE)), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: encodePng(drawTrayIcon(spec, ICON_SIZE * 2)) });
  return image;
}

export class StatusTray implements Disposable {
  private readonly electron: TrayElectron;
  private readonly actions: TrayMenuActions;
  private readonly tray: ElectronModule.Tray;
  private readonly images = new Map<string, ElectronModule.NativeImage>();
  private state: TrayMenuState;
  private shownImage = '';
  private shownTooltip = '';

  constructor(electron: TrayElectron, actions: TrayMenuActions, initial: TrayMenuState) {
    this.electron = electron;
    this.actions = actions;
    this.state = initial;
    this.tray = new electron.Tray(this.imageFor(this.iconSpec()));
    this.shownImage = this.iconKey();
    // macOS opens the menu on click; elsewhere a click on the icon toggles the window.
    if (initial.platform !== 'darwin') this.tray.on('click', () => this.actions.toggleWindow());
    this.render();
  }

  get current(): Readonly<TrayMenuState> {
    return this.state;
  }

  update(change: Partial<Omit<TrayMenuState, 'platform'>>): void {
    this.state = { ...this.state, ...change };
    this.render();
  }

  dispose(): void {
    this.tray.removeAllListeners('click');
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private iconSpec(): TrayIconSpec {
    return { status: trayIconStatus(this.state.accounts), badge: this.state.missedCalls > 0 };
  }

  private iconKey(): string {
    const spec = this.iconSpec();
    return `${spec.status}:${spec.badge}`;
  }

  private imageFor(spec: TrayIconSpec): ElectronModule.NativeImage {
    const key = `${spec.status}:${spec.badge}`;
    let image = this.images.get(key);
    if (!image) {
      image = trayIconImage(this.electron.nativeImage, spec);
      this.images.set(key, image);
    }
    return image;
  }

  private render(): void {
    if (this.tray.isDestroyed()) return;
    const key = this.iconKey();
    if (key !== this.shownImage) {
      this.tray.setImage(this.imageFor(this.iconSpec()));
      this.shownImage = key;
    }
    const tooltip = trayTooltip(this.state.accounts, this.state.missedCalls, this.state.doNotDisturb);
    if (tooltip !== this.shownTooltip) {
      this.tray.setToolTip(tooltip);
      this.shownTooltip = tooltip;
    }
    // Linux (AppIndicator) only picks up menu changes when the menu is set again, so always set it.
    this.tray.setContextMenu(
      this.electron.Menu.buildFromTemplate(trayMenuTemplate(this.state, this.actions)),
    );
  }
}
