/**
 * Calls end to end: the built renderer in Debian's Chromium, through the test host, against the REAL
 * phone core, Kamailio (registrar/proxy for lab.test), coturn (STUN for the NAT check) and a baresip far
 * end (bob: answers by itself, plays a 1000 Hz tone, records what it hears). The phone's DNS is a
 * FakeResolver that publishes lab.test the way a provider would (SRV for SIP over UDP and TCP, SRV for
 * STUN), so the setup's own lookup finds the local servers; everything else is real sockets on
 * loopback. Chromium's fake microphone plays a 440 Hz WAV; `host.audio.useForCalls()` makes the page's
 * microphone and speaker the calls' audio, as the desktop app does.
 *
 *  1. first run → setup: a wrong password is refused in plain words, the right one registers, the NAT
 *     check reports;
 *  2. Accounts: live state, renewal, re-register;
 *  3. a call from the dial pad reaches `active`, packets flow both ways (the UI shows them; baresip's
 *     recording holds our 440 Hz, the page plays baresip's 1000 Hz), hang up, the history row appears;
 *  4. a contact is added and called (its name shown), hung up with Alt+H;
 *  5. bob calls us: the banner shows on another screen, Alt+A answers;
 *  6. Diagnostics shows the report; the SIP log shows the INVITE and its ladder, keyboard-driven.
 *
 * Screenshots of each screen go to test-output/e2e/. Needs `npm run build:renderer` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Phone } from '../../src-main/phone/index.ts';
import type { RendererAudioDeviceProvider } from '../../src-main/media/bridge/index.ts';
import {
  analyseWav,
  generateToneWav,
  startBaresip,
  startCoturn,
  startKamailio,
  type BaresipUa,
  type CoturnServer,
  type KamailioServer,
} from '../interop/support/index.ts';
import { startTestHost, type TestHost } from '../host/server.ts';
import type { BrowserSession } from './support/browser.ts';
import {
  LAB_DOMAIN,
  StepTimings,
  labPhone,
  labResolver,
  openPhonePage,
  waitNumber,
} from './support/lab-app.ts';
import { requireBuiltRenderer } from './support/app-session.ts';

const DOMAIN = LAB_DOMAIN;
const timings = new StepTimings();
const step = timings.step.bind(timings);

let workDir: string;
let kamailio: KamailioServer | undefined;
let coturn: CoturnServer | undefined;
let bob: BaresipUa | undefined;
let phone: Phone | undefined;
let host: TestHost | undefined;
let audio: RendererAudioDeviceProvider | undefined;
let browser: BrowserSession | undefined;

const page = (): Page => {
  if (!browser) throw new Error('no browser');
  return browser.page;
};

beforeAll(async () => {
  requireBuiltRenderer();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-calls-'));
  const microphone = await generateToneWav({
    path: path.join(workDir, 'microphone-440hz.wav'),
    hz: 440,
    seconds: 180,
    sampleRate: 48_000,
    amplitude: 0.5,
  });
  await step('peers', async () => {
    kamailio = await startKamailio({
      users: [
        { user: 'alice', password: 'alice-pw' },
        { user: 'bob', password: 'bob-pw' },
      ],
    });
    coturn = await startCoturn({ users: [{ user: 'alice', password: 'alice-pw' }], altAddress: '127.0.0.2' });
    bob = await startBaresip({
      aor: `sip:bob@${DOMAIN}`,
      password: 'bob-pw',
      proxy: kamailio.uri('udp'),
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 1000 },
      record: true,
    });
    await bob.waitFor('REGISTER_OK');
  });
  phone = labPhone(workDir, labResolver(kamailio!, coturn!));
  host = await startTestHost({ phone });
  audio = host.audio.useForCalls();
  browser = await openPhonePage(host, { microphone, viewport: { width: 1000, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await phone?.close();
  await bob?.dispose();
  await coturn?.dispose();
  await kamailio?.dispose();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  console.log(timings.summary('calls e2e'));
});

async function openScreen(link: string, heading = link): Promise<void> {
  await page().getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page().getByRole('heading', { level: 1, name: heading, exact: true }).waitFor({ state: 'attached' });
}

function callIdOnPage(): Promise<string | null> {
  return page().locator('[data-testid="call-view"]').getAttribute('data-call-id');
}

describe('calls in the app against Kamailio and baresip', () => {
  it('sets up the account on first run: a wrong password in plain words, then registered and the network checked', async () => {
    await step('onboarding', async () => {
      const p = page();
      await p.getByTestId('welcome').waitFor();
      await browser!.screenshot('phone-first-run');
      await p.getByTestId('welcome-start').click();
      await p.getByRole('heading', { level: 1, name: 'Set up your account' }).waitFor();
      await p.getByLabel('Extension or user name').fill('alice');
      await p.getByLabel('Password', { exact: true }).fill('not-the-password');
      await p.getByLabel('SIP domain').fill(DOMAIN);
      await browser!.screenshot('onboarding');
      await p.getByTestId('onboarding-submit').click();

      // the lookup found the SIP servers by SRV, UDP first
      const sip = p.getByTestId('discovered-sip').locator('li');
      await expect
        .poll(() => sip.allTextContents())
        .toEqual([
          `UDP 127.0.0.1:${kamailio!.udpPort} — sip.${DOMAIN} · DNS SRV`,
          `TCP 127.0.0.1:${kamailio!.tcpPort} — sip.${DOMAIN} · DNS SRV`,
        ]);
      expect(await p.getByTestId('discovered-nat').textContent()).toContain(
        `stun:stun.${DOMAIN}:${coturn!.port}`,
      );
      await p
        .locator('[data-testid="onboarding-result"][data-outcome="failed"]')
        .waitFor({ timeout: 20_000 });
      expect(await p.getByTestId('onboarding-failure').textContent()).toMatch(
        /^The (user name or )?password was not accepted \((401 Unauthorized|403 Forbidden)\)\.$/,
      );
      await browser!.screenshot('onboarding-failed');

      await p.getByLabel('Password', { exact: true }).fill('alice-pw');
      await p.getByTestId('onboarding-submit').click();
      await p
        .locator('[data-testid="onboarding-result"][data-outcome="registered"]')
        .waitFor({ timeout: 20_000 });
      expect(await p.getByTestId('onboarding-result').textContent()).toContain(
        `Registered as alice@${DOMAIN}`,
      );
      await p.getByTestId('nat-verdict').waitFor({ timeout: 30_000 });
      expect(await p.getByTestId('onboarding-nat-findings').locator('li').count()).toBeGreaterThan(0);
      await p.getByTestId('nat-verdict').scrollIntoViewIfNeeded();
      await browser!.screenshot('onboarding-registered');
      const bindings = await kamailio!.waitForBindings(`sip:alice@${DOMAIN}`);
      expect(bindings).toHaveLength(1);
    });
  });

  it('shows the account’s live registration on Accounts, and registers again on request', async () => {
    await step('accounts', async () => {
      const p = page();
      await p.getByTestId('status-account').click();
      await p.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
      const account = p.locator('.accounts-item').first();
      await expect
        .poll(async () => (await account.getByTestId('registration-state').textContent())?.trim())
        .toBe('Registered');
      expect(await account.getByTestId('registration-expires').textContent()).toMatch(/^\d+:\d\d$/);
      expect(await account.locator('dd').allTextContents()).toContain('UDP');
      await account.getByTestId('account-register').click();
      await expect
        .poll(async () => (await account.getByTestId('registration-state').textContent())?.trim(), {
          timeout: 10_000,
        })
        .toBe('Registered');
      await browser!.screenshot('accounts');
      expect(await p.getByTestId('status-account').getAttribute('data-state')).toBe('registered');
    });
  });

  it('calls bob from the dial pad: active, packets both ways in the UI, our tone in his recording; hang up; the history row', async () => {
    await step('call from the dial pad', async () => {
      const p = page();
      await openScreen('Phone');
      const mark = bob!.mark();
      await p.getByLabel('Number or SIP address').fill('bob');
      await p.getByTestId('call-button').click();
      await p.locator('[data-testid="call-state"][data-state="active"]').waitFor({ timeout: 20_000 });
      await bob!.waitFor('CALL_ESTABLISHED', { after: mark });
      expect(await p.getByTestId('call-remote').textContent()).toBe(`bob@${DOMAIN}`);
      // statistics come with the periodic snapshots (every 5 s)
      const sent = await waitNumber(p.getByTestId('packets-sent'), 50);
      const received = await waitNumber(p.getByTestId('packets-received'), 50);
      expect(await p.getByTestId('call-path').getAttribute('data-path')).toBe('direct');
      console.log(`[calls e2e] packets in the UI: sent ${sent}, received ${received}`);
      const callId = await callIdOnPage();
      expect(callId).not.toBeNull();
      // the page plays bob's 1000 Hz tone
      await expect
        .poll(() => audio!.port(callId!)?.renderer?.playbackPeakHz ?? 0, { timeout: 10_000 })
        .toBeGreaterThan(950);
      expect(audio!.port(callId!)?.renderer?.playbackPeakHz).toBeLessThan(1050);
      await browser!.screenshot('call-active');
      await sleep(2000);

      await p.getByTestId('call-hangup').click();
      await p.locator('[data-testid="call-state"][data-state="ended"]').waitFor();
      await bob!.waitFor('CALL_CLOSED', { after: mark });
      const heard = analyseWav(bob!.recordings().received.at(-1) ?? '', { hz: 440 });
      console.log(
        `[calls e2e] bob heard 440 Hz in ${(heard.tonePresentRatio * 100).toFixed(0)} % of ${heard.seconds.length} s`,
      );
      expect(heard.seconds.length).toBeGreaterThanOrEqual(4);
      expect(heard.tonePresentRatio).toBeGreaterThanOrEqual(0.6);
      await p.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });

      await openScreen('History');
      const row = p.locator('.history-item').first();
      await expect.poll(() => row.locator('.history-item-title').textContent()).toBe(`bob@${DOMAIN}`);
      expect(await row.locator('.history-item-chip').allTextContents()).toContain('PCMU');
      await browser!.screenshot('history-after-call');
    });
  });

  it('adds bob to the contacts and calls him from there (his name shown); Alt+H hangs up', async () => {
    await step('call from a contact', async () => {
      const p = page();
      await openScreen('Contacts');
      await p.getByRole('button', { name: 'Add contact' }).first().click();
      await p.getByLabel('Name', { exact: true }).fill('Bob Baresip');
      await p.getByLabel('Phone number', { exact: true }).fill(`bob@${DOMAIN}`);
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('heading', { level: 2, name: 'New contact' }).waitFor({ state: 'detached' });
      const mark = bob!.mark();
      await p.getByRole('button', { name: `Call Bob Baresip, bob@${DOMAIN}` }).click();
      await p.locator('[data-testid="call-state"][data-state="active"]').waitFor({ timeout: 20_000 });
      await bob!.waitFor('CALL_ESTABLISHED', { after: mark });
      await expect.poll(() => p.getByTestId('call-remote').textContent()).toBe('Bob Baresip');
      await sleep(1000);
      await p.keyboard.press('Alt+KeyH');
      await p.locator('[data-testid="call-state"][data-state="ended"]').waitFor();
      await bob!.waitFor('CALL_CLOSED', { after: mark });
    });
  });

  it('shows bob’s call on any screen; Alt+A answers it', async () => {
    await step('incoming call', async () => {
      const p = page();
      await p.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });
      await openScreen('Contacts');
      const mark = bob!.mark();
      await bob!.dial(`sip:alice@${DOMAIN}`);
      const banner = p.getByTestId('incoming-call');
      await banner.waitFor({ timeout: 15_000 });
      await expect.poll(() => banner.locator('.calls-incoming-name').textContent()).toBe('Bob Baresip');
      await browser!.screenshot('incoming-call');
      await p.keyboard.press('Alt+KeyA');
      await p.locator('[data-testid="call-state"][data-state="active"]').waitFor({ timeout: 15_000 });
      await bob!.waitFor('CALL_ESTABLISHED', { after: mark });
      expect(await banner.count()).toBe(0);
      await waitNumber(p.getByTestId('packets-received'), 20);
      await p.getByTestId('call-hangup').click();
      await bob!.waitFor('CALL_CLOSED', { after: mark });
    });
  });

  it('shows the NAT report in Diagnostics, and the INVITE with its ladder in the SIP log', async () => {
    await step('diagnostics and SIP log', async () => {
      const p = page();
      await openScreen('Diagnostics');
      await p.getByTestId('nat-verdict').waitFor();
      await browser!.screenshot('diagnostics-report');
      await p.getByTestId('open-siplog').click();
      await p.getByRole('heading', { level: 1, name: 'SIP log' }).waitFor();
      const methods = p.getByLabel('Method', { exact: true });
      await methods.selectOption('INVITE');
      const invite = p.locator('.siplog-row', { hasText: `INVITE sip:bob@${DOMAIN} SIP/2.0` }).first();
      await invite.waitFor();
      await invite.click();
      expect(await p.getByTestId('siplog-text').textContent()).toMatch(
        /^INVITE sip:bob@lab\.test SIP\/2\.0\n/,
      );
      await p.getByRole('button', { name: 'Show the ladder of this call' }).click();
      const ladder = p.getByTestId('siplog-ladder');
      await ladder.waitFor();
      const arrows = ladder.locator('[role="button"]');
      expect(await arrows.count()).toBeGreaterThanOrEqual(6);
      const labels = await ladder.locator('.siplog-ladder-label').allTextContents();
      console.log(`[calls e2e] ladder: ${labels.join(' | ')}`);
      // RFC 3261 §22.3: Kamailio challenges the first INVITE, we send it again with credentials
      expect(labels[0]).toBe('INVITE (SDP)');
      expect(labels[1]).toMatch(/^407 Proxy Authentication Requ/);
      expect(labels).toContain('ACK');
      expect(labels.some((l) => /^200 .*\(SDP\)$/.test(l))).toBe(true);
      expect(labels).toContain('BYE');
      // keyboard: the selected arrow is the tab stop; Down moves, Enter opens that message
      await arrows.first().focus();
      await p.keyboard.press('ArrowDown');
      await p.keyboard.press('Enter');
      await expect
        .poll(() => p.getByTestId('siplog-detail').locator('h2').textContent())
        .toBe('SIP/2.0 407 Proxy Authentication Required');
      expect(await arrows.nth(1).getAttribute('aria-pressed')).toBe('true');
      await methods.selectOption('');
      await browser!.screenshot('siplog-ladder');
    });
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(browser!.problems).toEqual([]);
  });
});
