import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyseWav,
  createNatLab,
  startBaresip,
  startCoturn,
  startKamailio,
  type BaresipUa,
  type CoturnServer,
  type KamailioServer,
  type NatLab,
} from '../support/index.ts';

let lab: NatLab;
let kamailio: KamailioServer;
let turn: CoturnServer;
const uas: BaresipUa[] = [];

beforeAll(async () => {
  lab = await createNatLab({
    nats: [
      { name: 'cone', kind: 'port-restricted' },
      { name: 'sym', kind: 'symmetric' },
    ],
    publicHosts: ['open'],
  });
  turn = await startCoturn({
    users: [{ user: 'u', password: 'p' }],
    address: '203.0.113.1',
    altAddress: '203.0.113.2',
    netns: lab.publicNs,
  });
  kamailio = await startKamailio({
    users: [
      { user: 'alice', password: 'a-pw' },
      { user: 'bob', password: 'b-pw' },
      { user: 'carol', password: 'c-pw' },
      { user: 'dave', password: 'd-pw' },
    ],
    address: lab.serverAddresses[0] ?? '',
    netns: lab.publicNs,
    natPingInterval: 1,
  });
});

afterAll(async () => {
  await Promise.all(uas.map((ua) => ua.dispose()));
  await kamailio?.dispose();
  await turn?.dispose();
  await lab?.destroy();
});

describe('Kamailio in the public namespace, baresip behind NATs', () => {
  it('registers through both NATs: the bindings carry the routers\u2019 public source as "received"', async () => {
    const cone = lab.nat('cone');
    const sym = lab.nat('sym');
    const [alice, bob] = await Promise.all([
      startBaresip({
        aor: 'sip:alice@lab.test',
        password: 'a-pw',
        proxy: kamailio.uri('udp'),
        netns: cone.homeNs,
        address: cone.homeAddress,
      }),
      startBaresip({
        aor: 'sip:bob@lab.test',
        password: 'b-pw',
        proxy: kamailio.uri('udp'),
        netns: sym.homeNs,
        address: sym.homeAddress,
        answerMode: 'auto',
      }),
    ]);
    uas.push(alice, bob);
    await alice.waitFor('REGISTER_OK');
    await bob.waitFor('REGISTER_OK');
    expect(kamailio.uri('udp')).toBe('sip:203.0.113.1:5060;transport=udp');

    const [aliceBinding] = await kamailio.bindings('alice');
    expect(aliceBinding?.contact).toMatch(/^sip:alice\S*@10\.1\.0\.2:5060/);
    // MASQUERADE keeps the source port when it is free
    expect(aliceBinding?.received).toMatch(/^sip:203\.0\.113\.11:\d+$/);
    const [bobBinding] = await kamailio.bindings('bob');
    expect(bobBinding?.contact).toMatch(/^sip:bob\S*@10\.2\.0\.2:5060/);
    expect(bobBinding?.received).toMatch(/^sip:203\.0\.113\.12:\d+$/);
  });

  it('keeps the NAT bindings alive with SIP OPTIONS pings to NATed contacts', async () => {
    const [alice] = uas;
    const deadline = Date.now() + 5000;
    while (!/^OPTIONS sip:alice\S*@10\.1\.0\.2:5060/m.test(alice?.log() ?? '') && Date.now() < deadline)
      await sleep(100);
    expect(alice?.log()).toMatch(/^OPTIONS sip:alice\S*@10\.1\.0\.2:5060/m);
  });

  it('routes a call from the cone home to the symmetric home through the NAT bindings', async () => {
    const [alice, bob] = uas;
    if (!alice || !bob) throw new Error('registration test did not run');
    await alice.dial('sip:bob@lab.test');
    const established = await bob.waitFor('CALL_ESTABLISHED');
    expect(established.peeruri).toBe('sip:alice@lab.test');
    await alice.waitFor('CALL_ESTABLISHED');
    await alice.hangup();
    await bob.waitFor('CALL_CLOSED');
  });

  it('baresip ICE (STUN from coturn) carries audio from the cone home to a public host', async () => {
    const cone = lab.nat('cone');
    const open = lab.hosts.open;
    if (!open) throw new Error('no public host');
    const ice = { kind: 'ice' as const, server: turn.stunUri() };
    const carol = await startBaresip({
      aor: 'sip:carol@lab.test',
      password: 'c-pw',
      proxy: kamailio.uri('udp'),
      netns: cone.homeNs,
      address: cone.homeAddress,
      mediaNat: ice,
      audio: { kind: 'tone', hz: 1000 },
    });
    const dave = await startBaresip({
      aor: 'sip:dave@lab.test',
      password: 'd-pw',
      proxy: kamailio.uri('udp'),
      netns: open.ns,
      address: open.address,
      mediaNat: ice,
      answerMode: 'auto',
      audio: { kind: 'tone', hz: 400 },
      record: true,
    });
    uas.push(carol, dave);
    expect(carol.sipPort).toBe(5062); // second UA in the cone home
    await carol.waitFor('REGISTER_OK');
    await dave.waitFor('REGISTER_OK');
    await carol.dial('sip:dave@lab.test');

    await dave.waitFor('CALL_ESTABLISHED');
    await sleep(3500);
    await carol.hangup();
    await dave.waitFor('CALL_CLOSED');
    // the offer carried a server-reflexive candidate on the cone router's public address
    expect(dave.log()).toMatch(/^a=candidate:\S+ 1 UDP \d+ 203\.0\.113\.11 \d+ typ srflx raddr 10\.1\.0\.2/m);
    expect(dave.log()).toMatch(/ice: audio: connectivity check is complete/);
    const [received] = dave.recordings().received;
    expect(analyseWav(received ?? '', { hz: 1000 }).tonePresentRatio).toBeGreaterThanOrEqual(0.8);
  });
});
