/**
 * RendererAudioPort: the renderer's microphone through a drift-compensated FIFO, the speaker through the
 * link; silence and an underrun count when the renderer is late; routing; link replacement; clock drift
 * of ±0.5 % over ten minutes on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../src-main/platform/index.ts';
import { RendererAudioPort } from '../../../../src-main/media/bridge/index.ts';
import type { RendererAudioReport } from '../../../../src-shared/audio/index.ts';
import { ScriptedAudioLink, rampFrame } from './support.ts';

const SILENCE = new Int16Array(960);

function routedPort(): { port: RendererAudioPort; link: ScriptedAudioLink } {
  const port = new RendererAudioPort({ callId: 'call-1' });
  const link = new ScriptedAudioLink();
  port.setRouted(true);
  port.attach(link);
  return { port, link };
}

describe('RendererAudioPort', () => {
  it('is a 48 kHz port of 960-sample frames', () => {
    const port = new RendererAudioPort({ callId: 'call-1' });
    expect([port.sampleRate, port.frameSamples, port.callId]).toEqual([48_000, 960, 'call-1']);
    expect(() => new RendererAudioPort({ callId: 'x', captureTargetMs: 19 })).toThrow(RangeError);
  });

  it('reads silence until two frames are queued, then exactly what the renderer sent', () => {
    const { port, link } = routedPort();
    expect(port.readFrame()).toEqual(SILENCE);
    link.deliverFrame(rampFrame(0));
    expect(port.readFrame()).toEqual(SILENCE);
    link.deliverFrame(rampFrame(1000));
    expect(port.readFrame()).toEqual(rampFrame(0));
    expect(port.readFrame()).toEqual(rampFrame(1000));
    expect(port.stats).toMatchObject({ framesReceived: 2, underruns: 0 });
    expect(port.stats.capture).toMatchObject({
      mode: 'steady',
      fill: 0,
      droppedSamples: 0,
      insertedSamples: 0,
    });
  });

  it('reads silence and counts one underrun per gap when the renderer falls behind', () => {
    const { port, link } = routedPort();
    link.deliverFrame(rampFrame(0));
    link.deliverFrame(rampFrame(1000));
    port.readFrame();
    port.readFrame();

    expect(port.readFrame()).toEqual(SILENCE);
    expect(port.readFrame()).toEqual(SILENCE);
    expect(port.stats.underruns).toBe(1);

    // back: primed again to two frames, then the audio continues where it was
    link.deliverFrame(rampFrame(2000));
    expect(port.readFrame()).toEqual(SILENCE);
    link.deliverFrame(rampFrame(3000));
    expect(port.readFrame()).toEqual(rampFrame(2000));
    expect(port.readFrame()).toEqual(rampFrame(3000));
    expect(port.readFrame()).toEqual(SILENCE);
    expect(port.stats.underruns).toBe(2);
  });

  it('sends what the call plays as frames, and checks their size', () => {
    const { port, link } = routedPort();
    const frame = rampFrame(7);
    port.writeFrame(frame);
    expect(link.sentKinds).toEqual(['route:on', 'frame']);
    expect(link.sentFrames).toEqual([rampFrame(7)]);
    expect(port.stats.framesSent).toBe(1);
    expect(() => port.writeFrame(new Int16Array(160))).toThrow(RangeError);
  });

  it('gives an unrouted call silence and sends it nothing, and starts a new route with an empty FIFO', () => {
    const port = new RendererAudioPort({ callId: 'held' });
    const link = new ScriptedAudioLink();
    port.attach(link);
    expect(link.sentKinds).toEqual(['route:off']);

    link.deliverFrame(500);
    expect(port.readFrame()).toEqual(SILENCE);
    port.writeFrame(rampFrame(0));
    expect(port.stats).toMatchObject({ routed: false, framesIgnored: 1, framesWithheld: 1, framesSent: 0 });

    port.setRouted(true);
    port.setRouted(true); // no change, no message
    link.deliverFrame(rampFrame(0));
    link.deliverFrame(rampFrame(1000));
    port.setRouted(false);
    port.setRouted(true);
    // what arrived before the route changed is gone
    expect(port.readFrame()).toEqual(SILENCE);
    expect(link.sentKinds).toEqual(['route:off', 'route:on', 'route:off', 'route:on']);
  });

  it('ends the old link when a new one is attached, and keeps the call open when the renderer goes away', () => {
    const { port, link: first } = routedPort();
    const second = new ScriptedAudioLink();
    port.attach(second);
    expect(first.sentKinds).toEqual(['route:on', 'end']);
    expect(first.closed).toBe(true);
    expect(first.listenerCount).toBe(0);
    expect(second.sentKinds).toEqual(['route:on']);
    expect(port.attached).toBe(true);

    second.remoteClose();
    expect(port.attached).toBe(false);
    expect(port.closed).toBe(false);
    expect(port.ended).toBe(false);
    expect(port.readFrame()).toEqual(SILENCE);
    port.writeFrame(rampFrame(0));
    expect(port.stats).toMatchObject({ framesWithheld: 1, framesSent: 0 });
    expect(second.listenerCount).toBe(0);
  });

  it('keeps the renderer’s latest report and counts malformed messages of all its links', () => {
    const { port, link } = routedPort();
    const report: RendererAudioReport = {
      state: 'running',
      failure: 'none',
      contextSampleRate: 48_000,
      baseLatencyMs: 10,
      outputLatencyMs: 30,
      capturedFrames: 12,
      captureLevelDbfs: -20,
      playbackLevelDbfs: -9,
      playbackPeakHz: 600,
      playbackBufferedMs: 50,
      playbackUnderruns: 1,
      playbackOverflows: 0,
    };
    expect(port.renderer).toBeNull();
    link.deliver({ kind: 'report', report });
    expect(port.renderer).toEqual(report);
    // main → renderer messages coming back are ignored
    link.deliver({ kind: 'route', routed: false });
    link.deliver({ kind: 'end' });
    expect(port.routed).toBe(true);
    expect(port.closed).toBe(false);

    link.rejectedMessages = 2;
    const next = new ScriptedAudioLink();
    next.rejectedMessages = 1;
    port.attach(next);
    expect(port.stats.rejectedMessages).toBe(3);
  });

  it('closes once: ends the link, reads null, ignores writes, and tells its listener', () => {
    const { port, link } = routedPort();
    let closes = 0;
    port.onClose(() => closes++);
    port.close();
    port.close();
    expect(closes).toBe(1);
    expect(link.sentKinds).toEqual(['route:on', 'end']);
    expect(link.closed).toBe(true);
    expect(port.readFrame()).toBeNull();
    port.writeFrame(rampFrame(0));
    expect(port.stats.framesWithheld).toBe(0);
    expect([port.closed, port.ended, port.routed]).toEqual([true, true, false]);

    const late = new ScriptedAudioLink();
    port.attach(late);
    expect(late.closed).toBe(true);
    expect(late.sent).toEqual([]);
    expect(link.listenerCount + late.listenerCount).toBe(0);
  });

  describe('between the sound card clock and a 20 ms media clock', () => {
    /**
     * Ten minutes on a fake clock: the renderer sends a frame of constant 1000s every 20 ms of its own
     * clock (20/(1+drift) ms of ours), the call reads every 20 ms. Every sample that comes out is 1000
     * (audio) or 0 (silence), so the output can be accounted for exactly.
     */
    function runDrift(drift: number) {
      const clock = new FakeClock();
      const { port, link } = routedPort();
      const period = 20 / (1 + drift);
      let sent = 0;
      const deliver = () => {
        link.deliverFrame(1000);
        sent++;
        timers.renderer = clock.setTimer(3 + sent * period - clock.monotonic(), deliver);
      };
      const timers = { renderer: clock.setTimer(3, deliver) };
      let audioOut = 0;
      let silentAfterStart = 0;
      let minFill = Infinity;
      let maxFill = 0;
      const media = clock.setInterval(20, () => {
        const frame = port.readFrame()!;
        for (const sample of frame) {
          if (sample === 1000) audioOut++;
          else if (audioOut > 0) silentAfterStart++;
        }
        if (audioOut > 0) {
          minFill = Math.min(minFill, port.stats.capture.fill);
          maxFill = Math.max(maxFill, port.stats.capture.fill);
        }
      });
      clock.advance(600_000);
      media.cancel();
      timers.renderer.cancel();
      expect(clock.pendingTimers()).toBe(0);
      return { port, audioOut, silentAfterStart, minFill, maxFill };
    }

    for (const drift of [0.005, -0.005]) {
      it(`stays bounded with the renderer ${drift > 0 ? 'fast' : 'slow'} by 0.5 %`, () => {
        const { port, audioOut, silentAfterStart, minFill, maxFill } = runDrift(drift);
        const { capture, framesReceived, underruns } = port.stats;
        expect(framesReceived).toBe(drift > 0 ? 30_150 : 29_850);
        // never a gap, never an overflow, the FIFO within a frame and a half of its 40 ms target
        expect(underruns).toBe(0);
        expect(silentAfterStart).toBe(0);
        expect(capture.underruns).toBe(0);
        expect(capture.overflowSamples).toBe(0);
        expect(minFill).toBeGreaterThanOrEqual(480);
        expect(maxFill).toBeLessThanOrEqual(1920 + 960);
        // every sample the renderer sent is accounted for: played, queued, or taken out by the correction
        expect(framesReceived * 960 - capture.fill).toBe(
          audioOut + capture.droppedSamples - capture.insertedSamples,
        );
        // and the correction is the drift: 0.5 % of ten minutes at 48 kHz = 144 000 samples (± two frames)
        const corrected = capture.droppedSamples - capture.insertedSamples;
        expect(Math.abs(corrected - Math.sign(drift) * 144_000)).toBeLessThanOrEqual(1920);
      });
    }
  });
});
