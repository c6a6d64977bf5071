import { describe, expect, it } from 'vitest';
import {
  DtmfReceiver,
  DtmfSender,
  decodeTelephoneEvent,
  encodeTelephoneEvent,
  eventCodeOfKey,
  isDtmfKey,
  keyOfEventCode,
} from '../../../../src-main/media/codec/index.ts';
import type { DtmfReceiverEvent, PlannedDtmfPacket } from '../../../../src-main/media/codec/index.ts';

describe('RFC 4733 telephone-event payload', () => {
  it('encodes event, E bit, volume and duration into 4 octets', () => {
    expect([...encodeTelephoneEvent({ event: 9, end: false, volume: 10, duration: 160 })]).toEqual([
      0x09, 0x0a, 0x00, 0xa0,
    ]);
    expect([...encodeTelephoneEvent({ event: 11, end: true, volume: 63, duration: 0xffff })]).toEqual([
      0x0b, 0xbf, 0xff, 0xff,
    ]);
  });

  it('decodes, ignoring the reserved bit and trailing octets', () => {
    expect(decodeTelephoneEvent(Uint8Array.of(0x05, 0xca, 0x03, 0x20, 0xff))).toEqual({
      ok: true,
      value: { event: 5, end: true, volume: 10, duration: 800 },
    });
    expect(decodeTelephoneEvent(Uint8Array.of(1, 2, 3))).toEqual({ ok: false, error: 'too-short' });
  });

  it('refuses out-of-range fields', () => {
    expect(() => encodeTelephoneEvent({ event: 256, end: false, volume: 0, duration: 0 })).toThrow(
      RangeError,
    );
    expect(() => encodeTelephoneEvent({ event: 1, end: false, volume: 64, duration: 0 })).toThrow(RangeError);
    expect(() => encodeTelephoneEvent({ event: 1, end: false, volume: 0, duration: 65536 })).toThrow(
      RangeError,
    );
  });

  it('maps keys to the event codes of RFC 4733 Table 7', () => {
    expect(
      ['0', '9', '*', '#', 'A', 'D', 'flash'].map((k) => (isDtmfKey(k) ? eventCodeOfKey(k) : -1)),
    ).toEqual([0, 9, 10, 11, 12, 15, 16]);
    expect(keyOfEventCode(11)).toBe('#');
    expect(keyOfEventCode(17)).toBeUndefined();
    expect(isDtmfKey('a')).toBe(false);
  });
});

function summary(p: PlannedDtmfPacket): [number, boolean, boolean, number, number] {
  const decoded = decodeTelephoneEvent(p.payload);
  if (!decoded.ok) throw new Error('planned an undecodable payload');
  expect(decoded.value.end).toBe(p.end);
  expect(decoded.value.duration).toBe(p.duration);
  return [p.sendOffsetMs, p.marker, p.end, p.duration, p.timestampOffset];
}

