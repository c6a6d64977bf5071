/**
 * G.722 against baresip (its g722 module) through Kamailio: the call negotiates G.722, and tones above
 * 4 kHz — which no G.711 path can carry, its audio ending at 4 kHz — cross in both directions, so the
 * audio really went through the 16 kHz wideband path. Each side sends a different tone (baresip 5 kHz,
 * we 6 kHz), so that each recording holds the other side's tone and not an echo of its own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  makeWorkDir,
  startBaresip,
  startKamailio,
  type BaresipUa,
  type KamailioServer,
  type WorkDir,
} from '../support/index.ts';
import { accountArgs, mediaArgs, softphone } from './softphone-cli.ts';

const users = ['alice', 'bob', 'carol'].map((user) => ({ user, password: `${user}-pw` }));
const BARESIP_HZ = 5000;
const OUR_HZ = 6000;

let kamailio: KamailioServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];
const started = Date.now();

/** A baresip UA that prefers G.722 (then PCMU), answers at once, sends 5 kHz and records both ways. */
async function wideband(user: string): Promise<BaresipUa> {
  const ua = await startBaresip({
    aor: `sip:${user}@lab.test`,
    password: `${user}-pw`,
    proxy: kamailio.uri('udp'),
    answerMode: 'auto',
    audio: { kind: 'tone', hz: BARESIP_HZ },
    // baresip knows its codecs by sampling rate: G.722 is "g722/16000" (its SDP still says G722/8000)
    codecs: ['g722/16000', 'pcmu'],
    record: true,
  });
  uas.push(ua);
  await ua.waitFor('REGISTER_OK');
  return ua;
}

beforeAll(async () => {
  dir = makeWorkDir('g722-interop');
  kamailio = await startKamailio({ users });
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.dispose()));
  await kamailio?.dispose();
  dir?.remove();
  console.log(`G.722 interop suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/**
 * What a recording holds: its rate and the share of its seconds in which the tone carries at least 90 %
 * of the energy (measured: 99.4 % for baresip's 5 kHz in ours, 99.8 % for our 6 kHz in baresip's).
 */
function heard(file: string, hz: number): { sampleRate: number; seconds: number; toneRatio: number } {
  const analysis = analyseWav(file, { hz, toleranceHz: 40, minToneRatio: 0.9 });
  return {
    sampleRate: analysis.sampleRate,
    seconds: analysis.seconds.length,
    toneRatio: analysis.tonePresentRatio,
  };
}

describe('G.722 with baresip through Kamailio', () => {
  it('we call: the call runs G722, baresip\u2019s 5 kHz is in our 16 kHz recording, our 6 kHz in baresip\u2019s', async () => {
    const bob = await wideband('bob');
    const mark = bob.mark();
    const ours = dir.file('alice-hears-bob.wav');
    const run = softphone({
      dir,
      name: 'alice-calls-bob',
      args: [
        'call',
        'sip:bob@lab.test',
        ...accountArgs('alice', 'alice-pw', kamailio.uri('udp')),
        ...mediaArgs({ tone: OUR_HZ, record: ours, duration: 4 }),
      ],
    });
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(0);
    const last = run.calls().at(-1)!;
    expect(last.codec).toBe('G722');
    expect(last.reason?.kind).toBe('local-hangup');
    expect(last.stats.packetsReceived).toBeGreaterThan(150);
    await bob.waitFor('CALL_CLOSED', { after: mark });
    // Both offer/answer directions name it as RFC 3551 §4.5.2 does: payload type 9, G722/8000.
    expect(bob.log()).toMatch(/^a=rtpmap:9 G722\/8000\r?$/m);
    expect(bob.log()).not.toMatch(/^a=rtpmap:\d+ G722\/16000/m);

    const weHeard = heard(ours, BARESIP_HZ);
    expect(weHeard.sampleRate).toBe(16000);
    expect(weHeard.seconds).toBeGreaterThanOrEqual(3);
    expect(weHeard.toneRatio).toBeGreaterThanOrEqual(0.75);

    const bobHeard = heard(bob.recordings().received.at(-1) ?? '', OUR_HZ);
    expect(bobHeard.sampleRate).toBeGreaterThanOrEqual(16000);
    expect(bobHeard.toneRatio).toBeGreaterThanOrEqual(0.75);
  });

  it('baresip calls us: our answer picks G.722 by our order, and the tones cross both ways', async () => {
    const carol = await wideband('carol');
    const ours = dir.file('alice-answers-carol.wav');
    const run = softphone({
      dir,
      name: 'alice-answers-carol',
      args: [
        'answer',
        ...accountArgs('alice', 'alice-pw', kamailio.uri('udp')),
        ...mediaArgs({ tone: OUR_HZ, record: ours }),
      ],
    });
    await run.waitFor((l) => l.type === 'ready');
    const mark = carol.mark();
    await carol.dial('sip:alice@lab.test');
    await carol.waitFor('CALL_ESTABLISHED', { after: mark });
    await sleep(3500);
    await carol.hangup();
    expect((await run.exit()).code, run.process.log()).toBe(0);
    expect(run.calls().at(-1)).toMatchObject({ codec: 'G722', reason: { kind: 'remote-hangup' } });
    await carol.waitFor('CALL_CLOSED', { after: mark });
    const weHeard = heard(ours, BARESIP_HZ);
    expect(weHeard.sampleRate).toBe(16000);
    expect(weHeard.toneRatio).toBeGreaterThanOrEqual(0.75);
    expect(heard(carol.recordings().received.at(-1) ?? '', OUR_HZ).toneRatio).toBeGreaterThanOrEqual(0.75);
  });
});
