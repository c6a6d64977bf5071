import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  analyseWav,
  generateToneWav,
  makeWorkDir,
  startBaresip,
  startKamailio,
  type BaresipUa,
  type KamailioServer,
  type WorkDir,
} from '../support/index.ts';

const users = [
  { user: 'alice', password: 'a-pw' },
  { user: 'bob', password: 'b-pw' },
  { user: 'carol', password: 'c-pw' },
  { user: 'echo', password: 'e-pw' },
];

let kamailio: KamailioServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];

async function ua(options: Parameters<typeof startBaresip>[0]): Promise<BaresipUa> {
  const started = await startBaresip(options);
  uas.push(started);
  await started.waitFor('REGISTER_OK');
  return started;
}

beforeAll(async () => {
  dir = makeWorkDir('call-test');
  kamailio = await startKamailio({ users });
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.dispose()));
  await kamailio?.dispose();
  dir?.remove();
});

describe('baresip ↔ Kamailio ↔ baresip calls', () => {
  it('A calls B through Kamailio; B auto-answers and records the 1000 Hz tone A sends; DTMF and re-INVITE pass', async () => {
    const a = await ua({
      aor: 'sip:alice@lab.test',
      password: 'a-pw',
      proxy: kamailio.uri('udp'),
      audio: { kind: 'tone', hz: 1000 },
    });
    const b = await ua({
      aor: 'sip:bob@lab.test',
      password: 'b-pw',
      proxy: kamailio.uri('udp'),
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 400 },
      record: true,
    });

    expect((await a.dial('sip:bob@lab.test')).ok).toBe(true);
    await a.waitFor('CALL_ESTABLISHED');
    // with answermode=auto baresip 1.0 emits no CALL_INCOMING, only CALL_ESTABLISHED
    const established = await b.waitFor('CALL_ESTABLISHED');
    expect(established.direction).toBe('incoming');
    expect(established.peeruri).toBe('sip:alice@lab.test');
    await sleep(3000);

    await a.sendDtmf('159#');
    await b.waitFor('CALL_DTMF_END', { where: () => b.receivedDtmf().length === 4 });
    expect(b.receivedDtmf()).toBe('159#');

    // a re-INVITE inside the dialog follows the Record-Route set
    const mark = b.mark();
    expect((await a.hold()).ok).toBe(true);
    const reoffer = await b.waitFor('CALL_REMOTE_SDP', { after: mark });
    expect(reoffer.param).toBe('offer');
    expect((await a.resume()).ok).toBe(true);
    await sleep(1000);

    expect((await a.hangup()).ok).toBe(true);
    await b.waitFor('CALL_CLOSED');
    await a.waitFor('CALL_CLOSED');

    const recordings = b.recordings();
    expect(recordings.received).toHaveLength(1);
    expect(recordings.sent).toHaveLength(1);
    const received = analyseWav(recordings.received[0] ?? '', { hz: 1000 });
    expect(received.seconds.length).toBeGreaterThanOrEqual(3);
    expect(received.tonePresentRatio).toBeGreaterThanOrEqual(0.8);
    const sent = analyseWav(recordings.sent[0] ?? '', { hz: 400 });
    expect(sent.tonePresentRatio).toBeGreaterThanOrEqual(0.8);
    expect(analyseWav(recordings.sent[0] ?? '', { hz: 1000 }).tonePresentRatio).toBe(0);
  });

  it('plays a WAV file (aufile) to an echo UA and hears it back', async () => {
    const wav = await generateToneWav({ path: dir.file('tone600.wav'), hz: 600, seconds: 60 });
    await ua({
      aor: 'sip:echo@lab.test',
      password: 'e-pw',
      proxy: kamailio.uri('udp'),
      audio: { kind: 'echo' },
    });
    const carol = await ua({
      aor: 'sip:carol@lab.test',
      password: 'c-pw',
      proxy: kamailio.uri('udp'),
      audio: { kind: 'file', path: wav },
      record: true,
    });
    await carol.dial('sip:echo@lab.test');
    await carol.waitFor('CALL_ESTABLISHED');
    await sleep(3500);
    await carol.hangup();
    await carol.waitFor('CALL_CLOSED');
    const [received] = carol.recordings().received;
    const analysis = analyseWav(received ?? '', { hz: 600 });
    expect(analysis.seconds.length).toBeGreaterThanOrEqual(3);
    expect(analysis.tonePresentRatio).toBeGreaterThanOrEqual(0.6);
  });

  it('CANCEL reaches the callee when the caller gives up before the answer', async () => {
    const [alice] = uas;
    const bob2 = await ua({
      aor: 'sip:carol@lab.test',
      password: 'c-pw',
      proxy: kamailio.uri('tcp'),
      transport: 'tcp',
      answerMode: 'manual',
    });
    const mark = bob2.mark();
    await alice?.dial('sip:carol@lab.test');
    // carol is registered twice (UDP and TCP): Kamailio forks to both; the manual one rings
    await bob2.waitFor('CALL_INCOMING', { after: mark });
    await alice?.hangup();
    await bob2.waitFor('CALL_CLOSED', { after: mark });
    // baresip reports a cancelled call as "Connection reset by peer"; the SIP trace shows the CANCEL
    expect(bob2.log()).toMatch(/^CANCEL sip:carol\S*@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0/m);
  });
});
