/**
 * Our IceAgent against werift's ICE `Connection` on loopback, both roles; security against a peer with
 * the wrong password and against a third address; and TURN relays through coturn over UDP, TCP and TLS
 * with media relayed to werift.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandidatePairState } from 'werift';
import type { Connection } from 'werift';
import { decodeStunMessage } from '../../../src-main/media/stun/index.ts';
import type { TurnServerConfig } from '../../../src-main/media/transport/index.ts';
import { makeTestCa, startCoturn } from '../support/index.ts';
import { checkRequest } from '../../unit/media/transport/ice/support/scripted-peer.ts';
import type { CoturnServer, TestCa } from '../support/index.ts';
import {
  connectWithWerift,
  describeOursToWerift,
  ourAgent,
  rtp,
  waitFor,
  weriftAgent,
  weriftDescription,
} from './werift-peer.ts';
import type { OurAgent } from './werift-peer.ts';

async function exchangeMedia(
  ours: OurAgent,
  werift: Connection,
): Promise<{ atWerift: number[]; atOurs: number[] }> {
  const atWerift: number[] = [];
  const atOurs: number[] = [];
  const subscription = werift.onData.subscribe((data: Buffer) => {
    if (data[0] === 0x80) atWerift.push(data.readUInt16BE(2));
  });
  const path = ours.path();
  path.onPacket((p) => atOurs.push(p.data.readUInt16BE(2)));
  for (let seq = 1; seq <= 5; seq++) {
    path.send('rtp', rtp(seq));
    await werift.send(rtp(100 + seq));
  }
  await waitFor(() => atWerift.length === 5 && atOurs.length === 5, 5000, 'media both ways');
  subscription.unSubscribe();
  return { atWerift, atOurs };
}

async function closeBoth(ours: OurAgent, werift: Connection): Promise<void> {
  await werift.close();
  await ours.close();
  expect(ours.agent.pendingTimers).toBe(0);
  expect(ours.socket.listenerCount).toBe(0);
}

describe('ICE with werift on loopback (host pairs)', () => {
  for (const ourRole of ['controlling', 'controlled'] as const) {
    it(`connects with us ${ourRole} and carries media both ways on the selected pair`, async () => {
      const ours = await ourAgent({ role: ourRole, includeLoopback: true });
      const werift = weriftAgent(ourRole !== 'controlling');
      const timing = await connectWithWerift(ours, werift);
      expect(ours.agent.state).toBe('connected');
      expect(werift.state).toBe('connected');
      const selected = ours.agent.selectedPair(1);
      expect(selected?.local).toMatchObject({
        type: 'host',
        address: { address: '127.0.0.1', port: ours.socket.local.port },
      });
      expect(selected?.remote).toMatchObject({ type: 'host', address: { address: '127.0.0.1' } });
      const nominated = werift.nominated;
      expect(nominated?.remoteAddr).toEqual(['127.0.0.1', ours.socket.local.port]);
      expect(selected?.remote.address.port).toBe(nominated?.localCandidate.port);
      const media = await exchangeMedia(ours, werift);
      expect(media.atWerift).toEqual([1, 2, 3, 4, 5]);
      expect(media.atOurs).toEqual([101, 102, 103, 104, 105]);
      expect(ours.path().stats.dropped.foreignSource).toBe(0);
      expect(ours.agent.snapshot()).toMatchObject({ path: 'direct', role: ourRole });
      expect(timing.oursMs).toBeGreaterThan(0);
      await closeBoth(ours, werift);
    });
  }

  it('refuses a peer that checks with the wrong password: never a success, and werift gets no valid pair', async () => {
    const ours = await ourAgent({ role: 'controlled', includeLoopback: true, checkingTimeoutMs: 4000 });
    const werift = weriftAgent(true);
    await Promise.all([ours.agent.gather(), werift.gatherCandidates()]);
    // werift believes our password is something else.
    await describeOursToWerift(werift, ours.agent, 'definitely-not-our-password');
    ours.agent.setRemote(weriftDescription(werift));
    const checksFromWerift: string[] = [];
    const tap = ours.socket.onStun((data) => {
      const decoded = decodeStunMessage(data);
      if (decoded.ok && decoded.message.messageClass === 'request') checksFromWerift.push('request');
    });
    void werift.connect().catch(() => undefined);
    await waitFor(() => ours.agent.state === 'failed', 10_000, 'our agent to give up');
    tap.dispose();
    expect(checksFromWerift.length).toBeGreaterThan(0);
    const checks = ours.agent.snapshot().checks;
    expect(checks.answered).toBe(0);
    expect(checks.refused).toBeGreaterThanOrEqual(1);
    expect(werift.nominated).toBeUndefined();
    expect(werift.checkList.some((pair) => pair.state === CandidatePairState.SUCCEEDED)).toBe(false);
    await closeBoth(ours, werift);
  });

  it('drops media and checks injected from a third address', async () => {
    const ours = await ourAgent({ role: 'controlling', includeLoopback: true });
    const werift = weriftAgent(false);
    await connectWithWerift(ours, werift);
    const path = ours.path();
    const received: number[] = [];
    path.onPacket((p) => received.push(p.data.readUInt16BE(2)));
    const intruder: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => intruder.bind(0, '127.0.0.1', resolve));
    const replies: Buffer[] = [];
    intruder.on('message', (data) => replies.push(data));
    const target = ours.socket.local.port;
    for (let i = 0; i < 5; i++) intruder.send(rtp(900 + i), target, '127.0.0.1');
    // A connectivity check with a made-up password.
    intruder.send(
      checkRequest({
        username: `${ours.agent.credentials.ufrag}:${werift.localUsername}`,
        password: 'guessed-guessed-guessed',
        priority: 1,
        controlled: 1n,
      }),
      target,
      '127.0.0.1',
    );
    await werift.send(rtp(1));
    await waitFor(
      () => received.length === 1 && path.stats.dropped.foreignSource === 5 && replies.length === 1,
      5000,
      'the injected packets',
    );
    expect(received).toEqual([1]);
    const answer = decodeStunMessage(replies[0] ?? Buffer.alloc(0));
    expect(answer.ok && answer.message.messageClass).toBe('error');
    expect(answer.ok && answer.message.attributes.errorCode?.code).toBe(401);
    intruder.close();
    await closeBoth(ours, werift);
  });
});

describe('ICE through coturn (relayed candidates over UDP, TCP and TLS)', () => {
  let ca: TestCa;
  let coturn: CoturnServer;

  beforeAll(async () => {
    ca = await makeTestCa();
    const cert = await ca.issue({
      commonName: 'turn.lab.test',
      dnsNames: ['turn.lab.test'],
      ipAddresses: ['127.0.0.1'],
    });
    coturn = await startCoturn({
      users: [{ user: 'alice', password: 'turn-secret' }],
      realm: 'lab.test',
      tls: { cert: cert.cert.path, key: cert.key.path },
    });
  });

  afterAll(async () => {
    await coturn?.dispose();
    ca?.remove();
  });

  function server(transport: 'udp' | 'tcp' | 'tls'): TurnServerConfig {
    return {
      address: {
        address: '127.0.0.1',
        port: transport === 'tls' ? (coturn.tlsPort ?? 0) : coturn.port,
        family: 4,
      },
      transport,
      username: 'alice',
      password: 'turn-secret',
      ...(transport === 'tls'
        ? { tls: { servername: 'turn.lab.test', ca: ca.cert.pem, replaceCa: true } }
        : {}),
    };
  }

  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    it(`gathers a relayed candidate over ${transport} and relays media to werift`, async () => {
      const ours = await ourAgent({
        role: 'controlling',
        policy: 'relay-only',
        turnServers: [server(transport)],
      });
      const werift = weriftAgent(false);
      await connectWithWerift(ours, werift);
      const candidates = ours.agent.localCandidates;
      expect(candidates.map((c) => c.type)).toEqual(['relay']);
      const relayPort = candidates[0]?.address.port ?? 0;
      expect(relayPort).toBeGreaterThanOrEqual(coturn.relayPorts[0]);
      expect(relayPort).toBeLessThanOrEqual(coturn.relayPorts[1]);
      expect(ours.agent.selectedPair(1)?.local).toMatchObject({ type: 'relay', relayTransport: transport });
      expect(ours.agent.snapshot().path).toBe('relayed');
      // werift sees our media arrive from the relayed address.
      expect(werift.nominated?.remoteAddr).toEqual(['127.0.0.1', relayPort]);
      const media = await exchangeMedia(ours, werift);
      expect(media.atWerift).toEqual([1, 2, 3, 4, 5]);
      expect(media.atOurs).toEqual([101, 102, 103, 104, 105]);
      expect(ours.path().route).toMatchObject({
        relayed: true,
        localType: 'relay',
        relayTransport: transport,
      });
      const logBefore = coturn.log().length;
      await closeBoth(ours, werift);
      // The allocation was given back (RFC 5766 §7.1), not left to expire.
      expect(coturn.log().slice(logBefore)).toMatch(
        /refreshed, realm=<lab\.test>, username=<alice>, lifetime=0/,
      );
    });
  }
});
