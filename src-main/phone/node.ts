/**
 * Wires a `Phone` to the real platform (Node sockets, DNS, clock) and to its store in the data folder —
 * used by the CLI, the Electron main process and the e2e test host.
 */
import os from 'node:os';
import { NetworkMonitor, NodeClock, NodeNetwork, NodeResolver, defaultDataDir } from '../platform/index.ts';
import type { HostKind } from '../../src-shared/model/app.ts';
import { openStore, type SecretCipher, type Store } from '../store/index.ts';
import { DeferredKeyFileCipher } from './deferred-key-file-cipher.ts';
import { Phone } from './phone.ts';
import type { PhoneSipOptions } from './accounts-service.ts';
import type { CallsIceOptions } from './calls-service.ts';
import { dataDirFailure, storeOpenFailure } from './start-error.ts';
import { packageInfo, type PackageInfo } from './package-info.ts';

export interface NodePhoneOptions {
  host: HostKind;
  dataDir?: string;
  versions?: { electron: string | null; chrome: string | null };
  /**
   * How stored passwords are encrypted. Default: AES-256-GCM with a key file beside the database
   * (the CLI); the app passes its OS-keychain cipher.
   */
  cipher?: SecretCipher;
  /** 'none': no data folder is opened (settings and accounts in memory; `softphone register`). Default 'data-dir'. */
  storage?: 'data-dir' | 'none';
  /** SIP settings that are not per account (TLS trust anchors, retry timing). */
  sip?: PhoneSipOptions;
  /** ICE overrides (the CLI's --relay-only). */
  ice?: CallsIceOptions;
}

/**
 * A phone on the real platform with its store opened in the data folder (default: the OS's app-data
 * folder). Throws `PhoneStartError` when the folder cannot be used (another instance holds it, a newer
 * schema, no permission, …); anything else thrown is a bug.
 */
export function createNodePhone(options: NodePhoneOptions): Phone {
  const pkg = packageInfo();
  const dataDir = options.dataDir ?? defaultDataDir(pkg.productName);
  if (options.storage === 'none') return newNodePhone(options, pkg, dataDir, undefined);
  const store = openDataDir(dataDir, options.cipher ?? new DeferredKeyFileCipher(dataDir));
  try {
    return newNodePhone(options, pkg, dataDir, store);
  } catch (error) {
    store.close();
    throw error;
  }
}

function openDataDir(dataDir: string, cipher: SecretCipher): Store {
  let opened;
  try {
    opened = openStore({ dataDir, cipher });
  } catch (error) {
    throw dataDirFailure(dataDir, error) ?? error;
  }
  if (!opened.ok) throw storeOpenFailure(dataDir, opened.error);
  return opened.value;
}

function newNodePhone(
  options: NodePhoneOptions,
  pkg: PackageInfo,
  dataDir: string,
  store: Store | undefined,
): Phone {
  const clock = new NodeClock();
  const network = new NodeNetwork();
  // One monitor for the whole phone: accounts re-register, NAT checks re-run and calls restart ICE on the
  // same network changes.
  const monitor = new NetworkMonitor({ clock, source: network });
  monitor.start();
  try {
    return phoneOn(options, pkg, dataDir, store, { clock, network, monitor });
  } catch (error) {
    monitor.dispose();
    throw error;
  }
}

function phoneOn(
  options: NodePhoneOptions,
  pkg: PackageInfo,
  dataDir: string,
  store: Store | undefined,
  platform: { clock: NodeClock; network: NodeNetwork; monitor: NetworkMonitor },
): Phone {
  const { clock, network, monitor } = platform;
  return new Phone({
    host: options.host,
    dataDir,
    ...(store !== undefined && { store }),
    ...(options.sip !== undefined && { sip: options.sip }),
    ...(options.ice !== undefined && { ice: options.ice }),
    networkChanges: monitor,
    disposeOnClose: [monitor],
    clock,
    network,
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
