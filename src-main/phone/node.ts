/**
 * Wires a `Phone` to the real platform (Node sockets, DNS, clock) — used by the CLI, the Electron main
 * process and the e2e test host.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { NodeClock, NodeNetwork, NodeResolver, defaultDataDir } from '../platform/index.ts';
import type { HostKind } from '../../src-shared/model/app.ts';
import { Phone } from './phone.ts';

export interface PackageInfo {
  name: string;
  productName: string;
  version: string;
}

let cachedPackage: PackageInfo | undefined;

/** name/productName/version from our package.json (read once). */
export function packageInfo(): PackageInfo {
  if (!cachedPackage) {
    const raw = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    cachedPackage = {
      name: String(raw.name ?? 'softphone'),
      productName: String(raw.productName ?? 'Softphone'),
      version: String(raw.version ?? '0.0.0'),
    };
  }
  return cachedPackage;
}

export interface NodePhoneOptions {
  host: HostKind;
  dataDir?: string;
  versions?: { electron: string | null; chrome: string | null };
}

export function createNodePhone(options: NodePhoneOptions): Phone {
  const pkg = packageInfo();
  return new Phone({
    host: options.host,
    dataDir: options.dataDir ?? defaultDataDir(pkg.productName),
    clock: new NodeClock(),
    network: new NodeNetwork(),
    resolver: new NodeResolver(),
    app: { name: pkg.productName, version: pkg.version },
    versions: {
      node: process.versions.node,
      v8: process.versions.v8,
      electron: options.versions?.electron ?? null,
      chrome: options.versions?.chrome ?? null,
    },
    platform: { os: os.platform(), arch: os.arch() },
  });
}
