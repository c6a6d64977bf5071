import { afterEach, describe, expect, it } from 'vitest';
import { FakeResolver } from '../../../src-main/platform/index.ts';
import { runNatCheck } from '../../../src-main/nat/index.ts';
import type { NatCheckOptions } from '../../../src-main/nat/index.ts';
import { NatReport } from '../../../src-shared/model/nat.ts';
import type { NatCheckProgress, NatCheckRequest } from '../../../src-shared/model/nat.ts';
import { CLIENT, NAT_PUBLIC, PRIMARY, createLab } from './support/nat-lab.ts';
import type { Lab, LabOptions } from './support/nat-lab.ts';

let lab: Lab | undefined;

afterEach(() => {
  lab?.close();
  lab = undefined;
});

const TURN = { realm: 'example.com', users: { alice: 'wonderland' } };

function resolver(): FakeResolver {
  return new FakeResolver()
    .set('_stun._udp.example.com', 'SRV', [{ name: 'stun.example.com', port: 3478, priority: 0, weight: 0 }])
    .set('_turn._udp.example.com', 'SRV', [{ name: 'stun.example.com', port: 3478, priority: 0, weight: 0 }])
    .set('_turns._tcp.example.com', 'SRV', [{ name: 'stun.example.com', port: 5349, priority: 0, weight: 0 }])
    .set('stun.example.com', 'A', [PRIMARY.address]);
}

async function check(
  labOptions: LabOptions,
  request: NatCheckRequest,
  extra: Partial<NatCheckOptions> = {},
): Promise<{ report: NatReport; progress: NatCheckProgress[] }> {
  lab = await createLab({
    ...labOptions,
    server: {
      tcpPort: 3478,
      tls: { port: 5349, names: ['stun.example.com'] },
      turn: TURN,
      ...labOptions.server,
    },
  });
  const progress: NatCheckProgress[] = [];
  const report = await lab.settle(
    runNatCheck({
      clock: lab.clock,
      network: lab.client,
      resolver: resolver(),
      request,
      onProgress: (p) => progress.push(p),
      lifetimeDelaysS: [5, 10, 20],
      ...extra,
    }),
  );
  // Whatever the result, it is a valid report for the IPC contract.
  expect(NatReport.safeParse(report).error).toBeUndefined();
  return { report, progress };
}

