/**
 * The built renderer in Debian's Chromium against the real phone core, through the e2e test host:
 * app.info from the real core on the Diagnostics screen, theme and language changed in Settings and
 * applied, keyboard navigation, a screenshot of every main screen — and not one console error, CSP
 * violation or foreign request along the way.
 *
 * Needs `npm run build:renderer` first (`npm run test:e2e` does it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createNodePhone, type Phone } from '../../src-main/phone/index.ts';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security.ts';
import { startTestHost, type TestHost } from '../host/server.ts';
import { launchBrowser, type BrowserSession } from './support/browser.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RENDERER_INDEX = path.join(ROOT, 'out/renderer/index.html');
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

let dataDir: string;
let phone: Phone | undefined;
let host: TestHost | undefined;
let session: BrowserSession | undefined;

function browser(): BrowserSession {
  if (!session) throw new Error('no browser session');
  return session;
}

function page(): Page {
  return browser().page;
}

async function textOf(selector: string): Promise<string> {
  const locator = page().locator(selector);
  await locator.waitFor();
  return (await locator.textContent())?.trim() ?? '';
}

async function openScreen(name: string, heading = name): Promise<void> {
  await page().getByRole('navigation').getByRole('link', { name, exact: true }).click();
  await page().getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
}

function core(): Phone {
  if (!phone) throw new Error('no phone');
  return phone;
}

async function settingsInCore() {
  return await core().handlers['settings.get']({});
}

beforeAll(async () => {
  if (!existsSync(RENDERER_INDEX)) {
    throw new Error(
      `${path.relative(ROOT, RENDERER_INDEX)} is missing: build the renderer first with \`npm run build:renderer\` ` +
        '(`npm run test:e2e` does both).',
    );
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-data-'));
  phone = createNodePhone({ host: 'test-host', dataDir });
  host = await startTestHost({ phone });
  session = await launchBrowser({ allowedOrigins: [new URL(host.url).origin] });
  await page().goto(host.url);
  try {
    await page()
      .locator('[data-testid="phone-connection"][data-state="connected"]')
      .waitFor({ timeout: 15_000 });
  } catch (error) {
    // say what the page saw instead of only "timeout"
    const body = await page()
      .locator('body')
      .innerText()
      .catch(() => '(no body)');
    throw new Error(
      `the page did not connect to the phone.\nproblems: ${JSON.stringify(session.problems, null, 2)}\npage text: ${body}`,
      {
        cause: error,
      },
    );
  }
});

afterAll(async () => {
  await session?.close();
  await host?.close();
  await phone?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('renderer in Chromium against the real core', () => {
  it('ships the window CSP in index.html (without frame-ancestors, which a meta element cannot carry)', () => {
    const html = readFileSync(RENDERER_INDEX, 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const expected = CONTENT_SECURITY_POLICY.split('; ')
      .filter((d) => !d.startsWith('frame-ancestors'))
      .join('; ');
    expect(meta).toBe(expected);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('opens on the phone screen, connected to the phone', async () => {
    expect(await textOf('h1')).toBe('Phone');
    expect(await page().title()).toBe('Phone — Softphone');
    expect(await textOf('[data-testid="phone-connection"]')).toBe('Phone ready');
    await page().getByRole('button', { name: '5 JKL' }).click();
    await page().getByRole('button', { name: '0 +' }).click();
    expect(await page().getByLabel('Number or SIP address').inputValue()).toBe('50');
    await browser().screenshot('phone');
  });

  it('shows the contacts and history screens empty on a fresh data folder', async () => {
    await openScreen('Contacts');
    await page().getByRole('heading', { level: 2, name: 'No contacts yet' }).waitFor();
    await browser().screenshot('contacts-empty');
    await openScreen('History');
    await page().getByRole('heading', { level: 2, name: 'No calls yet' }).waitFor();
    await browser().screenshot('history-empty');
  });

  it('shows app.info of the real core on the Diagnostics screen', async () => {
    await openScreen('Diagnostics');
    const info = core().info();
    expect(await textOf('[data-testid="app-info-version"]')).toBe(PACKAGE_VERSION);
    expect(await textOf('[data-testid="app-info-node"]')).toBe(process.versions.node);
    expect(await textOf('[data-testid="app-info-v8"]')).toBe(process.versions.v8);
    expect(await textOf('[data-testid="app-info-data-dir"]')).toBe(dataDir);
    expect(await textOf('[data-testid="app-info-host"]')).toBe('Test host');
    expect(await textOf('[data-testid="app-info-name"]')).toBe(info.name);
    expect(await textOf('[data-testid="app-info-platform"]')).toBe(`${os.platform()} (${os.arch()})`);
    expect(await textOf('[data-testid="app-info-electron"]')).toBe('Not available');
    await browser().screenshot('diagnostics');
  });

  it('shows log lines the core writes while Diagnostics is open', async () => {
    core().log.scope('e2e').warn('a line from the end-to-end test');
    const line = page().locator('.diagnostics-log-entry', { hasText: 'a line from the end-to-end test' });
    await line.waitFor();
    expect(await line.locator('.diagnostics-log-level').textContent()).toBe('warn');
  });

  it('reaches every screen by keyboard and moves focus to its heading', async () => {
    const p = page();
    const focused = () => p.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    // a reload starts keyboard navigation at the top of the page (and keeps the screen)
    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Diagnostics' }).waitFor();
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await p.keyboard.press('Enter');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('main');

    await p.reload();
    await p.getByRole('heading', { level: 1, name: 'Diagnostics' }).waitFor();
    const reached: string[] = [];
    await p.keyboard.press('Tab'); // skip link
    await p.keyboard.press('Tab'); // the account in the status strip (here: the way to the setup)
    expect(await p.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'status-account',
    );
    for (let i = 0; i < 5; i++) {
      await p.keyboard.press('Tab');
      reached.push(await focused());
    }
    expect(reached).toEqual(['Phone', 'Contacts', 'History', 'Diagnostics', 'Settings']);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await p.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    // the visually hidden theme radios draw their focus ring on their label
    await p.getByRole('radio', { name: 'System' }).focus();
    await p.keyboard.press('Shift+Tab');
    await p.keyboard.press('Tab');
    const ring = await p.evaluate(() => {
      const label = document.activeElement?.nextElementSibling;
      return label ? getComputedStyle(label).outlineStyle : 'no label';
    });
    expect(ring).toBe('solid');
  });

  it('changes the theme in Settings (by keyboard) through the core and applies it', async () => {
    const p = page();
    await browser().screenshot('settings');
    const background = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await p.locator('html').getAttribute('data-theme')).toBe('light');
    const light = await background();

    await p.getByRole('radio', { name: 'System' }).focus();
    await p.keyboard.press('ArrowRight'); // Light
    await p.keyboard.press('ArrowRight'); // Dark
    await p.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    expect(await background()).toBe('rgb(17, 20, 24)');
    expect(await background()).not.toBe(light);
    expect((await settingsInCore()).app.theme).toBe('dark');
    await browser().screenshot('settings-dark');

    await p.getByRole('radio', { name: 'Light' }).focus();
    await p.keyboard.press('Space');
    await p.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
    expect((await settingsInCore()).app.theme).toBe('light');
  });

  it('follows the OS colour scheme while the theme is System', async () => {
    const p = page();
    await p.locator('label', { hasText: 'System' }).click();
    await expect.poll(async () => (await settingsInCore()).app.theme).toBe('system');
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await p.emulateMedia({ colorScheme: 'light' });
    await p.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
  });

  it('switches the language to Chinese through the core', async () => {
    const p = page();
    await p.getByLabel('Display language').selectOption('zh-CN');
    await p.getByRole('heading', { level: 1, name: '设置' }).waitFor();
    expect(await p.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect((await settingsInCore()).app.language).toBe('zh-CN');
    expect(await p.getByRole('navigation').getByRole('link').allTextContents()).toEqual([
      '电话',
      '联系人',
      '通话记录',
      '诊断',
      '设置',
    ]);
    expect(await p.title()).toBe('设置 — 软电话');
    await browser().screenshot('settings-zh-CN');
    await openScreen('电话');
    await browser().screenshot('phone-zh-CN');
    await openScreen('诊断');
    expect(await textOf('[data-testid="app-info-host"]')).toBe('测试主机');
    await browser().screenshot('diagnostics-zh-CN');
  });

  it('lays out with a side rail in a wide window', async () => {
    const p = page();
    await openScreen('设置');
    await p.getByLabel('界面语言').selectOption('en');
    await p.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await p.setViewportSize({ width: 1100, height: 720 });
    await openScreen('Diagnostics');
    const nav = await p.getByRole('navigation').boundingBox();
    const main = await p.locator('main').boundingBox();
    expect(nav && main && nav.x + nav.width <= main.x).toBe(true);
    await browser().screenshot('diagnostics-wide');
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(browser().problems).toEqual([]);
  });
});
