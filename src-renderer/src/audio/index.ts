/**
 * Call audio in the renderer: the microphone and the speaker of calls, linked to the phone per call by
 * MessagePorts (wire format in src-shared/audio).
 *
 *  - `startCallAudio(api)` (main.ts) → `CallAudioController`: accepts the ports, routes the microphone
 *    and the speaker to the call main routes, runs the engine while any call has audio; `status`,
 *    `onStatus`, `levels()` for the call UI (`useCallAudio()` in components).
 *  - `BrowserCallAudioEngine`: getUserMedia + AudioContext(48 kHz) + the AudioWorklet module.
 *  - Pure pieces (tested directly): `CaptureFramer`, `PlaybackRing`, the PCM conversions.
 */
export type {
  AnnouncementWindow,
  CallAudioControllerOptions,
  CallAudioLevels,
  CallAudioStatus,
  ReportTimers,
} from './call-audio-controller.ts';
export { CallAudioController } from './call-audio-controller.ts';
export type {
  AudioDeviceChoice,
  BrowserCallAudioEngineOptions,
  CallAudioEngine,
  CallAudioMeasurements,
  EngineStartResult,
} from './call-audio-engine.ts';
export { BrowserCallAudioEngine, floatLevelDbfs, peakFrequency } from './call-audio-engine.ts';
export type { CaptureFramerOptions } from './capture-framer.ts';
export { CaptureFramer } from './capture-framer.ts';
export type { PlaybackRingMode, PlaybackRingOptions, PlaybackRingStats } from './playback-ring.ts';
export { PlaybackRing } from './playback-ring.ts';
export { floatToInt16, floatsToInt16, int16LevelDbfs, int16ToFloat } from './pcm.ts';
export { CALL_AUDIO, provideCallAudio, startCallAudio, useCallAudio } from './start-call-audio.ts';
