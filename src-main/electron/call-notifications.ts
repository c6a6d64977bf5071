/**
 * Desktop notifications for calls:
 *   - an incoming call that rings shows "Incoming call — Alice (1001)" with Answer / Decline buttons; a
 *     click on the body only brings the window forward; dismissing it does nothing (the call keeps
 *     ringing in the window). It closes by itself as soon as the call stops ringing, however that happens.
 *   - a call the phone records as missed (`history.changed`, result `missed`) shows "Missed call from
 *     Alice (1001)"; a click opens History. They close when the phone reports no unseen missed calls.
 * Do Not Disturb suppresses both (the missed-call badge still counts).
 *
 * The caller's name comes from the network (From display name): it is stripped of control, format and
 * markup characters, because Linux notification servers may render body markup.
 */
import type { Notification, NotificationConstructorOptions } from 'electron';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import { isRingingIncoming } from './call-board.ts';
import type { DesktopCall, MissedCall } from './desktop-phone.ts';

export const ANSWER_ACTION = 0;
export const DECLINE_ACTION = 1;

const LABEL_MAX = 64;

function displayText(text: string): string {
  const clean = text
    .replace(/[\p{Cc}\p{Cf}<>]+/gu, ' ')
    .replaceAll('&', '\uFF06') // FULLWIDTH AMPERSAND: looks the same, is not markup
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > LABEL_MAX ? `${clean.slice(0, LABEL_MAX - 1)}…` : clean;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The user (or number) part of a sip:/sips:/tel: URI, or the URI without its scheme. */
export function uriUser(uri: string): string {
  const match = /^(sips?|tel):([^;?]*)/i.exec(uri.trim());
  if (!match) return safeDecode(uri.trim());
  const rest = match[2] ?? '';
  if (match[1]!.toLowerCase() === 'tel') return safeDecode(rest);
  const at = rest.lastIndexOf('@');
  return safeDecode(at >= 0 ? rest.slice(0, at) : rest);
}

/** "Alice (1001)", "1001", or "Unknown caller". */
export function callerLabel(remote: DesktopCall['remote']): string {
  const name = displayText(remote.displayName ?? '');
  const user = displayText(uriUser(remote.uri));
  if (name && user && name !== user) return `${name} (${user})`;
  return name || user || 'Unknown caller';
}

export function incomingCallNotification(call: DesktopCall): NotificationConstructorOptions {
  return {
    title: 'Incoming call',
    body: callerLabel(call.remote),
    actions: [
      { type: 'button', text: 'Answer' },
      { type: 'button', text: 'Decline' },
    ],
    timeoutType: 'never',
    urgency: 'critical',
    // the window plays the ringtone
    silent: true,
  };
}

export function missedCallNotification(call: MissedCall): NotificationConstructorOptions {
  return {
    title: `Missed call from ${callerLabel(call.remote)}`,
    body: 'Click to open the call history',
    urgency: 'normal',
  };
}

export interface CallNotifierActions {
  answer(callId: string): void;
  decline(callId: string): void;
  showWindow(): void;
  openHistory(): void;
}

export interface CallNotifierOptions {
  create(options: NotificationConstructorOptions): Notification;
  supported(): boolean;
  doNotDisturb(): boolean;
}

/** A notification we show, with the listeners we attached (removed when we let go of it). */
class ShownNotification {
  readonly notification: Notification;
  private readonly detach: Array<() => void> = [];

  constructor(notification: Notification) {
    this.notification = notification;
  }

  on(event: 'click' | 'close', listener: () => void): void {
    this.notification.on(event as 'click', listener);
    this.detach.push(() => this.notification.off(event as 'click', listener));
  }

  onAction(listener: (index: number) => void): void {
    const wrapped = (details: { actionIndex?: number }, actionIndex?: number) => {
      // Electron ≥ 34 puts the index on the event; older versions passed it as the second argument.
      const index = typeof details?.actionIndex === 'number' ? details.actionIndex : actionIndex;
      if (typeof index === 'number') listener(index);
    };
    this.notification.on('action', wrapped as never);
    this.detach.push(() => this.notification.off('action', wrapped as never));
  }

  /** Stop listening and take it off the screen. */
  close(): void {
    this.release();
    this.notification.close();
  }

  /** Stop listening (it is already gone from the screen). */
  release(): void {
    for (const d of this.detach.splice(0)) d();
  }
}

export class CallNotifier implements Disposable {
  private readonly actions: CallNotifierActions;
  private readonly options: CallNotifierOptions;
  /** Incoming-call notifications by call id. */
  private readonly ringing = new Map<string, ShownNotification>();
  /** Missed-call notifications by call-log entry id. */
  private readonly missed = new Map<string, ShownNotification>();

  constructor(actions: CallNotifierActions, options: CallNotifierOptions) {
    this.actions = actions;
    this.options = options;
  }

  /** Notifications on screen right now (incoming, missed). */
  get open(): { incoming: number; missed: number } {
    return { incoming: this.ringing.size, missed: this.missed.size };
  }

  onCall(call: DesktopCall): void {
    if (isRingingIncoming(call)) {
      if (!this.ringing.has(call.id)) this.showIncoming(call);
    } else {
      this.closeIncoming(call.id);
    }
  }

  onMissedCall(call: MissedCall): void {
    if (this.missed.has(call.id) || !this.canShow()) return;
    const shown = new ShownNotification(this.options.create(missedCallNotification(call)));
    const forget = () => {
      this.missed.delete(call.id);
      shown.release();
    };
    shown.on('click', () => {
      forget();
      this.actions.openHistory();
    });
    shown.on('close', forget);
    this.missed.set(call.id, shown);
    shown.notification.show();
  }

  /** The unseen missed-call count; at 0 the user has looked, so missed-call notifications go. */
  onMissedCount(count: number): void {
    if (count > 0) return;
    for (const shown of this.missed.values()) shown.close();
    this.missed.clear();
  }

  dispose(): void {
    for (const shown of this.ringing.values()) shown.close();
    this.ringing.clear();
    this.onMissedCount(0);
  }

  private canShow(): boolean {
    return !this.options.doNotDisturb() && this.options.supported();
  }

  private showIncoming(call: DesktopCall): void {
    if (!this.canShow()) return;
    const shown = new ShownNotification(this.options.create(incomingCallNotification(call)));
    shown.onAction((index) => {
      if (index === ANSWER_ACTION) this.actions.answer(call.id);
      else if (index === DECLINE_ACTION) this.actions.decline(call.id);
      else return;
      this.closeIncoming(call.id);
    });
    shown.on('click', () => this.actions.showWindow());
    this.ringing.set(call.id, shown);
    shown.notification.show();
  }

  private closeIncoming(callId: string): void {
    const shown = this.ringing.get(callId);
    if (!shown) return;
    this.ringing.delete(callId);
    shown.close();
  }
}
