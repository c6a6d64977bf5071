/**
 * Store benchmark: bulk call-log writes and the queries behind the history view, on 100 000 calls.
 *   node bench/store.bench.ts [calls]
 * Targets: first history page ≤ 10 ms, number and name search ≤ 30 ms.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeKeyFileCipher, openStore } from '../src-main/store/index.ts';
import type { Store } from '../src-main/store/index.ts';
import type { HistoryQuery } from '../src-shared/model/history.ts';

const CALLS = Number(process.argv[2] ?? 100_000);
const CONTACTS = 500;
const RUNS = 30;

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;

const FIRST = [
  'Anna',
  'Jürgen',
  'Zoë',
  'Chloé',
  'Li',
  'Wei',
  'Omar',
  'Søren',
  'María',
  'John',
  'Fatima',
  'Ivan',
  'Léa',
  'Bob',
];
const LAST = [
  'Müller',
  'Durand',
  'Smith',
  'García',
  'Zhang',
  'Nowak',
  'Øster',
  'Rossi',
  'Kim',
  'Novák',
  'Dubois',
  'Silva',
];

/** 5000 remote parties: PBX extensions, international numbers through a gateway, SIP users. */
const parties = Array.from({ length: 5000 }, (_, i) => {
  const name = i % 4 === 3 ? '' : `${pick(FIRST)} ${pick(LAST)}`;
  switch (i % 3) {
    case 0:
      return { uri: `sip:${1000 + (i % 9000)}@pbx.example.com`, name };
    case 1:
      return { uri: `sip:+4930${String(5_550_000 + i).padStart(8, '0')}@gw.example.com;user=phone`, name };
    default:
      return { uri: `sip:user${i}@example.org`, name };
  }
});

const RESULTS = [
  'answered',
  'answered',
  'answered',
  'answered',
  'missed',
  'missed',
  'busy',
  'rejected',
  'failed',
  'cancelled',
] as const;

/**
 * Wall time and this process's CPU time. On a shared machine the wall time includes waiting for a core;
 * the CPU time is what the work itself costs.
 */
function time<T>(work: () => T): { ms: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function stats(wall: readonly number[], cpu: readonly number[]): string {
  return (
    `wall median ${quantile(wall, 0.5).toFixed(2)} ms p95 ${quantile(wall, 0.95).toFixed(2)} ms | ` +
    `cpu median ${quantile(cpu, 0.5).toFixed(2)} ms`
  );
}

function measure(store: Store, label: string, query: HistoryQuery, target?: number): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const { ms, cpuMs, value } = time(() => store.history.page(query));
    if (!value.ok) throw new Error(`${label}: ${JSON.stringify(value.error)}`);
    rows = value.value.entries.length;
    wall.push(ms);
    cpu.push(cpuMs);
  }
  const median = quantile(wall, 0.5);
  const verdict =
    target === undefined ? '' : median <= target ? `  ✓ ≤ ${target} ms` : `  ✗ target ${target} ms`;
  console.log(`  ${label.padEnd(44)} ${String(rows).padStart(3)} rows  ${stats(wall, cpu)}${verdict}`);
}

function queries(store: Store, accountId: string): void {
  measure(store, 'first page (50)', {}, 10);
  // Walk 100 pages deep, then time the 101st: keyset pagination costs the same at any depth.
  let cursor: HistoryQuery['cursor'] = null;
  for (let i = 0; i < 100; i++) {
    const page = store.history.page({ cursor });
    if (!page.ok) throw new Error('page');
    cursor = page.value.nextCursor;
  }
  measure(store, 'page 101 (keyset cursor)', { cursor }, 10);
  measure(store, 'missed, first page', { filter: { kind: 'missed' } }, 10);
  measure(store, 'incoming, first page', { filter: { kind: 'incoming' } }, 10);
  measure(store, 'one account, first page', { filter: { accountId } }, 10);
  measure(store, 'last 7 days', { filter: { from: Date.now() - 7 * 86_400_000 } }, 10);
  measure(store, 'search number "+4930 555 01" (narrow)', { filter: { search: '+4930 555 01' } }, 30);
  measure(store, 'search number "1234" (one extension)', { filter: { search: '1234' } }, 30);
  measure(store, 'search number "+49" (a third of the log)', { filter: { search: '+49' } }, 30);
  measure(store, 'search number "1" (broad prefix)', { filter: { search: '1' } }, 30);
  measure(store, 'search name "müller"', { filter: { search: 'müller' } }, 30);
  measure(store, 'search name "zoe dur"', { filter: { search: 'zoe dur' } }, 30);
  measure(store, 'search contact name "contact 42"', { filter: { search: 'contact 42' } }, 30);
  measure(store, 'search name with no match "xyzzy"', { filter: { search: 'xyzzy' } }, 30);
  measure(store, 'missed + search "müller"', { filter: { kind: 'missed', search: 'müller' } }, 30);
  const counts = Array.from({ length: RUNS }, () => time(() => store.history.unseenMissedCount()));
  console.log(
    `  ${'unseen missed count'.padEnd(44)}           ${stats(
      counts.map((c) => c.ms),
      counts.map((c) => c.cpuMs),
    )}`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'softphone-bench-'));
