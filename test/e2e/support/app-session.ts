/**
 * One end-to-end session: a real phone (`createNodePhone`) on a fresh data folder, the test host serving
 * the built renderer, and Chromium on it — connected and ready. A test can prepare the phone before
 * the page opens (`prepare`: add contacts, record calls through the phone's call-log recorder), and
 * reload the page or restart everything on the same data folder to check what persisted.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createNodePhone, type Phone } from '../../../src-main/phone/index.ts';
import { startTestHost, type TestHost } from '../../host/server.ts';
import { launchBrowser, type BrowserSession, type BrowserSessionOptions } from './browser.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const RENDERER_INDEX = path.join(ROOT, 'out/renderer/index.html');

export interface AppSessionOptions {
  /** Runs on the phone before the page opens. */
  prepare?: (phone: Phone) => void | Promise<void>;
  /** Reuse a data folder (it is then not deleted on close). */
  dataDir?: string;
  viewport?: BrowserSessionOptions['viewport'];
  locale?: string;
}

export interface AppSession {
  readonly phone: Phone;
  readonly host: TestHost;
  readonly browser: BrowserSession;
  readonly page: Page;
  readonly dataDir: string;
  /** Clicks a main navigation link and waits for the screen's heading. */
  openScreen(link: string | RegExp, heading?: string): Promise<void>;
  /** Reloads the page and waits until it is connected to the phone again. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export function requireBuiltRenderer(): void {
  if (!existsSync(RENDERER_INDEX)) {
    throw new Error(
      `${path.relative(ROOT, RENDERER_INDEX)} is missing: build the renderer first with \`npm run build:renderer\` ` +
        '(`npm run test:e2e` does both).',
    );
  }
}

export async function waitConnected(page: Page, session: BrowserSession): Promise<void> {
  try {
    await page
      .locator('[data-testid="phone-connection"][data-state="connected"]')
      .waitFor({ timeout: 15_000 });
  } catch (error) {
    const body = await page
      .locator('body')
      .innerText()
      .catch(() => '(no body)');
    throw new Error(
      `the page did not connect to the phone.\nproblems: ${JSON.stringify(session.problems, null, 2)}\npage text: ${body}`,
      { cause: error },
    );
  }
}

export async function startAppSession(options: AppSessionOptions = {}): Promise<AppSession> {
  requireBuiltRenderer();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-data-')));
  let phone: Phone | undefined;
  let host: TestHost | undefined;
  let browser: BrowserSession | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await host?.close();
    await phone?.close();
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    phone = createNodePhone({ host: 'test-host', dataDir });
    await options.prepare?.(phone);
    host = await startTestHost({ phone });
    browser = await launchBrowser({
      allowedOrigins: [new URL(host.url).origin],
      ...(options.viewport ? { viewport: options.viewport } : {}),
      ...(options.locale ? { locale: options.locale } : {}),
    });
    const page = browser.page;
    await page.goto(host.url);
    await waitConnected(page, browser);
    const session: AppSession = {
      phone,
      host,
      browser,
      page,
      dataDir,
      async openScreen(link, heading) {
        await page
          .getByRole('navigation')
          .getByRole('link', { name: link, exact: typeof link === 'string' })
          .click();
        const name = heading ?? (typeof link === 'string' ? link : undefined);
        await page.getByRole('heading', { level: 1, ...(name ? { name, exact: true } : {}) }).waitFor();
      },
      async reload() {
        await page.reload();
        await waitConnected(page, session.browser);
      },
      close,
    };
    return session;
  } catch (error) {
    await close();
    throw error;
  }
}
