/**
 * Call setup time through Kamailio on loopback: from "dial" to the first RTP packet received by the
 * caller, for our phone calling baresip and, in the same run, for baresip calling the same baresip.
 *
 *   node bench/call-setup.bench.ts [--runs 10] [--json]
 *
 * Ours: a Phone in this process (real sockets, the same core the CLI runs), one account registered;
 * t0 just before `calls.dial`, t1 when `calls.list` first shows packetsReceived > 0 (polled every
 * 2 ms). baresip → baresip: t0 just before the ctrl_tcp `dial`, t1 when the caller's log shows
 * "incoming rtp for 'audio' established" (polled every 2 ms). The callee answers automatically in both
 * cases, so the figure is INVITE/407/INVITE/180/200 through the proxy plus media start on both ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startBaresip, startKamailio } from '../test/interop/support/index.ts';
import { CliPhoneClient } from '../src-main/cli/phone-client.ts';
import { createNodePhone } from '../src-main/phone/index.ts';
import type { CallSnapshot } from '../src-shared/model/call.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

function stats(xs: number[]): { median: number; min: number; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    median: Math.round(median * 10) / 10,
    min: Math.round((sorted[0] ?? 0) * 10) / 10,
    max: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
  };
}

const kamailio = await startKamailio({
  users: [
    { user: 'alice', password: 'a-pw' },
    { user: 'bob', password: 'b-pw' },
    { user: 'carol', password: 'c-pw' },
  ],
});
const bob = await startBaresip({
  aor: 'sip:bob@lab.test',
  password: 'b-pw',
  proxy: kamailio.uri('udp'),
  answerMode: 'auto',
  audio: { kind: 'tone', hz: 1000 },
});
const carol = await startBaresip({
  aor: 'sip:carol@lab.test',
  password: 'c-pw',
  proxy: kamailio.uri('udp'),
  answerMode: 'manual',
  audio: { kind: 'tone', hz: 700 },
});
const phone = createNodePhone({ host: 'cli', storage: 'none' });
try {
  await bob.waitFor('REGISTER_OK');
  await carol.waitFor('REGISTER_OK');
  const client = new CliPhoneClient(phone);
  const added = await client.call('accounts.add', {
    label: 'bench',
    aor: 'sip:alice@lab.test',
    authUser: '',
    displayName: '',
    domain: 'lab.test',
    outboundProxy: kamailio.uri('udp'),
    transport: 'udp',
    registerExpiresSec: 600,
    enabled: true,
    iceMode: 'off',
    stunServers: [],
    keepaliveIntervalSec: 0,
    mediaPorts: null,
    codecs: null,
    dtmfMode: null,
    autoAnswer: false,
    srtp: 'off',
    turnServers: [],
    password: 'a-pw',
  });
  if (!added.ok) throw new Error(added.error.message);
  for (let i = 0; i < 500; i++) {
    const list = await client.call('accounts.list', {});
    if (list.ok && list.value[0]?.registration.state === 'registered') break;
    await sleep(10);
  }

  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    const mark = bob.mark();
    const t0 = performance.now();
    const dialled = await client.call('calls.dial', { target: 'sip:bob@lab.test' });
    if (!dialled.ok) throw new Error(dialled.error.message);
    let call: CallSnapshot | undefined;
    for (;;) {
      const list = await client.call('calls.list', {});
      call = list.ok ? list.value.find((c) => c.id === dialled.value.id) : undefined;
      if (call === undefined || call.stats.packetsReceived > 0) break;
      await sleep(2);
    }
    if (call === undefined) throw new Error('our call ended before media');
    ours.push(performance.now() - t0);
    await client.call('calls.hangup', { callId: dialled.value.id });
    await bob.waitFor('CALL_CLOSED', { after: mark });
    await sleep(300);
  }

  const theirs: number[] = [];
  const established = /incoming rtp for 'audio' established/g;
  for (let i = 0; i < runs; i++) {
    const mark = bob.mark();
    const seen = (carol.log().match(established) ?? []).length;
    const t0 = performance.now();
    await carol.dial('sip:bob@lab.test');
    while ((carol.log().match(established) ?? []).length === seen) await sleep(2);
    theirs.push(performance.now() - t0);
    await carol.hangup();
    await bob.waitFor('CALL_CLOSED', { after: mark });
    await sleep(300);
  }

  const result = { runs, oursMs: stats(ours), baresipToBaresipMs: stats(theirs) };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `dial → first RTP received at the caller, ${runs} calls each, through Kamailio on loopback (ms)`,
    );
    console.log(
      `  ours → baresip       median ${result.oursMs.median}  min ${result.oursMs.min}  max ${result.oursMs.max}`,
    );
    console.log(
      `  baresip → baresip    median ${result.baresipToBaresipMs.median}  min ${result.baresipToBaresipMs.min}  max ${result.baresipToBaresipMs.max}`,
    );
  }
} finally {
  await phone.close();
  await bob.dispose();
  await carol.dispose();
  await kamailio.dispose();
}
