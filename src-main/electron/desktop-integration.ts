/**
 * The OS side of the desktop app, put together: tray, call notifications, global shortcuts, missed-call
 * badge, start at login and the delivery of dial links — all driven by a `DesktopPhone` (see
 * desktop-phone.ts) and the main window. Policy lives in the modules this one assembles; app.ts creates
 * it once the window exists and disposes it on quit.
 */
import type * as ElectronModule from 'electron';
import type { Settings } from '../../src-shared/model/settings.ts';
import { DisposableStore, type Disposable } from '../../src-shared/util/emitter.ts';
import { CallBoard } from './call-board.ts';
import { CallNotifier } from './call-notifications.ts';
import type { DialLinkSource } from './dial-link-inbox.ts';
import type { DesktopPhone } from './desktop-phone.ts';
import { GlobalShortcutBinder } from './global-shortcuts.ts';
import type { LoginItemSync } from './login-item.ts';
import { MissedCallBadge } from './missed-badge.ts';
import { encodePng } from './png-encoder.ts';
import { drawBadgeOverlay } from './tray-icon.ts';
import { StatusTray } from './tray.ts';

type Electron = typeof ElectronModule;

export type IntegrationElectron = Pick<
  Electron,
  'Tray' | 'Menu' | 'nativeImage' | 'Notification' | 'globalShortcut'
> & {
  app: Pick<Electron['app'], 'setBadgeCount'>;
};

/** What the integration does with the main window. */
export type IntegrationWindow = Pick<
  ElectronModule.BrowserWindow,
  'isVisible' | 'isMinimized' | 'hide' | 'isDestroyed' | 'on' | 'removeListener' | 'setOverlayIcon'
>;

export interface DesktopIntegrationOptions {
  electron: IntegrationElectron;
  window: IntegrationWindow;
  phone: DesktopPhone;
  platform: string;
  /** The settings at start; later changes arrive as `settings.changed`. */
  settings: Settings;
  loginItems: LoginItemSync;
  /** Show, restore and focus the window (app.ts knows about first-show maximizing). */
  presentWindow(): void;
  quit(): void;
}

export class DesktopIntegration implements Disposable {
  readonly calls = new CallBoard();
  readonly tray: StatusTray;
  readonly notifier: CallNotifier;
  readonly shortcuts: GlobalShortcutBinder;
  readonly badge: MissedCallBadge;
  /** Settles when the start-up query (the missed-call count) has been answered. */
  readonly ready: Promise<void>;
  private readonly options: DesktopIntegrationOptions;
  private readonly subscriptions = new DisposableStore();
  private doNotDisturb = false;
  private overlay: ElectronModule.NativeImage | undefined;
  private disposed = false;
  /** A `history.changed` arrived: it is newer than the answer to the start-up query. */
  private missedCountSeen = false;

  constructor(options: DesktopIntegrationOptions) {
    this.options = options;
    const { electron, window, phone, platform } = options;
    const log = phone.log;

    this.tray = new StatusTray(
      electron,
      {
        toggleWindow: () => this.toggleWindow(),
        openHistory: () => this.openHistory(),
        setDoNotDisturb: (on) => this.setDoNotDisturb(on),
        quit: () => options.quit(),
      },
      { accounts: [], missedCalls: 0, windowVisible: this.windowVisible(), doNotDisturb: false, platform },
    );
    const onShown = () => this.tray.update({ windowVisible: true });
    const onHidden = () => this.tray.update({ windowVisible: false });
    window.on('show', onShown);
    window.on('restore', onShown);
    window.on('hide', onHidden);
    window.on('minimize', onHidden);
    this.subscriptions.add({
      dispose: () => {
        window.removeListener('show', onShown);
        window.removeListener('restore', onShown);
        window.removeListener('hide', onHidden);
        window.removeListener('minimize', onHidden);
      },
    });

    this.notifier = new CallNotifier(
      {
        answer: (id) => {
          this.command('answer', phone.answer(id));
          options.presentWindow();
        },
        decline: (id) => this.command('decline', phone.reject(id)),
        showWindow: () => options.presentWindow(),
        openHistory: () => this.openHistory(),
      },
      {
        create: (o) => new electron.Notification(o),
        supported: () => electron.Notification.isSupported(),
        doNotDisturb: () => this.doNotDisturb,
      },
    );

    this.shortcuts = new GlobalShortcutBinder(
      electron.globalShortcut,
      {
        answer: () => this.answerShortcut(),
        hangup: () => this.hangupShortcut(),
        toggleMute: () => this.muteShortcut(),
        showWindow: () => options.presentWindow(),
      },
      log,
    );

    this.badge = new MissedCallBadge({
      platform,
      setBadgeCount: (n) => electron.app.setBadgeCount(n),
      setOverlayIcon: (image, description) => {
        if (!window.isDestroyed()) window.setOverlayIcon(image, description);
      },
      overlayImage: () => (this.overlay ??= this.overlayImage()),
    });

    this.applySettings(options.settings);
    this.subscriptions.add(phone.onSettings((s) => this.applySettings(s)));
    this.subscriptions.add(phone.onAccounts((accounts) => this.tray.update({ accounts })));
    this.subscriptions.add(
      phone.onCall((call) => {
        this.calls.update(call);
        this.notifier.onCall(call);
      }),
    );
    this.subscriptions.add(phone.onMissedCount((count) => this.showMissedCount(count)));
    this.subscriptions.add(phone.onMissedCall((call) => this.notifier.onMissedCall(call)));
    this.ready = phone.missedCount().then(
      (count) => {
        if (!this.disposed && !this.missedCountSeen) this.showMissedCount(count);
      },
      (error: unknown) => log.info(`no missed-call count at start: ${(error as Error).message}`),
    );
  }

