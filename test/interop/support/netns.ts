/**
 * A NAT lab made of network namespaces, veth pairs and iptables — nothing of it touches the host's own
 * network namespace, so no test traffic can leak out.
 *
 *                         ┌──────────── <id>-pub ────────────┐
 *                         │ br0: 203.0.113.1, 203.0.113.2 …  │  servers (Kamailio, coturn with
 *                         │      (server addresses)          │  RFC 5780 on two addresses)
 *                         └──┬──────────────┬─────────────┬──┘
 *                     203.0.113.11    203.0.113.12    203.0.113.101
 *                  ┌─ <id>-cone-r ─┐ ┌─ <id>-sym-r ─┐ ┌─ <id>-open ─┐
 *                  │ wan ⇄ lan NAT │ │ wan ⇄ lan NAT│ │ eth0 (no NAT)│
 *                  └──── 10.1.0.1 ─┘ └─── 10.2.0.1 ─┘ └──────────────┘
 *                  ┌─ <id>-cone-h ─┐ ┌─ <id>-sym-h ─┐
 *                  │ eth0 10.1.0.2 │ │ eth0 10.2.0.2│   homes: default route via their router
 *                  └───────────────┘ └──────────────┘
 *
 * NAT kinds (RFC 4787 terms):
 * - 'port-restricted': MASQUERADE → endpoint-independent mapping, address-and-port-dependent filtering;
 * - 'symmetric': SNAT --random-fully → address-and-port-dependent mapping (a new random port per
 *   destination) and the same filtering.
 * Every router silently DROPs unsolicited inbound packets (FORWARD and INPUT on wan accept only
 * ESTABLISHED/RELATED): no ICMP goes back, and because a dropped packet's conntrack entry is never
 * confirmed, an early hole-punching packet cannot make Linux re-map the port later. IPv6 is off in every
 * namespace (no link-local noise in ICE candidates). A true full-cone NAT cannot be built with stock
 * iptables.
 *
 * Namespaces are named `sph<owner pid>-<lab n>-<role>`; a lab whose owner process died is removed by the
 * next run (see workdir.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnManaged, run, runChecked, type ManagedProcess, type RunResult } from './processes.ts';
import { deleteNetnsSync, makeWorkDir, NETNS_PREFIX, onProcessExit } from './workdir.ts';

export type NatKind = 'port-restricted' | 'symmetric';

export interface NatSpec {
  /** Short name (lowercase letters/digits, ≤ 8): namespaces `<id>-<name>-r` and `<id>-<name>-h`. */
  name: string;
  kind: NatKind;
}

export interface NatLabOptions {
  nats: readonly NatSpec[];
  /** Public hosts without NAT (names like NAT names): namespace `<id>-<name>`. Default none. */
  publicHosts?: readonly string[];
  /** How many server addresses on the public bridge: 203.0.113.1 … (default 2, for RFC 5780). */
  serverAddresses?: number;
}

export interface NatInfo {
  name: string;
  kind: NatKind;
  /** Router namespace (interfaces `wan`, `lan`). */
  routerNs: string;
  /** Home namespace (interface `eth0`). */
  homeNs: string;
  /** The router's public address (what servers see as the source). */
  publicAddress: string;
  /** The home host's private address. */
  homeAddress: string;
  /** The router's LAN address (the home's default gateway). */
  gateway: string;
}

export interface PublicHostInfo {
  name: string;
  ns: string;
  address: string;
}

export interface LossRule {
  /** Delete the rule (idempotent). */
  remove(): Promise<void>;
}

export interface NatLab {
  readonly id: string;
  /** The public namespace where servers run. */
  readonly publicNs: string;
  /** Server addresses on the public bridge (`br0`), e.g. ['203.0.113.1', '203.0.113.2']. */
  readonly serverAddresses: readonly string[];
  readonly nats: Readonly<Record<string, NatInfo>>;
  readonly hosts: Readonly<Record<string, PublicHostInfo>>;
  /** Every namespace of the lab. */
  readonly namespaces: readonly string[];
  nat(name: string): NatInfo;
  /** Run a command to completion inside a namespace (never throws on a non-zero exit). */
  exec(
    ns: string,
    command: string,
    args: readonly string[],
    options?: { timeoutMs?: number; input?: string },
  ): Promise<RunResult>;
  /** Start a long-running process inside a namespace; the lab stops it on destroy(). */
  spawn(ns: string, name: string, command: string, args: readonly string[]): ManagedProcess;
  /**
   * Drop packets at random with this probability on an interface of a namespace (iptables statistic
   * match in the mangle table: PREROUTING -i for 'in', POSTROUTING -o for 'out').
   */
  loss(ns: string, iface: string, probability: number, direction?: 'in' | 'out' | 'both'): Promise<LossRule>;
  /** Kill the lab's processes, delete its namespaces (and with them veths and iptables rules). */
  destroy(): Promise<void>;
}

