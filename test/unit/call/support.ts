/**
 * Phones for the call tests: SipUserAgents with a CallAgent each, on hosts of one MemoryNetwork driven by a
 * FakeClock. Each phone's microphone is a tone (its own frequency) and its speaker a MemoryAudioPort per
 * call, so a test can check which tone reached whom. The SIP traffic is recorded as one line per message
 * (`alice→bob INVITE`, `bob→alice 180 Ringing`), with the parsed message beside it.
 */
import { expect } from 'vitest';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type { LinkConditions, MemoryHost } from '../../../src-main/platform/index.ts';
import {
  DuplexAudioPort,
  MemoryAudioPort,
  ToneGenerator,
  analyzeTone,
} from '../../../src-main/media/audio/index.ts';
import { CallAgent, PlainRtpTransportProvider, localCodecsFor } from '../../../src-main/call/index.ts';
import type { Call, CallAccount, CallTiming } from '../../../src-main/call/index.ts';
import { DigestSession } from '../../../src-main/sip/auth/index.ts';
import { createResponse, parseMessage, parseUri, serialize } from '../../../src-main/sip/syntax/index.ts';
import type { SipMessage, SipRequest, SipResponse, SipUri, Uri } from '../../../src-main/sip/syntax/index.ts';
import { SipUserAgent } from '../../../src-main/sip/ua/index.ts';
import type { SipUserAgentOptions } from '../../../src-main/sip/ua/index.ts';

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Move the clock by `ms` in steps, letting microtasks run in between. */
export async function run(clock: FakeClock, ms: number, stepMs = 10): Promise<void> {
  const end = clock.monotonic() + ms;
  await flush();
  while (clock.monotonic() < end) {
    clock.advance(Math.min(stepMs, end - clock.monotonic()));
    await flush();
  }
  clock.advance(0);
  await flush();
}

export const ADDRESSES = {
  alice: '203.0.113.10',
  bob: '203.0.113.20',
  carol: '203.0.113.30',
  proxy: '203.0.113.5',
} as const;
export const TONES = { alice: 440, bob: 1000, carol: 700 } as const;
export type PhoneName = 'alice' | 'bob' | 'carol';

/** mulberry32: a small seeded uniform [0, 1) source. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function sipUri(text: string): SipUri {
  const r = parseUri(text);
  if (!r.ok || r.uri.kind !== 'sip') throw new Error(`not a SIP URI: ${text}`);
  return r.uri;
}

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

export interface TestPhone {
  readonly name: PhoneName;
  readonly host: MemoryHost;
  readonly ua: SipUserAgent;
  readonly agent: CallAgent;
  readonly account: CallAccount;
  /** `sip:<name>@<address>` */
  readonly uri: Uri;
  /** Every call this phone saw, in order (incoming, dialled, transfer calls). */
  readonly calls: Call[];
  /** The speaker of each call (what this phone heard). */
  readonly speakers: Map<string, MemoryAudioPort>;
  /** The newest call. */
  last(): Call;
}

export interface SipLine {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly line: string;
  readonly message: SipMessage;
}

export interface Lab {
  readonly clock: FakeClock;
  readonly net: MemoryNetwork;
  readonly phones: Record<PhoneName, TestPhone>;
  readonly sip: SipLine[];
  /** `alice→bob INVITE` lines, optionally only those since index `from`. */
  trace(from?: number): string[];
  run(ms: number, stepMs?: number): Promise<void>;
  /** Run `fn` when the lab closes (after the agents, before the UAs). */
  onClose(fn: () => void): void;
  close(): Promise<void>;
}

