/**
 * Adaptive playout jitter buffer for one RTP stream. No timers and no I/O: packets are pushed with
 * their arrival time, and the audio clock pulls one unit (normally one 20 ms packet) at a time with the
 * current time. The payload type is opaque (`P`), so the same buffer serves any codec.
 *
 * Playout schedule. A packet with media time ts (ms, from its RTP timestamp) cannot arrive before
 * ts + T0, where T0 is the smallest transit time (arrival − media time) seen in the last
 * `baseWindowMs`. The buffer plays it at
 *
 *     scheduled(ts) = ts + T0 + target
 *
 * so every packet whose relative delay r = transit − T0 stays below the target is on time. Each pull
 * plays the next unit; the schedule error e = now − scheduled(playout position) is kept within one
 * frame by inserting a unit (e ≤ −frame: we are early, the delay must grow) or skipping one
 * (e ≥ +frame: the delay must shrink). After a silence gap (DTX) the schedule simply continues.
 *
 * Target delay. On every packet the need is frame + max(k·J, r), clamped to [minDelay, maxDelay],
 * where J is the RFC 3550 interarrival jitter (§6.4.1) and r the packet's relative delay. The target
 * jumps up to the need at once (a spike is covered from the next packet on) and falls towards it by at
 * most `shrinkMsPerSecond` (it shrinks slowly once the network calms down).
 *
 * Missing media at the playout position is reported as `conceal` (a packet was lost or is late, or the
 * buffer ran dry less than `maxConcealMs` ago) or `silence` (the next buffered packet follows the last
 * played one in sequence, so the gap is the sender's DTX; or the buffer has been dry for longer).
 *
 * A new timeline — another SSRC, or a sequence/timestamp jump confirmed by the next packet in sequence
 * (RFC 3550 §A.1's probation, applied to timing jumps too) — flushes the buffer and starts over.
 *
 *     idle ──push──▶ buffering ──pull at scheduled time──▶ playing
 *                        ▲                                    │
 *                        └──────────── resync (push) ─────────┘        reset() ─▶ idle from anywhere
 */
import { InterarrivalJitter } from './interarrival-jitter.ts';
import { extendSequence, extendTimestamp } from './rtp-arithmetic.ts';
import { WindowedMinimum } from './windowed-minimum.ts';

export interface JitterPacket<P> {
  /** RTP sequence number (16-bit). */
  seq: number;
  /** RTP timestamp (32-bit). */
  timestamp: number;
  payload: P;
  /** Local arrival time, ms (monotonic clock). */
  arrivalMs: number;
  /** Timestamp units the payload covers; default: one frame. */
  samples?: number;
  /** RTP SSRC; a change starts a new timeline. */
  ssrc?: number;
}

export type JitterBufferOutput<P> =
  | { kind: 'frame'; payload: P; seq: number; timestamp: number; samples: number }
  | { kind: 'conceal'; timestamp: number; samples: number }
  /** `timestamp` is null while nothing has been received. */
  | { kind: 'silence'; timestamp: number | null; samples: number };

export type JitterPushOutcome =
  /** stored for playout */
  | 'buffered'
  /** started a new timeline (SSRC change or a confirmed jump) and stored */
  | 'resynced'
  /** already received */
  | 'duplicate'
  /** arrived after its playout position had passed; dropped */
  | 'late'
  /** looks like a jump; held until the next packet in sequence confirms it */
  | 'probation'
  /** covers no samples (an empty payload); ignored */
  | 'invalid';

export type JitterBufferState = 'idle' | 'buffering' | 'playing';

export interface JitterBufferStats {
  /** Packets accepted (not duplicates, not unconfirmed jumps), on time or late. */
  received: number;
  duplicates: number;
  late: number;
  /** RFC 3550 §6.4.1 cumulative loss: expected − received, never negative. */
  lost: number;
  /** Units for which concealment was requested (lost, late, underrun, or inserted to grow the delay). */
  concealed: number;
  /** Units inserted to grow the delay (also counted in concealed when they were conceal units). */
  inserted: number;
  /** Packets skipped to shrink the delay. */
  discarded: number;
  resyncs: number;
  /** Packets thrown away by resyncs and overflow. */
  flushed: number;
  /** Packets held for probation that nothing confirmed. */
  strays: number;
  /** Packets that cover no samples. */
  invalid: number;
  jitterMs: number;
  /** Playout delay at the last pull: now − (media time of the unit + T0). */
  currentDelayMs: number;
  targetDelayMs: number;
  bufferedPackets: number;
}

