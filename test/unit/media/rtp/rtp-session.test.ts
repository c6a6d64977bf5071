import { RtcpRrPacket, RtcpSourceDescriptionPacket, RtcpSrPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_WALL_START_MS, FakeClock } from '../../../../src-main/platform/index.ts';
import { PCMU, decodeTelephoneEvent } from '../../../../src-main/media/codec/index.ts';
import {
  RTCP_COMPENSATION,
  RtcpByePacket,
  RtpSession,
  compactFromMs,
  compactNtp,
  ntpFromUnixMs,
  parseRtcpCompound,
  parseRtpPacket,
  serializeRtpPacket,
} from '../../../../src-main/media/rtp/index.ts';
import type { RtcpPacketItem, RtpSessionOptions } from '../../../../src-main/media/rtp/index.ts';

interface Sent {
  at: number;
  kind: 'rtp' | 'rtcp';
  data: Buffer;
}

/** A transport that records what it sends and can forward it to another session after a delay. */
class Wire {
  readonly sent: Sent[] = [];
  peer: RtpSession | undefined;
  private readonly clock: FakeClock;
  private readonly delayMs: number;

  constructor(clock: FakeClock, delayMs = 0) {
    this.clock = clock;
    this.delayMs = delayMs;
  }

  send(kind: 'rtp' | 'rtcp', data: Uint8Array): void {
    const copy = Buffer.from(data);
    this.sent.push({ at: this.clock.monotonic(), kind, data: copy });
    const peer = this.peer;
    if (peer !== undefined) this.clock.setTimer(this.delayMs, () => peer.receive(kind, copy));
  }

  rtp(): {
    at: number;
    pt: number;
    marker: boolean;
    seq: number;
    ts: number;
    ssrc: number;
    payload: Buffer;
  }[] {
    return this.sent
      .filter((s) => s.kind === 'rtp')
      .map((s) => {
        const parsed = parseRtpPacket(s.data);
        if (!parsed.ok) throw new Error('sent an invalid RTP packet');
        const h = parsed.packet.header;
        return {
          at: s.at,
          pt: h.payloadType,
          marker: h.marker,
          seq: h.sequenceNumber,
          ts: h.timestamp,
          ssrc: h.ssrc,
          payload: parsed.packet.payload,
        };
      });
  }

  rtcp(): { at: number; packets: readonly RtcpPacketItem[] }[] {
    return this.sent
      .filter((s) => s.kind === 'rtcp')
      .map((s) => {
        const parsed = parseRtcpCompound(s.data);
        if (!parsed.ok) throw new Error(`sent an invalid RTCP packet: ${parsed.error}`);
        return { at: s.at, packets: parsed.packets };
      });
  }
}

/** The first sequence number a wire carried (RTP). */
function firstSeqOf(wire: Wire): number {
  return wire.rtp()[0]!.seq;
}

/** A fixed sequence of "random" values, then 0.5 forever. */
function randomFrom(values: number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0.5;
}

const FORMATS = {
  send: { payloadType: 0, clockRate: 8000, ptimeMs: 20 },
  receive: new Map([[0, 8000]]),
  telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101, clockRate: 8000 },
};

function session(clock: FakeClock, wire: Wire, overrides: Partial<RtpSessionOptions> = {}): RtpSession {
  return new RtpSession({
    clock,
    transport: wire,
    ...FORMATS,
    random: () => 0.5,
    cname: 'test@example',
    ...overrides,
  });
}

const silence = PCMU.encode(new Int16Array(160));

/** Runs `slots` media slots of 20 ms: audio through `send` unless `skip` says so. */
function runSlots(
  clock: FakeClock,
  rtp: RtpSession,
  slots: number,
  skip: (i: number) => boolean = () => false,
): void {
  for (let i = 0; i < slots; i++) {
    clock.advance(20);
    if (skip(i)) rtp.skipAudio(160, 'not-sending');
    else rtp.sendAudio(silence, 160);
  }
}

