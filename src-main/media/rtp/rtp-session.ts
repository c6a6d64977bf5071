/**
 * One RTP session of a call (RFC 3550) for one audio stream each way: our sending source, the remote
 * source(s), RTCP reports and their timing, telephone-events, and the statistics of both directions.
 *
 * No sockets: packets go out through an `RtpTransport` (the call's MediaPath) and come in through
 * `receive()`. The only timers are the RTCP transmission timer and the DTMF end timeout, both on the
 * injected Clock and both cancelled by `close()`.
 *
 * Sending is slot-driven: the media clock calls `sendAudio` (or `skipAudio` when it has nothing to send)
 * once per packet interval. Per RFC 3550 §5.1 the SSRC, first sequence number and first timestamp are
 * random; the timestamp advances by the slot's samples whether or not a packet goes out (it tracks the
 * sampling clock), and the marker bit flags the first packet of every talkspurt (RFC 3551 §4.1: "the
 * first packet after a silence period") — the very first packet, the first after a skipped slot (hold,
 * capture gap) and the first audio after a telephone-event.
 *
 * DTMF (RFC 4733): a queued key takes over whole slots — the `DtmfSender` plan says which — with the
 * event's start timestamp on all its packets and sequence numbers continuing; three end packets; audio
 * then resumes with the timestamp of its own slot (later than the event's) and the marker bit.
 *
 * Reception: RFC 3550 §A.1 validation per source (`RtpSourceStatistics`); the most recently validated
 * source is the active one (a new SSRC from the peer is a new source, §8.2: the jitter buffer resyncs on
 * it); its audio goes to `onMedia`, its telephone-events through a `DtmfReceiver` to `onDtmf`.
 *
 * RTCP (§6): compound SR-or-RR + SDES CNAME at the §6.3 interval with timer reconsideration (§6.3.6,
 * §A.7 OnExpire), report blocks per heard source with LSR/DLSR, RTT from the peer's blocks about us
 * (§6.4.1), BYE on close (§6.3.7: "if the number of members is less than 50, the participant MAY send a
 * BYE packet immediately").
 *
 *     RTCP timer:  start ──T(initial: Tmin/2)──▶ expire: tn = tp + T' ≤ now ? send, tp = now, arm T''
 *                                                                         : re-arm at tn
 */
import { randomBytes } from 'node:crypto';
import {
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
} from 'werift';
import { Emitter } from '../../../src-shared/util/emitter.ts';
import type { Disposable } from '../../../src-shared/util/emitter.ts';
import { DtmfReceiver, DtmfSender } from '../codec/index.ts';
import type { DtmfKey, DtmfReceiverEvent, PlannedDtmfPacket } from '../codec/index.ts';
import type { Clock, Timer } from '../../platform/index.ts';
import { compactFromMs, compactNtp, ntpFromUnixMs, roundTripMs } from './ntp-time.ts';
import {
  RtcpByePacket,
  SdesItemType,
  decodeCumulativeLost,
  encodeCumulativeLost,
  parseRtcpCompound,
  serializeRtcpCompound,
} from './rtcp-packet.ts';
import type { RtcpSendable } from './rtcp-packet.ts';
import {
  RTCP_BANDWIDTH_FRACTION,
  RTCP_LOWER_LAYER_BYTES,
  RTCP_MIN_INTERVAL_MS,
  rtcpIntervalMs,
} from './rtcp-interval.ts';
import { parseRtpPacket, serializeRtpPacket } from './rtp-packet.ts';
import { RtpSourceStatistics } from './rtp-source-statistics.ts';
import type { SequenceVerdict } from './rtp-source-statistics.ts';

// ───────────────────────────── configuration ─────────────────────────────

/** Where the session's packets go (the call's MediaPath satisfies this). */
export interface RtpTransport {
  send(kind: 'rtp' | 'rtcp', data: Uint8Array): void;
}

export interface RtpSendFormat {
  /** Payload type of the codec we send (the peer's number for it). */
  readonly payloadType: number;
  readonly clockRate: number;
  /** Packet interval in ms (one `sendAudio` slot). */
  readonly ptimeMs: number;
}

export interface RtpTelephoneEventFormat {
  readonly sendPayloadType: number;
  readonly receivePayloadType: number;
  readonly clockRate: number;
}

export interface RtpFormats {
  readonly send: RtpSendFormat;
  /** Audio payload types we accept → their clock rate. */
  readonly receive: ReadonlyMap<number, number>;
  readonly telephoneEvent?: RtpTelephoneEventFormat | undefined;
}

export interface RtcpTimingOptions {
  /** Tmin of §6.2 (default 5000 ms; the first report waits half of it). Tests may shorten it. */
  readonly minIntervalMs?: number;
  /** Session bandwidth in bit/s, RTP headers included (default 80 000: G.711 at 20 ms). */
  readonly sessionBandwidthBps?: number;
}

