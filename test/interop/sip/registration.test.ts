/**
 * Registration against Kamailio 5.6, driving the real `softphone register --json` (spawned) and once the
 * Phone in-process: UDP, TCP, TLS (test CA via --ca, verification on), the binding as Kamailio holds it,
 * refreshes (Kamailio max_expires 20 → granted 20 s → refresh every 10 s), un-REGISTER, a wrong password
 * (exactly two REGISTERs, then nothing), a registrar that stops and starts again (backoff, then
 * registered without anyone doing anything), and 20 % packet loss on the client's link inside a NAT lab.
 *
 * Kamailio's usrloc is read with kamcmd; AOR users are letters only (kamcmd passes digit-only
 * arguments as integers, which ul.lookup refuses).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../src-shared/model/account.ts';
import { createNodePhone } from '../../../src-main/phone/index.ts';
import { CliPhoneClient } from '../../../src-main/cli/phone-client.ts';
import {
  createNatLab,
  makeTestCa,
  makeWorkDir,
  measureUdpLoss,
  spawnManaged,
  startKamailio,
} from '../support/index.ts';
import type { KamailioServer, ManagedProcess, NatLab, TestCa, WorkDir } from '../support/index.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/softphone.js');

const USERS = [
  { user: 'alice', password: 'alice-secret' },
  { user: 'bob', password: 'bob-secret' },
  { user: 'carol', password: 'carol-secret' },
  { user: 'dave', password: 'dave-secret' },
  { user: 'erin', password: 'erin-secret' },
  { user: 'frank', password: 'frank-secret' },
];

let ca: TestCa;
let kamailio: KamailioServer;
let work: WorkDir;
const running: ManagedProcess[] = [];

beforeAll(async () => {
  work = makeWorkDir('registration');
  ca = await makeTestCa();
  const server = await ca.issue({
    commonName: 'lab.test',
    dnsNames: ['lab.test'],
    ipAddresses: ['127.0.0.1'],
  });
  kamailio = await startKamailio({
    users: USERS,
    maxExpires: 20,
    tls: { cert: server.cert.path, key: server.key.path, ca: ca.cert.path },
  });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop(2000)));
  await kamailio?.dispose();
  ca?.remove();
  work?.remove();
});

type Line = Record<string, unknown> & { type: string };

/** The CLI as a managed child: its JSON lines, waits on them, its exit. */
interface PhoneCli {
  readonly process: ManagedProcess;
  lines(): Line[];
  registrations(): Line[];
  waitForLine(predicate: (line: Line) => boolean, timeoutMs?: number, from?: number): Promise<Line>;
  exit(): Promise<number | null>;
}

function jsonLines(log: string): Line[] {
  return log
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

function wrap(proc: ManagedProcess): PhoneCli {
  running.push(proc);
  const lines = (): Line[] => jsonLines(proc.log());
  return {
    process: proc,
    lines,
    registrations: () => lines().filter((l) => l.type === 'registration'),
    async waitForLine(predicate, timeoutMs = 20_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().slice(from).find(predicate);
        if (found !== undefined) return found;
        if (!proc.isRunning() || Date.now() > deadline) {
          throw new Error(`no such line (${proc.isRunning() ? 'timeout' : 'exited'}):\n${proc.log()}`);
        }
        await sleep(50);
      }
    },
    async exit() {
      return (await proc.exited).code;
    },
  };
}

function register(args: readonly string[], netns?: { lab: NatLab; ns: string }): PhoneCli {
  const argv = [BIN, 'register', ...args, '--json'];
  if (netns !== undefined) return wrap(netns.lab.spawn(netns.ns, 'softphone', process.execPath, argv));
  return wrap(
    spawnManaged({
      name: 'softphone',
      command: process.execPath,
      args: argv,
      logPath: work.file(`cli-${running.length}.log`),
      workDir: work,
    }),
  );
}

const registered = (l: Line): boolean => l.type === 'registration' && l.state === 'registered';

/** REQ REGISTER lines Kamailio logged after `offset` (its xlog line for every request). */
function registersSince(offset: number): number {
  return (
    readFileSync(kamailio.logPath, 'utf8')
      .slice(offset)
      .match(/REQ REGISTER /g) ?? []
  ).length;
}

function logSize(): number {
  return readFileSync(kamailio.logPath, 'utf8').length;
}

