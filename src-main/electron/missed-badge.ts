/**
 * The unseen missed-call count outside the window:
 *   - macOS dock and Linux launchers (Unity LauncherEntry API): `app.setBadgeCount(n)`, 0 clears it;
 *   - Windows: a red dot over the taskbar button (`setOverlayIcon`), whose description screen readers
 *     announce; null clears it.
 * The tray (all platforms) shows the count as a dot on its icon and a line in its tooltip and menu — see
 * tray-menu.ts.
 */
import type { NativeImage } from 'electron';
import { missedCallsText } from './tray-menu.ts';

export interface BadgePlan {
  /** For `app.setBadgeCount`, or null where the platform has no app badge. */
  appBadge: number | null;
  /** For the Windows taskbar overlay: null = no overlay platform; `{ show: false }` clears it. */
  overlay: { show: boolean; description: string } | null;
}

export function missedCallBadge(count: number, platform: string): BadgePlan {
  const n = Math.max(0, Math.floor(count));
  return {
    appBadge: platform === 'darwin' || platform === 'linux' ? n : null,
    overlay: platform === 'win32' ? { show: n > 0, description: missedCallsText(n) ?? '' } : null,
  };
}

export interface BadgeHost {
  platform: string;
  setBadgeCount(count: number): boolean;
  /** The main window's taskbar overlay (Windows). */
  setOverlayIcon(overlay: NativeImage | null, description: string): void;
  overlayImage(): NativeImage;
}

export class MissedCallBadge {
  private readonly host: BadgeHost;
  private shown = -1;

  constructor(host: BadgeHost) {
    this.host = host;
  }

  show(count: number): void {
    if (count === this.shown) return;
    this.shown = count;
    const plan = missedCallBadge(count, this.host.platform);
    if (plan.appBadge !== null) this.host.setBadgeCount(plan.appBadge);
    if (plan.overlay !== null)
      this.host.setOverlayIcon(plan.overlay.show ? this.host.overlayImage() : null, plan.overlay.description);
  }
}