export interface RtpSessionOptions extends RtpFormats {
  clock: Clock;
  transport: RtpTransport;
  /** Uniform in [0, 1): SSRC, first sequence number and timestamp, RTCP randomization. Default node:crypto. */
  random?: () => number;
  /** SDES CNAME; default a random 96-bit identifier (RFC 7022 §4.2 "short-term persistent" style). */
  cname?: string;
  rtcp?: RtcpTimingOptions;
  /**
   * RFC 3550 §A.1 probation: in-sequence packets a new source needs before it counts (default
   * MIN_SEQUENTIAL = 2). 1 when the transport already validates where packets come from.
   */
  minSequential?: number;
  /**
   * RFC 6263 §4.6 keepalive: an empty RTP packet with a payload type the peer does not use, sent by
   * `sendKeepalive()` and by `skipAudio` every `intervalMs` without other RTP. Default: PT 127 (or the
   * highest dynamic type not negotiated), every 15 000 ms (RFC 6263 §4: "Tr ... default value of 15 s").
   */
  keepalive?: { readonly payloadType?: number; readonly intervalMs?: number } | false;
  dtmf?: {
    /** −dBm0 of sent events (default 10). */
    readonly volume?: number;
    /** Minimum pause between keys (default 50 ms). */
    readonly gapMs?: number;
    /** End a received event that stops without end packets after this long (default 500 ms). */
    readonly receiveTimeoutMs?: number;
  };
}

// ───────────────────────────── results and events ─────────────────────────────

export interface ReceivedRtpMedia {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Buffer;
  /** Monotonic arrival time. */
  readonly arrivalMs: number;
}

export interface ReceivedDtmf {
  readonly key: DtmfKey;
  readonly durationMs: number;
}

export type RtpDtmfResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** `not-negotiated`: no telephone-event in the SDP; `clock-rate`: its rate differs from the audio's;
       *  `bad-duration`: outside 1 timestamp unit … 8 s (the 16-bit duration field). */
      readonly error: 'not-negotiated' | 'clock-rate' | 'bad-duration';
    };

/** The peer's view of our stream, from its latest report block about our SSRC (RFC 3550 §6.4.1). */
export interface RtpRemoteReport {
  readonly packetsLost: number;
  /** Cumulative loss as a percentage of what we sent up to its highest sequence number. */
  readonly lossPct: number;
  /** Loss in the peer's last reporting interval, %. */
  readonly fractionLostPct: number;
  readonly jitterMs: number;
  readonly extendedHighestSequence: number;
  /** Monotonic time we received the report. */
  readonly receivedAt: number;
}

export interface RtpSessionStats {
  readonly ssrc: number;
  /** The active remote source. */
  readonly remoteSsrc: number | undefined;
  readonly remoteCname: string | undefined;
  readonly packetsSent: number;
  /** Payload octets sent (RFC 3550 §6.4.1 "sender's octet count": headers and padding excluded). */
  readonly bytesSent: number;
  /** Valid RTP packets received (all sources). */
  readonly packetsReceived: number;
  /** Payload octets received. */
  readonly bytesReceived: number;
  /** Our measurement (§A.3): expected − received over every source heard. */
  readonly packetsLost: number;
  readonly lossPct: number;
  /** Our §A.8 interarrival jitter of the active source. */
  readonly jitterMs: number;
  /** From the peer's last report block about us (§6.4.1); undefined until one carried an LSR. */
  readonly rttMs: number | undefined;
  /** Wall-clock time of the last valid RTP packet received. */
  readonly lastPacketAt: number | undefined;
  readonly remote: RtpRemoteReport | undefined;
  readonly rtcp: {
    readonly sent: number;
    readonly received: number;
    readonly invalid: number;
    /** Monotonic time of the last report we sent. */
    readonly lastSentAt: number | undefined;
  };
  /** RTP packets received but not counted or not delivered, by reason. */
  readonly discarded: {
    readonly invalid: number;
    readonly probation: number;
    readonly stray: number;
    /** Valid packets of a source other than the active one. */
    readonly inactiveSource: number;
    /** Payload types we do not decode (keepalives included). */
    readonly unknownPayloadType: number;
    /** Packets carrying our own SSRC (§8.2). */
    readonly collisions: number;
  };
  readonly dtmf: { readonly sent: number; readonly received: number; readonly aborted: number };
}

// ───────────────────────────── internals ─────────────────────────────

/** A remote participant known from RTP and/or RTCP. */
interface RemoteSource {
  readonly ssrc: number;
  statistics: RtpSourceStatistics | undefined;
  lastRtpAt: number | undefined;
  lastHeardAt: number;
  /** Heard RTP since our last report (gets a report block). */
  heardSinceReport: boolean;
  /** LSR of its last SR and when it arrived (for DLSR). */
  lastSr: { lsr: number; arrivedAt: number } | undefined;
  cname: string | undefined;
}