describe('the whole NAT check against in-memory NATs', () => {
  it('finds the servers of the SIP domain, allocates on TURN over UDP and TLS, and explains a port-restricted cone NAT', async () => {
    const { report, progress } = await check(
      {
        nat: {
          mapping: 'endpoint-independent',
          filtering: 'address-and-port-dependent',
          bindingLifetimeMs: 15_000,
        },
      },
      {
        domain: 'example.com',
        turnCredentials: { username: 'alice', password: 'wonderland' },
        lifetimeMaxS: 30,
      },
    );
    expect(report).toMatchObject({
      domain: 'example.com',
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      natType: 'port-restricted-cone',
      publicAddress: { address: NAT_PUBLIC },
      portPreserved: true,
      hairpinning: false,
      bindingLifetimeS: 10,
      bindingLifetimeUpperS: 20,
      bindingLifetimeCapped: false,
      verdict: 'direct-possible',
      discoveryServer: 'stun:stun.example.com:3478',
      sipAlg: 'unknown',
      directPath: {
        open: 'yes',
        'full-cone': 'yes',
        'restricted-cone': 'yes',
        'port-restricted-cone': 'yes',
        symmetric: 'no',
      },
      policy: {
        transportPolicy: 'all',
        stunServer: 'stun:stun.example.com:3478',
        turnServer: { uri: 'turn:stun.example.com:3478', transport: 'udp' },
        turnRequired: false,
      },
    });
    expect(report.servers.map((s) => [s.uri, s.kind, s.transport, s.source, s.ok, s.rank])).toEqual([
      ['stun:stun.example.com:3478', 'stun', 'udp', 'srv', true, 1],
      ['turn:stun.example.com:3478', 'turn', 'udp', 'srv', true, 1],
      ['turns:stun.example.com:5349', 'turn', 'tls', 'srv', true, 2],
    ]);
    expect(report.servers[0]).toMatchObject({
      rfc5780: true,
      rttMs: 0,
      mappedAddress: { address: NAT_PUBLIC },
    });
    expect(report.servers[1]).toMatchObject({ relayedAddress: { address: PRIMARY.address }, lifetimeS: 600 });
    expect(lab?.server.turn?.allocationCount).toBe(0); // every test allocation was released
    const texts = report.explanation.map((s) => s.text);
    expect(texts[0]).toBe(
      'You are behind a port-restricted cone NAT: it lets in packets only from the exact address and port you have sent to.',
    );
    expect(texts).toContain(
      'Direct calls work with most peers; calls to peers behind symmetric NATs will go through the TURN relay (turn:stun.example.com:3478).',
    );
    expect(texts).toContain(
      'Your NAT forgets an idle UDP binding after 10 to 20 s: keepalives must be sent at least every 8 s.',
    );
    expect(report.explanation.find((s) => s.key === 'nat.publicAddress')?.params).toEqual({
      address: NAT_PUBLIC,
      port: report.publicAddress?.port ?? -1,
    });
    expect(progress.map((p) => p.step)).toEqual(
      expect.arrayContaining([
        'servers',
        'stun',
        'turn',
        'mapping',
        'filtering',
        'hairpinning',
        'lifetime',
        'verdict',
      ]),
    );
    expect(report.tests.some((t) => t.test === 'filtering-2' && t.outcome === 'timeout')).toBe(true);
  });

  it('says relay-required behind a symmetric NAT', async () => {
    const { report } = await check(
      { nat: { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' } },
      {
        stun: ['stun:203.0.113.5'],
        turn: [{ uri: 'turn:203.0.113.5', username: 'alice', password: 'wonderland' }],
        lifetime: false,
      },
    );
    expect(report).toMatchObject({
      natType: 'symmetric',
      verdict: 'relay-required',
      policy: { transportPolicy: 'all', turnRequired: true },
    });
    expect(report.bindingLifetimeS).toBeNull();
    expect(report.tests.some((t) => t.test.startsWith('lifetime'))).toBe(false);
  });

  it('falls back to TURN over TLS when UDP is blocked', async () => {
    lab = undefined;
    const labOptions: LabOptions = { nat: {} };
    const promise = (async () => {
      const created = await createLab({
        ...labOptions,
        server: { tcpPort: 3478, tls: { port: 5349, names: ['stun.example.com'] }, turn: TURN },
      });
      lab = created;
      created.net.dropWhere((p) => p.protocol === 'udp' && p.from.address === CLIENT);
      return created.settle(
        runNatCheck({
          clock: created.clock,
          network: created.client,
          resolver: resolver(),
          request: { domain: 'example.com', turnCredentials: { username: 'alice', password: 'wonderland' } },
        }),
      );
    })();
    const report = await promise;
    expect(NatReport.safeParse(report).error).toBeUndefined();
    expect(report).toMatchObject({
      natType: 'udp-blocked',
      verdict: 'relay-required',
      publicAddress: null,
      policy: {
        transportPolicy: 'relay',
        stunServer: null,
        turnServer: { uri: 'turns:stun.example.com:5349', transport: 'tls' },
        turnRequired: true,
      },
      directPath: { open: 'no', symmetric: 'no' },
    });
    expect(report.servers.find((s) => s.transport === 'tls')?.mappedAddress?.address).toBe(NAT_PUBLIC);
    expect(report.explanation[0]?.key).toBe('nat.type.udp-blocked');
  });

  it('reports wrong TURN credentials with the server’s 401, in plain words', async () => {
    const { report } = await check(
      { nat: {} },
      {
        stun: ['stun:203.0.113.5'],
        turn: [{ uri: 'turns:stun.example.com', username: 'alice', password: 'nope' }],
        lifetime: false,
      },
    );
    const turn = report.servers.find((s) => s.kind === 'turn');
    expect(turn).toMatchObject({
      ok: false,
      rank: null,
      error: {
        code: '401',
        message:
          'The TURN server at 203.0.113.5:5349 refused the username "alice" or its password (401 Unauthorized).',
      },
    });
    expect(report.policy.turnServer).toBeNull();
    expect(report.explanation.map((s) => s.text)).toContain(
      'turns:stun.example.com:5349: The TURN server at 203.0.113.5:5349 refused the username "alice" or its password (401 Unauthorized).',
    );
  });

  it('tells a TLS certificate problem and a silent server apart', async () => {
    const { report } = await check(
      { nat: {} },
      {
        stun: ['stun:203.0.113.5:3999'],
        turn: [{ uri: 'turns:203.0.113.5', username: 'alice', password: 'wonderland' }],
        lifetime: false,
      },
    );
    expect(report.servers.map((s) => s.error?.code)).toEqual(['timeout', 'tls']);
    expect(report.natType).toBe('udp-blocked');
    expect(report.verdict).toBe('blocked');
  });

  it('verifies a turns: server from a private CA with the extra trust anchors; without them: "certificate not trusted"', async () => {
    const issuer = '-----BEGIN CERTIFICATE-----\nEXAMPLE-CA\n-----END CERTIFICATE-----\n';
    const request: NatCheckRequest = {
      turn: [{ uri: 'turns:stun.example.com:5349', username: 'alice', password: 'wonderland' }],
      lifetime: false,
    };
    const server = { tls: { port: 5349, names: ['stun.example.com'], issuer } };
    const refused = await check({ server }, request);
    expect(refused.report.servers).toEqual([
      expect.objectContaining({
        uri: 'turns:stun.example.com:5349',
        transport: 'tls',
        ok: false,
        error: {
          code: 'tls',
          message: `TLS with ${PRIMARY.address}:5349 failed: certificate not trusted for stun.example.com (certificate of ${PRIMARY.address}:5349: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)). Its CA is neither in the system store nor among the extra TLS trust anchors.`,
        },
      }),
    ]);
    expect(refused.report.explanation.map((s) => s.text).join('\n')).toContain('certificate not trusted');
    lab?.close();

    const trusted = await check({ server }, request, { tls: { ca: ['another CA', issuer] } });
    expect(trusted.report.servers).toEqual([
      expect.objectContaining({
        uri: 'turns:stun.example.com:5349',
        transport: 'tls',
        ok: true,
        error: null,
        relayedAddress: expect.objectContaining({ address: PRIMARY.address }) as unknown,
      }),
    ]);
  });

  it('checks TURN servers found by SRV without credentials for their challenge', async () => {
    const { report } = await check({ nat: {} }, { domain: 'example.com', lifetime: false });
    const turns = report.servers.filter((s) => s.kind === 'turn');
    expect(turns.map((s) => s.error?.code)).toEqual(['credentials-needed', 'credentials-needed']);
    expect(turns[0]?.error?.message).toBe(
      'The TURN server at 203.0.113.5:3478 answers and asks for credentials (realm "example.com"); none were given.',
    );
  });

  it('skips the lifetime test where nothing can expire (public address, no filtering)', async () => {
    const { report } = await check({}, { stun: ['stun:203.0.113.5'] });
    expect(report).toMatchObject({
      natType: 'open',
      verdict: 'direct-likely',
      bindingLifetimeS: null,
      hairpinning: null,
    });
    expect(report.tests.some((t) => t.test.startsWith('lifetime'))).toBe(false);
    expect(report.explanation[0]?.text).toBe(
      'Your computer has a public address: there is no NAT between you and the internet.',
    );
  });

  it('stays within the report’s bounds with a chatty server and a domain publishing many servers', async () => {
    const reason = 'x'.repeat(700);
    lab = await createLab({ nat: {}, server: { turn: { ...TURN, allocateError: { code: 508, reason } } } });
    const many = new FakeResolver()
      .set(
        '_stun._udp.example.com',
        'SRV',
        Array.from({ length: 40 }, (_, i) => ({
          name: `s${i}.example.com`,
          port: 3478,
          priority: i,
          weight: 0,
        })),
      )
      .set('_turn._udp.example.com', 'SRV', [
        { name: 'turn.example.com', port: 3478, priority: 0, weight: 0 },
      ])
      .set('turn.example.com', 'A', [PRIMARY.address]);
    const report = await lab.settle(
      runNatCheck({
        clock: lab.clock,
        network: lab.client,
        resolver: many,
        request: {
          turn: [{ uri: 'turn:203.0.113.5', username: 'alice', password: 'wonderland' }],
          domain: 'example.com',
          lifetime: false,
        },
      }),
    );
    expect(NatReport.safeParse(report).error).toBeUndefined();
    expect(report.servers).toHaveLength(24);
    expect(report.servers[0]?.error?.message.length).toBeLessThanOrEqual(500);
    expect(report.explanation.length).toBeLessThanOrEqual(40);
  });

  it('says so when there is nothing to test', async () => {
    const { report } = await check({ nat: {} }, {});
    expect(report).toMatchObject({ servers: [], natType: 'unknown', verdict: 'unknown', mapping: 'unknown' });
    expect(report.explanation.map((s) => s.key)).toEqual(['nat.nothingTested']);
  });

  it('reports an unknown behaviour honestly when the server lacks OTHER-ADDRESS', async () => {
    const { report } = await check(
      { nat: { filtering: 'address-dependent' }, server: { alternate: undefined } },
      { stun: ['stun:203.0.113.5'] },
    );
    expect(report).toMatchObject({
      mapping: 'unknown',
      filtering: 'unknown',
      natType: 'unknown',
      verdict: 'unknown',
      bindingLifetimeS: null,
    });
    expect(report.servers[0]?.rfc5780).toBe(false);
    expect(report.explanation.map((s) => s.key)).toEqual(
      expect.arrayContaining([
        'nat.type.unknown',
        'nat.note.noOtherAddress',
        'nat.lifetime.unsupported',
        'nat.verdict.unknown',
      ]),
    );
  });

  it('feeds the SIP ALG observation through', async () => {
    const { report } = await check(
      { nat: {} },
      { stun: ['stun:203.0.113.5'], lifetime: false },
      {
        sipAlg: {
          sent: { via: { host: CLIENT, port: 5060 }, contact: { host: CLIENT, port: 5060 } },
          echoed: { via: { host: NAT_PUBLIC, port: 5060, received: NAT_PUBLIC, rport: 5060 } },
          localAddresses: [CLIENT],
        },
      },
    );
    expect(report.sipAlg).toBe('detected');
    expect(report.explanation.map((s) => s.key)).toContain('nat.sipAlg.detected');
  });
});
