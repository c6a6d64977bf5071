import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTestCa,
  opensslTlsProbe,
  sipProbe,
  startBaresip,
  startKamailio,
  type BaresipUa,
  type KamailioServer,
  type TestCa,
} from '../support/index.ts';

const users = [
  { user: 'alice', password: 'alice-secret' },
  { user: 'bob', password: 'bob-secret' },
  { user: 'carol', password: 'carol-secret' },
];

let ca: TestCa;
let otherCa: TestCa;
let kamailio: KamailioServer;
const uas: BaresipUa[] = [];

beforeAll(async () => {
  ca = await makeTestCa();
  otherCa = await makeTestCa('Some Other CA');
  const server = await ca.issue({
    commonName: 'lab.test',
    dnsNames: ['lab.test'],
    ipAddresses: ['127.0.0.1'],
  });
  kamailio = await startKamailio({
    users,
    domain: 'lab.test',
    tls: { cert: server.cert.path, key: server.key.path, ca: ca.cert.path },
  });
});

afterAll(async () => {
  await Promise.all(uas.map((ua) => ua.dispose()));
  await kamailio?.dispose();
  ca?.remove();
  otherCa?.remove();
});

function probe(method: string, requestUri: string, from: string, to = requestUri, timeoutMs = 3000) {
  return sipProbe({
    server: { address: kamailio.address, port: kamailio.udpPort ?? 0 },
    method,
    requestUri,
    from,
    to,
    timeoutMs,
  });
}

