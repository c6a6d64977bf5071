/**
 * A mirror of the phone's calls: `calls.list` on start, then every `calls.changed` (one whole snapshot
 * per change). The call layer decides everything (states, who is on hold when another call is
 * resumed — `calls.resume` holds the others); this store only keeps the snapshots and sends commands.
 *
 * An ended call stays for CALL_ENDED_LINGER_MS, so the call view can say how it ended, then goes.
 * Contact names come from the call log: main matches the caller to the address book when it writes the
 * call's row, and `history.changed` carries that row (with the same id as the call).
 *
 * Which call the call view shows ("current"): the one the user picked while it is up, otherwise the
 * most engaged one — talking, then early media, ringing out, dialling, held by the other side, held.
 * A call ringing here is not current until it is answered: the incoming banner offers it.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { IpcError, IpcResult } from '../../../src-shared/ipc/index.ts';
import type { CallSnapshot, CallState, RejectReason } from '../../../src-shared/model/call.ts';
import type { HistoryChange } from '../../../src-shared/model/history.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

/** How long an ended call stays on screen (its reason shown), in ms. */
export const CALL_ENDED_LINGER_MS = 4000;

/** How engaged a call in each state is: the current call is the most engaged one. */
const ENGAGEMENT: Readonly<Record<CallState, number>> = {
  active: 6,
  early: 5,
  ringing: 4,
  dialing: 3,
  'remote-held': 2,
  held: 1,
  ended: 0,
};

/**
 * A call that rings here, waiting for answer or decline. A call that replaces one of ours (we are the
 * target of an attended transfer) is accepted by the phone itself and never offered.
 */
export function isIncomingRinging(call: CallSnapshot): boolean {
  return call.direction === 'incoming' && call.state === 'ringing' && call.replaces === undefined;
}

/** `calls` with `snapshot` in place of the call of the same id (added when new), oldest first. */
export function upsertCall(calls: readonly CallSnapshot[], snapshot: CallSnapshot): CallSnapshot[] {
  const next = calls.filter((c) => c.id !== snapshot.id);
  next.push(snapshot);
  return next.sort((a, b) => a.startedAt - b.startedAt);
}

/** The call the call view shows (see the file comment), or null. */
export function currentCallOf(
  calls: readonly CallSnapshot[],
  selectedId: string | null,
): CallSnapshot | null {
  const candidates = calls.filter((c) => !isIncomingRinging(c));
  const selected = candidates.find((c) => c.id === selectedId);
  if (selected && selected.state !== 'ended') return selected;
  let best: CallSnapshot | null = null;
  for (const call of candidates) {
    if (call.state === 'ended') continue;
    if (
      best === null ||
      ENGAGEMENT[call.state] > ENGAGEMENT[best.state] ||
      (ENGAGEMENT[call.state] === ENGAGEMENT[best.state] && call.startedAt >= best.startedAt)
    )
      best = call;
  }
  if (best) return best;
  // nothing is up: the call that ended last, while it lingers (the selected one first)
  if (selected) return selected;
  return [...candidates].sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0)).at(-1) ?? null;
}

