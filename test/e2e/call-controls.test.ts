/**
 * The in-call controls of the window end to end: the built renderer in Debian's Chromium, through the
 * test host, against the REAL phone core, Kamailio (registrar/proxy for lab.test) and far ends that are
 * real processes — baresip 1.0 for bob and carol (answer by themselves, play a tone, bob records), and
 * our own CLI (`softphone answer`) for dave and erin, since baresip 1.0 has no Replaces (RFC 3891) for
 * the attended transfer. The account alice is added through the phone API before the page opens (the
 * setup screens are calls.test.ts's subject); everything after that is clicked in the page:
 *
 *  1. one call to bob: Hold → the UI says held, bob got a re-INVITE with a=sendonly and stops sending;
 *     Resume → connected again, and the received-packet counter grows again;
 *  2. Mute → the button is pressed and the core's snapshot says muted; Alt+M unmutes;
 *  3. the in-call keypad and typed digits → bob reports exactly those keys (RFC 4733);
 *  4. blind transfer of bob to carol → our call ends as transferred, bob and carol talk;
 *  5. a call to dave, "Add call", a call to erin (dave goes on hold): both listed, switching between
 *     them, then "Connect them" (attended transfer) → both our calls end as transferred; erin's call
 *     with us ends `replaced` by an active call from dave.
 *
 * Screenshots go to test-output/e2e/. Needs `npm run build:renderer` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Phone } from '../../src-main/phone/index.ts';
import type { CallSnapshot } from '../../src-shared/model/call.ts';
import {
  generateToneWav,
  makeWorkDir,
  startBaresip,
  startKamailio,
  type BaresipUa,
  type KamailioServer,
  type WorkDir,
} from '../interop/support/index.ts';
import { accountArgs, mediaArgs, softphone, type SoftphoneRun } from '../interop/call/softphone-cli.ts';
import { startTestHost, type TestHost } from '../host/server.ts';
import type { BrowserSession } from './support/browser.ts';
import {
  LAB_DOMAIN,
  StepTimings,
  labPhone,
  labResolver,
  numberIn,
  openPhonePage,
  waitNumber,
} from './support/lab-app.ts';
import { requireBuiltRenderer } from './support/app-session.ts';

const DOMAIN = LAB_DOMAIN;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

const timings = new StepTimings();
const step = timings.step.bind(timings);
let workDir: string | undefined;
let cliDir: WorkDir | undefined;
let kamailio: KamailioServer | undefined;
let bob: BaresipUa | undefined;
let carol: BaresipUa | undefined;
let dave: SoftphoneRun | undefined;
let erin: SoftphoneRun | undefined;
let phone: Phone | undefined;
let host: TestHost | undefined;
let browser: BrowserSession | undefined;

const page = (): Page => {
  if (!browser) throw new Error('no browser');
  return browser.page;
};

/** Our CLI answering as `user` (tone, and a hang-up long after the test is done with it). */
function cliAnswering(dir: WorkDir, user: string, tone: number): SoftphoneRun {
  return softphone({
    dir,
    name: user,
    args: [
      'answer',
      ...accountArgs(user, `${user}-pw`, kamailio!.uri('udp')),
      ...mediaArgs({ tone, duration: 60 }),
    ],
  });
}

