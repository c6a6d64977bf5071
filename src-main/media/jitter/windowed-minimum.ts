/**
 * The minimum of the values added during the last `windowMs` (a monotonic deque: every value that can
 * no longer be the minimum is dropped on insertion, so each value is added and removed once).
 */
export class WindowedMinimum {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private head = 0;
  readonly windowMs: number;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  add(timeMs: number, value: number): void {
    while (this.values.length > this.head && this.values[this.values.length - 1]! >= value) {
      this.values.pop();
      this.times.pop();
    }
    this.values.push(value);
    this.times.push(timeMs);
    this.expire(timeMs);
  }

  /** The minimum over (latest time − windowMs, latest time]; undefined when empty. */
  get minimum(): number | undefined {
    return this.head < this.values.length ? this.values[this.head] : undefined;
  }

  clear(): void {
    this.times.length = 0;
    this.values.length = 0;
    this.head = 0;
  }

  private expire(nowMs: number): void {
    // Never expire the newest value: the window always holds at least the latest sample.
    while (this.head < this.values.length - 1 && this.times[this.head]! <= nowMs - this.windowMs) this.head++;
    if (this.head > 64 && this.head * 2 > this.values.length) {
      this.times.splice(0, this.head);
      this.values.splice(0, this.head);
      this.head = 0;
    }
  }
}
