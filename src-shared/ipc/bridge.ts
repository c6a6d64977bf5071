/**
 * The shape the preload (or the e2e test host's WebSocket shim) exposes on `window.softphone`.
 * One function per command of the contract, and a subscription per event name — nothing generic.
 */
import type { CommandName, EventName, EventPayloadOf, RequestOf, ResponseOf } from './contract.ts';
import type { IpcResult } from './define.ts';

export type CommandFunctions = {
  [N in CommandName]: (request: RequestOf<N>) => Promise<IpcResult<ResponseOf<N>>>;
};

export interface SoftphoneBridge {
  readonly commands: CommandFunctions;
  /** Subscribe to one event; returns the unsubscribe function. */
  on<N extends EventName>(name: N, listener: (payload: EventPayloadOf<N>) => void): () => void;
  /** Which host serves this window. */
  readonly host: 'electron' | 'test-host';
}