beforeAll(async () => {
  requireBuiltRenderer();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'softphone-e2e-call-controls-'));
  cliDir = makeWorkDir('e2e-call-controls');
  const microphone = await generateToneWav({
    path: path.join(workDir, 'microphone-440hz.wav'),
    hz: 440,
    seconds: 180,
    sampleRate: 48_000,
    amplitude: 0.5,
  });
  await step('peers', async () => {
    kamailio = await startKamailio({ users: USERS.map((user) => ({ user, password: `${user}-pw` })) });
    const proxy = kamailio.uri('udp');
    [bob, carol] = await Promise.all([
      startBaresip({
        aor: `sip:bob@${DOMAIN}`,
        password: 'bob-pw',
        proxy,
        answerMode: 'auto',
        audio: { kind: 'tone', hz: 1000 },
        record: true,
      }),
      startBaresip({
        aor: `sip:carol@${DOMAIN}`,
        password: 'carol-pw',
        proxy,
        answerMode: 'auto',
        audio: { kind: 'tone', hz: 700 },
      }),
    ]);
    dave = cliAnswering(cliDir!, 'dave', 600);
    erin = cliAnswering(cliDir!, 'erin', 800);
    await Promise.all([
      bob.waitFor('REGISTER_OK'),
      carol.waitFor('REGISTER_OK'),
      dave.waitFor((l) => l.type === 'ready'),
      erin.waitFor((l) => l.type === 'ready'),
    ]);
  });
  await step('app', async () => {
    phone = labPhone(workDir!, labResolver(kamailio!));
    await phone.handlers['accounts.add']({
      label: 'Lab',
      aor: `sip:alice@${DOMAIN}`,
      authUser: '',
      displayName: 'Alice',
      domain: DOMAIN,
      outboundProxy: null,
      transport: 'udp',
      registerExpiresSec: 600,
      enabled: true,
      // the far ends are on loopback without ICE: plain RTP keeps the subject of this file in focus
      iceMode: 'off',
      stunServers: [],
      keepaliveIntervalSec: 25,
      mediaPorts: null,
      codecs: null,
      dtmfMode: null,
      autoAnswer: false,
      srtp: 'off',
      turnServers: [],
      password: 'alice-pw',
    });
    phone.events.on((e) => {
      if (e.name === 'calls.changed') snapshots.set(e.payload.id, e.payload);
    });
    host = await startTestHost({ phone });
    host.audio.useForCalls();
    browser = await openPhonePage(host, { microphone, viewport: { width: 1000, height: 1000 } });
    await browser.page
      .locator('[data-testid="status-account"][data-state="registered"]')
      .waitFor({ timeout: 15_000 });
  });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await phone?.close();
  await Promise.all([dave?.process.stop(2000), erin?.process.stop(2000), bob?.dispose(), carol?.dispose()]);
  await kamailio?.dispose();
  cliDir?.remove();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  console.log(timings.summary('call controls e2e'));
});

const callState = (state: string): Locator =>
  page().locator(`[data-testid="call-state"][data-state="${state}"]`);

/** The core's last snapshot of a call (what the page mirrors), ended ones included. */
const snapshots = new Map<string, CallSnapshot>();
function coreCall(id: string): CallSnapshot | undefined {
  return snapshots.get(id);
}

/** Dials from the dial pad (shown, or reached with "Add call") and waits for the new call to connect. */
async function dialFromPad(target: string): Promise<string> {
  const p = page();
  const before = await p
    .getByTestId('call-view')
    .getAttribute('data-call-id', { timeout: 100 })
    .catch(() => null);
  await p.getByLabel('Number or SIP address').fill(target);
  await p.getByTestId('call-button').click();
  await expect
    .poll(() => p.getByTestId('call-view').getAttribute('data-call-id'), { timeout: 10_000 })
    .not.toBe(before);
  await callState('active').waitFor({ timeout: 15_000 });
  const id = await p.getByTestId('call-view').getAttribute('data-call-id');
  expect(id).not.toBeNull();
  return id!;
}

/** DTMF keys baresip reported since event `mark`. */
function dtmfSince(ua: BaresipUa, mark: number): string {
  return ua.events
    .slice(mark)
    .filter((e) => e.type === 'CALL_DTMF_START')
    .map((e) => e.param ?? '')
    .join('');
}

