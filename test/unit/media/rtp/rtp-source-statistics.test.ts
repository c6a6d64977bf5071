import { describe, expect, it } from 'vitest';
import { RtpSourceStatistics } from '../../../../src-main/media/rtp/index.ts';

/** Feeds packets 20 ms (160 units at 8 kHz) apart with constant transit; returns the verdicts. */
function feed(source: RtpSourceStatistics, seqs: number[], startSeq = seqs[0] ?? 0): string[] {
  return seqs.map((seq) => {
    const index = (seq - startSeq + 0x10000) & 0xffff;
    return source.update(seq & 0xffff, index * 160, index * 20);
  });
}

describe('RtpSourceStatistics (RFC 3550 §A.1, §A.3)', () => {
  it('keeps a new source on probation until two packets arrive in sequence', () => {
    const source = new RtpSourceStatistics(1, 1000, 8000);
    expect(feed(source, [1000, 1001, 1002])).toEqual(['probation', 'valid', 'valid']);
    expect(source.valid).toBe(true);
    // The first packet is not counted: the base is the second one.
    expect([source.received, source.expected, source.lost]).toEqual([2, 2, 0]);
  });

  it('restarts probation when the second packet is out of sequence', () => {
    const source = new RtpSourceStatistics(1, 10, 8000);
    expect(feed(source, [10, 12, 13, 14])).toEqual(['probation', 'probation', 'valid', 'valid']);
  });

  it('counts losses, the fraction lost per report and wraps sequence numbers into cycles', () => {
    const source = new RtpSourceStatistics(1, 65530, 8000);
    const sent = Array.from({ length: 20 }, (_, i) => (65530 + i) & 0xffff);
    const arrived = sent.filter((_, i) => i !== 5 && i !== 6 && i !== 15);
    feed(source, arrived, 65530);
    // base 65531, highest 65530 + 19 = 65549 → extended 65536 + 13
    expect(source.extendedHighestSequence).toBe(65536 + 13);
    expect([source.expected, source.received, source.lost]).toEqual([19, 16, 3]);
    const report = source.report();
    expect(report).toEqual({
      fractionLost: Math.floor((3 * 256) / 19),
      cumulativeLost: 3,
      extendedHighestSequence: 65549,
      jitter: 0,
    });
    // Nothing new lost in the next interval: fraction 0, cumulative unchanged.
    feed(source, [65550 & 0xffff, 65551 & 0xffff], 65530);
    expect(source.report()).toMatchObject({ fractionLost: 0, cumulativeLost: 3 });
  });

  it('counts duplicates as received, so the loss may turn negative', () => {
    const source = new RtpSourceStatistics(1, 1, 8000);
    feed(source, [1, 2, 3, 3, 3], 1);
    expect([source.expected, source.received, source.lost]).toEqual([2, 4, -2]);
  });

  it('drops one stray big jump and believes a jump confirmed by its successor', () => {
    const source = new RtpSourceStatistics(1, 100, 8000);
    feed(source, [100, 101, 102], 100);
    expect(source.update(40_000, 0, 0)).toBe('stray');
    expect(source.update(103, 3 * 160, 60)).toBe('valid');
    expect(source.update(50_000, 0, 0)).toBe('stray');
    expect(source.update(50_001, 160, 20)).toBe('valid');
    // A restart re-bases the statistics on the new sequence.
    expect([source.received, source.expected, source.extendedHighestSequence]).toEqual([1, 1, 50_001]);
  });

  it('computes the §A.8 interarrival jitter in timestamp units', () => {
    const source = new RtpSourceStatistics(1, 0, 8000);
    source.update(0, 0, 0);
    source.update(1, 160, 20); // transit 0 (in units: arrival 160 − ts 160)
    source.update(2, 320, 42); // arrival 336: transit 16 → J = 16/16 = 1
    expect(source.report().jitter).toBe(1);
    expect(source.jitterMs).toBeCloseTo(0.125, 10);
    source.update(3, 480, 60); // transit 0 again: D = 16 → J = 1 + (16 − 1)/16
    expect(source.jitterMs).toBeCloseTo(((1 + 15 / 16) * 1000) / 8000, 10);
  });

  it('leaves the jitter alone for packets without timing (telephone-events share one timestamp)', () => {
    const source = new RtpSourceStatistics(1, 0, 8000);
    for (let i = 0; i < 6; i++) source.update(i, 1000, i * 20, false);
    expect(source.jitterMs).toBe(0);
  });
});

describe('RtpSourceStatistics without probation (a validated transport)', () => {
  it('counts a source from its first packet when minSequential is 1', () => {
    const stats = new RtpSourceStatistics(0x1234, 100, 8000, 1);
    expect(stats.update(100, 0, 0)).toBe('valid');
    expect(stats.valid).toBe(true);
    expect(stats.received).toBe(1);
    expect(stats.update(101, 160, 20)).toBe('valid');
    expect(stats.received).toBe(2);
  });

  it('keeps the RFC 3550 default of two in-sequence packets', () => {
    const stats = new RtpSourceStatistics(0x1234, 100, 8000);
    expect(stats.update(100, 0, 0)).toBe('probation');
    expect(stats.valid).toBe(false);
    expect(stats.update(101, 160, 20)).toBe('valid');
  });

  it('refuses a probation shorter than one packet', () => {
    expect(() => new RtpSourceStatistics(1, 1, 8000, 0)).toThrow(RangeError);
  });
});
