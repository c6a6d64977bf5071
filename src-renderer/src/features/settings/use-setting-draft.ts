import { ref, watch, type Ref } from 'vue';

/**
 * The value a settings control shows. It follows the mirrored setting (`current`); when the user changes
 * it, `save` sends the change, and if the phone refuses, the control returns to the setting's value — so
 * a control never shows a value the phone does not have.
 */
export function useSettingDraft<T>(current: () => T, save: (value: T) => Promise<boolean>): Ref<T> {
  const draft = ref(current()) as Ref<T>;
  watch(current, (value) => {
    draft.value = value;
  });
  watch(draft, async (value) => {
    if (value === current()) return;
    if (!(await save(value))) draft.value = current();
  });
  return draft;
}
