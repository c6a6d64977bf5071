/**
 * The SIP log through a real Phone and the validating router: an account registers (digest) against the
 * in-test registrar on the in-memory network, and the log shows REGISTER / 401 / REGISTER / 200 in order,
 * with no password or digest response anywhere — ring, events or exports.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import type { IpcResult, PhoneEvent } from '../../../src-shared/ipc/index.ts';
import type { AccountInput, AccountSnapshot } from '../../../src-shared/model/account.ts';
import { SipLogEntry } from '../../../src-shared/model/siplog.ts';
import type { SipLogBatch, SipLogExport, SipLogStatus } from '../../../src-shared/model/siplog.ts';
import { ladderOf } from '../../../src-shared/model/siplog-ladder.ts';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../src-main/platform/index.ts';
import { CommandRouter, Phone } from '../../../src-main/phone/index.ts';
import { authParam, Header } from '../../../src-main/sip/syntax/index.ts';
import { settleNow, wait, waitFor } from '../sip/registration/steps.ts';
import { TestRegistrar } from '../sip/registration/test-registrar.ts';

const T0 = 1_700_000_000_000;
const PASSWORD = 'correct-horse-battery';

let clock: FakeClock;
let net: MemoryNetwork;
let registrar: TestRegistrar;
let phone: Phone;
let events: PhoneEvent[];
let internal: unknown[];
let router: CommandRouter;

beforeEach(async () => {
  clock = new FakeClock({ now: T0 });
  net = new MemoryNetwork(clock);
  registrar = await TestRegistrar.start(clock, net, { users: { '1000': PASSWORD } });
  phone = new Phone({
    host: 'cli',
    dataDir: '/test-data',
    clock,
    network: net.host('192.0.2.10'),
    resolver: new FakeResolver(),
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
    sip: { retryBaseMs: 30_000 },
  });
  events = [];
  phone.events.on((e) => {
    if (e.name !== 'app.log') events.push(e);
  });
  internal = [];
  router = new CommandRouter(phone.handlers, {
    isTrustedSender: () => true,
    onInternalError: (_n, e) => internal.push(e),
  });
});

afterEach(async () => {
  await waitFor(clock, phone.close());
  registrar.close();
  await settleNow(clock);
  clock.runAll();
  await settleNow(clock);
  expect(internal).toEqual([]);
  // Leak check: the phone closed its transports, the log its batch timer.
  expect(clock.pendingTimers()).toBe(0);
  expect(net.openSockets()).toBe(0);
});

async function call<T>(name: string, payload: unknown): Promise<T> {
  const result: IpcResult<unknown> = await waitFor(
    clock,
    router.dispatch(name, payload, { kind: 'electron' }),
  );
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function account(): AccountInput {
  return {
    label: 'Office',
    aor: 'sip:1000@lab.test',
    authUser: '',
    displayName: '',
    domain: 'lab.test',
    outboundProxy: 'sip:203.0.113.5',
    transport: 'udp',
    registerExpiresSec: 300,
    enabled: true,
    iceMode: 'auto',
    stunServers: [],
    keepaliveIntervalSec: 0,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: [],
    password: PASSWORD,
  };
}

function batches(): SipLogBatch[] {
  return events.filter((e) => e.name === 'siplog.messages').map((e) => e.payload as SipLogBatch);
}

describe('the SIP log of a registering phone', () => {
  it('shows REGISTER / 401 / REGISTER / 200 in order, with directions, addresses, account and Call-ID', async () => {
    const packets: Array<{ from: string; bytes: Uint8Array }> = [];
    net.onPacket((p) => packets.push({ from: p.from.address, bytes: p.bytes }));
    const added = await call<AccountSnapshot>('accounts.add', account());
    await settleNow(clock);
    expect(registrar.bindingsOf('1000')).toHaveLength(1);

    const entries = await call<SipLogEntry[]>('siplog.recent', {});
    for (const e of entries) expect(SipLogEntry.parse(e)).toEqual(e);
    expect(
      entries.map((e) => [e.seq, e.direction, e.kind, e.startLine, e.status ?? null, e.cseq?.seq]),
    ).toEqual([
      [0, 'out', 'request', 'REGISTER sip:lab.test SIP/2.0', null, 1],
      [1, 'in', 'response', 'SIP/2.0 401 Unauthorized', 401, 1],
      [2, 'out', 'request', 'REGISTER sip:lab.test SIP/2.0', null, 2],
      [3, 'in', 'response', 'SIP/2.0 200 OK', 200, 2],
    ]);
    const callId = registrar.received[0]!.request.callId;
    for (const e of entries) {
      expect(e).toMatchObject({
        transport: 'udp',
        remote: '203.0.113.5:5060',
        accountId: added.id,
        callId,
        method: 'REGISTER',
        at: T0,
      });
      expect(e.local).toMatch(/^192\.0\.2\.10:\d+$/);
      expect(e.local).toBe(entries[0]!.local);
    }
    // Each entry is one packet of the network, as large and (redactions aside) the same text.
    expect(packets.map((p) => p.from)).toEqual(['192.0.2.10', '203.0.113.5', '192.0.2.10', '203.0.113.5']);
    expect(entries.map((e) => e.size)).toEqual(packets.map((p) => p.bytes.byteLength));
    for (const [i, e] of entries.entries()) {
      const wire = Buffer.from(packets[i]!.bytes).toString('utf8').replace(/\r\n/g, '\n');
      expect(e.text).toBe(i === 2 ? wire.replace(/(response|cnonce)="[^"]*"/g, '$1="<redacted>"') : wire);
    }
    expect(entries[1]!.text).toContain(
      'WWW-Authenticate: Digest realm="lab.test", nonce="nonce-1", qop="auth", algorithm=MD5',
    );

    expect(await call('siplog.calls', {})).toEqual([
      expect.objectContaining({
        callId,
        accountId: added.id,
        firstMethod: 'REGISTER',
        methods: ['REGISTER'],
        messages: 4,
        finalStatus: 200,
      }),
    ]);
    const ladder = ladderOf(entries, callId);
    expect(ladder.arrows.map((a) => [a.from, a.to, a.label])).toEqual([
      [0, 1, 'REGISTER'],
      [1, 0, '401 Unauthorized'],
      [0, 1, 'REGISTER'],
      [1, 0, '200 OK'],
    ]);

    // The renderer got the same entries, in batches, at most one per 100 ms.
    await wait(clock, 100);
    expect(batches().flatMap((b) => b.entries)).toEqual(entries);
    expect(batches().every((b) => b.skipped === 0)).toBe(true);
  });

  it('never shows the password or the digest response: not in the ring, the events or either export', async () => {
    await call('accounts.add', account());
    await settleNow(clock);
    await wait(clock, 100);
    const credentials = registrar.received[1]!.request.headers.first(Header.Authorization);
    if (!credentials.ok || credentials.value === undefined)
      throw new Error('no Authorization reached the registrar');
    const response = authParam(credentials.value, 'response');
    const cnonce = authParam(credentials.value, 'cnonce');
    expect(response).toMatch(/^[0-9a-f]{32}$/);

    const entries = await call<SipLogEntry[]>('siplog.recent', {
      method: 'register',
      text: 'authorization:',
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.text).toMatch(
      /\nAuthorization: Digest username="1000", realm="lab\.test", nonce="nonce-1", uri="sip:lab\.test", response="<redacted>", algorithm=MD5, cnonce="<redacted>", qop=auth, nc=00000001\n/,
    );
    const text = await call<SipLogExport>('siplog.export', { format: 'text' });
    const json = await call<SipLogExport>('siplog.export', { format: 'json' });
    expect(text.messages).toBe(4);
    expect(text.text).toMatch(
      /^#2 2023-11-14 22:13:20\.000 UTC OUT UDP 192\.0\.2\.10:\d+ -> 203\.0\.113\.5:5060 \(\d+ bytes\) \[account [\w-]+\]\nREGISTER sip:lab\.test SIP\/2\.0\n/m,
    );
    const everything = JSON.stringify([
      await call('siplog.recent', {}),
      events,
      text,
      json,
      await call('siplog.calls', {}),
    ]);
    for (const secret of [PASSWORD, response!, cnonce!]) expect(everything).not.toContain(secret);
  });

  it('captures nothing while turned off, forgets on clear, and answers hostile requests with typed errors', async () => {
    expect(await call<SipLogStatus>('siplog.setEnabled', { enabled: false })).toMatchObject({
      enabled: false,
      messages: 0,
    });
    await call('accounts.add', account());
    await settleNow(clock);
    expect(registrar.bindingsOf('1000')).toHaveLength(1);
    expect(await call('siplog.recent', {})).toEqual([]);
    await call('siplog.setEnabled', { enabled: true });
    await call('accounts.unregister', { id: (await call<AccountSnapshot[]>('accounts.list', {}))[0]!.id });
    await settleNow(clock);
    const after = await call<SipLogEntry[]>('siplog.recent', {});
    expect(after.map((e) => [e.direction, e.startLine])).toEqual([
      ['out', 'REGISTER sip:lab.test SIP/2.0'],
      ['in', 'SIP/2.0 200 OK'],
    ]);
    expect(after[0]!.text).toContain('Expires: 0');
    expect(await call<SipLogStatus>('siplog.clear', {})).toMatchObject({
      enabled: true,
      messages: 0,
      captured: 0,
    });
    expect(await call('siplog.recent', {})).toEqual([]);
    expect(
      events.filter((e) => e.name === 'siplog.changed').map((e) => (e.payload as SipLogStatus).enabled),
    ).toEqual([false, true, true]);

    const hostile: Array<[string, unknown]> = [
      ['siplog.recent', { limit: 0 }],
      ['siplog.recent', { limit: 1e9 }],
      ['siplog.recent', { text: 'x'.repeat(201) }],
      ['siplog.recent', { callId: '' }],
      ['siplog.recent', { accountId: '../etc' }],
      ['siplog.recent', { method: 'INVITE', extra: 1 }],
      ['siplog.export', { format: 'pcap' }],
      ['siplog.export', {}],
      ['siplog.setEnabled', { enabled: 'yes' }],
      ['siplog.clear', { all: true }],
    ];
    for (const [name, payload] of hostile) {
      const result = await router.dispatch(name, payload, { kind: 'electron' });
      expect(result, `${name} ${JSON.stringify(payload).slice(0, 40)}`).toMatchObject({
        ok: false,
        error: { code: 'invalid-request' },
      });
    }
    expect(
      await router.dispatch('siplog.export', { format: 'text', callId: 'unknown' }, { kind: 'electron' }),
    ).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'The SIP log has no messages with that Call-ID.' },
    });
  });
});
