import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountInput } from '../../../src-shared/model/account.ts';
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
