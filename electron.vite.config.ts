import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import rendererConfig from './src-renderer/vite.config.ts';

// main: ESM bundle of src-main/electron/main.ts (native deps stay external);
// preload: ONE CommonJS file (sandboxed preloads cannot load ES modules or other files);
// renderer: the same config `npm run build:renderer` uses for the e2e tests.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { main: resolve(import.meta.dirname, 'src-main/electron/main.ts') },
        external: ['better-sqlite3', 'werift'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only `electron`: bundle everything else (zod) into the one file.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(import.meta.dirname, 'src-main/electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    root: resolve(import.meta.dirname, 'src-renderer'),
    build: {
      ...rendererConfig.build,
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
