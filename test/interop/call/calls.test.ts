/**
 * Our phone (the real CLI) against baresip far ends registered to Kamailio on loopback: audio both ways,
 * hang-up from each side, CANCEL, busy/decline, DTMF, hold/resume with audio before and after, blind
 * transfer, call waiting, and media through our TURN relay over TLS (coturn with a certificate of the
 * test CA, trusted with `--ca`). Calls are short (3–6 s); the recordings are analysed per second.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  makeTestCa,
  makeWorkDir,
  startBaresip,
  startCoturn,
  startKamailio,
  type BaresipOptions,
  type BaresipUa,
  type CoturnServer,
  type KamailioServer,
  type TestCa,
  type WorkDir,
} from '../support/index.ts';
import { accountArgs, mediaArgs, softphone } from './softphone-cli.ts';

const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((user) => ({
  user,
  password: `${user}-pw`,
}));

let kamailio: KamailioServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];
const started = Date.now();

/** The baresip UA of `user` (started on first use with `options`; later uses share it). */
async function baresip(user: string, options: Partial<BaresipOptions> = {}): Promise<BaresipUa> {
  const existing = uas.find((u) => u.aor === `sip:${user}@lab.test`);
  if (existing !== undefined) return existing;
  const ua = await startBaresip({
    aor: `sip:${user}@lab.test`,
    password: `${user}-pw`,
    proxy: kamailio.uri('udp'),
    ...options,
  });
  uas.push(ua);
  await ua.waitFor('REGISTER_OK');
  return ua;
}

function account(user: string): string[] {
  return accountArgs(user, `${user}-pw`, kamailio.uri('udp'));
}

