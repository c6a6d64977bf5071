import { describe, expect, it } from 'vitest';
import {
  InterarrivalJitter,
  JitterBuffer,
  WindowedMinimum,
  extendSequence,
  extendTimestamp,
} from '../../../../src-main/media/jitter/index.ts';
import type {
  JitterBufferOptions,
  JitterBufferOutput,
  JitterPacket,
} from '../../../../src-main/media/jitter/index.ts';

/** Packet i of a 20 ms / 8 kHz stream; the payload is its index. */
function packet(
  i: number,
  arrivalMs: number,
  seq0 = 1000,
  ts0 = 50_000,
  ssrc?: number,
): JitterPacket<number> {
  return {
    seq: (seq0 + i) & 0xffff,
    timestamp: (ts0 + 160 * i) >>> 0,
    payload: i,
    arrivalMs,
    ...(ssrc === undefined ? {} : { ssrc }),
  };
}

type Event = { at: number; push: JitterPacket<number> } | { at: number; pull: true };

/** Runs pushes and pulls in time order (a push at the same time as a pull comes first). */
function run(buffer: JitterBuffer<number>, events: Event[]): JitterBufferOutput<number>[] {
  const sorted = [...events].sort((a, b) => a.at - b.at || ('push' in a ? 0 : 1) - ('push' in b ? 0 : 1));
  const out: JitterBufferOutput<number>[] = [];
  for (const e of sorted) {
    if ('push' in e) buffer.push(e.push);
    else out.push(buffer.pull(e.at));
  }
  return out;
}

/** Compact rendering: payload index for frames, C for conceal, S for silence. */
function render(outputs: JitterBufferOutput<number>[]): string {
  return outputs
    .map((o) => (o.kind === 'frame' ? String(o.payload) : o.kind === 'conceal' ? 'C' : 'S'))
    .join(' ');
}

/** Pulls every 20 ms from `from` (inclusive) for `count` frames, offset 10 ms from the send grid. */
function pulls(from: number, count: number): Event[] {
  return Array.from({ length: count }, (_, j) => ({ at: from + 20 * j + 10, pull: true as const }));
}

function stream(count: number, arrival: (i: number) => number | null, seq0?: number, ts0?: number): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < count; i++) {
    const at = arrival(i);
    if (at !== null) events.push({ at, push: packet(i, at, seq0, ts0) });
  }
  return events;
}

const options: JitterBufferOptions = { initialDelayMs: 40 };

describe('RTP arithmetic', () => {
  it('extends sequence numbers and timestamps across wrap-around in both directions', () => {
    expect(extendSequence(2, 65534)).toBe(65538);
    expect(extendSequence(65534, 65538)).toBe(65534);
    expect(extendSequence(100, 50)).toBe(100);
    expect(extendTimestamp(100, 0xffffff00)).toBe(0x100000064);
    expect(extendTimestamp(0xffffff00, 0x100000064)).toBe(0xffffff00);
    expect(extendTimestamp(0, 0)).toBe(0);
  });

  it('estimates jitter per RFC 3550 §6.4.1', () => {
    const j = new InterarrivalJitter();
    j.update(10);
    j.update(26); // |D| = 16 → J = 1
    expect(j.jitterMs).toBe(1);
    j.update(26); // |D| = 0 → J = 15/16
    expect(j.jitterMs).toBe(15 / 16);
  });

  it('keeps the minimum of a sliding time window', () => {
    const m = new WindowedMinimum(1000);
    m.add(0, 5);
    m.add(500, 7);
    expect(m.minimum).toBe(5);
    m.add(1000, 9);
    expect(m.minimum).toBe(7);
    m.add(1600, 8);
    expect(m.minimum).toBe(8);
  });
});