describe('RtpSession sending (RFC 3550 §5.1)', () => {
  it('draws SSRC, first sequence number and timestamp from the random source', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { random: randomFrom([0.25, 0.5, 0.75]) });
    runSlots(clock, rtp, 2);
    const [first, second] = wire.rtp();
    expect(first).toMatchObject({ ssrc: 0x40000000, seq: 0x8000, ts: 0xc0000000, pt: 0, marker: true });
    expect(second).toMatchObject({ ssrc: 0x40000000, seq: 0x8001, ts: 0xc00000a0, marker: false });
    rtp.close();
  });

  it('sets the marker on the first packet of each talkspurt and keeps the timestamp on the sampling clock', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { keepalive: false });
    runSlots(clock, rtp, 6, (i) => i === 2 || i === 3);
    const sent = wire.rtp();
    expect(sent.map((p) => p.marker)).toEqual([true, false, true, false]);
    const ts0 = sent[0]!.ts;
    expect(sent.map((p) => (p.ts - ts0) >>> 0)).toEqual([0, 160, 640, 800]);
    // Sequence numbers count packets, not slots.
    expect(sent.map((p) => (p.seq - sent[0]!.seq) & 0xffff)).toEqual([0, 1, 2, 3]);
    rtp.close();
  });

  it('sends an RFC 6263 keepalive at once and then every interval while it sends no media', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { keepalive: { intervalMs: 1000 } });
    rtp.sendKeepalive();
    runSlots(clock, rtp, 150, () => true); // 3 s without media
    const keepalives = wire.rtp();
    expect(keepalives.map((p) => p.at)).toEqual([0, 1000, 2000, 3000]);
    // The highest dynamic payload type nobody negotiated, no payload, our SSRC.
    expect(keepalives.every((p) => p.pt === 127 && p.payload.length === 0 && p.ssrc === rtp.ssrc)).toBe(true);
    rtp.close();
  });
});