describe('kamailio: registrar and proxy without a database', () => {
  it('answers OPTIONS to itself with 200', async () => {
    const response = await probe(
      'OPTIONS',
      `sip:${kamailio.address}:${kamailio.udpPort}`,
      'sip:probe@example.org',
    );
    expect(response.status).toBe(200);
  });

  it('challenges REGISTER with 401 (realm lab.test, qop auth)', async () => {
    const response = await probe('REGISTER', 'sip:lab.test', 'sip:alice@lab.test');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Digest realm="lab.test".*qop="auth"/);
  });

  it('challenges an INVITE from a local user with 407', async () => {
    const response = await probe('INVITE', 'sip:bob@lab.test', 'sip:alice@lab.test');
    expect(response.status).toBe(407);
    expect(response.headers['proxy-authenticate']).toMatch(/^Digest realm="lab.test"/);
  });

  it('answers 404 for an unknown user and 480 for a known user without binding', async () => {
    expect((await probe('INVITE', 'sip:nobody@lab.test', 'sip:probe@example.org')).status).toBe(404);
    expect((await probe('INVITE', 'sip:carol@lab.test', 'sip:probe@example.org')).status).toBe(480);
  });

  it('refuses to relay to other domains (403)', async () => {
    expect((await probe('MESSAGE', 'sip:someone@example.org', 'sip:probe@example.org')).status).toBe(403);
  });

  it('registers baresip over UDP (digest) and shows the binding; un-REGISTER on stop removes it', async () => {
    const alice = await startBaresip({
      aor: 'sip:alice@lab.test',
      password: 'alice-secret',
      proxy: kamailio.uri('udp'),
      regint: 300,
    });
    uas.push(alice);
    await alice.waitFor('REGISTER_OK');
    const bindings = await kamailio.bindings('sip:alice@lab.test');
    expect(bindings).toHaveLength(1);
    const [binding] = bindings;
    expect(binding?.aor).toBe('alice');
    expect(binding?.contact).toMatch(new RegExp(`^sip:alice[^@]*@127\\.0\\.0\\.1:${alice.sipPort}`));
    expect(binding?.socket).toBe(`udp:127.0.0.1:${kamailio.udpPort}`);
    expect(binding?.expires).toBeGreaterThan(290);
    expect(binding?.expires).toBeLessThanOrEqual(300);
    expect(binding?.received).toBeUndefined(); // no NAT on loopback
    expect(binding?.userAgent).toMatch(/^baresip/);
    expect((await kamailio.allBindings()).map((b) => b.aor)).toContain('alice');
    expect(await kamailio.bindings('bob')).toEqual([]);

    await alice.stop();
    expect(await kamailio.bindings('alice')).toEqual([]);
  });

  it('registers baresip over TCP and over TLS (trusting the test CA)', async () => {
    const bob = await startBaresip({
      aor: 'sip:bob@lab.test',
      password: 'bob-secret',
      proxy: kamailio.uri('tcp'),
      transport: 'tcp',
    });
    const carol = await startBaresip({
      aor: 'sip:carol@lab.test',
      password: 'carol-secret',
      proxy: kamailio.uri('tls'),
      transport: 'tls',
      caFile: ca.cert.path,
    });
    uas.push(bob, carol);
    await bob.waitFor('REGISTER_OK');
    await carol.waitFor('REGISTER_OK');
    const [tcpBinding] = await kamailio.bindings('bob');
    expect(tcpBinding?.socket).toBe(`tcp:127.0.0.1:${kamailio.tcpPort}`);
    expect(tcpBinding?.tcpConnectionId).toBeGreaterThan(0);
    const [tlsBinding] = await kamailio.bindings('carol');
    expect(tlsBinding?.socket).toBe(`tls:127.0.0.1:${kamailio.tlsPort}`);
  });

  it('accepts a TLS connection that openssl s_client verifies with the test CA only', async () => {
    const good = await opensslTlsProbe({
      address: '127.0.0.1',
      port: kamailio.tlsPort ?? 0,
      caFile: ca.cert.path,
      host: 'lab.test',
      ip: '127.0.0.1',
    });
    expect(good.verified, good.output).toBe(true);
    expect(good.verifyResult).toBe('OK');
    expect(good.protocol).toMatch(/^TLSv1\.[23]$/);
    const bad = await opensslTlsProbe({
      address: '127.0.0.1',
      port: kamailio.tlsPort ?? 0,
      caFile: otherCa.cert.path,
      host: 'lab.test',
    });
    expect(bad.verified).toBe(false);
    // Kamailio sends the CA with its chain (ca_list), so a stranger CA sees a self-signed root it does not trust
    expect(bad.verifyResult).toMatch(
      /self-signed certificate in certificate chain|unable to get local issuer certificate/,
    );
  });

  it('stops and starts again on the same ports, with an empty location table', async () => {
    const ports = [kamailio.udpPort, kamailio.tcpPort, kamailio.tlsPort];
    expect((await kamailio.allBindings()).length).toBeGreaterThan(0);
    await kamailio.stop();
    expect(kamailio.isRunning()).toBe(false);
    await expect(
      probe(
        'OPTIONS',
        `sip:${kamailio.address}:${kamailio.udpPort}`,
        'sip:probe@example.org',
        undefined,
        1200,
      ),
    ).rejects.toThrow(/no final response/);

    await kamailio.start();
    expect(kamailio.isRunning()).toBe(true);
    expect([kamailio.udpPort, kamailio.tcpPort, kamailio.tlsPort]).toEqual(ports);
    expect(
      (await probe('OPTIONS', `sip:${kamailio.address}:${kamailio.udpPort}`, 'sip:probe@example.org')).status,
    ).toBe(200);
    expect(await kamailio.allBindings()).toEqual([]);
    const tls = await opensslTlsProbe({
      address: '127.0.0.1',
      port: kamailio.tlsPort ?? 0,
      caFile: ca.cert.path,
      host: 'lab.test',
    });
    expect(tls.verified).toBe(true);
  });

  it('takes extra script lines and expiry limits (423 below min_expires) in a second instance', async () => {
    const custom = await startKamailio({
      users,
      udp: true,
      tcp: false,
      minExpires: 60,
      maxExpires: 120,
      natPingInterval: 5,
      extraRoute:
        '\tif (is_method("MESSAGE") && $rU == "robot") {\n\t\tsl_send_reply("202", "Robot Accepted");\n\t\texit;\n\t}',
    });
    try {
      expect(custom.tcpPort).toBeUndefined();
      expect(custom.udpPort).not.toBe(kamailio.udpPort);
      const response = await sipProbe({
        server: { address: custom.address, port: custom.udpPort ?? 0 },
        method: 'MESSAGE',
        requestUri: 'sip:robot@lab.test',
        from: 'sip:probe@example.org',
        to: 'sip:robot@lab.test',
      });
      expect(response.status).toBe(202);
      expect(response.reason).toBe('Robot Accepted');
      expect(() => custom.uri('tcp')).toThrow(/no tcp listener/);

      // below min_expires: 423 with Min-Expires (and no second reply); baresip retries with 60 s
      const shortLived = await startBaresip({
        aor: 'sip:alice@lab.test',
        password: 'alice-secret',
        proxy: custom.uri('udp'),
        regint: 30,
      });
      uas.push(shortLived);
      await shortLived.waitFor('REGISTER_OK');
      const statuses = shortLived.log().match(/^SIP\/2\.0 \d{3}/gm) ?? [];
      expect(statuses).toEqual(['SIP/2.0 401', 'SIP/2.0 423', 'SIP/2.0 200']);
      expect(shortLived.log()).toMatch(/^Min-Expires: 60\r?$/m);
      const [binding] = await custom.bindings('alice');
      expect(binding?.expires).toBeGreaterThan(50);
      expect(binding?.expires).toBeLessThanOrEqual(60);
      await shortLived.stop();
    } finally {
      await custom.dispose();
    }
  });
});