describe('DtmfSender', () => {
  it('plans a 100 ms key at 8 kHz / 20 ms: 4 updates then exactly 3 end packets', () => {
    const packets = new DtmfSender().plan('5', 100);
    expect(packets.map(summary)).toEqual([
      [0, true, false, 160, 0],
      [20, false, false, 320, 0],
      [40, false, false, 480, 0],
      [60, false, false, 640, 0],
      [80, false, true, 800, 0],
      [100, false, true, 800, 0],
      [120, false, true, 800, 0],
    ]);
    expect(packets.every((p) => p.payload[0] === 5 && (p.payload[1]! & 0x3f) === 10)).toBe(true);
  });

  it('handles durations that are not a multiple of the packet interval, and very short keys', () => {
    expect(new DtmfSender().plan('#', 90).map(summary)).toEqual([
      [0, true, false, 160, 0],
      [20, false, false, 320, 0],
      [40, false, false, 480, 0],
      [60, false, false, 640, 0],
      [80, false, true, 720, 0],
      [100, false, true, 720, 0],
      [120, false, true, 720, 0],
    ]);
    expect(new DtmfSender().plan('1', 20).map(summary)).toEqual([
      [0, true, true, 160, 0],
      [20, false, true, 160, 0],
      [40, false, true, 160, 0],
    ]);
  });

  it('follows the negotiated clock rate, ptime and volume', () => {
    const packets = new DtmfSender({ clockRate: 16000, ptimeMs: 30, volume: 7 }).plan('A', 60);
    expect(packets.map(summary)).toEqual([
      [0, true, false, 480, 0],
      [30, false, true, 960, 0],
      [60, false, true, 960, 0],
      [90, false, true, 960, 0],
    ]);
    expect(packets[0]!.payload[1]! & 0x3f).toBe(7);
  });

  it('plans a sequence of keys on packet ticks without overlapping end packets', () => {
    const packets = new DtmfSender().planSequence(['1', '2'], 100, 20);
    // key 1 ends its last end packet at 120 ms; key 2 cannot start before 140 ms
    expect(packets.map((p) => [p.key, ...summary(p)])).toEqual([
      ['1', 0, true, false, 160, 0],
      ['1', 20, false, false, 320, 0],
      ['1', 40, false, false, 480, 0],
      ['1', 60, false, false, 640, 0],
      ['1', 80, false, true, 800, 0],
      ['1', 100, false, true, 800, 0],
      ['1', 120, false, true, 800, 0],
      ['2', 140, true, false, 160, 1120],
      ['2', 160, false, false, 320, 1120],
      ['2', 180, false, false, 480, 1120],
      ['2', 200, false, false, 640, 1120],
      ['2', 220, false, true, 800, 1120],
      ['2', 240, false, true, 800, 1120],
      ['2', 260, false, true, 800, 1120],
    ]);
    const spaced = new DtmfSender().planSequence(['3', '4'], 100, 75);
    expect(spaced[7]!.sendOffsetMs).toBe(180); // 100 + 75 = 175, rounded up to the next tick
    expect(spaced[7]!.timestampOffset).toBe(1440);
  });

  it('refuses durations the 16-bit field cannot carry', () => {
    const sender = new DtmfSender();
    expect(sender.maxDurationMs).toBe(8191);
    expect(() => sender.plan('1', 8192)).toThrow(RangeError);
    expect(() => sender.plan('1', 0)).toThrow(RangeError);
    expect(() => new DtmfSender({ ptimeMs: 0.01 })).toThrow(RangeError);
    expect(sender.plan('1', 8191).at(-1)!.duration).toBe(65528);
  });
});

function feed(
  receiver: DtmfReceiver,
  packets: readonly PlannedDtmfPacket[],
  baseTimestamp: number,
  baseMs: number,
): DtmfReceiverEvent[] {
  return packets.flatMap((p) =>
    receiver.receive({
      timestamp: (baseTimestamp + p.timestampOffset) >>> 0,
      payload: p.payload,
      arrivalMs: baseMs + p.sendOffsetMs,
    }),
  );
}