describe('in-call controls in the app against Kamailio, baresip and our CLI', () => {
  let bobCallId = '';
  let bobMark = 0;

  it('holds and resumes a call to bob: held in the UI, a=sendonly at bob, packets stop and come again', async () => {
    await step('hold and resume', async () => {
      const p = page();
      bobMark = bob!.mark();
      bobCallId = await dialFromPad('bob');
      await bob!.waitFor('CALL_ESTABLISHED', { after: bobMark });
      expect(await p.getByTestId('call-remote').textContent()).toBe(`bob@${DOMAIN}`);
      const received = p.getByTestId('packets-received');
      // statistics come with every change and the periodic snapshots (every 5 s)
      await waitNumber(received, 50);

      const logBefore = bob!.log().length;
      const hold = p.getByTestId('call-hold');
      expect(await hold.textContent()).toContain('Hold');
      expect(await hold.getAttribute('aria-pressed')).toBe('false');
      await hold.click();
      await callState('held').waitFor({ timeout: 10_000 });
      expect(await callState('held').textContent()).toBe('On hold');
      expect(await hold.getAttribute('aria-pressed')).toBe('true');
      expect(await hold.textContent()).toContain('Resume');
      expect(coreCall(bobCallId)?.state).toBe('held');
      // RFC 3264 §8.4: the hold is a re-INVITE whose offer is sendonly; bob answers recvonly and stops sending
      // (baresip's log reaches the file a little after it answered: poll)
      await expect
        .poll(() => bob!.log().slice(logBefore), { timeout: 5000 })
        .toMatch(/^INVITE sip:bob\S* SIP\/2\.0\r?$[\s\S]*^a=sendonly\r?$/m);
      const atHold = await numberIn(received);
      await browser!.screenshot('call-held');
      await sleep(2000);

      await hold.click();
      await callState('active').waitFor({ timeout: 10_000 });
      expect(await hold.getAttribute('aria-pressed')).toBe('false');
      expect(await hold.textContent()).toContain('Hold');
      const atResume = await numberIn(received);
      console.log(`[call controls e2e] packets received: at hold ${atHold}, at resume ${atResume}`);
      // two seconds on hold: at 50 packets a second, nothing but stragglers came meanwhile
      expect(atResume - atHold).toBeLessThan(20);
      await expect
        .poll(() => bob!.log().slice(logBefore), { timeout: 5000 })
        .toMatch(/^a=sendonly\r?$[\s\S]*^INVITE sip:bob\S* SIP\/2\.0\r?$[\s\S]*^a=sendrecv\r?$/m);
      await waitNumber(received, atResume + 50);
    });
  });

  it('mutes and unmutes: the button is pressed and the core says muted; Alt+M unmutes', async () => {
    await step('mute', async () => {
      const p = page();
      const mute = p.getByRole('button', { name: 'Mute' });
      expect(await mute.getAttribute('aria-pressed')).toBe('false');
      expect(await mute.getAttribute('aria-keyshortcuts')).toBe('Alt+M');
      await mute.click();
      await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true');
      expect(coreCall(bobCallId)?.muted).toBe(true);
      expect(await callState('active').count()).toBe(1);
      await p.keyboard.press('Alt+KeyM');
      await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('false');
      expect(coreCall(bobCallId)?.muted).toBe(false);
    });
  });

  it('sends DTMF from the keypad and from typed digits: bob reports exactly those keys', async () => {
    await step('dtmf', async () => {
      const p = page();
      const mark = bob!.mark();
      const keypadButton = p.getByRole('button', { name: 'Keypad' });
      await keypadButton.click();
      expect(await keypadButton.getAttribute('aria-expanded')).toBe('true');
      const keypad = p.getByRole('group', { name: 'Keypad: send tones' });
      for (const key of ['1', '5', '9', '#'])
        await keypad.getByRole('button', { name: `Send ${key}` }).click();
      // the focus is on a keypad key, not in a text field: typed digits are tones too
      await p.keyboard.press('0');
      await p.keyboard.press('*');
      const sent = '159#0*';
      await expect.poll(() => p.getByTestId('dtmf-sent').textContent()).toBe(sent);
      await expect.poll(() => dtmfSince(bob!, mark), { timeout: 10_000 }).toBe(sent);
      // and nothing more comes after them
      await sleep(500);
      expect(dtmfSince(bob!, mark)).toBe(sent);
      await browser!.screenshot('call-keypad');
      await keypadButton.click();
      expect(await keypadButton.getAttribute('aria-expanded')).toBe('false');
    });
  });

  it('transfers bob to carol (blind): our call ends as transferred, bob and carol talk', async () => {
    await step('blind transfer', async () => {
      const p = page();
      const carolMark = carol!.mark();
      await p.getByTestId('call-transfer-open').click();
      const transfer = p.getByRole('group', { name: 'Transfer the call' });
      await transfer.getByLabel('Transfer to').fill(`carol@${DOMAIN}`);
      await transfer.getByRole('button', { name: 'Transfer', exact: true }).click();
      await callState('ended').waitFor({ timeout: 15_000 });
      expect(await callState('ended').textContent()).toBe('Call ended — Transferred');
      expect(await p.getByTestId('call-transfer').textContent()).toContain(
        `Transferred to sip:carol@${DOMAIN}`,
      );
      expect(coreCall(bobCallId)).toMatchObject({
        reason: { kind: 'transferred' },
        transfer: { role: 'transferor', state: 'succeeded', sipCode: 200 },
      });
      const established = await carol!.waitFor('CALL_ESTABLISHED', { after: carolMark });
      expect(established.peeruri).toBe(`sip:bob@${DOMAIN}`);
      await expect.poll(() => bob!.log(), { timeout: 5000 }).toMatch(/^REFER sip:bob\S* SIP\/2\.0\r?$/m);
      await browser!.screenshot('call-transferred');
      await carol!.hangup();
      await bob!.waitFor('CALL_CLOSED', {
        after: bobMark,
        where: (e) => e.peeruri === `sip:carol@${DOMAIN}`,
      });
      await p.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });
    });
  });

  it('holds dave for a call to erin, switches between the two, and connects them (attended transfer)', async () => {
    await step('attended transfer', async () => {
      const p = page();
      const daveId = await dialFromPad('dave');
      await p.getByTestId('call-add').click();
      await p.getByTestId('back-to-call').waitFor();
      const erinId = await dialFromPad('erin');

      const list = p.getByRole('list', { name: 'Calls' });
      const item = (user: string): Locator => list.getByRole('button', { name: new RegExp(`^${user}@`) });
      await expect.poll(() => list.getByRole('button').count()).toBe(2);
      await expect.poll(() => item('dave').locator('.calls-list-state').textContent()).toBe('On hold');
      expect(await item('erin').locator('.calls-list-state').textContent()).toBe('Connected');
      expect(await item('erin').getAttribute('aria-current')).toBe('true');
      expect(await item('dave').getAttribute('aria-current')).toBeNull();
      expect(coreCall(daveId)?.state).toBe('held');
      await browser!.screenshot('call-two-calls');

      // picking the held call takes it off hold; the phone holds the other one
      await item('dave').click();
      await expect.poll(() => item('dave').getAttribute('aria-current')).toBe('true');
      expect(await p.getByTestId('call-view').getAttribute('data-call-id')).toBe(daveId);
      expect(await p.getByTestId('call-remote').textContent()).toBe(`dave@${DOMAIN}`);
      await callState('active').waitFor({ timeout: 10_000 });
      await expect.poll(() => item('erin').locator('.calls-list-state').textContent()).toBe('On hold');
      expect(await item('erin').getAttribute('aria-current')).toBeNull();
      // and back: erin talks, dave waits
      await item('erin').click();
      await expect.poll(() => p.getByTestId('call-view').getAttribute('data-call-id')).toBe(erinId);
      await callState('active').waitFor({ timeout: 10_000 });
      await expect.poll(() => item('dave').locator('.calls-list-state').textContent()).toBe('On hold');
      await item('dave').click();
      await expect.poll(() => p.getByTestId('call-view').getAttribute('data-call-id')).toBe(daveId);
      await callState('active').waitFor({ timeout: 10_000 });
      await expect.poll(() => coreCall(erinId)?.state).toBe('held');

      // dave is sent a REFER to erin with Replaces naming our call with her
      await p.getByTestId('call-transfer-open').click();
      const transfer = p.getByRole('group', { name: 'Transfer the call' });
      const other = transfer.getByLabel('Or connect with');
      expect(await other.locator('option').allTextContents()).toEqual([`erin@${DOMAIN}`]);
      await transfer.getByRole('button', { name: 'Connect them' }).click();

      await expect
        .poll(() => list.locator('.calls-list-state').allTextContents(), { timeout: 15_000 })
        .toEqual(['Call ended', 'Call ended']);
      expect(await callState('ended').textContent()).toBe('Call ended — Transferred');
      const [toDave, toErin] = [coreCall(daveId), coreCall(erinId)];
      expect(toDave).toMatchObject({
        reason: { kind: 'transferred' },
        transfer: { role: 'transferor', target: `sip:erin@${DOMAIN}`, state: 'succeeded' },
      });
      expect(toErin?.reason).toEqual({
        kind: 'transferred',
        text: `Transferred: sip:erin@${DOMAIN} now talks with sip:dave@${DOMAIN}`,
      });
      await browser!.screenshot('call-connected-them');

      // erin: our call ended `replaced`, dave's call (which replaced it) is up
      const fromDave = await erin!.waitFor(
        (l) => l.type === 'call' && typeof l.replaces === 'string' && l.state === 'active',
      );
      const erinCalls = erin!.calls();
      const fromUs = erinCalls.filter((c) => c.id === fromDave.replaces);
      expect(fromUs[0]).toMatchObject({ direction: 'incoming', remote: { uri: `sip:alice@${DOMAIN}` } });
      expect(fromUs.at(-1)).toMatchObject({
        state: 'ended',
        reason: { kind: 'replaced', text: 'Replaced by another call' },
      });
      expect(fromDave).toMatchObject({ direction: 'incoming', remote: { uri: `sip:dave@${DOMAIN}` } });
      // dave: REFERred by us, he called erin himself
      const daveCalls = dave!.calls();
      expect(daveCalls.find((c) => c.direction === 'outgoing')).toMatchObject({
        remote: { uri: `sip:erin@${DOMAIN}` },
      });
      await p.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });
    });
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(browser!.problems).toEqual([]);
  });
});
