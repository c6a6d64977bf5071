/**
 * The in-memory lab of the ICE unit tests: two phones ("a" and "b"), each on a public address or behind a
 * MemoryNat with the behaviour under test, and a STUN/TURN server (MemoryTurnServer) on 203.0.113.5.
 * Time is a FakeClock; `runUntil` jumps from timer to timer and lets promise callbacks run in between.
 *
 *   a 10.0.1.2 ─ NAT 198.51.100.1 ─┐                   ┌─ NAT 198.51.100.2 ─ b 10.0.2.2
 *   (or a 203.0.113.10 directly)   ├── 203.0.113.0/24 ─┤ (or b 203.0.113.20 directly)
 *                                  └── TURN 203.0.113.5:3478 (tcp 3478, tls 5349)
 */
import { expect } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../../../../src-main/platform/index.ts';
import type {
  MemoryHost,
  MemoryNat,
  MemoryNatOptions,
  SocketAddress,
} from '../../../../../../src-main/platform/index.ts';
import { IceAgent, MediaSocket } from '../../../../../../src-main/media/transport/index.ts';
import type {
  IceAgentOptions,
  IceCandidate,
  IceMediaPath,
  IceRemoteDescription,
} from '../../../../../../src-main/media/transport/index.ts';
import { decodeStunMessage } from '../../../../../../src-main/media/stun/index.ts';
import type { DecodedStunMessage } from '../../../../../../src-main/media/stun/index.ts';
import { MemoryTurnServer } from '../../../stun/support/memory-turn-server.ts';

export const TURN_ADDRESS = '203.0.113.5';
export const ATTACKER_ADDRESS = '203.0.113.66';

export type NatKind = 'cone' | 'port-restricted' | 'symmetric';

export interface PhoneSpec {
  /** No NAT: a public address. */
  nat?: NatKind;
  extra?: Omit<MemoryNatOptions, 'publicAddress'>;
}

export interface Phone {
  host: MemoryHost;
  nat: MemoryNat | undefined;
  rtp: MediaSocket;
  rtcp: MediaSocket | undefined;
  agent: IceAgent;
  path?: IceMediaPath;
  logs: string[];
}

export interface IceLab {
  clock: FakeClock;
  net: MemoryNetwork;
  turn: MemoryTurnServer;
  attacker: MemoryHost;
  a: MemoryHost;
  b: MemoryHost;
  natA: MemoryNat | undefined;
  natB: MemoryNat | undefined;
  phone(
    which: 'a' | 'b',
    options: Partial<IceAgentOptions> & { rtcpMux?: boolean; port?: number },
  ): Promise<Phone>;
  /** Jump from timer to timer until `done()` (or fail after `limitMs` of fake time). */
  runUntil(done: () => boolean, limitMs?: number): Promise<void>;
  /** Let `ms` of fake time pass, letting promise callbacks run at every timer on the way. */
  run(ms: number): Promise<void>;
  settle<T>(promise: Promise<T>, limitMs?: number): Promise<T>;
  /** Close every phone and the server, then check that no timer, socket or listener is left. */
  close(): Promise<void>;
}

