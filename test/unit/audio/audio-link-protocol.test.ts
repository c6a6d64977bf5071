/**
 * The audio link's wire format (src-shared/audio): exact bytes, round trips, and refusal of anything
 * malformed (the renderer is untrusted); the port offer/announcement checks used by the preload and the page.
 */
import { describe, expect, it } from 'vitest';
import {
  AUDIO_PORT_WINDOW_MESSAGE,
  LINK_FRAME_BYTES,
  LINK_REPORT_BYTES,
  createFrameMessage,
  decodeAudioLinkMessage,
  encodeAudioLinkMessage,
  isAudioPortAnnouncement,
  parseAudioPortOffer,
} from '../../../src-shared/audio/index.ts';
import type { AudioLinkMessage, RendererAudioReport } from '../../../src-shared/audio/index.ts';

const REPORT: RendererAudioReport = {
  state: 'failed',
  failure: 'permission-denied',
  contextSampleRate: 48_000,
  baseLatencyMs: 10.02,
  outputLatencyMs: 30,
  capturedFrames: 1234,
  captureLevelDbfs: -28.5,
  playbackLevelDbfs: -120,
  playbackPeakHz: 600.07,
  playbackBufferedMs: 53.7,
  playbackUnderruns: 2,
  playbackOverflows: 0,
};

function bytes(buffer: ArrayBuffer): number[] {
  return [...new Uint8Array(buffer)];
}

