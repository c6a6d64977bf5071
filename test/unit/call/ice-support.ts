/**
 * Phones with ICE for the call tests: each phone's SIP user agent sits on a public address (SIP is not
 * what these tests are about), its media sockets on the same host, or — behind a MemoryNat of the kind
 * under test — on a private host of their own, with an IceMediaTransportProvider, and a STUN/TURN server (MemoryTurnServer)
 * on 203.0.113.5. Microphones are tones (alice 440 Hz, bob 1000 Hz), speakers MemoryAudioPorts, so a test
 * can tell which tone reached whom; the SIP traffic is kept as parsed messages.
 *
 *   alice SIP 203.0.113.10 ─┐                          ┌─ bob SIP 203.0.113.20
 *   alice media 10.0.1.2 ─ NAT 198.51.100.1 ─┐    ┌─ NAT 198.51.100.2 ─ bob media 10.0.2.2
 *   (or on the SIP host without a NAT)       ├────┤  (or on the SIP host)
 *                                    STUN/TURN 203.0.113.5:3478 (user u / p; TLS on 5349 with `turnTls`)
 */
import { expect } from 'vitest';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type {
  MemoryHost,
  MemoryNat,
  MemoryNatOptions,
  SocketAddress,
} from '../../../src-main/platform/index.ts';
import { DuplexAudioPort, MemoryAudioPort, ToneGenerator } from '../../../src-main/media/audio/index.ts';
import { CallAgent, IceMediaTransportProvider, localCodecsFor } from '../../../src-main/call/index.ts';
import type { Call, CallAccount, IceMode, IceTransportSettings } from '../../../src-main/call/index.ts';
import type { IceCandidatePolicy } from '../../../src-main/media/transport/index.ts';
import { parseMessage } from '../../../src-main/sip/syntax/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../src-main/sip/ua/index.ts';
import { parseSdp } from '../../../src-main/sdp/index.ts';
import type { SessionDescription } from '../../../src-main/sdp/index.ts';
import { MemoryTurnServer } from '../media/stun/support/memory-turn-server.ts';
import { flush, seeded, sipUri, uri } from './support.ts';

export { flush, heard, seeded } from './support.ts';

export const TURN_ADDRESS = '203.0.113.5';
export const TURN_USER = { username: 'u', password: 'p' };
export type NatKind = 'port-restricted' | 'symmetric' | 'cone';
export type IcePhoneName = 'alice' | 'bob';

const SIP_ADDRESS: Record<IcePhoneName, string> = { alice: '203.0.113.10', bob: '203.0.113.20' };
const PRIVATE_MEDIA: Record<IcePhoneName, string> = { alice: '10.0.1.2', bob: '10.0.2.2' };
export const NAT_PUBLIC: Record<IcePhoneName, string> = { alice: '198.51.100.1', bob: '198.51.100.2' };
export const TONES: Record<IcePhoneName, number> = { alice: 440, bob: 1000 };

