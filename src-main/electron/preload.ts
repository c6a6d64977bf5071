/**
 * The sandboxed preload: exposes `window.softphone` with exactly one function per command of the contract
 * and a subscription per event — no generic ipcRenderer, no Node. Bundled (with the contract) into a single
 * CommonJS file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES } from '../../src-shared/ipc/contract.ts';
import { commandChannel, eventChannel } from '../../src-shared/ipc/names.ts';

const commands: Record<string, (request: unknown) => Promise<unknown>> = {};
for (const name of COMMAND_NAMES) {
  commands[name] = (request: unknown) => ipcRenderer.invoke(commandChannel(name), request);
}

const eventNames = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('softphone', {
  host: 'electron',
  commands: Object.freeze(commands),
  on(name: string, listener: (payload: unknown) => void): () => void {
    if (!eventNames.has(name) || typeof listener !== 'function') throw new Error(`unknown event ${String(name)}`);
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(eventChannel(name), wrapped);
    return () => ipcRenderer.removeListener(eventChannel(name), wrapped);
  },
});