interface ActiveDtmfPlan {
  readonly packets: readonly PlannedDtmfPacket[];
  readonly baseTimestamp: number;
  readonly keys: number;
  next: number;
  slot: number;
}

interface QueuedDtmf {
  readonly keys: readonly DtmfKey[];
  readonly durationMs: number;
}

/** §6.4.1: at most 31 report blocks per SR/RR. */
const MAX_REPORT_BLOCKS = 31;
/** Remote sources remembered at once (a call has one; the rest is noise or an attack). */
const MAX_REMOTE_SOURCES = 8;
const DEFAULT_SESSION_BANDWIDTH_BPS = 80_000;
const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;

export class RtpSession {
  private readonly clock: Clock;
  private readonly transport: RtpTransport;
  private readonly random: () => number;
  readonly cname: string;
  private formats: RtpFormats;
  private readonly minSequential: number | undefined;
  private readonly minIntervalMs: number;
  private readonly rtcpBandwidth: number;
  private readonly keepalive: { payloadType: number; intervalMs: number } | undefined;
  private readonly dtmfVolume: number;
  private readonly dtmfGapMs: number;
  private readonly dtmfReceiver: DtmfReceiver;

  // sender
  private ssrcValue: number;
  private sequence: number;
  private timestamp: number;
  private firstSequence: number;
  private markerNext = true;
  private packetsSent = 0;
  private octetsSent = 0;
  private lastRtpSentAt: number | undefined;
  private lastSlotAt: number | undefined;
  private sentThisInterval = false;
  private sentLastInterval = false;
  private dtmfSender: DtmfSender | undefined;
  private dtmfPlan: ActiveDtmfPlan | undefined;
  private readonly dtmfQueue: QueuedDtmf[] = [];
  private slotsSinceDtmf = Infinity;
  private collisions = 0;

  // receiver
  private readonly sources = new Map<number, RemoteSource>();
  private activeSsrc: number | undefined;
  private retired = { received: 0, expected: 0 };
  private packetsReceived = 0;
  private bytesReceived = 0;
  private lastPacketWall: number | undefined;
  private remoteReport: RtpRemoteReport | undefined;
  private rtt: number | undefined;
  private dtmfTimer: Timer | undefined;

  // RTCP
  private rtcpTimer: Timer | undefined;
  private lastReportAt: number;
  private initial = true;
  private avgRtcpSize: number;
  private lastIntervalMs: number;
  private lastRtcpSentAt: number | undefined;
  private closed = false;

  private readonly counters = {
    invalid: 0,
    probation: 0,
    stray: 0,
    inactiveSource: 0,
    unknownPayloadType: 0,
    rtcpSent: 0,
    rtcpReceived: 0,
    rtcpInvalid: 0,
    dtmfSent: 0,
    dtmfReceived: 0,
    dtmfAborted: 0,
  };

  private readonly mediaEvents = new Emitter<ReceivedRtpMedia>();
  private readonly dtmfEvents = new Emitter<ReceivedDtmf>();
  private readonly sourceEvents = new Emitter<number>();
  private readonly byeEvents = new Emitter<{ ssrc: number; reason: string | undefined }>();

  constructor(options: RtpSessionOptions) {
    this.clock = options.clock;
    this.transport = options.transport;
    this.random = options.random ?? cryptoRandom;
    this.cname = options.cname ?? randomBytes(12).toString('base64');
    this.formats = { send: options.send, receive: options.receive, telephoneEvent: options.telephoneEvent };
    this.minSequential = options.minSequential;
    this.minIntervalMs = options.rtcp?.minIntervalMs ?? RTCP_MIN_INTERVAL_MS;
    this.rtcpBandwidth =
      ((options.rtcp?.sessionBandwidthBps ?? DEFAULT_SESSION_BANDWIDTH_BPS) * RTCP_BANDWIDTH_FRACTION) / 8;
    this.keepalive =
      options.keepalive === false
        ? undefined
        : {
            payloadType: options.keepalive?.payloadType ?? unusedPayloadType(options),
            intervalMs: options.keepalive?.intervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
          };
    this.dtmfVolume = options.dtmf?.volume ?? 10;
    this.dtmfGapMs = options.dtmf?.gapMs ?? 50;
    this.dtmfReceiver = new DtmfReceiver({
      clockRate: options.telephoneEvent?.clockRate ?? 8000,
      timeoutMs: options.dtmf?.receiveTimeoutMs ?? 500,
    });
    this.dtmfSender = this.makeDtmfSender();

    // RFC 3550 §5.1: the initial sequence number and timestamp "SHOULD be random (unpredictable)".
    this.ssrcValue = this.randomUint32();
    this.sequence = Math.floor(this.random() * 0x10000) & 0xffff;
    this.firstSequence = this.sequence;
    this.timestamp = this.randomUint32();

    // §6.2: avg_rtcp_size starts as "the probable size of the first RTCP packet".
    this.avgRtcpSize = this.buildReport([]).length + RTCP_LOWER_LAYER_BYTES;
    this.lastReportAt = this.clock.monotonic();
    this.lastIntervalMs = this.minIntervalMs;
    this.lastIntervalMs = this.interval();
    this.rtcpTimer = this.clock.setTimer(this.lastIntervalMs, () => this.onRtcpTimer());
  }

