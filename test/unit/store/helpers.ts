import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountInput } from '../../../src-shared/model/account.ts';
import type { NatReport } from '../../../src-shared/model/nat.ts';
import { NodeKeyFileCipher, openStore } from '../../../src-main/store/index.ts';
import type { Store } from '../../../src-main/store/index.ts';

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix = 'softphone-store-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A clock the test moves by hand. */
export class ManualClock {
  time: number;
  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
}

export function openTestStore(dataDir: string, clock: { now(): number } = new ManualClock()): Store {
  const opened = openStore({ dataDir, cipher: NodeKeyFileCipher.forDataDir(dataDir), clock });
  if (!opened.ok) throw new Error(`openStore failed: ${JSON.stringify(opened.error)}`);
  return opened.value;
}

export function accountInput(overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    label: 'Office',
    aor: 'sip:alice@example.com',
    authUser: 'alice',
    displayName: 'Alice',
    domain: 'example.com',
    outboundProxy: null,
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: 'auto',
    stunServers: ['stun:stun.example.com:3478'],
    keepaliveIntervalSec: 25,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: [],
    ...overrides,
  };
}

/** A complete NAT report (a restricted-cone NAT behind one working STUN server). */
export function natReport(overrides: Partial<NatReport> = {}): NatReport {
  return {
    startedAt: 1_700_000_000_000,
    durationMs: 1234.5,
    accountId: null,
    domain: 'example.com',
    mapping: 'endpoint-independent',
    filtering: 'address-dependent',
    natType: 'restricted-cone',
    publicAddress: { address: '198.51.100.1', port: 40000 },
    portPreserved: false,
    hairpinning: null,
    bindingLifetimeS: null,
    bindingLifetimeCapped: false,
    bindingLifetimeUpperS: null,
    localAddresses: ['10.0.0.2'],
    discoveryServer: 'stun:stun.example.com:3478',
    servers: [
      {
        uri: 'stun:stun.example.com:3478',
        kind: 'stun',
        transport: 'udp',
        source: 'configured',
        host: 'stun.example.com',
        address: { address: '203.0.113.5', port: 3478 },
        ok: true,
        rttMs: 12.5,
        mappedAddress: { address: '198.51.100.1', port: 40000 },
        relayedAddress: null,
        lifetimeS: null,
        rfc5780: true,
        rank: 1,
        error: null,
      },
    ],
    sipAlg: 'unknown',
    policy: {
      transportPolicy: 'all',
      stunServer: 'stun:stun.example.com:3478',
      turnServer: null,
      turnRequired: false,
    },
    verdict: 'direct-likely',
    directPath: {
      open: 'yes',
      'full-cone': 'yes',
      'restricted-cone': 'yes',
      'port-restricted-cone': 'yes',
      symmetric: 'no',
    },
    explanation: [
      {
        key: 'nat.type.restricted-cone',
        params: { address: '198.51.100.1' },
        text: 'A restricted-cone NAT.',
      },
    ],
    tests: [],
    ...overrides,
  };
}

/** Lines of a child process's stdout as they arrive. */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
}
