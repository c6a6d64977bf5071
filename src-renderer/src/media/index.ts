export {
  createBrowserAudio,
  levelOfSamples,
  microphoneConstraints,
  type AudioDevice,
  type AudioDeviceKind,
  type AudioFailure,
  type AudioFailureReason,
  type BrowserAudio,
  type InputLevelMonitor,
  type InputLevelResult,
  type MicrophoneAccess,
  type TestToneResult,
} from './browser-audio.ts';
export { BROWSER_AUDIO, provideBrowserAudio, useBrowserAudio } from './inject.ts';