export const useCallsStore = defineStore('calls', () => {
  const api = usePhoneApi();
  const calls = shallowRef<readonly CallSnapshot[]>([]);
  const selectedId = ref<string | null>(null);
  /** Contact names by call id, from the call log rows main wrote for the calls. */
  const contactNames = shallowRef<ReadonlyMap<string, string>>(new Map());
  /** Why the last command failed (shown by the call view), null after one succeeded. */
  const failure = shallowRef<IpcError | null>(null);
  /** Why `calls.list` failed at start (the events still keep the mirror up to date). */
  const loadFailure = shallowRef<IpcError | null>(null);
  const loaded = ref(false);
  const lingering = new Map<string, number>();
  /** Ids that changed since start: the list answer must not overwrite newer snapshots. */
  const seen = new Set<string>();
  const unsubscribes: Array<() => void> = [];

  const live = computed(() => calls.value.filter((c) => c.state !== 'ended'));
  const incoming = computed(() => calls.value.filter(isIncomingRinging));
  /** Calls shown in the call view's list (not those ringing here). */
  const shown = computed(() => calls.value.filter((c) => !isIncomingRinging(c)));
  const current = computed(() => currentCallOf(calls.value, selectedId.value));

  function take(snapshot: CallSnapshot): void {
    calls.value = upsertCall(calls.value, snapshot);
    if (snapshot.state === 'ended') linger(snapshot.id);
  }

  function linger(id: string): void {
    if (lingering.has(id)) return;
    lingering.set(
      id,
      window.setTimeout(() => {
        lingering.delete(id);
        calls.value = calls.value.filter((c) => c.id !== id);
        if (selectedId.value === id) selectedId.value = null;
      }, CALL_ENDED_LINGER_MS),
    );
  }

  function onHistory(change: HistoryChange): void {
    const entry = change.entry;
    if (!entry?.contact || contactNames.value.get(entry.id) === entry.contact.name) return;
    contactNames.value = new Map(contactNames.value).set(entry.id, entry.contact.name);
  }

  async function start(): Promise<void> {
    if (unsubscribes.length === 0) {
      unsubscribes.push(
        api.on('calls.changed', (snapshot) => {
          seen.add(snapshot.id);
          take(snapshot);
        }),
        api.on('history.changed', onHistory),
      );
    }
    try {
      const list = await api.call('calls.list', {});
      for (const snapshot of list) if (!seen.has(snapshot.id)) take(snapshot);
      loaded.value = true;
      loadFailure.value = null;
    } catch (error) {
      loadFailure.value = failureOf(error);
    }
  }

  async function command(run: () => Promise<CallSnapshot>): Promise<IpcResult<CallSnapshot>> {
    try {
      const snapshot = await run();
      failure.value = null;
      // An event may have brought a newer snapshot already; the answer only adds calls not seen yet.
      if (!seen.has(snapshot.id)) {
        seen.add(snapshot.id);
        take(snapshot);
      }
      return { ok: true, value: snapshot };
    } catch (error) {
      const problem = failureOf(error);
      failure.value = problem;
      return { ok: false, error: problem };
    }
  }

  /** Places a call (other calls go on hold) and makes it the current one. */
  async function dial(target: string, accountId?: string | null): Promise<IpcResult<CallSnapshot>> {
    const result = await command(() =>
      api.call('calls.dial', { target, ...(accountId ? { accountId } : {}) }),
    );
    if (result.ok) selectedId.value = result.value.id;
    return result;
  }

  async function answer(callId: string): Promise<IpcResult<CallSnapshot>> {
    selectedId.value = callId;
    return command(() => api.call('calls.answer', { callId }));
  }

  const reject = (callId: string, reason?: RejectReason) =>
    command(() => api.call('calls.reject', { callId, ...(reason ? { reason } : {}) }));
  const hangup = (callId: string) => command(() => api.call('calls.hangup', { callId }));
  const hold = (callId: string) => command(() => api.call('calls.hold', { callId }));
  const resume = (callId: string) => command(() => api.call('calls.resume', { callId }));
  const mute = (callId: string, muted: boolean) => command(() => api.call('calls.mute', { callId, muted }));
  const sendDtmf = (callId: string, digits: string) =>
    command(() => api.call('calls.sendDtmf', { callId, digits }));
  const transferTo = (callId: string, target: string) =>
    command(() => api.call('calls.transfer', { callId, target }));
  /** Attended transfer: the far end of `callId` is connected to the far end of `replacesCallId`. */
  const transferReplacing = (callId: string, replacesCallId: string) =>
    command(() => api.call('calls.transfer', { callId, replacesCallId }));

  /**
   * Shows another call. A call we put on hold is taken off hold (the phone then holds the one that was
   * talking); others are only shown.
   */
  async function switchTo(callId: string): Promise<void> {
    selectedId.value = callId;
    const call = calls.value.find((c) => c.id === callId);
    if (call?.state === 'held') await resume(callId);
  }

  function contactNameOf(callId: string): string | null {
    return contactNames.value.get(callId) ?? null;
  }

  function clearFailure(): void {
    failure.value = null;
  }

  function stop(): void {
    for (const off of unsubscribes.splice(0)) off();
    for (const timer of lingering.values()) window.clearTimeout(timer);
    lingering.clear();
  }

  return {
    calls,
    live,
    incoming,
    shown,
    current,
    selectedId,
    contactNames,
    failure,
    loadFailure,
    loaded,
    start,
    dial,
    answer,
    reject,
    hangup,
    hold,
    resume,
    mute,
    sendDtmf,
    transferTo,
    transferReplacing,
    switchTo,
    contactNameOf,
    clearFailure,
    stop,
  };
});
