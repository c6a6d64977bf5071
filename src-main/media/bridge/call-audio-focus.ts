/**
 * `CallAudioFocus`: which call has the audio device, derived from the calls' snapshots (`calls.changed`)
 * and handed to the provider's `focus()`.
 *
 * A call wants the device while we talk or listen in it: `early` (early media: announcements, ringback
 * from the network), `active`, and `remote-held` (the far end holds us; we may hear its music on hold).
 * Of the calls that want it, the one that most recently started wanting it has it — answering or
 * resuming a call takes the device at once, even before the calls layer has put the other call on hold.
 * A call we hold, or that ends, gives it back to the previous one that still wants it, else to nobody:
 * a held call never hears the microphone.
 */
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import type { CallState } from '../../../src-shared/model/call.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';

const WANTS_DEVICE: ReadonlySet<CallState> = new Set<CallState>(['early', 'active', 'remote-held']);

export interface FocusTarget {
  focus(callId: string | null): void;
}

export class CallAudioFocus {
  private readonly target: FocusTarget;
  /** Calls that want the device, the most recent last. */
  private readonly wanting: string[] = [];
  private current: string | null | undefined = undefined;

  constructor(target: FocusTarget) {
    this.target = target;
  }

  /** The call that has the device (null: none; undefined: no snapshot seen yet). */
  get focused(): string | null | undefined {
    return this.current;
  }

  update(call: { readonly id: string; readonly state: CallState }): void {
    const at = this.wanting.indexOf(call.id);
    const wants = WANTS_DEVICE.has(call.state);
    if (wants && at < 0) this.wanting.push(call.id);
    if (!wants && at >= 0) this.wanting.splice(at, 1);
    const next = this.wanting.at(-1) ?? null;
    if (next === this.current) return;
    this.current = next;
    this.target.focus(next);
  }
}

/** Where call snapshots come from: the phone's events (`Phone.events`). */
export interface PhoneEventSource {
  on(listener: (event: PhoneEvent) => void): Disposable;
}

/** Keeps `target`'s focus on the call `CallAudioFocus` picks from the phone's `calls.changed` events. */
export function followCallAudioFocus(events: PhoneEventSource, target: FocusTarget): Disposable {
  const focus = new CallAudioFocus(target);
  return events.on((event) => {
    if (event.name === 'calls.changed') focus.update(event.payload);
  });
}
