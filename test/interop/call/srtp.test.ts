/**
 * SDES-SRTP against baresip's srtp module, both UAs on SIP over TLS to Kamailio (test CA):
 *  - we require SRTP (RTP/SAVP) and call a baresip with mediaenc=srtp-mand: active, encrypted, each
 *    recording has the other's tone. baresip with SRTP on drops RTP that does not authenticate under our
 *    key, so its recording of our tone is the capture-free proof that our packets on the wire are SRTP
 *    (and ours of its tone proves we decrypt its SRTP);
 *  - our TLS default (optional: RTP/AVP + a=crypto) meets baresip's best-effort mediaenc=srtp: encrypted;
 *  - a baresip without SRTP cannot take our required offer, and our phone with SRTP off refuses
 *    baresip's srtp-mand offer with 488.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  makeTestCa,
  makeWorkDir,
  startBaresip,
  startKamailio,
  type BaresipOptions,
  type BaresipUa,
  type KamailioServer,
  type TestCa,
  type WorkDir,
} from '../support/index.ts';
import { mediaArgs, softphone } from './softphone-cli.ts';
import type { CallLine } from './softphone-cli.ts';

const users = ['alice', 'bob', 'carol', 'dave', 'erin'].map((user) => ({ user, password: `${user}-pw` }));

let ca: TestCa;
let kamailio: KamailioServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];
const started = Date.now();

/** The media part of our JSON call lines, with the encryption fields. */
type MediaLine = CallLine['media'] & { encryption?: string; srtpSuite?: string | null };

async function baresip(user: string, options: Partial<BaresipOptions>): Promise<BaresipUa> {
  const ua = await startBaresip({
    aor: `sip:${user}@lab.test`,
    password: `${user}-pw`,
    proxy: kamailio.uri('tls'),
    transport: 'tls',
    caFile: ca.cert.path,
    ...options,
  });
  uas.push(ua);
  await ua.waitFor('REGISTER_OK');
  return ua;
}

/** Our account over TLS (trusting the test CA). */
function account(user: string): string[] {
  return [
    '--aor',
    `sip:${user}@lab.test`,
    '--password',
    `${user}-pw`,
    '--proxy',
    kamailio.uri('tls'),
    '--ca',
    ca.cert.path,
  ];
}

beforeAll(async () => {
  dir = makeWorkDir('srtp-interop');
  ca = await makeTestCa();
  const server = await ca.issue({
    commonName: 'lab.test',
    dnsNames: ['lab.test'],
    ipAddresses: ['127.0.0.1'],
  });
  kamailio = await startKamailio({
    users,
    tls: { cert: server.cert.path, key: server.key.path, ca: ca.cert.path },
  });
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.dispose()));
  await kamailio?.dispose();
  ca?.remove();
  dir?.remove();
  console.log(`SRTP interop suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('SDES-SRTP with baresip over TLS', () => {
  it('we require SRTP and call baresip (srtp-mand): encrypted, and each side hears the other', async () => {
    const bob = await baresip('bob', {
      mediaEncryption: 'srtp-mand',
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 1000 },
      record: true,
    });
    const ours = dir.file('alice-hears-bob.wav');
    const run = softphone({
      dir,
      name: 'alice-srtp-required',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        '--srtp',
        'required',
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(0);
    const active = run.calls().find((c) => c.state === 'active')!;
    expect(active.media as MediaLine).toMatchObject({
      encryption: 'srtp',
      srtpSuite: 'AES_CM_128_HMAC_SHA1_80',
    });
    expect(run.calls().at(-1)!.reason?.kind).toBe('local-hangup');
    await bob.waitFor('CALL_CLOSED');
    // baresip's srtp module says so, and drops what does not authenticate: our tone in its recording
    // means our packets were SRTP under the key we offered.
    expect(bob.log()).toMatch(/SRTP is Enabled \(cryptosuite=AES_CM_128_HMAC_SHA1_80\)/);
    expect(bob.log()).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(bob.log()).not.toMatch(/srtp: failed to decrypt/);
    expect(analyseWav(ours, { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    expect(
      analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.75);
  });

  it('over TLS SRTP is on by default (best effort) and baresip\u2019s optional SRTP takes it', async () => {
    const carol = await baresip('carol', {
      mediaEncryption: 'srtp',
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 700 },
      record: true,
    });
    const ours = dir.file('alice-hears-carol.wav');
    const run = softphone({
      dir,
      name: 'alice-srtp-default',
      args: [
        'call',
        'sip:carol@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, record: ours, duration: 3 }),
      ],
    });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    const active = run.calls().find((c) => c.state === 'active')!;
    expect(active.media as MediaLine).toMatchObject({ encryption: 'srtp' });
    await carol.waitFor('CALL_CLOSED');
    expect(carol.log()).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(carol.log()).toMatch(/SRTP is Enabled/);
    expect(analyseWav(ours, { hz: 700 }).tonePresentRatio).toBeGreaterThanOrEqual(0.6);
  });

  it('a baresip without SRTP cannot take our required offer: no call, 488', async () => {
    const dave = await baresip('dave', { answerMode: 'auto' });
    const run = softphone({
      dir,
      name: 'alice-srtp-refused',
      args: [
        'call',
        'sip:dave@lab.test',
        ...account('alice'),
        '--srtp',
        'required',
        ...mediaArgs({ tone: 440, duration: 3 }),
      ],
    });
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(1);
    const last = run.calls().at(-1)!;
    expect(run.calls().some((c) => c.state === 'active' && c.stats.packetsReceived > 0)).toBe(false);
    expect(last.state).toBe('ended');
    expect(last).toMatchObject({ sipCode: 488, reason: { kind: 'no-common-codec' } });
    // baresip itself refused the RTP/SAVP stream it has no SRTP for.
    expect(dave.log()).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(dave.log()).toMatch(/^SIP\/2\.0 488 Not Acceptable Here/m);
    expect(dave.log()).not.toMatch(/SRTP is Enabled/);
  });

  it('with SRTP off we refuse baresip\u2019s srtp-mand call with 488', async () => {
    const erin = await baresip('erin', { mediaEncryption: 'srtp-mand', answerMode: 'manual' });
    const run = softphone({
      dir,
      name: 'alice-srtp-off',
      args: ['answer', ...account('alice'), '--srtp', 'off', '--ring', '0', '--wait', '6'],
    });
    await run.waitFor((l) => l.type === 'ready');
    const mark = erin.mark();
    await erin.dial('sip:alice@lab.test');
    const closed = await erin.waitFor('CALL_CLOSED', { after: mark });
    expect(closed.param ?? '').toMatch(/488/);
    await sleep(200);
    await run.process.stop(3000);
    expect(run.calls().some((c) => c.state === 'active')).toBe(false);
  });
});
