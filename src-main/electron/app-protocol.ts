/**
 * Serves the built renderer on `app://softphone/…` from one folder, with the CSP as a response header.
 * Path resolution is a pure function so traversal attempts are unit-tested.
 */
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Map an app:// URL to a file inside `root`, or null when the URL is not ours or escapes the folder.
 * Unknown routes (client-side history routes) fall back to index.html.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const rel = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  const rootWithSep = path.resolve(root) + path.sep;
  if (!file.startsWith(rootWithSep)) return null;
  if (path.extname(file) === '') return path.join(root, 'index.html');
  return file;
}
