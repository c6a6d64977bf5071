/**
 * The NAT check as the Diagnostics screen shows it: the latest report (`diagnostics.lastReport` on
 * start, then every `diagnostics.report` — also those of checks the phone re-ran after a network
 * change), and while a check runs, its steps as `diagnostics.progress` reports them.
 *
 * `running` is true from `run()` (or from the first progress event of a check the phone started by
 * itself) until its report arrives or the run fails.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { IpcError } from '../../../src-shared/ipc/index.ts';
import type { NatCheckProgress, NatCheckRequest, NatReport } from '../../../src-shared/model/nat.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

/** Progress lines kept for one check (a check with many servers reports many). */
export const NAT_PROGRESS_MAX = 60;

export const useNatCheckStore = defineStore('natCheck', () => {
  const api = usePhoneApi();
  const report = shallowRef<NatReport | null>(null);
  const loaded = ref(false);
  const running = ref(false);
  const progress = shallowRef<readonly NatCheckProgress[]>([]);
  /** Why the last run or the last-report read failed. */
  const failure = shallowRef<IpcError | null>(null);
  const unsubscribes: Array<() => void> = [];

  function onProgress(step: NatCheckProgress): void {
    if (!running.value) {
      running.value = true;
      progress.value = [];
    }
    progress.value = [...progress.value, step].slice(-NAT_PROGRESS_MAX);
  }

  function onReport(next: NatReport): void {
    report.value = next;
    running.value = false;
    loaded.value = true;
  }

  async function start(): Promise<void> {
    if (unsubscribes.length === 0) {
      unsubscribes.push(api.on('diagnostics.progress', onProgress), api.on('diagnostics.report', onReport));
    }
    try {
      const last = await api.call('diagnostics.lastReport', {});
      // a report that arrived as an event meanwhile is at least as new
      if (report.value === null) report.value = last;
      loaded.value = true;
      failure.value = null;
    } catch (error) {
      failure.value = failureOf(error);
    }
  }

  /** Runs one check; answers whether it produced a report (the reason is in `failure` otherwise). */
  async function run(request: NatCheckRequest): Promise<boolean> {
    if (running.value) return false;
    running.value = true;
    progress.value = [];
    failure.value = null;
    try {
      onReport(await api.call('diagnostics.run', request));
      return true;
    } catch (error) {
      failure.value = failureOf(error);
      running.value = false;
      return false;
    }
  }

  function stop(): void {
    for (const off of unsubscribes.splice(0)) off();
  }

  return { report, loaded, running, progress, failure, start, run, stop };
});
