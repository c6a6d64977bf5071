/**
 * A mirror of the phone's SIP log (main keeps the ring, redacted, in memory only): `siplog.status` and
 * `siplog.recent` when the SIP log screen opens, then the `siplog.messages` batches and `siplog.changed`
 * statuses. Entries are kept oldest first, at most as many as the ring holds; a batch that says it
 * skipped messages (a storm) is followed by a catch-up read of everything after the last entry that
 * was here before that batch.
 *
 * When the ring is empty (cleared), so is the mirror. Export reads from main (`siplog.export`), so it
 * always has the whole log, not only what this window received.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { IpcError, IpcResult } from '../../../src-shared/ipc/index.ts';
import {
  SIPLOG_MAX_MESSAGES,
  type SipLogBatch,
  type SipLogEntry,
  type SipLogExport,
  type SipLogExportRequest,
  type SipLogStatus,
} from '../../../src-shared/model/siplog.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

/** `existing` and `incoming` (both oldest first) as one list by seq, without repeats, the newest `max` kept. */
export function mergeSipLogEntries(
  existing: readonly SipLogEntry[],
  incoming: readonly SipLogEntry[],
  max = SIPLOG_MAX_MESSAGES,
): SipLogEntry[] {
  if (incoming.length === 0) return existing.slice(-max);
  const last = existing.at(-1)?.seq ?? -1;
  // The usual case: everything new comes after what is here.
  if (incoming.every((e, i) => e.seq > last && (i === 0 || e.seq > (incoming[i - 1]?.seq ?? -1)))) {
    return [...existing, ...incoming].slice(-max);
  }
  const bySeq = new Map<number, SipLogEntry>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-max);
}

export const useSipLogStore = defineStore('sipLog', () => {
  const api = usePhoneApi();
  const entries = shallowRef<readonly SipLogEntry[]>([]);
  const status = shallowRef<SipLogStatus | null>(null);
  const loaded = ref(false);
  const failure = shallowRef<IpcError | null>(null);
  const unsubscribes: Array<() => void> = [];
  let catchingUp = false;

  function limit(): number {
    return Math.min(SIPLOG_MAX_MESSAGES, status.value?.maxMessages ?? SIPLOG_MAX_MESSAGES);
  }

  function onBatch(batch: SipLogBatch): void {
    // the skipped messages are older than the batch's: read everything after what was here before it
    const before = entries.value.at(-1)?.seq;
    entries.value = mergeSipLogEntries(entries.value, batch.entries, limit());
    if (batch.skipped > 0) void catchUp(before);
  }

  function onStatus(next: SipLogStatus): void {
    status.value = next;
    if (next.messages === 0) entries.value = [];
  }

  /** Reads what a batch skipped: every entry after `last` (the newest one here before the batch). */
  async function catchUp(last: number | undefined): Promise<void> {
    if (catchingUp) return;
    catchingUp = true;
    try {
      const more = await api.call('siplog.recent', last === undefined ? {} : { afterSeq: last });
      entries.value = mergeSipLogEntries(entries.value, more, limit());
    } catch (error) {
      failure.value = failureOf(error);
    } finally {
      catchingUp = false;
    }
  }

  async function start(): Promise<void> {
    if (unsubscribes.length === 0) {
      unsubscribes.push(api.on('siplog.messages', onBatch), api.on('siplog.changed', onStatus));
    }
    try {
      const [now, recent] = await Promise.all([api.call('siplog.status', {}), api.call('siplog.recent', {})]);
      status.value = now;
      // batches that arrived meanwhile are merged in, not lost
      entries.value = mergeSipLogEntries(recent, entries.value, limit());
      loaded.value = true;
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  async function result<T>(run: () => Promise<T>): Promise<IpcResult<T>> {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  const setEnabled = (enabled: boolean) =>
    result(async () => {
      const next = await api.call('siplog.setEnabled', { enabled });
      onStatus(next);
      return next;
    });

  const clear = () =>
    result(async () => {
      const next = await api.call('siplog.clear', {});
      onStatus(next);
      return next;
    });

  const exportLog = (request: SipLogExportRequest): Promise<IpcResult<SipLogExport>> =>
    result(() => api.call('siplog.export', request));

  function stop(): void {
    for (const off of unsubscribes.splice(0)) off();
  }

  return { entries, status, loaded, failure, start, setEnabled, clear, exportLog, stop };
});
