/**
 * `RendererAudioDeviceProvider`: the audio device of the desktop app and of the e2e test host — the
 * renderer's microphone and speaker — handed to calls as AudioPorts. It fits the calls layer's
 * `AudioDeviceProvider` (phone/calls-service.ts: `open(callId, options)`, the port closed at the call's end).
 *
 * One device, several calls. Only the call with the audio *focus* is routed to it; every other call's
 * port reads silence and plays nothing (a held call, a second call waiting). Moving the focus re-routes
 * the one open microphone: the renderer keeps it open while any call has a link, so nothing is
 * re-opened, and no permission prompt or device start-up delay happens on a switch.
 *
 * Focus: `focus(callId | null)` names the call that should have the device — usually driven by
 * `CallAudioFocus` from the calls' snapshots — and may name a call whose audio is not open yet (it is
 * routed the moment it opens). Until anybody calls `focus()`, the first open call has it, so a host that
 * never thinks about focus still works for one call at a time.
 *
 * Each call gets its own link (`connect(offer)`: a MessageChannelMain in Electron), whose lifetime is the
 * port's: closing the port ends and closes the link, so nothing of a finished call lingers on either side
 * and a frame can never be taken for another call's. The offer carries the call's own device choice to
 * the renderer. `reconnect()` gives every open call a new link after the renderer page was reloaded.
 */
import type { AudioPortOffer } from '../../../src-shared/audio/index.ts';
import type { AudioLink } from './audio-link.ts';
import { RendererAudioPort } from './renderer-audio-port.ts';
import type { RendererAudioPortOptions } from './renderer-audio-port.ts';

/** Devices a call asked for (the contract's CallAudioOptions): absent = as in Settings, null = system default. */
export interface CallDeviceChoice {
  inputDeviceId?: string | null | undefined;
  outputDeviceId?: string | null | undefined;
}

export interface RendererAudioDeviceProviderOptions {
  /** A new link to the renderer for this call (Electron: a MessageChannelMain whose port2 went to our window). */
  connect(offer: AudioPortOffer): AudioLink;
  /** Options for every port (the microphone FIFO target). */
  port?: Omit<RendererAudioPortOptions, 'callId'>;
}

interface OpenCall {
  readonly port: RendererAudioPort;
  readonly offer: AudioPortOffer;
}

export class RendererAudioDeviceProvider {
  private readonly options: RendererAudioDeviceProviderOptions;
  private readonly calls = new Map<string, OpenCall>();
  /** undefined: nobody chose yet (the first open call is routed); otherwise the chosen call or none. */
  private wanted: string | null | undefined = undefined;
  private routedCallId: string | null = null;
  private isClosed = false;

  constructor(options: RendererAudioDeviceProviderOptions) {
    this.options = options;
  }

  /** The call routed to the renderer's microphone and speaker, if any. */
  get focused(): string | null {
    return this.routedCallId;
  }

  /** Calls with an open port, in the order they were opened. */
  get openCalls(): readonly string[] {
    return [...this.calls.keys()];
  }

  /** The open port of a call. */
  port(callId: string): RendererAudioPort | undefined {
    return this.calls.get(callId)?.port;
  }

  /** A port for `callId`; opening a call twice, or after close(), is a bug. */
  open(callId: string, devices: CallDeviceChoice = {}): RendererAudioPort {
    if (this.isClosed) throw new Error('RendererAudioDeviceProvider: open after close');
    if (this.calls.has(callId))
      throw new Error(`RendererAudioDeviceProvider: audio of call ${callId} is already open`);
    const port = new RendererAudioPort({ ...this.options.port, callId });
    const offer: AudioPortOffer = {
      callId,
      ...(devices.inputDeviceId !== undefined ? { inputDeviceId: devices.inputDeviceId } : {}),
      ...(devices.outputDeviceId !== undefined ? { outputDeviceId: devices.outputDeviceId } : {}),
    };
    this.calls.set(callId, { port, offer });
    port.onClose(() => this.forget(port));
    // Route before attaching, so that the link's first message already says so.
    this.reroute();
    port.attach(this.options.connect(offer));
    return port;
  }

  /** Gives the device to `callId` (now, or when its audio opens), or to nobody for null. */
  focus(callId: string | null): void {
    this.wanted = callId;
    this.reroute();
  }

  /** A new link for every open call (the renderer was reloaded; its old ports are gone). */
  reconnect(): void {
    for (const { port, offer } of this.calls.values()) port.attach(this.options.connect(offer));
  }

  /** Closes every open port. Idempotent. */
  close(): void {
    this.isClosed = true;
    for (const { port } of [...this.calls.values()]) port.close();
  }

  private reroute(): void {
    const next =
      this.wanted === undefined
        ? (this.calls.keys().next().value ?? null)
        : this.wanted !== null && this.calls.has(this.wanted)
          ? this.wanted
          : null;
    if (next === this.routedCallId) return;
    const previous = this.routedCallId === null ? undefined : this.calls.get(this.routedCallId);
    this.routedCallId = next;
    previous?.port.setRouted(false);
    if (next !== null) this.calls.get(next)?.port.setRouted(true);
  }

  private forget(port: RendererAudioPort): void {
    if (this.calls.get(port.callId)?.port !== port) return;
    this.calls.delete(port.callId);
    this.reroute();
  }
}
