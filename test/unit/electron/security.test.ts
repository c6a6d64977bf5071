import { describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  isNavigationAllowed,
  isPermissionCheckAllowed,
  isPermissionGranted,
} from '../../../src-main/electron/security.ts';
import { mainWindowOptions } from '../../../src-main/electron/window.ts';
import { resolveAppPath } from '../../../src-main/electron/app-protocol.ts';

describe('window options', () => {
  it('sandboxes and isolates the renderer', () => {
    const wp = mainWindowOptions('/app/out/preload/preload.cjs').webPreferences;
    expect(wp).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it('allows no inline script, no eval and no remote origins', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*|https?:/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });
});

describe('permissions', () => {
  const ours = 'app://softphone/index.html';

  it('grants only audio capture to our own top-level page', () => {
    expect(
      isPermissionGranted({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: ours,
        isMainFrame: true,
      }),
    ).toBe(true);
    expect(
      isPermissionGranted({ permission: 'media', mediaTypes: ['audio', 'video'], requestingUrl: ours }),
    ).toBe(false);
    expect(isPermissionGranted({ permission: 'media', mediaTypes: ['video'], requestingUrl: ours })).toBe(
      false,
    );
    expect(isPermissionGranted({ permission: 'media', mediaTypes: [], requestingUrl: ours })).toBe(false);
    expect(
      isPermissionGranted({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: ours,
        isMainFrame: false,
      }),
    ).toBe(false);
    expect(
      isPermissionGranted({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: 'https://evil.example/',
      }),
    ).toBe(false);
    expect(
      isPermissionGranted({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: 'file:///etc/passwd',
      }),
    ).toBe(false);
    for (const p of [
      'notifications',
      'geolocation',
      'clipboard-read',
      'display-capture',
      'openExternal',
      'midi',
    ])
      expect(isPermissionGranted({ permission: p, requestingUrl: ours })).toBe(false);
  });

  it('accepts the dev server origin only when one is configured', () => {
    const dev = 'http://localhost:5173/';
    expect(
      isPermissionGranted({
        permission: 'media',
        mediaTypes: ['audio'],
        requestingUrl: 'http://localhost:5173/x',
      }),
    ).toBe(false);
    expect(
      isPermissionGranted(
        { permission: 'media', mediaTypes: ['audio'], requestingUrl: 'http://localhost:5173/x' },
        dev,
      ),
    ).toBe(true);
    expect(
      isPermissionGranted(
        { permission: 'media', mediaTypes: ['audio'], requestingUrl: 'http://localhost:5174/' },
        dev,
      ),
    ).toBe(false);
  });

  it('answers permission checks the same way', () => {
    expect(isPermissionCheckAllowed('media', 'app://softphone')).toBe(true);
    expect(isPermissionCheckAllowed('media', 'https://evil.example')).toBe(false);
    expect(isPermissionCheckAllowed('notifications', 'app://softphone')).toBe(false);
  });
});

describe('navigation', () => {
  it('only allows our own pages', () => {
    expect(isNavigationAllowed('app://softphone/index.html#/contacts')).toBe(true);
    expect(isNavigationAllowed('app://other/index.html')).toBe(false);
    expect(isNavigationAllowed('https://example.com/')).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('javascript:alert(1)')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('app:// file resolution', () => {
  const root = path.resolve('/opt/softphone/out/renderer');

  it('serves files inside the renderer folder', () => {
    expect(resolveAppPath(root, 'app://softphone/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://softphone/assets/index-abc.js')).toBe(
      path.join(root, 'assets/index-abc.js'),
    );
    expect(resolveAppPath(root, 'app://softphone/contacts')).toBe(path.join(root, 'index.html'));
  });

  it('never resolves outside the folder, whatever the encoding', () => {
    const attacks = [
      'app://softphone/../../etc/passwd',
      'app://softphone/%2e%2e/%2e%2e/etc/passwd.txt',
      'app://softphone/..%2f..%2fsecret.js',
      'app://softphone/..%5c..%5csecret.js',
      'app://softphone/%252e%252e/secret.js',
      'app://softphone//etc/passwd.js',
      'app://softphone/assets/../../../../etc/shadow.css',
    ];
    for (const url of attacks) {
      const file = resolveAppPath(root, url);
      if (file !== null) expect(file.startsWith(root + path.sep)).toBe(true);
    }
    expect(resolveAppPath(root, 'app://softphone/..%2f..%2fsecret.js')).toBeNull();
  });

  it('refuses NUL bytes, bad escapes, other hosts and other schemes', () => {
    expect(resolveAppPath(root, 'app://softphone/a%00.js')).toBeNull();
    expect(resolveAppPath(root, 'app://softphone/%E0%A4%A')).toBeNull();
    expect(resolveAppPath(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppPath(root, 'file:///opt/softphone/out/renderer/index.html')).toBeNull();
  });
});