export interface JitterBufferOptions {
  /** RTP clock rate (Hz). */
  clockRate?: number;
  /** Nominal packet duration and the adaptation step, ms. */
  frameMs?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Target before anything has been measured. */
  initialDelayMs?: number;
  /** k in frame + k·J. */
  jitterMultiplier?: number;
  shrinkMsPerSecond?: number;
  /** An underrun shorter than this is concealed; longer is silence. */
  maxConcealMs?: number;
  /** Window of the minimum-transit estimate T0. */
  baseWindowMs?: number;
  /** A packet whose transit differs from T0 by more than this is a timeline jump candidate. */
  resyncThresholdMs?: number;
  /** Memory bound; the oldest packet is dropped beyond it. */
  maxPackets?: number;
}

interface Entry<P> {
  extSeq: number;
  extTs: number;
  samples: number;
  packet: JitterPacket<P>;
}

/** RFC 3550 §A.1 constants: larger sequence jumps are treated as a restart of the sender. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEEN_RING = 1024;

export class JitterBuffer<P> {
  readonly clockRate: number;
  readonly frameMs: number;
  readonly frameSamples: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  private readonly jitterMultiplier: number;
  private readonly shrinkMsPerSecond: number;
  private readonly maxConcealMs: number;
  private readonly resyncThresholdMs: number;
  private readonly maxPackets: number;

  private currentState: JitterBufferState = 'idle';
  private readonly entries: Entry<P>[] = [];
  private readonly jitter = new InterarrivalJitter();
  private readonly baseTransit: WindowedMinimum;
  private readonly seen = new Float64Array(SEEN_RING).fill(Number.NaN);

  private ssrc: number | undefined;
  private firstExtSeq = 0;
  private maxExtSeq = 0;
  private maxExtTs = 0;
  /** Extended timestamp of the next unit to play. */
  private playTs = 0;
  private lastPlayedExtSeq: number | null = null;
  private lastKind: JitterBufferOutput<P>['kind'] = 'silence';
  private missingRunMs = 0;
  private nominalSamples: number;
  private target: number;
  private lastTargetUpdateMs: number | null = null;
  private candidate: JitterPacket<P> | null = null;
  private lastDelayMs = 0;
  /** Loss of earlier timelines (before resyncs) and packets accepted in the current one. */
  private lostBefore = 0;
  private receivedInTimeline = 0;
  private readonly counters = {
    received: 0,
    duplicates: 0,
    late: 0,
    concealed: 0,
    inserted: 0,
    discarded: 0,
    resyncs: 0,
    flushed: 0,
    strays: 0,
    invalid: 0,
  };

  constructor(options: JitterBufferOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.frameMs = options.frameMs ?? 20;
    this.frameSamples = (this.clockRate * this.frameMs) / 1000;
    if (!Number.isInteger(this.frameSamples) || this.frameSamples <= 0) {
      throw new RangeError(
        `frame of ${this.frameMs} ms is not a whole number of samples at ${this.clockRate} Hz`,
      );
    }
    this.minDelayMs = options.minDelayMs ?? this.frameMs;
    this.maxDelayMs = options.maxDelayMs ?? 300;
    if (!(this.minDelayMs > 0 && this.maxDelayMs >= this.minDelayMs)) {
      throw new RangeError(`delay bounds ${this.minDelayMs}…${this.maxDelayMs} ms are not a range`);
    }
    this.jitterMultiplier = options.jitterMultiplier ?? 3;
    this.shrinkMsPerSecond = options.shrinkMsPerSecond ?? 5;
    this.maxConcealMs = options.maxConcealMs ?? 60;
    this.resyncThresholdMs = options.resyncThresholdMs ?? 1000;
    this.maxPackets = options.maxPackets ?? Math.ceil((2 * this.maxDelayMs) / this.frameMs) + 16;
    this.baseTransit = new WindowedMinimum(options.baseWindowMs ?? 10_000);
    this.nominalSamples = this.frameSamples;
    this.target = this.clampDelay(options.initialDelayMs ?? 2 * this.frameMs);
  }

  get state(): JitterBufferState {
    return this.currentState;
  }

  get targetDelayMs(): number {
    return this.target;
  }

  get stats(): JitterBufferStats {
    return {
      ...this.counters,
      lost: this.lostBefore + this.timelineLoss(),
      jitterMs: this.jitter.jitterMs,
      currentDelayMs: this.lastDelayMs,
      targetDelayMs: this.target,
      bufferedPackets: this.entries.length,
    };
  }

  push(packet: JitterPacket<P>): JitterPushOutcome {
    const samples = packet.samples ?? this.frameSamples;
    if (!Number.isInteger(samples) || samples < 1) {
      this.counters.invalid++;
      return 'invalid';
    }
    if (this.currentState === 'idle') {
      this.startTimeline(packet);
      return 'buffered';
    }
    if (packet.ssrc !== undefined && this.ssrc !== undefined && packet.ssrc !== this.ssrc) {
      // RFC 3550 §5.1: every source starts its sequence numbers and timestamps at random values, so a
      // new SSRC's numbering has nothing to do with the old one's.
      this.resync(packet);
      return 'resynced';
    }

    const extSeq = extendSequence(packet.seq, this.maxExtSeq);
    const extTs = extendTimestamp(packet.timestamp, this.maxExtTs);
    const transit = packet.arrivalMs - this.msOf(extTs);
    const base = this.baseTransit.minimum ?? transit;
    const seqJump = extSeq - this.maxExtSeq > MAX_DROPOUT || this.maxExtSeq - extSeq > MAX_MISORDER;
    const timingJump = Math.abs(transit - base) > this.resyncThresholdMs;
    if (seqJump || timingJump) {
      // RFC 3550 §A.1 on a very large jump: "Two sequential packets -- assume that the other side
      // restarted without telling us so just re-sync". One alone is a stray.
      const candidate = this.candidate;
      if (candidate && this.confirms(candidate, packet)) {
        this.resync(candidate);
        this.accept(packet);
        return 'resynced';
      }
      if (candidate) this.counters.strays++;
      this.candidate = packet;
      return 'probation';
    }
    if (this.candidate) {
      this.counters.strays++;
      this.candidate = null;
    }
    return this.accept(packet);
  }

  /** The next unit of playout at time `nowMs`. */
  pull(nowMs: number): JitterBufferOutput<P> {
    switch (this.currentState) {
      case 'idle':
        return { kind: 'silence', timestamp: null, samples: this.nominalSamples };
      case 'buffering': {
        const early = this.scheduleError(nowMs) <= -this.frameMs;
        this.lastDelayMs = this.target + this.scheduleError(nowMs);
        if (early || this.entries.length === 0) return this.silence(this.nominalSamples);
        this.moveTo('playing');
        return this.playNext(nowMs);
      }
      case 'playing':
        return this.playNext(nowMs);
    }
  }

  /** Forget the stream (hold, codec change). Statistics are kept. */
  reset(): void {
    this.endTimeline();
    this.candidate = null;
    this.moveTo('idle');
  }

  // ───────────────────────────── push side ─────────────────────────────

  private accept(packet: JitterPacket<P>): JitterPushOutcome {
    const extSeq = extendSequence(packet.seq, this.maxExtSeq);
    const extTs = extendTimestamp(packet.timestamp, this.maxExtTs);
    const slot = ((extSeq % SEEN_RING) + SEEN_RING) % SEEN_RING;
    if (this.seen[slot] === extSeq || this.entries.some((e) => e.extTs === extTs)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.seen[slot] = extSeq;
    this.counters.received++;
    this.receivedInTimeline++;
    this.firstExtSeq = Math.min(this.firstExtSeq, extSeq);
    this.maxExtSeq = Math.max(this.maxExtSeq, extSeq);
    this.maxExtTs = Math.max(this.maxExtTs, extTs);

    const transit = packet.arrivalMs - this.msOf(extTs);
    this.jitter.update(transit);
    this.baseTransit.add(packet.arrivalMs, transit);
    this.updateTarget(transit - (this.baseTransit.minimum ?? transit), packet.arrivalMs);

    const samples = packet.samples ?? this.frameSamples;
    this.nominalSamples = samples;
    if (this.currentState === 'playing' && extTs < this.playTs) {
      this.counters.late++;
      return 'late';
    }
    if (this.currentState === 'buffering' && extTs < this.playTs) this.playTs = extTs;

    const entry: Entry<P> = { extSeq, extTs, samples, packet };
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.extTs > extTs) i--;
    this.entries.splice(i, 0, entry);
    if (this.entries.length > this.maxPackets) {
      const dropped = this.entries.shift()!;
      this.counters.flushed++;
      if (this.currentState === 'playing')
        this.playTs = Math.max(this.playTs, dropped.extTs + dropped.samples);
    }
    return 'buffered';
  }

  private updateTarget(relativeDelayMs: number, arrivalMs: number): void {
    const need = this.clampDelay(
      this.frameMs + Math.max(this.jitterMultiplier * this.jitter.jitterMs, relativeDelayMs),
    );
    if (need >= this.target || this.lastTargetUpdateMs === null) {
      this.target = Math.max(need, this.target);
    } else {
      const elapsedMs = Math.max(0, arrivalMs - this.lastTargetUpdateMs);
      this.target = Math.max(need, this.target - (this.shrinkMsPerSecond * elapsedMs) / 1000);
    }
    this.lastTargetUpdateMs = arrivalMs;
  }

  /** Does `next` continue the timeline `candidate` proposes (next in sequence, consistent timing)? */
  private confirms(candidate: JitterPacket<P>, next: JitterPacket<P>): boolean {
    if (next.seq !== ((candidate.seq + 1) & 0xffff)) return false;
    if (candidate.ssrc !== next.ssrc) return false;
    const tsDelta = extendTimestamp(next.timestamp, candidate.timestamp) - candidate.timestamp;
    const transitDelta = next.arrivalMs - candidate.arrivalMs - (tsDelta * 1000) / this.clockRate;
    return tsDelta >= 0 && Math.abs(transitDelta) <= this.maxDelayMs;
  }

  private startTimeline(packet: JitterPacket<P>): void {
    this.ssrc = packet.ssrc;
    this.firstExtSeq = packet.seq;
    this.maxExtSeq = packet.seq;
    this.maxExtTs = packet.timestamp;
    this.playTs = packet.timestamp;
    this.lastPlayedExtSeq = null;
    this.missingRunMs = 0;
    this.seen.fill(Number.NaN);
    this.baseTransit.clear();
    this.jitter.restart();
    this.candidate = null;
    this.moveTo('buffering');
    this.accept(packet);
  }

  private resync(packet: JitterPacket<P>): void {
    this.counters.resyncs++;
    this.endTimeline();
    this.startTimeline(packet);
  }

  /** Drops what is buffered and banks the timeline's loss (a new sequence starts its own count). */
  private endTimeline(): void {
    this.counters.flushed += this.entries.length;
    this.entries.length = 0;
    this.lostBefore += this.timelineLoss();
    this.receivedInTimeline = 0;
  }

  /** RFC 3550 §6.4.1 cumulative loss of the current timeline: expected − received, at least 0. */
  private timelineLoss(): number {
    if (this.receivedInTimeline === 0) return 0;
    return Math.max(0, this.maxExtSeq - this.firstExtSeq + 1 - this.receivedInTimeline);
  }

  // ───────────────────────────── pull side ─────────────────────────────

  private playNext(nowMs: number): JitterBufferOutput<P> {
    // A packet that overlaps audio already played (a sender changing its packet grid) cannot be used.
    while (this.entries.length > 0 && this.entries[0]!.extTs < this.playTs) {
      this.entries.shift();
      this.counters.discarded++;
    }
    let error = this.scheduleError(nowMs);
    if (error > this.maxDelayMs) {
      // Far behind (the puller stalled): jump to where the schedule is now.
      this.skipTo(this.playTs + Math.floor(((error - this.frameMs / 2) * this.clockRate) / 1000));
      error = this.scheduleError(nowMs);
    } else if (error >= this.frameMs) {
      // Too much delay: skip one unit (a packet if there is one at the position, else part of the gap).
      const head = this.entries[0];
      if (head && head.extTs === this.playTs) {
        this.entries.shift();
        this.counters.discarded++;
        this.playTs += head.samples;
      } else {
        this.playTs += this.gapSamples(head);
      }
      error = this.scheduleError(nowMs);
    }
    this.lastDelayMs = this.target + error;

    if (error <= -this.frameMs) {
      // Too little delay: play a unit without advancing.
      this.counters.inserted++;
      return this.lastKind === 'silence'
        ? this.silence(this.nominalSamples)
        : this.conceal(this.nominalSamples);
    }

    const head = this.entries[0];
    if (head && head.extTs === this.playTs) {
      this.entries.shift();
      this.playTs += head.samples;
      this.lastPlayedExtSeq = head.extSeq;
      this.missingRunMs = 0;
      this.lastKind = 'frame';
      const { payload, seq, timestamp } = head.packet;
      return { kind: 'frame', payload, seq, timestamp, samples: head.samples };
    }

    const samples = this.gapSamples(head);
    const dtx =
      head !== undefined && this.lastPlayedExtSeq !== null && head.extSeq === this.lastPlayedExtSeq + 1;
    const dry = head === undefined && this.missingRunMs >= this.maxConcealMs;
    const position = this.playTs;
    this.playTs += samples;
    this.missingRunMs += this.msOf(samples);
    return dtx || dry || (this.lastKind === 'silence' && head === undefined)
      ? this.silence(samples, position)
      : this.conceal(samples, position);
  }

  /** Samples from the playout position to the next buffered packet, at most one unit. */
  private gapSamples(head: Entry<P> | undefined): number {
    return head ? Math.min(this.nominalSamples, head.extTs - this.playTs) : this.nominalSamples;
  }

  private skipTo(extTs: number): void {
    while (this.entries.length > 0 && this.entries[0]!.extTs < extTs) {
      this.entries.shift();
      this.counters.discarded++;
    }
    const head = this.entries[0];
    // Land on the packet grid when a packet is close.
    this.playTs = head && head.extTs - extTs < this.nominalSamples ? head.extTs : extTs;
  }

  private silence(samples: number, position = this.playTs): JitterBufferOutput<P> {
    this.lastKind = 'silence';
    return { kind: 'silence', timestamp: position >>> 0, samples };
  }

  private conceal(samples: number, position = this.playTs): JitterBufferOutput<P> {
    this.lastKind = 'conceal';
    this.counters.concealed++;
    return { kind: 'conceal', timestamp: position >>> 0, samples };
  }

  /** now − scheduled(playout position); positive = behind schedule (more delay than the target). */
  private scheduleError(nowMs: number): number {
    const base = this.baseTransit.minimum ?? 0;
    return nowMs - (this.msOf(this.playTs) + base + this.target);
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private msOf(timestampUnits: number): number {
    return (timestampUnits * 1000) / this.clockRate;
  }

  private clampDelay(ms: number): number {
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, ms));
  }

  private moveTo(next: JitterBufferState): void {
    const from = this.currentState;
    const legal =
      next === 'idle' ||
      (next === 'buffering' && (from === 'idle' || from === 'buffering' || from === 'playing')) ||
      (next === 'playing' && from === 'buffering');
    if (!legal) throw new Error(`JitterBuffer: illegal transition ${from} → ${next}`);
    this.currentState = next;
  }
}
