import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import type { SettingsPatch } from '../../../../src-shared/model/settings.ts';
import type { LocalizedMessage } from '../../i18n/index.ts';
import { useSettingsStore } from '../../stores/index.ts';
import { settingsPatchProblem } from './settings-validation.ts';

export interface SettingField<T> {
  /** What the control shows. */
  draft: Ref<T>;
  /** Why the last change was not taken (checked here, or refused by the phone as invalid). */
  error: ShallowRef<LocalizedMessage | null>;
  /** Checks and sends `draft` (or `value`); answers whether the phone has it now. */
  commit(value?: T): Promise<boolean>;
}

export interface SettingFieldOptions {
  /**
   * Return the control to the stored value when a change is not taken (lists, check boxes). Text
   * fields keep what was typed, with the message, so it can be corrected.
   */
  revert?: boolean;
}

/**
 * One settings control: the draft it shows follows the mirrored setting; a change is checked against
 * the contract's schema first (the message goes next to the control and nothing is sent), then sent
 * with `settings.set`. An `invalid-request` answer is shown at the control; other failures (storage,
 * the phone unreachable) go to the screen's banner through the store's `saveFailure`.
 */
export function useSettingField<T>(
  current: () => T | undefined,
  patchOf: (value: T) => SettingsPatch,
  initial: T,
  options: SettingFieldOptions = {},
): SettingField<T> {
  const settings = useSettingsStore();
  const draft = ref(current() ?? initial) as Ref<T>;
  const error = shallowRef<LocalizedMessage | null>(null);

  const same = (a: T | undefined, b: T | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

  // another field's change replaces the whole snapshot: only a change of this setting resets the control
  watch(current, (value, previous) => {
    if (value === undefined || same(value, previous)) return;
    draft.value = value;
    error.value = null;
  });

  async function commit(value: T = draft.value): Promise<boolean> {
    draft.value = value;
    const snapshot = settings.snapshot;
    if (!snapshot) return false;
    if (same(value, current())) {
      error.value = null;
      return true;
    }
    const patch = patchOf(value);
    const problem = settingsPatchProblem(snapshot, patch);
    if (problem) {
      error.value = problem;
      if (options.revert) draft.value = current() ?? initial;
      return false;
    }
    const failure = await settings.save(patch);
    if (failure === null) {
      error.value = null;
      draft.value = current() ?? initial;
      return true;
    }
    error.value =
      failure.code === 'invalid-request'
        ? { key: 'settings.errors.refused', params: { message: failure.message } }
        : null;
    if (options.revert) draft.value = current() ?? initial;
    return false;
  }

  return { draft, error, commit };
}