describe('softphone register against Kamailio', () => {
  it('UDP: registers, Kamailio holds the binding, refreshes every 10 s, unregisters at the end of --duration', async () => {
    const cli = register([
      '--aor',
      'sip:alice@lab.test',
      '--password',
      'alice-secret',
      '--proxy',
      kamailio.uri('udp'),
      '--duration',
      '13',
    ]);
    const first = await cli.waitForLine(registered);
    expect(first).toMatchObject({
      aor: 'sip:alice@lab.test',
      transport: 'udp',
      grantedExpiresSec: 20,
      requestedExpiresSec: 300,
      reason: null,
      sipAlg: 'not-detected',
      publicAddress: null,
    });
    const contact = String(first.contact);
    expect(contact).toMatch(/^sip:alice@127\.0\.0\.1:\d+$/);
    const [binding] = await kamailio.bindings('alice');
    expect(binding?.contact).toBe(contact);
    expect(binding?.socket).toBe(`udp:127.0.0.1:${kamailio.udpPort}`);
    expect(binding?.expires).toBeLessThanOrEqual(20);
    expect(binding?.userAgent).toMatch(/^Softphone\//);
    expect(binding?.received).toBeUndefined();
    // The refresh: a second registered line, expiresAt moved on by about 10 s.
    const refreshed = await cli.waitForLine(
      (l) => registered(l) && Number(l.expiresAt) > Number(first.expiresAt),
      15_000,
    );
    expect(Number(refreshed.expiresAt) - Number(first.expiresAt)).toBeGreaterThanOrEqual(9_000);
    expect(Number(refreshed.expiresAt) - Number(first.expiresAt)).toBeLessThanOrEqual(11_500);
    expect(await cli.exit()).toBe(0);
    expect(
      cli
        .registrations()
        .map((l) => l.state)
        .filter((s, i, all) => all[i - 1] !== s),
    ).toEqual(['registering', 'registered', 'unregistering', 'unregistered']);
    expect(cli.lines().at(-1)).toMatchObject({
      type: 'result',
      ok: true,
      value: { registered: true, stoppedBy: 'duration' },
    });
    expect(await kamailio.bindings('alice')).toEqual([]);
  });

  it('TCP and TLS (trusting the test CA with --ca); SIGTERM unregisters and exits 0', async () => {
    const tcp = register([
      '--aor',
      'sip:bob@lab.test',
      '--password',
      'bob-secret',
      '--proxy',
      kamailio.uri('tcp'),
    ]);
    const tls = register([
      '--aor',
      'sip:carol@lab.test',
      '--password',
      'carol-secret',
      '--proxy',
      kamailio.uri('tls'),
      '--ca',
      ca.cert.path,
    ]);
    const [tcpLine, tlsLine] = await Promise.all([tcp.waitForLine(registered), tls.waitForLine(registered)]);
    expect(tcpLine).toMatchObject({
      transport: 'tcp',
      contact: expect.stringMatching(/^sip:bob@127\.0\.0\.1:\d+;transport=tcp$/),
    });
    expect(tlsLine).toMatchObject({
      transport: 'tls',
      contact: expect.stringMatching(/^sip:carol@127\.0\.0\.1:\d+;transport=tls$/),
    });
    const [tcpBinding] = await kamailio.bindings('bob');
    expect(tcpBinding?.socket).toBe(`tcp:127.0.0.1:${kamailio.tcpPort}`);
    expect(tcpBinding?.tcpConnectionId).toBeGreaterThan(0);
    const [tlsBinding] = await kamailio.bindings('carol');
    expect(tlsBinding?.socket).toBe(`tls:127.0.0.1:${kamailio.tlsPort}`);
    await Promise.all([tcp.process.stop(5000), tls.process.stop(5000)]);
    expect([await tcp.exit(), await tls.exit()]).toEqual([0, 0]);
    expect(tcp.registrations().at(-1)?.state).toBe('unregistered');
    expect(tls.registrations().at(-1)?.state).toBe('unregistered');
    expect(await kamailio.bindings('bob')).toEqual([]);
    expect(await kamailio.bindings('carol')).toEqual([]);
  });

  it('TLS without the test CA fails verification: exit 1, nothing bound', async () => {
    const cli = register([
      '--aor',
      'sip:carol@lab.test',
      '--password',
      'carol-secret',
      '--proxy',
      kamailio.uri('tls'),
    ]);
    expect(await cli.exit()).toBe(1);
    expect(cli.registrations().at(-1)).toMatchObject({ state: 'failed', reason: { kind: 'transport' } });
    expect(cli.lines().at(-1)).toMatchObject({ type: 'error', code: 'registration-failed' });
    expect(await kamailio.bindings('carol')).toEqual([]);
  });

  it('wrong password: exactly two REGISTERs, the 401 reason, exit 1 with a plain message', async () => {
    const offset = logSize();
    const cli = register([
      '--aor',
      'sip:dave@lab.test',
      '--password',
      'not-daves',
      '--proxy',
      kamailio.uri('udp'),
    ]);
    expect(await cli.exit()).toBe(1);
    expect(cli.registrations().at(-1)).toMatchObject({
      state: 'failed',
      reason: { kind: 'auth', code: 401, text: 'Unauthorized' },
      nextRetryAt: null,
    });
    expect(cli.lines().at(-1)).toEqual({
      type: 'error',
      ok: false,
      code: 'registration-failed',
      message: 'Registration failed: 401 Unauthorized \u2014 check the password',
    });
    await sleep(500);
    expect(registersSince(offset)).toBe(2);
  });

  it('wrong password in the Phone itself: failed, and no retry while time passes', async () => {
    const phone = createNodePhone({ host: 'cli', storage: 'none' });
    const client = new CliPhoneClient(phone);
    const offset = logSize();
    try {
      const states: string[] = [];
      phone.events.on((e) => {
        if (e.name === 'accounts.changed')
          states.push(...e.payload.map((a: AccountSnapshot) => a.registration.state));
      });
      const added = await client.call('accounts.add', {
        label: 'Dave',
        aor: 'sip:dave@lab.test',
        authUser: '',
        displayName: '',
        domain: 'lab.test',
        outboundProxy: kamailio.uri('udp'),
        transport: 'udp',
        registerExpiresSec: 60,
        enabled: true,
        iceMode: 'auto',
        stunServers: [],
        keepaliveIntervalSec: 25,
        mediaPorts: null,
        codecs: null,
        dtmfMode: null,
        autoAnswer: false,
        srtp: 'off',
        turnServers: [],
        password: 'wrong',
      });
      expect(added.ok).toBe(true);
      const deadline = Date.now() + 5000;
      while (!states.includes('failed') && Date.now() < deadline) await sleep(50);
      await sleep(4000);
      const list = await client.call('accounts.list', {});
      expect(list.ok && list.value[0]?.registration).toMatchObject({
        state: 'failed',
        reason: { kind: 'auth', code: 401 },
        nextRetryAt: null,
      });
      expect(registersSince(offset)).toBe(2);
    } finally {
      await phone.close();
    }
  });

  it('registrar stopped → failed with nextRetryAt (backoff) → started again → registered without user action', async () => {
    const cli = register([
      '--aor',
      'sip:erin@lab.test',
      '--password',
      'erin-secret',
      '--proxy',
      kamailio.uri('tcp'),
      '--retry-base',
      '1',
    ]);
    await cli.waitForLine(registered);
    const before = cli.lines().length;
    await kamailio.stop();
    const failed = await cli.waitForLine(
      (l) => l.type === 'registration' && l.state === 'failed',
      20_000,
      before,
    );
    expect(failed).toMatchObject({ reason: { kind: 'transport' } });
    expect(Number(failed.nextRetryAt)).toBeGreaterThan(Date.now() - 1000);
    // A few retries with growing waits, then the registrar is back.
    await cli.waitForLine(
      (l) => l.type === 'registration' && l.state === 'failed' && Number(l.failures) >= 2,
      20_000,
      before,
    );
    await kamailio.start();
    const back = await cli.waitForLine(registered, 30_000, before);
    expect(back).toMatchObject({ reason: null, failures: 0, transport: 'tcp' });
    expect((await kamailio.bindings('erin')).map((b) => b.contact)).toEqual([back.contact]);
    // Every failure scheduled its retry later than the one before (backoff), and none waits for the user.
    const retries = cli
      .registrations()
      .filter((l) => l.state === 'failed')
      .map((l) => Number(l.nextRetryAt));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.every((t, i) => t > 0 && (i === 0 || t > (retries[i - 1] ?? 0)))).toBe(true);
    await cli.process.stop(5000);
    expect(await cli.exit()).toBe(0);
  });
});

