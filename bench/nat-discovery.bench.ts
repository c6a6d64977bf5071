/**
 * NAT discovery duration: ours (`softphone nat-check`) against the reference clients `stun` (stun-client,
 * RFC 3489 tests) and `turnutils_natdiscovery -m -f` (coturn, RFC 5780), in the same NAT lab run — a
 * port-restricted cone home and a symmetric home behind Linux NATs, coturn with two public addresses.
 * The binding lifetime measurement is timed separately (conntrack UDP timeout shortened to 12 s in the
 * router, cap 20 s), since no reference client measures it in one go.
 *
 *   node bench/nat-discovery.bench.ts [--runs N] [--json]
 *
 * Needs root (network namespaces). Each figure is the wall time of the whole process, as a user sees it;
 * for ours the check's own duration (without Node's start-up) is given too. Every run also checks that
 * the three tools agree on the NAT, so a fast wrong answer cannot win.
 */
import { parseArgs } from 'node:util';
import {
  createNatLab,
  referenceNatDiscovery,
  referenceStunClient,
  startCoturn,
} from '../test/interop/support/index.ts';
import type { NatLab, ServerAddress } from '../test/interop/support/index.ts';
import { runNatCheckCli } from '../test/interop/nat/nat-check-cli.ts';

interface Sample {
  tool: string;
  nat: string;
  wallMs: number;
  /** Ours only: the report's durationMs (the check without process start-up). */
  checkMs?: number;
  verdict: string;
}

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

function stats(xs: number[]): { median: number; min: number; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function discoveryRound(lab: NatLab, server: ServerAddress, name: string): Promise<Sample[]> {
  const nat = lab.nat(name);
  const ours = await runNatCheckCli(['--stun', `${server.address}:${server.port}`, '--no-lifetime'], {
    lab,
    netns: nat.homeNs,
  });
  const rfc5780 = await referenceNatDiscovery(lab, nat.homeNs, server);
  const classic = await referenceStunClient(lab, nat.homeNs, server);
  const agree =
    ours.report.mapping === rfc5780.mapping &&
    ours.report.filtering === rfc5780.filtering &&
    ours.report.natType === classic.natType;
  if (!agree) {
    throw new Error(
      `tools disagree in ${name}: ours ${ours.report.mapping}/${ours.report.filtering}/${ours.report.natType}, ` +
        `turnutils ${rfc5780.mapping}/${rfc5780.filtering}, stun ${classic.natType}`,
    );
  }
  return [
    {
      tool: 'softphone nat-check',
      nat: name,
      wallMs: ours.durationMs,
      checkMs: ours.report.durationMs,
      verdict: ours.report.natType,
    },
    {
      tool: 'turnutils_natdiscovery',
      nat: name,
      wallMs: rfc5780.durationMs,
      verdict: `${rfc5780.mapping}/${rfc5780.filtering}`,
    },
    { tool: 'stun (stun-client)', nat: name, wallMs: classic.durationMs, verdict: classic.natType },
  ];
}

const lab = await createNatLab({
  nats: [
    { name: 'cone', kind: 'port-restricted' },
    { name: 'sym', kind: 'symmetric' },
  ],
});
try {
  const [primary, alternate] = lab.serverAddresses;
  const coturn = await startCoturn({
    users: [{ user: 'bench', password: 'bench' }],
    netns: lab.publicNs,
    address: primary,
    altAddress: alternate,
  });
  try {
    const server = { address: coturn.address, port: coturn.port };
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      for (const name of ['cone', 'sym']) samples.push(...(await discoveryRound(lab, server, name)));
    }

    const cone = lab.nat('cone');
    await lab.exec(cone.routerNs, 'sysctl', ['-q', '-w', 'net.netfilter.nf_conntrack_udp_timeout=12']);
    const lifetime = await runNatCheckCli(
      ['--stun', `${server.address}:${server.port}`, '--lifetime-max', '20'],
      { lab, netns: cone.homeNs },
    );

    const rows = [...new Set(samples.map((s) => `${s.tool}|${s.nat}`))].map((key) => {
      const [tool = '', nat = ''] = key.split('|');
      const mine = samples.filter((s) => s.tool === tool && s.nat === nat);
      const wall = stats(mine.map((s) => s.wallMs));
      const check = mine[0]?.checkMs === undefined ? undefined : stats(mine.map((s) => s.checkMs ?? 0));
      return { tool, nat, verdict: mine[0]?.verdict ?? '', runs: mine.length, wallMs: wall, checkMs: check };
    });
    const lifetimeResult = {
      wallMs: lifetime.durationMs,
      checkMs: lifetime.report.durationMs,
      bindingLifetimeS: lifetime.report.bindingLifetimeS,
      bindingLifetimeUpperS: lifetime.report.bindingLifetimeUpperS,
      conntrackUdpTimeoutS: 12,
      capS: 20,
    };
    if (values.json) {
      console.log(JSON.stringify({ runs, rows, lifetime: lifetimeResult }, null, 2));
    } else {
      console.log(
        `NAT discovery in the lab, ${runs} run(s) each (median, min–max, ms of wall time per process)\n`,
      );
      console.log('| tool | home NAT | verdict | wall median | wall min–max | check only (ours) |');
      console.log('|---|---|---|---:|---:|---:|');
      for (const r of rows) {
        const check = r.checkMs ? `${Math.round(r.checkMs.median)}` : '';
        console.log(
          `| ${r.tool} | ${r.nat} | ${r.verdict} | ${Math.round(r.wallMs.median)} | ${Math.round(r.wallMs.min)}–${Math.round(r.wallMs.max)} | ${check} |`,
        );
      }
      console.log(
        `\nBinding lifetime (ours, conntrack UDP timeout 12 s, cap 20 s): ${lifetimeResult.bindingLifetimeS}–${lifetimeResult.bindingLifetimeUpperS} s ` +
          `measured in ${Math.round(lifetimeResult.wallMs)} ms (check ${Math.round(lifetimeResult.checkMs)} ms).`,
      );
    }
  } finally {
    await coturn.dispose();
  }
} finally {
  await lab.destroy();
}
