/**
 * Settings in Chromium against the real core: audio devices (Chromium's fake devices), the live input
 * level and the test sound, codec order by keyboard, DTMF, NAT options, port ranges (a wrong range is
 * refused at the field), startup, a global shortcut recorded from a key press — then a page reload
 * and a restart of the phone on the same data folder show every change again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src-shared/model/settings.ts';
import { startAppSession, type AppSession } from './support/app-session.ts';

let dataDir = '';
let session: AppSession | undefined;
const app = (): AppSession => {
  if (!session) throw new Error('no session');
  return session;
};
const page = (): Page => app().page;
const core = () => app().phone.handlers['settings.get']({});
const section = (title: string) =>
  page().locator('section', { has: page().getByRole('heading', { level: 2, name: title, exact: true }) });

async function open(): Promise<void> {
  session = await startAppSession({ dataDir, viewport: { width: 1000, height: 900 } });
  await app().openScreen('Settings');
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-settings-'));
  await open();
});

afterAll(async () => {
  await session?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('settings against the real core', () => {
  it('lists the audio devices by name once the microphone may be used, and saves the choice', async () => {
    const p = page();
    await app().browser.screenshot('settings-top');
    const mic = p.getByLabel('Microphone', { exact: true });
    const show = p.getByRole('button', { name: 'Show device names' });
    if (await show.isVisible()) await show.click();
    await expect.poll(async () => (await mic.locator('option').allTextContents()).length).toBeGreaterThan(1);
    const names = await mic.locator('option').allTextContents();
    expect(names[0]).toBe('System default');
    expect(names.slice(1).every((n) => n.trim() !== '' && !/^Microphone \d+$/.test(n))).toBe(true);
    const chosen = await mic.locator('option').nth(1).getAttribute('value');
    await mic.selectOption(chosen ?? '');
    await expect.poll(async () => (await core()).audio.inputDeviceId).toBe(chosen);
    expect(chosen).not.toBe('default');
  });

  it('shows a live microphone level and plays a test sound', async () => {
    const p = page();
    const audio = section('Audio');
    await audio.getByRole('button', { name: 'Test microphone' }).click();
    const meter = audio.locator('[data-testid="input-level"]');
    await expect
      .poll(async () => Number(await meter.getAttribute('value')), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await app().browser.screenshot('settings-audio');
    await audio.getByRole('button', { name: 'Stop test' }).click();
    await meter.waitFor({ state: 'detached' });
    await audio.getByRole('button', { name: 'Play test sound' }).first().click();
    await expect
      .poll(() => audio.locator('[role="status"]').first().textContent())
      .toMatch(
        /^The test sound played on (this device|the default output: this window cannot choose another)\.$/,
      );
    expect(await p.locator('.field-error').count()).toBe(0);
  });

  it('reorders codecs by keyboard', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Move PCMA up' }).focus();
    await p.keyboard.press('Enter');
    await expect.poll(async () => (await core()).calls.codecOrder).toEqual(['opus', 'G722', 'PCMA', 'PCMU']);
    // focus stays on the codec that moved: pressing again moves it further
    await expect
      .poll(() => p.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Move PCMA up');
    await p.keyboard.press('Enter');
    await expect.poll(async () => (await core()).calls.codecOrder).toEqual(['opus', 'PCMA', 'G722', 'PCMU']);
    await expect
      .poll(() => p.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Move PCMA up');
    await expect
      .poll(() => p.locator('.settings-codecs-name').allTextContents())
      .toEqual(['opus', 'PCMA', 'G.722 (HD)', 'PCMU']);
  });

  it('saves DTMF, ICE, discovery and keepalive; refuses a keepalive out of range at the field', async () => {
    const p = page();
    await p.getByLabel('Key presses (DTMF)').selectOption('info');
    await p.getByLabel('ICE', { exact: true }).selectOption('on');
    await p.getByLabel(/^Find TURN servers/).uncheck();
    const keepalive = p.getByLabel('Keepalive interval (seconds)');
    await keepalive.fill('4000');
    await keepalive.press('Enter');
    await section('NAT traversal').getByText('Enter 3600 or less.').waitFor();
    expect(await keepalive.getAttribute('aria-invalid')).toBe('true');
    expect((await core()).nat.keepaliveIntervalSec).toBe(25);
    await keepalive.fill('15');
    await keepalive.press('Enter');
    await expect
      .poll(async () => (await core()).nat)
      .toEqual({
        iceMode: 'on',
        stunAutoDiscovery: true,
        turnAutoDiscovery: false,
        keepaliveIntervalSec: 15,
      });
    expect((await core()).calls.dtmfMode).toBe('info');
    await expect.poll(() => section('NAT traversal').locator('.field-error').count()).toBe(0);
  });

  it('checks a port range at the field and saves a good one', async () => {
    const ports = section('Network ports');
    const [sipFrom, sipTo] = [ports.getByLabel('From').first(), ports.getByLabel('To').first()];
    await sipFrom.fill('6000');
    await sipFrom.press('Tab');
    await ports.getByText('The first port must not be above the last one.').waitFor();
    await app().browser.screenshot('settings-ports-error');
    expect((await core()).network.sipPorts).toEqual(DEFAULT_SETTINGS.network.sipPorts);
    await sipTo.fill('6010');
    await sipTo.press('Tab');
    await expect.poll(async () => (await core()).network.sipPorts).toEqual({ min: 6000, max: 6010 });
    await ports.locator('[data-testid="port-error"]').waitFor({ state: 'detached' });
  });

  it('saves the startup choices and records a global shortcut from a key press', async () => {
    const p = page();
    await p.getByLabel('Start when I log in').check();
    await p.getByLabel('Start minimized').check();
    const shortcuts = section('Global shortcuts');
    await shortcuts.getByRole('button', { name: 'Change the shortcut to Answer a call' }).click();
    await shortcuts.getByRole('button', { name: /^Press the keys/ }).waitFor();
    await p.keyboard.press('KeyQ');
    await shortcuts.getByText('Hold Ctrl, Alt or another modifier with the key.').waitFor();
    await p.keyboard.press('Control+Alt+KeyA');
    await expect.poll(async () => (await core()).shortcuts.answer).toBe('CommandOrControl+Alt+A');
    await expect.poll(() => shortcuts.locator('kbd').first().textContent()).toContain('Ctrl+Alt+A');
    await expect
      .poll(async () => (await core()).app)
      .toMatchObject({ startAtLogin: true, startMinimized: true });
    await shortcuts.scrollIntoViewIfNeeded();
    await app().browser.screenshot('settings-shortcuts');
  });

  it('shows every change again after a reload and after restarting the phone', async () => {
    const check = async () => {
      const p = page();
      expect(await p.getByLabel('Key presses (DTMF)').inputValue()).toBe('info');
      expect(await p.getByLabel('ICE', { exact: true }).inputValue()).toBe('on');
      expect(await p.getByLabel(/^Find TURN servers/).isChecked()).toBe(false);
      expect(await p.getByLabel('Keepalive interval (seconds)').inputValue()).toBe('15');
      expect(await section('Network ports').getByLabel('From').first().inputValue()).toBe('6000');
      expect(await section('Network ports').getByLabel('To').first().inputValue()).toBe('6010');
      expect(await p.getByLabel('Start when I log in').isChecked()).toBe(true);
      expect(await p.getByLabel('Start minimized').isChecked()).toBe(true);
      expect(await p.locator('.settings-codecs-name').allTextContents()).toEqual([
        'opus',
        'PCMA',
        'G.722 (HD)',
        'PCMU',
      ]);
      expect(await section('Global shortcuts').locator('kbd').first().textContent()).toContain('Ctrl+Alt+A');
      expect(await p.getByLabel('Microphone', { exact: true }).inputValue()).toBe(
        (await core()).audio.inputDeviceId,
      );
    };
    await app().reload();
    await page().getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect.poll(() => page().getByLabel('Key presses (DTMF)').inputValue()).toBe('info');
    await check();
    const problems = [...app().browser.problems];
    await app().close();
    session = undefined;
    expect(problems).toEqual([]);
    await open();
    await expect.poll(() => page().getByLabel('Key presses (DTMF)').inputValue()).toBe('info');
    await check();
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(app().browser.problems).toEqual([]);
  });
});