  get ssrc(): number {
    return this.ssrcValue;
  }

  /** A telephone-event is being sent or waits to be. */
  get dtmfPending(): boolean {
    return this.dtmfPlan !== undefined || this.dtmfQueue.length > 0;
  }

  // ───────────────────────────── events ─────────────────────────────

  /** Audio packets of the active remote source, with a payload type of `receive`. */
  onMedia(listener: (media: ReceivedRtpMedia) => void): Disposable {
    return this.mediaEvents.on(listener);
  }

  /** One per key the peer pressed (RFC 4733), when it ends. */
  onDtmf(listener: (dtmf: ReceivedDtmf) => void): Disposable {
    return this.dtmfEvents.on(listener);
  }

  /** The active remote source changed (a new SSRC became valid). */
  onSourceChange(listener: (ssrc: number) => void): Disposable {
    return this.sourceEvents.on(listener);
  }

  /** A remote source said BYE (RFC 3550 §6.6). */
  onBye(listener: (bye: { ssrc: number; reason: string | undefined }) => void): Disposable {
    return this.byeEvents.on(listener);
  }

  // ───────────────────────────── sending ─────────────────────────────

  /** One packet slot with audio: sends it, or the telephone-event packet that takes the slot. */
  sendAudio(payload: Uint8Array, samples: number): void {
    this.assertOpen();
    this.lastSlotAt = this.clock.monotonic();
    if (this.dtmfSlot()) {
      this.timestamp = (this.timestamp + samples) >>> 0;
      return;
    }
    this.emitRtp(this.formats.send.payloadType, this.markerNext, this.timestamp, payload);
    this.markerNext = false;
    this.timestamp = (this.timestamp + samples) >>> 0;
  }

  /**
   * One packet slot without audio. `not-sending` (hold, recvonly, inactive): a telephone-event in
   * progress is abandoned. `no-audio` (a capture gap, a source that ended): a queued telephone-event still
   * takes its slot. Either way the timestamp moves on, the next audio packet starts a talkspurt, and a
   * keepalive goes out when nothing was sent for the keepalive interval.
   */
  skipAudio(samples: number, cause: 'not-sending' | 'no-audio'): void {
    this.assertOpen();
    const now = this.clock.monotonic();
    this.lastSlotAt = now;
    if (cause === 'no-audio' && this.dtmfSlot()) {
      this.timestamp = (this.timestamp + samples) >>> 0;
      return;
    }
    if (cause === 'not-sending' && (this.dtmfPlan !== undefined || this.dtmfQueue.length > 0)) {
      this.counters.dtmfAborted +=
        (this.dtmfPlan?.keys ?? 0) + this.dtmfQueue.reduce((n, q) => n + q.keys.length, 0);
      this.dtmfPlan = undefined;
      this.dtmfQueue.length = 0;
    }
    this.markerNext = true;
    this.timestamp = (this.timestamp + samples) >>> 0;
    if (
      this.keepalive !== undefined &&
      (this.lastRtpSentAt === undefined || now - this.lastRtpSentAt >= this.keepalive.intervalMs)
    ) {
      this.sendKeepalive();
    }
  }

  /**
   * RFC 6263 §4.6: "an RTP packet with an unknown payload type": keeps NAT bindings (ours and the peer's
   * latching) alive while we send no media. No-op when keepalives are off.
   */
  sendKeepalive(): void {
    this.assertOpen();
    if (this.keepalive === undefined) return;
    this.emitRtp(this.keepalive.payloadType, false, this.timestamp, new Uint8Array(0));
  }

  /** Queues keys as RFC 4733 events; they take over the next audio slots. */
  sendDtmf(keys: readonly DtmfKey[], durationMs: number): RtpDtmfResult {
    this.assertOpen();
    const sender = this.dtmfSender;
    const te = this.formats.telephoneEvent;
    if (te === undefined) return { ok: false, error: 'not-negotiated' };
    if (sender === undefined) return { ok: false, error: 'clock-rate' };
    const units = Math.round((durationMs * te.clockRate) / 1000);
    if (!(units >= 1) || durationMs > sender.maxDurationMs) return { ok: false, error: 'bad-duration' };
    if (keys.length > 0) this.dtmfQueue.push({ keys: [...keys], durationMs });
    return { ok: true };
  }

