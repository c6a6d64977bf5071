/**
 * A throw-away PKI made with the openssl command line at test time: a test CA, a server certificate for
 * "localhost", 127.0.0.1 and ::1, a client certificate, and a second CA that signed nothing we trust.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed none of the above. */
  otherCaCert: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'softphone-pki-'));
  try {
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ecKey = (name: string) =>
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
    const selfSignedCa = (key: string, cert: string, cn: string) => {
      ecKey(key);
      writeFileSync(
        file(`${cert}.cnf`),
        [
          '[req]',
          'distinguished_name = dn',
          'prompt = no',
          'x509_extensions = ext',
          '[dn]',
          `CN = ${cn}`,
          '[ext]',
          'basicConstraints = critical, CA:TRUE',
          'keyUsage = critical, keyCertSign, cRLSign',
          'subjectKeyIdentifier = hash',
          '',
        ].join('\n'),
      );
      openssl(
        'req',
        '-x509',
        '-new',
        '-key',
        file(key),
        '-days',
        '2',
        '-config',
        file(`${cert}.cnf`),
        '-out',
        file(cert),
      );
    };
    let serial = Date.now();
    const issue = (name: string, cn: string, extensions: string[]) => {
      ecKey(`${name}.key`);
      openssl('req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`));
      writeFileSync(file(`${name}.ext`), [...extensions, 'basicConstraints = CA:FALSE', ''].join('\n'));
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-set_serial',
        String(serial++),
        '-days',
        '2',
        '-extfile',
        file(`${name}.ext`),
        '-out',
        file(`${name}.pem`),
      );
    };
    selfSignedCa('ca.key', 'ca.pem', 'Softphone Test CA');
    selfSignedCa('other.key', 'other.pem', 'Some Other CA');
    issue('server', 'localhost', [
      'subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1',
      'extendedKeyUsage = serverAuth',
      'keyUsage = critical, digitalSignature',
    ]);
    issue('client', 'alice', ['extendedKeyUsage = clientAuth', 'keyUsage = critical, digitalSignature']);
    const read = (name: string) => readFileSync(file(name), 'utf8');
    return {
      caCert: read('ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
      otherCaCert: read('other.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
