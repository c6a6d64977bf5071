/**
 * Turns received RFC 4733 telephone-event packets into key presses, each reported exactly once.
 *
 * An event is identified by its RTP timestamp (RFC 4733 §2.5.1: every packet of one event carries the
 * event's start time as timestamp; a new event gets a new, later timestamp). For every event the
 * receiver reports one `begin` (on the first packet it sees of it, whichever that is) and then one
 * `end`, with the longest duration seen and why it ended:
 *
 *   - `end-bit`   a packet with the E bit arrived (the 2 retransmissions that follow are ignored);
 *   - `new-event` a packet of a later event arrived first (all of this event's end packets were lost);
 *   - `timeout`   no packet of the event for `timeoutMs` (end packets lost and nothing followed).
 *
 * A lost start needs nothing special: the first packet seen begins the event, so the marker bit is not
 * consulted at all.
 * Packets of events already ended, and packets older than the newest event (reordered), are dropped.
 *
 *     idle ──packet(ts)──▶ active(ts) ──E bit / newer ts / timeout──▶ idle (remembers ts as ended)
 */
import { decodeTelephoneEvent, keyOfEventCode } from './telephone-event.ts';
import type { DtmfKey } from './telephone-event.ts';

export interface ReceivedEventPacket {
  /** RTP timestamp (32-bit). */
  timestamp: number;
  payload: Uint8Array;
  /** Local arrival time in ms (monotonic). */
  arrivalMs: number;
}

export type DtmfEndReason = 'end-bit' | 'new-event' | 'timeout';

export type DtmfReceiverEvent =
  | { type: 'begin'; key: DtmfKey; timestamp: number; atMs: number }
  | {
      type: 'end';
      key: DtmfKey;
      timestamp: number;
      /** Longest duration reported, in RTP timestamp units. */
      duration: number;
      durationMs: number;
      reason: DtmfEndReason;
      atMs: number;
    };

export interface DtmfReceiverStats {
  /** Keys reported (one per event). */
  keys: number;
  /** Packets of an event already ended, or older than the newest event. */
  duplicates: number;
  /** Payloads too short to decode. */
  malformed: number;
  /** Event codes that are not DTMF keys (fax tones and the like). */
  ignored: number;
}

export interface DtmfReceiverOptions {
  clockRate?: number;
  /** End an event that has had no packet for this long (ms). */
  timeoutMs?: number;
}

interface ActiveEvent {
  key: DtmfKey;
  timestamp: number;
  duration: number;
  lastPacketMs: number;
}

/** a precedes b in RTP timestamp order (RFC 3550 modulo-2^32 arithmetic). */
function timestampBefore(a: number, b: number): boolean {
  const diff = (b - a) >>> 0;
  return diff !== 0 && diff < 0x80000000;
}

export class DtmfReceiver {
  readonly clockRate: number;
  readonly timeoutMs: number;
  private active: ActiveEvent | null = null;
  /** Timestamp of the newest event seen (active or ended); older packets are stale. */
  private newest: number | null = null;
  private readonly counters: DtmfReceiverStats = { keys: 0, duplicates: 0, malformed: 0, ignored: 0 };

  constructor(options: DtmfReceiverOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.timeoutMs = options.timeoutMs ?? 500;
  }

  get stats(): DtmfReceiverStats {
    return { ...this.counters };
  }

  /** True while an event has begun and not yet ended. */
  get inEvent(): boolean {
    return this.active !== null;
  }

  receive(packet: ReceivedEventPacket): DtmfReceiverEvent[] {
    const decoded = decodeTelephoneEvent(packet.payload);
    if (!decoded.ok) {
      this.counters.malformed++;
      return [];
    }
    const report = decoded.value;
    const key = keyOfEventCode(report.event);
    if (key === undefined) {
      this.counters.ignored++;
      return [];
    }
    const timestamp = packet.timestamp >>> 0;
    const out: DtmfReceiverEvent[] = [];

    // A timeout that expired before this packet arrived ends the event first, so the outcome does not
    // depend on whether poll() ran in between.
    this.expire(packet.arrivalMs, out);

    const active = this.active;
    if (active && active.timestamp === timestamp) {
      active.duration = Math.max(active.duration, report.duration);
      active.lastPacketMs = packet.arrivalMs;
      if (report.end) out.push(this.finish('end-bit', packet.arrivalMs));
      return out;
    }
    if (this.newest !== null && !timestampBefore(this.newest, timestamp)) {
      // The newest event again after it ended (its retransmitted end packets), or an older one.
      this.counters.duplicates++;
      return out;
    }

    if (active) out.push(this.finish('new-event', packet.arrivalMs));
    this.active = { key, timestamp, duration: report.duration, lastPacketMs: packet.arrivalMs };
    this.newest = timestamp;
    out.push({ type: 'begin', key, timestamp, atMs: packet.arrivalMs });
    if (report.end) out.push(this.finish('end-bit', packet.arrivalMs));
    return out;
  }

  /** Ends an event whose packets stopped arriving; call at least every `timeoutMs`. */
  poll(nowMs: number): DtmfReceiverEvent[] {
    const out: DtmfReceiverEvent[] = [];
    this.expire(nowMs, out);
    return out;
  }

  /** Forget everything (new SSRC, re-INVITE to another source). An active event is not reported. */
  reset(): void {
    this.active = null;
    this.newest = null;
  }

  private expire(nowMs: number, out: DtmfReceiverEvent[]): void {
    const active = this.active;
    if (active && nowMs - active.lastPacketMs >= this.timeoutMs) {
      out.push(this.finish('timeout', active.lastPacketMs + this.timeoutMs));
    }
  }

  private finish(reason: DtmfEndReason, atMs: number): DtmfReceiverEvent {
    const active = this.active;
    if (!active) throw new Error('DtmfReceiver: no active event to finish');
    this.active = null;
    this.counters.keys++;
    return {
      type: 'end',
      key: active.key,
      timestamp: active.timestamp,
      duration: active.duration,
      durationMs: (active.duration * 1000) / this.clockRate,
      reason,
      atMs,
    };
  }
}
