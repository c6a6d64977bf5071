/**
 * ICE connect time of real calls in the NAT lab (network namespaces, PEERS.md): our CLI and baresip 1.0
 * behind port-restricted cone NATs and on a public host, Kamailio and coturn (STUN) in the public
 * namespace. Needs root and the Debian packages the interop tests use.
 *
 *   node bench/ice-lab.bench.ts [--runs N] [--json]
 *
 * Cases (each `--runs` calls; medians printed):
 *   cone ↔ cone   ours → ours, ours → baresip, baresip → baresip
 *   → public      ours (cone) → ours (public host), baresip (cone) → baresip (public host)
 *
 * What is measured: from the start of connectivity checks to ICE "connected" (every component has a
 * selected pair). Ours: the agent's own `connectMs` from the call's JSON lines (`media.ice.connectMs`,
 * caller = controlling and callee = controlled). baresip: from the callee's CALL_ESTABLISHED event (the
 * checks start with the answer) to each side's log line "connectivity check is complete", polled every
 * 10 ms (±10 ms, plus the event's delivery). Both sides use two components (no rtcp-mux: the harness
 * runs baresip with `rtcp_mux no`).
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createNatLab,
  makeWorkDir,
  startBaresip,
  startCoturn,
  startKamailio,
  type BaresipUa,
  type CoturnServer,
  type KamailioServer,
  type NatLab,
  type WorkDir,
} from '../test/interop/support/index.ts';
import { softphone } from '../test/interop/call/softphone-cli.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

interface Row {
  readonly case: string;
  readonly side: string;
  readonly samples: number[];
}

const rows: Row[] = [];

function median(xs: readonly number[]): number {
  const sorted = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const USERS = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4'].map((user) => ({ user, password: `${user}-pw` }));

let lab: NatLab | undefined;
let kamailio: KamailioServer | undefined;
let turn: CoturnServer | undefined;
let dir: WorkDir | undefined;
const uas: BaresipUa[] = [];

interface Place {
  readonly ns: string;
  readonly address: string;
}

async function baresip(user: string, where: Place): Promise<BaresipUa> {
  if (kamailio === undefined || turn === undefined) throw new Error('lab not ready');
  const ua = await startBaresip({
    aor: `sip:${user}@lab.test`,
    password: `${user}-pw`,
    proxy: kamailio.uri('udp'),
    netns: where.ns,
    address: where.address,
    answerMode: 'auto',
    mediaNat: { kind: 'ice', server: turn.stunUri() },
    audio: { kind: 'tone', hz: 1000 },
  });
  uas.push(ua);
  await ua.waitFor('REGISTER_OK');
  return ua;
}

function account(user: string): string[] {
  if (kamailio === undefined || turn === undefined) throw new Error('lab not ready');
  return [
    '--aor',
    `sip:${user}@lab.test`,
    '--password',
    `${user}-pw`,
    '--proxy',
    kamailio.uri('udp'),
    '--stun',
    `${turn.address}:${turn.port}`,
  ];
}

interface IceFields {
  readonly media?: { readonly ice?: { readonly connectMs?: number | null } | null };
  readonly state?: string;
}

/** connectMs of the ended call in a run's JSON lines. */
function connectMsOf(lines: Array<Record<string, unknown>>): number {
  const ended = lines
    .filter((l) => l.type === 'call')
    .map((l) => l as IceFields)
    .filter((l) => l.state === 'ended')
    .at(-1);
  return ended?.media?.ice?.connectMs ?? NaN;
}

/** Our CLI calls our CLI (answering in `callee`'s place). */
async function oursToOurs(
  name: string,
  caller: Place,
  callee: Place,
  from: string,
  to: string,
): Promise<void> {
  if (dir === undefined) throw new Error('lab not ready');
  const controlling: number[] = [];
  const controlled: number[] = [];
  for (let i = 0; i < runs; i++) {
    const answer = softphone({
      dir,
      name: `${name}-answer-${i}`,
      netns: callee.ns,
      args: ['answer', ...account(to), '--wait', '30'],
    });
    await answer.waitFor((l) => l.type === 'ready', 20_000);
    // The caller hangs up: its BYE reaches the callee's registered UDP flow.
    const call = softphone({
      dir,
      name: `${name}-call-${i}`,
      netns: caller.ns,
      args: ['call', `sip:${to}@lab.test`, ...account(from), '--tone', '440', '--duration', '3'],
    });
    await Promise.all([call.exit(40_000), answer.exit(40_000)]);
    controlling.push(connectMsOf(call.lines()));
    controlled.push(connectMsOf(answer.lines()));
    for (const [side, run] of [
      ['caller', call],
      ['callee', answer],
    ] as const) {
      if (Number.isNaN(connectMsOf(run.lines())))
        console.error(`${name} #${i}: no connect time from the ${side}:\n${run.process.log().slice(-2500)}`);
    }
  }
  rows.push(
    { case: name, side: 'ours controlling', samples: controlling },
    { case: name, side: 'ours controlled', samples: controlled },
  );
}

/** Count of "connectivity check is complete" lines in a baresip log. */
function completions(ua: BaresipUa): number {
  return ua.log().match(/connectivity check is complete/g)?.length ?? 0;
}

