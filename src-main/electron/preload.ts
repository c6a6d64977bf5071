/**
 * The sandboxed preload: exposes `window.softphone` with exactly one function per command of the contract
 * and a subscription per event — no generic ipcRenderer, no Node. Bundled (with the contract) into a single
 * CommonJS file.
 *
 * Call audio: main sends each call's MessagePort on the one channel AUDIO_PORT_IPC_CHANNEL; the port is
 * handed to the page as a window message from our own origin (electron/audio-channel.ts). Nothing else of
 * ipcRenderer reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES } from '../../src-shared/ipc/contract.ts';
import { commandChannel, eventChannel } from '../../src-shared/ipc/names.ts';
import {
  AUDIO_PORT_IPC_CHANNEL,
  AUDIO_PORT_WINDOW_MESSAGE,
  parseAudioPortOffer,
} from '../../src-shared/audio/index.ts';

const commands: Record<string, (request: unknown) => Promise<unknown>> = {};
for (const name of COMMAND_NAMES) {
  commands[name] = (request: unknown) => ipcRenderer.invoke(commandChannel(name), request);
}

const eventNames = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('softphone', {
  host: 'electron',
  commands: Object.freeze(commands),
  on(name: string, listener: (payload: unknown) => void): () => void {
    if (!eventNames.has(name) || typeof listener !== 'function')
      throw new Error(`unknown event ${String(name)}`);
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(eventChannel(name), wrapped);
    return () => ipcRenderer.removeListener(eventChannel(name), wrapped);
  },
});

/** The page's window as the preload uses it (src-main compiles without the DOM library). */
const page = globalThis as unknown as {
  location: { origin: string };
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
};

ipcRenderer.on(AUDIO_PORT_IPC_CHANNEL, (event, message: unknown) => {
  const offer = parseAudioPortOffer(message);
  const [port, ...extra] = event.ports;
  if (!port || extra.length > 0 || !offer) {
    for (const p of event.ports) p.close();
    return;
  }
  page.postMessage({ type: AUDIO_PORT_WINDOW_MESSAGE, ...offer }, page.location.origin, [port]);
});
