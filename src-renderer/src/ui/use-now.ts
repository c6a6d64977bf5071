/**
 * The current time as a ref that moves on every `intervalMs` while the component lives (timers and
 * countdowns). One interval per component; it stops when the component goes.
 */
import { onScopeDispose, ref, type Ref } from 'vue';

export function useNow(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now());
  const timer = window.setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  onScopeDispose(() => window.clearInterval(timer));
  return now;
}