describe('RtpSession telephone-events (RFC 4733)', () => {
  it('replaces audio slots with the event packets: one timestamp, consecutive sequence numbers, three end packets', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { dtmf: { gapMs: 100 } });
    runSlots(clock, rtp, 2);
    expect(rtp.sendDtmf(['5', '#'], 60)).toEqual({ ok: true });
    runSlots(clock, rtp, 18);
    const sent = wire.rtp();
    const base = sent[0]!;
    const rows = sent.map((p) => {
      const slot = ((p.ts - base.ts) >>> 0) / 160;
      if (p.pt !== 101) return `audio ts+${slot}${p.marker ? ' M' : ''}`;
      const event = decodeTelephoneEvent(p.payload);
      if (!event.ok) throw new Error('bad event payload');
      return `event ${event.value.event} ts+${slot}${p.marker ? ' M' : ''}${event.value.end ? ' E' : ''} ${event.value.duration}`;
    });
    expect(rows).toEqual([
      'audio ts+0 M',
      'audio ts+1',
      'event 5 ts+2 M 160',
      'event 5 ts+2 320',
      'event 5 ts+2 E 480',
      'event 5 ts+2 E 480',
      'event 5 ts+2 E 480',
      // the 60 ms key ended at ts+5; 100 ms of gap: audio (a new talkspurt) until the next key at ts+10…
      'audio ts+7 M',
      'audio ts+8',
      'audio ts+9',
      'event 11 ts+10 M 160',
      'event 11 ts+10 320',
      'event 11 ts+10 E 480',
      'event 11 ts+10 E 480',
      'event 11 ts+10 E 480',
      // …and audio resumes with its own (later) timestamp, starting a talkspurt.
      'audio ts+15 M',
      'audio ts+16',
      'audio ts+17',
      'audio ts+18',
      'audio ts+19',
    ]);
    expect(sent.every((p, i) => i === 0 || p.seq === ((sent[i - 1]!.seq + 1) & 0xffff))).toBe(true);
    expect(rtp.stats().dtmf).toEqual({ sent: 2, received: 0, aborted: 0 });
    rtp.close();
  });

  it('sends queued events through capture gaps but abandons them when sending stops', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { keepalive: false });
    rtp.sendDtmf(['7'], 40);
    for (let i = 0; i < 4; i++) {
      clock.advance(20);
      rtp.skipAudio(160, 'no-audio'); // the microphone has nothing (a WAV file that ended)
    }
    expect(wire.rtp().map((p) => p.pt)).toEqual([101, 101, 101, 101]);
    expect(rtp.stats().dtmf).toMatchObject({ sent: 1, aborted: 0 });
    rtp.sendDtmf(['8', '9'], 100);
    clock.advance(20);
    rtp.sendAudio(silence, 160);
    clock.advance(20);
    rtp.skipAudio(160, 'not-sending'); // put on hold mid-key
    expect(rtp.dtmfPending).toBe(false);
    expect(rtp.stats().dtmf).toMatchObject({ sent: 1, aborted: 2 });
    rtp.close();
  });

  it('refuses events that were not negotiated, or too long for the duration field', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const without = session(clock, wire, { telephoneEvent: undefined });
    expect(without.sendDtmf(['1'], 100)).toEqual({ ok: false, error: 'not-negotiated' });
    const rtp = session(clock, wire);
    expect(rtp.sendDtmf(['1'], 9000)).toEqual({ ok: false, error: 'bad-duration' });
    expect(rtp.sendDtmf(['1'], 0)).toEqual({ ok: false, error: 'bad-duration' });
    const wideband = session(clock, wire, {
      telephoneEvent: { sendPayloadType: 101, receivePayloadType: 101, clockRate: 16000 },
    });
    expect(wideband.sendDtmf(['1'], 100)).toEqual({ ok: false, error: 'clock-rate' });
    for (const s of [without, rtp, wideband]) s.close();
  });

  it('reports each key the peer pressed once, with its duration', () => {
    const clock = new FakeClock();
    const aWire = new Wire(clock, 10);
    const bWire = new Wire(clock, 10);
    const a = session(clock, aWire, { random: randomFrom([0.1, 0.2, 0.3]) });
    const b = session(clock, bWire, { random: randomFrom([0.6, 0.7, 0.8]) });
    aWire.peer = b;
    bWire.peer = a;
    const keys: string[] = [];
    b.onDtmf((d) => keys.push(`${d.key}:${d.durationMs}`));
    a.sendDtmf(['1', '2', 'A'], 100);
    runSlots(clock, a, 60);
    expect(keys).toEqual(['1:100', '2:100', 'A:100']);
    expect(b.stats().dtmf.received).toBe(3);
    a.close();
    b.close();
    clock.advance(100);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('RtpSession RTCP (RFC 3550 §6)', () => {
  it('reports at Tmin/2 and then every Tmin, randomized and compensated (§6.3), exactly on the fake clock', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire); // random() = 0.5: no randomization
    const first = Math.round(2500 / RTCP_COMPENSATION);
    const next = Math.round(5000 / RTCP_COMPENSATION);
    expect([first, next]).toEqual([2052, 4104]);
    clock.advance(20_000);
    expect(wire.rtcp().map((r) => r.at)).toEqual([
      2052,
      2052 + next,
      2052 + 2 * next,
      2052 + 3 * next,
      2052 + 4 * next,
    ]);
    rtp.close();
  });

  it('follows the random draws and reconsiders: a later draw than the armed one delays the report (§6.3.6)', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    // Draws: SSRC, seq, ts; T(initial) armed with 0 → 1026 ms; at expiry the redraw is ~1 → 3078 ms: re-armed
    // at tp + 3078; there the redraw 0.5 → 2052 ≤ 3078: send, tp = 3078, and the next interval draws 0 →
    // 2052 ms; at 5130 the redraw 0.5 → 4104 puts tn at 7182: re-armed, sent then.
    const rtp = session(clock, wire, { random: randomFrom([0.5, 0.5, 0.5, 0, 0.9999999, 0.5, 0]) });
    clock.advance(8000);
    expect(wire.rtcp().map((r) => r.at)).toEqual([3078, 7182]);
    rtp.close();
  });

  it('sends RR + SDES CNAME before sending RTP, SR + SDES after, and a BYE last on close', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire);
    clock.advance(2052);
    runSlots(clock, rtp, 50);
    clock.advance(5000);
    rtp.close('bye now');
    const reports = wire.rtcp();
    expect(reports.map((r) => r.packets.map((p) => p.type))).toEqual([
      [201, 202],
      [200, 202],
      [200, 202, 203],
    ]);
    const sdes = reports[0]!.packets[1];
    expect(sdes instanceof RtcpSourceDescriptionPacket && sdes.chunks[0]!.items[0]!.text).toBe(
      'test@example',
    );
    const sr = reports[1]!.packets[0];
    expect(
      sr instanceof RtcpSrPacket && [sr.ssrc, sr.senderInfo.packetCount, sr.senderInfo.octetCount],
    ).toEqual([rtp.ssrc, 50, 8000]);
    const bye = reports[2]!.packets[2];
    expect(bye instanceof RtcpByePacket && [bye.sources, bye.reason]).toEqual([[rtp.ssrc], 'bye now']);
    expect(clock.pendingTimers()).toBe(0);
    expect(() => rtp.sendAudio(silence, 160)).toThrow(/after close/);
  });

  it('computes RTT = A − LSR − DLSR from the peer report about us (§6.4.1) and the peer view of our loss', () => {
    const clock = new FakeClock();
    const aWire = new Wire(clock, 100);
    const bWire = new Wire(clock, 100);
    const a = session(clock, aWire, { random: randomFrom([0.1, 0.2, 0.3]) });
    const b = session(clock, bWire, { random: randomFrom([0.6, 0.7, 0.8]) });
    aWire.peer = b;
    bWire.peer = a;
    // A sends 500 packets, drops every 10th on the way (a lossy "network" inside the wire).
    const original = aWire.send.bind(aWire);
    let rtpCount = 0;
    aWire.send = (kind, data) => {
      if (kind === 'rtp' && rtpCount++ % 10 === 5) return;
      original(kind, data);
    };
    for (let i = 0; i < 500; i++) {
      clock.advance(20);
      a.sendAudio(silence, 160);
      b.sendAudio(silence, 160);
    }
    clock.advance(12_000);
    const aStats = a.stats();
    const bStats = b.stats();
    expect(aStats.rttMs).toBeCloseTo(200, 1);
    expect(bStats.rttMs).toBeCloseTo(200, 1);
    // B measured 10% loss (A's every 10th packet), and reported it: A sees the same figure.
    expect(bStats.packetsLost).toBe(50);
    expect(bStats.lossPct).toBeCloseTo(10, 0);
    expect(aStats.remote?.packetsLost).toBe(50);
    expect(aStats.remote?.lossPct).toBeCloseTo(10, 0);
    expect(aStats.packetsLost).toBe(0);

    // The block B last sent about A: LSR = middle 32 bits of the NTP time of A's last SR that B had, DLSR =
    // how long B held it, in 1/65536 s (RFC 3550 §6.4.1); the highest sequence is A's last packet.
    const reportsOf = (item: RtcpPacketItem | undefined) =>
      item instanceof RtcpSrPacket || item instanceof RtcpRrPacket ? item.reports : [];
    const lastB = bWire
      .rtcp()
      .filter((r) => reportsOf(r.packets[0]).some((b) => b.ssrc === a.ssrc))
      .at(-1)!;
    const blockAboutA = reportsOf(lastB.packets[0]).find((r) => r.ssrc === a.ssrc)!;
    const srOfA = aWire
      .rtcp()
      .filter((r) => r.at + 100 <= lastB.at && r.packets[0] instanceof RtcpSrPacket)
      .at(-1)!;
    const srPacket = srOfA.packets[0] as RtcpSrPacket;
    expect(srPacket.senderInfo.ntpTimestamp).toBe(ntpFromUnixMs(DEFAULT_FAKE_WALL_START_MS + srOfA.at));
    expect(blockAboutA.lsr).toBe(compactNtp(srPacket.senderInfo.ntpTimestamp));
    expect(blockAboutA.dlsr).toBe(compactFromMs(lastB.at - (srOfA.at + 100)));
    expect(blockAboutA.highestSequence).toBe(firstSeqOf(aWire) + 499);
    a.close();
    b.close();
  });
});

