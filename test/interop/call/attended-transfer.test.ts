/**
 * Attended transfer (RFC 5589 §7: REFER with Replaces, RFC 3891) across three of our CLI processes
 * registered to Kamailio — baresip 1.0 has no Replaces, so it cannot take part:
 *
 *   alice  `call sip:bob --consult sip:carol`: talks with bob, calls carol (bob goes on hold), then
 *          REFERs bob to `sip:carol?Replaces=<alice–carol dialog>`;
 *   bob    `answer`: answers alice, takes the REFER, calls carol with Replaces (the phone does it);
 *   carol  `answer`: answers alice, accepts bob's INVITE with Replaces by itself, ends her call with alice.
 *
 * Afterwards bob and carol talk: each recording of that call holds the other's tone.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  makeWorkDir,
  startKamailio,
  type KamailioServer,
  type WorkDir,
} from '../support/index.ts';
import { accountArgs, mediaArgs, softphone, type CallLine, type SoftphoneRun } from './softphone-cli.ts';

const TONE = { alice: 440, bob: 1000, carol: 700 } as const;
const users = (['alice', 'bob', 'carol'] as const).map((user) => ({ user, password: `${user}-pw` }));

let kamailio: KamailioServer;
let dir: WorkDir;
const runs: SoftphoneRun[] = [];
const started = Date.now();

beforeAll(async () => {
  dir = makeWorkDir('attended-transfer');
  kamailio = await startKamailio({
    users,
    // What the proxy relays for the transfer, in its log: the REFER's Refer-To, the INVITE's Replaces.
    extraRoute: [
      '\tif (is_method("REFER")) xlog("L_INFO", "TRANSFER REFER $ru Refer-To: $hdr(Refer-To)\\n");',
      '\tif (is_method("INVITE") && is_present_hf("Replaces")) xlog("L_INFO", "TRANSFER INVITE $ru Replaces: $hdr(Replaces)\\n");',
    ].join('\n'),
  });
});

afterAll(async () => {
  await Promise.all(runs.map((r) => r.process.stop(2000)));
  await kamailio?.dispose();
  dir?.remove();
  console.log(`attended transfer interop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function account(user: string): string[] {
  return accountArgs(user, `${user}-pw`, kamailio.uri('udp'));
}

function start(name: string, args: string[]): SoftphoneRun {
  const run = softphone({ dir, name, args });
  runs.push(run);
  return run;
}

/** The ids of a run's calls in the order they appeared, and each call's snapshots. */
function callsOf(run: SoftphoneRun): { ids: string[]; of(id: string | undefined): CallLine[] } {
  const all = run.calls();
  return {
    ids: [...new Set(all.map((c) => c.id))],
    of: (id) => all.filter((c) => c.id === id),
  };
}

/** The file each call was recorded to (the `recording` lines). */
function recordingOf(run: SoftphoneRun, callId: string | undefined): string {
  const line = run.lines().find((l) => l.type === 'recording' && l.callId === callId);
  expect(line, `${callId} has a recording line`).toBeDefined();
  return String(line?.path);
}