const NAT_BEHAVIOUR: Record<NatKind, Omit<MemoryNatOptions, 'publicAddress'>> = {
  cone: { mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  'port-restricted': { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' },
  symmetric: {
    mapping: 'address-and-port-dependent',
    filtering: 'address-and-port-dependent',
    portPreservation: false,
  },
};

export interface IcePhoneSpec {
  readonly nat?: NatKind;
  readonly mode?: IceMode;
  /** Gather from the lab's STUN server (default true). */
  readonly stun?: boolean;
  /** Allocate on the lab's TURN server (default false). */
  readonly turn?: boolean;
  readonly policy?: IceCandidatePolicy;
  /** Our ICE restart's deadline (ms). */
  readonly restartTimeoutMs?: number;
}

export interface IcePhone {
  readonly name: IcePhoneName;
  readonly sipHost: MemoryHost;
  readonly mediaHost: MemoryHost;
  readonly nat: MemoryNat | undefined;
  readonly ua: SipUserAgent;
  readonly agent: CallAgent;
  readonly provider: IceMediaTransportProvider;
  readonly calls: Call[];
  readonly speakers: Map<string, MemoryAudioPort>;
  readonly logs: string[];
  last(): Call;
}

export interface SipEntry {
  readonly at: number;
  readonly from: string;
  readonly line: string;
  readonly message: SipMessage;
}

export interface IceCallLab {
  readonly clock: FakeClock;
  readonly net: MemoryNetwork;
  readonly turn: MemoryTurnServer;
  readonly alice: IcePhone;
  readonly bob: IcePhone;
  readonly sip: SipEntry[];
  /** `alice INVITE`, `bob 200 OK` lines since `from`. */
  trace(from?: number): string[];
  /** The SDP bodies of the requests/responses matching `line` (e.g. 'INVITE', '200 OK'), from `who`. */
  sdpOf(who: IcePhoneName, line: string): SessionDescription[];
  run(ms: number, stepMs?: number): Promise<void>;
  /** Run until `done()` (fail after `limitMs` of fake time). */
  runUntil(done: () => boolean, limitMs?: number, stepMs?: number): Promise<void>;
  /** End every call, close everything, and check that no timer, socket or listener is left. */
  close(): Promise<void>;
}

/** The name the TURN server's TLS certificate is valid for (`turnTls`). */
export const TURN_TLS_NAME = 'turn.lab.test';
export const TURN_TLS_PORT = 5349;

export async function startIceLab(
  spec: {
    alice?: IcePhoneSpec;
    bob?: IcePhoneSpec;
    seed?: number;
    /**
     * A TLS listener on the TURN server (port 5349, a certificate for turn.lab.test), its certificate from
     * the private CA `issuer` when given (MemoryTlsServerOptions.issuer).
     */
    turnTls?: { issuer?: string };
  } = {},
): Promise<IceCallLab> {
  const clock = new FakeClock({ now: 1_700_000_000_000 });
  const net = new MemoryNetwork(clock, { seed: spec.seed ?? 3 });
  const serverHost = net.host(TURN_ADDRESS, { name: 'turn' });
  const turn = await MemoryTurnServer.start({
    host: serverHost,
    clock,
    address: TURN_ADDRESS,
    port: 3478,
    users: { [TURN_USER.username]: TURN_USER.password },
    ...(spec.turnTls !== undefined && {
      tlsPort: TURN_TLS_PORT,
      tlsNames: [TURN_TLS_NAME],
      ...(spec.turnTls.issuer !== undefined && { tlsIssuer: spec.turnTls.issuer }),
    }),
  });
  const resolver = new FakeResolver();
  const sip: SipEntry[] = [];
  const names = new Map<string, IcePhoneName>([
    [SIP_ADDRESS.alice, 'alice'],
    [SIP_ADDRESS.bob, 'bob'],
  ]);
  net.onPacket((p) => {
    if (p.protocol !== 'udp' || (p.to.port !== 5060 && p.from.port !== 5060)) return;
    const parsed = parseMessage(p.bytes);
    if (!parsed.ok) return;
    const m = parsed.message;
    sip.push({
      at: p.sentAt,
      from: names.get(p.from.address) ?? p.from.address,
      line: m.kind === 'request' ? m.method : `${m.status} ${m.reason}`,
      message: m,
    });
  });

  const phone = async (name: IcePhoneName, options: IcePhoneSpec, seed: number): Promise<IcePhone> => {
    const sipHost = net.host(SIP_ADDRESS[name], { name: `${name}-sip` });
    // Without a NAT, SIP and media share the public host (plain RTP then announces a reachable address).
    const mediaHost =
      options.nat === undefined ? sipHost : net.host(PRIVATE_MEDIA[name], { name: `${name}-media` });
    const nat =
      options.nat === undefined
        ? undefined
        : net.addNat({ publicAddress: NAT_PUBLIC[name], inside: [mediaHost], ...NAT_BEHAVIOUR[options.nat] });
    const ua = new SipUserAgent({
      clock,
      network: sipHost,
      resolver,
      version: 'test',
      transport: { udp: { families: [4], port: 5060 } },
      supported: ['replaces', 'timer'],
    });
    await ua.start();
    const random = seeded(seed);
    const logs: string[] = [];
    const settings: IceTransportSettings = {
      mode: options.mode ?? 'on',
      stunServers: options.stun === false ? [] : [{ address: TURN_ADDRESS, port: 3478, family: 4 }],
      turnServers:
        options.turn === true
          ? [{ address: { address: TURN_ADDRESS, port: 3478, family: 4 }, transport: 'udp', ...TURN_USER }]
          : [],
      policy: options.policy ?? 'all',
    };
    let bytes = seed * 1000;
    const provider = new IceMediaTransportProvider({
      clock,
      network: mediaHost,
      random,
      settings: () => settings,
      agent: {
        randomBytes: (count) => {
          const out = Buffer.alloc(count);
          for (let i = 0; i < count; i++) out[i] = (bytes++ * 131 + 17) & 0xff;
          return out;
        },
      },
      ...(options.restartTimeoutMs !== undefined && { restartTimeoutMs: options.restartTimeoutMs }),
      log: (level, message) => logs.push(`${clock.monotonic()} ${level} ${message}`),
    });
    const account: CallAccount = {
      id: `acct-${name}`,
      aor: sipUri(`sip:${name}@${SIP_ADDRESS[name]}`),
      codecs: localCodecsFor(['PCMU']),
      dtmfMode: 'auto',
      autoAnswer: false,
    };
    const calls: Call[] = [];
    const speakers = new Map<string, MemoryAudioPort>();
    let ids = 0;
    const agent = new CallAgent({
      ua,
      clock,
      media: provider,
      openAudio: (call) => {
        const speaker = new MemoryAudioPort(8000);
        speakers.set(call.id, speaker);
        return new DuplexAudioPort(
          new ToneGenerator({ sampleRate: 8000, frequencyHz: TONES[name] }),
          speaker,
        );
      },
      accountFor: () => account,
      random,
      newId: () => `${name}-${++ids}`,
      log: (level, message) => logs.push(`${clock.monotonic()} ${level} ${message}`),
    });
    agent.onCall((call) => calls.push(call));
    return {
      name,
      sipHost,
      mediaHost,
      nat,
      ua,
      agent,
      provider,
      calls,
      speakers,
      logs,
      last: () => {
        const call = calls.at(-1);
        if (call === undefined) throw new Error(`${name} has no call`);
        return call;
      },
    };
  };

  const alice = await phone('alice', spec.alice ?? {}, (spec.seed ?? 3) * 10 + 1);
  const bob = await phone('bob', spec.bob ?? {}, (spec.seed ?? 3) * 10 + 2);

  const run = async (ms: number, stepMs = 10): Promise<void> => {
    const end = clock.monotonic() + ms;
    await flush();
    while (clock.monotonic() < end) {
      clock.advance(Math.min(stepMs, end - clock.monotonic()));
      await flush();
    }
  };
  const lab: IceCallLab = {
    clock,
    net,
    turn,
    alice,
    bob,
    sip,
    trace: (from = 0) => sip.slice(from).map((e) => `${e.from} ${e.line}`),
    sdpOf(who, line) {
      return sip
        .filter((e) => e.from === who && e.line === line && e.message.body.length > 0)
        .map((e) => {
          const parsed = parseSdp(e.message.body.toString('utf8'));
          if (!parsed.ok) throw new Error(parsed.error.reason);
          return parsed.sdp;
        });
    },
    run,
    async runUntil(done, limitMs = 60_000, stepMs = 10) {
      const end = clock.monotonic() + limitMs;
      await flush();
      while (!done()) {
        if (clock.monotonic() >= end)
          throw new Error(
            `condition not met within ${limitMs} ms of fake time\n${[...alice.logs, ...bob.logs].slice(-40).join('\n')}`,
          );
        clock.advance(stepMs);
        await flush();
      }
    },
    async close() {
      alice.agent.dispose();
      bob.agent.dispose();
      await run(40_000, 250);
      for (const p of [alice, bob]) for (const t of p.provider.transports) t.close();
      await run(5_000, 250);
      alice.ua.close();
      bob.ua.close();
      turn.close();
      await flush();
      clock.runAll();
      await flush();
      expect(alice.provider.transports).toEqual([]);
      expect(bob.provider.transports).toEqual([]);
      expect(clock.pendingTimers()).toBe(0);
      expect(net.openSockets()).toBe(0);
    },
  };
  return lab;
}

/** alice calls bob; bob answers once it rings; resolves when both calls are active. */
export async function connect(lab: IceCallLab): Promise<{ caller: Call; callee: Call }> {
  const caller = lab.alice.agent.dial(accountOf(lab.alice), uri(`sip:bob@${SIP_ADDRESS.bob}`));
  await lab.runUntil(() => lab.bob.calls.length > 0 && lab.bob.last().phase === 'ringing', 20_000);
  const callee = lab.bob.last();
  // answer() waits for the media to open (ICE gathering runs on the fake clock): the lab runs meanwhile.
  let answered: { ok: boolean } | undefined;
  void callee.answer().then((r) => (answered = r));
  await lab.runUntil(() => answered !== undefined, 20_000);
  if (answered?.ok !== true) throw new Error('bob could not answer');
  await lab.runUntil(() => caller.phase === 'active' && callee.phase === 'active', 20_000);
  return { caller, callee };
}

function accountOf(phone: IcePhone): CallAccount {
  return {
    id: `acct-${phone.name}`,
    aor: sipUri(`sip:${phone.name}@${SIP_ADDRESS[phone.name]}`),
    codecs: localCodecsFor(['PCMU']),
    dtmfMode: 'auto',
    autoAnswer: false,
  };
}

/** The audio m-line's attributes of a description, as `name` or `name:value` strings. */
export function audioAttributes(sdp: SessionDescription | undefined): string[] {
  const media = sdp?.media.find((m) => m.type === 'audio');
  return (media?.attributes ?? []).map((a) => (a.value === undefined ? a.name : `${a.name}:${a.value}`));
}

/** c= address and m= port of the audio line. */
export function audioEndpoint(sdp: SessionDescription | undefined): string {
  const media = sdp?.media.find((m) => m.type === 'audio');
  const address = media?.connections[0]?.address ?? sdp?.connection?.address;
  return `${address ?? '?'}:${media?.port ?? '?'}`;
}

export type { SipRequest, SipResponse, SocketAddress };