try {
  const cipher = NodeKeyFileCipher.forDataDir(dataDir);
  const opened = openStore({ dataDir, cipher });
  if (!opened.ok) throw new Error(JSON.stringify(opened.error));
  let store = opened.value;
  const accounts = ['Office', 'Home'].map((label) => {
    const added = store.accounts.add({
      label,
      aor: `sip:${label.toLowerCase()}@example.com`,
      authUser: '',
      displayName: label,
      domain: 'example.com',
      outboundProxy: null,
      transport: 'udp',
      registerExpiresSec: 600,
      enabled: true,
      iceMode: 'auto',
      stunServers: [],
      keepaliveIntervalSec: 25,
      mediaPorts: null,
      codecs: null,
      dtmfMode: null,
      autoAnswer: false,
      srtp: 'off',
      turnServers: [],
      password: 'secret',
    });
    if (!added.ok) throw new Error('account');
    return added.value.id;
  });
  store.batch(() => {
    for (let i = 0; i < CONTACTS; i++) {
      const party = parties[i * 7];
      if (party === undefined) break;
      store.contacts.add({
        name: `Contact ${i} ${pick(LAST)}`,
        company: '',
        notes: '',
        favourite: i % 10 === 0,
        addresses: [{ kind: 'sip', value: party.uri, label: 'work' }],
      });
    }
  });

  console.log(`store bench: ${CALLS} calls, ${CONTACTS} contacts, ${parties.length} distinct remote parties`);
  console.log(`  node ${process.version}, data in ${dataDir}`);

  // ── writes ──
  const now = Date.now();
  const span = 2 * 365 * 86_400_000; // two years of calls
  let started = now - span;
  const step = span / CALLS;
  let n = 0;
  const logCall = (): void => {
    const id = `bench-${n++}`;
    const party = pick(parties);
    started += Math.floor(rnd() * 2 * step);
    const result = pick(RESULTS);
    const direction = result === 'missed' ? 'incoming' : rnd() < 0.5 ? 'incoming' : 'outgoing';
    store.history.recordStart({
      id,
      direction,
      accountId: pick(accounts),
      remoteUri: party.uri,
      remoteDisplayName: party.name,
      startedAt: started,
    });
    const answered = result === 'answered' ? started + 3000 : null;
    store.history.recordEnd({
      id,
      endedAt: started + 3000 + Math.floor(rnd() * 600_000),
      answeredAt: answered,
      result,
      sipCode: result === 'answered' ? 200 : result === 'busy' ? 486 : result === 'missed' ? 487 : null,
      codec: result === 'answered' ? pick(['opus', 'PCMU', 'PCMA', 'G722']) : null,
      mediaPath: result === 'answered' ? pick(['direct', 'direct', 'relayed'] as const) : 'unknown',
      mos: result === 'answered' ? 3 + rnd() * 1.5 : null,
    });
  };

  const OWN_TX = Math.min(5000, CALLS);
  const perCall = time(() => {
    for (let i = 0; i < OWN_TX; i++) logCall();
  });
  console.log(
    `  write, each start/end its own transaction: ${OWN_TX} calls, wall ${perCall.ms.toFixed(0)} ms = ` +
      `${Math.round(OWN_TX / (perCall.ms / 1000))} calls/s (${Math.round((2 * OWN_TX) / (perCall.ms / 1000))} commits/s); ` +
      `cpu ${perCall.cpuMs.toFixed(0)} ms = ${Math.round(OWN_TX / (perCall.cpuMs / 1000))} calls/s`,
  );
  const BATCH = 5000;
  const bulk = time(() => {
    while (n < CALLS) {
      store.batch(() => {
        for (let i = 0; i < BATCH && n < CALLS; i++) logCall();
      });
    }
  });
  const bulkRows = CALLS - OWN_TX;
  console.log(
    `  bulk write, ${BATCH} calls per transaction: ${bulkRows} rows, wall ${bulk.ms.toFixed(0)} ms = ` +
      `${Math.round(bulkRows / (bulk.ms / 1000))} rows/s; cpu ${bulk.cpuMs.toFixed(0)} ms = ` +
      `${Math.round(bulkRows / (bulk.cpuMs / 1000))} rows/s (each row inserted then completed, FTS and indexes kept)`,
  );

  console.log('queries right after the bulk insert (no planner statistics yet):');
  queries(store, accounts[0] ?? '');

  store.close();
  const reopened = time(() => openStore({ dataDir, cipher }));
  if (!reopened.value.ok) throw new Error('reopen');
  store = reopened.value.value;
  console.log(
    `reopen (lock, migrations check, optimize, crash repair): wall ${reopened.ms.toFixed(1)} ms, cpu ${reopened.cpuMs.toFixed(1)} ms`,
  );
  console.log('queries after reopening (as on the next app start):');
  queries(store, accounts[0] ?? '');

  const csv = time(() => {
    const result = store.history.exportCsv();
    if (!result.ok) throw new Error('csv');
    let bytes = 0;
    let records = 0;
    for (const record of result.value) {
      bytes += record.length;
      records++;
    }
    return { bytes, records };
  });
  console.log(
    `  CSV export of the whole log: ${csv.value.records - 1} records, ${(csv.value.bytes / 1e6).toFixed(1)} MB, ` +
      `wall ${csv.ms.toFixed(0)} ms, cpu ${csv.cpuMs.toFixed(0)} ms`,
  );
  const clear = time(() => store.history.clear());
  console.log(
    `  clear(): ${clear.value} rows, wall ${clear.ms.toFixed(0)} ms, cpu ${clear.cpuMs.toFixed(0)} ms`,
  );
  store.close();
  console.log(
    `  database file after close: ${(statSync(join(dataDir, 'softphone.sqlite')).size / 1e6).toFixed(1)} MB`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