  get doNotDisturbOn(): boolean {
    return this.doNotDisturb;
  }

  setDoNotDisturb(on: boolean): void {
    this.doNotDisturb = on;
    this.tray.update({ doNotDisturb: on });
    this.options.phone.log.info(`do not disturb ${on ? 'on' : 'off'}`);
  }

  /** A parsed dial link: bring the window forward with the dial pad pre-filled. Never dials by itself. */
  deliverDialLink(target: string, source: DialLinkSource): void {
    this.options.presentWindow();
    if (!this.options.phone.requestDial(target)) {
      this.options.phone.log.warn(
        `dial link from ${source} received, but this version cannot pre-fill the dial pad (no app.dialRequest event); nothing was dialled`,
      );
    }
  }

  openHistory(): void {
    this.options.presentWindow();
    if (!this.options.phone.navigate('history')) {
      this.options.phone.log.info('cannot switch the window to History yet (no app.navigate event)');
    }
  }

  toggleWindow(): void {
    if (this.windowVisible()) this.options.window.hide();
    else this.options.presentWindow();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.subscriptions.dispose();
    this.shortcuts.dispose();
    this.notifier.dispose();
    this.tray.dispose();
  }

  private windowVisible(): boolean {
    const w = this.options.window;
    return !w.isDestroyed() && w.isVisible() && !w.isMinimized();
  }

  private showMissedCount(count: number): void {
    this.missedCountSeen = true;
    this.tray.update({ missedCalls: count });
    this.badge.show(count);
    this.notifier.onMissedCount(count);
  }

  private applySettings(settings: Settings): void {
    this.shortcuts.apply(settings.shortcuts);
    this.options.loginItems.apply(settings.app.startAtLogin);
  }

  private answerShortcut(): void {
    const call = this.calls.toAnswer();
    if (call) this.command('answer', this.options.phone.answer(call.id));
  }

  private hangupShortcut(): void {
    const call = this.calls.toHangUp();
    if (call) {
      this.command('hang up', this.options.phone.hangup(call.id));
      return;
    }
    const ringing = this.calls.toAnswer();
    if (ringing) this.command('decline', this.options.phone.reject(ringing.id));
  }

  private muteShortcut(): void {
    const call = this.calls.toMute();
    if (call) this.command(call.muted ? 'unmute' : 'mute', this.options.phone.setMuted(call.id, !call.muted));
  }

  private command(what: string, done: Promise<void>): void {
    done.catch((error: unknown) =>
      this.options.phone.log.warn(`${what} failed: ${(error as Error).message}`),
    );
  }

  private overlayImage(): ElectronModule.NativeImage {
    const { nativeImage } = this.options.electron;
    const image = nativeImage.createFromBuffer(encodePng(drawBadgeOverlay(16)), { scaleFactor: 1 });
    image.addRepresentation({ scaleFactor: 2, buffer: encodePng(drawBadgeOverlay(32)) });
    return image;
  }
}
