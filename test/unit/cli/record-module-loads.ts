/**
 * Preloaded with `node --import <this file> …` by lazy-loading.test.ts: records the URL of every module
 * the process loads after it (ESM and CommonJS, ours and packages) and writes them, one per line, to
 * the file named by SOFTPHONE_TEST_MODULE_LOG when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const logFile = process.env.SOFTPHONE_TEST_MODULE_LOG;
const loaded: string[] = [];

registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});

if (logFile !== undefined) process.on('exit', () => writeFileSync(logFile, loaded.join('\n')));
