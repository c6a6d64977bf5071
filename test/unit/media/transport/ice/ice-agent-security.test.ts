import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../../../../src-main/platform/index.ts';
import type { DatagramSocket, SocketAddress } from '../../../../../src-main/platform/index.ts';
import { IceMediaPath } from '../../../../../src-main/media/transport/index.ts';
import {
  StunMethod,
  encodeStunMessage,
  shortTermKey,
  transactionKey,
} from '../../../../../src-main/media/stun/index.ts';
import {
  ATTACKER_ADDRESS,
  TURN_ADDRESS,
  addr,
  createIceLab,
  exchange,
  rtpPacket,
  stunOf,
} from './support/ice-lab.ts';
import type { IceLab, Phone } from './support/ice-lab.ts';
import { checkRequest } from './support/scripted-peer.ts';

const A = addr('203.0.113.10', 40_000);

async function attackerSocket(
  lab: IceLab,
  port = 7000,
): Promise<{ socket: DatagramSocket; replies: { data: Buffer; from: SocketAddress }[] }> {
  const socket = await lab.attacker.bindDatagram({ family: 4, port });
  const replies: { data: Buffer; from: SocketAddress }[] = [];
  socket.onMessage((data, from) => replies.push({ data, from }));
  return { socket, replies };
}

function collect(phone: Phone): string[] {
  const path = new IceMediaPath(phone.agent);
  phone.path = path;
  const out: string[] = [];
  path.onPacket((p) => out.push(`${p.kind} ${p.data.readUInt16BE(2)} from ${formatAddress(p.from)}`));
  return out;
}