  // ───────────────────────────── receiving ─────────────────────────────

  /** A packet the media path accepted. */
  receive(kind: 'rtp' | 'rtcp', data: Buffer): void {
    if (this.closed) return;
    if (kind === 'rtp') this.receiveRtp(data);
    else this.receiveRtcp(data);
  }

  /** New formats after a re-INVITE (codec, payload types, ptime, telephone-event). */
  updateFormats(formats: RtpFormats): void {
    this.assertOpen();
    const ptimeChanged = formats.send.ptimeMs !== this.formats.send.ptimeMs;
    this.formats = formats;
    this.dtmfSender = this.makeDtmfSender();
    if (ptimeChanged && this.dtmfPlan !== undefined) {
      this.counters.dtmfAborted += this.dtmfPlan.keys;
      this.dtmfPlan = undefined;
    }
  }

  stats(): RtpSessionStats {
    let received = this.retired.received;
    let expected = this.retired.expected;
    for (const source of this.sources.values()) {
      if (source.statistics === undefined) continue;
      received += source.statistics.received;
      expected += source.statistics.expected;
    }
    const active = this.activeSsrc === undefined ? undefined : this.sources.get(this.activeSsrc);
    const lost = expected - received;
    return {
      ssrc: this.ssrcValue,
      remoteSsrc: this.activeSsrc,
      remoteCname: active?.cname,
      packetsSent: this.packetsSent,
      bytesSent: this.octetsSent,
      packetsReceived: this.packetsReceived,
      bytesReceived: this.bytesReceived,
      packetsLost: lost,
      lossPct: expected > 0 ? (Math.max(0, lost) * 100) / expected : 0,
      jitterMs: active?.statistics?.jitterMs ?? 0,
      rttMs: this.rtt,
      lastPacketAt: this.lastPacketWall,
      remote: this.remoteReport,
      rtcp: {
        sent: this.counters.rtcpSent,
        received: this.counters.rtcpReceived,
        invalid: this.counters.rtcpInvalid,
        lastSentAt: this.lastRtcpSentAt,
      },
      discarded: {
        invalid: this.counters.invalid,
        probation: this.counters.probation,
        stray: this.counters.stray,
        inactiveSource: this.counters.inactiveSource,
        unknownPayloadType: this.counters.unknownPayloadType,
        collisions: this.collisions,
      },
      dtmf: {
        sent: this.counters.dtmfSent,
        received: this.counters.dtmfReceived,
        aborted: this.counters.dtmfAborted,
      },
    };
  }

  /**
   * Leaves the session: a final compound RTCP packet with BYE (§6.3.7; not when we never sent anything:
   * "if a participant ... never sent an RTP or RTCP packet, it MUST NOT send a BYE"), then every timer
   * and listener goes. Idempotent.
   */
  close(reason?: string): void {
    if (this.closed) return;
    if (this.packetsSent > 0 || this.counters.rtcpSent > 0) {
      this.sendReport(new RtcpByePacket({ sources: [this.ssrcValue], reason }));
    }
    this.closed = true;
    this.rtcpTimer?.cancel();
    this.rtcpTimer = undefined;
    this.dtmfTimer?.cancel();
    this.dtmfTimer = undefined;
    this.mediaEvents.clear();
    this.dtmfEvents.clear();
    this.sourceEvents.clear();
    this.byeEvents.clear();
  }

  // ───────────────────────────── sender internals ─────────────────────────────

  private emitRtp(payloadType: number, marker: boolean, timestamp: number, payload: Uint8Array): void {
    const packet = serializeRtpPacket({
      payloadType,
      marker,
      sequenceNumber: this.sequence,
      timestamp,
      ssrc: this.ssrcValue,
      payload,
    });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.packetsSent++;
    this.octetsSent += payload.length;
    this.sentThisInterval = true;
    this.lastRtpSentAt = this.clock.monotonic();
    this.transport.send('rtp', packet);
  }

