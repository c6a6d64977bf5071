/**
 * Security policy of the window, as data and pure functions (so unit tests can assert it without the
 * Electron binary). The renderer is untrusted: sandboxed, isolated, no Node, a strict CSP, no navigation,
 * no new windows, and only the microphone may be granted — and only to our own origin.
 */

/** Our renderer is served from this privileged scheme, never from file:// (which would expose the disk). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'softphone';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * No inline script, no eval, no remote content. `connect-src 'self'` keeps fetch/WebSocket on our origin;
 * `media-src 'self' blob:` allows the ringtone and test sound; `worker-src 'self'` the AudioWorklet module.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self'",
  "manifest-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Is `url` a page of ours? In development the electron-vite dev server counts as ours too. */
export function isAppUrl(url: string | undefined, devServerUrl?: string): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (devServerUrl) {
    try {
      return parsed.origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

export interface PermissionRequest {
  permission: string;
  requestingUrl?: string;
  /** For 'media': which kinds are requested. */
  mediaTypes?: string[];
  isMainFrame?: boolean;
}

/**
 * Grant only audio capture (the microphone), only to our own top-level page. Everything else — camera,
 * screen, notifications from the page (main shows them), geolocation, clipboard… — is denied.
 */
export function isPermissionGranted(req: PermissionRequest, devServerUrl?: string): boolean {
  if (!isAppUrl(req.requestingUrl, devServerUrl)) return false;
  if (req.isMainFrame === false) return false;
  if (req.permission !== 'media') return false;
  const types = req.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'audio');
}

/** The permission *check* (synchronous query) uses the same rule; 'media' checks carry no types. */
export function isPermissionCheckAllowed(
  permission: string,
  requestingOrigin: string,
  devServerUrl?: string,
): boolean {
  return permission === 'media' && isAppUrl(`${requestingOrigin}/`, devServerUrl);
}

/** Navigation inside the window is never allowed except reloading our own page. */
export function isNavigationAllowed(target: string, devServerUrl?: string): boolean {
  return isAppUrl(target, devServerUrl);
}