const NAT_BEHAVIOUR: Record<NatKind, Omit<MemoryNatOptions, 'publicAddress'>> = {
  cone: { mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
  'port-restricted': { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' },
  symmetric: {
    mapping: 'address-and-port-dependent',
    filtering: 'address-and-port-dependent',
    portPreservation: false,
  },
};

export async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

export async function createIceLab(
  spec: { a?: PhoneSpec; b?: PhoneSpec; seed?: number } = {},
): Promise<IceLab> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, { seed: spec.seed ?? 1 });
  const serverHost = net.host(TURN_ADDRESS, { name: 'turn' });
  const attacker = net.host(ATTACKER_ADDRESS, { name: 'attacker' });
  const a = net.host(spec.a?.nat ? '10.0.1.2' : '203.0.113.10', { name: 'a' });
  const b = net.host(spec.b?.nat ? '10.0.2.2' : '203.0.113.20', { name: 'b' });
  const natA = spec.a?.nat
    ? net.addNat({
        publicAddress: '198.51.100.1',
        inside: [a],
        ...NAT_BEHAVIOUR[spec.a.nat],
        ...spec.a.extra,
      })
    : undefined;
  const natB = spec.b?.nat
    ? net.addNat({
        publicAddress: '198.51.100.2',
        inside: [b],
        ...NAT_BEHAVIOUR[spec.b.nat],
        ...spec.b.extra,
      })
    : undefined;
  const turn = await MemoryTurnServer.start({
    host: serverHost,
    clock,
    address: TURN_ADDRESS,
    port: 3478,
    tcpPort: 3478,
    tlsPort: 5349,
    tlsNames: ['turn.lab.test'],
  });
  const phones: Phone[] = [];

  const runUntil = async (done: () => boolean, limitMs = 120_000): Promise<void> => {
    await flush();
    const start = clock.monotonic();
    while (!done()) {
      const next = clock.nextTimerAt();
      if (next === undefined) {
        await flush();
        if (done()) return;
        throw new Error(
          `nothing left to wait for at ${clock.monotonic()} ms, and the condition is still false`,
        );
      }
      if (next - start > limitMs) throw new Error(`condition not met within ${limitMs} ms of fake time`);
      clock.advanceTo(Math.max(next, clock.monotonic()));
      await flush();
    }
  };

  const run = async (ms: number): Promise<void> => {
    const end = clock.monotonic() + ms;
    await flush();
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > end) break;
      clock.advanceTo(Math.max(next, clock.monotonic()));
      await flush();
    }
    clock.advanceTo(end);
    await flush();
  };

  const lab: IceLab = {
    clock,
    net,
    turn,
    attacker,
    a,
    b,
    natA,
    natB,
    async phone(which, options) {
      const host = which === 'a' ? a : b;
      const port = options.port ?? (which === 'a' ? 40_000 : 50_000);
      const rtp = new MediaSocket(await host.bindDatagram({ family: 4, port }), 'rtp');
      const rtcp =
        options.rtcpMux === false
          ? new MediaSocket(await host.bindDatagram({ family: 4, port: port + 1 }), 'rtcp')
          : undefined;
      const logs: string[] = [];
      const agent = new IceAgent({
        clock,
        network: host,
        rtpSocket: rtp,
        rtcpSocket: rtcp,
        role: which === 'a' ? 'controlling' : 'controlled',
        log: (level, message) => logs.push(`${clock.monotonic()} ${level} ${message}`),
        ...options,
      });
      const phone: Phone = { host, nat: which === 'a' ? natA : natB, rtp, rtcp, agent, logs };
      phones.push(phone);
      return phone;
    },
    runUntil,
    run,
    async settle<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
      let done = false;
      let failed = false;
      let value: T | undefined;
      let failure: unknown;
      void promise.then(
        (v) => {
          done = true;
          value = v;
        },
        (e: unknown) => {
          done = true;
          failed = true;
          failure = e;
        },
      );
      await runUntil(() => done, limitMs);
      if (failed) throw failure;
      return value as T;
    },
    async close() {
      for (const phone of phones) phone.path?.dispose();
      const closing = Promise.all(phones.map((p) => p.agent.close()));
      await lab.settle(closing);
      for (const phone of phones) {
        expect(phone.agent.pendingTimers).toBe(0);
        expect(phone.rtp.listenerCount).toBe(0);
        expect(phone.rtcp?.listenerCount ?? 0).toBe(0);
        phone.rtp.close();
        phone.rtcp?.close();
      }
      turn.close();
      clock.runAll();
      expect(clock.pendingTimers()).toBe(0);
      expect(net.openSockets()).toBe(0);
    },
  };
  return lab;
}

/** The peer's ICE description as the call layer would hand it over. */
export function remoteOf(
  agent: IceAgent,
  candidates: readonly IceCandidate[],
  lite = false,
): IceRemoteDescription {
  return {
    ufrag: agent.credentials.ufrag,
    pwd: agent.credentials.pwd,
    lite,
    candidates,
    endOfCandidates: true,
  };
}

/** Gather on both, exchange descriptions (offer a → b, answer b → a). */
export async function exchange(lab: IceLab, a: Phone, b: Phone): Promise<void> {
  const [ca, cb] = await lab.settle(Promise.all([a.agent.gather(), b.agent.gather()]));
  b.agent.setRemote(remoteOf(a.agent, ca));
  a.agent.setRemote(remoteOf(b.agent, cb));
}

export function stunOf(bytes: Uint8Array): DecodedStunMessage | undefined {
  const decoded = decodeStunMessage(Buffer.from(bytes));
  return decoded.ok ? decoded.message : undefined;
}

export function rtpPacket(seq: number, ssrc = 0x1234): Buffer {
  const b = Buffer.alloc(12 + 20);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

export function rtcpPacket(ssrc = 0x1234): Buffer {
  const b = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 0]);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

export function addr(address: string, port: number): SocketAddress {
  return { address, port, family: 4 };
}