  /** Sends this slot's telephone-event packet if one is due; true when the slot is taken. */
  private dtmfSlot(): boolean {
    const sender = this.dtmfSender;
    const te = this.formats.telephoneEvent;
    if (this.dtmfPlan === undefined && this.dtmfQueue.length > 0 && sender !== undefined) {
      const gapSlots = Math.ceil(this.dtmfGapMs / this.formats.send.ptimeMs);
      if (this.slotsSinceDtmf >= gapSlots) {
        const request = this.dtmfQueue.shift()!;
        this.dtmfPlan = {
          packets: sender.planSequence(request.keys, request.durationMs, this.dtmfGapMs),
          baseTimestamp: this.timestamp,
          keys: request.keys.length,
          next: 0,
          slot: 0,
        };
      }
    }
    const plan = this.dtmfPlan;
    if (plan === undefined || te === undefined) {
      this.slotsSinceDtmf++;
      return false;
    }
    const packet = plan.packets[plan.next];
    const slotMs = plan.slot * this.formats.send.ptimeMs;
    plan.slot++;
    if (packet === undefined || packet.sendOffsetMs !== slotMs) {
      // Between two keys of the plan: this slot carries audio.
      return false;
    }
    // RFC 4733 §2.5.1: every packet of an event carries the event's start timestamp.
    this.emitRtp(
      te.sendPayloadType,
      packet.marker,
      (plan.baseTimestamp + packet.timestampOffset) >>> 0,
      packet.payload,
    );
    plan.next++;
    if (plan.next === plan.packets.length) {
      this.counters.dtmfSent += plan.keys;
      this.dtmfPlan = undefined;
      this.slotsSinceDtmf = 0;
    }
    // The audio after an event starts a new talkspurt.
    this.markerNext = true;
    return true;
  }

  private makeDtmfSender(): DtmfSender | undefined {
    const te = this.formats.telephoneEvent;
    if (te === undefined || te.clockRate !== this.formats.send.clockRate) return undefined;
    return new DtmfSender({
      clockRate: te.clockRate,
      ptimeMs: this.formats.send.ptimeMs,
      volume: this.dtmfVolume,
    });
  }

  /** §8.2: someone else uses our SSRC — BYE the old one, take a new random one. */
  private collide(): void {
    this.collisions++;
    if (this.collisions > 1) return; // the same again: a loop (our packets reflected), not a collision
    this.sendReport(new RtcpByePacket({ sources: [this.ssrcValue], reason: 'SSRC collision' }));
    do this.ssrcValue = this.randomUint32();
    while (this.sources.has(this.ssrcValue));
    this.firstSequence = this.sequence;
    this.packetsSent = 0;
    this.octetsSent = 0;
    this.markerNext = true;
    this.remoteReport = undefined;
  }

  // ───────────────────────────── receiver internals ─────────────────────────────

  private receiveRtp(data: Buffer): void {
    const parsed = parseRtpPacket(data);
    if (!parsed.ok) {
      this.counters.invalid++;
      return;
    }
    const { header, payload } = parsed.packet;
    if (header.ssrc === this.ssrcValue) {
      this.collide();
      return;
    }
    const now = this.clock.monotonic();
    const te = this.formats.telephoneEvent;
    const isEvent = te !== undefined && header.payloadType === te.receivePayloadType;
    const audioRate = this.formats.receive.get(header.payloadType);
    const clockRate = audioRate ?? (isEvent ? te.clockRate : this.formats.send.clockRate);

    const source = this.sourceFor(header.ssrc, now);
    source.statistics ??= new RtpSourceStatistics(
      header.ssrc,
      header.sequenceNumber,
      clockRate,
      this.minSequential,
    );
    const wasValid = source.statistics.valid;
    const verdict: SequenceVerdict = source.statistics.update(
      header.sequenceNumber,
      header.timestamp,
      now,
      !isEvent,
    );
    if (verdict !== 'valid') {
      this.counters[verdict]++;
      return;
    }
    source.lastRtpAt = now;
    source.heardSinceReport = true;
    this.packetsReceived++;
    this.bytesReceived += payload.length;
    this.lastPacketWall = this.clock.now();

    if (this.activeSsrc !== header.ssrc) {
      const active = this.activeSsrc === undefined ? undefined : this.sources.get(this.activeSsrc);
      const activeSilent =
        active?.lastRtpAt === undefined || now - active.lastRtpAt > 2 * this.formats.send.ptimeMs;
      if (!wasValid || activeSilent) {
        // RFC 3550 §8.2: a new SSRC is a new source; DTMF and playout start over with it.
        this.activeSsrc = header.ssrc;
        this.dtmfReceiver.reset();
        this.sourceEvents.emit(header.ssrc);
      } else {
        this.counters.inactiveSource++;
        return;
      }
    }

    if (isEvent) {
      this.handleDtmf(this.dtmfReceiver.receive({ timestamp: header.timestamp, payload, arrivalMs: now }));
      this.armDtmfTimeout();
    } else if (audioRate !== undefined) {
      this.mediaEvents.emit({
        ssrc: header.ssrc,
        payloadType: header.payloadType,
        sequenceNumber: header.sequenceNumber,
        timestamp: header.timestamp,
        marker: header.marker,
        payload,
        arrivalMs: now,
      });
    } else {
      this.counters.unknownPayloadType++;
    }
  }

  private handleDtmf(events: DtmfReceiverEvent[]): void {
    for (const event of events) {
      if (event.type !== 'end') continue;
      this.counters.dtmfReceived++;
      this.dtmfEvents.emit({ key: event.key, durationMs: event.durationMs });
    }
  }

