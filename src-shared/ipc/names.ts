/**
 * The contract's names alone, without zod, for the sandboxed preload (which must stay a small single file).
 * A unit test proves these lists equal the keys of `commands` and `events` in contract.ts.
 */
export const COMMAND_NAMES = ['app.info', 'app.logHistory', 'settings.get', 'settings.set'] as const;

export const EVENT_NAMES = ['app.log', 'settings.changed'] as const;

/** IPC channel of a command (ipcMain.handle) and of an event (webContents.send). */
export const commandChannel = (name: string): string => `cmd:${name}`;
export const eventChannel = (name: string): string => `evt:${name}`;
