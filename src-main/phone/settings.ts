/**
 * Where the phone keeps its settings. The store-backed implementation persists them in SQLite; the
 * in-memory one serves hosts without storage (and unit tests).
 */
import { DEFAULT_SETTINGS, Settings, type SettingsPatch } from '../../src-shared/model/settings.ts';
import { PhoneError } from '../../src-shared/ipc/index.ts';
import { describeIssues, type StorageAccess } from './storage-access.ts';

export interface SettingsStore {
  get(): Settings;
  /** Apply a validated patch; answers the complete new settings. */
  patch(patch: SettingsPatch): Settings;
}

export class InMemorySettings implements SettingsStore {
  private current: Settings;

  constructor(initial?: unknown) {
    this.current = Settings.parse(initial ?? DEFAULT_SETTINGS);
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  patch(patch: SettingsPatch): Settings {
    const merged = Settings.safeParse(deepMerge(this.current, patch));
    if (!merged.success)
      throw new PhoneError('invalid-request', merged.error.issues[0]?.message ?? 'invalid settings');
    this.current = merged.data;
    return this.get();
  }
}

/** Settings in the store (SettingsRepository): validated on write, read field by field with defaults. */
export class StoredSettings implements SettingsStore {
  private readonly storage: StorageAccess;

  constructor(storage: StorageAccess) {
    this.storage = storage;
  }

  get(): Settings {
    return this.storage.use('the settings', (store) => store.settings.get());
  }

  patch(patch: SettingsPatch): Settings {
    const next = this.storage.use('the settings', (store) => store.settings.patch(patch));
    if (!next.ok) throw new PhoneError('invalid-request', `settings: ${describeIssues(next.error.issues)}`);
    return next.value;
  }
}

/** Merge plain objects recursively; arrays and scalars in `patch` replace. */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
