/**
 * SIP parser throughput: the whole RFC 3665 / RFC 3261 §24 corpus (../shared/testdata/sip-corpus, the
 * well-formed messages) through our parser, npm `sip` (its parse/stringify) and `drachtio-sip`
 * (parser.parseSipMessage/stringifySipMessage, in the lazy mode its SipMessage class uses), in the
 * same process. Three workloads: parse only; parse + serialize; and parse + read what every
 * transaction needs (top Via branch, From and To tags, Call-ID, CSeq) — our parser validates those
 * eagerly but builds their values on first read, `sip` builds them while parsing, drachtio-sip
 * leaves them as strings until asked, so this third figure compares the full cost.
 *
 * Method: every parser is warmed up, then the parsers take turns in short slices (~60 ms of CPU
 * each, the order rotating every round) so that whatever else the machine does hits all of them
 * alike; rates are messages per CPU-second (process.cpuUsage), the median over the rounds is
 * reported, with the ratio ours/sip. Compare figures from one run only.
 *
 * Run: node bench/sip-parser.bench.ts [--rounds N] [--json]   (default 31 rounds)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseMessage, serialize } from '../src-main/sip/syntax/index.ts';

const root = path.resolve(import.meta.dirname, '..');
const corpusDir = path.resolve(root, '../shared/testdata/sip-corpus');
const require = createRequire(path.join(root, 'package.json'));

interface SipJs {
  parse(data: Buffer): unknown;
  stringify(message: unknown): string;
}
interface DrachtioParser {
  parseSipMessage(data: Buffer, lazy: boolean): unknown;
  stringifySipMessage(message: unknown): string;
  getParser(header: string): (data: { s: unknown; i: number }) => unknown;
}
/** The fields of a `sip` / drachtio-sip message this bench reads (their parsers return plain objects). */
interface PeerMessage {
  headers: Record<string, unknown>;
}
interface PeerVia {
  params: Record<string, string | undefined>;
}
interface PeerAddress {
  params: Record<string, string | undefined>;
}
interface PeerCSeq {
  seq: number;
  method: string;
}
const sip = require('sip') as SipJs;
const drachtio = (require('drachtio-sip') as { parser: DrachtioParser }).parser;

interface CorpusEntry {
  file: string;
  wellFormed: boolean;
}
const index = JSON.parse(readFileSync(path.join(corpusDir, 'index.json'), 'utf8')) as CorpusEntry[];
const messages = index.filter((e) => e.wellFormed).map((e) => readFileSync(path.join(corpusDir, e.file)));
const bytes = messages.reduce((n, m) => n + m.length, 0);

type Run = (m: Buffer) => unknown;
type Workload = 'parse' | 'roundTrip' | 'parseAndRead';
const via = drachtio.getParser('via');
const from = drachtio.getParser('from');
const to = drachtio.getParser('to');
const cseq = drachtio.getParser('cseq');
const parsers: Record<string, Record<Workload, Run>> = {
  ours: {
    parse: (m) => {
      const r = parseMessage(m);
      if (!r.ok) throw new Error(r.error.reason);
      return r;
    },
    roundTrip: (m) => {
      const r = parseMessage(m);
      if (!r.ok) throw new Error(r.error.reason);
      return serialize(r.message);
    },
    parseAndRead: (m) => {
      const r = parseMessage(m);
      if (!r.ok) throw new Error(r.error.reason);
      const msg = r.message;
      return [msg.topVia.branch, msg.from.tag, msg.to.tag, msg.callId, msg.cseq.seq, msg.cseq.method];
    },
  },
  sip: {
    parse: (m) => sip.parse(m),
    roundTrip: (m) => sip.stringify(sip.parse(m)),
    parseAndRead: (m) => {
      const h = (sip.parse(m) as PeerMessage).headers;
      const c = h.cseq as PeerCSeq;
      return [
        (h.via as PeerVia[])[0]!.params.branch,
        (h.from as PeerAddress).params.tag,
        (h.to as PeerAddress).params.tag,
        h['call-id'],
        c.seq,
        c.method,
      ];
    },
  },
  'drachtio-sip': {
    parse: (m) => drachtio.parseSipMessage(m, true),
    roundTrip: (m) => drachtio.stringifySipMessage(drachtio.parseSipMessage(m, true)),
    parseAndRead: (m) => {
      const h = (drachtio.parseSipMessage(m, true) as PeerMessage).headers;
      const c = cseq({ s: h.cseq, i: 0 }) as PeerCSeq;
      return [
        (via({ s: h.via, i: 0 }) as PeerVia[])[0]!.params.branch,
        (from({ s: h.from, i: 0 }) as PeerAddress).params.tag,
        (to({ s: h.to, i: 0 }) as PeerAddress).params.tag,
        h['call-id'],
        c.seq,
        c.method,
      ];
    },
  },
};

/**
 * Messages per second of CPU time (user + system, all threads of this process, so GC counts) over a
 * slice of about `ms` of CPU time. CPU time, not wall time: on a shared machine waiting for a core
 * is not the parser's cost.
 */
function passRate(run: Run, ms: number): number {
  let n = 0;
  const start = process.cpuUsage();
  for (;;) {
    for (const m of messages) run(m);
    n += messages.length;
    const used = process.cpuUsage(start);
    const seconds = (used.user + used.system) / 1e6;
    if (seconds * 1000 >= ms) return n / seconds;
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const args = process.argv.slice(2);
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 31;
const json = args.includes('--json');

// Sanity: every parser accepts every message, so nobody is timed on an early exit.
for (const [name, p] of Object.entries(parsers)) {
  for (const m of messages) if (p.parse(m) === undefined) throw new Error(`${name} rejects a corpus message`);
}

const results: Record<string, Record<string, number>> = {};
for (const workload of ['parse', 'roundTrip', 'parseAndRead'] as const) {
  for (const p of Object.values(parsers)) passRate(p[workload], 400); // warm-up (JIT)
  const samples: Record<string, number[]> = {};
  const entries = Object.entries(parsers);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < entries.length; k++) {
      const [name, p] = entries[(r + k) % entries.length]!;
      (samples[name] ??= []).push(passRate(p[workload], 60));
    }
  }
  results[workload] = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

if (json) {
  console.log(JSON.stringify({ messages: messages.length, bytes, rounds, results }));
} else {
  console.log(`corpus: ${messages.length} messages, ${bytes} bytes; median of ${rounds} interleaved rounds`);
  for (const [workload, figures] of Object.entries(results)) {
    const label =
      workload === 'parse' ? 'parse' : workload === 'roundTrip' ? 'parse+serialize' : 'parse+read';
    for (const [name, rate] of Object.entries(figures)) {
      console.log(
        `${label.padEnd(16)} ${name.padEnd(13)} ${Math.round(rate).toString().padStart(9)} msgs/s (CPU)`,
      );
    }
    console.log(`${label.padEnd(16)} ratio ours/sip ${(figures.ours! / figures.sip!).toFixed(2)}`);
  }
}
