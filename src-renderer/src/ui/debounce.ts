import { onScopeDispose } from 'vue';

/** How long typing must pause before a search goes out. */
export const SEARCH_DEBOUNCE_MS = 250;

export interface Debounced<A extends unknown[]> {
  /** Runs `fn` with these arguments once nothing new came for the delay. */
  call(...args: A): void;
  /** Runs a pending call now. */
  flush(): void;
  cancel(): void;
}

/** `fn` called once input pauses for `ms`; a pending call is dropped when the calling scope ends. */
export function useDebounced<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const cancel = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = undefined;
  };
  const flush = (): void => {
    const args = pending;
    cancel();
    if (args) fn(...args);
  };
  onScopeDispose(cancel);
  return {
    call(...args) {
      if (timer !== undefined) clearTimeout(timer);
      pending = args;
      timer = setTimeout(flush, ms);
    },
    flush,
    cancel,
  };
}
