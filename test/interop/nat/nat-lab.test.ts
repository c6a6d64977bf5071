/**
 * Our NAT discovery inside real Linux NATs (network namespaces, iptables): a port-restricted cone home
 * (MASQUERADE) and a symmetric home (SNAT --random-fully), coturn with two public addresses. Our verdicts
 * (`softphone nat-check --json` run in the home namespace) must match the reference clients run from the
 * same home: `turnutils_natdiscovery` (RFC 5780 mapping and filtering) and `stun` (RFC 3489 type). The
 * binding lifetime is measured against a conntrack UDP timeout shortened in the router namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatLab, referenceNatDiscovery, referenceStunClient, startCoturn } from '../support/index.ts';
import type { CoturnServer, NatLab, ServerAddress } from '../support/index.ts';
import { runNatCheckCli } from './nat-check-cli.ts';

let lab: NatLab;
let coturn: CoturnServer;
let server: ServerAddress;

beforeAll(async () => {
  lab = await createNatLab({
    nats: [
      { name: 'cone', kind: 'port-restricted' },
      { name: 'sym', kind: 'symmetric' },
    ],
  });
  const [primary, alternate] = lab.serverAddresses;
  coturn = await startCoturn({
    users: [{ user: 'alice', password: 'wonderland' }],
    netns: lab.publicNs,
    address: primary,
    altAddress: alternate,
  });
  server = { address: coturn.address, port: coturn.port };
});

afterAll(async () => {
  await coturn?.dispose();
  await lab?.destroy();
});

const expected = {
  cone: {
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    natType: 'port-restricted-cone',
    verdict: 'direct-possible',
  },
  sym: {
    mapping: 'address-and-port-dependent',
    filtering: 'address-and-port-dependent',
    natType: 'symmetric',
    verdict: 'relay-required',
  },
} as const;

describe('nat-check in the NAT lab, against the reference clients', () => {
  for (const name of ['cone', 'sym'] as const) {
    it(`finds the ${name} NAT as turnutils_natdiscovery and stun do`, async () => {
      const nat = lab.nat(name);
      const ours = await runNatCheckCli(
        [
          '--stun',
          `${server.address}:${server.port}`,
          '--turn',
          coturn.turnUri('udp'),
          '--turn-user',
          'alice',
          '--turn-password',
          'wonderland',
          '--no-lifetime',
        ],
        {
          lab,
          netns: nat.homeNs,
        },
      );
      expect(ours.code).toBe(0);
      expect(ours.report).toMatchObject({
        ...expected[name],
        publicAddress: { address: nat.publicAddress },
        hairpinning: false,
      });
      expect(ours.report.servers.find((s) => s.kind === 'turn')).toMatchObject({
        ok: true,
        relayedAddress: { address: server.address },
      });
      expect(ours.report.policy.turnServer?.transport).toBe('udp');
      expect(ours.report.policy.turnRequired).toBe(name === 'sym');

      const rfc5780 = await referenceNatDiscovery(lab, nat.homeNs, server);
      expect({ mapping: ours.report.mapping, filtering: ours.report.filtering }).toEqual({
        mapping: rfc5780.mapping,
        filtering: rfc5780.filtering,
      });

      const classic = await referenceStunClient(lab, nat.homeNs, server);
      expect(ours.report.natType).toBe(classic.natType);
      expect(ours.report.portPreserved).toBe(classic.preservesPort);
      expect(ours.report.hairpinning).toBe(classic.hairpin);
    });
  }

  it('measures the binding lifetime against a 12 s conntrack UDP timeout in the router', async () => {
    const nat = lab.nat('cone');
    const set = await lab.exec(nat.routerNs, 'sysctl', [
      '-q',
      '-w',
      'net.netfilter.nf_conntrack_udp_timeout=12',
    ]);
    expect(set.code).toBe(0);
    const run = await runNatCheckCli(['--stun', `${server.address}:${server.port}`, '--lifetime-max', '20'], {
      lab,
      netns: nat.homeNs,
    });
    expect(run.report).toMatchObject({
      natType: 'port-restricted-cone',
      bindingLifetimeS: 10,
      bindingLifetimeUpperS: 15,
      bindingLifetimeCapped: false,
    });
    const probes = run.report.tests.filter(
      (t) => t.test === 'lifetime-probe' && t.detail?.startsWith('RESPONSE-PORT'),
    );
    expect(probes.map((p) => p.outcome)).toEqual(['success', 'success', 'timeout']);
    expect(run.report.explanation.map((s) => s.key)).toContain('nat.lifetime.between');
  });
});
