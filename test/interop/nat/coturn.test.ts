/**
 * Our STUN client, RFC 5780 discovery and TURN allocations against coturn 4.6 on loopback (two addresses:
 * 127.0.0.1 and 127.0.0.2, so coturn does RFC 5780), through the CLI and in-process on the real
 * platform (Node sockets and clock; DNS scripted, since the lab has no DNS server for SRV records).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeResolver, NodeClock, NodeNetwork } from '../../../src-main/platform/index.ts';
import { runNatCheck } from '../../../src-main/nat/index.ts';
import { NatReport } from '../../../src-shared/model/nat.ts';
import { makeTestCa, referenceNatDiscovery, referenceStunClient, startCoturn } from '../support/index.ts';
import type { CoturnServer, TestCa } from '../support/index.ts';
import { runNatCheckCli } from './nat-check-cli.ts';

let ca: TestCa;
let coturn: CoturnServer;

beforeAll(async () => {
  ca = await makeTestCa();
  const cert = await ca.issue({
    commonName: 'turn.lab.test',
    dnsNames: ['turn.lab.test'],
    ipAddresses: ['127.0.0.1'],
  });
  coturn = await startCoturn({
    users: [{ user: 'alice', password: 'wonderland' }],
    realm: 'lab.test',
    altAddress: '127.0.0.2',
    tls: { cert: cert.cert.path, key: cert.key.path },
  });
});

afterAll(async () => {
  await coturn?.dispose();
  ca?.remove();
});

describe('nat-check against coturn on loopback', () => {
  it('runs STUN Binding and the RFC 5780 tests through the CLI, agreeing with turnutils_natdiscovery and stun', async () => {
    const ours = await runNatCheckCli(['--stun', `127.0.0.1:${coturn.port}`, '--no-lifetime']);
    expect(ours.code).toBe(0);
    expect(ours.report).toMatchObject({
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      natType: 'open',
      publicAddress: { address: '127.0.0.1' },
      portPreserved: true,
      hairpinning: null,
      bindingLifetimeS: null,
      verdict: 'direct-likely',
      discoveryServer: `stun:127.0.0.1:${coturn.port}`,
    });
    expect(ours.report.servers).toEqual([
      expect.objectContaining({
        uri: `stun:127.0.0.1:${coturn.port}`,
        ok: true,
        rfc5780: true,
        rank: 1,
        error: null,
      }),
    ]);
    expect(ours.result).toEqual(ours.report);
    expect(ours.progress.map((p) => p.step)).toEqual(
      expect.arrayContaining(['servers', 'stun', 'mapping', 'filtering', 'verdict']),
    );
    // The CHANGE-REQUEST answers really came from coturn's other address and port.
    const filtering2 = ours.report.tests.find((t) => t.test === 'filtering-2');
    expect(filtering2).toMatchObject({
      outcome: 'success',
      responseFrom: { address: '127.0.0.2', port: coturn.altPort },
    });

    // turnutils_natdiscovery compares the mapped address with its wildcard bind, so it never says "No NAT"
    // here; its behaviours match ours. The classic `stun` client names the type.
    const reference = await referenceNatDiscovery(undefined, undefined, {
      address: '127.0.0.1',
      port: coturn.port,
    });
    expect(reference.mapping).toBe(ours.report.mapping);
    expect(reference.filtering).toBe(ours.report.filtering);
    const classic = await referenceStunClient(undefined, undefined, {
      address: '127.0.0.1',
      port: coturn.port,
    });
    expect(classic.verdict).toBe('open');
  });

  it('finds STUN and TURN from the SIP domain alone and allocates over UDP, TCP and TLS, releasing every allocation', async () => {
    const resolver = new FakeResolver()
      .set('_stun._udp.lab.test', 'SRV', [
        { name: 'turn.lab.test', port: coturn.port, priority: 0, weight: 0 },
      ])
      .set('_turn._udp.lab.test', 'SRV', [
        { name: 'turn.lab.test', port: coturn.port, priority: 0, weight: 0 },
      ])
      .set('_turn._tcp.lab.test', 'SRV', [
        { name: 'turn.lab.test', port: coturn.port, priority: 0, weight: 0 },
      ])
      .set('_turns._tcp.lab.test', 'SRV', [
        { name: 'turn.lab.test', port: coturn.tlsPort ?? 0, priority: 0, weight: 0 },
      ])
      .set('turn.lab.test', 'A', ['127.0.0.1']);
    const report = await runNatCheck({
      clock: new NodeClock(),
      network: new NodeNetwork(),
      resolver,
      request: {
        domain: 'lab.test',
        turnCredentials: { username: 'alice', password: 'wonderland' },
        lifetime: false,
      },
      tls: { ca: [ca.cert.pem] },
    });
    expect(NatReport.safeParse(report).error).toBeUndefined();
    const byTransport = Object.fromEntries(
      report.servers.filter((s) => s.kind === 'turn').map((s) => [s.transport, s]),
    );
    for (const transport of ['udp', 'tcp', 'tls'] as const) {
      const server = byTransport[transport];
      expect(server, transport).toMatchObject({
        ok: true,
        source: 'srv',
        lifetimeS: 600,
        error: null,
        relayedAddress: { address: '127.0.0.1' },
      });
      const port = server?.relayedAddress?.port ?? 0;
      expect(port).toBeGreaterThanOrEqual(coturn.relayPorts[0]);
      expect(port).toBeLessThanOrEqual(coturn.relayPorts[1]);
    }
    expect(report.policy).toEqual({
      transportPolicy: 'all',
      stunServer: `stun:turn.lab.test:${coturn.port}`,
      turnServer: { uri: `turn:turn.lab.test:${coturn.port}`, transport: 'udp' },
      turnRequired: false,
    });
    // coturn saw each allocation refreshed to lifetime 0, i.e. deleted.
    await expect
      .poll(
        () => coturn.log().match(/refreshed, realm=<lab\.test>, username=<alice>, lifetime=0/g)?.length ?? 0,
      )
      .toBe(3);
  });

  it('reports a wrong TURN password as coturn’s 401, in plain words, and still exits 0', async () => {
    const run = await runNatCheckCli([
      '--turn',
      coturn.turnUri('tcp'),
      '--turn-user',
      'alice',
      '--turn-password',
      'not-it',
      '--no-lifetime',
    ]);
    expect(run.code).toBe(0);
    const turn = run.report.servers.find((s) => s.kind === 'turn');
    expect(turn).toMatchObject({
      ok: false,
      error: {
        code: '401',
        message: `The TURN server at 127.0.0.1:${coturn.port} refused the username "alice" or its password (401 Unauthorized).`,
      },
    });
    expect(run.report.policy.turnServer).toBeNull();
  });

  it('verifies a turns: server with --ca (besides the system CAs): without it "certificate not trusted", with it a TLS allocation', async () => {
    const uri = coturn.turnUri('tls');
    const args = ['--turn', uri, '--turn-user', 'alice', '--turn-password', 'wonderland', '--no-lifetime'];
    const where = `127.0.0.1:${coturn.tlsPort ?? 0}`;
    // The report names the server without the (implied) ?transport=tcp.
    const reported = `turns:${where}`;

    // (b) The test CA is in no trust store: refused in the handshake, in words, and the check still ends (exit 0).
    const untrusted = await runNatCheckCli(args);
    expect(untrusted.code).toBe(0);
    expect(untrusted.report.servers).toEqual([
      expect.objectContaining({ uri: reported, transport: 'tls', ok: false, relayedAddress: null }),
    ]);
    const refused = untrusted.report.servers[0]?.error;
    expect(refused?.code).toBe('tls');
    // Node's own text (and hint) in parentheses, our words around it.
    expect(refused?.message).toMatch(
      new RegExp(
        `^TLS with ${where.replace(/\./g, '\\.')} failed: certificate not trusted for 127\\.0\\.0\\.1 \\(unable to verify the first certificate.*\\)\\. Its CA is neither in the system store nor among the extra TLS trust anchors\\.$`,
      ),
    );
    expect(untrusted.report.explanation.map((s) => s.text).join('\n')).toContain('certificate not trusted');
    expect(untrusted.report.policy.turnServer).toBeNull();

    // (a) --ca FILE: the same server verified (IP SAN 127.0.0.1), allocated over TLS and released.
    const released = (): number =>
      coturn.log().match(/refreshed, realm=<lab\.test>, username=<alice>, lifetime=0/g)?.length ?? 0;
    const before = released();
    const trusted = await runNatCheckCli([...args, '--ca', ca.cert.path]);
    expect(trusted.code).toBe(0);
    expect(trusted.report.servers[0]).toMatchObject({
      uri: reported,
      ok: true,
      transport: 'tls',
      error: null,
      lifetimeS: 600,
      relayedAddress: { address: '127.0.0.1' },
    });
    const port = trusted.report.servers[0]?.relayedAddress?.port ?? 0;
    expect(port).toBeGreaterThanOrEqual(coturn.relayPorts[0]);
    expect(port).toBeLessThanOrEqual(coturn.relayPorts[1]);
    expect(trusted.report.policy.turnServer).toEqual({ uri: reported, transport: 'tls' });
    await expect.poll(released).toBe(before + 1);

    // The system store still counts with no --ca (here: the CA added to Node's through the environment).
    const system = await runNatCheckCli(args, { env: { NODE_EXTRA_CA_CERTS: ca.cert.path } });
    expect(system.report.servers[0]).toMatchObject({ ok: true, transport: 'tls' });
  });

  it('exits 1 when nothing can be tested', async () => {
    const run = await runNatCheckCli(['--stun', 'no-such-host.invalid:3478', '--no-lifetime']);
    expect(run.code).toBe(1);
    expect(run.report.servers[0]?.error?.code).toBe('dns');
  });
});