/** Wait for the next completion line; ms since `since`. */
async function completionAfter(
  ua: BaresipUa,
  before: number,
  since: number,
  timeoutMs = 20_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (completions(ua) <= before) {
    if (Date.now() > deadline) return NaN;
    await sleep(10);
  }
  return Date.now() - since;
}

/** Our CLI calls a baresip with ICE. */
async function oursToBaresip(name: string, caller: Place, callee: BaresipUa, from: string): Promise<void> {
  if (dir === undefined) throw new Error('lab not ready');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = completions(callee);
    const mark = callee.mark();
    const call = softphone({
      dir,
      name: `${name}-call-${i}`,
      netns: caller.ns,
      args: ['call', callee.aor, ...account(from), '--tone', '440', '--duration', '8'],
    });
    const established = await callee.waitFor('CALL_ESTABLISHED', { after: mark, timeoutMs: 20_000 });
    theirs.push(await completionAfter(callee, before, established.at));
    await call.exit(40_000);
    await callee.waitFor('CALL_CLOSED', { after: mark, timeoutMs: 20_000 });
    ours.push(connectMsOf(call.lines()));
  }
  rows.push(
    { case: name, side: 'ours controlling', samples: ours },
    { case: name, side: 'baresip controlled', samples: theirs },
  );
}

/** baresip calls baresip (both with ICE). */
async function baresipToBaresip(name: string, caller: BaresipUa, callee: BaresipUa): Promise<void> {
  const controlling: number[] = [];
  const controlled: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [beforeCaller, beforeCallee] = [completions(caller), completions(callee)];
    const [markCaller, markCallee] = [caller.mark(), callee.mark()];
    await caller.dial(callee.aor);
    // Both count from the callee's answer: the caller's CALL_ESTABLISHED event can reach us after its
    // checks are already complete (the event and the log line race).
    const answered = await callee.waitFor('CALL_ESTABLISHED', { after: markCallee, timeoutMs: 20_000 });
    const [a, b] = await Promise.all([
      completionAfter(caller, beforeCaller, answered.at),
      completionAfter(callee, beforeCallee, answered.at),
      caller.waitFor('CALL_ESTABLISHED', { after: markCaller, timeoutMs: 20_000 }),
    ]);
    controlling.push(a);
    controlled.push(b);
    await caller.hangup();
    await callee.waitFor('CALL_CLOSED', { after: markCallee, timeoutMs: 20_000 });
    await caller.waitFor('CALL_CLOSED', { after: markCaller, timeoutMs: 20_000 });
  }
  rows.push(
    { case: name, side: 'baresip controlling', samples: controlling },
    { case: name, side: 'baresip controlled', samples: controlled },
  );
}

const started = Date.now();
// The peers' child processes are unref'd (test harness): this keeps the bench alive until it is done.
const keepAlive = setInterval(() => {}, 1000);
try {
  dir = makeWorkDir('ice-lab-bench');
  lab = await createNatLab({
    nats: [
      { name: 'cone', kind: 'port-restricted' },
      { name: 'cone2', kind: 'port-restricted' },
    ],
    publicHosts: ['open'],
  });
  [turn, kamailio] = await Promise.all([
    startCoturn({
      users: [{ user: 'relay', password: 'relay-pw' }],
      address: lab.serverAddresses[0] ?? '',
      altAddress: lab.serverAddresses[1] ?? '',
      netns: lab.publicNs,
    }),
    startKamailio({ users: USERS, address: lab.serverAddresses[0] ?? '', netns: lab.publicNs }),
  ]);
  const cone = lab.nat('cone');
  const cone2 = lab.nat('cone2');
  const open = lab.hosts.open;
  if (open === undefined) throw new Error('no public host');
  const coneHome = { ns: cone.homeNs, address: cone.homeAddress };
  const cone2Home = { ns: cone2.homeNs, address: cone2.homeAddress };
  const publicHost = { ns: open.ns, address: open.address };

  await oursToOurs('cone ↔ cone: ours → ours', cone2Home, coneHome, 'a1', 'a2');
  await oursToOurs('→ public: ours (cone) → ours (public)', cone2Home, publicHost, 'a1', 'a3');
  const coneBaresip = await baresip('b1', coneHome);
  await oursToBaresip('cone ↔ cone: ours → baresip', cone2Home, coneBaresip, 'a1');
  const cone2Baresip = await baresip('b2', cone2Home);
  await baresipToBaresip('cone ↔ cone: baresip → baresip', cone2Baresip, coneBaresip);
  const publicBaresip = await baresip('b3', publicHost);
  await baresipToBaresip('→ public: baresip (cone) → baresip (public)', cone2Baresip, publicBaresip);
} finally {
  await Promise.all(uas.map((ua) => ua.dispose()));
  await kamailio?.dispose();
  await turn?.dispose();
  await lab?.destroy();
  dir?.remove();
  clearInterval(keepAlive);
}

if (values.json) {
  for (const row of rows) console.log(JSON.stringify({ ...row, medianMs: median(row.samples) }));
} else {
  console.log(
    `ICE connect time in the NAT lab, ${runs} calls each (ms from the start of checks to connected; ${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  for (const row of rows) {
    const samples = row.samples.map((x) => (Number.isFinite(x) ? x.toFixed(0) : '–')).join(' ');
    console.log(
      `${row.case.padEnd(46)} ${row.side.padEnd(20)} median ${median(row.samples).toFixed(0).padStart(6)}   [${samples}]`,
    );
  }
}
