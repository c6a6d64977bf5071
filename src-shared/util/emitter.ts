/**
 * A tiny typed event source. Every subscription returns a `Disposable`, so owners can
 * release exactly what they took and tests can assert that nothing is left listening.
 */

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private listeners: Listener<T>[] = [];

  /** Subscribe; the returned handle removes exactly this subscription. */
  on(listener: Listener<T>): Disposable {
    this.listeners.push(listener);
    return {
      dispose: () => {
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      },
    };
  }

  /** Subscribe for the next value only. */
  once(listener: Listener<T>): Disposable {
    const sub = this.on((v) => {
      sub.dispose();
      listener(v);
    });
    return sub;
  }

  /** Deliver to a snapshot of the current listeners (listeners may unsubscribe while being called). */
  emit(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  clear(): void {
    this.listeners = [];
  }
}

/** Collects disposables so an owner can release everything it holds in one call. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<D extends Disposable>(d: D): D {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  dispose(): void {
    this.disposed = true;
    const items = this.items;
    this.items = [];
    for (const d of items.reverse()) d.dispose();
  }
}

/** For exhaustive switches over unions: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
