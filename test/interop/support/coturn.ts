/**
 * coturn 4.6 (turnserver) as STUN/TURN server for interop tests.
 *
 * Started with `-n` (no config file: everything on the command line), long-term credentials
 * (`--lt-cred-mech`, users given with `--user`), `--no-cli`, fingerprints, verbose log to stdout (captured
 * in `turnserver.log`), and its SQLite user database and PID file inside the temporary folder — nothing
 * is left in /var. RFC 5780 (NAT behaviour discovery, and the RFC 3489 CHANGE-REQUEST that the classic
 * `stun` client uses) needs two listening addresses: pass `altAddress` (on loopback 127.0.0.2 works —
 * Linux answers on all of 127/8); coturn then also listens on port+1 on both addresses ("other address"
 * = altAddress:port+1). Loopback peers are denied by coturn unless `--allow-loopback-peers`, which is set
 * when the relay address is a loopback one.
 */
import { allocatePorts, releasePort } from './ports.ts';
import { spawnManaged, type ManagedProcess } from './processes.ts';
import { makeWorkDir } from './workdir.ts';

export interface TurnUser {
  user: string;
  password: string;
}

export interface CoturnOptions {
  users: readonly TurnUser[];
  /** Realm for long-term credentials (default 'lab.test'). */
  realm?: string;
  /** Primary listening address (default 127.0.0.1). */
  address?: string;
  /** Second listening address for RFC 5780 (e.g. 127.0.0.2, or 203.0.113.2 in the lab). */
  altAddress?: string;
  /** UDP+TCP listening port (alternate port = port+1). Default: allocated on loopback, 3478 in a namespace. */
  port?: number;
  /** TLS (and DTLS) with this certificate (PEM file paths); alternate TLS port = tlsPort+1. */
  tls?: { cert: string; key: string };
  /** Default: allocated on loopback, 5349 in a namespace. */
  tlsPort?: number;
  /** Run inside this network namespace. */
  netns?: string;
  /** Relay address (default: `address`). */
  relayAddress?: string;
  /** Relay port range (default: 64 allocated ports on loopback, 49152–49999 in a namespace). */
  relayPorts?: readonly [number, number];
  /** Allow peers on 127/8 (default: when the relay address is a loopback one). */
  allowLoopbackPeers?: boolean;
  /** Extra turnserver arguments. */
  extraArgs?: readonly string[];
}

export interface CoturnServer {
  readonly address: string;
  readonly altAddress: string | undefined;
  readonly port: number;
  /** port + 1 (RFC 5780 alternate port). */
  readonly altPort: number;
  readonly tlsPort: number | undefined;
  readonly realm: string;
  readonly relayAddress: string;
  readonly relayPorts: readonly [number, number];
  readonly logPath: string;
  /** `stun:<address>:<port>` */
  stunUri(): string;
  /** `turn:<address>:<port>?transport=udp|tcp` or `turns:…` for tls. */
  turnUri(transport?: 'udp' | 'tcp' | 'tls'): string;
  isRunning(): boolean;
  log(): string;
  stop(): Promise<void>;
  /** Start again with the same arguments (same ports). */
  start(): Promise<void>;
  /** Stop, release ports, delete the folder. */
  dispose(): Promise<void>;
}

export async function startCoturn(options: CoturnOptions): Promise<CoturnServer> {
  const dir = makeWorkDir('coturn');
  const allocated: number[] = [];
  let current: ManagedProcess | undefined;
  try {
    const address = options.address ?? '127.0.0.1';
    const altAddress = options.altAddress;
    const realm = options.realm ?? 'lab.test';
    const relayAddress = options.relayAddress ?? address;
    const onLoopback = options.netns === undefined;
    const listenAddresses = altAddress ? [address, altAddress] : [address];
    const block = async (count: number): Promise<number> => {
      const first = await allocatePorts({ count, addresses: listenAddresses });
      for (let i = 0; i < count; i++) allocated.push(first + i);
      return first;
    };
    const port = options.port ?? (onLoopback ? await block(2) : 3478);
    const tlsPort = options.tls ? (options.tlsPort ?? (onLoopback ? await block(2) : 5349)) : undefined;
    let relayPorts: readonly [number, number];
    if (options.relayPorts) relayPorts = options.relayPorts;
    else if (onLoopback) {
      const first = await allocatePorts({ count: 64, addresses: [relayAddress] });
      for (let i = 0; i < 64; i++) allocated.push(first + i);
      relayPorts = [first, first + 63];
    } else relayPorts = [49152, 49999];
    const loopbackRelay = relayAddress.startsWith('127.');
    const logPath = dir.file('turnserver.log');

    const args = [
      '-n',
      '--no-cli',
      '-v',
      '--log-file',
      'stdout',
      '--simple-log',
      ...listenAddresses.flatMap((a) => ['--listening-ip', a]),
      '--listening-port',
      String(port),
      '--alt-listening-port',
      String(port + 1),
      '--relay-ip',
      relayAddress,
      '--min-port',
      String(relayPorts[0]),
      '--max-port',
      String(relayPorts[1]),
      '--lt-cred-mech',
      '--realm',
      realm,
      ...options.users.flatMap((u) => ['--user', `${u.user}:${u.password}`]),
      '--fingerprint',
      '--userdb',
      dir.file('turndb'),
      '--pidfile',
      dir.file('turnserver.pid'),
      '--relay-threads',
      '1',
      '--no-multicast-peers',
      ...((options.allowLoopbackPeers ?? loopbackRelay) ? ['--allow-loopback-peers'] : []),
      ...(options.tls && tlsPort !== undefined
        ? [
            '--cert',
            options.tls.cert,
            '--pkey',
            options.tls.key,
            '--tls-listening-port',
            String(tlsPort),
            '--alt-tls-listening-port',
            String(tlsPort + 1),
          ]
        : ['--no-tls', '--no-dtls']),
      ...(altAddress ? [] : ['--no-rfc5780']),
      ...(options.extraArgs ?? []),
    ];

    const launch = async (): Promise<void> => {
      const proc = spawnManaged({
        name: 'turnserver',
        command: 'turnserver',
        args,
        logPath,
        workDir: dir,
        netns: options.netns,
      });
      current = proc;
      await proc.waitForLog(/Total General servers/, 15_000);
      await proc.waitForLog(/DB connection success/, 15_000);
    };
    await launch();

    const server: CoturnServer = {
      address,
      altAddress,
      port,
      altPort: port + 1,
      tlsPort,
      realm,
      relayAddress,
      relayPorts,
      logPath,
      stunUri: () => `stun:${address}:${port}`,
      turnUri(transport = 'udp') {
        if (transport === 'tls') {
          if (tlsPort === undefined) throw new Error('coturn has no TLS listener');
          return `turns:${address}:${tlsPort}?transport=tcp`;
        }
        return `turn:${address}:${port}?transport=${transport}`;
      },
      isRunning: () => current?.isRunning() ?? false,
      log: () => current?.log() ?? '',
      async stop() {
        await current?.stop();
      },
      async start() {
        if (current?.isRunning()) throw new Error('turnserver is already running');
        await launch();
      },
      async dispose() {
        await current?.stop();
        for (const p of allocated) releasePort(p);
        dir.remove();
      },
    };
    return server;
  } catch (error) {
    // waitForLog's error already carries the log tail
    await current?.stop();
    for (const p of allocated) releasePort(p);
    dir.remove();
    throw error;
  }
}
