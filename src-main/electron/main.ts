/** Electron entry point (bundled by electron-vite into out/main). */
import * as electron from 'electron';
import { defaultAppPaths, startApp } from './app.ts';

void startApp(electron, defaultAppPaths(import.meta.dirname)).catch((error: unknown) => {
  console.error('softphone failed to start:', error);
  electron.app.exit(1);
});
