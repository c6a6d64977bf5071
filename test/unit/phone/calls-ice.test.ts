/**
 * ICE through the calls domain: a CallsService ("carol", SIP on a public address, media behind a
 * symmetric MemoryNat or on a public host) calls the ICE lab's bob with the account's STUN/TURN servers
 * and the relay-only override; the snapshots carry the relayed path, the selected pair and the MOS, and
 * the call log row keeps the path. TURN over TLS (turns:) is verified with the phone's extra trust
 * anchors (the service's `tlsCa`, SIP TLS's): the lab's certificate comes from a private CA. Leak check
 * at the end.
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
  CallsIceOptions,
} from '../../../src-main/phone/index.ts';
import { DuplexAudioPort, MemoryAudioPort, ToneGenerator } from '../../../src-main/media/audio/index.ts';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import { StunMethod } from '../../../src-main/media/stun/index.ts';
import type { MemoryHost } from '../../../src-main/platform/index.ts';
import type { RegistrationConfig } from '../../../src-main/sip/registration/index.ts';
import { SipUserAgent } from '../../../src-main/sip/ua/index.ts';
import type { Store } from '../../../src-main/store/index.ts';
import {
  TONES,
  TURN_ADDRESS,
  TURN_TLS_NAME,
  TURN_TLS_PORT,
  TURN_USER,
  heard,
  startIceLab,
} from '../call/ice-support.ts';
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

/** A private CA's certificate (the lab's TLS certificate of the TURN server is issued by it). */
const LAB_CA = '-----BEGIN CERTIFICATE-----\nLAB-TURN-CA\n-----END CERTIFICATE-----\n';
const TURNS_URI = `turns:${TURN_TLS_NAME}:${TURN_TLS_PORT}?transport=tcp`;

