/**
 * The call log in Chromium against the real core and its SQLite store. The phone records calls through
 * its own call-log recorder (what the calls layer uses) before the page opens: 55 calls, missed ones
 * among them, one with a number that is in the address book. The test then checks the badge and
 * marking seen, rows (names, colours, duration, codec, media path), paging, filters, search, call back,
 * add to contacts, delete, CSV export and clear-all.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Phone } from '../../src-main/phone/index.ts';
import type { EndedCallSnapshot } from '../../src-main/phone/call-history-recorder.ts';
import { startAppSession, type AppSession } from './support/app-session.ts';

/** The newest call; the others go back a minute each. */
const NOW = Date.now() - 60_000;
const CALLS = 55;

let session: AppSession | undefined;
const app = (): AppSession => {
  if (!session) throw new Error('no session');
  return session;
};
const page = (): Page => app().page;
const titles = () => page().locator('.history-item-title').allTextContents();

function call(i: number): EndedCallSnapshot {
  const startedAt = NOW - i * 60_000;
  const base = {
    id: `e2e-call-${String(i).padStart(3, '0')}`,
    accountId: null,
    remoteDisplayName: null,
    startedAt,
    sipCode: null,
    reason: null,
    codec: null,
    mediaPath: 'unknown' as const,
    encryption: 'none' as const,
  };
  switch (i) {
    case 0: // a talk with someone in the address book, relayed
      return {
        ...base,
        direction: 'outgoing',
        remoteUri: 'sip:+14155552671@pbx.example;user=phone',
        answeredAt: startedAt + 4_000,
        endedAt: startedAt + 4_000 + 125_000,
        result: 'answered',
        codec: 'opus',
        mediaPath: 'relayed',
        mos: 4.3,
      };
    case 1: // missed, with a display name
      return {
        ...base,
        direction: 'incoming',
        remoteUri: 'sip:bob@example.com',
        remoteDisplayName: 'Bob Brown',
        answeredAt: null,
        endedAt: startedAt + 20_000,
        result: 'missed',
      };
    case 2: // busy
      return {
        ...base,
        direction: 'outgoing',
        remoteUri: 'sip:2000@pbx.example',
        answeredAt: null,
        endedAt: startedAt + 2_000,
        result: 'busy',
        sipCode: 486,
      };
    case 3: // missed again
      return {
        ...base,
        direction: 'incoming',
        remoteUri: 'sip:3000@pbx.example',
        answeredAt: null,
        endedAt: startedAt + 30_000,
        result: 'missed',
      };
    default:
      return {
        ...base,
        direction: i % 2 === 0 ? 'outgoing' : 'incoming',
        remoteUri: `sip:${5000 + i}@pbx.example`,
        answeredAt: startedAt + 3_000,
        endedAt: startedAt + 3_000 + i * 1_000,
        result: 'answered',
        codec: 'PCMU',
        mediaPath: 'direct',
      };
  }
}

async function recordCalls(phone: Phone): Promise<void> {
  await phone.handlers['contacts.add']({
    name: 'Alice Archer',
    company: '',
    notes: '',
    favourite: false,
    addresses: [{ kind: 'tel', value: '+1 415 555 2671', label: 'mobile' }],
  });
  for (let i = CALLS - 1; i >= 0; i--) {
    const snapshot = call(i);
    expect(phone.callHistory.callStarted(snapshot).recorded).toBe(true);
    expect(phone.callHistory.callEnded(snapshot).recorded).toBe(true);
  }
}

beforeAll(async () => {
  session = await startAppSession({ prepare: recordCalls, viewport: { width: 900, height: 800 } });
});

afterAll(async () => {
  await session?.close();
});