let labCounter = 0;

const NAME = /^[a-z][a-z0-9]{0,7}$/;

export async function createNatLab(options: NatLabOptions): Promise<NatLab> {
  const id = `${NETNS_PREFIX}${process.pid}-${++labCounter}`;
  const dir = makeWorkDir('netns');
  const namespaces: string[] = [];
  const processes: ManagedProcess[] = [];
  const unregisterExitHook = onProcessExit(() => {
    for (const ns of namespaces) deleteNetnsSync(ns);
  });
  const destroy = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop(1000)));
    for (const ns of namespaces.splice(0).reverse()) deleteNetnsSync(ns);
    unregisterExitHook();
    dir.remove();
  };

  const names = [...options.nats.map((n) => n.name), ...(options.publicHosts ?? [])];
  for (const name of names)
    if (!NAME.test(name) || name === 'pub') throw new Error(`bad lab name ${JSON.stringify(name)}`);
  if (new Set(names).size !== names.length) throw new Error('lab names must be unique');
  if (options.nats.length > 80) throw new Error('at most 80 NATs');

  const ip = (args: readonly string[]): Promise<string> => runChecked('ip', args);
  const inNs = (ns: string, command: string, args: readonly string[], input?: string): Promise<string> =>
    runChecked(command, args, input === undefined ? { netns: ns } : { netns: ns, input });
  const addNs = async (ns: string): Promise<void> => {
    await ip(['netns', 'add', ns]);
    namespaces.push(ns);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    await inNs(ns, 'sysctl', [
      '-q',
      '-w',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
  };
  /** A veth pair created directly inside two namespaces (no name clash in the host namespace). */
  const veth = async (nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> => {
    await ip(['-n', nsA, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
  };

  try {
    const publicNs = `${id}-pub`;
    await addNs(publicNs);
    await ip(['-n', publicNs, 'link', 'add', 'br0', 'type', 'bridge']);
    const serverAddresses: string[] = [];
    for (let i = 1; i <= (options.serverAddresses ?? 2); i++) {
      const address = `203.0.113.${i}`;
      serverAddresses.push(address);
      await ip(['-n', publicNs, 'addr', 'add', `${address}/24`, 'dev', 'br0']);
    }
    await ip(['-n', publicNs, 'link', 'set', 'br0', 'up']);

    const attach = async (port: string): Promise<void> => {
      await ip(['-n', publicNs, 'link', 'set', port, 'master', 'br0']);
      await ip(['-n', publicNs, 'link', 'set', port, 'up']);
    };

    const nats: Record<string, NatInfo> = {};
    for (const [index, spec] of options.nats.entries()) {
      const n = index + 1;
      const routerNs = `${id}-${spec.name}-r`;
      const homeNs = `${id}-${spec.name}-h`;
      const info: NatInfo = {
        name: spec.name,
        kind: spec.kind,
        routerNs,
        homeNs,
        publicAddress: `203.0.113.${10 + n}`,
        homeAddress: `10.${n}.0.2`,
        gateway: `10.${n}.0.1`,
      };
      await addNs(routerNs);
      await addNs(homeNs);
      await veth(publicNs, `nat${n}`, routerNs, 'wan');
      await attach(`nat${n}`);
      await veth(routerNs, 'lan', homeNs, 'eth0');
      await ip(['-n', routerNs, 'addr', 'add', `${info.publicAddress}/24`, 'dev', 'wan']);
      await ip(['-n', routerNs, 'addr', 'add', `${info.gateway}/24`, 'dev', 'lan']);
      await ip(['-n', routerNs, 'link', 'set', 'wan', 'up']);
      await ip(['-n', routerNs, 'link', 'set', 'lan', 'up']);
      await ip(['-n', homeNs, 'addr', 'add', `${info.homeAddress}/24`, 'dev', 'eth0']);
      await ip(['-n', homeNs, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', homeNs, 'route', 'add', 'default', 'via', info.gateway]);
      await inNs(routerNs, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
      await inNs(routerNs, 'iptables-restore', [], routerRules(info));
      nats[spec.name] = info;
    }

    const hosts: Record<string, PublicHostInfo> = {};
    for (const [index, name] of (options.publicHosts ?? []).entries()) {
      const ns = `${id}-${name}`;
      const address = `203.0.113.${101 + index}`;
      await addNs(ns);
      await veth(publicNs, `host${index + 1}`, ns, 'eth0');
      await attach(`host${index + 1}`);
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      hosts[name] = { name, ns, address };
    }

    let ruleCounter = 0;
    const lab: NatLab = {
      id,
      publicNs,
      serverAddresses,
      nats,
      hosts,
      namespaces,
      nat(name) {
        const info = nats[name];
        if (!info) throw new Error(`no NAT named ${name}`);
        return info;
      },
      exec: (ns, command, args, execOptions = {}) => run(command, args, { ...execOptions, netns: ns }),
      spawn(ns, name, command, args) {
        const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
        const proc = spawnManaged({
          name,
          command,
          args,
          logPath: dir.file(`${safe}-${processes.length}.log`),
          workDir: dir,
          netns: ns,
        });
        processes.push(proc);
        return proc;
      },
      async loss(ns, iface, probability, direction = 'both') {
        if (!(probability >= 0 && probability <= 1)) throw new Error('probability must be within 0..1');
        const tag = `sph-loss-${++ruleCounter}`;
        const specs: string[][] = [];
        if (direction !== 'out') specs.push(['PREROUTING', '-i', iface]);
        if (direction !== 'in') specs.push(['POSTROUTING', '-o', iface]);
        const rule = (spec: readonly string[]): string[] => [
          ...spec,
          '-m',
          'statistic',
          '--mode',
          'random',
          '--probability',
          String(probability),
          '-m',
          'comment',
          '--comment',
          tag,
          '-j',
          'DROP',
        ];
        for (const spec of specs) await inNs(ns, 'iptables', ['-t', 'mangle', '-A', ...rule(spec)]);
        let removed = false;
        return {
          async remove() {
            if (removed) return;
            removed = true;
            if (!namespaces.includes(ns)) return;
            for (const spec of specs)
              await run('iptables', ['-t', 'mangle', '-D', ...rule(spec)], { netns: ns });
          },
        };
      },
      destroy,
    };
    return lab;
  } catch (error) {
    await destroy();
    throw error;
  }
}

/** iptables-restore input for a NAT router. */
export function routerRules(info: NatInfo): string {
  const snat =
    info.kind === 'symmetric'
      ? `-A POSTROUTING -o wan -j SNAT --to-source ${info.publicAddress} --random-fully`
      : '-A POSTROUTING -o wan -j MASQUERADE';
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    snat,
    'COMMIT',
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -i lan -j ACCEPT',
    '-A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A FORWARD -i lan -o wan -j ACCEPT',
    '-A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
}

export interface UdpLossResult {
  sent: number;
  received: number;
  /** 1 - received/sent */
  lossRatio: number;
}

/** UDP receiver (argv: address port): counts datagrams, prints the count when terminated. */
const UDP_RECEIVER_SOURCE = `
const dgram = require('node:dgram');
const [address, port] = process.argv.slice(1);
const socket = dgram.createSocket('udp4');
let count = 0;
socket.on('message', () => { count++; });
socket.bind(Number(port), address, () => console.log('receiver ready'));
process.on('SIGTERM', () => { console.log('received ' + count); process.exit(0); });
`;

/** UDP sender (argv: address port count): paced bursts of 10 datagrams per ms. */
const UDP_SENDER_SOURCE = `
const dgram = require('node:dgram');
const [address, port, count] = process.argv.slice(1);
const socket = dgram.createSocket('udp4');
let sent = 0;
const tick = () => {
  for (let i = 0; i < 10 && sent < Number(count); i++, sent++) socket.send(Buffer.from('probe ' + sent), Number(port), address);
  if (sent < Number(count)) setTimeout(tick, 1); else setTimeout(() => { console.log('sent ' + sent); socket.close(); }, 50);
};
tick();
`;

/**
 * Send `count` UDP datagrams from one namespace to `toAddress:port` in another and count what arrives
 * (Node scripts run inside the namespaces). For checking `lab.loss`.
 */
export async function measureUdpLoss(
  lab: NatLab,
  options: { fromNs: string; toNs: string; toAddress: string; port?: number; count?: number },
): Promise<UdpLossResult> {
  const count = options.count ?? 1000;
  const port = options.port ?? 40999;
  const receiver = lab.spawn(options.toNs, 'udp-receiver', process.execPath, [
    '-e',
    UDP_RECEIVER_SOURCE,
    options.toAddress,
    String(port),
  ]);
  try {
    await receiver.waitForLog(/receiver ready/, 10_000);
    const sender = await lab.exec(
      options.fromNs,
      process.execPath,
      ['-e', UDP_SENDER_SOURCE, options.toAddress, String(port), String(count)],
      { timeoutMs: 30_000 },
    );
    if (sender.code !== 0) throw new Error(`udp sender failed: ${sender.stderr}`);
    await sleep(300); // let the last datagrams land
  } finally {
    await receiver.stop(2000);
  }
  const match = /received (\d+)/.exec(receiver.log());
  if (!match) throw new Error(`udp receiver printed no count:\n${receiver.log()}`);
  const received = Number(match[1]);
  return { sent: count, received, lossRatio: 1 - received / count };
}
