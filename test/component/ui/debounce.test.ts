import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useDebounced } from '../../../src-renderer/src/ui/index.ts';

afterEach(() => vi.useRealTimers());

describe('useDebounced', () => {
  it('calls once input pauses, with the last arguments; flush runs it now; the scope ending drops it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const calls: string[] = [];
    const scope = effectScope();
    const debounced = scope.run(() => useDebounced((text: string) => calls.push(text), 250))!;
    debounced.call('a');
    vi.advanceTimersByTime(200);
    debounced.call('ab');
    vi.advanceTimersByTime(249);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['ab']);
    debounced.call('abc');
    debounced.flush();
    expect(calls).toEqual(['ab', 'abc']);
    debounced.call('abcd');
    scope.stop();
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual(['ab', 'abc']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
