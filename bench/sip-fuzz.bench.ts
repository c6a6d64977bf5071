/**
 * SIP parser fuzzing at scale: 1 000 000 mutations (byte flips, truncations, insertions,
 * deletions, header duplication and swaps, Content-Length tampering; every 64th case also fed to a
 * stream framer in random chunks) of the RFC 3665 / RFC 3261 §24 corpus and the RFC 4475 / RFC 5118
 * torture messages, from a fixed seed. Every result must be a message or a typed error; any
 * exception stops the run and prints the case to replay. Prints cases/s and the outcome breakdown.
 *
 * Run: node bench/sip-fuzz.bench.ts [--cases N] [--seed S] [--json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exercise, exerciseStream, mutate, prng } from '../test/unit/sip/syntax/mutator.ts';

const root = path.resolve(import.meta.dirname, '..');
const testdata = path.resolve(root, '../shared/testdata');

interface Entry {
  file: string;
  lineEndings?: 'CRLF' | 'LF';
}
function load(dir: string, index: string): Buffer[] {
  const entries = JSON.parse(readFileSync(path.join(testdata, dir, index), 'utf8')) as Entry[];
  return entries.map((e) => {
    const raw = readFileSync(path.join(testdata, dir, e.file));
    // RFC 5118's archive has bare LF line ends; its README says to convert them to CRLF.
    return e.lineEndings === 'LF'
      ? Buffer.from(raw.toString('latin1').replace(/\n/g, '\r\n'), 'latin1')
      : raw;
  });
}

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const cases = arg('--cases', 1_000_000);
const seed = arg('--seed', 0x5ec0de);
const seeds = [...load('sip-corpus', 'index.json'), ...load('sip-torture', 'torture-index.json')];

const random = prng(seed);
const outcomes = new Map<string, number>();
let streamed = 0;
const start = performance.now();
for (let i = 0; i < cases; i++) {
  const base = seeds[i % seeds.length]!;
  const { data, ops } = mutate(base, random);
  try {
    const { code } = exercise(data);
    outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    if (i % 64 === 0) {
      exerciseStream(data, base, random);
      streamed++;
    }
  } catch (e) {
    console.error(`FINDING at case ${i} (seed ${seed}, ${ops.join(' + ')}): ${String(e)}`);
    console.error(JSON.stringify(data.toString('latin1')));
    process.exit(1);
  }
}
const seconds = (performance.now() - start) / 1000;

const breakdown = Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1]));
if (args.includes('--json')) {
  console.log(
    JSON.stringify({ cases, seed, seconds, casesPerSecond: cases / seconds, streamed, outcomes: breakdown }),
  );
} else {
  console.log(
    `${cases} cases from ${seeds.length} seed messages (seed ${seed}), ${streamed} also streamed: no exception`,
  );
  console.log(
    `${(cases / seconds).toFixed(0)} cases/s (${seconds.toFixed(1)} s, each case: parse + accessors + all typed headers + serialize/re-parse or createResponse)`,
  );
  for (const [code, n] of Object.entries(breakdown))
    console.log(`  ${code.padEnd(24)} ${String(n).padStart(8)}  ${((100 * n) / cases).toFixed(1)}%`);
}
