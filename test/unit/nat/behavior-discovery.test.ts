import { afterEach, describe, expect, it } from 'vitest';
import { BEHAVIORS, behaviorOf, discoverBehavior, natTypeOf } from '../../../src-main/nat/index.ts';
import type { BehaviorDiscoveryResult } from '../../../src-main/nat/index.ts';
import type { NatType } from '../../../src-shared/model/nat.ts';
import { ALTERNATE, CLIENT, NAT_PUBLIC, PRIMARY, createLab } from './support/nat-lab.ts';
import type { Lab, LabOptions } from './support/nat-lab.ts';

let lab: Lab | undefined;

function resetLab(): void {
  lab?.close();
  lab = undefined;
}

afterEach(resetLab);

async function discover(
  options: LabOptions,
  secondServer?: typeof PRIMARY,
): Promise<BehaviorDiscoveryResult> {
  lab = await createLab(options);
  const localAddresses = lab.client.interfaces().map((i) => i.address);
  const started = lab.clock.monotonic();
  const result = await lab.settle(
    discoverBehavior(lab.ctx, { server: PRIMARY, localAddresses, ...(secondServer ? { secondServer } : {}) }),
  );
  durationMs = lab.clock.monotonic() - started;
  return result;
}
let durationMs = 0;

const RFC3489: Record<string, NatType> = {
  'endpoint-independent/endpoint-independent': 'full-cone',
  'endpoint-independent/address-dependent': 'restricted-cone',
  'endpoint-independent/address-and-port-dependent': 'port-restricted-cone',
};

