/**
 * The calls domain of the phone API over the validating CommandRouter: a CallsService on the phone's
 * user agent (alice) against a test phone (bob) on the in-memory network, with a real call log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcResult, PhoneEvent } from '../../../src-shared/ipc/index.ts';
import type { AccountSnapshot } from '../../../src-shared/model/account.ts';
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import { CallHistoryRecorder, CallsService, CommandRouter } from '../../../src-main/phone/index.ts';
import type {
  AudioDeviceProvider,
  CallAccountsSource,
  CommandHandlers,
} from '../../../src-main/phone/index.ts';
import { DuplexAudioPort, MemoryAudioPort, ToneGenerator } from '../../../src-main/media/audio/index.ts';
import type { AudioPort } from '../../../src-main/media/audio/index.ts';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import type { RegistrationConfig } from '../../../src-main/sip/registration/index.ts';
import { SipUserAgent } from '../../../src-main/sip/ua/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { ADDRESSES, TONES, heard, sipUri, startLab } from '../call/support.ts';
import type { Lab } from '../call/support.ts';
import { makeTempDir, openTestStore } from '../store/helpers.ts';
import type { TempDir } from '../store/helpers.ts';

interface Harness {
  lab: Lab;
  service: CallsService;
  ua: SipUserAgent;
  store: Store;
  events: PhoneEvent[];
  opened: Array<{ callId: string; port: AudioPort; speaker: MemoryAudioPort; sampleRate: number }>;
  dispatch(name: string, payload: unknown): Promise<IpcResult<unknown>>;
  call<T = CallSnapshot>(name: string, payload: unknown): Promise<T>;
  changes(id?: string): CallSnapshot[];
  states(id?: string): string[];
}

let h: Harness | undefined;
let dir: TempDir | undefined;

afterEach(async () => {
  if (h !== undefined) {
    const closing = h.service.close();
    await h.lab.run(2000, 100);
    await closing;
    h.ua.close();
    await h.lab.close();
    h.store.close();
    expect(h.lab.clock.pendingTimers()).toBe(0);
    expect(h.lab.net.openSockets()).toBe(0);
  }
  dir?.remove();
  h = undefined;
  dir = undefined;
});

function accountSnapshot(id: string, aor: string, srtp: AccountSnapshot['srtp'] = 'off'): AccountSnapshot {
  return {
    id,
    label: 'Test',
    aor,
    authUser: '',
    displayName: 'Alice',
    domain: ADDRESSES.alice,
    outboundProxy: null,
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: 'off',
    stunServers: [],
    keepaliveIntervalSec: 0,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp,
    turnServers: [],
    hasPassword: false,
    registration: {
      state: 'registered',
      reason: null,
      expiresAt: null,
      nextRetryAt: null,
      contact: null,
      publicAddress: null,
      transport: 'udp',
      registrar: null,
      sipAlg: 'unknown',
      outbound: false,
      requestedExpiresSec: 600,
      grantedExpiresSec: 600,
      failures: 0,
    },
  };
}

async function harness(
  options: {
    withAccount?: boolean;
    bobAutoAnswer?: boolean;
    /** The SRTP policy of our account and of bob's. */
    srtp?: AccountSnapshot['srtp'];
    bobSrtp?: AccountSnapshot['srtp'];
  } = {},
): Promise<Harness> {
  const lab = await startLab({
    phones: ['bob'],
    account: { bob: { autoAnswer: options.bobAutoAnswer ?? false, srtp: options.bobSrtp ?? 'off' } },
  });
  dir = makeTempDir('softphone-calls-');
  const store = openTestStore(dir.path, lab.clock);
  const host = lab.net.host(ADDRESSES.alice, { name: 'alice' });
  const ua = new SipUserAgent({
    clock: lab.clock,
    network: host,
    resolver: new FakeResolver(),
    version: 'test',
    transport: { udp: { families: [4], port: 5060 } },
    supported: ['replaces', 'timer'],
  });
  await ua.start();
  const events: PhoneEvent[] = [];
  const emit = (name: string, payload: unknown): void => void events.push({ name, payload } as PhoneEvent);
  const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const aor = `sip:alice@${ADDRESSES.alice}`;
  const config = {
    aor: sipUri(aor),
    registrar: sipUri(`sip:${ADDRESSES.alice}`),
    expiresSec: 600,
    instanceId: 'urn:uuid:00000000-0000-4000-8000-000000000001',
  } as RegistrationConfig;
  const withAccount = options.withAccount ?? true;
  const accounts: CallAccountsSource = {
    userAgent: ua,
    registrationOf: (id) => (withAccount && id === 'acct-1' ? { config, state: 'registered' } : undefined),
    list: () => (withAccount ? [accountSnapshot('acct-1', aor, options.srtp)] : []),
  };
  const opened: Harness['opened'] = [];
  const audio: AudioDeviceProvider = {
    open: (callId, _options, format) => {
      const speaker = new MemoryAudioPort(8000);
      const port = new DuplexAudioPort(new ToneGenerator({ sampleRate: 8000, frequencyHz: 440 }), speaker);
      opened.push({ callId, port, speaker, sampleRate: format.sampleRate });
      return port;
    },
  };
  const recorder = new CallHistoryRecorder({ store, emit: emit as never, log });
  const service = new CallsService({
    clock: lab.clock,
    network: host,
    accounts,
    history: recorder,
    emit: emit as never,
    log,
    settings: () => DEFAULT_SETTINGS,
    audio,
    random: () => 0.5,
  });
  service.accountsChanged();
  const router = new CommandRouter(service.handlers as unknown as CommandHandlers, {
    isTrustedSender: () => true,
    onInternalError: (name, error) => {
      throw new Error(`${name}: ${String(error)}`);
    },
  });
  const dispatch = (name: string, payload: unknown) => router.dispatch(name, payload, { kind: 'electron' });
  const changes = (id?: string): CallSnapshot[] =>
    events
      .filter((e) => e.name === 'calls.changed')
      .map((e) => e.payload as CallSnapshot)
      .filter((c) => id === undefined || c.id === id);
  return {
    lab,
    service,
    ua,
    store,
    events,
    opened,
    dispatch,
    async call(name, payload) {
      const r = await dispatch(name, payload);
      if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
      return r.value as never;
    },
    changes,
    states: (id) =>
      changes(id)
        .map((c) => c.state)
        .filter((s, i, all) => i === 0 || all[i - 1] !== s),
  };
}

