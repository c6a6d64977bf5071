/** A growable first-in first-out queue of 16-bit samples (a ring buffer). */
export class SampleFifo {
  private ring: Int16Array;
  private start = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.ring = new Int16Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  push(samples: ArrayLike<number>): void {
    this.reserve(this.count + samples.length);
    const capacity = this.ring.length;
    let at = (this.start + this.count) % capacity;
    for (let i = 0; i < samples.length; i++) {
      this.ring[at] = samples[i]!;
      at = at + 1 === capacity ? 0 : at + 1;
    }
    this.count += samples.length;
  }

  /** Removes and returns the oldest `n` samples (n ≤ length). */
  shift(n: number): Int16Array {
    const out = new Int16Array(n);
    this.shiftInto(out, 0, n);
    return out;
  }

  /** Removes the oldest `n` samples into `target` at `offset`. */
  shiftInto(target: Int16Array, offset: number, n: number): void {
    if (n > this.count) throw new RangeError(`FIFO holds ${this.count} samples, ${n} requested`);
    const capacity = this.ring.length;
    const first = Math.min(n, capacity - this.start);
    target.set(this.ring.subarray(this.start, this.start + first), offset);
    if (n > first) target.set(this.ring.subarray(0, n - first), offset + first);
    this.start = (this.start + n) % capacity;
    this.count -= n;
  }

  /** Drops the oldest `n` samples. */
  discard(n: number): void {
    const k = Math.min(n, this.count);
    this.start = (this.start + k) % this.ring.length;
    this.count -= k;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.ring.length) return;
    let size = this.ring.length;
    while (size < capacity) size *= 2;
    const held = this.count;
    const next = new Int16Array(size);
    this.shiftInto(next, 0, held);
    this.ring = next;
    this.start = 0;
    this.count = held;
  }
}
