/**
 * Settings, validated by the schemas in src-shared/model/settings.ts. One row per group, the group as
 * JSON. Reading is forgiving field by field: a field that is missing (added by a newer version of the
 * app's defaults) or no longer valid (the schema tightened) takes its default, unknown stored fields are
 * ignored, and a group that fails its cross-field rules falls back to the default group. Writing is
 * strict: a patch is applied only if the merged settings validate, otherwise the issues come back as a
 * value and nothing is written.
 */
import type Database from 'better-sqlite3';
import {
  DEFAULT_SETTINGS,
  SETTINGS_FIELDS,
  SETTINGS_GROUP_SCHEMAS,
  SETTINGS_GROUPS,
  Settings,
  SettingsPatch,
} from '../../src-shared/model/settings.ts';
import type { SettingsGroup } from '../../src-shared/model/settings.ts';
import type { z } from 'zod';
import { StatementCache } from './statement-cache.ts';
import { invalid, ok } from './result.ts';
import type { InvalidInputError, Result } from './result.ts';

export class SettingsRepository {
  private readonly db: Database.Database;
  private readonly sql: StatementCache;

  constructor(db: Database.Database) {
    this.db = db;
    this.sql = new StatementCache(db);
  }

  get(): Settings {
    const rows = this.sql
      .get<[], { group_name: string; value: string }>('SELECT group_name, value FROM settings')
      .all();
    const stored = new Map(rows.map((r) => [r.group_name, r.value]));
    const settings: Record<string, unknown> = {};
    for (const group of SETTINGS_GROUPS) settings[group] = readGroup(group, stored.get(group));
    return Settings.parse(settings);
  }

  /** Applies a patch; returns the new settings, or the validation issues (and changes nothing). */
  patch(patch: SettingsPatch): Result<Settings, InvalidInputError> {
    const parsedPatch = SettingsPatch.safeParse(patch);
    if (!parsedPatch.success) return invalid(parsedPatch.error);
    return this.db
      .transaction(() => {
        const current = this.get();
        const merged: Record<string, unknown> = { ...current };
        const changed: SettingsGroup[] = [];
        for (const group of SETTINGS_GROUPS) {
          const fields = parsedPatch.data[group];
          if (fields === undefined) continue;
          merged[group] = { ...current[group], ...fields };
          changed.push(group);
        }
        const next = Settings.safeParse(merged);
        if (!next.success) return invalid(next.error);
        const upsert = this.sql.get(
          `INSERT INTO settings (group_name, value) VALUES (?, ?)
         ON CONFLICT (group_name) DO UPDATE SET value = excluded.value`,
        );
        for (const group of changed) upsert.run(group, JSON.stringify(next.data[group]));
        return ok(next.data);
      })
      .immediate();
  }

  /** Back to the defaults (all groups, or one). */
  reset(group?: SettingsGroup): Settings {
    if (group === undefined) this.sql.get('DELETE FROM settings').run();
    else this.sql.get('DELETE FROM settings WHERE group_name = ?').run(group);
    return this.get();
  }
}

/** A stored group, field by field over the defaults; the default group if the result breaks group rules. */
function readGroup(group: SettingsGroup, json: string | undefined): unknown {
  const defaults: Record<string, unknown> = DEFAULT_SETTINGS[group];
  if (json === undefined) return defaults;
  const stored: unknown = JSON.parse(json);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return defaults;
  const fields: Record<string, z.ZodType> = SETTINGS_FIELDS[group];
  const value: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields)) {
    const field = schema.safeParse((stored as Record<string, unknown>)[name]);
    value[name] = field.success && Object.hasOwn(stored, name) ? field.data : defaults[name];
  }
  const checked = SETTINGS_GROUP_SCHEMAS[group].safeParse(value);
  return checked.success ? checked.data : defaults;
}