describe('RtpSession reception', () => {
  function packet(fields: { seq: number; ts: number; ssrc: number; pt?: number }): Buffer {
    return serializeRtpPacket({
      payloadType: fields.pt ?? 0,
      marker: false,
      sequenceNumber: fields.seq,
      timestamp: fields.ts,
      ssrc: fields.ssrc,
      payload: silence,
    });
  }

  it('delivers the active source after probation and switches to a new SSRC (RFC 3550 §8.2)', () => {
    const clock = new FakeClock();
    const rtp = session(clock, new Wire(clock));
    const media: string[] = [];
    const changes: number[] = [];
    rtp.onMedia((m) => media.push(`${m.ssrc}:${m.sequenceNumber}`));
    rtp.onSourceChange((ssrc) => changes.push(ssrc));
    for (let i = 0; i < 3; i++) rtp.receive('rtp', packet({ seq: 10 + i, ts: 160 * i, ssrc: 1 }));
    clock.advance(100);
    for (let i = 0; i < 3; i++) rtp.receive('rtp', packet({ seq: 500 + i, ts: 9000 + 160 * i, ssrc: 2 }));
    // A straggler of the old source after the switch is not played.
    rtp.receive('rtp', packet({ seq: 13, ts: 480, ssrc: 1 }));
    expect(media).toEqual(['1:11', '1:12', '2:501', '2:502']);
    expect(changes).toEqual([1, 2]);
    const stats = rtp.stats();
    expect(stats.remoteSsrc).toBe(2);
    expect(stats.discarded).toMatchObject({ probation: 2, inactiveSource: 1 });
    rtp.close();
  });

  it('changes its own SSRC after a collision and says BYE for the old one (§8.2)', () => {
    const clock = new FakeClock();
    const wire = new Wire(clock);
    const rtp = session(clock, wire, { random: randomFrom([0.25, 0.5, 0.5, 0.5, 0.5, 0.75]) });
    const old = rtp.ssrc;
    runSlots(clock, rtp, 2);
    rtp.receive('rtp', packet({ seq: 1, ts: 1, ssrc: old }));
    expect(rtp.ssrc).not.toBe(old);
    expect(rtp.stats().discarded.collisions).toBe(1);
    const bye = wire.rtcp().at(-1)!.packets.at(-1);
    expect(bye instanceof RtcpByePacket && bye.sources).toEqual([old]);
    rtp.close();
  });

  it('forgets a source that says BYE', () => {
    const clock = new FakeClock();
    const rtp = session(clock, new Wire(clock));
    const byes: number[] = [];
    rtp.onBye((b) => byes.push(b.ssrc));
    for (let i = 0; i < 3; i++) rtp.receive('rtp', packet({ seq: i, ts: 160 * i, ssrc: 9 }));
    const rr = new RtcpRrPacket({ ssrc: 9, reports: [] }).serialize();
    rtp.receive('rtcp', Buffer.concat([rr, new RtcpByePacket({ sources: [9] }).serialize()]));
    expect(byes).toEqual([9]);
    expect(rtp.stats()).toMatchObject({ remoteSsrc: undefined, packetsReceived: 2 });
    rtp.receive('rtcp', Buffer.from([0x80, 201, 0, 9]));
    expect(rtp.stats().rtcp).toMatchObject({ received: 1, invalid: 1 });
    rtp.close();
  });
});
