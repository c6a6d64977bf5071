/**
 * The replay list of RFC 3711 §3.3.2: "a sliding window ... the receiver checks if the packet index is
 * within the window and, if so, whether it was already received". Indices above the window are new; a
 * packet is only recorded (`accept`) once it authenticated, so forged packets cannot move the window.
 *
 *        older than the window      window (size W, bit i = top − i received)      new
 *      ──────────────────────────┤ top−W+1 ………………………………………………… top ├──────────────────▶ index
 *        'too-old'                  'replayed' if its bit is set, else 'fresh'     'fresh'
 *
 * RFC 3711 asks for at least 64; we keep 128 (libsrtp's default too), which tolerates the reordering of
 * a jittery path without dropping late but genuine packets.
 */
export type ReplayVerdict = 'fresh' | 'replayed' | 'too-old';

export const DEFAULT_REPLAY_WINDOW = 128;

export class SrtpReplayWindow {
  readonly size: number;
  /** The highest index accepted; undefined until the first. */
  #top: number | undefined;
  /** Bit i set: index top − i was accepted. */
  #seen = 0n;

  constructor(size = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 64) throw new RangeError('the replay window must be at least 64');
    this.size = size;
  }

  get top(): number | undefined {
    return this.#top;
  }

  check(index: number): ReplayVerdict {
    const top = this.#top;
    if (top === undefined || index > top) return 'fresh';
    const behind = top - index;
    if (behind >= this.size) return 'too-old';
    return (this.#seen >> BigInt(behind)) & 1n ? 'replayed' : 'fresh';
  }

  /** Records an authenticated packet (its verdict was `fresh`). */
  accept(index: number): void {
    const top = this.#top;
    if (top === undefined) {
      this.#top = index;
      this.#seen = 1n;
      return;
    }
    const mask = (1n << BigInt(this.size)) - 1n;
    if (index > top) {
      const ahead = index - top;
      this.#seen = ahead >= this.size ? 1n : ((this.#seen << BigInt(ahead)) | 1n) & mask;
      this.#top = index;
      return;
    }
    const behind = top - index;
    if (behind < this.size) this.#seen |= 1n << BigInt(behind);
  }
}
