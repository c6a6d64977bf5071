/**
 * The receive side of one audio stream after the RTP session: jitter buffer → decode → loss
 * concealment → fixed frames of PCM at the codec's sample rate (20 ms = 160 samples for G.711, 320 for
 * G.722).
 *
 * Two units meet here (audio-codec.ts): the jitter buffer schedules in RTP timestamp units (the codec's
 * clock rate, 8 kHz for G.722 too), while decoding, concealment and the output frames count PCM samples
 * (its sample rate, 16 kHz for G.722). Packets enter with the timestamp units they span; the buffer's
 * conceal/silence units are converted back to samples.
 *
 * Packets may carry any duration (10, 20, 30, 60 ms…): the jitter buffer plays packet-sized units and a
 * small PCM queue re-cuts them into output frames. Each unit is pulled from the buffer at the time its
 * first sample will be heard (now + what is already queued), so the schedule stays exact.
 */
import type { AudioCodec, AudioDecoder } from '../codec/index.ts';
import { JitterBuffer } from './jitter-buffer.ts';
import type { JitterBufferOptions, JitterBufferStats, JitterPushOutcome } from './jitter-buffer.ts';
import { PacketLossConcealer } from './packet-loss-concealer.ts';
import type { PacketLossConcealerOptions, PacketLossConcealerStats } from './packet-loss-concealer.ts';

export interface RtpAudioPacket {
  seq: number;
  timestamp: number;
  payload: Uint8Array;
  /** Local arrival time, ms (monotonic). */
  arrivalMs: number;
  ssrc?: number;
}

export interface PlayoutPipelineOptions {
  codec: AudioCodec;
  /** Output frame duration, ms. */
  frameMs?: number;
  jitter?: Omit<JitterBufferOptions, 'clockRate'>;
  concealment?: Omit<PacketLossConcealerOptions, 'sampleRate'>;
}

export interface PlayoutStats {
  jitter: JitterBufferStats;
  concealment: PacketLossConcealerStats;
  /** Output frames produced. */
  frames: number;
}

export class PlayoutPipeline {
  readonly codec: AudioCodec;
  /** PCM samples per second of the output (the codec's sample rate). */
  readonly sampleRate: number;
  /** PCM samples in one output frame. */
  readonly frameSamples: number;
  private readonly buffer: JitterBuffer<Uint8Array>;
  /** This stream's decoder (G.722 keeps state from packet to packet). */
  private decoder: AudioDecoder;
  private readonly concealer: PacketLossConcealer;
  /** Decoded audio not yet handed out: whole chunks, the first one read from `queueOffset`. */
  private readonly queue: Int16Array[] = [];
  private queueOffset = 0;
  private queued = 0;
  private frames = 0;

  constructor(options: PlayoutPipelineOptions) {
    this.codec = options.codec;
    this.sampleRate = options.codec.sampleRate;
    this.decoder = options.codec.createDecoder();
    const frameMs = options.frameMs ?? 20;
    this.frameSamples = options.codec.frameSamples(frameMs);
    this.buffer = new JitterBuffer<Uint8Array>({
      frameMs,
      ...options.jitter,
      clockRate: options.codec.clockRate,
    });
    this.concealer = new PacketLossConcealer({ ...options.concealment, sampleRate: this.sampleRate });
  }

  get stats(): PlayoutStats {
    return { jitter: this.buffer.stats, concealment: this.concealer.stats, frames: this.frames };
  }

  push(packet: RtpAudioPacket): JitterPushOutcome {
    const samples = this.codec.sampleCount(packet.payload);
    return this.buffer.push({ ...packet, samples: this.codec.samplesToTimestamp(samples) });
  }

  /** The next output frame (exactly `frameSamples` samples) for playout starting at `nowMs`. */
  pull(nowMs: number): Int16Array {
    while (this.queued < this.frameSamples) {
      const unit = this.buffer.pull(nowMs + (this.queued * 1000) / this.sampleRate);
      switch (unit.kind) {
        case 'frame':
          this.enqueue(this.concealer.good(this.decoder.decode(unit.payload)));
          break;
        case 'conceal':
          this.enqueue(this.concealer.conceal(this.codec.timestampToSamples(unit.samples)));
          break;
        case 'silence':
          this.enqueue(this.concealer.silence(this.codec.timestampToSamples(unit.samples)));
          break;
      }
    }
    this.frames++;
    return this.dequeue(this.frameSamples);
  }

  /** Forget the stream (hold, new source). */
  reset(): void {
    this.buffer.reset();
    this.decoder = this.codec.createDecoder();
    this.concealer.reset();
    this.queue.length = 0;
    this.queueOffset = 0;
    this.queued = 0;
  }

  private enqueue(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.queue.push(pcm);
    this.queued += pcm.length;
  }

  private dequeue(count: number): Int16Array {
    const first = this.queue[0]!;
    if (this.queueOffset === 0 && first.length === count) {
      // The common case (packets as long as frames): hand the decoded chunk over without copying.
      this.queue.shift();
      this.queued -= count;
      return first;
    }
    const out = new Int16Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.queue[0]!;
      const take = Math.min(count - filled, chunk.length - this.queueOffset);
      out.set(chunk.subarray(this.queueOffset, this.queueOffset + take), filled);
      filled += take;
      this.queueOffset += take;
      if (this.queueOffset === chunk.length) {
        this.queue.shift();
        this.queueOffset = 0;
      }
    }
    this.queued -= count;
    return out;
  }
}
