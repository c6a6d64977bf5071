/**
 * The calls that are up right now, mirrored from `calls.changed` snapshots, and which of them a global
 * shortcut acts on. Ended calls leave the board. "Most recent" is the order in which calls first appeared.
 */
import type { DesktopCall } from './desktop-phone.ts';

export function isRingingIncoming(call: DesktopCall): boolean {
  return (
    call.direction === 'incoming' &&
    (call.state === 'ringing' || call.state === 'early') &&
    call.replaces === undefined
  );
}

export class CallBoard {
  private readonly calls = new Map<string, DesktopCall>();

  /** Apply a snapshot; answers the previous snapshot of the same call, if any. */
  update(call: DesktopCall): DesktopCall | undefined {
    const previous = this.calls.get(call.id);
    if (call.state === 'ended') this.calls.delete(call.id);
    else this.calls.set(call.id, call);
    return previous;
  }

  get size(): number {
    return this.calls.size;
  }

  list(): DesktopCall[] {
    return [...this.calls.values()];
  }

  /** The newest incoming call that is still ringing: what "answer" picks up. */
  toAnswer(): DesktopCall | undefined {
    return this.list().filter(isRingingIncoming).at(-1);
  }

  /**
   * What "hang up" ends: the newest talking call, else the newest outgoing call not yet answered, else
   * the newest call on hold. Null when only incoming calls are ringing (those are declined instead).
   */
  toHangUp(): DesktopCall | undefined {
    const calls = this.list();
    return (
      calls.filter((c) => c.state === 'active' || c.state === 'remote-held').at(-1) ??
      calls
        .filter(
          (c) =>
            c.direction === 'outgoing' &&
            (c.state === 'dialing' || c.state === 'ringing' || c.state === 'early'),
        )
        .at(-1) ??
      calls.filter((c) => c.state === 'held').at(-1)
    );
  }

  /** The call whose microphone "toggle mute" switches: the newest talking call. */
  toMute(): DesktopCall | undefined {
    return this.list()
      .filter((c) => c.state === 'active' || c.state === 'remote-held')
      .at(-1);
  }
}
