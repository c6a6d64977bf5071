/**
 * media/bridge — the renderer's microphone and speaker as AudioPorts for calls.
 *
 *  - `AudioLink`: one call's audio messages to/from the renderer (wire format in src-shared/audio),
 *    over a message port (`MessagePortAudioLink`, for Electron's MessageChannelMain) or the e2e test
 *    host's WebSocket (test/host).
 *  - `RendererAudioPort`: an AudioPort at 48 kHz over a link; a DriftCompensator between the sound
 *    card's clock and the call's media clock; silence (and an underrun count) when the renderer is late.
 *  - `RendererAudioDeviceProvider` (the calls layer's AudioDeviceProvider): `open(callId, devices)` →
 *    port; only the focused call is routed to the device, switching the focus re-routes without
 *    reopening the microphone. `CallAudioFocus` picks the focus from the calls' snapshots.
 */
export type { AudioLink, MessagePortLike } from './audio-link.ts';
export { MessagePortAudioLink } from './audio-link.ts';
export type { RendererAudioPortOptions, RendererAudioPortStats } from './renderer-audio-port.ts';
export {
  CAPTURE_READ_SLICE_SAMPLES,
  DEFAULT_CAPTURE_TARGET_MS,
  RendererAudioPort,
} from './renderer-audio-port.ts';
export type {
  CallDeviceChoice,
  RendererAudioDeviceProviderOptions,
} from './renderer-audio-device-provider.ts';
export { RendererAudioDeviceProvider } from './renderer-audio-device-provider.ts';
export type { FocusTarget, PhoneEventSource } from './call-audio-focus.ts';
export { CallAudioFocus, followCallAudioFocus } from './call-audio-focus.ts';
