/**
 * What `electron-vite build` produced (npm test builds before the e2e project runs). The Electron binary
 * cannot run here, so this checks the bundles the way Electron will load them.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const out = path.resolve(import.meta.dirname, '../../out');

function built(file: string): string {
  const full = path.join(out, file);
  if (!existsSync(full)) throw new Error(`${full} is missing: run \`npm run build\` first`);
  return readFileSync(full, 'utf8');
}

describe('electron-vite build output', () => {
  it('makes the preload one CommonJS file that needs nothing but electron (it runs sandboxed)', () => {
    const preload = built('preload/preload.cjs');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('bundles the main process as an ES module that loads only Node, electron and the native deps', () => {
    const main = built('main/main.js');
    const imported = new Set([...main.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]!));
    for (const spec of imported)
      expect(spec, spec).toMatch(/^(node:|electron$|better-sqlite3$|werift$|zod$)/);
    expect(imported.has('electron')).toBe(true);
  });

  it('emits the renderer with no inline script', () => {
    const html = built('renderer/index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toMatch(/<script[^>]+type="module"[^>]+src="\.\/assets\//);
  });
});
