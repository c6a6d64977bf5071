/**
 * What the engine (page) and its two AudioWorklet processors say to each other over the nodes' ports.
 *
 *   capture processor  ──▶ engine    ArrayBuffer: one link frame message (header + 960 samples), transferred
 *   engine ──▶ playback processor    ArrayBuffer: 960 samples to queue (transferred), or `{ type: 'clear' }`
 *   playback processor ──▶ engine    PlaybackWorkletStats, every STATS_INTERVAL_MS
 */
export const CAPTURE_PROCESSOR = 'softphone-capture';
export const PLAYBACK_PROCESSOR = 'softphone-playback';

/** How often the playback processor reports its queue. */
export const PLAYBACK_STATS_INTERVAL_MS = 250;

export interface PlaybackProcessorOptions {
  targetMs: number;
  capacityMs: number;
}

export interface PlaybackWorkletStats {
  type: 'stats';
  bufferedMs: number;
  underruns: number;
  overflows: number;
}

export interface PlaybackClearCommand {
  type: 'clear';
}

export function isPlaybackWorkletStats(data: unknown): data is PlaybackWorkletStats {
  if (typeof data !== 'object' || data === null) return false;
  const s = data as Record<string, unknown>;
  return (
    s.type === 'stats' &&
    typeof s.bufferedMs === 'number' &&
    typeof s.underruns === 'number' &&
    typeof s.overflows === 'number'
  );
}
