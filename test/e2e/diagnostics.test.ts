/**
 * The NAT check in Chromium against the real core and a real coturn on loopback (two addresses, so it
 * answers RFC 5780 discovery): the STUN and TURN servers entered under "Advanced", live steps while it
 * runs, the verdict in plain words (the same statement the phone wrote, in the UI's language), the
 * measurements and the server table; the last report comes back after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NatReport } from '../../src-shared/model/nat.ts';
import { startCoturn, type CoturnServer } from '../interop/support/index.ts';
import { startAppSession, type AppSession } from './support/app-session.ts';

const TURN_USER = { user: 'e2e', password: 'turn-secret' };
/** A loopback port nothing listens on (discard): a STUN server there never answers. */
const SILENT_PORT = 9;

let turn: CoturnServer | undefined;
let session: AppSession | undefined;
const app = (): AppSession => {
  if (!session) throw new Error('no session');
  return session;
};
const page = (): Page => app().page;
const server = (): CoturnServer => {
  if (!turn) throw new Error('no coturn');
  return turn;
};

async function coreReport(): Promise<NatReport> {
  const report = await app().phone.handlers['diagnostics.lastReport']({});
  if (!report) throw new Error('the core has no report');
  return report;
}

beforeAll(async () => {
  turn = await startCoturn({ users: [TURN_USER], altAddress: '127.0.0.2' });
  session = await startAppSession({ viewport: { width: 1000, height: 900 } });
  await app().openScreen('Diagnostics');
});

afterAll(async () => {
  await session?.close();
  await turn?.dispose();
});

describe('NAT diagnostics against the real core and coturn', () => {
  it('says no check was made yet', async () => {
    await page().getByText('The network has not been checked yet.').waitFor();
  });

  it('runs the check with the servers given under Advanced and shows the verdict in plain words', async () => {
    const p = page();
    await p.getByText('Advanced').click();
    // a second STUN server where nothing listens: its test times out after a few seconds, so the
    // steps can be watched while the check runs
    await p.getByLabel('STUN servers').fill(`${server().stunUri()} stun:127.0.0.1:${SILENT_PORT}`);
    await p.getByLabel('TURN server', { exact: true }).fill(server().turnUri('udp'));
    await p.getByLabel('TURN user name').fill(TURN_USER.user);
    await p.getByLabel('TURN password').fill(TURN_USER.password);
    await p.getByLabel(/^Measure how long the router keeps/).uncheck();
    await p.getByRole('button', { name: 'Check the network' }).click();
    await p.locator('[data-testid="nat-progress"] li').first().waitFor({ timeout: 30_000 });
    expect(await p.getByRole('button', { name: 'Checking…' }).isDisabled()).toBe(true);
    await app().browser.screenshot('diagnostics-nat-running');
    await p.locator('[data-testid="nat-verdict-text"]').waitFor({ timeout: 60_000 });
    await p.locator('[data-testid="nat-verdict"]').scrollIntoViewIfNeeded();
    const steps = await p.locator('[data-testid="nat-steps"] .nat-progress-step').allTextContents();
    expect(steps).toEqual(
      expect.arrayContaining(['Finding servers', 'Testing STUN', 'Testing TURN', 'Verdict']),
    );

    const report = await coreReport();
    expect(report.servers.map((s) => [s.kind, s.ok])).toEqual(
      expect.arrayContaining([
        ['stun', true],
        ['stun', false],
        ['turn', true],
      ]),
    );
    const verdict = report.explanation.find((s) => s.key.startsWith('nat.verdict.'));
    expect(verdict).toBeDefined();
    // the renderer's English catalogue says what the phone's English text says
    expect(await p.locator('[data-testid="nat-verdict-text"]').textContent()).toBe(verdict?.text);
    expect(await p.locator('.nat-verdict-title').textContent()).toBeTruthy();
    expect(await p.getByRole('button', { name: 'Check again' }).isEnabled()).toBe(true);
  });

  it('lists the measurements and each server with its result, round trip and relayed address', async () => {
    const p = page();
    const report = await coreReport();
    const natTypes: Record<NatReport['natType'], string> = {
      open: 'No NAT (public address)',
      'full-cone': 'Full cone',
      'restricted-cone': 'Restricted cone',
      'port-restricted-cone': 'Port-restricted cone',
      symmetric: 'Symmetric',
      'udp-blocked': 'UDP blocked',
      unknown: 'Unknown',
    };
    expect(await p.locator('[data-testid="nat-nat-type"]').textContent()).toBe(natTypes[report.natType]);
    expect(await p.locator('[data-testid="nat-lifetime"]').textContent()).toBe('Not measured');
    const publicAddress = report.publicAddress
      ? `${report.publicAddress.address}:${report.publicAddress.port}`
      : 'None';
    expect(await p.locator('[data-testid="nat-public-address"]').textContent()).toBe(publicAddress);

    const rows = p.locator('[data-testid="nat-servers"] tbody tr');
    await expect.poll(() => rows.count()).toBe(report.servers.length);
    const turnResult = report.servers.find((s) => s.kind === 'turn');
    expect(turnResult?.ok).toBe(true);
    const cells = await rows.filter({ hasText: 'TURN' }).locator('th, td').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual([
      turnResult?.uri,
      'TURN',
      'UDP',
      'Works',
      `${Math.round(turnResult?.rttMs ?? 0)} ms`,
      turnResult?.mappedAddress
        ? `${turnResult.mappedAddress.address}:${turnResult.mappedAddress.port}`
        : '—',
      `${turnResult?.relayedAddress?.address}:${turnResult?.relayedAddress?.port}`,
    ]);
    const silent = report.servers.find((s) => !s.ok);
    const silentCells = await rows
      .filter({ hasText: `:${SILENT_PORT}` })
      .locator('th, td')
      .allTextContents();
    expect(silentCells.map((c) => c.trim()).slice(0, 4)).toEqual([
      silent?.uri,
      'STUN',
      'UDP',
      `No answer${silent?.error?.message}`,
    ]);
    await app().browser.screenshot('diagnostics-nat-verdict');
    await p.locator('[data-testid="nat-servers"]').scrollIntoViewIfNeeded();
    await app().browser.screenshot('diagnostics-nat-servers');
  });

  it('shows the last report again after a reload, and in Chinese', async () => {
    const p = page();
    const report = await coreReport();
    await app().reload();
    await p.locator('[data-testid="nat-verdict-text"]').waitFor();
    await app().openScreen('Settings');
    await p.getByLabel('Display language').selectOption('zh-CN');
    await app().openScreen('诊断');
    const text = await p.locator('[data-testid="nat-verdict-text"]').textContent();
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(text).not.toBe(report.explanation.find((s) => s.key.startsWith('nat.verdict.'))?.text);
    await p.locator('[data-testid="nat-verdict"]').scrollIntoViewIfNeeded();
    await app().browser.screenshot('diagnostics-nat-zh-CN');
    await app().openScreen('设置');
    await p.getByLabel('界面语言').selectOption('en');
  });

  it('had no console errors, CSP violations or foreign requests', () => {
    expect(app().browser.problems).toEqual([]);
  });
});
