/**
 * What the dial pad offers while the user dials: recently called numbers (from the call log, latest
 * first) when the field is empty, and contacts whose name or number matches what is typed.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { Contact } from '../../../src-shared/model/contact.ts';
import type { HistoryEntry } from '../../../src-shared/model/history.ts';
import { usePhoneApi } from '../api/index.ts';
import { dialStringOfUri } from '../address/index.ts';

/** How many recent numbers and contact matches are offered. */
export const RECENT_NUMBERS_MAX = 5;
export const CONTACT_SUGGESTIONS_MAX = 5;
/** How much of the call log is read to find the recent numbers. */
const RECENT_SCAN = 50;

export interface RecentNumber {
  /** What goes into the dial pad. */
  target: string;
  /** The contact's or caller's name, when known. */
  name: string | null;
  direction: HistoryEntry['direction'];
  at: number;
}

/** Distinct remote parties of the calls, latest first (the log is newest first already). */
export function recentNumbersOf(entries: readonly HistoryEntry[], max = RECENT_NUMBERS_MAX): RecentNumber[] {
  const seen = new Set<string>();
  const out: RecentNumber[] = [];
  for (const entry of entries) {
    const target = dialStringOfUri(entry.remoteUri);
    if (!target || seen.has(target.toLowerCase())) continue;
    seen.add(target.toLowerCase());
    out.push({
      target,
      name: entry.contact?.name ?? (entry.remoteDisplayName || null),
      direction: entry.direction,
      at: entry.startedAt,
    });
    if (out.length >= max) break;
  }
  return out;
}

export const useDialSuggestionsStore = defineStore('dialSuggestions', () => {
  const api = usePhoneApi();
  const recent = shallowRef<readonly RecentNumber[]>([]);
  const contacts = shallowRef<readonly Contact[]>([]);
  let generation = 0;

  async function loadRecent(): Promise<void> {
    try {
      const page = await api.call('history.page', { limit: RECENT_SCAN });
      recent.value = recentNumbersOf(page.entries);
    } catch {
      // suggestions are a convenience: without them the dial pad works the same
      recent.value = [];
    }
  }

  /** Contacts matching `text` (nothing for an empty text); older answers are dropped. */
  async function suggest(text: string): Promise<void> {
    const mine = ++generation;
    const search = text.trim().slice(0, 100);
    if (!search) {
      contacts.value = [];
      return;
    }
    try {
      const list = await api.call('contacts.list', { search, limit: CONTACT_SUGGESTIONS_MAX });
      if (mine === generation) contacts.value = list.filter((c) => c.addresses.length > 0);
    } catch {
      if (mine === generation) contacts.value = [];
    }
  }

  return { recent, contacts, loadRecent, suggest };
});
