/**
 * Calls through NATs in the namespace lab: Kamailio and coturn (with credentials) in the public
 * namespace, baresip and our CLI in homes behind port-restricted cone and symmetric NATs (or on a public
 * host). Each case checks the media path our JSON lines report and the tones in both recordings.
 *
 *   (a) ours behind the symmetric NAT → baresip (ICE) behind a cone: only OUR relay can carry it
 *       (baresip 1.0 cannot use its own TURN relay, PEERS.md) — relayed pair, audio both ways;
 *   (b) cone ↔ cone, ours → baresip (ICE): server-reflexive pair, direct, audio both ways;
 *   (c) ours (public host) → baresip without ICE behind a cone: plain RTP, our side latches onto the
 *       cone's mapping, audio both ways;
 *   (d) ours (symmetric, relay-only) → ours (cone): our answering side too, through Kamailio both ways;
 *   (e) ours (symmetric, relay-only) → baresip WITHOUT ICE on a public host: plain RTP both ways through
 *       OUR relay (permission and channel for baresip's SDP address), reported relayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  createNatLab,
  makeWorkDir,
  startBaresip,
  startCoturn,
  startKamailio,
  type BaresipOptions,
  type BaresipUa,
  type CoturnServer,
  type KamailioServer,
  type NatLab,
  type WorkDir,
} from '../support/index.ts';
import { mediaArgs, softphone, type CallLine } from '../call/softphone-cli.ts';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((user) => ({
  user,
  password: `${user}-pw`,
}));
const TURN = { user: 'relay', password: 'relay-pw' };
/** Calls with baresip's ICE last this long: its checks take ~5 s (PEERS.md), the last seconds must carry audio. */
const CALL_S = 9;

let lab: NatLab;
let kamailio: KamailioServer;
let turn: CoturnServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];
const started = Date.now();

interface IceLine {
  state: string;
  role: string;
  policy: string;
  selected: {
    local: { type: string; address: string };
    remote: { type: string; address: string };
    transport: string;
    rttMs: number | null;
  } | null;
  connectMs: number | null;
  restarts: number;
}
type NatCallLine = CallLine & {
  media: CallLine['media'] & { transport?: string | null; ice?: IceLine | null };
  stats: CallLine['stats'] & { mos?: number | null };
};

beforeAll(async () => {
  dir = makeWorkDir('natcall');
  lab = await createNatLab({
    nats: [
      { name: 'cone', kind: 'port-restricted' },
      { name: 'cone2', kind: 'port-restricted' },
      { name: 'sym', kind: 'symmetric' },
    ],
    publicHosts: ['open'],
  });
  [turn, kamailio] = await Promise.all([
    startCoturn({
      users: [TURN],
      address: lab.serverAddresses[0] ?? '',
      altAddress: lab.serverAddresses[1] ?? '',
      netns: lab.publicNs,
      // As production configurations do (coturn's own advice): no relaying to private addresses. Without
      // it, a check to a peer's private host candidate fails with ENETUNREACH in the public namespace
      // (no route) and coturn tears the whole allocation down.
      extraArgs: ['--denied-peer-ip=10.0.0.0-10.255.255.255'],
    }),
    startKamailio({ users: USERS, address: lab.serverAddresses[0] ?? '', netns: lab.publicNs }),
  ]);
});

