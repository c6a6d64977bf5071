/**
 * Reception statistics of one remote RTP source (SSRC), exactly as RFC 3550 Appendix A computes them:
 *
 *  - §A.1 sequence validation: a new source is on probation until MIN_SEQUENTIAL packets arrive in
 *    sequence ("packets are not considered valid until ... received in sequence"); sequence wrap-around
 *    counts cycles; a jump of more than MAX_DROPOUT ahead (or MAX_MISORDER behind) is believed only when
 *    the next packet follows it ("the source restarted"), otherwise it is dropped as a stray;
 *  - §A.3 expected, lost (signed, clamped to 24 bits on the wire) and the fraction lost since the last
 *    report;
 *  - §A.8 interarrival jitter, in timestamp units, from each packet's transit time.
 *
 *     probation ──MIN_SEQUENTIAL in sequence──▶ valid ──big jump──▶ valid (held: bad_seq) ──next in seq──▶ restarted
 *          ▲   └──out of sequence: start over            ◀──────────── anything else ───────────┘
 */

/** §A.1 constants. */
export const MAX_DROPOUT = 3000;
export const MAX_MISORDER = 100;
export const MIN_SEQUENTIAL = 2;
const RTP_SEQ_MOD = 0x10000;

export type SequenceVerdict =
  /** Counted: in sequence, a wrap, a reordered or duplicate packet within MAX_MISORDER, or a confirmed restart. */
  | 'valid'
  /** The source is not valid yet (§A.1 probation). */
  | 'probation'
  /** A big jump not (yet) confirmed by its successor. */
  | 'stray';

/** One §6.4.1 report block's measurements (SSRC, LSR and DLSR are the session's). */
export interface ReceptionReport {
  /** Fraction of packets lost since the previous report, in 1/256. */
  readonly fractionLost: number;
  /** Cumulative packets lost (may be negative with duplicates). */
  readonly cumulativeLost: number;
  /** Cycles·65536 + highest sequence number received. */
  readonly extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
}

export interface ReceptionSnapshot {
  readonly received: number;
  readonly expected: number;
  readonly lost: number;
  readonly jitterMs: number;
}

export class RtpSourceStatistics {
  readonly ssrc: number;
  readonly clockRate: number;
  private maxSeq: number;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  private readonly minSequential: number;
  private receivedCount = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** §A.8 state: previous transit (timestamp units) and the jitter estimate. */
  private transit: number | undefined;
  private jitterUnits = 0;

  /**
   * §A.1: "when a new source is heard for the first time ... max_seq = seq - 1; probation = MIN_SEQUENTIAL".
   * `minSequential` 1 makes a source valid from its first packet — for receivers whose media path has
   * already decided where packets may come from (latching, ICE), where probation only delays the first
   * sample by a packet interval. §A.1 allows it: probation matters "if ... packets are not otherwise
   * validated".
   */
  constructor(ssrc: number, firstSeq: number, clockRate: number, minSequential: number = MIN_SEQUENTIAL) {
    if (!Number.isInteger(minSequential) || minSequential < 1)
      throw new RangeError(`minSequential ${minSequential} < 1`);
    this.ssrc = ssrc;
    this.clockRate = clockRate;
    this.minSequential = minSequential;
    this.probation = minSequential;
    this.initSequence(firstSeq);
    this.maxSeq = (firstSeq - 1) & 0xffff;
  }

  /** The source has left probation. */
  get valid(): boolean {
    return this.probation === 0;
  }

  get received(): number {
    return this.receivedCount;
  }

  get extendedHighestSequence(): number {
    return this.cycles + this.maxSeq;
  }

  /** §A.3: expected = extended max − base + 1 (0 while on probation). */
  get expected(): number {
    return this.valid ? this.extendedHighestSequence - this.baseSeq + 1 : 0;
  }

  get lost(): number {
    return this.expected - this.receivedCount;
  }

  get jitterMs(): number {
    return (this.jitterUnits * 1000) / this.clockRate;
  }

  /**
   * §A.1 update_seq for one arriving packet, then (for counted packets with `timing`) the §A.8 jitter.
   * Pass `timing: false` for packets whose timestamp is not their sampling instant — the packets of an
   * RFC 4733 event all carry the event's start time.
   */
  update(seq: number, timestamp: number, arrivalMs: number, timing = true): SequenceVerdict {
    const verdict = this.updateSequence(seq & 0xffff);
    if (verdict === 'valid' && timing) this.updateJitter(timestamp, arrivalMs);
    return verdict;
  }

  /** §A.3 values for a report block; advances the "prior" counters (call once per report sent). */
  report(): ReceptionReport {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.receivedCount - this.receivedPrior;
    this.receivedPrior = this.receivedCount;
    const lostInterval = expectedInterval - receivedInterval;
    // §A.3: "fraction = (lost_interval << 8) / expected_interval" when anything was lost.
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return {
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: this.lost,
      extendedHighestSequence: this.extendedHighestSequence >>> 0,
      jitter: Math.floor(this.jitterUnits),
    };
  }

  snapshot(): ReceptionSnapshot {
    return {
      received: this.receivedCount,
      expected: this.expected,
      lost: this.lost,
      jitterMs: this.jitterMs,
    };
  }

  private initSequence(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  private updateSequence(seq: number): SequenceVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      // §A.1: "Source is not valid until MIN_SEQUENTIAL packets with sequential sequence numbers have
      // been received."
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSequence(seq);
          this.receivedCount++;
          return 'valid';
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    }
    if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap; a smaller number means the sequence wrapped.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // "The sequence number made a very large jump": believe it if the next packet follows it.
      if (seq === this.badSeq) {
        this.initSequence(seq);
        this.transit = undefined;
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return 'stray';
      }
    }
    // else: a duplicate or reordered packet — counted, max_seq unchanged.
    this.receivedCount++;
    return 'valid';
  }

  /** §A.8: D = transit − previous transit; J += (|D| − J) / 16, in timestamp units. */
  private updateJitter(timestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.transit !== undefined) {
      // Timestamps wrap at 2^32: take the transit difference modulo 2^32, as a signed value.
      let d = transit - this.transit;
      d = (((d % 2 ** 32) + 2 ** 32 + 2 ** 31) % 2 ** 32) - 2 ** 31;
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.transit = transit;
  }
}
