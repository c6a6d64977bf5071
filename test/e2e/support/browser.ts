/**
 * Debian's Chromium driven by playwright-core, for the end-to-end tests. Each session gets a fresh
 * profile folder (removed on close) and records everything that should never happen on our pages:
 * console errors, uncaught exceptions, CSP violations and requests to any origin but the test host.
 * Screenshots go to test-output/e2e/<name>.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../test-output/e2e');

/** Run as root, headless, with nothing talking to Google, and a fake microphone that needs no prompt. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
] as const;

export type PageProblemKind = 'console-error' | 'page-error' | 'csp-violation' | 'foreign-request';

export interface PageProblem {
  kind: PageProblemKind;
  text: string;
}

export interface BrowserSessionOptions {
  /** Origins the page may load from (the test host's); any other http(s)/ws(s) request is a problem. */
  allowedOrigins: readonly string[];
  viewport?: { width: number; height: number };
  /** A WAV file the fake microphone plays (for the calls tests). */
  fakeAudioCaptureFile?: string;
  locale?: string;
}

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Everything recorded so far that should not have happened. */
  readonly problems: readonly PageProblem[];
  /** Saves a screenshot of the page as test-output/e2e/<name>.png; answers the path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The name the page calls to report CSP violations (installed before any page script runs). */
const CSP_BINDING = '__softphoneReportCspViolation';

export async function launchBrowser(options: BrowserSessionOptions): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the e2e tests need Debian's chromium package (apt-get install chromium)`,
    );
  }
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-profile-'));
  const args: string[] = [...CHROMIUM_ARGS];
  if (options.fakeAudioCaptureFile)
    args.push(`--use-file-for-fake-audio-capture=${options.fakeAudioCaptureFile}`);

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args,
      headless: true,
      viewport: options.viewport ?? { width: 420, height: 720 },
      locale: options.locale ?? 'en-US',
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }

  const problems: PageProblem[] = [];
  const allowed = new Set(options.allowedOrigins);

  await context.exposeBinding(CSP_BINDING, (_source, violation: unknown) => {
    problems.push({ kind: 'csp-violation', text: JSON.stringify(violation) });
  });
  await context.addInitScript((binding: string) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as Record<string, (v: unknown) => void>)[binding];
      report?.({
        directive: e.violatedDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
      });
    });
  }, CSP_BINDING);

  context.on('console', (message) => {
    if (message.type() === 'error') {
      const at = message.location();
      problems.push({ kind: 'console-error', text: `${message.text()} (${at.url}:${at.lineNumber})` });
    }
  });
  context.on('weberror', (error) => {
    problems.push({ kind: 'page-error', text: error.error().stack ?? error.error().message });
  });
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!/^(https?|wss?):$/.test(url.protocol)) return; // data:, blob:, about:
    const origin = `${url.protocol.replace(/^ws/, 'http')}//${url.host}`;
    if (!allowed.has(origin)) problems.push({ kind: 'foreign-request', text: request.url() });
  });

  const page = context.pages()[0] ?? (await context.newPage());

  return {
    context,
    page,
    problems,
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, animations: 'disabled' });
      return file;
    },
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
