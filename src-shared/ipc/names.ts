/** IPC channel of a command (ipcMain.handle) and of an event (webContents.send). */
export const commandChannel = (name: string): string => `cmd:${name}`;
export const eventChannel = (name: string): string => `evt:${name}`;