describe('attended transfer between three of our phones through Kamailio', () => {
  it('alice transfers bob to carol: REFER with Replaces, bob\u2019s INVITE replaces carol\u2019s call with alice; bob and carol talk', async () => {
    const bob = start('bob', [
      'answer',
      ...account('bob'),
      ...mediaArgs({ tone: TONE.bob, record: dir.file('bob.wav'), duration: 4 }),
    ]);
    // carol's --duration is only a safety net: bob hangs up first.
    const carol = start('carol', [
      'answer',
      ...account('carol'),
      ...mediaArgs({ tone: TONE.carol, record: dir.file('carol.wav'), duration: 12 }),
    ]);
    await Promise.all([bob.waitFor((l) => l.type === 'ready'), carol.waitFor((l) => l.type === 'ready')]);
    const alice = start('alice', [
      'call',
      'sip:bob@lab.test',
      ...account('alice'),
      ...mediaArgs({ tone: TONE.alice, record: dir.file('alice.wav') }),
      '--consult',
      'sip:carol@lab.test',
      '--consult-at',
      '1',
      '--transfer-at',
      '1',
    ]);
    const [aliceExit, bobExit, carolExit] = await Promise.all([alice.exit(), bob.exit(), carol.exit()]);
    expect(aliceExit.code, alice.process.log()).toBe(0);
    expect(bobExit.code, bob.process.log()).toBe(0);
    expect(carolExit.code, carol.process.log()).toBe(0);

    // alice: the call to bob (held during the consultation) and the consultation call to carol both
    // end as transferred; the REFER's subscription reported the new call answered (sipfrag 200).
    const a = callsOf(alice);
    expect(a.ids).toHaveLength(2);
    const [toBob, toCarol] = [a.of(a.ids[0]), a.of(a.ids[1])];
    expect(toBob[0]!.remote.uri).toBe('sip:bob@lab.test');
    expect(toCarol[0]!.remote.uri).toBe('sip:carol@lab.test');
    expect(alice.states(a.ids[0]).filter((s) => s !== 'ringing')).toEqual([
      'dialing',
      'active',
      'held',
      'ended',
    ]);
    expect(alice.states(a.ids[1]).filter((s) => s !== 'ringing')).toEqual(['dialing', 'active', 'ended']);
    expect(toBob.at(-1)).toMatchObject({
      reason: { kind: 'transferred', text: 'Transferred to sip:carol@lab.test' },
      transfer: { role: 'transferor', target: 'sip:carol@lab.test', state: 'succeeded', sipCode: 200 },
    });
    expect(toCarol.at(-1)!.reason).toEqual({
      kind: 'transferred',
      text: 'Transferred: sip:carol@lab.test now talks with sip:bob@lab.test',
    });
    expect(alice.lines().at(-1)).toMatchObject({
      type: 'result',
      value: { reason: 'transferred', consultation: { id: a.ids[1], reason: 'transferred' } },
    });

    // bob: alice's call, then the call the phone placed to carol for the REFER, which came up.
    const b = callsOf(bob);
    expect(b.ids).toHaveLength(2);
    const [fromAlice, bobToCarol] = [b.of(b.ids[0]), b.of(b.ids[1])];
    expect(fromAlice[0]).toMatchObject({ direction: 'incoming', remote: { uri: 'sip:alice@lab.test' } });
    expect(fromAlice.at(-1)).toMatchObject({
      reason: { kind: 'remote-hangup' },
      transfer: { role: 'transferee', target: 'sip:carol@lab.test', state: 'succeeded', sipCode: 200 },
    });
    expect(bobToCarol[0]).toMatchObject({ direction: 'outgoing', remote: { uri: 'sip:carol@lab.test' } });
    expect(bob.states(b.ids[1])).toContain('active');
    expect(bobToCarol.at(-1)!.reason?.kind).toBe('local-hangup');

    // carol: alice's consultation call is replaced by bob's call, which the phone took by itself.
    const c = callsOf(carol);
    expect(c.ids).toHaveLength(2);
    const [fromAliceC, fromBob] = [c.of(c.ids[0]), c.of(c.ids[1])];
    expect(fromAliceC[0]).toMatchObject({ direction: 'incoming', remote: { uri: 'sip:alice@lab.test' } });
    expect(fromAliceC.at(-1)!.reason).toEqual({ kind: 'replaced', text: 'Replaced by another call' });
    expect(fromBob[0]).toMatchObject({
      direction: 'incoming',
      remote: { uri: 'sip:bob@lab.test' },
      replaces: c.ids[0],
    });
    expect(carol.states(c.ids[1])).toContain('active');
    expect(fromBob.at(-1)!.reason?.kind).toBe('remote-hangup');

    // Audio after the transfer, both ways (bob's call lasts 4 s): bob hears carol, carol hears bob.
    const bobHeard = analyseWav(recordingOf(bob, b.ids[1]), { hz: TONE.carol });
    expect(bobHeard.seconds.length).toBeGreaterThanOrEqual(3);
    expect(bobHeard.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    const carolHeard = analyseWav(recordingOf(carol, c.ids[1]), { hz: TONE.bob });
    expect(carolHeard.seconds.length).toBeGreaterThanOrEqual(3);
    expect(carolHeard.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    // Before it, bob talked with alice.
    expect(analyseWav(recordingOf(bob, b.ids[0]), { hz: TONE.alice }).seconds[0]?.tonePresent).toBe(true);

    // Kamailio relayed the REFER (to bob) naming carol with Replaces, and bob's INVITE to carol with
    // the same dialog in its Replaces header.
    const log = readFileSync(kamailio.logPath, 'utf8');
    const refer = /TRANSFER REFER sip:bob\S* Refer-To: <?sip:carol@lab\.test\?Replaces=([^>\s]+)>?/.exec(log);
    expect(refer, log.slice(-3000)).not.toBeNull();
    const referred = decodeURIComponent(refer![1]!);
    expect(referred).toMatch(/^[^;]+;to-tag=[^;]+;from-tag=[^;]+$/);
    const invite = /TRANSFER INVITE sip:carol\S* Replaces: (\S+)/.exec(log);
    expect(invite, log.slice(-3000)).not.toBeNull();
    const replaces = invite![1]!.split(';');
    expect(replaces[0]).toBe(referred.split(';')[0]);
    expect(replaces.slice(1).sort()).toEqual(referred.split(';').slice(1).sort());
  }, 40_000);
});
