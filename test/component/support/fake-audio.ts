/**
 * A `BrowserAudio` for component tests: a device list the test sets, microphone access that hides or
 * reveals the names, an input monitor whose level the test pushes, test tones recorded. It counts open
 * monitors and device listeners, so a test can check that leaving the screen released them.
 */
import type {
  AudioDevice,
  AudioFailureReason,
  BrowserAudio,
  InputLevelResult,
  MicrophoneAccess,
  TestToneResult,
} from '../../../src-renderer/src/media/index.ts';

export const FAKE_DEVICES: readonly AudioDevice[] = [
  { id: 'mic-1', kind: 'audioinput', label: 'Built-in Microphone' },
  { id: 'mic-2', kind: 'audioinput', label: 'USB Headset Microphone' },
  { id: 'spk-1', kind: 'audiooutput', label: 'Built-in Speakers' },
  { id: 'spk-2', kind: 'audiooutput', label: 'USB Headset' },
];

export class FakeAudio implements BrowserAudio {
  canChooseOutput = true;
  devices: readonly AudioDevice[] = FAKE_DEVICES;
  /** Names are hidden until access is granted. */
  granted = false;
  accessAnswer: MicrophoneAccess = 'granted';
  monitorFailure: { reason: AudioFailureReason; message: string } | null = null;
  toneAnswer: TestToneResult = { ok: true, onChosenDevice: true };
  readonly monitorsOpened: Array<string | null> = [];
  readonly tones: Array<string | null> = [];
  openMonitors = 0;
  private readonly deviceListeners = new Set<() => void>();
  private levelListener: ((level: number) => void) | null = null;

  async listDevices(): Promise<AudioDevice[]> {
    return this.devices.map((d) => ({ ...d, label: this.granted ? d.label : '' }));
  }

  async requestMicrophoneAccess(): Promise<MicrophoneAccess> {
    if (this.accessAnswer === 'granted') this.granted = true;
    return this.accessAnswer;
  }

  onDevicesChanged(listener: () => void): () => void {
    this.deviceListeners.add(listener);
    return () => this.deviceListeners.delete(listener);
  }

  /** Plug a device in or out. */
  changeDevices(devices: readonly AudioDevice[]): void {
    this.devices = devices;
    for (const l of [...this.deviceListeners]) l();
  }

  get deviceListenerCount(): number {
    return this.deviceListeners.size;
  }

  async monitorInput(deviceId: string | null, onLevel: (level: number) => void): Promise<InputLevelResult> {
    this.monitorsOpened.push(deviceId);
    if (this.monitorFailure) return { ok: false, ...this.monitorFailure };
    this.granted = true;
    this.openMonitors++;
    this.levelListener = onLevel;
    let stopped = false;
    return {
      ok: true,
      monitor: {
        stop: () => {
          if (stopped) return;
          stopped = true;
          this.openMonitors--;
          this.levelListener = null;
        },
      },
    };
  }

  /** The open monitor reports a level. */
  pushLevel(level: number): void {
    this.levelListener?.(level);
  }

  async playTestTone(deviceId: string | null): Promise<TestToneResult> {
    this.tones.push(deviceId);
    return this.toneAnswer;
  }
}