describe('audio link messages', () => {
  it('lays out a frame as a 4-byte header and 960 little-endian samples', () => {
    const samples = new Int16Array(960);
    samples[0] = 1;
    samples[1] = -2;
    samples[959] = 0x1234;
    const buffer = encodeAudioLinkMessage({ kind: 'frame', samples });
    expect(buffer.byteLength).toBe(LINK_FRAME_BYTES);
    expect(bytes(buffer).slice(0, 8)).toEqual([1, 0, 0, 0, 0x01, 0x00, 0xfe, 0xff]);
    expect(bytes(buffer).slice(-2)).toEqual([0x34, 0x12]);
  });

  it('lays out route and end as bare headers', () => {
    expect(bytes(encodeAudioLinkMessage({ kind: 'route', routed: true }))).toEqual([2, 1, 0, 0]);
    expect(bytes(encodeAudioLinkMessage({ kind: 'route', routed: false }))).toEqual([2, 0, 0, 0]);
    expect(bytes(encodeAudioLinkMessage({ kind: 'end' }))).toEqual([3, 0, 0, 0]);
  });

  it('round-trips every kind, from an ArrayBuffer or any view of one', () => {
    const messages: AudioLinkMessage[] = [
      { kind: 'frame', samples: Int16Array.from({ length: 960 }, (_, i) => i * 34 - 16000) },
      { kind: 'route', routed: true },
      { kind: 'end' },
      { kind: 'report', report: REPORT },
    ];
    for (const message of messages) {
      const encoded = encodeAudioLinkMessage(message);
      expect(decodeAudioLinkMessage(encoded)).toEqual({ ok: true, message });
      // a view at an odd offset of a bigger buffer (what a Node Buffer from a pool looks like)
      const padded = new Uint8Array(encoded.byteLength + 3);
      padded.set(new Uint8Array(encoded), 1);
      expect(decodeAudioLinkMessage(padded.subarray(1, 1 + encoded.byteLength))).toEqual({
        ok: true,
        message,
      });
    }
    expect(encodeAudioLinkMessage({ kind: 'report', report: REPORT }).byteLength).toBe(LINK_REPORT_BYTES);
  });

  it('gives decoded frames their own buffer', () => {
    const encoded = encodeAudioLinkMessage({ kind: 'frame', samples: new Int16Array(960).fill(5) });
    const decoded = decodeAudioLinkMessage(encoded);
    if (!decoded.ok || decoded.message.kind !== 'frame') throw new Error('not a frame');
    new Int16Array(encoded, 4).fill(9);
    expect(decoded.message.samples[0]).toBe(5);
    expect(decoded.message.samples.buffer.byteLength).toBe(1920);
  });

  it('lets the capture worklet fill a frame message in place', () => {
    const { buffer, samples } = createFrameMessage();
    samples.fill(-7);
    expect(decodeAudioLinkMessage(buffer)).toEqual({
      ok: true,
      message: { kind: 'frame', samples: new Int16Array(960).fill(-7) },
    });
  });

  it('clamps report numbers into their range on the way out', () => {
    const encoded = encodeAudioLinkMessage({
      kind: 'report',
      report: { ...REPORT, captureLevelDbfs: -Infinity, playbackPeakHz: Number.NaN, baseLatencyMs: -1 },
    });
    const decoded = decodeAudioLinkMessage(encoded);
    expect(decoded).toMatchObject({
      ok: true,
      message: { report: { captureLevelDbfs: -120, playbackPeakHz: 0, baseLatencyMs: 0 } },
    });
  });

  it('refuses anything malformed, saying what', () => {
    const frame = new Uint8Array(encodeAudioLinkMessage({ kind: 'frame', samples: new Int16Array(960) }));
    const report = new Uint8Array(encodeAudioLinkMessage({ kind: 'report', report: REPORT }));
    const withByte = (source: Uint8Array, at: number, value: number) => {
      const copy = source.slice();
      copy[at] = value;
      return copy;
    };
    const nanReport = report.slice();
    new DataView(nanReport.buffer).setFloat64(8, Number.NaN, true);
    const cases: [unknown, RegExp][] = [
      ['text', /not binary/],
      [{ kind: 'frame' }, /not binary/],
      [new Uint8Array([1, 0]), /shorter than the header/],
      [frame.subarray(0, 1000), /a frame is 1924 bytes/],
      [withByte(frame, 1, 1), /no flags/],
      [withByte(frame, 2, 1), /spare header bytes/],
      [new Uint8Array([2, 2, 0, 0]), /unknown route flags/],
      [new Uint8Array([2, 1, 0, 0, 0]), /no body/],
      [new Uint8Array([3, 1, 0, 0]), /no body or flags/],
      [new Uint8Array([9, 0, 0, 0]), /unknown message kind 9/],
      [withByte(report, 4, 7), /unknown report state/],
      [withByte(report, 5, 99), /unknown report failure/],
      [withByte(report, 6, 1), /spare report bytes/],
      [nanReport, /contextSampleRate out of range/],
      [report.subarray(0, 40), /a report is 88 bytes/],
    ];
    for (const [data, error] of cases) {
      const decoded = decodeAudioLinkMessage(data);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(error);
    }
  });

  it('refuses to encode a frame of the wrong size', () => {
    expect(() => encodeAudioLinkMessage({ kind: 'frame', samples: new Int16Array(160) })).toThrow(RangeError);
  });
});

describe('port offers and announcements', () => {
  it('copies exactly the fields of a valid offer', () => {
    expect(parseAudioPortOffer({ callId: 'c1' })).toEqual({ callId: 'c1' });
    expect(
      parseAudioPortOffer({ callId: 'c1', inputDeviceId: 'mic', outputDeviceId: null, extra: 'dropped' }),
    ).toEqual({
      callId: 'c1',
      inputDeviceId: 'mic',
      outputDeviceId: null,
    });
  });

  it('refuses offers without a proper call id or with bad device ids', () => {
    for (const bad of [
      null,
      'c1',
      {},
      { callId: '' },
      { callId: 'x'.repeat(257) },
      { callId: 3 },
      { callId: 'c', inputDeviceId: 5 },
      { callId: 'c', outputDeviceId: 'd'.repeat(257) },
    ]) {
      expect(parseAudioPortOffer(bad)).toBeNull();
    }
  });

  it('recognises the window message that hands over a port', () => {
    expect(
      isAudioPortAnnouncement({ type: AUDIO_PORT_WINDOW_MESSAGE, callId: 'c1', inputDeviceId: null }),
    ).toBe(true);
    expect(isAudioPortAnnouncement({ type: 'other', callId: 'c1' })).toBe(false);
    expect(isAudioPortAnnouncement({ type: AUDIO_PORT_WINDOW_MESSAGE })).toBe(false);
  });
});
