/**
 * media/jitter — the receive side of an audio stream, pure input → output with injected time:
 *  - `JitterBuffer<P>`: adaptive playout buffer keyed by RTP sequence/timestamp (wrap-around safe);
 *    target delay from the RFC 3550 jitter estimate and observed delay spikes, reordering, late and
 *    duplicate drops, DTX gaps, resync on SSRC change or confirmed jumps, statistics;
 *  - `PacketLossConcealer`: pitch-repetition concealment with fade-out (G.711 Appendix I, simplified);
 *  - `PlayoutPipeline`: jitter buffer + codec decode + concealment → fixed 20 ms PCM frames;
 *  - `InterarrivalJitter` (RFC 3550 §6.4.1) and the RTP sequence/timestamp extension helpers, which
 *    the RTP session's receiver reports reuse.
 */
export type {
  JitterBufferOptions,
  JitterBufferOutput,
  JitterBufferState,
  JitterBufferStats,
  JitterPacket,
  JitterPushOutcome,
} from './jitter-buffer.ts';
export { JitterBuffer } from './jitter-buffer.ts';
export type { PacketLossConcealerOptions, PacketLossConcealerStats } from './packet-loss-concealer.ts';
export { PacketLossConcealer } from './packet-loss-concealer.ts';
export type { PlayoutPipelineOptions, PlayoutStats, RtpAudioPacket } from './playout-pipeline.ts';
export { PlayoutPipeline } from './playout-pipeline.ts';
export { InterarrivalJitter } from './interarrival-jitter.ts';
export { extendSequence, extendTimestamp } from './rtp-arithmetic.ts';
export { WindowedMinimum } from './windowed-minimum.ts';
