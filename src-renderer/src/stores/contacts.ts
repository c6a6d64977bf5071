/**
 * A mirror of the address book as the Contacts screen shows it: the answer of `contacts.list` for the
 * current search (favourites first, then by name — the phone sorts). `contacts.changed` reloads it.
 * Answers that arrive after a newer search was started are dropped, so typing fast never shows the
 * results of an older search.
 *
 * Edits answer `IpcResult`s for the form to show; the list follows through the change event.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { IpcError, IpcResult } from '../../../src-shared/ipc/index.ts';
import {
  CONTACT_LIST_MAX,
  type Contact,
  type ContactAddressKind,
  type ContactInput,
  type VCardImportResult,
  type VCardVersion,
} from '../../../src-shared/model/contact.ts';
import { failureOf, usePhoneApi } from '../api/index.ts';

/** The longest search the contract takes. */
export const CONTACT_SEARCH_MAX = 100;

/** What a new contact starts with when another screen asks for it ("add to contacts" in History). */
export interface ContactSeed {
  name: string;
  address: { kind: ContactAddressKind; value: string };
}

export interface VCardExport {
  text: string;
  count: number;
}

export const useContactsStore = defineStore('contacts', () => {
  const api = usePhoneApi();
  const contacts = shallowRef<readonly Contact[]>([]);
  const search = ref('');
  /** True once a list has arrived (the empty state is only shown then). */
  const loaded = ref(false);
  const loading = ref(false);
  const failure = shallowRef<IpcError | null>(null);
  /** A contact another screen asked to add; the Contacts screen takes it when it opens. */
  const pendingSeed = shallowRef<ContactSeed | null>(null);
  let generation = 0;
  let unsubscribe: (() => void) | null = null;

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    const text = search.value.trim();
    try {
      const list = await api.call('contacts.list', text ? { search: text } : {});
      if (mine !== generation) return;
      contacts.value = list;
      failure.value = null;
      loaded.value = true;
    } catch (error) {
      if (mine === generation) failure.value = failureOf(error);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function start(): Promise<void> {
    unsubscribe ??= api.on('contacts.changed', () => void load());
    await load();
  }

  function setSearch(text: string): Promise<void> {
    search.value = text.slice(0, CONTACT_SEARCH_MAX);
    return load();
  }

  async function result<T>(run: () => Promise<T>): Promise<IpcResult<T>> {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  }

  const add = (input: ContactInput) => result(() => api.call('contacts.add', input));
  const update = (id: string, input: ContactInput) =>
    result(() => api.call('contacts.update', { id, contact: input }));
  const remove = (id: string) => result(() => api.call('contacts.remove', { id }));
  const importVCard = (text: string): Promise<IpcResult<VCardImportResult>> =>
    result(() => api.call('contacts.importVCard', { text }));
  const exportVCard = (version: VCardVersion): Promise<IpcResult<VCardExport>> =>
    result(() => api.call('contacts.exportVCard', { version }));

  function requestNewContact(seed: ContactSeed): void {
    pendingSeed.value = seed;
  }

  function takePendingSeed(): ContactSeed | null {
    const seed = pendingSeed.value;
    pendingSeed.value = null;
    return seed;
  }

  function stop(): void {
    unsubscribe?.();
    unsubscribe = null;
  }

  return {
    contacts,
    search,
    loaded,
    loading,
    failure,
    pendingSeed,
    /** The list is cut at this many contacts; a search narrows it. */
    limit: CONTACT_LIST_MAX,
    start,
    load,
    setSearch,
    add,
    update,
    remove,
    importVCard,
    exportVCard,
    requestNewContact,
    takePendingSeed,
    stop,
  };
});
