/**
 * Call audio between the phone and our window: one `MessageChannelMain` per call that has audio.
 *
 *   main                                   preload (isolated world)              page (main world)
 *   port1 ◀─ MessagePortAudioLink           ipcRenderer.on('audio:port')          window 'message'
 *   port2 ── webContents.postMessage ──────▶ event.ports[0] ── window.postMessage ─▶ call audio engine
 *            ('audio:port', offer, [port2])                  ({ type, ...offer }, our origin, [port])
 *
 * The offer is `{ callId }` plus the call's own device choice, if it made one (src-shared/audio).
 *
 * Why a channel per call rather than one long-lived channel with a call id in every message: the port's
 * life is the call audio's life — closing port1 at the call's end is the renderer's signal to let go
 * (with an `end` message first), and a frame can never be attributed to another call, so the hot path
 * needs no call-id parsing of untrusted input. The renderer multiplexes nothing: it sends the microphone
 * to whichever port main has routed (`route` messages) and keeps the microphone open while any port is
 * alive, so switching calls does not reopen it.
 *
 * The port goes only to our own window, and only while it shows our page (app:// or the dev server);
 * otherwise the call's port stays silent. When our page (re)loads, every open call gets a new port
 * (`onPageLoad` → provider.reconnect()): the reloaded page has lost the old ones.
 */
import type { MessagePortMain, WebContents } from 'electron';
import { AUDIO_PORT_IPC_CHANNEL } from '../../src-shared/audio/index.ts';
import type { AudioPortOffer } from '../../src-shared/audio/index.ts';
import type { Disposable } from '../../src-shared/util/emitter.ts';
import {
  MessagePortAudioLink,
  RendererAudioDeviceProvider,
  followCallAudioFocus,
} from '../media/bridge/index.ts';
import type { AudioLink, RendererAudioDeviceProviderOptions } from '../media/bridge/index.ts';
import type { Phone } from '../phone/index.ts';
import { isAppUrl } from './security.ts';

export interface AudioChannelOptions {
  /** `new MessageChannelMain()` (a function, so that tests can use a mocked electron). */
  createChannel(): { port1: MessagePortMain; port2: MessagePortMain };
  /** Our window's web contents, looked up per call (the window can be re-created); undefined when none. */
  trustedContents(): WebContents | undefined;
  devServerUrl?: string;
  /** Our page finished (re)loading in a window that carries call audio. */
  onPageLoad?(): void;
  warn?(message: string): void;
}

export class ElectronAudioChannels {
  private readonly options: AudioChannelOptions;
  private readonly watched = new WeakSet<WebContents>();

  constructor(options: AudioChannelOptions) {
    this.options = options;
  }

  /** A new channel for the offered call: port1 wrapped as the call's link, port2 sent to our window. */
  connect(offer: AudioPortOffer): AudioLink {
    const callId = offer.callId;
    const { port1, port2 } = this.options.createChannel();
    const link = new MessagePortAudioLink(port1);
    const contents = this.options.trustedContents();
    if (!contents || contents.isDestroyed()) {
      this.refuse(link, port2, `no window for the audio of call ${callId}`);
      return link;
    }
    this.watch(contents);
    if (!isAppUrl(contents.getURL(), this.options.devServerUrl)) {
      this.refuse(link, port2, `the window does not show our page; call ${callId} has no audio device`);
      return link;
    }
    contents.postMessage(AUDIO_PORT_IPC_CHANNEL, offer, [port2]);
    return link;
  }

  private refuse(link: AudioLink, port2: MessagePortMain, why: string): void {
    port2.close();
    link.close();
    this.options.warn?.(why);
  }

  private watch(contents: WebContents): void {
    if (this.watched.has(contents)) return;
    this.watched.add(contents);
    contents.on('did-finish-load', () => this.options.onPageLoad?.());
  }
}

export interface RendererAudioDevicesOptions extends Omit<AudioChannelOptions, 'onPageLoad'> {
  port?: RendererAudioDeviceProviderOptions['port'];
}

/** The app's audio device provider: calls get the window's microphone and speaker over per-call channels. */
export function createRendererAudioDevices(
  options: RendererAudioDevicesOptions,
): RendererAudioDeviceProvider {
  const { port, ...channelOptions } = options;
  const channels: ElectronAudioChannels = new ElectronAudioChannels({
    ...channelOptions,
    onPageLoad: () => provider.reconnect(),
  });
  const provider = new RendererAudioDeviceProvider({
    connect: (offer) => channels.connect(offer),
    ...(port ? { port } : {}),
  });
  return provider;
}

/**
 * Makes `provider` the phone's call audio and keeps its focus on the call being talked in (from the
 * phone's `calls.changed` events). Returns what stops following.
 */
export function useRendererAudio(phone: Phone, provider: RendererAudioDeviceProvider): Disposable {
  phone.calls.useAudio(provider);
  return followCallAudioFocus(phone.events, provider);
}
