/**
 * Starts the page's call audio once, at app start (main.ts), with the browser engine and the devices
 * chosen in Settings (`settings.audio.inputDeviceId` / `outputDeviceId`, the ids the settings screen's
 * device lists and level meter use). The controller is provided to the Vue app for the call UI.
 */
import { inject, type App, type InjectionKey } from 'vue';
import type { PhoneApi } from '../api/index.ts';
import type { AudioSettings } from '../../../src-shared/model/settings.ts';
import { BrowserCallAudioEngine, type AudioDeviceChoice } from './call-audio-engine.ts';
import { CallAudioController } from './call-audio-controller.ts';
import { CALL_AUDIO_WORKLET_URL } from './worklet-url.ts';

export function startCallAudio(api: PhoneApi, target: Window = window): CallAudioController {
  const controller = new CallAudioController({
    window: target,
    createEngine: () => new BrowserCallAudioEngine({ workletUrl: CALL_AUDIO_WORKLET_URL }),
    devices: async () => {
      try {
        return devicesOf((await api.call('settings.get', {})).audio);
      } catch {
        // without settings, the system defaults are the right devices
        return { inputDeviceId: null, outputDeviceId: null };
      }
    },
    onDevicesChanged: (listener) =>
      api.on('settings.changed', (settings) => listener(devicesOf(settings.audio))),
  });
  controller.start();
  return controller;
}

function devicesOf(audio: AudioSettings): AudioDeviceChoice {
  return { inputDeviceId: audio.inputDeviceId, outputDeviceId: audio.outputDeviceId };
}

export const CALL_AUDIO: InjectionKey<CallAudioController> = Symbol('CallAudioController');

export function provideCallAudio(app: App, controller: CallAudioController): void {
  app.provide(CALL_AUDIO, controller);
}

/** The call audio controller, or null where none was provided (component tests). */
export function useCallAudio(): CallAudioController | null {
  return inject(CALL_AUDIO, null);
}