interface Carol {
  readonly service: CallsService;
  readonly events: PhoneEvent[];
  readonly speakers: MemoryAudioPort[];
  readonly warnings: string[];
  /** Dial bob, let him answer, run until ICE is connected and 3 s more. */
  callBob(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Carol's CallsService on the lab: SIP on a public host, media behind a symmetric NAT (`symmetric`) or
 * on a public host of its own; turn.lab.test resolves to the lab's TURN server.
 */
async function startCarol(
  l: NonNullable<typeof lab>,
  options: { nat: AccountNatInput; symmetric: boolean; ice?: CallsIceOptions; tlsCa?: string[] },
): Promise<Carol> {
  dir = makeTempDir('softphone-calls-ice-');
  const history = openTestStore(dir.path, l.clock);
  store = history;
  const sipHost = l.net.host(CAROL, { name: 'carol-sip' });
  let mediaHost: MemoryHost;
  if (options.symmetric) {
    mediaHost = l.net.host('10.0.3.2', { name: 'carol-media' });
    l.net.addNat({
      publicAddress: '198.51.100.3',
      inside: [mediaHost],
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      portPreservation: false,
    });
  } else mediaHost = l.net.host('203.0.113.31', { name: 'carol-media' });
  const ua = new SipUserAgent({
    clock: l.clock,
    network: sipHost,
    resolver: new FakeResolver(),
    version: 'test',
    transport: { udp: { families: [4], port: 5060 } },
    supported: ['replaces', 'timer'],
  });
  await ua.start();
  const nat = options.nat;
  const config = {
    aor: sipUri(`sip:carol@${CAROL}`),
    registrar: sipUri(`sip:${CAROL}`),
    expiresSec: 600,
    instanceId: 'urn:uuid:00000000-0000-4000-8000-000000000003',
  } as RegistrationConfig;
  const accounts: CallAccountsSource = {
    userAgent: ua,
    registrationOf: (id) => (id === nat.accountId ? { config, state: 'registered' } : undefined),
    list: () => [snapshotOf(nat)],
    natInputOf: (id) => (id === nat.accountId ? nat : undefined),
  };
  const events: PhoneEvent[] = [];
  const warnings: string[] = [];
  const emit = (name: string, payload: unknown): void => void events.push({ name, payload } as PhoneEvent);
  const log = {
    debug: () => {},
    info: () => {},
    warn: (message: string) => void warnings.push(message),
    error: () => {},
  };
  const speakers: MemoryAudioPort[] = [];
  const audio: AudioDeviceProvider = {
    open: () => {
      const speaker = new MemoryAudioPort(8000);
      speakers.push(speaker);
      return new DuplexAudioPort(new ToneGenerator({ sampleRate: 8000, frequencyHz: 700 }), speaker);
    },
  };
  const service = new CallsService({
    clock: l.clock,
    network: mediaHost,
    accounts,
    history: new CallHistoryRecorder({ store: history, emit: emit as never, log }),
    emit: emit as never,
    log,
    settings: () => DEFAULT_SETTINGS,
    audio,
    random: () => 0.5,
    resolver: new FakeResolver().set(TURN_TLS_NAME, 'A', [TURN_ADDRESS]),
    ...(options.ice !== undefined && { ice: options.ice }),
    ...(options.tlsCa !== undefined && { tlsCa: options.tlsCa }),
  });
  service.accountsChanged();
  return {
    service,
    events,
    speakers,
    warnings,
    async callBob() {
      const dialled = await service.dial(`sip:bob@203.0.113.20`, nat.accountId, {});
      await l.runUntil(() => l.bob.calls.length > 0 && l.bob.last().phase === 'ringing');
      let answered = false;
      void l.bob
        .last()
        .answer()
        .then(() => (answered = true));
      await l.runUntil(() => answered);
      await l.runUntil(() => service.list()[0]?.media.ice?.state === 'connected');
      await l.run(3000);
      return dialled.id;
    },
    async close() {
      const closing = service.close();
      await l.run(4000, 100);
      await closing;
      ua.close();
    },
  };
}

describe('calls with ICE through the CallsService', () => {
  it('relay-only behind a symmetric NAT: the relayed path and the selected pair in the snapshots, the path in the call log', async () => {
    lab = await startIceLab({ bob: { nat: 'port-restricted' } });
    const carol = await startCarol(lab, {
      nat: {
        accountId: 'acct-c',
        domain: CAROL,
        iceMode: 'auto',
        stunServers: [`stun:${TURN_ADDRESS}:3478`],
        turnServers: [{ uri: `turn:${TURN_ADDRESS}:3478`, ...TURN_USER }],
      },
      symmetric: true,
      ice: { relayOnly: true },
    });
    const { service, events, speakers } = carol;
    const callId = await carol.callBob();

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

    service.handlers['calls.hangup']({ callId });
    await lab.run(1000);
    const entry = store!.history.get(callId);
    expect(entry).toMatchObject({ result: 'answered', mediaPath: 'relayed', codec: 'PCMU' });
    expect(entry?.mos).toBeGreaterThan(4.3);
    await carol.close();
  });

  it('relay-only over turns: with the phone’s extra trust anchor (SIP TLS’s): the TLS relay carries the call', async () => {
    lab = await startIceLab({ bob: { nat: 'port-restricted' }, turnTls: { issuer: LAB_CA } });
    const carol = await startCarol(lab, {
      nat: {
        accountId: 'acct-c',
        domain: CAROL,
        iceMode: 'auto',
        stunServers: [],
        turnServers: [{ uri: TURNS_URI, ...TURN_USER }],
      },
      symmetric: true,
      ice: { relayOnly: true },
      tlsCa: ['another CA', LAB_CA],
    });
    const callId = await carol.callBob();
    const up = carol.service.list()[0]!;
    expect(up.media).toMatchObject({
      path: 'relayed',
      ice: {
        state: 'connected',
        policy: 'relay-only',
        selected: { local: { type: 'relay' }, transport: 'tls' },
      },
    });
    expect(up.media.ice?.selected?.local.address).toMatch(/^203\.0\.113\.5:\d+$/);
    expect(heard(carol.speakers[0], TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(lab.bob.last().id), 700)).toBe(true);
    // The allocation was made over TLS, on the connection verified for turn.lab.test.
    // Challenge and authenticated Allocate for each component (RTP, RTCP).
    expect(lab.turn.requests(StunMethod.allocate).map((r) => r.transport)).toEqual([
      'tls',
      'tls',
      'tls',
      'tls',
    ]);
    expect(carol.warnings.filter((w) => w.startsWith('TURN'))).toEqual([]);
    carol.service.handlers['calls.hangup']({ callId });
    await lab.run(1000);
    await carol.close();
  });

  it('without the anchor the turns: certificate is refused — said in words — and the call goes over the other candidates', async () => {
    lab = await startIceLab({ turnTls: { issuer: LAB_CA } });
    const carol = await startCarol(lab, {
      nat: {
        accountId: 'acct-c',
        domain: CAROL,
        iceMode: 'auto',
        stunServers: [`stun:${TURN_ADDRESS}:3478`],
        turnServers: [{ uri: TURNS_URI, ...TURN_USER }],
      },
      symmetric: false,
    });
    const callId = await carol.callBob();
    const up = carol.service.list()[0]!;
    expect(up.media).toMatchObject({ path: 'direct', ice: { state: 'connected', policy: 'all' } });
    expect(up.media.ice?.selected?.local.type).not.toBe('relay');
    expect(heard(carol.speakers[0], TONES.bob)).toBe(true);
    expect(heard(lab.bob.speakers.get(lab.bob.last().id), 700)).toBe(true);
    // Once per component (RTP and RTCP each try their own allocation).
    const refused = `TURN tls ${TURN_ADDRESS}:${TURN_TLS_PORT} (${TURN_TLS_NAME}): no relayed candidate (TLS certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE: certificate of ${TURN_ADDRESS}:${TURN_TLS_PORT}: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)))`;
    expect(carol.warnings.filter((w) => w.startsWith('TURN'))).toEqual([refused, refused]);
    // Refused in the handshake: no STUN request reached the server over TLS.
    expect(lab.turn.requests(StunMethod.allocate).filter((r) => r.transport === 'tls')).toEqual([]);
    carol.service.handlers['calls.hangup']({ callId });
    await lab.run(1000);
    await carol.close();
  });
});