  private armDtmfTimeout(): void {
    this.dtmfTimer?.cancel();
    this.dtmfTimer = undefined;
    if (!this.dtmfReceiver.inEvent) return;
    this.dtmfTimer = this.clock.setTimer(this.dtmfReceiver.timeoutMs, () => {
      this.dtmfTimer = undefined;
      this.handleDtmf(this.dtmfReceiver.poll(this.clock.monotonic()));
    });
  }

  private sourceFor(ssrc: number, now: number): RemoteSource {
    let source = this.sources.get(ssrc);
    if (source !== undefined) {
      source.lastHeardAt = now;
      return source;
    }
    if (this.sources.size >= MAX_REMOTE_SOURCES) {
      // Forget the longest-silent source other than the active one.
      const victim = [...this.sources.values()]
        .filter((s) => s.ssrc !== this.activeSsrc)
        .sort((a, b) => a.lastHeardAt - b.lastHeardAt)[0];
      if (victim !== undefined) this.retire(victim.ssrc);
    }
    source = {
      ssrc,
      statistics: undefined,
      lastRtpAt: undefined,
      lastHeardAt: now,
      heardSinceReport: false,
      lastSr: undefined,
      cname: undefined,
    };
    this.sources.set(ssrc, source);
    return source;
  }

  private retire(ssrc: number): void {
    const source = this.sources.get(ssrc);
    if (source === undefined) return;
    if (source.statistics !== undefined) {
      this.retired = {
        received: this.retired.received + source.statistics.received,
        expected: this.retired.expected + source.statistics.expected,
      };
    }
    this.sources.delete(ssrc);
    if (this.activeSsrc === ssrc) this.activeSsrc = undefined;
  }

  private receiveRtcp(data: Buffer): void {
    const parsed = parseRtcpCompound(data);
    if (!parsed.ok) {
      this.counters.rtcpInvalid++;
      return;
    }
    this.counters.rtcpReceived++;
    // §6.3.3: "avg_rtcp_size = (1/16) * packet_size + (15/16) * avg_rtcp_size".
    this.avgRtcpSize += (data.length + RTCP_LOWER_LAYER_BYTES - this.avgRtcpSize) / 16;
    const now = this.clock.monotonic();
    for (const packet of parsed.packets) {
      switch (packet.type) {
        case 200:
          this.sourceFor(packet.ssrc, now).lastSr = {
            lsr: compactNtp(packet.senderInfo.ntpTimestamp),
            arrivedAt: now,
          };
          this.readReportBlocks(packet.reports, now);
          break;
        case 201:
          this.sourceFor(packet.ssrc, now);
          this.readReportBlocks(packet.reports, now);
          break;
        case 202:
          for (const chunk of packet.chunks) {
            const source = this.sources.get(chunk.source);
            const cname = chunk.items.find((item) => item.type === SdesItemType.CNAME)?.text;
            if (source !== undefined && cname !== undefined) source.cname = cname;
          }
          break;
        case 203:
          for (const ssrc of packet.sources) {
            if (!this.sources.has(ssrc)) continue;
            this.retire(ssrc);
            this.byeEvents.emit({ ssrc, reason: packet.reason });
          }
          break;
        case 'other':
          break;
      }
    }
  }

  private readReportBlocks(blocks: readonly RtcpReceiverInfo[], now: number): void {
    const block = blocks.find((b) => b.ssrc === this.ssrcValue);
    if (block === undefined) return;
    const lost = decodeCumulativeLost(block.packetsLost);
    // The peer's extended highest sequence counts from our first sequence number (its cycles start at 0).
    const expected = block.highestSequence - this.firstSequence + 1;
    this.remoteReport = {
      packetsLost: lost,
      lossPct: expected > 0 ? (Math.max(0, lost) * 100) / expected : 0,
      fractionLostPct: (block.fractionLost * 100) / 256,
      jitterMs: (block.jitter * 1000) / this.formats.send.clockRate,
      extendedHighestSequence: block.highestSequence,
      receivedAt: now,
    };
    const rtt = roundTripMs(compactNtp(ntpFromUnixMs(this.clock.now())), block.lsr, block.dlsr);
    if (rtt !== undefined) this.rtt = rtt;
  }

  // ───────────────────────────── RTCP ─────────────────────────────

  /** §6.3.6 / §A.7 OnExpire, with timer reconsideration. */
  private onRtcpTimer(): void {
    this.rtcpTimer = undefined;
    const now = this.clock.monotonic();
    const t = this.interval();
    const due = this.lastReportAt + t;
    if (due <= now) {
      this.sendReport();
      this.lastReportAt = now;
      this.initial = false;
      this.lastIntervalMs = this.interval();
      this.rtcpTimer = this.clock.setTimer(this.lastIntervalMs, () => this.onRtcpTimer());
    } else {
      this.rtcpTimer = this.clock.setTimer(due - now, () => this.onRtcpTimer());
    }
  }

