/**
 * A throw-away certificate authority for TLS interop tests, made with the `openssl` command at test
 * time (ECDSA P-256, valid for two days). Nothing is read from or written to system trust stores.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { run, runChecked } from './processes.ts';
import { makeWorkDir, type WorkDir } from './workdir.ts';

export interface PemFile {
  path: string;
  pem: string;
}

export interface TestCa {
  /** The CA certificate: give it to clients as their only trust anchor. */
  cert: PemFile;
  key: PemFile;
  /** Issue a server (and client) certificate for `commonName` with these DNS/IP subject alt names. */
  issue(request: CertificateRequest): Promise<IssuedCertificate>;
  /** Delete the files. */
  remove(): void;
}

export interface CertificateRequest {
  commonName: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

export interface IssuedCertificate {
  cert: PemFile;
  key: PemFile;
  /** The issuing CA's certificate (same as TestCa.cert). */
  ca: PemFile;
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeTestCa(commonName = 'Softphone Interop Test CA'): Promise<TestCa> {
  const dir = makeWorkDir('ca');
  try {
    const caCert = dir.file('ca.pem');
    const caKey = dir.file('ca.key');
    await runChecked('openssl', [
      'req',
      '-x509',
      ...KEY_ARGS,
      '-keyout',
      caKey,
      '-out',
      caCert,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const ca = { cert: pemFile(caCert), key: pemFile(caKey) };
    let issued = 0;
    return {
      ...ca,
      issue: (request) => issue(dir, ca, request, `leaf${++issued}`),
      remove: () => dir.remove(),
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

async function issue(
  dir: WorkDir,
  ca: { cert: PemFile; key: PemFile },
  request: CertificateRequest,
  base: string,
): Promise<IssuedCertificate> {
  const key = dir.file(`${base}.key`);
  const csr = dir.file(`${base}.csr`);
  const cert = dir.file(`${base}.pem`);
  const ext = dir.file(`${base}.ext`);
  const names = [
    ...(request.dnsNames ?? []).map((n) => `DNS:${n}`),
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement',
      'extendedKeyUsage=serverAuth,clientAuth',
      ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
      '',
    ].join('\n'),
  );
  await runChecked('openssl', [
    'req',
    ...KEY_ARGS,
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${request.commonName}`,
  ]);
  await runChecked('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert.path,
    '-CAkey',
    ca.key.path,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '2',
    '-out',
    cert,
    '-extfile',
    ext,
  ]);
  return { cert: pemFile(cert), key: pemFile(key), ca: ca.cert };
}

function pemFile(file: string): PemFile {
  return { path: file, pem: readFileSync(file, 'utf8') };
}

export interface TlsProbeResult {
  /** The handshake completed and the chain verified against `caFile` (incl. host/IP name checks asked for). */
  verified: boolean;
  /** e.g. 'TLSv1.3' */
  protocol: string | undefined;
  /** 'OK', or the verification error text (e.g. 'unable to get local issuer certificate'). */
  verifyResult: string;
  output: string;
}

/**
 * Connect with `openssl s_client`, trusting only `caFile`, and report whether the server's certificate
 * verified. `host` checks the certificate's DNS name, `ip` its IP SAN.
 */
export async function opensslTlsProbe(target: {
  address: string;
  port: number;
  caFile: string;
  host?: string;
  ip?: string;
  netns?: string;
}): Promise<TlsProbeResult> {
  const args = [
    's_client',
    '-connect',
    `${target.address}:${target.port}`,
    '-CAfile',
    target.caFile,
    '-verify_return_error',
    '-brief',
    ...(target.host ? ['-servername', target.host, '-verify_hostname', target.host] : []),
    ...(target.ip ? ['-verify_ip', target.ip] : []),
  ];
  const result = await run('openssl', args, { netns: target.netns, timeoutMs: 15_000, input: '' });
  const output = `${result.stdout}${result.stderr}`;
  const verifyResult =
    /verify error:num=\d+:([^\n]+)/.exec(output)?.[1] ??
    /Verification error: ([^\n]+)/.exec(output)?.[1] ??
    /Verification: ([^\n]+)/.exec(output)?.[1] ??
    '';
  return {
    verified: result.code === 0 && /Verification: OK/.test(output),
    protocol: /Protocol version: (\S+)/.exec(output)?.[1],
    verifyResult,
    output,
  };
}