describe('connectivity checks are authenticated both ways', () => {
  it('answers a check only with USERNAME "ours:theirs", MESSAGE-INTEGRITY of our password and FINGERPRINT', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    // a checks towards a host that never answers: it stays in checking, ready for triggered checks.
    await lab.settle(a.agent.gather());
    const peer = { ufrag: 'peerUfrag', pwd: 'peerPasswordPeerPassword' };
    a.agent.setRemote({
      ...peer,
      lite: false,
      candidates: [
        {
          foundation: 'x',
          component: 1,
          transport: 'udp',
          priority: 2_000_000_000,
          address: addr('203.0.113.30', 6000),
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    const { socket, replies } = await attackerSocket(lab);
    const ours = a.agent.credentials;
    const bad: [string, Buffer][] = [
      [
        'wrong password',
        checkRequest({
          username: `${ours.ufrag}:${peer.ufrag}`,
          password: 'not-the-password-at-all',
          priority: 1,
          controlled: 1n,
        }),
      ],
      [
        'wrong local ufrag',
        checkRequest({ username: `zzzz:${peer.ufrag}`, password: ours.pwd, priority: 1, controlled: 1n }),
      ],
      [
        'not the peer ufrag',
        checkRequest({ username: `${ours.ufrag}:zzzz`, password: ours.pwd, priority: 1, controlled: 1n }),
      ],
      [
        'no MESSAGE-INTEGRITY',
        checkRequest({ username: `${ours.ufrag}:${peer.ufrag}`, priority: 1, controlled: 1n }),
      ],
      [
        'no FINGERPRINT',
        checkRequest({
          username: `${ours.ufrag}:${peer.ufrag}`,
          password: ours.pwd,
          priority: 1,
          controlled: 1n,
          fingerprint: false,
        }),
      ],
      [
        'no PRIORITY',
        checkRequest({ username: `${ours.ufrag}:${peer.ufrag}`, password: ours.pwd, controlled: 1n }),
      ],
    ];
    for (const [, request] of bad) socket.send(request, A);
    await lab.run(1000);
    const answers = replies.map((r) => {
      const message = stunOf(r.data);
      return `${message?.messageClass} ${message?.attributes.errorCode?.code}`;
    });
    expect(answers).toEqual(['error 401', 'error 401', 'error 401', 'error 400', 'error 400', 'error 400']);
    // Nothing learned, nothing triggered: no peer-reflexive candidate, no check towards the sender.
    expect(a.agent.remoteCandidates.map((c) => c.address.address)).toEqual(['203.0.113.30']);
    const towardsAttacker = lab.net.sent.filter((p) => p.to.address === ATTACKER_ADDRESS);
    expect(towardsAttacker).toHaveLength(bad.length);
    expect(towardsAttacker.every((p) => stunOf(p.bytes)?.messageClass === 'error')).toBe(true);
    expect(a.agent.snapshot().checks).toMatchObject({ refused: 6, answered: 0 });

    // Control: the same sender with the right credentials is answered, learned and checked back.
    socket.send(
      checkRequest({
        username: `${ours.ufrag}:${peer.ufrag}`,
        password: ours.pwd,
        priority: 1_862_270_975,
        controlled: 1n,
      }),
      A,
    );
    await lab.run(100);
    expect(replies.slice(bad.length).map((r) => stunOf(r.data)?.messageClass)).toEqual([
      'success',
      'request',
    ]);
    expect(a.agent.remoteCandidates.map((c) => `${c.type} ${formatAddress(c.address)}`)).toContain(
      `prflx ${ATTACKER_ADDRESS}:7000`,
    );
    const triggered = lab.net.sent.filter(
      (p) => p.to.address === ATTACKER_ADDRESS && stunOf(p.bytes)?.messageClass === 'request',
    );
    expect(triggered.length).toBeGreaterThanOrEqual(1);
    expect(stunOf(triggered[0]?.bytes ?? new Uint8Array())?.attributes.username).toBe(
      `${peer.ufrag}:${ours.ufrag}`,
    );
    socket.close();
    await lab.close();
  });

  it('discards responses that are not signed with the peer password, and fails checks answered from elsewhere', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', { checkingTimeoutMs: 60_000 });
    await lab.settle(a.agent.gather());
    const peer = { ufrag: 'peerUfrag', pwd: 'peerPasswordPeerPassword' };
    a.agent.setRemote({
      ...peer,
      lite: false,
      candidates: [
        {
          foundation: 'x',
          component: 1,
          transport: 'udp',
          priority: 2_000_000_000,
          address: addr('203.0.113.30', 6000),
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    await lab.run(0);
    const check = lab.net.sent.find((p) => p.to.address === '203.0.113.30');
    const request = stunOf(check?.bytes ?? new Uint8Array());
    expect(request?.method).toBe(StunMethod.binding);
    const { socket } = await attackerSocket(lab);
    const forge = (password: string): Buffer =>
      encodeStunMessage(
        {
          method: StunMethod.binding,
          messageClass: 'success',
          transactionId: request?.transactionId ?? Buffer.alloc(12),
          attributes: { xorMappedAddress: A },
        },
        { integrityKey: shortTermKey(password), fingerprint: true },
      );
    socket.send(forge('guessed-password-guessed'), A);
    await lab.run(100);
    expect(a.agent.snapshot().checks).toMatchObject({ succeeded: 0, failed: 0 });
    expect(a.logs.some((l) => l.includes('discarded (MESSAGE-INTEGRITY)'))).toBe(true);
    // Signed right but from the wrong address: §7.2.5.2.1 fails the check, never a valid pair.
    socket.send(forge(peer.pwd), A);
    await lab.run(100);
    expect(a.agent.snapshot().checks).toMatchObject({ succeeded: 0, failed: 1 });
    expect(a.agent.snapshot().pairs).toMatchObject({ failed: 1, valid: 0 });
    expect(transactionKey(request?.transactionId ?? Buffer.alloc(12))).toHaveLength(24);
    socket.close();
    await lab.close();
  });

  it('with the relay-only policy, leaves checks that reach the socket directly unanswered', async () => {
    const lab = await createIceLab();
    const turnServers = [
      {
        address: addr(TURN_ADDRESS, 3478),
        transport: 'udp' as const,
        username: 'alice',
        password: 'turn-secret',
      },
    ];
    const a = await lab.phone('a', { policy: 'relay-only', turnServers });
    const candidates = await lab.settle(a.agent.gather());
    expect(candidates.map((c) => c.type)).toEqual(['relay']);
    a.agent.setRemote({
      ufrag: 'peerUfrag',
      pwd: 'peerPasswordPeerPassword',
      lite: false,
      candidates: [
        {
          foundation: 'x',
          component: 1,
          transport: 'udp',
          priority: 2_000_000_000,
          address: addr('203.0.113.30', 6000),
          type: 'host',
        },
      ],
      endOfCandidates: true,
    });
    expect(a.agent.state).toBe('checking');
    const { socket, replies } = await attackerSocket(lab);
    socket.send(
      checkRequest({
        username: `${a.agent.credentials.ufrag}:peerUfrag`,
        password: a.agent.credentials.pwd,
        priority: 1,
        controlled: 1n,
      }),
      A,
    );
    await lab.run(1000);
    expect(replies).toEqual([]);
    expect(a.agent.snapshot().checks).toMatchObject({ refused: 1, answered: 0 });
    socket.close();
    await lab.close();
  });
});

describe('media comes only from the selected pair', () => {
  it('drops RTP injected from a third address, or from the peer IP on another port', async () => {
    const lab = await createIceLab();
    const a = await lab.phone('a', {});
    const b = await lab.phone('b', {});
    const atA = collect(a);
    collect(b);
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    const { socket } = await attackerSocket(lab);
    socket.send(rtpPacket(666), A);
    const otherPort = await lab.b.bindDatagram({ family: 4, port: 50_010 });
    otherPort.send(rtpPacket(667), A);
    b.path?.send('rtp', rtpPacket(1));
    await lab.run(0);
    expect(atA).toEqual(['rtp 1 from 203.0.113.20:50000']);
    expect(a.path?.stats.dropped.foreignSource).toBe(2);
    socket.close();
    otherPort.close();
    await lab.close();
  });

  it('drops relayed data from a permitted IP but another port (TURN permissions are per IP)', async () => {
    const lab = await createIceLab({ a: { nat: 'symmetric' }, b: { nat: 'port-restricted' } });
    const turnServers = [
      {
        address: addr(TURN_ADDRESS, 3478),
        transport: 'udp' as const,
        username: 'alice',
        password: 'turn-secret',
      },
    ];
    const a = await lab.phone('a', { policy: 'relay-only', turnServers });
    const b = await lab.phone('b', { stunServers: [addr(TURN_ADDRESS, 3478)] });
    const atA = collect(a);
    collect(b);
    await exchange(lab, a, b);
    await lab.runUntil(() => a.agent.state === 'connected' && b.agent.state === 'connected');
    const relayed = a.agent.selectedPair(1)?.local.address;
    expect(relayed).toEqual(addr(TURN_ADDRESS, 49152));
    // A stranger elsewhere: the TURN server has no permission for it.
    const { socket } = await attackerSocket(lab);
    const droppedBefore = lab.turn.droppedWithoutPermission;
    socket.send(rtpPacket(666), relayed as SocketAddress);
    // Another socket behind b's NAT: the permission for 198.51.100.2 lets it through the server, but the
    // agent sees the wrong peer port in the Data indication and drops it.
    const sibling = await lab.b.bindDatagram({ family: 4, port: 50_020 });
    sibling.send(rtpPacket(667), relayed as SocketAddress);
    b.path?.send('rtp', rtpPacket(2));
    await lab.run(0);
    expect(lab.turn.droppedWithoutPermission - droppedBefore).toBe(1);
    expect(atA).toEqual(['rtp 2 from 198.51.100.2:50000']);
    expect(a.path?.stats.dropped.foreignSource).toBe(1);
    socket.close();
    sibling.close();
    await lab.close();
  });
});