  private interval(): number {
    const now = this.clock.monotonic();
    const weSent = this.sentThisInterval || this.sentLastInterval;
    let remoteSenders = 0;
    for (const source of this.sources.values()) {
      // §6.3.8: a participant is a sender while it sent RTP within the last two reporting intervals.
      if (source.lastRtpAt !== undefined && now - source.lastRtpAt < 2 * this.lastIntervalMs) remoteSenders++;
    }
    return rtcpIntervalMs({
      members: 1 + this.sources.size,
      senders: remoteSenders + (weSent ? 1 : 0),
      rtcpBandwidth: this.rtcpBandwidth,
      weSent,
      avgRtcpSize: this.avgRtcpSize,
      initial: this.initial,
      minIntervalMs: this.minIntervalMs,
      random: this.random,
    });
  }

  /** Builds and sends one compound packet (SR or RR, SDES CNAME, and an optional BYE last). */
  private sendReport(bye?: RtcpByePacket): void {
    const now = this.clock.monotonic();
    const blocks: RtcpReceiverInfo[] = [];
    for (const source of this.sources.values()) {
      if (blocks.length >= MAX_REPORT_BLOCKS) break;
      if (!source.heardSinceReport || source.statistics === undefined || !source.statistics.valid) continue;
      const report = source.statistics.report();
      blocks.push(
        new RtcpReceiverInfo({
          ssrc: source.ssrc,
          fractionLost: report.fractionLost,
          packetsLost: encodeCumulativeLost(report.cumulativeLost),
          highestSequence: report.extendedHighestSequence,
          jitter: report.jitter,
          // §6.4.1: LSR and DLSR are zero when no SR has been received from the source.
          lsr: source.lastSr?.lsr ?? 0,
          dlsr: source.lastSr === undefined ? 0 : compactFromMs(now - source.lastSr.arrivedAt),
        }),
      );
      source.heardSinceReport = false;
    }
    const data = this.buildReport(blocks, bye);
    this.sentLastInterval = this.sentThisInterval;
    this.sentThisInterval = false;
    this.counters.rtcpSent++;
    this.lastRtcpSentAt = now;
    this.avgRtcpSize += (data.length + RTCP_LOWER_LAYER_BYTES - this.avgRtcpSize) / 16;
    this.transport.send('rtcp', data);
  }

  private buildReport(blocks: RtcpReceiverInfo[], bye?: RtcpByePacket): Buffer {
    // §6.4: "SR ... if the site has sent any data packets during the interval since issuing the last
    // report or the previous one, otherwise the RR".
    const weSent = this.sentThisInterval || this.sentLastInterval;
    const parts: RtcpSendable[] = [];
    if (weSent) {
      const now = this.clock.monotonic();
      const sinceSlot = this.lastSlotAt === undefined ? 0 : now - this.lastSlotAt;
      parts.push(
        new RtcpSrPacket({
          ssrc: this.ssrcValue,
          senderInfo: new RtcpSenderInfo({
            ntpTimestamp: ntpFromUnixMs(this.clock.now()),
            // The RTP timestamp of the same instant: the media clock's position now.
            rtpTimestamp:
              (this.timestamp + Math.round((sinceSlot * this.formats.send.clockRate) / 1000)) >>> 0,
            packetCount: this.packetsSent >>> 0,
            octetCount: this.octetsSent >>> 0,
          }),
          reports: blocks,
        }),
      );
    } else {
      parts.push(new RtcpRrPacket({ ssrc: this.ssrcValue, reports: blocks }));
    }
    parts.push(
      new RtcpSourceDescriptionPacket({
        chunks: [
          new SourceDescriptionChunk({
            source: this.ssrcValue,
            items: [new SourceDescriptionItem({ type: SdesItemType.CNAME, text: this.cname })],
          }),
        ],
      }),
    );
    if (bye !== undefined) parts.push(bye);
    return serializeRtcpCompound(parts);
  }

  private randomUint32(): number {
    return Math.floor(this.random() * 2 ** 32) >>> 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('RtpSession: used after close');
  }
}

/** The highest dynamic payload type (RFC 3551 §3: 96–127) that the session does not use. */
function unusedPayloadType(formats: RtpFormats): number {
  const used = new Set<number>([formats.send.payloadType, ...formats.receive.keys()]);
  if (formats.telephoneEvent !== undefined) {
    used.add(formats.telephoneEvent.sendPayloadType);
    used.add(formats.telephoneEvent.receivePayloadType);
  }
  for (let pt = 127; pt >= 96; pt--) if (!used.has(pt)) return pt;
  return 127;
}

function cryptoRandom(): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}