describe('RFC 5780 behaviour discovery against every in-memory NAT', () => {
  for (const mapping of BEHAVIORS) {
    for (const filtering of BEHAVIORS) {
      it(`finds mapping ${mapping}, filtering ${filtering}`, async () => {
        const r = await discover({ nat: { mapping, filtering } });
        expect(r.reachable).toBe(true);
        expect(behaviorOf(r.mapping)).toBe(mapping);
        expect(behaviorOf(r.filtering)).toBe(filtering);
        expect(r.noNat).toBe(false);
        expect(r.publicAddress?.address).toBe(NAT_PUBLIC);
        expect(r.portPreserved).toBe(true);
        expect(r.hairpinning).toBe(false);
        expect(r.otherAddress).toEqual(ALTERNATE);
        expect(r.notes).toEqual([]);
        const expectedType = RFC3489[`${mapping}/${filtering}`] ?? 'symmetric';
        expect(natTypeOf({ mapping: r.mapping, filtering: r.filtering, noNat: r.noNat }, false)).toBe(
          expectedType,
        );
        // The tests that expect silence (hairpinning here, filtering unless endpoint-independent) run in
        // parallel and end at the timeout paced by Test I's round trip: RTO 100 ms here, so 1.5 s.
        expect(durationMs).toBe(1_500);
      });
    }
  }

  it('sends the RFC 5780 tests where they belong (mapping on one socket, filtering on fresh ones)', async () => {
    await discover({
      nat: { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
    });
    const records = lab?.records ?? [];
    const byTest = (t: string) => records.filter((r) => r.test === t);
    const [m1] = byTest('mapping-1');
    const [m2] = byTest('mapping-2');
    const [m3] = byTest('mapping-3');
    expect(m1?.requestTo).toEqual({ address: PRIMARY.address, port: PRIMARY.port });
    expect(m2?.requestTo).toEqual({ address: ALTERNATE.address, port: PRIMARY.port });
    expect(m3?.requestTo).toEqual({ address: ALTERNATE.address, port: ALTERNATE.port });
    expect(new Set([m1?.local?.port, m2?.local?.port, m3?.local?.port]).size).toBe(1);
    // Under APDM each destination got its own public port.
    expect(new Set([m1?.mappedAddress?.port, m2?.mappedAddress?.port, m3?.mappedAddress?.port]).size).toBe(3);
    const filtering = [...byTest('filtering-2'), ...byTest('filtering-3')];
    expect(filtering.map((r) => r.outcome)).toEqual(['timeout', 'timeout']);
    expect(filtering.map((r) => r.sends)).toEqual([4, 4]);
    expect(new Set(filtering.map((r) => r.local?.port)).size).toBe(2);
    expect(filtering.every((r) => r.local?.port !== m1?.local?.port)).toBe(true);
  });

  it('reports hairpinning, also behind a port-restricted NAT (the test opens both filters)', async () => {
    for (const filtering of BEHAVIORS) {
      const r = await discover({ nat: { mapping: 'endpoint-independent', filtering, hairpinning: true } });
      expect(r.hairpinning, filtering).toBe(true);
      resetLab();
    }
  });

  it('sees no hairpinning through a symmetric NAT that hairpins but filters (no mapping is reused)', async () => {
    const r = await discover({
      nat: {
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
        hairpinning: true,
      },
    });
    expect(r.hairpinning).toBe(false);
  });

  it('tells when the NAT does not keep the local port', async () => {
    const r = await discover({ nat: { portPreservation: false, firstPort: 40_000 } });
    expect(r.portPreserved).toBe(false);
    expect(r.publicAddress?.port).toBe(40_000);
    expect(r.localPort).not.toBe(40_000);
  });

  it('finds no NAT for a host with a public address (mapped = local); filtering stays measured', async () => {
    const r = await discover({});
    expect(r.noNat).toBe(true);
    expect(behaviorOf(r.mapping)).toBe('endpoint-independent');
    expect(behaviorOf(r.filtering)).toBe('endpoint-independent');
    expect(r.hairpinning).toBeNull();
    expect(natTypeOf({ mapping: r.mapping, filtering: r.filtering, noNat: true }, false)).toBe('open');
  });

  it('reports UDP as blocked when Test I is never answered (after 4 sends, at 3 s)', async () => {
    lab = await createLab({ nat: {} });
    lab.net.dropWhere((p) => p.protocol === 'udp' && p.from.address === CLIENT);
    const r = await lab.settle(discoverBehavior(lab.ctx, { server: PRIMARY, localAddresses: [CLIENT] }));
    expect(r.reachable).toBe(false);
    expect(r.publicAddress).toBeNull();
    expect(lab.records).toMatchObject([
      { test: 'mapping-1', outcome: 'timeout', sends: 4, elapsedMs: 3_000 },
      { test: 'hairpinning', outcome: 'timeout', sends: 4, elapsedMs: 3_000 },
    ]);
    expect(natTypeOf({ mapping: r.mapping, filtering: r.filtering, noNat: false }, !r.reachable)).toBe(
      'udp-blocked',
    );
  });

  it('does not guess without OTHER-ADDRESS: mapping and filtering unknown', async () => {
    const r = await discover({ nat: {}, server: { alternate: undefined } });
    expect(r.reachable).toBe(true);
    expect(behaviorOf(r.mapping)).toBe('unknown');
    expect(behaviorOf(r.filtering)).toBe('unknown');
    expect(r.notes).toEqual(['no-other-address']);
    expect(r.publicAddress?.address).toBe(NAT_PUBLIC);
    expect(natTypeOf({ mapping: r.mapping, filtering: r.filtering, noNat: false }, false)).toBe('unknown');
  });

  it('without OTHER-ADDRESS compares the mapping towards two servers', async () => {
    const second = { address: '203.0.113.77', port: 3478, family: 4 as const };
    const withSecond = async (mapping: (typeof BEHAVIORS)[number]) => {
      lab = await createLab({ nat: { mapping }, server: { alternate: undefined } });
      const host = lab.net.host(second.address);
      const { StunTestServer } = await import('./support/stun-test-server.ts');
      const other = await StunTestServer.start({
        host,
        primary: { address: second.address, port: second.port },
      });
      const r = await lab.settle(
        discoverBehavior(lab.ctx, { server: PRIMARY, localAddresses: [CLIENT], secondServer: second }),
      );
      other.close();
      return r;
    };
    const eim = await withSecond('endpoint-independent');
    expect(eim.mapping).toEqual(['endpoint-independent']);
    expect(eim.notes).toEqual(['no-other-address', 'compared-two-servers']);
    resetLab();
    const apdm = await withSecond('address-and-port-dependent');
    expect(apdm.mapping).toEqual(['address-dependent', 'address-and-port-dependent']);
    expect(natTypeOf({ mapping: apdm.mapping, filtering: apdm.filtering, noNat: false }, false)).toBe(
      'symmetric',
    );
  });

  it('leaves filtering unknown when the server ignores or refuses CHANGE-REQUEST', async () => {
    const ignored = await discover({
      nat: { filtering: 'address-and-port-dependent' },
      server: { changeRequest: 'ignore' },
    });
    expect(behaviorOf(ignored.filtering)).toBe('unknown');
    expect(ignored.notes).toContain('change-request-ignored');
    expect(behaviorOf(ignored.mapping)).toBe('endpoint-independent');
    resetLab();
    const refused = await discover({ nat: {}, server: { changeRequest: 'refuse' } });
    expect(behaviorOf(refused.filtering)).toBe('unknown');
    expect(refused.notes).toContain('change-request-refused');
  });

  it('paces the tests that expect silence by Test I’s round trip (RTO = 4 × RTT, 100–200 ms)', async () => {
    await discover({ nat: { filtering: 'address-and-port-dependent' }, delayMs: 10 });
    expect(durationMs).toBe(20 + 1_500);
    const sends = (test: string) =>
      (lab?.net.sent ?? [])
        .filter(
          (p) =>
            p.sentAt >= 20 &&
            p.to.port === PRIMARY.port &&
            p.from.port === lab?.records.find((r) => r.test === test)?.local?.port,
        )
        .map((p) => p.sentAt - 20);
    expect(sends('filtering-2')).toEqual([0, 100, 300, 700]);
    resetLab();
    await discover({ nat: { filtering: 'address-and-port-dependent' }, delayMs: 25 });
    expect(durationMs).toBe(50 + 3_000);
    resetLab();
    await discover({ nat: { filtering: 'address-and-port-dependent' }, delayMs: 200 });
    expect(durationMs).toBe(400 + 3_000);
  });
});