afterAll(async () => {
  await Promise.all(uas.map((ua) => ua.dispose()));
  await kamailio?.dispose();
  await turn?.dispose();
  await lab?.destroy();
  dir?.remove();
  console.log(`NAT call suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

async function baresip(
  user: string,
  where: { ns: string; address: string },
  options: Partial<BaresipOptions> = {},
): Promise<BaresipUa> {
  const ua = await startBaresip({
    aor: `sip:${user}@lab.test`,
    password: `${user}-pw`,
    proxy: kamailio.uri('udp'),
    netns: where.ns,
    address: where.address,
    answerMode: 'auto',
    record: true,
    ...options,
  });
  uas.push(ua);
  await ua.waitFor('REGISTER_OK');
  return ua;
}

function ourAccount(user: string): string[] {
  return ['--aor', `sip:${user}@lab.test`, '--password', `${user}-pw`, '--proxy', kamailio.uri('udp')];
}

/** Our call's last line: the ended call, with the media path and ICE pair it had (the call log's view). */
function finalLine(lines: NatCallLine[]): NatCallLine {
  const last = lines.at(-1);
  if (last === undefined || last.state !== 'ended')
    throw new Error(`no ended call line: ${JSON.stringify(last)}`);
  return last;
}

/** The tone in the last `count` whole seconds of a recording (ICE with baresip completes after its checks: ~5 s). */
function toneAtEnd(file: string, hz: number, count = 3): boolean[] {
  const seconds = analyseWav(file, { hz }).seconds;
  return seconds.slice(Math.max(0, seconds.length - count - 1), seconds.length - 1).map((s) => s.tonePresent);
}

describe('our CLI and baresip through NATs', () => {
  it('(a) ours behind the symmetric NAT → baresip (ICE) behind a cone: our TURN relay carries the audio', async () => {
    const cone = lab.nat('cone');
    const sym = lab.nat('sym');
    const bob = await baresip(
      'bob',
      { ns: cone.homeNs, address: cone.homeAddress },
      { mediaNat: { kind: 'ice', server: turn.stunUri() }, audio: { kind: 'tone', hz: 1000 } },
    );
    const ours = dir.file('a-alice.wav');
    const run = softphone({
      dir,
      name: 'a-alice',
      netns: sym.homeNs,
      args: [
        'call',
        'sip:bob@lab.test',
        ...ourAccount('alice'),
        '--stun',
        `${turn.address}:${turn.port}`,
        '--turn',
        `turn:${turn.address}:${turn.port}`,
        '--turn-user',
        TURN.user,
        '--turn-password',
        TURN.password,
        '--relay-only',
        ...mediaArgs({ tone: 440, record: ours, duration: CALL_S }),
      ],
    });
    const exit = await run.exit(60_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    const media = finalLine(run.calls() as NatCallLine[]).media;
    console.log(`(a) ${JSON.stringify(media)}`);
    expect(media.transport).toBe('ice');
    expect(media.path).toBe('relayed');
    expect(media.ice).toMatchObject({
      policy: 'relay-only',
      role: 'controlling',
      selected: { local: { type: 'relay' }, transport: 'udp' },
    });
    // Our relayed candidate on coturn, paired with what baresip's NAT shows: its srflx (or a prflx learnt from its checks).
    expect(media.ice?.selected?.local.address).toMatch(new RegExp(`^${escape(turn.relayAddress)}:\\d+$`));
    expect(['srflx', 'prflx']).toContain(media.ice?.selected?.remote.type);
    expect(media.ice?.selected?.remote.address).toMatch(new RegExp(`^${escape(cone.publicAddress)}:\\d+$`));
    await bob.waitFor('CALL_CLOSED');
    expect(toneAtEnd(ours, 1000)).toEqual([true, true, true]);
    expect(toneAtEnd(bob.recordings().received.at(-1) ?? '', 440)).toEqual([true, true, true]);
  });

  it('(b) cone ↔ cone, ours → baresip (ICE): a server-reflexive pair, direct, audio both ways', async () => {
    const cone = lab.nat('cone');
    const cone2 = lab.nat('cone2');
    const carol = await baresip(
      'carol',
      { ns: cone.homeNs, address: cone.homeAddress },
      { mediaNat: { kind: 'ice', server: turn.stunUri() }, audio: { kind: 'tone', hz: 700 } },
    );
    const ours = dir.file('b-dave.wav');
    const run = softphone({
      dir,
      name: 'b-dave',
      netns: cone2.homeNs,
      args: [
        'call',
        'sip:carol@lab.test',
        ...ourAccount('dave'),
        '--stun',
        `${turn.address}:${turn.port}`,
        ...mediaArgs({ tone: 440, record: ours, duration: CALL_S }),
      ],
    });
    const exit = await run.exit(60_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    const media = finalLine(run.calls() as NatCallLine[]).media;
    console.log(`(b) ${JSON.stringify(media)}`);
    expect(media).toMatchObject({
      transport: 'ice',
      path: 'direct',
      ice: {
        policy: 'all',
        selected: { local: { type: 'srflx' }, remote: { type: 'srflx' }, transport: 'udp' },
      },
    });
    expect(media.ice?.selected?.local.address).toMatch(new RegExp(`^${escape(cone2.publicAddress)}:\\d+$`));
    expect(media.ice?.selected?.remote.address).toMatch(new RegExp(`^${escape(cone.publicAddress)}:\\d+$`));
    await carol.waitFor('CALL_CLOSED');
    expect(toneAtEnd(ours, 700)).toEqual([true, true, true]);
    expect(toneAtEnd(carol.recordings().received.at(-1) ?? '', 440)).toEqual([true, true, true]);
  });

  it('(c) ours on a public host → baresip without ICE behind a cone: plain RTP, latched onto the NAT mapping', async () => {
    const cone = lab.nat('cone');
    const open = lab.hosts.open;
    if (open === undefined) throw new Error('no public host');
    const erin = await baresip(
      'erin',
      { ns: cone.homeNs, address: cone.homeAddress },
      { audio: { kind: 'tone', hz: 1000 } },
    );
    const ours = dir.file('c-alice.wav');
    const run = softphone({
      dir,
      name: 'c-alice',
      netns: open.ns,
      args: [
        'call',
        'sip:erin@lab.test',
        ...ourAccount('alice'),
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const exit = await run.exit(40_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    const lines = run.calls() as NatCallLine[];
    // We offered ICE (auto); baresip answered without it: plain RTP from the socket of our default candidate.
    const media = finalLine(lines).media;
    console.log(`(c) ${JSON.stringify(media)}`);
    expect(media).toMatchObject({
      transport: 'plain',
      path: 'direct',
      ice: null,
      local: expect.stringMatching(new RegExp(`^${escape(open.address)}:`)),
    });
    // baresip announced its private address; our RTP goes where its RTP comes from: the cone's mapping.
    expect(lines.find((l) => l.state === 'active')?.media.remote).toMatch(
      new RegExp(`^${escape(cone.homeAddress)}:\\d+$`),
    );
    expect(media.remote).toMatch(new RegExp(`^${escape(cone.publicAddress)}:\\d+$`));
    await erin.waitFor('CALL_CLOSED');
    expect(analyseWav(ours, { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
    expect(
      analyseWav(erin.recordings().received.at(-1) ?? '', { hz: 440 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.7);
  });

  it('(d) ours behind the symmetric NAT (relay-only) → ours behind a cone: our relay, our answering side, audio both ways', async () => {
    const cone2 = lab.nat('cone2');
    const sym = lab.nat('sym');
    const theirs = dir.file('d-dave.wav');
    const ours = dir.file('d-alice.wav');
    const answer = softphone({
      dir,
      name: 'd-dave',
      netns: cone2.homeNs,
      args: [
        'answer',
        ...ourAccount('dave'),
        '--stun',
        `${turn.address}:${turn.port}`,
        ...mediaArgs({ tone: 700, record: theirs }),
        '--wait',
        '30',
      ],
    });
    await answer.waitFor((l) => l.type === 'ready', 20_000);
    const run = softphone({
      dir,
      name: 'd-alice',
      netns: sym.homeNs,
      args: [
        'call',
        'sip:dave@lab.test',
        ...ourAccount('alice'),
        '--turn',
        `turn:${turn.address}:${turn.port}`,
        '--turn-user',
        TURN.user,
        '--turn-password',
        TURN.password,
        '--relay-only',
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const [exit, answered] = await Promise.all([run.exit(40_000), answer.exit(40_000)]);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    // Our caller's BYE reached the callee through Kamailio (it record-routes; the 2xx copied its Record-Route).
    expect(answered.code, answer.process.log().slice(-6000)).toBe(0);
    const caller = finalLine(run.calls() as NatCallLine[]).media;
    const callee = finalLine(answer.calls() as NatCallLine[]).media;
    console.log(`(d) ${JSON.stringify(caller)} ${JSON.stringify(callee)}`);
    expect(caller).toMatchObject({
      transport: 'ice',
      path: 'relayed',
      ice: {
        role: 'controlling',
        policy: 'relay-only',
        selected: { local: { type: 'relay' }, remote: { type: 'srflx' } },
      },
    });
    expect(callee).toMatchObject({
      transport: 'ice',
      path: 'relayed',
      ice: {
        role: 'controlled',
        policy: 'all',
        selected: { local: { type: 'srflx' }, remote: { type: 'relay' } },
      },
    });
    // Both sides connected in well under a second (baresip needs ~4.7 s between cones).
    expect(caller.ice?.connectMs).toBeLessThan(1000);
    expect(callee.ice?.connectMs).toBeLessThan(1000);
    expect(analyseWav(ours, { hz: 700 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
    expect(analyseWav(theirs, { hz: 440 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
  });
});

describe('relay-only behind the symmetric NAT, a peer without ICE', () => {
  it('(e) ours (relay-only) → baresip without ICE on a public host: plain RTP through our relay, both ways', async () => {
    const sym = lab.nat('sym');
    const open = lab.hosts.open;
    if (open === undefined) throw new Error('no public host');
    const frank = await baresip(
      'frank',
      { ns: open.ns, address: open.address },
      { audio: { kind: 'tone', hz: 1000 } },
    );
    const ours = dir.file('e-alice.wav');
    const run = softphone({
      dir,
      name: 'e-alice',
      netns: sym.homeNs,
      args: [
        'call',
        'sip:frank@lab.test',
        ...ourAccount('alice'),
        '--turn',
        `turn:${turn.address}:${turn.port}`,
        '--turn-user',
        TURN.user,
        '--turn-password',
        TURN.password,
        '--relay-only',
        ...mediaArgs({ tone: 440, record: ours, duration: 5 }),
      ],
    });
    const exit = await run.exit(40_000);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    const media = finalLine(run.calls() as NatCallLine[]).media;
    console.log(`(e) ${JSON.stringify(media)}`);
    // We offered ICE with our relayed candidates only; baresip answered without ICE: plain RTP, relayed.
    expect(media).toMatchObject({ transport: 'plain', path: 'relayed', ice: null });
    expect(media.local).toMatch(new RegExp(`^${escape(turn.relayAddress)}:\\d+$`));
    expect(media.remote).toMatch(new RegExp(`^${escape(open.address)}:\\d+$`));
    // baresip's SDP named its own (public) address; it sent to our relayed address and heard us from it.
    const relayed = media.local ?? '';
    expect(frank.log()).toContain(`c=IN IP4 ${relayed.split(':')[0] ?? ''}`);
    await frank.waitFor('CALL_CLOSED');
    expect(analyseWav(ours, { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
    expect(
      analyseWav(frank.recordings().received.at(-1) ?? '', { hz: 440 }).tonePresentRatio,
    ).toBeGreaterThanOrEqual(0.7);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
