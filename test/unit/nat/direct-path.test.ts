import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryNetwork } from '../../../src-main/platform/index.ts';
import type { MemoryHost, SocketAddress } from '../../../src-main/platform/index.ts';
import { StunMethod, bindingSuccess, stunOverDatagramSocket } from '../../../src-main/media/stun/index.ts';
import type { StunEndpoint } from '../../../src-main/media/stun/index.ts';
import {
  BEHAVIORS,
  behaviorsOfNatType,
  directPathBetween,
  known,
  predictDirectPath,
} from '../../../src-main/nat/index.ts';
import type { Behavior, NatBehaviors } from '../../../src-main/nat/index.ts';
import { StunTestServer } from './support/stun-test-server.ts';
import { settle } from './support/nat-lab.ts';

const key = (a: SocketAddress): string => `${a.address}:${a.port}`;

/**
 * The ICE exchange of direct-path.ts's comment, on the in-memory network: two agents behind NATs with the
 * given behaviours learn their server-reflexive addresses, then for a few rounds send checks to every
 * remote candidate they know, answer every check to its source, and add the source of every check they
 * receive as a peer-reflexive candidate. A check succeeds when its answer comes from where it was sent.
 */
async function iceFindsDirectPath(a: NatBehaviors, b: NatBehaviors): Promise<boolean> {
  const clock = new FakeClock();
  const net = new MemoryNetwork(clock, { conditions: { delayMs: 10 } });
  const serverHost = net.host('203.0.113.5');
  const server = await StunTestServer.start({
    host: serverHost,
    primary: { address: '203.0.113.5', port: 3478 },
  });
  const hostA = net.host('10.0.1.2');
  const hostB = net.host('10.0.2.2');
  net.addNat({ publicAddress: '198.51.100.1', inside: [hostA], ...a });
  net.addNat({ publicAddress: '198.51.100.2', inside: [hostB], ...b });

  const agent = async (host: MemoryHost) => {
    const socket = await host.bindDatagram({ family: 4, port: 5000 });
    const endpoint: StunEndpoint = stunOverDatagramSocket(socket, {
      clock,
      timing: { rtoMs: 50, maxSends: 3, finalWaitFactor: 2 },
    });
    const remotes = new Map<string, SocketAddress>();
    const succeeded = new Set<string>();
    endpoint.onRequest(({ message, from }) => {
      endpoint.send(bindingSuccess(message, from), from);
      if (!remotes.has(key(from))) remotes.set(key(from), from); // peer-reflexive: triggered check next round
    });
    const srflx = await settle(
      clock,
      endpoint.client.request(
        { method: StunMethod.binding },
        { address: '203.0.113.5', port: 3478, family: 4 },
      ),
    );
    if (srflx.outcome !== 'success' || !srflx.response.attributes.xorMappedAddress)
      throw new Error('no srflx');
    return { socket, endpoint, remotes, succeeded, srflx: srflx.response.attributes.xorMappedAddress };
  };
  const A = await agent(hostA);
  const B = await agent(hostB);
  A.remotes.set(key(B.srflx), B.srflx);
  B.remotes.set(key(A.srflx), A.srflx);

  for (let round = 0; round < 4; round++) {
    const checks = [A, B].flatMap((x) =>
      [...x.remotes.values()]
        .filter((r) => !x.succeeded.has(key(r)))
        .map(async (remote) => {
          const result = await x.endpoint.client.request({ method: StunMethod.binding }, remote);
          if (result.outcome === 'success' && key(result.from) === key(remote)) x.succeeded.add(key(remote));
        }),
    );
    await settle(clock, Promise.all(checks));
  }
  const found = A.succeeded.size > 0 || B.succeeded.size > 0;
  for (const x of [A, B]) {
    x.endpoint.dispose();
    x.socket.close();
  }
  server.close();
  clock.runAll();
  expect(net.openSockets()).toBe(0);
  return found;
}

const combos: NatBehaviors[] = BEHAVIORS.flatMap((mapping) =>
  BEHAVIORS.map((filtering) => ({ mapping, filtering })),
);
const short = (b: Behavior): string =>
  ({ 'endpoint-independent': 'EI', 'address-dependent': 'AD', 'address-and-port-dependent': 'APD' })[b];

describe('direct path prediction', () => {
  it('matches an ICE exchange through the in-memory NATs for all 81 behaviour pairs', async () => {
    const mismatches: string[] = [];
    let direct = 0;
    for (const a of combos) {
      for (const b of combos) {
        const simulated = await iceFindsDirectPath(a, b);
        if (simulated) direct++;
        const predicted = directPathBetween(a, b);
        if (simulated !== predicted) {
          mismatches.push(
            `A ${short(a.mapping)}/${short(a.filtering)} B ${short(b.mapping)}/${short(b.filtering)}: ICE ${simulated}, predicted ${predicted}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Not everything works, not everything fails: the test can tell them apart.
    expect(direct).toBeGreaterThan(20);
    expect(direct).toBeLessThan(81);
  }, 60_000);

  it('gives the documented table for the RFC 3489 classes', () => {
    const classes = ['open', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric'] as const;
    const table = classes.map((ours) =>
      classes.map((peer) => {
        const a = behaviorsOfNatType(ours);
        const b = behaviorsOfNatType(peer);
        return a && b ? predictDirectPath(a, b) : 'unknown';
      }),
    );
    expect(table).toEqual([
      ['yes', 'yes', 'yes', 'yes', 'yes'],
      ['yes', 'yes', 'yes', 'yes', 'yes'],
      ['yes', 'yes', 'yes', 'yes', 'yes'],
      ['yes', 'yes', 'yes', 'yes', 'no'],
      ['yes', 'yes', 'yes', 'no', 'no'],
    ]);
  });

  it('answers from partial knowledge only when every possibility agrees', () => {
    const portRestricted = {
      mapping: known('endpoint-independent'),
      filtering: known('address-and-port-dependent'),
      noNat: false,
    };
    // Mapping known not to be endpoint-independent, filtering unknown: still no path to a port-restricted peer.
    const notEim = {
      mapping: ['address-dependent', 'address-and-port-dependent'] as Behavior[],
      filtering: BEHAVIORS,
      noNat: false,
    };
    expect(predictDirectPath(notEim, portRestricted)).toBe('no');
    // Endpoint-independent mapping, filtering unknown: vs a symmetric peer it depends on our filtering.
    const eimOnly = { mapping: known('endpoint-independent'), filtering: BEHAVIORS, noNat: false };
    const symmetric = behaviorsOfNatType('symmetric');
    if (!symmetric) throw new Error('no symmetric');
    expect(predictDirectPath(eimOnly, symmetric)).toBe('unknown');
    expect(predictDirectPath(eimOnly, portRestricted)).toBe('yes');
    // No NAT but a stateful firewall acts like a port-restricted cone.
    const firewalled = {
      mapping: known('endpoint-independent'),
      filtering: known('address-and-port-dependent'),
      noNat: true,
    };
    expect(predictDirectPath(firewalled, symmetric)).toBe('no');
  });
});
