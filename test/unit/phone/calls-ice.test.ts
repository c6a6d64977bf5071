/**
 * ICE through the calls domain: a CallsService ("carol", SIP on a public address, media behind a
 * symmetric MemoryNat) calls the ICE lab's bob with the account's STUN/TURN servers and the relay-only
 * override; the snapshots carry the relayed path, the selected pair and the MOS, and the call log row
 * keeps the path. Leak check at the end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PhoneEvent } from '../../../src-shared/ipc/index.ts';
import type { AccountSnapshot } from '../../../src-shared/model/account.ts';
import type { CallSnapshot } from '../../../src-shared/model/call.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';
import { CallHistoryRecorder, CallsService } from '../../../src-main/phone/index.ts';
import type {
  AccountNatInput,
  AudioDeviceProvider,
  CallAccountsSource,
} from '../../../src-main/phone/index.ts';
import { DuplexAudioPort, MemoryAudioPort, ToneGenerator } from '../../../src-main/media/audio/index.ts';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import type { RegistrationConfig } from '../../../src-main/sip/registration/index.ts';
import { SipUserAgent } from '../../../src-main/sip/ua/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import { TONES, TURN_ADDRESS, TURN_USER, heard, startIceLab } from '../call/ice-support.ts';
import type { IceCallLab } from '../call/ice-support.ts';
import { sipUri } from '../call/support.ts';
import { makeTempDir, openTestStore } from '../store/helpers.ts';
import type { TempDir } from '../store/helpers.ts';

let lab: IceCallLab | undefined;
let store: Store | undefined;
let dir: TempDir | undefined;

afterEach(async () => {
  await lab?.close();
  store?.close();
  dir?.remove();
  lab = undefined;
  store = undefined;
  dir = undefined;
});

const CAROL = '203.0.113.30';

function snapshotOf(nat: AccountNatInput): AccountSnapshot {
  return {
    id: nat.accountId,
    label: 'Carol',
    aor: `sip:carol@${CAROL}`,
    authUser: '',
    displayName: 'Carol',
    domain: CAROL,
    outboundProxy: null,
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: nat.iceMode,
    stunServers: [...nat.stunServers],
    keepaliveIntervalSec: 0,
    mediaPorts: null,
    codecs: ['PCMU'],
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: nat.turnServers.map((t) => ({ uri: t.uri, username: t.username, hasPassword: true })),
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

describe('calls with ICE through the CallsService', () => {
  it('relay-only behind a symmetric NAT: the relayed path and the selected pair in the snapshots, the path in the call log', async () => {
    lab = await startIceLab({ bob: { nat: 'port-restricted' } });
    dir = makeTempDir('softphone-calls-ice-');
    store = openTestStore(dir.path, lab.clock);
    const sipHost = lab.net.host(CAROL, { name: 'carol-sip' });
    const mediaHost = lab.net.host('10.0.3.2', { name: 'carol-media' });
    lab.net.addNat({
      publicAddress: '198.51.100.3',
      inside: [mediaHost],
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      portPreservation: false,
    });
    const ua = new SipUserAgent({
      clock: lab.clock,
      network: sipHost,
      resolver: new FakeResolver(),
      version: 'test',
      transport: { udp: { families: [4], port: 5060 } },
      supported: ['replaces', 'timer'],
    });
    await ua.start();
    const nat: AccountNatInput = {
      accountId: 'acct-c',
      domain: CAROL,
      iceMode: 'auto',
      stunServers: [`stun:${TURN_ADDRESS}:3478`],
      turnServers: [{ uri: `turn:${TURN_ADDRESS}:3478`, ...TURN_USER }],
    };
    const config = {
      aor: sipUri(`sip:carol@${CAROL}`),
      registrar: sipUri(`sip:${CAROL}`),
      expiresSec: 600,
      instanceId: 'urn:uuid:00000000-0000-4000-8000-000000000003',
    } as RegistrationConfig;
    const accounts: CallAccountsSource = {
      userAgent: ua,
      registrationOf: (id) => (id === 'acct-c' ? { config, state: 'registered' } : undefined),
      list: () => [snapshotOf(nat)],
      natInputOf: (id) => (id === 'acct-c' ? nat : undefined),
    };
    const events: PhoneEvent[] = [];
    const emit = (name: string, payload: unknown): void => void events.push({ name, payload } as PhoneEvent);
    const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const speakers: MemoryAudioPort[] = [];
    const audio: AudioDeviceProvider = {
      open: () => {
        const speaker = new MemoryAudioPort(8000);
        speakers.push(speaker);
        return new DuplexAudioPort(new ToneGenerator({ sampleRate: 8000, frequencyHz: 700 }), speaker);
      },
    };
    const service = new CallsService({
      clock: lab.clock,
      network: mediaHost,
      accounts,
      history: new CallHistoryRecorder({ store, emit: emit as never, log }),
      emit: emit as never,
      log,
      settings: () => DEFAULT_SETTINGS,
      audio,
      random: () => 0.5,
      ice: { relayOnly: true },
    });
    service.accountsChanged();

    const dialled = await service.dial(`sip:bob@203.0.113.20`, 'acct-c', {});
    await lab.runUntil(() => lab!.bob.calls.length > 0 && lab!.bob.last().phase === 'ringing');
    let answered = false;
    void lab.bob
      .last()
      .answer()
      .then(() => (answered = true));
    await lab.runUntil(() => answered);
    await lab.runUntil(() => service.list()[0]?.media.ice?.state === 'connected');
    await lab.run(3000);

    const up = service.list()[0]!;
    expect(up.media).toMatchObject({
      path: 'relayed',
      transport: 'ice',
      ice: {
        state: 'connected',
        role: 'controlling',
        policy: 'relay-only',
        selected: { local: { type: 'relay' }, remote: { type: 'srflx' }, transport: 'udp' },
      },
    });
    expect(up.media.ice?.selected?.local.address).toMatch(/^203\.0\.113\.5:\d+$/);
    expect(up.stats.mos).toBeGreaterThan(4.3);
    expect(heard(speakers[0], TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(lab.bob.last().id), 700)).toBe(true);
    // calls.changed went out when the pair was selected, not only with the statistics timer.
    const changes = events.filter((e) => e.name === 'calls.changed').map((e) => e.payload as CallSnapshot);
    expect(changes.some((c) => c.media.ice?.state === 'checking')).toBe(true);
    expect(changes.some((c) => c.media.ice?.selected !== null && c.media.ice?.selected !== undefined)).toBe(
      true,
    );

    service.handlers['calls.hangup']({ callId: dialled.id });
    await lab.run(1000);
    const entry = store.history.get(dialled.id);
    expect(entry).toMatchObject({ result: 'answered', mediaPath: 'relayed', codec: 'PCMU' });
    expect(entry?.mos).toBeGreaterThan(4.3);

    const closing = service.close();
    await lab.run(4000, 100);
    await closing;
    ua.close();
  });
});