describe('calls.* commands', () => {
  it('dial → ringing → answered by the far end → hangup: snapshots, audio through the provider, call log "answered"', async () => {
    h = await harness();
    const dialled = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    expect(dialled).toMatchObject({
      direction: 'outgoing',
      state: 'dialing',
      accountId: 'acct-1',
      remote: { uri: `sip:bob@${ADDRESSES.bob}` },
    });
    await h.lab.run(100);
    const bobCall = h.lab.phones.bob.last();
    await bobCall.answer();
    await h.lab.run(2000);
    expect(await h.call('calls.list', {})).toMatchObject([
      { id: dialled.id, state: 'active', codec: 'PCMU' },
    ]);
    expect(h.opened.map((o) => [o.callId, o.sampleRate])).toEqual([[dialled.id, 8000]]);
    expect(heard(h.opened[0]!.speaker, TONES.bob)).toBe(true);
    const muted = await h.call('calls.mute', { callId: dialled.id, muted: true });
    expect(muted.muted).toBe(true);
    const ended = await h.call('calls.hangup', { callId: dialled.id });
    expect(ended).toMatchObject({ state: 'ended', reason: { kind: 'local-hangup', text: 'Hung up' } });
    expect(h.opened[0]!.port.closed).toBe(true);
    expect(h.states(dialled.id)).toEqual(['dialing', 'ringing', 'active', 'ended']);
    expect(await h.call('calls.list', {})).toEqual([]);
    // A second hang-up click answers the final snapshot.
    expect(await h.call('calls.hangup', { callId: dialled.id })).toMatchObject({ state: 'ended' });
    const entry = h.store.history.get(dialled.id)!;
    expect(entry).toMatchObject({
      direction: 'outgoing',
      result: 'answered',
      codec: 'PCMU',
      mediaPath: 'direct',
      encryption: 'none',
      completion: 'completed',
      remoteUri: `sip:bob@${ADDRESSES.bob}`,
    });
    expect(entry.durationMs).toBe(2000);
    const history = h.events
      .filter((e) => e.name === 'history.changed')
      .map((e) => (e.payload as { reason: string }).reason);
    expect(history).toEqual(['call-started', 'call-answered', 'call-ended']);
  });

  it('incoming: ringing snapshot, answer, then the caller hangs up', async () => {
    h = await harness();
    const bob = h.lab.phones.bob;
    bob.agent.dial(bob.account, sipUri(`sip:alice@${ADDRESSES.alice}`));
    await h.lab.run(100);
    const [ringing] = h.changes();
    expect(ringing).toMatchObject({
      direction: 'incoming',
      state: 'ringing',
      remote: { uri: `sip:bob@${ADDRESSES.bob}`, displayName: 'Bob' },
      accountId: 'acct-1',
    });
    const answered = await h.call('calls.answer', { callId: ringing!.id });
    expect(answered.state).toBe('active');
    // bob offers PCMU, PCMA, G722; our default order (opus, G722, PCMU, PCMA) picks G.722, and the
    // audio device is told its 16 kHz (the dialled call above, answered by bob with PCMU, said 8 kHz)
    expect(answered.codec).toBe('G722');
    expect(h.opened.map((o) => o.sampleRate)).toEqual([16000]);
    await h.lab.run(500);
    expect(heard(h.opened[0]!.speaker, TONES.bob)).toBe(true);
    bob.last().hangup();
    await h.lab.run(100);
    expect(h.states(ringing!.id)).toEqual(['ringing', 'active', 'ended']);
    expect(h.store.history.get(ringing!.id)).toMatchObject({ direction: 'incoming', result: 'answered' });
  });

  it('call log results: missed (caller cancelled), rejected (we refused), busy (they refused), cancelled (we gave up)', async () => {
    h = await harness();
    const bob = h.lab.phones.bob;
    // missed
    const c1 = bob.agent.dial(bob.account, sipUri(`sip:alice@${ADDRESSES.alice}`));
    await h.lab.run(100);
    c1.hangup();
    await h.lab.run(100);
    // rejected (busy from us)
    bob.agent.dial(bob.account, sipUri(`sip:alice@${ADDRESSES.alice}`));
    await h.lab.run(100);
    const ringing = h
      .changes()
      .filter((c) => c.state === 'ringing')
      .at(-1)!;
    expect(await h.call('calls.reject', { callId: ringing.id, reason: 'busy' })).toMatchObject({
      state: 'ended',
      sipCode: 486,
      reason: { kind: 'busy' },
    });
    await h.lab.run(100);
    // busy (bob refuses our call)
    bob.agent.onCall((c) => queueMicrotask(() => c.direction === 'incoming' && c.reject('busy')));
    const busy = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(200);
    // cancelled
    const cancelled = await h.call('calls.dial', { target: `bob@${ADDRESSES.bob}` });
    await h.call('calls.hangup', { callId: cancelled.id });
    await h.lab.run(200);
    const page = h.store.history.page({});
    if (!page.ok) throw new Error('page failed');
    const results = page.value.entries.map((e) => [e.direction, e.result, e.sipCode]);
    expect(results.reverse()).toEqual([
      ['incoming', 'missed', 487],
      ['incoming', 'rejected', 486],
      ['outgoing', 'busy', 486],
      ['outgoing', 'cancelled', null],
    ]);
    expect(busy.id).not.toBe(cancelled.id);
  });

  it('call log encryption: srtp for an SRTP call, none for a plain one, one that fell back, or a missed one', async () => {
    h = await harness({ srtp: 'optional', bobSrtp: 'optional' });
    const encrypted = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(100);
    await h.lab.phones.bob.last().answer();
    await h.lab.run(1000);
    expect(h.changes(encrypted.id).at(-1)?.media).toMatchObject({ encryption: 'srtp' });
    await h.call('calls.hangup', { callId: encrypted.id });
    await h.lab.run(200);
    expect(h.store.history.get(encrypted.id)).toMatchObject({ result: 'answered', encryption: 'srtp' });
    // Each step's row says it: none while ringing, srtp from the answer on.
    const rows = h.events
      .filter((e) => e.name === 'history.changed')
      .map((e) => e.payload as { reason: string; entry: { encryption: string } | null });
    expect(rows.map((r) => [r.reason, r.entry?.encryption])).toEqual([
      ['call-started', 'none'],
      ['call-answered', 'srtp'],
      ['call-ended', 'srtp'],
    ]);

    // A missed call never had media: none.
    const bob = h.lab.phones.bob;
    const missed = bob.agent.dial(bob.account, sipUri(`sip:alice@${ADDRESSES.alice}`));
    await h.lab.run(100);
    missed.hangup();
    await h.lab.run(200);
    const page = h.store.history.page({});
    if (!page.ok) throw new Error('page failed');
    expect(page.value.entries.map((e) => [e.direction, e.result, e.encryption])).toEqual([
      ['incoming', 'missed', 'none'],
      ['outgoing', 'answered', 'srtp'],
    ]);
  });

  it('call log encryption: none when an offered SRTP call falls back to plain RTP', async () => {
    h = await harness({ srtp: 'optional', bobSrtp: 'off' });
    const plain = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(100);
    await h.lab.phones.bob.last().answer();
    await h.lab.run(1000);
    expect(h.changes(plain.id).at(-1)?.media).toMatchObject({ encryption: 'none', srtpSuite: null });
    await h.call('calls.hangup', { callId: plain.id });
    await h.lab.run(200);
    expect(h.store.history.get(plain.id)).toMatchObject({ result: 'answered', encryption: 'none' });
  });

  it('answers expected failures as { code, message }', async () => {
    h = await harness({ withAccount: false });
    expect(await h.dispatch('calls.dial', { target: 'sip:bob@203.0.113.20' })).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'No account is ready to call from; add or register one first.' },
    });
    expect(await h.dispatch('calls.answer', { callId: 'nope' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no call with id "nope".' },
    });
    expect(await h.dispatch('calls.sendDtmf', { callId: 'x', digits: '12z' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await h.dispatch('calls.reject', { callId: 'x', reason: 'maybe' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await h.dispatch('calls.transfer', { callId: 'x', target: 'a b' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('wrong-state commands are conflicts; transfer to an unknown call is not-found', async () => {
    h = await harness({ bobAutoAnswer: true });
    const dialled = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(200);
    expect(await h.dispatch('calls.answer', { callId: dialled.id })).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: 'The call cannot be answered: the call is active, not ringing here.',
      },
    });
    expect(await h.dispatch('calls.transfer', { callId: dialled.id, replacesCallId: 'other' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no call with id "other".' },
    });
    const held = await h.call('calls.hold', { callId: dialled.id });
    expect(held.state).toBe('active');
    await h.lab.run(100);
    expect((await h.call<CallSnapshot[]>('calls.list', {}))[0]).toMatchObject({ state: 'held' });
    await h.call('calls.resume', { callId: dialled.id });
    await h.lab.run(100);
    expect(await h.call('calls.sendDtmf', { callId: dialled.id, digits: '42' })).toMatchObject({
      state: 'active',
    });
    await h.lab.run(1000);
    expect(h.lab.phones.bob.last().snapshot().dtmfReceived).toBe('42');
  });

  it('sends fresh statistics every 5 s while a call is up, and stops when none is', async () => {
    h = await harness({ bobAutoAnswer: true });
    const dialled = await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(200);
    const before = h.changes(dialled.id).length;
    await h.lab.run(10_000, 100);
    const after = h.changes(dialled.id);
    expect(after.length - before).toBe(2);
    expect(after.at(-1)!.stats.packetsReceived).toBeGreaterThan(after.at(-2)!.stats.packetsReceived);
    await h.call('calls.hangup', { callId: dialled.id });
    const ended = h.changes(dialled.id).length;
    await h.lab.run(10_000, 500);
    expect(h.changes(dialled.id).length).toBe(ended);
  });

  it('close() hangs up the calls (BYE) before the user agent goes', async () => {
    h = await harness({ bobAutoAnswer: true });
    await h.call('calls.dial', { target: `sip:bob@${ADDRESSES.bob}` });
    await h.lab.run(200);
    const mark = h.lab.sip.length;
    const closing = h.service.close();
    await h.lab.run(100);
    await closing;
    expect(h.lab.trace(mark)).toEqual(['alice→bob BYE', 'bob→alice 200 OK']);
    expect(h.lab.phones.bob.last().reason?.kind).toBe('remote-hangup');
    expect(await h.dispatch('calls.dial', { target: 'sip:bob@203.0.113.20' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });
});
