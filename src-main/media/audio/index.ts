/**
 * media/audio — PCM plumbing between a call and whatever makes and hears the sound.
 *
 * ## The AudioPort contract
 *
 * A call exchanges audio with a device only through an `AudioPort`:
 *
 *     interface AudioPort {
 *       readonly sampleRate: number;      // fixed; the call converts to/from the codec's rate
 *       readonly frameSamples: number;    // sampleRate · 20 ms
 *       readFrame(): Int16Array | null;   // captured (microphone) audio
 *       writeFrame(frame: Int16Array): void; // audio to play
 *       readonly ended: boolean;          // the capture side is finished for good
 *       readonly closed: boolean;
 *       close(): void;
 *     }
 *
 *  - Frames are mono, signed 16-bit, exactly `frameSamples` long (20 ms). Writing anything else is a bug
 *    and throws.
 *  - The port never drives time. The call's media clock (one `Clock` timer) ticks every 20 ms and does
 *    one `readFrame()` and one `writeFrame()` per tick. A port with a clock of its own (the renderer's
 *    AudioWorklet at 48 kHz behind a MessagePort) absorbs the mismatch with a `DriftCompensator`.
 *  - `readFrame()` returns null when no captured audio is available this tick — a device underrun, or
 *    the end of a finite source (then `ended` is true, and the call may hang up, as baresip does when its
 *    file ends). A null frame is a gap, not an error; the call sends nothing or silence for it.
 *  - Ownership moves with the frame: the caller owns what `readFrame()` returns; `writeFrame()` takes
 *    ownership of its argument (a MessagePort port transfers the buffer without copying), so the caller
 *    must not reuse it.
 *  - `close()` is idempotent and releases the file or device; afterwards reads return null and writes
 *    are ignored (a tick racing with hang-up must not crash).
 *  - Ports are synchronous and single-threaded: nothing here blocks longer than a small file read.
 *
 * Implementations here: `WavFileSource` (microphone from a WAV file, any rate/channels, optional loop),
 * `WavRecorder` (speaker into a WAV file), `ToneGenerator`, `SilencePort`, `MemoryAudioPort` (tests),
 * `DuplexAudioPort` (one port's microphone + another's speaker) and `TeeAudioPort` (speaker to several).
 *
 * ## Processing
 *  - `Resampler`: streaming polyphase windowed-sinc converter between any two integer rates; passband
 *    0–0.85·(lower Nyquist), stopband from the lower Nyquist at ≥ 70 dB (details in resampler.ts).
 *  - `DriftCompensator`: FIFO between two clocks held near a target fill by ±1-sample frame stretching.
 *  - WAV parsing/building helpers, and analysis helpers for tests: `rms`, `rmsDbfs`,
 *    `goertzelAmplitude`, `dominantFrequency`, `detectTone` / `analyzeTone`.
 */
export type { AudioPort } from './audio-port.ts';
export { AUDIO_FRAME_MS, checkFrame, frameSamplesFor } from './audio-port.ts';
export type { ResamplerOptions } from './resampler.ts';
export { Resampler } from './resampler.ts';
export type {
  DriftCompensatorMode,
  DriftCompensatorOptions,
  DriftCompensatorStats,
} from './drift-compensator.ts';
export { DriftCompensator } from './drift-compensator.ts';
export type { ByteSource, WavError, WavFormat, WavLayout, WavLayoutResult } from './wav.ts';
export {
  WAV_HEADER_BYTES,
  WAV_MAX_DATA_BYTES,
  buildWavHeader,
  bytesFromSamples,
  decodeWav,
  downmixToMono,
  encodeWav,
  parseWavLayout,
  samplesFromBytes,
} from './wav.ts';
export type { WavFileSourceOptions, WavFileSourceResult, WavOpenError } from './wav-file-source.ts';
export { WavFileSource } from './wav-file-source.ts';
export type { WavRecorderOptions, WavRecorderResult } from './wav-recorder.ts';
export { WavRecorder } from './wav-recorder.ts';
export type { ToneGeneratorOptions } from './generated-ports.ts';
export {
  DuplexAudioPort,
  MemoryAudioPort,
  SilencePort,
  TeeAudioPort,
  ToneGenerator,
} from './generated-ports.ts';
export type { FrequencyRange, ToneAnalysis, ToneDetectionOptions } from './analysis.ts';
export { analyzeTone, detectTone, dominantFrequency, goertzelAmplitude, rms, rmsDbfs } from './analysis.ts';
export { SampleFifo } from './sample-fifo.ts';