describe('history against the real core', () => {
  it('counts the missed calls on the History tab, and marks them seen when History opens', async () => {
    const p = page();
    const link = p.getByRole('navigation').getByRole('link', { name: /^History/ });
    await expect.poll(() => link.locator('[data-testid="missed-badge"]').textContent()).toBe('2');
    expect(await link.textContent()).toContain('2 missed, not seen yet');
    await app().browser.screenshot('history-badge');
    await app().openScreen(/^History/, 'History');
    await link.locator('[data-testid="missed-badge"]').waitFor({ state: 'detached' });
    expect(await app().phone.handlers['history.missedCount']({})).toEqual({ missedUnseen: 0 });
  });

  it('shows names, outcomes, durations, codecs and media paths, missed calls in red', async () => {
    const p = page();
    await expect.poll(async () => (await titles()).length).toBe(50);
    expect((await titles()).slice(0, 4)).toEqual(['Alice Archer', 'Bob Brown', '2000', '3000']);
    const first = p.locator('.history-item').first();
    expect(await first.locator('.history-item-address').textContent()).toBe('+1 415 555 2671');
    expect((await first.locator('.history-item-duration').textContent())?.trim()).toBe('Duration 2:05');
    expect((await first.locator('.history-item-chip').allTextContents()).map((t) => t.trim())).toEqual([
      'opus',
      'Relayed',
    ]);
    const missed = p.locator('.history-item').nth(1);
    expect(await missed.locator('.history-item-outcome').textContent()).toBe('Missed');
    expect(await missed.locator('.history-item-title').evaluate((e) => getComputedStyle(e).color)).toBe(
      'rgb(194, 58, 58)',
    );
    expect(await p.locator('.history-item').nth(2).locator('.history-item-outcome').textContent()).toBe(
      'Busy (486)',
    );
    await app().browser.screenshot('history');
  });

  it('loads the next page at the end of the list', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Show more' }).scrollIntoViewIfNeeded();
    await expect.poll(async () => (await titles()).length).toBe(CALLS);
    await p.getByText('That is all.').waitFor();
  });

  it('filters missed calls, searches by number and by name, and narrows by date', async () => {
    const p = page();
    await p.locator('label', { hasText: /^Missed$/ }).click();
    await expect.poll(titles).toEqual(['Bob Brown', '3000']);
    await app().browser.screenshot('history-missed');
    await p.locator('label', { hasText: /^All$/ }).click();
    await p.getByLabel('Search calls').fill('+1 415');
    await expect.poll(titles).toEqual(['Alice Archer']);
    await p.getByLabel('Search calls').fill('bob');
    await expect.poll(titles).toEqual(['Bob Brown']);
    await p.getByLabel('Search calls').fill('');
    await expect.poll(async () => (await titles()).length).toBe(50);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await p.getByLabel('From', { exact: true }).fill(day);
    await p.getByRole('heading', { level: 2, name: 'No calls found' }).waitFor();
    await p.getByRole('button', { name: 'Any date' }).click();
    await expect.poll(async () => (await titles()).length).toBe(50);
  });

  it('calls back (no account here: the number waits in the dial pad) and adds a caller to contacts', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Call back 3000' }).click();
    await p.getByRole('heading', { level: 1, name: 'Phone' }).waitFor({ state: 'attached' });
    expect(await p.getByLabel('Number or SIP address').inputValue()).toBe('3000');
    await app().openScreen('History');
    await p.getByRole('button', { name: 'Add Bob Brown to contacts' }).click();
    await p.getByRole('heading', { level: 2, name: 'New contact' }).waitFor();
    expect(await p.getByLabel('Name', { exact: true }).inputValue()).toBe('Bob Brown');
    expect(await p.getByRole('group', { name: 'Address 1' }).getByLabel('SIP address').inputValue()).toBe(
      'sip:bob@example.com',
    );
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByRole('heading', { level: 2, name: 'New contact' }).waitFor({ state: 'detached' });
    const bob = await app().phone.handlers['contacts.list']({ search: 'bob' });
    expect(bob.map((c) => [c.name, c.addresses[0]?.value])).toEqual([['Bob Brown', 'sip:bob@example.com']]);
    await app().openScreen('History');
    // the log now names Bob from the address book, and offers no "add" for him any more
    await expect.poll(() => p.getByRole('button', { name: 'Add Bob Brown to contacts' }).count()).toBe(0);
    expect((await titles())[1]).toBe('Bob Brown');
    expect(await p.locator('.history-item').nth(1).locator('.history-item-address').textContent()).toBe(
      'bob@example.com',
    );
  });

  it('deletes one call, exports the log as CSV and clears it after confirming', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Delete the call with 2000' }).click();
    await expect
      .poll(async () => (await titles()).slice(0, 3))
      .toEqual(['Alice Archer', 'Bob Brown', '3000']);

    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^call-history-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,direction,account_id,remote_uri,remote_display_name,contact_name,started_at,answered_at,ended_at,duration_s,result,sip_code,reason,codec,media_path,mos,encryption',
    );
    expect(lines).toHaveLength(CALLS);
    expect(lines[1]).toContain('Alice Archer');

    await p.getByRole('button', { name: 'Clear all' }).click();
    const dialog = p.getByRole('dialog', { name: 'Clear the whole call history?' });
    await dialog.getByRole('button', { name: 'Clear history' }).click();
    await p.getByRole('heading', { level: 2, name: 'No calls yet' }).waitFor();
    expect((await app().phone.handlers['history.page']({})).entries).toEqual([]);
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(app().browser.problems).toEqual([]);
  });
});
