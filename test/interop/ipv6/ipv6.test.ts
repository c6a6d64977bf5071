/**
 * IPv6 end to end on [::1], with real peers: Kamailio listening on 127.0.0.1 and [::1] (same ports),
 * baresip bound to ::1 (registered over IPv6, media on IPv6), and our CLI.
 *
 *  - `softphone register` over UDP and over TCP to [::1]: the binding Kamailio holds names our IPv6
 *    Contact and the IPv6 socket it came in on; --duration unregisters it;
 *  - `softphone call` → baresip over IPv6: c=IN IP6 both ways, media between [::1] ports, a tone each way
 *    (both recordings analysed);
 *  - our CLI → our CLI over IPv6 with ICE: IPv6 host candidates (::1 allowed on loopback), an IPv6 pair,
 *    audio both ways.
 */
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
import { mediaArgs, softphone } from '../call/softphone-cli.ts';

const USERS = ['alice', 'bob', 'carol', 'dave'].map((user) => ({ user, password: `${user}-pw` }));

let kamailio: KamailioServer;
let dir: WorkDir;
const uas: BaresipUa[] = [];
const started = Date.now();

beforeAll(async () => {
  dir = makeWorkDir('ipv6');
  kamailio = await startKamailio({ users: USERS, ipv6Address: '::1' });
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.dispose()));
  await kamailio?.dispose();
  dir?.remove();
  console.log(`IPv6 suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function account(user: string, transport: 'udp' | 'tcp' = 'udp'): string[] {
  return [
    '--aor',
    `sip:${user}@lab.test`,
    '--password',
    `${user}-pw`,
    '--proxy',
    kamailio.uriIpv6(transport),
  ];
}

describe('registration over IPv6 ([::1])', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`${transport.toUpperCase()}: Kamailio holds our IPv6 Contact on its IPv6 socket; unregistered at the end`, async () => {
      const run = softphone({
        dir,
        name: `register-${transport}`,
        args: ['register', ...account('alice', transport), '--duration', '3'],
      });
      const registered = await run.waitFor((l) => l.type === 'registration' && l.state === 'registered');
      const contact = String(registered.contact);
      expect(contact).toMatch(
        transport === 'udp' ? /^sip:alice@\[::1\]:\d+$/ : /^sip:alice@\[::1\]:\d+;transport=tcp$/,
      );
      expect(registered).toMatchObject({ transport, registrar: kamailio.uriIpv6(transport) });
      const [binding] = await kamailio.bindings('alice');
      expect(binding?.contact).toBe(contact);
      expect(binding?.socket).toBe(`${transport}:[::1]:${kamailio.udpPort}`);
      expect(binding?.userAgent).toMatch(/^Softphone\//);
      // Via and Contact matched the source: Kamailio saw no NAT to repair.
      expect(binding?.received).toBeUndefined();
      const exit = await run.exit();
      expect(exit.code, run.process.log()).toBe(0);
      expect(await kamailio.bindings('alice')).toEqual([]);
    });
  }
});

describe('calls over IPv6', () => {
  it('our CLI → baresip registered over IPv6: c=IN IP6 both ways, a tone each way', async () => {
    const bob = await startBaresip({
      aor: 'sip:bob@lab.test',
      password: 'bob-pw',
      proxy: kamailio.uriIpv6('udp'),
      address: '::1',
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 1000 },
      record: true,
    });
    uas.push(bob);
    await bob.waitFor('REGISTER_OK');
    const [binding] = await kamailio.bindings('bob');
    expect(binding?.contact).toMatch(/@\[::1\]:\d+/);
    const ours = dir.file('alice-hears-bob.wav');
    const run = softphone({
      dir,
      name: 'alice-calls-bob',
      args: [
        'call',
        'sip:bob@lab.test',
        ...account('alice'),
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const exit = await run.exit();
    expect(exit.code, run.process.log()).toBe(0);
    const last = run.calls().at(-1);
    expect(last?.reason?.kind).toBe('local-hangup');
    expect(last?.media).toMatchObject({ path: 'direct' });
    expect(last?.media.local).toMatch(/^\[::1\]:\d+$/);
    expect(last?.media.remote).toMatch(/^\[::1\]:\d+$/);
    expect(last?.stats.packetsReceived).toBeGreaterThan(150);
    await bob.waitFor('CALL_CLOSED');
    // Both descriptions name IPv6 addresses (baresip's log has the SIP trace: our INVITE and its answer).
    const sdpConnections = bob
      .log()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('c=IN '));
    expect(sdpConnections.length).toBeGreaterThanOrEqual(2);
    expect(sdpConnections.every((l) => l === 'c=IN IP6 ::1')).toBe(true);
    const heardByUs = analyseWav(ours, { hz: 1000 });
    expect(heardByUs.seconds.length).toBeGreaterThanOrEqual(3);
    expect(heardByUs.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    const heardByBob = analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 });
    expect(heardByBob.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
  });

  it('our CLI → our CLI over IPv6 with ICE: an IPv6 pair, audio both ways', async () => {
    const theirs = dir.file('dave-hears-carol.wav');
    const ours = dir.file('carol-hears-dave.wav');
    const answer = softphone({
      dir,
      name: 'dave-answers',
      args: [
        'answer',
        ...account('dave'),
        '--ice',
        ...mediaArgs({ tone: 700, record: theirs }),
        '--wait',
        '30',
      ],
    });
    await answer.waitFor((l) => l.type === 'ready', 20_000);
    const run = softphone({
      dir,
      name: 'carol-calls-dave',
      args: [
        'call',
        'sip:dave@lab.test',
        ...account('carol'),
        '--ice',
        ...mediaArgs({ tone: 440, record: ours, duration: 4 }),
      ],
    });
    const [exit, answered] = await Promise.all([run.exit(40_000), answer.exit(40_000)]);
    expect(exit.code, run.process.log().slice(-6000)).toBe(0);
    expect(answered.code, answer.process.log().slice(-6000)).toBe(0);
    const caller = run.calls().at(-1)?.media as unknown as {
      ice: { selected: { local: { type: string; address: string }; remote: { address: string } } | null };
    };
    console.log(`ICE over IPv6: ${JSON.stringify(caller)}`);
    expect(caller).toMatchObject({ transport: 'ice', path: 'direct', ice: { role: 'controlling' } });
    expect(caller.ice.selected?.local.type).toBe('host');
    expect(caller.ice.selected?.local.address).toMatch(/^\[[0-9a-f:]+\]:\d+$/);
    expect(caller.ice.selected?.remote.address).toMatch(/^\[[0-9a-f:]+\]:\d+$/);
    expect(analyseWav(ours, { hz: 700 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
    expect(analyseWav(theirs, { hz: 440 }).tonePresentRatio).toBeGreaterThanOrEqual(0.7);
  });
});
