/**
 * The RTCP transmission interval of RFC 3550 §6.3.1 (the `rtcp_interval()` of §A.7).
 *
 *     C  = avg_rtcp_size / (share of the RTCP bandwidth)      seconds per packet of this group
 *     Td = max(Tmin, n · C)                                   deterministic interval
 *     T  = Td · U[0.5, 1.5] / (e − 3/2)                       randomized, compensated for reconsideration
 *
 * "If the number of senders is less than or equal to 25% of the membership (members), the interval
 * depends on whether the participant is a sender or not": senders share 25% of the RTCP bandwidth,
 * receivers 75%. Tmin is 5 s, halved ("2.5 seconds") before the first report (§6.2: "the initial RTCP
 * packet ... after half the minimum interval, to allow quicker notification that the new participant is
 * present"). With `random` fixed the interval is a pure function of its inputs, so tests can assert the
 * exact schedule.
 */

/** §6.2: the recommended minimum interval. */
export const RTCP_MIN_INTERVAL_MS = 5000;
/** §6.2: "the fraction of the session bandwidth added for RTCP be fixed at 5%". */
export const RTCP_BANDWIDTH_FRACTION = 0.05;
/** §6.3.1: "the fraction of the RTCP bandwidth ... dedicated to data senders ... 25%". */
export const RTCP_SENDER_BANDWIDTH_FRACTION = 0.25;
export const RTCP_RECEIVER_BANDWIDTH_FRACTION = 1 - RTCP_SENDER_BANDWIDTH_FRACTION;
/** §6.3.1: "divided by e−3/2=1.21828 to compensate for the fact that the timer reconsideration algorithm
 * converges to a value of the RTCP bandwidth below the intended average". */
export const RTCP_COMPENSATION = Math.E - 1.5;
/** §6.2: octets of lower-layer headers (UDP + IPv4) counted in avg_rtcp_size. */
export const RTCP_LOWER_LAYER_BYTES = 28;

export interface RtcpIntervalInput {
  /** Participants, including us. */
  readonly members: number;
  /** Participants that sent RTP recently, including us when `weSent`. */
  readonly senders: number;
  /** RTCP bandwidth in octets per second (5% of the session bandwidth). */
  readonly rtcpBandwidth: number;
  /** We sent RTP since the report before last (§6.4). */
  readonly weSent: boolean;
  /** Average compound RTCP size in octets, lower-layer headers included. */
  readonly avgRtcpSize: number;
  /** No RTCP packet sent yet. */
  readonly initial: boolean;
  /** Tmin (default 5000 ms). */
  readonly minIntervalMs?: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/** T in whole milliseconds. */
export function rtcpIntervalMs(input: RtcpIntervalInput): number {
  const minimum = (input.minIntervalMs ?? RTCP_MIN_INTERVAL_MS) / (input.initial ? 2 : 1);
  let bandwidth = input.rtcpBandwidth;
  let n = input.members;
  if (input.senders <= input.members * RTCP_SENDER_BANDWIDTH_FRACTION) {
    if (input.weSent) {
      bandwidth *= RTCP_SENDER_BANDWIDTH_FRACTION;
      n = input.senders;
    } else {
      bandwidth *= RTCP_RECEIVER_BANDWIDTH_FRACTION;
      n -= input.senders;
    }
  }
  const deterministic = Math.max(minimum, (1000 * input.avgRtcpSize * Math.max(1, n)) / bandwidth);
  // §6.3.1: "The resulting value of T is ... multiplied by a random number uniformly distributed between
  // 0.5 and 1.5".
  return Math.round((deterministic * (input.random() + 0.5)) / RTCP_COMPENSATION);
}
