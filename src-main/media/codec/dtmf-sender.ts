/**
 * Plans the RTP packets that carry DTMF keys as RFC 4733 telephone-events. The planner does no I/O
 * and keeps no time: the RTP sender sends each planned packet at `sendOffsetMs` after the first one,
 * with RTP timestamp = (timestamp of the first packet) + `timestampOffset`, in place of the audio
 * packet it would have sent at that tick.
 *
 * Schedule of one key of duration D at clock rate R with packet interval P (D=100 ms, R=8000, P=20):
 *
 *     send ms   0    20   40   60   80   100  120
 *     M bit     1    0    0    0    0    0    0
 *     E bit     0    0    0    0    1    1    1
 *     duration  160  320  480  640  800  800  800     (all with the same RTP timestamp)
 *
 *  - §2.5.1: the first packet of an event has the RTP marker bit set and carries the event's start as
 *    its RTP timestamp; every later packet of the event carries the same timestamp.
 *  - §2.5.1: updates go out once per packet interval, each with the duration of the event so far; the
 *    packet sent at tick k stands in for the audio frame of that tick, so it reports (k+1)·P.
 *  - §2.5.1.4: the final packet "SHOULD be sent a total of three times at the interval used by the
 *    source for updates", each with the E bit and the same final duration.
 *
 * Events longer than the 16-bit duration field (65535 units, 8.19 s at 8 kHz) would need the
 * segmented reports of §2.5.1.3; keys are far shorter, so such a duration is refused as a caller bug.
 */
import {
  MAX_EVENT_DURATION,
  MAX_EVENT_VOLUME,
  encodeTelephoneEvent,
  eventCodeOfKey,
} from './telephone-event.ts';
import type { DtmfKey } from './telephone-event.ts';

export interface PlannedDtmfPacket {
  /** The 4-octet telephone-event payload. */
  payload: Uint8Array;
  /** RTP marker bit. */
  marker: boolean;
  /** Added to the RTP timestamp of the plan's first packet. */
  timestampOffset: number;
  /** Milliseconds after the plan's first packet at which to send this one. */
  sendOffsetMs: number;
  /** The decoded content, for logs and tests. */
  key: DtmfKey;
  end: boolean;
  duration: number;
}

export interface DtmfSenderOptions {
  /** Clock rate of the negotiated telephone-event format (`a=rtpmap:101 telephone-event/8000`). */
  clockRate?: number;
  /** Packet interval in ms; the audio ptime. */
  ptimeMs?: number;
  /** −dBm0 (0…63); 10 is the customary level for DTMF. */
  volume?: number;
  /** How many packets carry the final duration with the E bit (§2.5.1.4: three). */
  endPackets?: number;
}

export class DtmfSender {
  readonly clockRate: number;
  readonly ptimeMs: number;
  readonly volume: number;
  readonly endPackets: number;
  /** RTP timestamp units per packet interval. */
  private readonly step: number;

  constructor(options: DtmfSenderOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.volume = options.volume ?? 10;
    this.endPackets = options.endPackets ?? 3;
    this.step = (this.clockRate * this.ptimeMs) / 1000;
    if (!Number.isInteger(this.step) || this.step <= 0) {
      throw new RangeError(`ptime ${this.ptimeMs} ms is not a whole number of units at ${this.clockRate} Hz`);
    }
    if (!Number.isInteger(this.volume) || this.volume < 0 || this.volume > MAX_EVENT_VOLUME) {
      throw new RangeError(`DTMF volume ${this.volume} is outside 0…${MAX_EVENT_VOLUME}`);
    }
    if (!Number.isInteger(this.endPackets) || this.endPackets < 1) {
      throw new RangeError(`endPackets must be a positive integer, got ${this.endPackets}`);
    }
  }

  /** The longest key this sender can report in one event. */
  get maxDurationMs(): number {
    return Math.floor((MAX_EVENT_DURATION * 1000) / this.clockRate);
  }

  /** Packets for one key lasting `durationMs` (rounded to whole timestamp units, at least one). */
  plan(key: DtmfKey, durationMs: number): PlannedDtmfPacket[] {
    const total = this.durationUnits(durationMs);
    const event = eventCodeOfKey(key);
    const packets: PlannedDtmfPacket[] = [];
    const packet = (tick: number, duration: number, end: boolean): PlannedDtmfPacket => ({
      payload: encodeTelephoneEvent({ event, end, volume: this.volume, duration }),
      marker: tick === 0,
      timestampOffset: 0,
      sendOffsetMs: tick * this.ptimeMs,
      key,
      end,
      duration,
    });
    // Updates while the reported duration is still short of the total…
    let tick = 0;
    for (; (tick + 1) * this.step < total; tick++) packets.push(packet(tick, (tick + 1) * this.step, false));
    // …then the final report, sent endPackets times, one packet interval apart.
    for (let i = 0; i < this.endPackets; i++, tick++) packets.push(packet(tick, total, true));
    return packets;
  }

  /**
   * Packets for a string of keys, each lasting `durationMs`, with at least `gapMs` of silence between
   * one key's end and the next key's start. Each key starts on a packet tick, and never before the
   * previous key's last end packet has gone out (so two events never share a packet tick).
   */
  planSequence(keys: readonly DtmfKey[], durationMs: number, gapMs: number): PlannedDtmfPacket[] {
    if (!(gapMs >= 0)) throw new RangeError(`gap ${gapMs} ms must be ≥ 0`);
    const all: PlannedDtmfPacket[] = [];
    let startMs = 0;
    for (const key of keys) {
      const packets = this.plan(key, durationMs);
      const timestampOffset = (startMs * this.clockRate) / 1000;
      for (const p of packets) all.push({ ...p, timestampOffset, sendOffsetMs: startMs + p.sendOffsetMs });
      const lastSendMs = startMs + packets[packets.length - 1]!.sendOffsetMs;
      const earliest = Math.max(startMs + durationMs + gapMs, lastSendMs + this.ptimeMs);
      startMs = Math.ceil(earliest / this.ptimeMs) * this.ptimeMs;
    }
    return all;
  }

  private durationUnits(durationMs: number): number {
    const units = Math.round((durationMs * this.clockRate) / 1000);
    if (!(units >= 1) || units > MAX_EVENT_DURATION) {
      throw new RangeError(`DTMF duration ${durationMs} ms is outside 1 unit…${this.maxDurationMs} ms`);
    }
    return units;
  }
}