describe('softphone register through 20 % packet loss behind a NAT', () => {
  let lab: NatLab;
  let publicKamailio: KamailioServer;

  beforeAll(async () => {
    lab = await createNatLab({ nats: [{ name: 'home', kind: 'port-restricted' }] });
    publicKamailio = await startKamailio({
      users: USERS,
      address: lab.serverAddresses[0] ?? '',
      netns: lab.publicNs,
      maxExpires: 60,
    });
  });

  afterAll(async () => {
    await publicKamailio?.dispose();
    await lab?.destroy();
  });

  it('registers anyway, with Contact rewritten to the NAT\u2019s public address', async () => {
    const home = lab.nat('home');
    const loss = await lab.loss(home.homeNs, 'eth0', 0.2, 'both');
    try {
      // The rule bites: about one datagram in five from the home never arrives.
      const measured = await measureUdpLoss(lab, {
        fromNs: home.homeNs,
        toNs: lab.publicNs,
        toAddress: lab.serverAddresses[0] ?? '',
        count: 500,
      });
      expect(measured.lossRatio).toBeGreaterThan(0.1);
      expect(measured.lossRatio).toBeLessThan(0.3);
      const cli = register(
        [
          '--aor',
          'sip:frank@lab.test',
          '--password',
          'frank-secret',
          '--proxy',
          publicKamailio.uri('udp'),
          '--keepalive',
          '0',
        ],
        { lab, ns: home.homeNs },
      );
      const line = await cli.waitForLine(registered, 40_000);
      expect(line).toMatchObject({
        publicAddress: expect.stringMatching(/^203\.0\.113\.11:\d+$/),
        contact: expect.stringMatching(/^sip:frank@203\.0\.113\.11:\d+$/),
      });
      const bindings = await publicKamailio.bindings('frank');
      expect(bindings.map((b) => b.contact)).toEqual([line.contact]);
      // Ctrl-C: un-REGISTER (which may be lost too: the CLI waits at most 2 s), exit 0.
      await cli.process.stop(8000);
      expect(await cli.exit()).toBe(0);
    } finally {
      await loss.remove();
    }
  });
});
