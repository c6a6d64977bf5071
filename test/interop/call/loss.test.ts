/**
 * A call through 20 % random packet loss (both ways, media and signalling) on our host, in network
 * namespaces: Kamailio on the lab's public bridge, baresip on one public host, our CLI on another whose
 * interface drops a fifth of everything (iptables statistic). SIP retransmissions carry the call
 * through; the jitter buffer's concealment keeps the tone recognisable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  createNatLab,
  makeWorkDir,
  startBaresip,
  startKamailio,
  type BaresipUa,
  type KamailioServer,
  type NatLab,
  type WorkDir,
} from '../support/index.ts';
import { accountArgs, mediaArgs, softphone } from './softphone-cli.ts';

let lab: NatLab;
let kamailio: KamailioServer;
let dir: WorkDir;
let bob: BaresipUa | undefined;

beforeAll(async () => {
  dir = makeWorkDir('call-loss');
  lab = await createNatLab({ nats: [], publicHosts: ['us', 'far'], serverAddresses: 1 });
  kamailio = await startKamailio({
    users: [
      { user: 'alice', password: 'alice-pw' },
      { user: 'bob', password: 'bob-pw' },
    ],
    address: lab.serverAddresses[0] ?? '',
    netns: lab.publicNs,
  });
});

afterAll(async () => {
  await bob?.dispose();
  await kamailio?.dispose();
  await lab?.destroy();
  dir?.remove();
});

describe('20 % loss on our host', () => {
  it('the call completes and both tones are still recognisable', async () => {
    const us = lab.hosts.us!;
    const far = lab.hosts.far!;
    bob = await startBaresip({
      aor: 'sip:bob@lab.test',
      password: 'bob-pw',
      proxy: kamailio.uri('udp'),
      netns: far.ns,
      address: far.address,
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 1000 },
      record: true,
    });
    await bob.waitFor('REGISTER_OK');
    const loss = await lab.loss(us.ns, 'eth0', 0.2, 'both');
    const ours = dir.file('lossy.wav');
    const run = softphone({
      dir,
      name: 'alice-lossy',
      netns: us.ns,
      args: [
        'call',
        'sip:bob@lab.test',
        ...accountArgs('alice', 'alice-pw', kamailio.uri('udp')),
        ...mediaArgs({ tone: 440, record: ours, duration: 5 }),
      ],
    });
    const exit = await run.exit(60_000);
    await loss.remove();
    expect(exit.code, run.process.log()).toBe(0);
    const last = run.calls().at(-1)!;
    expect(last.reason?.kind).toBe('local-hangup');
    // Our own measurement of the loss on what we received (one direction of the 20 %).
    expect(last.stats.lossPct).toBeGreaterThan(8);
    expect(last.stats.lossPct).toBeLessThan(35);
    await bob.waitFor('CALL_CLOSED', { timeoutMs: 30_000 });
    const heard = analyseWav(ours, { hz: 1000 });
    expect(heard.seconds.length).toBeGreaterThanOrEqual(4);
    expect(heard.tonePresentRatio).toBeGreaterThanOrEqual(0.75);
    const bobHeard = analyseWav(bob.recordings().received.at(-1) ?? '', { hz: 440 });
    expect(bobHeard.tonePresentRatio).toBeGreaterThanOrEqual(0.6);
  });
});
