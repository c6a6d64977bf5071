/**
 * Checking a settings change before it is sent, with the contract's own `Settings` schema applied to the
 * settings as they would be after the patch (cross-field rules such as port ranges included), and the
 * first problem as a message for the field.
 */
import { Settings, type SettingsPatch } from '../../../../src-shared/model/settings.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `current` with `patch` applied the way the phone applies it: objects merge, arrays and values replace. */
export function mergeSettings(current: unknown, patch: unknown): unknown {
  if (!isPlainObject(current) || !isPlainObject(patch)) return patch === undefined ? current : patch;
  const out: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) out[key] = mergeSettings(out[key], value);
  }
  return out;
}

type Issue = NonNullable<ReturnType<typeof Settings.safeParse>['error']>['issues'][number];

/** The schema's refinement messages (src-shared/model/settings.ts), by the message each one gives. */
const REFINEMENTS: Readonly<Record<string, LocalizedMessage>> = {
  'min must not exceed max': { key: 'settings.errors.portOrder' },
  'codec listed twice': { key: 'settings.errors.codecTwice' },
};

export function messageOfSettingsIssue(issue: Issue): LocalizedMessage {
  switch (issue.code) {
    case 'too_small':
      return { key: 'settings.errors.atLeast', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: 'settings.errors.atMost', params: { max: Number(issue.maximum) } };
    case 'invalid_type':
      return { key: 'settings.errors.wholeNumber' };
    case 'invalid_format':
      return issue.path[0] === 'shortcuts'
        ? { key: 'settings.errors.accelerator' }
        : { key: 'settings.errors.invalid', params: { message: issue.message } };
    case 'custom':
      return (
        REFINEMENTS[issue.message] ?? { key: 'settings.errors.invalid', params: { message: issue.message } }
      );
    default:
      return { key: 'settings.errors.invalid', params: { message: issue.message } };
  }
}

/** What is wrong with applying `patch` to `current`, or null when the phone should take it. */
export function settingsPatchProblem(current: Settings, patch: SettingsPatch): LocalizedMessage | null {
  const parsed = Settings.safeParse(mergeSettings(current, patch));
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  return issue ? messageOfSettingsIssue(issue) : null;
}

/** A number typed into a field: an empty or non-numeric text is NaN (and the schema says so). */
export function numberOfText(text: string | number): number {
  if (typeof text === 'number') return text;
  return text.trim() === '' ? Number.NaN : Number(text);
}
