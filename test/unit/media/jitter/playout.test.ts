import { describe, expect, it } from 'vitest';
import { G722, PCMU } from '../../../../src-main/media/codec/index.ts';
import { PacketLossConcealer, PlayoutPipeline } from '../../../../src-main/media/jitter/index.ts';

const RATE = 8000;

function sine(hz: number, amplitude: number, start: number, length: number): Int16Array {
  return Int16Array.from({ length }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * (start + i)) / RATE)),
  );
}

function peak(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs(samples[i]!));
  return max;
}

describe('PacketLossConcealer', () => {
  it('continues a periodic signal, fades it from 10 ms to 60 ms, then stays silent', () => {
    const plc = new PacketLossConcealer({ sampleRate: RATE });
    // 160 Hz: a 50-sample period, inside the 66–200 Hz pitch search range as 2 periods or 1
    for (let f = 0; f < 5; f++) plc.good(sine(160, 8000, 160 * f, 160));
    const concealed = [plc.conceal(160), plc.conceal(160), plc.conceal(160), plc.conceal(160)];
    const first = concealed[0]!;
    const truth = sine(160, 8000, 800, 160);
    // first 10 ms: the continuation of the waveform, at full gain
    for (let i = 0; i < 80; i++) expect(Math.abs(first[i]! - truth[i]!)).toBeLessThanOrEqual(2);
    // 10…60 ms: linear fade (20 % per 10 ms): the envelope at 30–40 ms is at most 60 % of full scale
    const all = Int16Array.from(concealed.flatMap((c) => [...c]));
    expect(peak(all, 0, 80)).toBeGreaterThan(7900);
    expect(peak(all, 240, 320)).toBeLessThanOrEqual(Math.ceil(8000 * 0.6) + 2);
    expect(peak(all, 240, 320)).toBeGreaterThan(8000 * 0.4);
    expect(peak(all, 400, 480)).toBeLessThanOrEqual(Math.ceil(8000 * 0.2) + 2);
    // 60 ms and beyond: silence
    expect(peak(all, 480, 640)).toBe(0);
    expect(peak(all)).toBeLessThanOrEqual(8001);
    expect(plc.stats).toEqual({ erasures: 1, concealedSamples: 640 });
  });

  it('fades back into real audio after an erasure and passes later frames through untouched', () => {
    const plc = new PacketLossConcealer({ sampleRate: RATE });
    for (let f = 0; f < 5; f++) plc.good(sine(160, 8000, 160 * f, 160));
    plc.conceal(160);
    const real = sine(160, 8000, 960, 160);
    const recovered = plc.good(real);
    expect(recovered).not.toBe(real);
    // 20 ms of loss → an 8 ms (64-sample) cross-fade, then the frame as received
    expect([...recovered.subarray(64)]).toEqual([...real.subarray(64)]);
    expect(peak(recovered)).toBeLessThanOrEqual(8001);
    const next = sine(160, 8000, 1120, 160);
    expect(plc.good(next)).toBe(next);
    expect(plc.concealing).toBe(false);
  });

  it('conceals with silence when there is no audio to repeat yet, and after silence', () => {
    const plc = new PacketLossConcealer({ sampleRate: RATE });
    expect(peak(plc.conceal(160))).toBe(0);
    expect(peak(plc.silence(160))).toBe(0);
    expect(plc.concealing).toBe(false);
    // a frame after silence is passed through as is
    const frame = sine(300, 5000, 0, 160);
    expect(plc.good(frame)).toBe(frame);
  });

  it('stays within the range of the audio it repeats, also on noise', () => {
    const plc = new PacketLossConcealer({ sampleRate: RATE });
    let seed = 12345;
    const noise = Int16Array.from({ length: 800 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return ((seed >>> 16) % 20001) - 10000;
    });
    plc.good(noise);
    const out = plc.conceal(800);
    expect(peak(out)).toBeLessThanOrEqual(peak(noise) * 2);
    expect(peak(out, 480)).toBe(0);
  });
});

