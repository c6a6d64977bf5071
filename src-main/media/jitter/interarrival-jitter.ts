/**
 * The interarrival jitter estimator of RFC 3550 §6.4.1 / §A.8:
 *
 *     D(i-1,i) = (R_i − R_{i−1}) − (S_i − S_{i−1}) = transit_i − transit_{i−1}
 *     J(i) = J(i−1) + (|D(i−1,i)| − J(i−1)) / 16
 *
 * computed "for each data packet i received … in order of arrival, not necessarily in sequence".
 * Here the transit times are in milliseconds, so J is in milliseconds too (RTCP reports want it in
 * timestamp units: multiply by clockRate/1000).
 */
export class InterarrivalJitter {
  private previousTransitMs: number | null = null;
  private jitter = 0;

  /** The current estimate J in ms. */
  get jitterMs(): number {
    return this.jitter;
  }

  /** Feeds one packet's transit time (arrival time − media time, both in ms). */
  update(transitMs: number): void {
    if (this.previousTransitMs !== null) {
      const d = Math.abs(transitMs - this.previousTransitMs);
      this.jitter += (d - this.jitter) / 16;
    }
    this.previousTransitMs = transitMs;
  }

  /** Forget the previous transit (after a timeline change) but keep the estimate. */
  restart(): void {
    this.previousTransitMs = null;
  }
}