describe('JitterBuffer', () => {
  it('plays an even stream in order after the initial delay, with nothing lost or concealed', () => {
    const buffer = new JitterBuffer<number>(options);
    const out = run(buffer, [...stream(10, (i) => 20 * i), ...pulls(0, 12)]);
    // pull at 10 ms: 30 ms early for a 40 ms target → silence; from 30 ms on, one frame per pull
    expect(render(out)).toBe('S 0 1 2 3 4 5 6 7 8 9 C');
    expect(out[1]).toEqual({ kind: 'frame', payload: 0, seq: 1000, timestamp: 50_000, samples: 160 });
    const stats = buffer.stats;
    expect([stats.received, stats.lost, stats.late, stats.duplicates, stats.concealed]).toEqual([
      10, 0, 0, 0, 1,
    ]);
    expect(stats.currentDelayMs).toBeCloseTo(30, 6); // the last pull, at 230 ms, was for media time 200
    expect(buffer.state).toBe('playing');
  });

  it('puts reordered packets back in order', () => {
    const buffer = new JitterBuffer<number>(options);
    const swap = (i: number): number => (i === 4 ? 95 : i === 5 ? 85 : 20 * i);
    const out = run(buffer, [...stream(8, swap), ...pulls(0, 9)]);
    expect(render(out)).toBe('S 0 1 2 3 4 5 6 7');
    expect(buffer.stats.lost).toBe(0);
  });

  it('conceals a lost packet and counts it', () => {
    const buffer = new JitterBuffer<number>(options);
    const out = run(buffer, [...stream(8, (i) => (i === 3 ? null : 20 * i)), ...pulls(0, 9)]);
    expect(render(out)).toBe('S 0 1 2 C 4 5 6 7');
    expect(out[4]).toEqual({ kind: 'conceal', timestamp: 50_000 + 3 * 160, samples: 160 });
    expect(buffer.stats).toMatchObject({ received: 7, lost: 1, concealed: 1, late: 0 });
  });

  it('drops duplicates, whether still buffered or already played', () => {
    const buffer = new JitterBuffer<number>(options);
    expect(buffer.push(packet(0, 0))).toBe('buffered');
    expect(buffer.push(packet(0, 1))).toBe('duplicate');
    expect(buffer.push(packet(1, 20))).toBe('buffered');
    run(buffer, pulls(20, 2));
    expect(buffer.push(packet(0, 60))).toBe('duplicate');
    expect(buffer.stats).toMatchObject({ received: 2, duplicates: 2, lost: 0 });
  });

  it('drops a late packet, counts it, and grows the target delay to cover it', () => {
    const buffer = new JitterBuffer<number>(options);
    // packet 5 is 100 ms late: it arrives after its playout position has passed
    const out = run(buffer, [...stream(12, (i) => (i === 5 ? 200 : 20 * i)), ...pulls(0, 8)]);
    expect(render(out)).toBe('S 0 1 2 3 4 C 6');
    expect(buffer.stats.late).toBe(1);
    expect(buffer.stats.lost).toBe(0);
    // relative delay 100 ms + one frame = 120 at its arrival (200 ms); packet 11 arrived 20 ms later
    // and let it shrink by 5 ms/s · 20 ms
    expect(buffer.targetDelayMs).toBeCloseTo(119.9, 9);
    // from now on the buffer inserts units until the delay has grown to the new target:
    // at 170 ms the next unit (media time 140) is 89.9 ms early, then 69.9, 49.9, 29.9, 9.9
    const next = run(buffer, [...pulls(160, 6)]);
    expect(render(next)).toBe('C C C C 7 8');
    expect(buffer.stats.inserted).toBe(4);
  });

  it('follows 16-bit sequence and 32-bit timestamp wrap-around', () => {
    const buffer = new JitterBuffer<number>(options);
    const seq0 = 65530;
    const ts0 = 0x100000000 - 800;
    const out = run(buffer, [...stream(12, (i) => (i === 8 ? null : 20 * i), seq0, ts0), ...pulls(0, 13)]);
    expect(render(out)).toBe('S 0 1 2 3 4 5 6 7 C 9 10 11');
    const frames = out.filter((o) => o.kind === 'frame');
    expect(frames.map((f) => f.seq)).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 3, 4, 5]);
    expect(frames[4]!.timestamp).toBe(0xffffff60);
    expect(frames[5]!.timestamp).toBe(0);
    expect(out[9]).toEqual({ kind: 'conceal', timestamp: 480, samples: 160 });
    expect(buffer.stats).toMatchObject({ received: 11, lost: 1, late: 0, resyncs: 0 });
  });

  it('grows the target at once on a jitter spike and shrinks it slowly when calm', () => {
    const buffer = new JitterBuffer<number>({ ...options, maxDelayMs: 300, shrinkMsPerSecond: 5 });
    // 6 s calm, a 150 ms spike that delivers 8 packets in a burst, then 58 s calm
    const spikeStart = 300;
    const arrival = (i: number): number =>
      i >= spikeStart && i < spikeStart + 8 ? 20 * (spikeStart + 7) + 10 : 20 * i;
    const events = [...stream(3200, arrival), ...pulls(0, 3200)];
    const targets: number[] = [];
    const sorted = events.sort((a, b) => a.at - b.at || ('push' in a ? 0 : 1) - ('push' in b ? 0 : 1));
    for (const e of sorted) {
      if ('push' in e) {
        buffer.push(e.push);
        targets.push(buffer.targetDelayMs);
      } else buffer.pull(e.at);
    }
    expect(targets[99]).toBeCloseTo(30.1, 9); // calm: shrinking from the initial 40 by 5 ms/s
    expect(targets[spikeStart - 1]).toBe(20); // …down to the minimum
    expect(targets[spikeStart]).toBe(20 + 150); // the first spiked packet waited 150 ms more than the fastest
    // slow shrink: 5 ms per second of arrivals
    const oneSecondLater = targets[spikeStart + 8 + 50]!;
    expect(oneSecondLater).toBeGreaterThan(160);
    expect(oneSecondLater).toBeLessThan(170);
    expect(targets.at(-1)).toBe(20);
    expect(buffer.stats.late).toBeGreaterThan(0); // the spike itself came too late to play
  });

  it('follows steady jitter with the RFC 3550 estimate', () => {
    const buffer = new JitterBuffer<number>({ ...options, maxDelayMs: 300 });
    // odd packets are 30 ms late: in arrival order the transits go 0, 0, 30, 0, 30, 0, 30, …, so
    // |D| = 30 from the third packet on and J → 30 (1 − (15/16)^n); the need approaches 20 + 3·30
    const events = [...stream(401, (i) => 20 * i + (i % 2 === 0 ? 0 : 30)), ...pulls(0, 401)];
    run(buffer, events);
    expect(buffer.stats.jitterMs).toBeCloseTo(30, 6);
    expect(buffer.targetDelayMs).toBeCloseTo(110, 6);
    expect(buffer.stats.late).toBe(0);
  });

  it('plays silence through a DTX gap after a short concealment, without counting loss', () => {
    const buffer = new JitterBuffer<number>({ ...options, maxConcealMs: 60 });
    // packets 0–4, then the sender is silent for 200 ms and resumes with the next sequence number
    const events: Event[] = [];
    for (let i = 0; i < 5; i++) events.push({ at: 20 * i, push: packet(i, 20 * i) });
    for (let i = 5; i < 9; i++) {
      const at = 20 * (i + 10);
      events.push({
        at,
        push: { seq: 1000 + i, timestamp: 50_000 + 160 * (i + 10), payload: i, arrivalMs: at },
      });
    }
    const out = run(buffer, [...events, ...pulls(0, 20)]);
    expect(render(out)).toBe('S 0 1 2 3 4 C C C S S S S S S S 5 6 7 8');
    expect(buffer.stats).toMatchObject({ lost: 0, concealed: 3 });
  });

  it('resyncs at once on an SSRC change', () => {
    const buffer = new JitterBuffer<number>(options);
    const first = stream(5, (i) => 20 * i).map((e) =>
      'push' in e ? { ...e, push: { ...e.push, ssrc: 1 } } : e,
    );
    const second: Event[] = [];
    for (let i = 0; i < 5; i++) {
      const at = 100 + 20 * i;
      second.push({ at, push: { ...packet(i, at, 7, 123_456), payload: 100 + i, ssrc: 2 } });
    }
    const out = run(buffer, [...first, ...second, ...pulls(0, 11)]);
    // the new source starts with its own initial wait (buffering: silence until its schedule)
    expect(render(out)).toBe('S 0 1 2 3 S 100 101 102 103 104');
    expect(buffer.stats).toMatchObject({ resyncs: 1, flushed: 1, lost: 0 });
  });

  it('resyncs on a timestamp jump confirmed by the next packet, and ignores a lone stray', () => {
    const buffer = new JitterBuffer<number>(options);
    expect(buffer.push(packet(0, 0))).toBe('buffered');
    expect(buffer.push(packet(1, 20))).toBe('buffered');
    // a single packet with an absurd timestamp, then the stream continues normally
    expect(buffer.push({ ...packet(2, 40), timestamp: 9_000_000 })).toBe('probation');
    expect(buffer.push(packet(3, 60))).toBe('buffered');
    expect(buffer.stats.strays).toBe(1);
    // now the sender really jumps: two packets in sequence on the new timeline
    expect(buffer.push({ ...packet(4, 80), timestamp: 9_000_000 })).toBe('probation');
    expect(buffer.push({ ...packet(5, 100), timestamp: 9_000_160 })).toBe('resynced');
    expect(buffer.stats.resyncs).toBe(1);
    expect(buffer.state).toBe('buffering');
    // the new timeline is scheduled from its first packet (arrived at 80 ms) with the kept target of
    // ~40 ms: at 110 ms it is less than a frame early, so playout starts at once
    const out = run(buffer, pulls(100, 3));
    expect(out.map((o) => (o.kind === 'frame' ? o.timestamp : o.kind))).toEqual([
      9_000_000,
      9_000_160,
      'conceal',
    ]);
  });

  it('resyncs on a sequence jump beyond RFC 3550 MAX_DROPOUT confirmed by the next packet', () => {
    const buffer = new JitterBuffer<number>(options);
    buffer.push(packet(0, 0));
    expect(buffer.push(packet(5000, 20, 1000, 50_000 + 160 - 160 * 5000))).toBe('probation');
    expect(buffer.push(packet(5001, 40, 1000, 50_000 + 160 - 160 * 5000))).toBe('resynced');
  });

  it('skips a unit when the delay is a frame above the target (the sender clock is fast)', () => {
    const buffer = new JitterBuffer<number>({ ...options, initialDelayMs: 20 });
    // sender 1 % fast: packet i arrives at 19.8·i ms; pulls every 20 ms
    const events = [...stream(300, (i) => 19.8 * i), ...pulls(0, 300)];
    const out = render(run(buffer, events)).split(' ');
    // T0 falls by 0.2 ms per packet, so the schedule runs ahead of the pulls by a frame every 100
    // packets: packets 151 and 251 are skipped, nothing is concealed until the stream runs out
    expect(buffer.stats.discarded).toBe(2);
    expect(out.slice(0, 298)).toEqual(
      [...Array(300).keys()].filter((i) => i !== 151 && i !== 251).map(String),
    );
    expect(out.slice(298)).toEqual(['C', 'C']);
    expect(buffer.stats.currentDelayMs).toBeLessThan(40);
  });

  it('catches up at once after the puller stalled', () => {
    const buffer = new JitterBuffer<number>(options);
    const events = [...stream(100, (i) => 20 * i), ...pulls(0, 5)];
    run(buffer, events);
    // no pulls between 100 ms and 1990 ms; the buffer holds ~95 packets
    const out = buffer.pull(2010);
    expect(out.kind).toBe('frame');
    expect(buffer.stats.currentDelayMs).toBeLessThan(40);
  });

  it('refuses packets that cover no samples and illegal configurations', () => {
    const buffer = new JitterBuffer<number>(options);
    expect(buffer.push({ ...packet(0, 0), samples: 0 })).toBe('invalid');
    expect(buffer.state).toBe('idle');
    expect(buffer.pull(0)).toEqual({ kind: 'silence', timestamp: null, samples: 160 });
    expect(() => new JitterBuffer({ frameMs: 0.01 })).toThrow(RangeError);
    expect(() => new JitterBuffer({ minDelayMs: 100, maxDelayMs: 50 })).toThrow(RangeError);
  });

  it('reset() returns to idle and keeps statistics', () => {
    const buffer = new JitterBuffer<number>(options);
    run(buffer, [...stream(3, (i) => 20 * i)]);
    buffer.reset();
    expect(buffer.state).toBe('idle');
    expect(buffer.stats).toMatchObject({ received: 3, flushed: 3, bufferedPackets: 0 });
  });
});