describe('PlayoutPipeline', () => {
  function packets(
    ptimeMs: number,
    count: number,
  ): { seq: number; timestamp: number; payload: Uint8Array }[] {
    const samples = (RATE * ptimeMs) / 1000;
    return Array.from({ length: count }, (_, i) => ({
      seq: (40000 + i) & 0xffff,
      timestamp: 1000 + i * samples,
      payload: PCMU.encode(sine(440, 6000, i * samples, samples)),
    }));
  }

  it('turns an even 20 ms stream into the decoded audio, frame by frame', () => {
    const pipeline = new PlayoutPipeline({ codec: PCMU, jitter: { initialDelayMs: 20 } });
    const stream = packets(20, 20);
    const frames: Int16Array[] = [];
    for (let t = 0; t < 400; t += 20) {
      pipeline.push({ ...stream[t / 20]!, arrivalMs: t });
      frames.push(pipeline.pull(t + 10));
    }
    expect(frames.every((f) => f.length === 160)).toBe(true);
    frames.forEach((f, i) => expect([...f]).toEqual([...PCMU.decode(stream[i]!.payload)]));
    expect(pipeline.stats.frames).toBe(20);
    expect(pipeline.stats.jitter.concealed).toBe(0);
  });

  it('re-cuts 30 ms packets into 20 ms frames without losing or repeating a sample', () => {
    const pipeline = new PlayoutPipeline({ codec: PCMU, jitter: { initialDelayMs: 40 } });
    const stream = packets(30, 40);
    const decoded = Int16Array.from(stream.flatMap((p) => [...PCMU.decode(p.payload)]));
    const out: number[] = [];
    let next = 0;
    for (let t = 0; t < 1400; t += 20) {
      while (next < stream.length && next * 30 <= t) {
        pipeline.push({ ...stream[next]!, arrivalMs: next * 30 });
        next++;
      }
      const frame = pipeline.pull(t + 10);
      expect(frame.length).toBe(160);
      out.push(...frame);
    }
    // the sine starts at phase 0: its first sample decodes to 0, the second does not
    expect([decoded[0], decoded[1] !== 0]).toEqual([0, true]);
    const start = out.findIndex((v) => v !== 0) - 1;
    // leading silence (one 30 ms unit while buffering), then the decoded stream, sample for sample
    expect(start).toBe(240);
    expect(out.slice(start, start + decoded.length)).toEqual([...decoded]);
    expect(pipeline.stats.jitter).toMatchObject({ lost: 0, late: 0, discarded: 0, inserted: 0 });
  });

  it('conceals a lost packet and recovers with bounded output', () => {
    const pipeline = new PlayoutPipeline({ codec: PCMU, jitter: { initialDelayMs: 20 } });
    const stream = packets(20, 30);
    const frames: Int16Array[] = [];
    for (let t = 0; t < 600; t += 20) {
      const i = t / 20;
      if (i !== 10 && i !== 11) pipeline.push({ ...stream[i]!, arrivalMs: t });
      frames.push(pipeline.pull(t + 10));
    }
    const stats = pipeline.stats;
    expect(stats.jitter.lost).toBe(2);
    expect(stats.jitter.concealed).toBe(2);
    expect(stats.concealment).toEqual({ erasures: 1, concealedSamples: 320 });
    // concealment is not silence, and stays within the signal's range
    expect(peak(frames[10]!)).toBeGreaterThan(3000);
    expect(Math.max(...frames.map((f) => peak(f)))).toBeLessThanOrEqual(6200);
    // after the cross-fade the decoded audio resumes exactly
    expect([...frames[12]!.subarray(100)]).toEqual([...PCMU.decode(stream[12]!.payload).subarray(100)]);
    expect([...frames[13]!]).toEqual([...PCMU.decode(stream[13]!.payload)]);
  });

  it('plays silence before the first packet and after reset()', () => {
    const pipeline = new PlayoutPipeline({ codec: PCMU });
    expect(peak(pipeline.pull(0))).toBe(0);
    pipeline.push({ ...packets(20, 1)[0]!, arrivalMs: 0 });
    pipeline.reset();
    expect(peak(pipeline.pull(100))).toBe(0);
    expect(pipeline.stats.jitter.flushed).toBe(1);
  });
});

describe('PlayoutPipeline with G.722 (16 kHz audio, 8 kHz RTP clock)', () => {
  const WIDE = 16000;
  /** 20 ms packets: 320 samples encoded by one encoder (the stream's state), timestamps +160. */
  function wideband(count: number): { seq: number; timestamp: number; payload: Uint8Array }[] {
    const encoder = G722.createEncoder();
    return Array.from({ length: count }, (_, i) => ({
      seq: i,
      timestamp: 5000 + i * 160,
      payload: encoder.encode(
        Int16Array.from({ length: 320 }, (_, n) =>
          Math.round(6000 * Math.sin((2 * Math.PI * 5000 * (i * 320 + n)) / WIDE)),
        ),
      ),
    }));
  }

  it('schedules by timestamp units and plays 320-sample frames, decoded by one stateful decoder', () => {
    const pipeline = new PlayoutPipeline({ codec: G722, jitter: { initialDelayMs: 20 } });
    expect([pipeline.sampleRate, pipeline.frameSamples]).toEqual([WIDE, 320]);
    const stream = wideband(20);
    const reference = G722.createDecoder();
    for (let t = 0; t < 400; t += 20) {
      expect(pipeline.push({ ...stream[t / 20]!, arrivalMs: t })).toMatch(/buffered|resynced/);
      const frame = pipeline.pull(t + 10);
      expect(frame.length).toBe(320);
      expect([...frame]).toEqual([...reference.decode(stream[t / 20]!.payload)]);
    }
    // 160 timestamp units per 20 ms: no gap, no insertion, nothing concealed
    expect(pipeline.stats.jitter).toMatchObject({ lost: 0, concealed: 0, inserted: 0, discarded: 0 });
  });

  it('conceals a lost packet with 320 samples (20 ms at 16 kHz), not 160', () => {
    const pipeline = new PlayoutPipeline({ codec: G722, jitter: { initialDelayMs: 20 } });
    const stream = wideband(30);
    const frames: Int16Array[] = [];
    for (let t = 0; t < 600; t += 20) {
      if (t / 20 !== 10) pipeline.push({ ...stream[t / 20]!, arrivalMs: t });
      frames.push(pipeline.pull(t + 10));
    }
    expect(frames.every((f) => f.length === 320)).toBe(true);
    expect(pipeline.stats.jitter.lost).toBe(1);
    expect(pipeline.stats.concealment).toEqual({ erasures: 1, concealedSamples: 320 });
    expect(peak(frames[10]!)).toBeGreaterThan(3000);
  });
});