export interface LabOptions {
  readonly phones?: readonly PhoneName[];
  readonly seed?: number;
  readonly conditions?: LinkConditions;
  readonly timing?: Partial<CallTiming>;
  readonly account?: Partial<Record<PhoneName, Partial<CallAccount>>>;
  readonly ua?: Partial<SipUserAgentOptions>;
  /** Option tags the UAs support (default replaces, timer). */
  readonly supported?: readonly string[];
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const clock = new FakeClock({ now: 1_700_000_000_000 });
  const net = new MemoryNetwork(clock, {
    seed: options.seed ?? 7,
    ...(options.conditions !== undefined && { conditions: options.conditions }),
  });
  const resolver = new FakeResolver();
  const names = options.phones ?? ['alice', 'bob'];
  const byAddress = new Map<string, string>(Object.entries(ADDRESSES).map(([n, a]) => [a, n]));
  const sip: SipLine[] = [];
  net.onPacket((p) => {
    if (p.protocol !== 'udp' || (p.to.port !== 5060 && p.from.port !== 5060)) return;
    const parsed = parseMessage(p.bytes);
    if (!parsed.ok) return;
    const m = parsed.message;
    const line = m.kind === 'request' ? m.method : `${m.status} ${m.reason}`;
    sip.push({
      at: p.sentAt,
      from: byAddress.get(p.from.address) ?? p.from.address,
      to: byAddress.get(p.to.address) ?? p.to.address,
      line,
      message: m,
    });
  });
  const phones = {} as Record<PhoneName, TestPhone>;
  let seed = options.seed ?? 7;
  for (const name of names) {
    const host = net.host(ADDRESSES[name], { name });
    const ua = new SipUserAgent({
      clock,
      network: host,
      resolver,
      version: 'test',
      transport: { udp: { families: [4], port: 5060 } },
      supported: options.supported ?? ['replaces', 'timer'],
      ...options.ua,
    });
    await ua.start();
    const calls: Call[] = [];
    const speakers = new Map<string, MemoryAudioPort>();
    const random = seeded(seed++);
    const account: CallAccount = {
      id: `acct-${name}`,
      aor: sipUri(`sip:${name}@${ADDRESSES[name]}`),
      displayName: name[0]!.toUpperCase() + name.slice(1),
      codecs: localCodecsFor(['PCMU', 'PCMA']),
      dtmfMode: 'auto',
      autoAnswer: false,
      ...options.account?.[name],
    };
    let ids = 0;
    const agent = new CallAgent({
      ua,
      clock,
      media: new PlainRtpTransportProvider({ clock, network: host, random }),
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
      ...(options.timing !== undefined && { timing: options.timing }),
    });
    agent.onCall((call) => calls.push(call));
    phones[name] = {
      name,
      host,
      ua,
      agent,
      account,
      uri: uri(`sip:${name}@${ADDRESSES[name]}`),
      calls,
      speakers,
      last: () => {
        const call = calls.at(-1);
        if (call === undefined) throw new Error(`${name} has no call`);
        return call;
      },
    };
  }
  const closers: (() => void)[] = [];
  const lab: Lab = {
    clock,
    net,
    phones,
    sip,
    trace: (from = 0) => sip.slice(from).map((l) => `${l.from}→${l.to} ${l.line}`),
    run: (ms, stepMs = 10) => run(clock, ms, stepMs),
    onClose: (fn) => closers.push(fn),
    async close() {
      for (const p of Object.values(phones)) p.agent.dispose();
      await run(clock, 40_000, 500);
      for (const fn of closers.splice(0)) fn();
      for (const p of Object.values(phones)) p.ua.close();
      await flush();
      clock.runAll();
      await flush();
    },
  };
  return lab;
}

/** The last phase of the call's tone analysis: did `hz` reach this speaker in the last `ms`? */
export function heard(speaker: MemoryAudioPort | undefined, hz: number, lastMs = 1000): boolean {
  if (speaker === undefined) return false;
  const played = speaker.played();
  const samples = played.subarray(Math.max(0, played.length - (8000 * lastMs) / 1000));
  return analyzeTone(samples, 8000, hz, 20).detected;
}

/** Assert no timers or sockets are left once the lab is closed. */
export async function expectNoLeaks(lab: Lab): Promise<void> {
  await lab.close();
  expect(lab.clock.pendingTimers()).toBe(0);
  expect(lab.net.openSockets()).toBe(0);
}

/** A DigestSession for tests. */
export function digestFor(username: string, password: string): DigestSession {
  return new DigestSession({
    credentials: { username, password },
    randomBytes: (n) => new Uint8Array(n).fill(7),
  });
}

// ───────────────────────────── a scripted SIP peer ─────────────────────────────

export interface ScriptedPeer {
  readonly address: string;
  readonly host: MemoryHost;
  /** Requests received, in order. */
  readonly requests: SipRequest[];
  /** Send a response to `request` (Via/From/To/Call-ID/CSeq copied; `toTag` added). */
  respond(
    request: SipRequest,
    status: number,
    options?: {
      toTag?: string;
      headers?: [string, string][];
      body?: string;
      contentType?: string;
      reason?: string;
    },
  ): SipResponse;
  /** Send raw text (requests written by hand) to `to` (default alice). */
  sendText(text: string, to?: string): void;
  close(): void;
}

/**
 * A bare UDP socket on `address`:5060 that hands every request to `onRequest` (a test script) and sends
 * what the script answers — a registrar/proxy/far end that behaves exactly as a test needs.
 */
export async function scriptedPeer(
  lab: Lab,
  address: string,
  onRequest: (request: SipRequest, peer: ScriptedPeer) => void,
): Promise<ScriptedPeer> {
  const host = lab.net.host(address, { name: 'peer' });
  const socket = await host.bindDatagram({ family: 4, port: 5060 });
  const requests: SipRequest[] = [];
  const sources = new Map<SipRequest, { address: string; port: number }>();
  const peer: ScriptedPeer = {
    address,
    host,
    requests,
    respond(request, status, options = {}) {
      const response = createResponse(request, status, options.reason, {
        ...(options.toTag !== undefined && { toTag: options.toTag }),
        headers: options.headers ?? [],
        ...(options.body !== undefined && {
          body: options.body,
          contentType: options.contentType ?? 'application/sdp',
        }),
      });
      const to = sources.get(request) ?? { address: request.topVia.host, port: request.topVia.port ?? 5060 };
      socket.send(serialize(response), { address: to.address, port: to.port, family: 4 });
      return response;
    },
    sendText(text, to = ADDRESSES.alice) {
      socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), { address: to, port: 5060, family: 4 });
    },
    close: () => {
      if (!socket.closed) socket.close();
    },
  };
  lab.onClose(() => peer.close());
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    requests.push(request);
    sources.set(request, { address: from.address, port: from.port });
    onRequest(request, peer);
  });
  return peer;
}

/** A minimal SDP answer for a scripted peer (PCMU at `address`:`port`). */
export function peerSdp(address: string, port: number, direction = 'sendrecv', version = 1): string {
  return [
    'v=0',
    `o=peer 4000 ${version} IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    `a=${direction}`,
    '',
  ].join('\r\n');
}
