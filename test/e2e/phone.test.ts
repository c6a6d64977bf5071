/**
 * The dial pad and the main process's requests in Chromium against the real core: keys typed anywhere
 * on the Phone screen, international numbers grouped, a pasted number stripped of its formatting,
 * recent numbers from the call log and contacts while typing; `app.navigate` switches the screen and
 * `app.dialRequest` (a sip:/tel: link) fills the number and focuses Call — and nothing is dialled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Phone } from '../../src-main/phone/index.ts';
import { startAppSession, type AppSession } from './support/app-session.ts';

let session: AppSession | undefined;
const app = (): AppSession => {
  if (!session) throw new Error('no session');
  return session;
};
const page = (): Page => app().page;
const number = () => page().getByLabel('Number or SIP address');
const focused = () =>
  page().evaluate(
    () => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName,
  );

async function prepare(phone: Phone): Promise<void> {
  await phone.handlers['contacts.add']({
    name: 'Anna Müller',
    company: '',
    notes: '',
    favourite: false,
    addresses: [{ kind: 'tel', value: '+49 30 1234 5678', label: 'work' }],
  });
  const started = Date.now() - 3_600_000;
  for (const [i, uri] of ['sip:2001@pbx.example', 'sip:+14155552671@pbx.example;user=phone'].entries()) {
    const call = {
      id: `recent-${i}`,
      direction: 'outgoing' as const,
      accountId: null,
      remoteUri: uri,
      remoteDisplayName: null,
      startedAt: started + i * 60_000,
      answeredAt: null,
      endedAt: started + i * 60_000 + 5_000,
      result: 'cancelled' as const,
      sipCode: null,
      reason: null,
      codec: null,
      mediaPath: 'unknown' as const,
      encryption: 'none' as const,
    };
    phone.callHistory.callEnded(call);
  }
}

beforeAll(async () => {
  session = await startAppSession({ prepare });
});

afterAll(async () => {
  await session?.close();
});

describe('dial pad and window requests against the real core', () => {
  it('offers the recent numbers from the call log, latest first', async () => {
    const recent = page().getByRole('region', { name: 'Recent' });
    await expect
      .poll(() => recent.locator('.phone-suggestion-title').allTextContents())
      .toEqual(['+1 415 555 2671', '2001']);
    await app().browser.screenshot('phone-recent');
  });

  it('takes keys typed anywhere on the screen and groups an international number', async () => {
    const p = page();
    await p.locator('h1').focus();
    await p.keyboard.type('+14155552');
    await expect.poll(() => number().inputValue()).toBe('+1 415 555 2');
    await p.keyboard.press('Backspace');
    await expect.poll(() => number().inputValue()).toBe('+1 415 555');
    await number().fill('');
    await number().pressSequentially('+8613800138000');
    expect(await number().inputValue()).toBe('+86 138 0013 8000');
    await number().fill('sip:alice@example.com');
    expect(await number().inputValue()).toBe('sip:alice@example.com');
  });

  it('strips the formatting from a pasted number', async () => {
    await number().fill('');
    await number().focus();
    await page().evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'tel:+1 (415) 555-2671');
      document.activeElement?.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    await expect.poll(() => number().inputValue()).toBe('+1 415 555 2671');
  });

  it('suggests contacts while typing; a pick fills the number and focuses Call', async () => {
    const p = page();
    await number().fill('anna');
    const suggestions = p.getByRole('region', { name: 'Contacts' });
    await expect
      .poll(() => suggestions.locator('.phone-suggestion').allTextContents())
      .toEqual(['Anna Müllerwork · +49 301 234 5678']);
    await app().browser.screenshot('phone-suggestions');
    await number().press('ArrowDown');
    await p.keyboard.press('Enter');
    await expect.poll(() => number().inputValue()).toBe('+49 301 234 5678');
    await expect.poll(focused).toBe('call-button');
  });

  it('switches the screen when the main process asks (tray, notification)', async () => {
    app().phone.emit('app.navigate', { route: 'settings' });
    await page().getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    app().phone.emit('app.navigate', { route: 'contacts' });
    await page().getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
  });

  it('fills the number from a link, focuses Call and says to press it — and never dials', async () => {
    const p = page();
    const before = (await app().phone.handlers['history.page']({})).entries.length;
    app().phone.emit('app.dialRequest', { target: 'sip:bob@example.com', source: 'link' });
    await p.getByText('Opened from a link — press Call to dial').waitFor();
    expect(await number().inputValue()).toBe('sip:bob@example.com');
    await expect.poll(focused).toBe('call-button');
    await app().browser.screenshot('phone-link');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await app().phone.handlers['history.page']({})).entries.length).toBe(before);
    // typing takes the note away: the number is the user's own now
    await number().fill('1000');
    await p.getByText('Opened from a link — press Call to dial').waitFor({ state: 'detached' });
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(app().browser.problems).toEqual([]);
  });
});
