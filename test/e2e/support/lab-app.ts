/**
 * The app against the lab's peers, for the e2e tests that call (calls, call controls): `lab.test` as a
 * provider publishes it in DNS, a phone with its own store on the real network, Chromium on the test host
 * with a fake microphone, and the small page helpers those tests share (counters, timed steps).
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator } from 'playwright-core';
import { FakeResolver, NodeClock, NodeNetwork } from '../../../src-main/platform/index.ts';
import { DeferredKeyFileCipher, Phone, packageInfo } from '../../../src-main/phone/index.ts';
import { openStore } from '../../../src-main/store/index.ts';
import type { KamailioServer } from '../../interop/support/index.ts';
import type { TestHost } from '../../host/server.ts';
import { launchBrowser, type BrowserSession } from './browser.ts';
import { waitConnected } from './app-session.ts';

export const LAB_DOMAIN = 'lab.test';

/**
 * lab.test's DNS: SIP over UDP (and TCP, where Kamailio listens on it) on one host, and a STUN server when
 * `stun` is given.
 */
export function labResolver(
  kamailio: KamailioServer,
  stun?: { address: string; port: number },
): FakeResolver {
  const port = kamailio.udpPort ?? 5060;
  const dns = new FakeResolver()
    .set(`_sip._udp.${LAB_DOMAIN}`, 'SRV', [{ name: `sip.${LAB_DOMAIN}`, port, priority: 10, weight: 0 }])
    .set(`sip.${LAB_DOMAIN}`, 'A', [kamailio.address]);
  if (kamailio.tcpPort !== undefined)
    dns.set(`_sip._tcp.${LAB_DOMAIN}`, 'SRV', [
      { name: `sip.${LAB_DOMAIN}`, port: kamailio.tcpPort, priority: 20, weight: 0 },
    ]);
  if (stun !== undefined)
    dns
      .set(`_stun._udp.${LAB_DOMAIN}`, 'SRV', [
        { name: `stun.${LAB_DOMAIN}`, port: stun.port, priority: 0, weight: 0 },
      ])
      .set(`stun.${LAB_DOMAIN}`, 'A', [stun.address]);
  return dns;
}

/** A phone on the real network with its store in `<workDir>/data`, resolving names with `resolver`. */
export function labPhone(workDir: string, resolver: FakeResolver): Phone {
  const dataDir = path.join(workDir, 'data');
  const store = openStore({ dataDir, cipher: new DeferredKeyFileCipher(dataDir) });
  if (!store.ok) throw new Error(`store: ${JSON.stringify(store.error)}`);
  return new Phone({
    host: 'test-host',
    dataDir,
    store: store.value,
    clock: new NodeClock(),
    network: new NodeNetwork(),
    resolver,
    app: { name: packageInfo().productName, version: packageInfo().version },
    versions: { node: process.versions.node, v8: process.versions.v8, electron: null, chrome: null },
    platform: { os: os.platform(), arch: os.arch() },
  });
}

/** Chromium on the test host's page, its microphone playing `microphone`, connected to the phone. */
export async function openPhonePage(
  host: TestHost,
  options: { microphone: string; viewport: { width: number; height: number } },
): Promise<BrowserSession> {
  const browser = await launchBrowser({
    allowedOrigins: [new URL(host.url).origin],
    fakeAudioCaptureFile: options.microphone,
    viewport: options.viewport,
  });
  await browser.page.goto(host.url);
  await waitConnected(browser.page, browser);
  return browser;
}

/** The number a counter in the page shows ("1,234" → 1234). */
export async function numberIn(locator: Locator): Promise<number> {
  return Number((await locator.textContent())?.replace(/[^0-9]/g, '') ?? '0');
}

/** Waits until the counter shows at least `atLeast`; answers what it shows then. */
export async function waitNumber(locator: Locator, atLeast: number, timeout = 20_000): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await numberIn(locator);
    if (value >= atLeast) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${value} < ${atLeast}`);
    await sleep(200);
  }
}

/** Named, timed steps of a suite, printed at its end (where an e2e run spends its minutes). */
export class StepTimings {
  readonly #started = Date.now();
  readonly #timings: Array<[string, number]> = [];

  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const at = Date.now();
    try {
      return await run();
    } finally {
      this.#timings.push([name, Date.now() - at]);
    }
  }

  /** `[suite] timings: step 1.2 s, …, total 9.9 s`. */
  summary(suite: string): string {
    const all = [...this.#timings, ['total', Date.now() - this.#started] as [string, number]];
    return `[${suite}] timings: ${all.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(', ')}`;
  }
}
