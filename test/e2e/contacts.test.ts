/**
 * Contacts in Chromium against the real core: add a contact through the form (with the schema's
 * messages first), find it by name and by number, call it (no account here: the number waits in the dial pad),
 * import a vCard file (an error names its line; a good file adds its cards), export all contacts as a
 * .vcf download, delete after confirming — and everything lands in the phone's store.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startAppSession, type AppSession } from './support/app-session.ts';

let session: AppSession | undefined;

function app(): AppSession {
  if (!session) throw new Error('no session');
  return session;
}
const page = (): Page => app().page;
const rows = () => page().locator('.contacts-item-name');

beforeAll(async () => {
  session = await startAppSession({ viewport: { width: 900, height: 800 } });
  await app().openScreen('Contacts');
});

afterAll(async () => {
  await session?.close();
});

async function search(text: string, expected: string[]): Promise<void> {
  await page().getByLabel('Search contacts').fill(text);
  await expect.poll(() => rows().allTextContents()).toEqual(expected);
}

describe('contacts against the real core', () => {
  it('adds a contact through the form, after showing what is missing', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Add contact' }).first().click();
    await p.getByRole('heading', { level: 2, name: 'New contact' }).waitFor();
    await expect
      .poll(() => p.evaluate(() => document.activeElement?.getAttribute('autocomplete')))
      .toBe('name');
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByText('Enter a name.').waitFor();
    expect(await p.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await p.getByLabel('Name', { exact: true }).fill('Wang Fang 王芳');
    await p.getByLabel('Company').fill('Example Ltd');
    await p.getByLabel('Favourite (shown first)').check();
    await p.getByLabel('Phone number', { exact: true }).fill('+86 138 0013 8000');
    await p.getByRole('group', { name: 'Address 1' }).getByLabel('Label').fill('mobile');
    await p.getByRole('button', { name: 'Add a number or address' }).click();
    await p.keyboard.type('fang@example.com');
    // typing an address with @ makes the row a SIP address
    expect(await p.getByRole('group', { name: 'Address 2' }).getByLabel('Kind').inputValue()).toBe('sip');
    await app().browser.screenshot('contacts-form');
    await p.getByRole('button', { name: 'Save' }).click();
    await p.getByRole('heading', { level: 2, name: 'New contact' }).waitFor({ state: 'detached' });
    await expect.poll(() => rows().allTextContents()).toEqual(['Wang Fang 王芳']);

    const stored = await app().phone.handlers['contacts.list']({});
    expect(stored.map((c) => [c.name, c.company, c.favourite, c.addresses])).toEqual([
      [
        'Wang Fang 王芳',
        'Example Ltd',
        true,
        [
          { kind: 'tel', value: '+86 138 0013 8000', label: 'mobile' },
          { kind: 'sip', value: 'sip:fang@example.com', label: '' },
        ],
      ],
    ]);
  });

  it('finds it by name and by number', async () => {
    await app().phone.handlers['contacts.add']({
      name: 'Bob Brown',
      company: '',
      notes: '',
      favourite: false,
      addresses: [{ kind: 'tel', value: '+1 415 555 2671', label: '' }],
    });
    await expect.poll(() => rows().allTextContents()).toEqual(['Wang Fang 王芳', 'Bob Brown']);
    await search('fang', ['Wang Fang 王芳']);
    await search('+86 138', ['Wang Fang 王芳']);
    await search('+1 415', ['Bob Brown']);
    await search('nobody here', []);
    await page().getByRole('heading', { level: 2, name: 'No contacts found' }).waitFor();
    await search('', ['Wang Fang 王芳', 'Bob Brown']);
    await app().browser.screenshot('contacts');
  });

  it('calls from a contact: without an account the number waits in the dial pad, with Call focused and the reason', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Call Bob Brown, +1 415 555 2671' }).click();
    await p.getByRole('heading', { level: 1, name: 'Phone' }).waitFor({ state: 'attached' });
    expect(await p.getByLabel('Number or SIP address').inputValue()).toBe('+1 415 555 2671');
    await expect
      .poll(() => p.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('call-button');
    await p.getByText('The call was not placed: No account is ready to call from').waitFor();
    await app().openScreen('Contacts');
  });

  it('imports a vCard file: an error names its line and imports nothing, a good file adds its cards', async () => {
    const p = page();
    const dir = app().dataDir;
    const bad = path.join(dir, 'broken.vcf');
    await writeFile(bad, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half\r\nBEGIN:VCARD\r\n');
    await p.locator('[data-testid="vcard-file"]').setInputFiles(bad);
    const outcome = p.locator('[data-testid="contacts-transfer-outcome"]');
    await expect
      .poll(() => outcome.textContent())
      .toMatch(/^Nothing was imported from broken\.vcf: line \d+: /);

    const good = path.join(dir, 'friends.vcf');
    await writeFile(
      good,
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'FN:Carla Costa',
        'TEL;TYPE=CELL:+351 912 345 678',
        'END:VCARD',
        'BEGIN:VCARD',
        'VERSION:4.0',
        'FN:Dmitri Ivanov',
        'TEL;VALUE=uri:tel:+7-912-345-67-89',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
    await p.locator('[data-testid="vcard-file"]').setInputFiles(good);
    await expect.poll(() => outcome.textContent()).toBe('Imported from friends.vcf: 2 new, 0 updated.');
    await expect
      .poll(() => rows().allTextContents())
      .toEqual(['Wang Fang 王芳', 'Bob Brown', 'Carla Costa', 'Dmitri Ivanov']);
  });

  it('exports every contact as a .vcf download (a blob: URL the CSP allows)', async () => {
    const p = page();
    await p.getByLabel(/^vCard format/).selectOption('4.0');
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.vcf$/);
    expect(download.url()).toMatch(/^blob:http:\/\/127\.0\.0\.1:\d+\//);
    const file = await download.path();
    const text = await readFile(file, 'utf8');
    expect(text.match(/^BEGIN:VCARD\r$/gm)).toHaveLength(4);
    expect(text).toContain('VERSION:4.0');
    expect(text).toContain('FN:Wang Fang 王芳');
    await p
      .locator('[data-testid="contacts-transfer-outcome"]', { hasText: 'Exported 4 contacts' })
      .waitFor();
  });

  it('deletes a contact only after confirming', async () => {
    const p = page();
    await p.getByRole('button', { name: 'Delete Bob Brown' }).click();
    const dialog = p.getByRole('dialog', { name: 'Delete Bob Brown?' });
    await dialog.waitFor();
    await app().browser.screenshot('contacts-delete');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await p.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Delete Bob Brown',
    );
    await p.getByRole('button', { name: 'Delete Bob Brown' }).click();
    await dialog.getByRole('button', { name: 'Delete contact' }).click();
    await expect
      .poll(() => rows().allTextContents())
      .toEqual(['Wang Fang 王芳', 'Carla Costa', 'Dmitri Ivanov']);
    expect((await app().phone.handlers['contacts.list']({ search: 'bob' })).length).toBe(0);
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(app().browser.problems).toEqual([]);
  });
});
