/**
 * ICE connect time on loopback: our IceAgent against werift's ICE `Connection`, with werift against
 * itself as the reference, for host pairs and for relayed pairs through coturn (Debian's, started here).
 *
 *   node bench/ice-connect.bench.ts [--runs N] [--json]
 *
 * Each figure is the time from the moment both agents hold each other's description (gathering done,
 * candidates exchanged) to the agent reporting "connected" (werift: connect() resolving). Loopback has
 * no delay, so the figures show the protocol's own pacing and nomination rules, not the network:
 * ours paces checks at Ta = 50 ms and nominates with a separate USE-CANDIDATE check (regular
 * nomination); werift nominates aggressively (USE-CANDIDATE on every check) and schedules checks every
 * 20 ms. Relay cases add the TURN permission round trip before the first relayed check.
 */
import { parseArgs } from 'node:util';
import { makeTestCa, startCoturn } from '../test/interop/support/index.ts';
import { connectWithWerift, ourAgent, waitFor, weriftAgent } from '../test/interop/ice/werift-peer.ts';
import { Candidate } from 'werift';
import type { Connection } from 'werift';
import type { TurnServerConfig } from '../src-main/media/transport/index.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

interface Stats {
  median: number;
  min: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

interface Row {
  case: string;
  side: string;
  runs: number;
  ms: Stats;
}

const rows: Row[] = [];

async function oursWithWerift(
  name: string,
  role: 'controlling' | 'controlled',
  turn?: TurnServerConfig,
): Promise<void> {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const agent = await ourAgent({
      role,
      includeLoopback: true,
      ...(turn ? { policy: 'relay-only' as const, turnServers: [turn] } : {}),
    });
    const werift = weriftAgent(role === 'controlled');
    const timing = await connectWithWerift(agent, werift);
    ours.push(timing.oursMs);
    theirs.push(timing.weriftMs);
    await werift.close();
    await agent.close();
  }
  rows.push(
    { case: name, side: 'ours', runs, ms: stats(ours) },
    { case: name, side: 'werift', runs, ms: stats(theirs) },
  );
}

async function weriftWithWerift(
  name: string,
  turn?: { address: [string, number]; username: string; password: string },
): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    const controlling = weriftAgent(
      true,
      turn
        ? {
            turnServer: turn.address,
            turnUsername: turn.username,
            turnPassword: turn.password,
            forceTurn: true,
          }
        : {},
    );
    const controlled = weriftAgent(false);
    await Promise.all([controlling.gatherCandidates(), controlled.gatherCandidates()]);
    await exchange(controlling, controlled);
    await exchange(controlled, controlling);
    const started = performance.now();
    const times = await Promise.all(
      [controlling.connect(), controlled.connect()].map((p) => p.then(() => performance.now() - started)),
    );
    a.push(times[0] ?? NaN);
    b.push(times[1] ?? NaN);
    await controlling.close();
    await controlled.close();
  }
  rows.push(
    { case: name, side: 'werift controlling', runs, ms: stats(a) },
    { case: name, side: 'werift controlled', runs, ms: stats(b) },
  );
}

async function exchange(from: Connection, to: Connection): Promise<void> {
  to.setRemoteParams({ iceLite: false, usernameFragment: from.localUsername, password: from.localPassword });
  for (const c of from.localCandidates) await to.addRemoteCandidate(Candidate.fromSdp(c.toSdp()));
  await to.addRemoteCandidate(undefined);
}

async function oursWithOurs(name: string): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    const controlling = await ourAgent({ role: 'controlling', includeLoopback: true });
    const controlled = await ourAgent({ role: 'controlled', includeLoopback: true });
    await Promise.all([controlling.agent.gather(), controlled.agent.gather()]);
    const started = performance.now();
    let ta = NaN;
    let tb = NaN;
    controlling.agent.setRemote({
      ufrag: controlled.agent.credentials.ufrag,
      pwd: controlled.agent.credentials.pwd,
      lite: false,
      candidates: controlled.agent.localCandidates,
    });
    controlled.agent.setRemote({
      ufrag: controlling.agent.credentials.ufrag,
      pwd: controlling.agent.credentials.pwd,
      lite: false,
      candidates: controlling.agent.localCandidates,
    });
    await waitFor(
      () => {
        if (Number.isNaN(ta) && controlling.agent.state === 'connected') ta = performance.now() - started;
        if (Number.isNaN(tb) && controlled.agent.state === 'connected') tb = performance.now() - started;
        return !Number.isNaN(ta) && !Number.isNaN(tb);
      },
      10_000,
      'both connected',
    );
    a.push(ta);
    b.push(tb);
    await controlling.close();
    await controlled.close();
  }
  rows.push(
    { case: name, side: 'ours controlling', runs, ms: stats(a) },
    { case: name, side: 'ours controlled', runs, ms: stats(b) },
  );
}

const ca = await makeTestCa();
const cert = await ca.issue({
  commonName: 'turn.lab.test',
  dnsNames: ['turn.lab.test'],
  ipAddresses: ['127.0.0.1'],
});
const coturn = await startCoturn({
  users: [{ user: 'alice', password: 'turn-secret' }],
  tls: { cert: cert.cert.path, key: cert.key.path },
});
try {
  await oursWithWerift('host: ours controlling ↔ werift', 'controlling');
  await oursWithWerift('host: ours controlled ↔ werift controlling', 'controlled');
  await oursWithOurs('host: ours ↔ ours');
  await weriftWithWerift('host: werift ↔ werift');
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    await oursWithWerift(`relay (${transport}): ours relay-only ↔ werift`, 'controlling', {
      address: {
        address: '127.0.0.1',
        port: transport === 'tls' ? (coturn.tlsPort ?? 0) : coturn.port,
        family: 4,
      },
      transport,
      username: 'alice',
      password: 'turn-secret',
      ...(transport === 'tls'
        ? { tls: { servername: 'turn.lab.test', ca: ca.cert.pem, replaceCa: true } }
        : {}),
    });
  }
  await weriftWithWerift('relay (udp): werift forceTurn ↔ werift', {
    address: ['127.0.0.1', coturn.port],
    username: 'alice',
    password: 'turn-secret',
  });
} finally {
  await coturn.dispose();
  ca.remove();
}

if (values.json) {
  for (const row of rows) console.log(JSON.stringify(row));
} else {
  console.log(
    `ICE connect time on loopback, ${runs} runs each (ms from descriptions exchanged to connected)`,
  );
  for (const row of rows) {
    const { median, min, max } = row.ms;
    console.log(
      `${row.case.padEnd(46)} ${row.side.padEnd(20)} median ${median.toFixed(1).padStart(7)}  min ${min.toFixed(1).padStart(7)}  max ${max.toFixed(1).padStart(7)}`,
    );
  }
}
