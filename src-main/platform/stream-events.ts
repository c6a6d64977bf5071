/**
 * The event half of a StreamConnection, shared by the real and the in-memory implementation so both keep
 * the same promises (see StreamConnection in ports.ts):
 *  - data that arrives before anyone subscribed is kept and handed, in a microtask, to the first
 *    subscriber (a connection is handed over before its owner can subscribe); with nothing kept, the
 *    first subscriber gets data directly from then on;
 *  - close fires exactly once; a late subscriber still hears it, in a microtask; a close never overtakes
 *    kept data that is about to be handed over.
 */
import { Emitter } from '../../src-shared/util/emitter.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';

export class StreamConnectionEvents {
  private readonly data = new Emitter<Buffer>();
  private readonly closed = new Emitter<Error | undefined>();
  /** Data kept until the first data subscriber's flush has run; undefined afterwards. */
  private early: Buffer[] | undefined = [];
  private flushScheduled = false;
  private ending: { error: Error | undefined } | undefined;

  get hasEnded(): boolean {
    return this.ending !== undefined;
  }

  onData(listener: (data: Buffer) => void): Disposable {
    const subscription = this.data.on(listener);
    if (this.early !== undefined && this.early.length === 0) {
      // Nothing kept: deliver directly from now on.
      this.early = undefined;
    } else if (this.early !== undefined && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        const chunks = this.early ?? [];
        this.early = undefined;
        for (const chunk of chunks) this.data.emit(chunk);
      });
    }
    return subscription;
  }

  onClose(listener: (error?: Error) => void): Disposable {
    if (this.ending === undefined) return this.closed.on(listener);
    const error = this.ending.error;
    let live = true;
    queueMicrotask(() => {
      if (live) listener(error);
    });
    return {
      dispose: () => {
        live = false;
      },
    };
  }

  /** Hand received bytes to the subscribers (or keep them for the first one). */
  deliver(chunk: Buffer): void {
    if (this.ending !== undefined) return;
    if (this.early !== undefined) this.early.push(chunk);
    else this.data.emit(chunk);
  }

  /** Report the end once; returns false if it had already been reported. */
  end(error?: Error): boolean {
    if (this.ending !== undefined) return false;
    this.ending = { error };
    const emit = (): void => {
      this.closed.emit(error);
      this.closed.clear();
      if (this.early === undefined) this.data.clear();
    };
    // A scheduled flush of kept data runs first; the close follows it in the microtask queue.
    if (this.flushScheduled && this.early !== undefined) queueMicrotask(emit);
    else emit();
    return true;
  }
}
