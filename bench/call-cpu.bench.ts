/**
 * CPU per active call: our CLI (`softphone call … --tone 440`) and the baresip it calls (auto-answer,
 * ausine tone, G.711, 20 ms) on the same call through Kamailio on loopback. Each process's CPU time is
 * read from /proc/<pid>/stat (utime + stime) once the call is up and again just before it ends; the
 * figure is CPU seconds per second of call, in percent of one core.
 *
 *   node bench/call-cpu.bench.ts [--seconds 60] [--json]
 *
 * Both processes do the same media work (capture/encode/send and receive/decode/play 50 packets a
 * second each way); ours also resamples nothing (8 kHz ports), baresip resamples its 48 kHz ausine
 * source and 48 kHz player to 8 kHz.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { makeWorkDir, startBaresip, startKamailio } from '../test/interop/support/index.ts';
import { accountArgs, softphone } from '../test/interop/call/softphone-cli.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, json: { type: 'boolean', default: false } },
});
const seconds = Math.max(10, Number(values.seconds));
const CLK_TCK = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces): state is field 3.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLK_TCK;
}

/** The pid of the baresip started with `-f <dir>`. */
function baresipPid(configDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('baresip') && cmdline.includes(configDir)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no baresip process for ${configDir}`);
}

const dir = makeWorkDir('bench-call-cpu');
const kamailio = await startKamailio({
  users: [
    { user: 'alice', password: 'a-pw' },
    { user: 'bob', password: 'b-pw' },
  ],
});
const bob = await startBaresip({
  aor: 'sip:bob@lab.test',
  password: 'b-pw',
  proxy: kamailio.uri('udp'),
  answerMode: 'auto',
  audio: { kind: 'tone', hz: 1000 },
  sipTrace: false,
});
try {
  await bob.waitFor('REGISTER_OK');
  const bobPid = baresipPid(bob.logPath.replace(/\/baresip\.log$/, ''));
  const run = softphone({
    dir,
    name: 'bench-call',
    args: [
      'call',
      'sip:bob@lab.test',
      ...accountArgs('alice', 'a-pw', kamailio.uri('udp')),
      '--tone',
      '440',
      '--duration',
      String(seconds),
    ],
  });
  await run.waitFor((l) => l.type === 'call' && l.state === 'active', 20_000);
  // Let both sides settle (JIT, jitter buffers), then measure most of the call.
  await sleep(2000);
  const start = performance.now();
  const ours0 = cpuSeconds(run.process.pid);
  const bob0 = cpuSeconds(bobPid);
  await sleep((seconds - 5) * 1000);
  const wallS = (performance.now() - start) / 1000;
  const ours = (cpuSeconds(run.process.pid) - ours0) / wallS;
  const theirs = (cpuSeconds(bobPid) - bob0) / wallS;
  const exit = await run.exit(30_000);
  const stats = run.calls().at(-1)?.stats;
  const result = {
    measuredSeconds: Math.round(wallS * 10) / 10,
    oursCpuPct: Math.round(ours * 1000) / 10,
    baresipCpuPct: Math.round(theirs * 1000) / 10,
    ratio: Math.round((ours / theirs) * 100) / 100,
    callExit: exit.code,
    packets: stats
      ? { sent: stats.packetsSent, received: stats.packetsReceived, lossPct: stats.lossPct }
      : null,
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`one G.711 call, ${result.measuredSeconds} s measured (of a ${seconds} s call)`);
    console.log(`  our CLI process  ${result.oursCpuPct.toFixed(1)} % of a core`);
    console.log(`  baresip 1.0      ${result.baresipCpuPct.toFixed(1)} % of a core`);
    console.log(
      `  ours / baresip   ${result.ratio}×   (call exit ${result.callExit}; packets ${JSON.stringify(result.packets)})`,
    );
  }
} finally {
  await bob.dispose();
  await kamailio.dispose();
  dir.remove();
}
