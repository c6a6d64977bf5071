/**
 * The browser's audio devices as the Settings screen needs them: the list of microphones and speakers,
 * microphone access on demand (device names stay hidden until it is granted), a live input level with
 * the same processing calls use (echo cancellation, noise suppression, automatic gain), and a test
 * sound on a chosen output (`AudioContext.setSinkId` where the browser has it).
 *
 * Components reach it through `useBrowserAudio()`, so tests can hand in a fake.
 */

export type AudioDeviceKind = 'audioinput' | 'audiooutput';

export interface AudioDevice {
  id: string;
  kind: AudioDeviceKind;
  /** Empty until microphone access was granted (browsers hide names before that). */
  label: string;
}

export type MicrophoneAccess = 'granted' | 'denied' | 'unavailable';

export type AudioFailureReason = 'denied' | 'not-found' | 'unavailable' | 'device';

export interface AudioFailure {
  reason: AudioFailureReason;
  /** The browser's words, for the details. */
  message: string;
}

export interface InputLevelMonitor {
  /** Stops the microphone (the track, so the OS indicator goes off) and the analysis. */
  stop(): void;
}

export type InputLevelResult = { ok: true; monitor: InputLevelMonitor } | ({ ok: false } & AudioFailure);

/** `onChosenDevice` is false when the browser cannot choose the output and the default one played it. */
export type TestToneResult = { ok: true; onChosenDevice: boolean } | ({ ok: false } & AudioFailure);

export interface BrowserAudio {
  /** Whether a test sound can go to a chosen output device. */
  readonly canChooseOutput: boolean;
  listDevices(): Promise<AudioDevice[]>;
  requestMicrophoneAccess(): Promise<MicrophoneAccess>;
  /** Calls `listener` when a device is plugged in or removed; answers the unsubscribe function. */
  onDevicesChanged(listener: () => void): () => void;
  /** Opens the microphone and reports its level (0…1) about 20 times a second until stopped. */
  monitorInput(deviceId: string | null, onLevel: (level: number) => void): Promise<InputLevelResult>;
  /** Plays a short two-tone chime on `deviceId` (null: the default output). */
  playTestTone(deviceId: string | null): Promise<TestToneResult>;
}

/** Browsers list the OS's default devices under these pseudo ids; our "System default" stands for them. */
const PSEUDO_DEVICE_IDS = new Set(['default', 'communications']);

/** The level shown for a block of samples: RMS in dBFS mapped from −60…0 dB onto 0…1. */
export function levelOfSamples(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/** The processing every microphone stream of the app asks for. */
export function microphoneConstraints(deviceId: string | null): MediaTrackConstraints {
  const constraints: MediaTrackConstraints = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  };
  if (deviceId !== null) constraints.deviceId = { exact: deviceId };
  return constraints;
}

function failureOf(error: unknown): AudioFailure {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'NotAllowedError' || name === 'SecurityError') return { reason: 'denied', message };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { reason: 'not-found', message };
  return { reason: 'unavailable', message };
}

type SinkCapableContext = AudioContext & { setSinkId?: (sinkId: string) => Promise<void> };

const LEVEL_INTERVAL_MS = 50;

export function createBrowserAudio(win: Window = window): BrowserAudio {
  const devices = (): MediaDevices | undefined => win.navigator.mediaDevices;
  const AudioContextCtor = (win as Window & { AudioContext?: typeof AudioContext }).AudioContext;

  return {
    canChooseOutput: AudioContextCtor !== undefined && 'setSinkId' in AudioContextCtor.prototype,

    async listDevices() {
      const media = devices();
      if (!media) return [];
      const all = await media.enumerateDevices();
      return all
        .filter(
          (d): d is MediaDeviceInfo & { kind: AudioDeviceKind } =>
            d.kind === 'audioinput' || d.kind === 'audiooutput',
        )
        .filter((d) => d.deviceId !== '' && !PSEUDO_DEVICE_IDS.has(d.deviceId))
        .map((d) => ({ id: d.deviceId, kind: d.kind, label: d.label }));
    },

    async requestMicrophoneAccess() {
      const media = devices();
      if (!media) return 'unavailable';
      try {
        const stream = await media.getUserMedia({ audio: true });
        for (const track of stream.getTracks()) track.stop();
        return 'granted';
      } catch (error) {
        return failureOf(error).reason === 'denied' ? 'denied' : 'unavailable';
      }
    },

    onDevicesChanged(listener) {
      const media = devices();
      if (!media) return () => {};
      media.addEventListener('devicechange', listener);
      return () => media.removeEventListener('devicechange', listener);
    },

    async monitorInput(deviceId, onLevel) {
      const media = devices();
      if (!media || !AudioContextCtor)
        return { ok: false, reason: 'unavailable', message: 'no audio in this window' };
      let stream: MediaStream;
      try {
        stream = await media.getUserMedia({ audio: microphoneConstraints(deviceId) });
      } catch (error) {
        return { ok: false, ...failureOf(error) };
      }
      const context = new AudioContextCtor();
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(stream).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      const timer = win.setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        onLevel(levelOfSamples(samples));
      }, LEVEL_INTERVAL_MS);
      let stopped = false;
      return {
        ok: true,
        monitor: {
          stop() {
            if (stopped) return;
            stopped = true;
            win.clearInterval(timer);
            for (const track of stream.getTracks()) track.stop();
            void context.close();
          },
        },
      };
    },

    async playTestTone(deviceId) {
      if (!AudioContextCtor) return { ok: false, reason: 'unavailable', message: 'no audio in this window' };
      const context: SinkCapableContext = new AudioContextCtor();
      try {
        let onChosenDevice = deviceId === null;
        if (deviceId !== null && typeof context.setSinkId === 'function') {
          await context.setSinkId(deviceId);
          onChosenDevice = true;
        }
        await context.resume();
        const start = context.currentTime + 0.05;
        const gain = context.createGain();
        gain.gain.setValueAtTime(0, start);
        gain.connect(context.destination);
        const tones: Array<[frequency: number, at: number]> = [
          [660, 0],
          [880, 0.35],
        ];
        let last: OscillatorNode | undefined;
        for (const [frequency, at] of tones) {
          const osc = context.createOscillator();
          osc.frequency.value = frequency;
          osc.connect(gain);
          osc.start(start + at);
          osc.stop(start + at + 0.3);
          gain.gain.setValueAtTime(0, start + at);
          gain.gain.linearRampToValueAtTime(0.2, start + at + 0.02);
          gain.gain.setValueAtTime(0.2, start + at + 0.26);
          gain.gain.linearRampToValueAtTime(0, start + at + 0.3);
          last = osc;
        }
        await new Promise<void>((resolve) => {
          if (last) last.onended = () => resolve();
          else resolve();
        });
        return { ok: true, onChosenDevice };
      } catch (error) {
        const failure = failureOf(error);
        return { ok: false, ...failure, reason: failure.reason === 'not-found' ? 'device' : failure.reason };
      } finally {
        void context.close();
      }
    },
  };
}