describe('DtmfReceiver', () => {
  const sender = new DtmfSender();

  it('reports one begin and one end per key and ignores the repeated end packets', () => {
    const receiver = new DtmfReceiver();
    const events = feed(receiver, sender.planSequence(['1', '#'], 100, 40), 1000, 5000);
    expect(events).toEqual([
      { type: 'begin', key: '1', timestamp: 1000, atMs: 5000 },
      {
        type: 'end',
        key: '1',
        timestamp: 1000,
        duration: 800,
        durationMs: 100,
        reason: 'end-bit',
        atMs: 5080,
      },
      { type: 'begin', key: '#', timestamp: 2120, atMs: 5140 },
      {
        type: 'end',
        key: '#',
        timestamp: 2120,
        duration: 800,
        durationMs: 100,
        reason: 'end-bit',
        atMs: 5220,
      },
    ]);
    expect(receiver.stats).toEqual({ keys: 2, duplicates: 4, malformed: 0, ignored: 0 });
    expect(receiver.poll(100_000)).toEqual([]);
  });

  it('handles a lost start: the first packet seen begins the event', () => {
    const receiver = new DtmfReceiver();
    const packets = sender.plan('7', 100).slice(2); // marker packet and the next one lost
    expect(feed(receiver, packets, 50, 0).map((e) => [e.type, e.key, e.atMs])).toEqual([
      ['begin', '7', 40],
      ['end', '7', 80],
    ]);
  });

  it('handles an event of which only an end packet arrives', () => {
    const receiver = new DtmfReceiver();
    const packets = sender.plan('9', 100).slice(5);
    const events = feed(receiver, packets, 50, 0);
    expect(events.map((e) => e.type)).toEqual(['begin', 'end']);
    expect(events[1]).toMatchObject({ duration: 800, reason: 'end-bit' });
  });

  it('ends an event whose end packets were lost when the next event starts', () => {
    const receiver = new DtmfReceiver();
    const packets = sender.planSequence(['2', '3'], 100, 40).filter((p) => !(p.key === '2' && p.end));
    const events = feed(receiver, packets, 0, 0);
    expect(
      events.map((e) => (e.type === 'end' ? [e.type, e.key, e.duration, e.reason] : [e.type, e.key])),
    ).toEqual([
      ['begin', '2'],
      ['end', '2', 640, 'new-event'],
      ['begin', '3'],
      ['end', '3', 800, 'end-bit'],
    ]);
  });

  it('ends an event on timeout when its end packets are lost and nothing follows', () => {
    const receiver = new DtmfReceiver({ timeoutMs: 300 });
    const packets = sender.plan('4', 100).filter((p) => !p.end);
    expect(feed(receiver, packets, 0, 0).map((e) => e.type)).toEqual(['begin']);
    expect(receiver.inEvent).toBe(true);
    expect(receiver.poll(359)).toEqual([]);
    expect(receiver.poll(360)).toEqual([
      { type: 'end', key: '4', timestamp: 0, duration: 640, durationMs: 80, reason: 'timeout', atMs: 360 },
    ]);
    // a straggling end packet of the same event afterwards is a duplicate, not a new key
    const late = sender.plan('4', 100).at(-1)!;
    expect(receiver.receive({ timestamp: 0, payload: late.payload, arrivalMs: 400 })).toEqual([]);
    expect(receiver.stats.keys).toBe(1);
  });

  it('applies an expired timeout before a later packet even without poll()', () => {
    const receiver = new DtmfReceiver({ timeoutMs: 300 });
    const first = sender.plan('6', 100)[0]!;
    receiver.receive({ timestamp: 0, payload: first.payload, arrivalMs: 0 });
    const next = sender.plan('8', 100)[0]!;
    const events = receiver.receive({ timestamp: 8000, payload: next.payload, arrivalMs: 1000 });
    expect(events.map((e) => [e.type, e.key, e.type === 'end' ? e.reason : ''])).toEqual([
      ['end', '6', 'timeout'],
      ['begin', '8', ''],
    ]);
  });

  it('drops reordered packets of older events and copes with timestamp wrap-around', () => {
    const receiver = new DtmfReceiver();
    const base = 0xffffff00;
    const a = sender.plan('1', 60);
    const b = sender.plan('2', 60);
    const events = [
      ...receiver.receive({ timestamp: base, payload: a[0]!.payload, arrivalMs: 0 }),
      ...receiver.receive({ timestamp: (base + 1000) >>> 0, payload: b[0]!.payload, arrivalMs: 200 }),
      // an update of the first event, delayed past the start of the second
      ...receiver.receive({ timestamp: base, payload: a[1]!.payload, arrivalMs: 210 }),
      ...receiver.receive({ timestamp: (base + 1000) >>> 0, payload: b.at(-1)!.payload, arrivalMs: 260 }),
    ];
    expect(events.map((e) => [e.type, e.key, e.timestamp])).toEqual([
      ['begin', '1', base],
      ['end', '1', base],
      ['begin', '2', 744],
      ['end', '2', 744],
    ]);
    expect(receiver.stats.duplicates).toBe(1);
  });

  it('counts malformed payloads and ignores non-DTMF events', () => {
    const receiver = new DtmfReceiver();
    expect(receiver.receive({ timestamp: 0, payload: Uint8Array.of(1), arrivalMs: 0 })).toEqual([]);
    const fax = encodeTelephoneEvent({ event: 32, end: false, volume: 10, duration: 160 });
    expect(receiver.receive({ timestamp: 0, payload: fax, arrivalMs: 0 })).toEqual([]);
    expect(receiver.stats).toEqual({ keys: 0, duplicates: 0, malformed: 1, ignored: 1 });
  });
});