beforeAll(async () => {
  dir = makeWorkDir('call-interop');
  kamailio = await startKamailio({
    users,
    // A user whose calls Kamailio itself declines: our mapping of 603.
    extraRoute: '\tif (is_method("INVITE") && $rU == "frank") { sl_send_reply("603", "Decline"); exit; }',
  });
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.dispose()));
  await kamailio?.dispose();
  dir?.remove();
  console.log(`call interop suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('our CLI calls baresip through Kamailio', () => {
  it('audio both ways: our recording has baresip\u2019s tone, baresip\u2019s has ours; we hang up after --duration', async () => {
    const bob = await baresip('bob', { answerMode: 'auto', audio: { kind: 'tone', hz: 1000 }, record: true });
    const ours = dir.file('alice-hears-bob.wav');
    const run = softphone({
      dir,
      name: 'alice-call',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(0);
    expect(run.states().filter((s) => s !== 'ringing')).toEqual(['dialing', 'active', 'ended']);
    const last = run.calls().at(-1)!;
    expect(last.reason?.kind).toBe('local-hangup');
    expect(last.codec).toBe('PCMU');
    expect(last.media.path).toBe('direct');
    await bob.waitFor('CALL_CLOSED');
    const heardByUs = analyseWav(ours, { hz: 1000 });
    expect(heardByUs.sampleRate).toBeGreaterThanOrEqual(8000);
    expect(heardByUs.seconds.length).toBeGreaterThanOrEqual(3);
    expect(heardByUs.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    const heardByBob = analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 });
    expect(heardByBob.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
  });

  it('the far end hangs up: exit 0, reason remote-hangup', async () => {
    const carol = await baresip('carol', {
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 700 },
      record: true,
    });
    const run = softphone({
      dir,
      name: 'alice-call-2',
      args: ['call', 'sip:carol@lab.test', ...account('alice'), '--tone', '440'],
    });
    await carol.waitFor('CALL_ESTABLISHED');
    await sleep(1500);
    await carol.hangup();
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(0);
    expect(run.calls().at(-1)!.reason?.kind).toBe('remote-hangup');
  });

  it('DTMF we send (RFC 4733) is reported by baresip', async () => {
    const dave = await baresip('dave', { answerMode: 'auto' });
    const run = softphone({
      dir,
      name: 'alice-dtmf',
      args: [
        'call',
        'sip:dave@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440 }),
        '--dtmf',
        '159#',
        '--dtmf-at',
        '0.5',
        '--duration',
        '3',
      ],
    });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    expect(dave.receivedDtmf()).toBe('159#');
  });

  it('DTMF we send as SIP INFO (application/dtmf-relay) is reported by baresip', async () => {
    const dave = await baresip('dave', { answerMode: 'auto' });
    // dave is shared with the RFC 4733 test above: look only at what comes after this point.
    const keysBefore = dave.receivedDtmf().length;
    const logBefore = dave.log().length;
    const run = softphone({
      dir,
      name: 'alice-dtmf-info',
      args: [
        'call',
        'sip:dave@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, duration: 3 }),
        '--dtmf-mode',
        'info',
        '--dtmf',
        '27*',
        '--dtmf-at',
        '0.5',
      ],
    });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    expect(dave.receivedDtmf().slice(keysBefore)).toBe('27*');
    // baresip logs this line only from its INFO handler: the keys came as INFO, not as RTP events.
    const viaInfo = [
      ...dave
        .log()
        .slice(logBefore)
        .matchAll(/call: received DTMF: '(.)'/g),
    ]
      .map((m) => m[1])
      .join('');
    expect(viaInfo).toBe('27*');
  });

  it('busy (baresip rejects with 486) and decline (603) end with the right reason and exit 1', async () => {
    const erin = await baresip('erin', { answerMode: 'manual' });
    const busy = softphone({
      dir,
      name: 'alice-busy',
      args: ['call', 'sip:erin@lab.test', ...account('alice')],
    });
    await erin.waitFor('CALL_INCOMING');
    await erin.hangup();
    expect((await busy.exit()).code).toBe(1);
    const last = busy.calls().at(-1)!;
    expect(last.sipCode).toBe(486);
    expect(last.reason?.kind).toBe('busy');
    expect(busy.lines().at(-1)).toMatchObject({ type: 'error', code: 'call-failed' });

    const declined = softphone({
      dir,
      name: 'alice-decline',
      args: ['call', 'sip:frank@lab.test', ...account('alice')],
    });
    expect((await declined.exit()).code).toBe(1);
    expect(declined.calls().at(-1)).toMatchObject({
      sipCode: 603,
      reason: { kind: 'declined', text: '603 Decline' },
    });
  });

  it('CANCEL before the answer (we stop while it rings): baresip sees the CANCEL', async () => {
    const erin = await baresip('erin', { answerMode: 'manual' });
    const mark = erin.mark();
    const run = softphone({
      dir,
      name: 'alice-cancel',
      args: ['call', 'sip:erin@lab.test', ...account('alice')],
    });
    await erin.waitFor('CALL_INCOMING', { after: mark });
    await run.waitFor((l) => l.type === 'call' && l.state === 'ringing');
    await run.process.stop(5000);
    await erin.waitFor('CALL_CLOSED', { after: mark });
    expect(erin.log()).toMatch(/^CANCEL sip:erin\S*@127\.0\.0\.1:\d+/m);
    expect(run.calls().at(-1)).toMatchObject({ state: 'ended', reason: { kind: 'cancelled' } });
  });

  it('we hold → resume: baresip\u2019s tone is there before, gone during, back after (and it heard us before)', async () => {
    const bob = await baresip('bob', { answerMode: 'auto', audio: { kind: 'tone', hz: 1000 }, record: true });
    const mark = bob.mark();
    const ours = dir.file('hold.wav');
    const run = softphone({
      dir,
      name: 'alice-hold',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, record: ours }),
        '--hold-at',
        '2',
        '--resume-at',
        '5',
        '--duration',
        '8',
      ],
    });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    expect(run.states().filter((s) => s !== 'ringing')).toEqual([
      'dialing',
      'active',
      'held',
      'active',
      'ended',
    ]);
    await bob.waitFor('CALL_CLOSED', { after: mark });
    expect(bob.log()).toMatch(/^a=sendonly\r?$/m);
    const weHeard = analyseWav(ours, { hz: 1000 }).seconds.map((s) => s.tonePresent);
    // Seconds 0–1 talking, 3–4 on hold (bob answered recvonly: nothing comes), 6–7 talking again. The
    // seconds in which the hold and the resume happen (2 and 5) may go either way on a loaded machine.
    expect([0, 1, 3, 4, 6, 7].map((i) => weHeard[i])).toEqual([true, true, false, false, true, true]);
    // baresip 1.0 restarts its player on the re-INVITE and its sndfile dump stops there: what it
    // heard from us is checkable up to the hold (that we send silence while holding is a unit test).
    const bobHeard = analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 }).seconds.map(
      (s) => s.tonePresent,
    );
    expect(bobHeard.slice(0, 2)).toEqual([true, true]);
  });

  it('baresip holds us → resumes: its tone is gone while we are held, back after; we show remote-held', async () => {
    const dave = await baresip('dave', { answerMode: 'auto', audio: { kind: 'tone', hz: 1000 } });
    const mark = dave.mark();
    const ours = dir.file('remote-hold.wav');
    const run = softphone({
      dir,
      name: 'alice-remote-hold',
      args: [
        'call',
        'sip:dave@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, record: ours, duration: 6 }),
      ],
    });
    await run.waitFor((l) => l.type === 'call' && l.state === 'active');
    await sleep(2000);
    expect((await dave.hold()).ok).toBe(true);
    await run.waitFor((l) => l.type === 'call' && l.state === 'remote-held', 5000);
    await sleep(2000);
    expect((await dave.resume()).ok).toBe(true);
    expect((await run.exit()).code, run.process.log()).toBe(0);
    await dave.waitFor('CALL_CLOSED', { after: mark });
    expect(run.states().filter((s) => s !== 'ringing')).toEqual([
      'dialing',
      'active',
      'remote-held',
      'active',
      'ended',
    ]);
    const weHeard = analyseWav(ours, { hz: 1000 }).seconds.map((s) => s.tonePresent);
    expect(weHeard.slice(0, 2)).toEqual([true, true]);
    expect(weHeard[3]).toBe(false);
    expect(weHeard[5]).toBe(true);
  });
});

describe('transfer', () => {
  it('blind transfer of a baresip to another baresip: REFER, NOTIFY 200, our call ends as transferred', async () => {
    const carol = await baresip('carol', {
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 700 },
      record: true,
    });
    const grace = await baresip('grace', {
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 1000 },
      record: true,
    });
    const carolMark = carol.mark();
    const graceMark = grace.mark();
    const run = softphone({
      dir,
      name: 'alice-transfer',
      args: [
        'call',
        'sip:carol@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440 }),
        '--transfer-to',
        'sip:grace@lab.test',
        '--transfer-at',
        '1.5',
      ],
    });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    const last = run.calls().at(-1)!;
    expect(last.reason?.kind).toBe('transferred');
    expect(last.transfer).toMatchObject({ state: 'succeeded', sipCode: 200 });
    expect(
      run
        .calls()
        .map((c) => c.transfer?.state)
        .filter((s, i, a) => s !== undefined && a[i - 1] !== s),
    ).toEqual(['pending', 'trying', 'succeeded']);
    const established = await grace.waitFor('CALL_ESTABLISHED', { after: graceMark });
    expect(established.peeruri).toBe('sip:carol@lab.test');
    expect(carol.log()).toMatch(/^REFER sip:carol\S* SIP\/2\.0/m);
    await sleep(2000);
    await grace.hangup();
    await carol.waitFor('CALL_CLOSED', { after: carolMark });
    expect(
      analyseWav(grace.recordings().received.at(-1) ?? '', { hz: 700 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.6);
  });
});

describe('call waiting', () => {
  it('a second call rings during a call; answering it holds the first', async () => {
    const erin = await baresip('erin', { answerMode: 'manual' });
    const heidi = await baresip('heidi', { answerMode: 'manual' });
    const run = softphone({
      dir,
      name: 'alice-waiting',
      args: [
        'answer',
        ...account('alice'),
        ...mediaArgs({ tone: 440 }),
        '--waiting',
        'answer',
        '--ring',
        '0.5',
        '--duration',
        '4',
      ],
    });
    await run.waitFor((l) => l.type === 'ready');
    const erinMark = erin.mark();
    await erin.dial('sip:alice@lab.test');
    await erin.waitFor('CALL_ESTABLISHED', { after: erinMark });
    await sleep(1000);
    const heidiMark = heidi.mark();
    await heidi.dial('sip:alice@lab.test');
    await heidi.waitFor('CALL_RINGING', { after: heidiMark });
    await heidi.waitFor('CALL_ESTABLISHED', { after: heidiMark });
    // erin got our hold (re-INVITE with sendonly) when we took heidi's call.
    await erin.waitFor('CALL_REMOTE_SDP', { after: erinMark, where: (e) => e.param === 'offer' });
    expect((await run.exit()).code, run.process.log()).toBe(0);
    const ids = [...new Set(run.calls().map((c) => c.id))];
    expect(ids).toHaveLength(2);
    expect(run.states(ids[0])).toContain('held');
    expect(run.states(ids[1]).filter((s) => s !== 'held')).toEqual(['ringing', 'active', 'ended']);
    expect(erin.log()).toMatch(/^a=sendonly\r?$/m);
  });
});

describe('baresip calls our CLI', () => {
  it('we answer: audio both ways; baresip hangs up', async () => {
    const carol = await baresip('carol', {
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 700 },
      record: true,
    });
    const ours = dir.file('alice-answers.wav');
    const run = softphone({
      dir,
      name: 'alice-answer',
      args: ['answer', ...account('alice'), ...mediaArgs({ tone: 440, record: ours })],
    });
    await run.waitFor((l) => l.type === 'ready');
    const mark = carol.mark();
    await carol.dial('sip:alice@lab.test');
    await carol.waitFor('CALL_ESTABLISHED', { after: mark });
    await sleep(3500);
    await carol.hangup();
    expect((await run.exit()).code, run.process.log()).toBe(0);
    expect(run.states()).toEqual(['ringing', 'active', 'ended']);
    expect(run.calls().at(-1)!.reason?.kind).toBe('remote-hangup');
    expect(analyseWav(ours, { hz: 700 }).tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    await carol.waitFor('CALL_CLOSED', { after: mark });
    expect(
      analyseWav(carol.recordings().received.at(-1) ?? '', { hz: 440 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.75);
  });

  it('the caller gives up before we answer (CANCEL): missed, exit 1', async () => {
    const carol = await baresip('carol', {
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 700 },
      record: true,
    });
    const run = softphone({
      dir,
      name: 'alice-missed',
      args: ['answer', ...account('alice'), '--ring', '10'],
    });
    await run.waitFor((l) => l.type === 'ready');
    await carol.dial('sip:alice@lab.test');
    await run.waitFor((l) => l.type === 'call' && l.state === 'ringing');
    await sleep(500);
    await carol.hangup();
    expect((await run.exit()).code).toBe(1);
    expect(run.calls().at(-1)!.reason?.kind).toBe('remote-cancelled');
  });
});

describe('TURN over TLS (turns:) verified with --ca, as SIP TLS is', () => {
  const relayUser = { user: 'relay', password: 'relay-pw' };
  let ca: TestCa;
  let coturn: CoturnServer;

  beforeAll(async () => {
    ca = await makeTestCa();
    const cert = await ca.issue({ commonName: 'turn.lab.test', ipAddresses: ['127.0.0.1'] });
    coturn = await startCoturn({ users: [relayUser], tls: { cert: cert.cert.path, key: cert.key.path } });
  });

  afterAll(async () => {
    await coturn?.dispose();
    ca?.remove();
  });

  function turnArgs(): string[] {
    return [
      '--turn',
      coturn.turnUri('tls'),
      '--turn-user',
      relayUser.user,
      '--turn-password',
      relayUser.password,
    ];
  }

  it('--relay-only with --ca: the TLS relay carries the call to baresip, audio both ways', async () => {
    const bob = await baresip('bob', { answerMode: 'auto', audio: { kind: 'tone', hz: 1000 }, record: true });
    const ours = dir.file('alice-turns.wav');
    const run = softphone({
      dir,
      name: 'alice-turns',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        ...turnArgs(),
        '--relay-only',
        '--ca',
        ca.cert.path,
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
      env: { SOFTPHONE_LOG: 'warn' },
    });
    const exit = await run.exit(40_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    const media = run.calls().at(-1)!.media;
    // The only relay we named is turns:, so the relayed address was allocated over the verified TLS connection.
    expect(media.path).toBe('relayed');
    const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(media.local ?? '')?.[1]);
    expect(port).toBeGreaterThanOrEqual(coturn.relayPorts[0]);
    expect(port).toBeLessThanOrEqual(coturn.relayPorts[1]);
    expect(run.lines().filter((l) => l.type === 'log' && /TURN/.test(String(l.message)))).toEqual([]);
    await bob.waitFor('CALL_CLOSED');
    expect(analyseWav(ours, { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    expect(
      analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.75);
  });

  it('without --ca the turns: certificate is refused — "certificate not trusted" — and the call goes direct', async () => {
    const bob = await baresip('bob', { answerMode: 'auto', audio: { kind: 'tone', hz: 1000 }, record: true });
    const ours = dir.file('alice-turns-untrusted.wav');
    const run = softphone({
      dir,
      name: 'alice-turns-untrusted',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        ...turnArgs(),
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
      env: { SOFTPHONE_LOG: 'warn' },
    });
    const exit = await run.exit(40_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    expect(run.calls().at(-1)!.media.path).toBe('direct');
    const warnings = run
      .lines()
      .filter((l) => l.type === 'log' && l.level === 'warn')
      .map((l) => String(l.message));
    expect(warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^TURN tls 127\\.0\\.0\\.1:${coturn.tlsPort ?? 0} \\(127\\.0\\.0\\.1\\): no relayed candidate \\(TLS certificate not trusted \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate`,
        ),
      ),
    );
    await bob.waitFor('CALL_CLOSED');
    expect(analyseWav(ours, { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.75);
  });
});
